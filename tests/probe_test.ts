import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { formatProgram, parseProgram } from "../lib/grammar.ts";
import { defineProblem } from "../lib/problem.ts";
import { probe, sampleUniformProgram, tallyByOperator, tallyByProgram } from "../lib/probe.ts";
import { Rng } from "../lib/rng.ts";
import { registeredProblems } from "../lib/problem_module.ts";
import { toy } from "./toy_problem.ts";

const problem = defineProblem(toy);

Deno.test("parseProgram reads what formatProgram writes, for every registered problem's grammar", async () => {
  const problems = Object.entries(await registeredProblems()).filter(([, p]) => p.grammar);
  assert(problems.length >= 8, `${problems.length} problems with a grammar`);
  for (const [name, problem] of problems) {
    const rng = new Rng(3);
    for (let i = 0; i < 100; i++) {
      const program = sampleUniformProgram(problem.grammar!, rng);
      assertEquals(parseProgram(problem.grammar!, formatProgram(program)), program, name);
    }
  }
  assertEquals(parseProgram(toy.grammar, " add(delta=2) ;add(delta=-1); "), [
    { op: "add", params: { delta: 2 } },
    { op: "add", params: { delta: -1 } },
  ]);
});

Deno.test("parseProgram refuses what is not the grammar's, naming what was expected", () => {
  throws(() => parseProgram(toy.grammar, ""), /no move/);
  throws(() => parseProgram(toy.grammar, "add(delta=1); add(delta=1); add(delta=1)"), /at most 2/);
  throws(
    () => parseProgram(toy.grammar, "jump(delta=1)"),
    /unknown operator "jump"; this grammar has add, nan, fail/,
  );
  throws(() => parseProgram(toy.grammar, "add(delta=5)"), /add.delta = 5 is not one of -2, -1, 1, 2, 3/);
  throws(() => parseProgram(toy.grammar, "add()"), /add needs delta/);
  throws(() => parseProgram(toy.grammar, "add(delta=1, size=2)"), /add has no parameter size/);
  throws(() => parseProgram(toy.grammar, "add delta=1"), /not a move/);
  throws(() => parseProgram(toy.grammar, "add(delta)"), /write name=value/);
});

Deno.test("a probe tallies which program beats its start, rollouts reproducible from the seed", async () => {
  const programs = ["add(delta=3)", "add(delta=-2)", "nan()"].map((t) => parseProgram(toy.grammar, t));
  const starts = [{ label: "x=2", state: { x: 2 } }, { label: "x=9", state: { x: 9 } }];
  const seen: number[] = [];
  const run = () =>
    probe(problem, starts, {
      programs,
      repeats: 2,
      timeoutSeconds: 5,
      seed: 1,
      onRow: (_, done) => void seen.push(done),
    });
  const rows = await run();
  assertEquals(rows.length, 12);
  assertEquals(seen.slice(0, 12), Array.from({ length: 12 }, (_, i) => i + 1));
  assertEquals(rows.map((r) => r.value), (await run()).map((r) => r.value));
  const byKey = new Map(tallyByProgram(rows).map((t) => [`${t.start} ${t.program}`, t]));
  // From x = 2 (distance 6): +3 gains 3, -2 loses 2; from x = 9 (distance 3): -2 gains 2, +3 loses 3.
  assertEquals(byKey.get("x=2 add(delta=3)"), {
    start: "x=2",
    program: "add(delta=3)",
    rollouts: 2,
    improved: 2,
    bestGain: 3,
    medianGain: 3,
  });
  assertEquals(byKey.get("x=2 add(delta=-2)")!.improved, 0);
  assertEquals(byKey.get("x=9 add(delta=-2)")!.bestGain, 2);
  assertEquals(byKey.get("x=9 nan()"), {
    start: "x=9",
    program: "nan()",
    rollouts: 2,
    improved: 0,
    bestGain: null,
    medianGain: null,
  });
  // A threshold: a gain of 2 does not beat 2.
  assertEquals(tallyByProgram(rows, 2).find((t) => t.start === "x=9" && t.improved > 0), undefined);
});

Deno.test("a uniform probe draws every operator and tallies by operator; an invalid start is refused", async () => {
  const rows = await probe(problem, [{ label: "x=0", state: { x: 0 } }], {
    programs: { uniform: 60 },
    repeats: 1,
    timeoutSeconds: 5,
    seed: 2,
  });
  assertEquals(rows.length, 60);
  const tallies = tallyByOperator(rows, toy.grammar);
  assertEquals(tallies.map((t) => t.program), ["add", "nan", "fail"]);
  for (const t of tallies) assert(t.rollouts > 5, `${t.program} drawn ${t.rollouts} times`);
  // A program containing fail or nan is invalid, so only add can improve.
  assertEquals(tallies.filter((t) => t.improved > 0).map((t) => t.program), ["add"]);
  await rejects(
    probe(problem, [{ label: "bad", state: { x: "no" } }], {
      programs: { uniform: 1 },
      repeats: 1,
      timeoutSeconds: 5,
      seed: 0,
    }),
    /start "bad" is invalid/,
  );
});

Deno.test("bench probe answers bad input with one line and exit 1, never a stack trace", async () => {
  const script = new URL("../bench/probe.ts", import.meta.url).pathname;
  const cases: [string[], RegExp][] = [
    [["erdos", "--init", "haugland", "--uniform", "2", "--by", "-1"], /^--by -1: Too small/],
    [["erdos", "--init", "haugland", "--uniform", "0x10"], /^--uniform 0x10: expected a number/],
    [["erdos", "--init", "haugland", "--program", "hop(tries=5)"], /^hop.tries = 5 is not one of 2, 4, 8/],
    [["erdos", "--init", "haugland", "--bogus"], /^Unknown option '--bogus'/],
    [["erdos", "--uniform", "2"], /^give one of --run with --ids, --init or --states/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", script, ...args] })
      .output();
    const text = new TextDecoder().decode(stderr).trim();
    assertEquals(code, 1, text);
    assert(message.test(text) && !text.includes("\n    at "), text);
  }
});
