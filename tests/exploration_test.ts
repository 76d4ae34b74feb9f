/**
 * Exploration control: the temperature rises while groups are flat and relaxes after,
 * and a policy that sees only equal rewards is never sharpened.
 */
import { discover, type StepReport } from "../lib/loop.ts";
import { DEFAULT_EXPLORATION, flatGroupShare, nextTemperature } from "../lib/exploration.ts";
import { groupAdvantages, isFlat } from "../lib/objective.ts";
import type { BuiltinProblem } from "../lib/problem.ts";
import { assert, assertEquals } from "./assert.ts";
import { toy } from "./toy_problem.ts";

const options = { ...DEFAULT_EXPLORATION, base: 1 };

Deno.test("flat share counts the groups whose rewards are all equal", () => {
  assertEquals(flatGroupShare([[1, 1, 1], [1, 2, 1], [0, 0], [3, 3]]), 0.75);
  assertEquals(flatGroupShare([]), 0);
});

Deno.test("the temperature rises while groups are flat, up to its ceiling, and relaxes to the base", () => {
  let t = 1;
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) seen.push(t = nextTemperature(t, 1, options));
  assertEquals(seen.slice(0, 3), [1.5, 2.25, 3.375]);
  assertEquals(Math.max(...seen), options.maxFactor);
  for (let i = 0; i < 10; i++) t = nextTemperature(t, 0, options);
  assertEquals(t, 1);
  // At or below the threshold share nothing rises.
  assertEquals(nextTemperature(1, options.flatShare, options), 1);
});

/** The toy walk whose verifier gives every valid state the same reward: no signal at all. */
const flatToy: BuiltinProblem = {
  ...toy,
  name: "flat-toy",
  evaluate(input) {
    const e = toy.evaluate(input);
    return e.valid ? { ...e, value: 1, reward: 1 } : e;
  },
  // deno-lint-ignore no-explicit-any
  apply: (program, state) => (toy.apply as any)(program.filter((m) => m.op === "add"), state),
};

Deno.test("a policy facing equal rewards does not sharpen, and samples hotter", async () => {
  const config = { problem: "flat-toy", steps: 4, groups: 2, groupSize: 8, seed: 3, workers: 0 };
  const reports: StepReport[] = [];
  const run = discover({ config, problem: flatToy });
  for (let next = await run.next(); !next.done; next = await run.next()) reports.push(next.value);
  // Every group was flat, so the objective dropped them all: no gradient and no optimiser
  // step (loss is NaN exactly when none ran), so the weights are the initial ones.
  for (const r of reports) {
    assertEquals(r.row.flatGroups, 1);
    assert(Number.isNaN(r.row.loss), `step ${r.step} trained on flat groups`);
  }
  assertEquals(reports.map((r) => r.row.temperature), [1, 1.5, 2.25, 3.375]);
});

Deno.test("rewards that differ only by rounding are flat: no signal for the adaptive beta to blow up", () => {
  const c5 = [0.3808753232177187, 0.3808753232177192, 0.38087532321771866];
  const rewards = c5.map((v) => 1 / v);
  assert(isFlat(rewards));
  assertEquals(groupAdvantages(rewards, "entropic"), null);
  assertEquals(flatGroupShare([rewards]), 1);
  // A real improvement of 1e-7 in C5 is a signal.
  assert(!isFlat([1 / 0.3808753232177187, 1 / 0.3808752232177187]));
});
