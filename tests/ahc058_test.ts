import { discover } from "../lib/loop.ts";
import { Rng } from "../lib/rng.ts";
import { loadCases, officialText } from "../problems/ahc058/cases.ts";
import { generateInput } from "../problems/ahc058/generator.ts";
import { type Ahc058Input, parseInput } from "../problems/ahc058/input.ts";
import { ahc058 } from "../problems/ahc058/mod.ts";
import { greedyCppSource, judgeAhc058Cpp } from "../problems/ahc058/native.ts";
import { parse, prompt } from "../problems/ahc058/prompt.ts";
import { scoreActions, scoreOfApples, scoreOutput } from "../problems/ahc058/scorer.ts";
import { BASELINE_PARAMS, solve } from "../problems/ahc058/solver.ts";
import { assert, assertEquals } from "./assert.ts";

const official0 = () => parseInput(officialText(0));
const lines = (...xs: string[]) => xs.join("\n") + "\n";
const idle = (count: number) => Array(count).fill("-1");

Deno.test("ahc058 scorer: hand-made plans with known scores", () => {
  const input = official0();
  // Nothing bought: 1 apple, log2(1) = 0.
  assertEquals(scoreOutput(input, lines(...idle(500))).score, 0);
  // Buy machine 0^0 (cost C_00 = 1) on turn 0: it makes A_0 = 1 apple a turn for 500 turns.
  const one = scoreOutput(input, lines("0 0", ...idle(499)));
  assertEquals(one.error, undefined);
  assertEquals(one.apples, 500n);
  assertEquals(one.score, Math.round(1e5 * Math.log2(500)));
  assertEquals(one.score, 896578);
  // Comments, blank lines and surplus lines after T actions are ignored, as by the official tester.
  assertEquals(scoreOutput(input, lines("# plan", "", "0 0", ...idle(499), "garbage")).score, 896578);
  // Buying 0^0 twice: turn 0 pays 1 (0 left, +1), turn 1 pays 2 (needs 2: have 1) -> illegal.
  const twice = scoreOutput(input, lines("0 0", "0 0", ...idle(498)));
  assertEquals(twice.score, 0);
  assert(/not enough apples/.test(twice.error!), twice.error);
  // Turn 0: buy (1 -> 0, then +1); turns 1, 2 idle (+1 each: 3); turn 3 buys again for 2 -> 1 + 2 a turn.
  const hand = scoreOutput(input, lines("0 0", "-1", "-1", "0 0", ...idle(496)));
  assertEquals(hand.apples, 1n + 2n * 497n);
});

Deno.test("ahc058 scorer: apple counts beyond 2^53 stay exact (BigInt)", () => {
  const tuned = {
    ...BASELINE_PARAMS,
    objective: "net" as const,
    boost: [1, 2, 1, 4],
    minRatio: 0.5,
    waitLimit: 5,
    delay: 20,
    fillRatio: 8,
    fillSlack: 3,
  };
  let most = 0n;
  for (const c of loadCases({ source: "official", first: 0, count: 10 })) {
    const result = scoreActions(c.input, solve(c.input, tuned));
    assertEquals(result.error, undefined);
    assertEquals(result.score, scoreOfApples(result.apples));
    if (result.apples > most) most = result.apples;
  }
  assert(most > 2n ** 53n, `apples ${most} should pass 2^53 on some case`);
});

Deno.test("ahc058 scorer: every illegal output scores 0 with its reason", () => {
  const input = official0();
  const cases: [string, RegExp][] = [
    [lines("x", ...idle(499)), /parse error/],
    [lines("4 0", ...idle(499)), /level out of range/],
    [lines("-2", ...idle(499)), /level out of range/],
    [lines("0 10", ...idle(499)), /machine id out of range/],
    [lines("0 -1", ...idle(499)), /machine id out of range/],
    [lines("0", ...idle(499)), /expected a machine id/],
    [lines("0 1.5", ...idle(499)), /parse error/],
    [lines("-1 3", ...idle(499)), /too many tokens/],
    [lines("0 0 0", ...idle(499)), /too many tokens/],
    [lines(...idle(499)), /not enough actions/],
    ["", /not enough actions/],
    [lines("3 9", ...idle(499)), /not enough apples/],
  ];
  for (const [output, pattern] of cases) {
    const r = scoreOutput(input, output);
    assertEquals(r.score, 0);
    assert(
      r.error !== undefined && pattern.test(r.error),
      `${JSON.stringify(output.slice(0, 12))}: ${r.error}`,
    );
  }
});

function checkRules(input: Ahc058Input): void {
  assertEquals([input.n, input.l, input.t, input.k], [10, 4, 500, 1n]);
  assertEquals(input.a[0], 1n);
  for (let j = 0; j < 10; j++) {
    assert(input.a[j] >= 1n && input.a[j] <= 100n);
    if (j > 0) assert(input.a[j - 1] <= input.a[j], "A is sorted");
  }
  assertEquals(input.c[0][0], 1n);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 10; j++) {
      if (i === 0 && j === 0) continue;
      const multiplier = Number(input.c[i][j]) / (Number(input.a[j]) * 500 ** i);
      assert(multiplier >= 0.99 && multiplier <= 100.5, `C_${i}${j} multiplier ${multiplier}`);
      assert(input.c[i][j] <= 1_250_000_000_000n);
    }
  }
}

