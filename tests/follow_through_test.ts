/**
 * `--follow-through OPS`: from a state at a new size (`Problem.size` differs from its parent's), the
 * built-in policy writes only the named operators, in sampling and in training alike.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { resolveConfig } from "../lib/config.ts";
import { decodeProgram } from "../lib/grammar.ts";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { newSize } from "../lib/search_features.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { runToEnd } from "./runs.ts";
import { tempDir } from "./temp_dirs.ts";
import { toy } from "./toy_problem.ts";

const { grammar, features } = rewardTableTask();

Deno.test("an operator mask: only the allowed operators are drawn, renormalised, and trained as drawn", async () => {
  for (const uniformMix of [0, 0.5]) {
    const policy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3, uniformMix });
    const onlyA = { features, operators: ["a"] };
    const samples = await policy.sample(onlyA, 500, { temperature: 1, seed: 7 });
    // Every move is a.
    for (const s of samples) {
      const ops = decodeProgram(grammar, s.tokens).map((m) => m.op);
      assert(ops.length > 0 && ops.every((op) => op === "a"), ops.join(", "));
    }
    // The first move must be an operator and only a is allowed: probability 1.
    for (const s of samples.slice(0, 20)) assertEquals(s.logprobs[0], 0);
    const first = policy.probabilities(onlyA, [])!.probabilities;
    assertEquals(first[1], 0);
    assert(Math.abs(first[0] - 1) < 1e-12);
    // Unrestricted, b is drawn about half the time.
    const free = await policy.sample({ features }, 500, { temperature: 1, seed: 7 });
    const shareOfB = free.filter((s) => s.tokens[0] === 1).length / free.length;
    assert(shareOfB > 0.35 && shareOfB < 0.65, `b drawn ${shareOfB} unrestricted`);
    // Training scores a datum under the same mask: at the sampling weights the ratio is exactly 1.
    const batch = samples.slice(0, 8).map((s, i) => ({
      context: onlyA,
      tokens: s.tokens,
      samplerLogprobs: s.logprobs,
      advantages: s.tokens.map(() => (i % 2 ? 1 : -1)),
    }));
    const { logprobs } = await policy.forwardBackward(batch);
    if (uniformMix === 0) {
      logprobs.forEach((lp, i) =>
        lp.forEach((x, t) => assert(Math.abs(x - batch[i].samplerLogprobs[t]) < 1e-12, `${x} at ${t}`))
      );
    }
    assert(logprobs.flat().every(Number.isFinite));
  }
  const policy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3 });
  await assertRejects(
    () => policy.sample({ features, operators: ["c"] }, 1, { temperature: 1, seed: 1 }),
    /no operator "c" in this grammar \(it has a, b\)/,
  );
});

/** The toy walk where crossing 4 changes a state's size (from 1 to 2 or back). */
const sizedToy = { ...toy, name: "sized-toy", size: (s: { x: number }) => (s.x >= 4 ? 2 : 1) };

/** Programs (as recorded) started from a state at a new size, and the others. */
async function programsByStart(followThrough: string) {
  const out = tempDir();
  const config = {
    problem: "sized-toy",
    steps: 6,
    groups: 2,
    groupSize: 6,
    seed: 1,
    followThrough,
    workers: 0,
  };
  const run = await runToEnd({ config, problem: sizedToy, out });
  const dir = run.summary.runDir!;
  const states = pl.readParquet(join(dir, "states.parquet")).toRecords();
  const stateOf = new Map(states.map((r) => [Number(r.id), JSON.parse(String(r.state))]));
  const parentOf = new Map(states.map((r) => [Number(r.id), Number(r.parent_id)]));
  const atDoors: string[] = [], elsewhere: string[] = [];
  for (const a of pl.readParquet(join(dir, "attempts.parquet")).toRecords()) {
    const start = Number(a.parent_id);
    const door = newSize(sizedToy, stateOf.get(start), stateOf.get(parentOf.get(start)!));
    (door ? atDoors : elsewhere).push(String(a.program));
  }
  return { atDoors, elsewhere, config: JSON.parse(Deno.readTextFileSync(join(dir, "config.json"))) };
}

Deno.test("--follow-through: from a door only the named operators are written; elsewhere any", async () => {
  const onlyAdd = (p: string) => p.split("; ").every((m) => m.startsWith("add("));
  const followed = await programsByStart("add");
  assert(followed.atDoors.length >= 6, `${followed.atDoors.length} attempts from doors`);
  assert(followed.atDoors.every(onlyAdd), followed.atDoors.filter((p) => !onlyAdd(p)).join(" | "));
  assert(!followed.elsewhere.every(onlyAdd), "elsewhere nan and fail are written too");
  assertEquals(followed.config.followThrough, "add");
  const free = await programsByStart("");
  assert(free.atDoors.length >= 6 && !free.atDoors.every(onlyAdd), "without the flag doors get any program");
});

Deno.test("--follow-through: refused without a size, for an unknown operator and for other policies", async () => {
  assertEquals(resolveConfig({ problem: "erdos" }).followThrough, "");
  assertThrows(() => resolveConfig({ problem: "erdos", followThrough: "adam,,lp" }), /comma-separated/);
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", followThrough: "lp" }),
    /built-in policy takes --follow-through/,
  );
  const config = { problem: "toy", steps: 1, groups: 1, groupSize: 2, followThrough: "add", workers: 0 };
  await assertRejects(
    () => runToEnd({ config, problem: toy, out: tempDir() }),
    /--follow-through: toy has no size \(how many numbers a construction is made of\), so no state is a door/,
  );
  await assertRejects(
    () =>
      runToEnd({
        config: { ...config, problem: "sized-toy", followThrough: "add,hop" },
        problem: sizedToy,
        out: tempDir(),
      }),
    /--follow-through: no operator "hop" in this grammar \(it has add, nan, fail\)/,
  );
});