Deno.test("ahc058 generator follows the published rules; the official inputs parse and obey them too", () => {
  const rng = new Rng(7);
  let logSum = 0, count = 0;
  for (let s = 0; s < 300; s++) {
    const input = generateInput(rng);
    checkRules(input);
    for (let i = 1; i < 4; i++) {
      for (let j = 0; j < 10; j++) {
        logSum += Math.log10(Number(input.c[i][j]) / (Number(input.a[j]) * 500 ** i));
      }
      count += 10;
    }
  }
  // log10 of the multiplier is U(0, 2): mean 1 (standard error ~0.01 here).
  assert(Math.abs(logSum / count - 1) < 0.05, `mean log10 multiplier ${logSum / count}`);
  for (let seed = 0; seed < 100; seed++) checkRules(parseInput(officialText(seed)));
  assertEquals(loadCases({ source: "official", first: 0, count: 100 }).length, 100);
});

Deno.test("ahc058 evaluate: deterministic mean score; bad states are invalid, never thrown", () => {
  const [baseline] = ahc058.initialStates(
    new Rng(0),
    ahc058.optionsSchema.parse({ caseCount: 3 }),
    "baseline",
  );
  const a = ahc058.evaluate(ahc058.toJSON(baseline));
  const b = ahc058.evaluate(JSON.parse(JSON.stringify(ahc058.toJSON(baseline))));
  assert(a.valid && a.value! > 2e6, `baseline ${a.value}`);
  assertEquals(a.value, b.value);
  for (
    const bad of [null, 5, {}, {
      solver: { ...baseline.solver, boost: [1, NaN, 1, 1] },
      cases: baseline.cases,
    }]
  ) {
    const e = ahc058.evaluate(bad);
    assert(!e.valid && e.reward === 0 && typeof e.error === "string");
  }
});

Deno.test("ahc058 short discover() end to end", async () => {
  let last;
  for await (
    const report of discover({
      config: {
        problem: "ahc058",
        steps: 2,
        groups: 2,
        groupSize: 4,
        workers: 0,
        problemOptions: { caseCount: 3 },
      },
    })
  ) last = report;
  assert(last !== undefined && last.best.value > 0);
});

Deno.test("ahc058 C++ route: a greedy program is judged; hostile programs score 0 with the reason", async () => {
  const cacheDir = Deno.makeTempDirSync();
  try {
    const greedy = await judgeAhc058Cpp(greedyCppSource(), { source: "official", first: 0, count: 3 }, {
      cacheDir,
    });
    assert(greedy.evaluation.valid, greedy.evaluation.error);
    assert(greedy.evaluation.value! > 2e6, `greedy ${greedy.evaluation.value}`);
    const hostile: [string, RegExp, number?][] = [
      ['#include <cstdio>\nint main(){ for(int i=0;i<500;i++) puts("9 9"); }', /level out of range/],
      ['#include <cstdio>\nint main(){ puts("-1"); }', /not enough actions/],
      ["#include <cstdlib>\nint main(){ abort(); }", /SIGABRT|signal|killed|exit/i],
      ["int main(){ volatile int x = 0; while (true) x++; }", /time/i, 500],
      ["int main( { return 0; }", /compile error/],
    ];
    for (const [source, pattern, timeoutMs] of hostile) {
      const j = await judgeAhc058Cpp(source, { source: "official", first: 0, count: 2 }, {
        cacheDir,
        timeoutMs,
      });
      assert(!j.evaluation.valid && j.evaluation.reward === 0, source);
      assert(pattern.test(j.evaluation.error ?? ""), `${source}: ${j.evaluation.error}`);
    }
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("ahc058 prompt carries the statement, the parent and its score; parse takes the last cpp block", () => {
  const cases = { source: "generated" as const, seed: 0, count: 2 };
  const program = {
    program: { language: "c++" as const, source: "int main(){}" },
    cases,
    verdict: {
      contest: "ahc058",
      sourceHash: "0".repeat(64),
      cases,
      outcomes: [{ name: "generated-0", score: 100, ms: 3 }, { name: "generated-1", score: 146, ms: 4 }],
      compileMs: 10,
    },
  };
  const text = prompt(program, { valid: true, value: 123, reward: 123 });
  assert(text.includes("Apple Incremental Game") && text.includes("int main(){}") && text.includes("123"));
  assert(text.includes("generated-1: 146 (4 ms)") && /meaningfully different/.test(text));
  // From a built-in seed: the plain greedy C++ program is offered as the starting point.
  const seed = ahc058.initialStates(new Rng(0), ahc058.optionsSchema.parse({}), "baseline")[0];
  const fromSeed = prompt(seed, { valid: true, value: 3e6, reward: 3e6 });
  assert(fromSeed.includes("No C++ program has been judged") && fromSeed.includes(greedyCppSource().trim()));
  assertEquals(
    parse("a\n```cpp\nint main(){return 1;}\n```\nb\n```cpp\nint main(){return 2;}\n```").source.trim(),
    "int main(){return 2;}",
  );
  let threw = false;
  try {
    parse("no code");
  } catch {
    threw = true;
  }
  assert(threw);
});
