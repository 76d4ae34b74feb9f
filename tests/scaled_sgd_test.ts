import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { resolveConfig } from "../lib/config.ts";
import { l2Norm } from "../lib/policy/adam.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";
import { MAX_STEP_RATIO, type ScaledSgdState, scaledSgdStep } from "../lib/policy/scaled_sgd.ts";

/** Length of the step scaledSgdStep takes from zero weights on this gradient. */
function stepLength(grads: Float64Array, state: ScaledSgdState, lr = 0.01): number {
  const params = new Float64Array(grads.length);
  scaledSgdStep(params, grads, state, lr);
  return l2Norm(params);
}

const direction = (scale: number) => Float64Array.from([3, -4, 0, 12], (g) => g * scale); // norm 13

Deno.test("scaled SGD: a typical step moves lr sqrt(P), a step r times the median r times as far, capped", () => {
  const state: ScaledSgdState = { norms: [] };
  const lr = 0.01, typical = lr * Math.sqrt(4);
  // The first step is its own median: as long as Adam's first step, whatever the gradient's scale.
  assert(Math.abs(stepLength(direction(1e-6), state) - typical) < 1e-15);
  assert(Math.abs(stepLength(direction(1e-6), state) - typical) < 1e-15);
  // Three times the median of (1, 1, 3): three typical steps, along the negative gradient.
  const params = new Float64Array(4);
  scaledSgdStep(params, direction(3e-6), state, lr);
  assert(Math.abs(l2Norm(params) - 3 * typical) < 1e-15);
  assertEquals(Array.from(params, Math.sign), [-1, 1, 0, -1]);
  // A gain a thousand times the usual one moves the policy at most MAX_STEP_RATIO typical steps.
  assert(Math.abs(stepLength(direction(1e-3), state) - MAX_STEP_RATIO * typical) < 1e-15);
  assertEquals(state.norms.length, 4);
  // A zero gradient (every group flat) takes no step and leaves the scale alone.
  assertEquals(stepLength(new Float64Array(4), state), 0);
  assertEquals(state.norms.length, 4);
  throws(() => scaledSgdStep(new Float64Array(4), Float64Array.from([NaN, 0, 0, 0]), state, lr), /NaN/);
});

const { grammar, features, best, reward } = rewardTableTask();
const context = { features };
const training = (seed: number, steps: number) => ({
  steps,
  groupSize: 32,
  adam: BUILTIN_ADAM,
  klPenalty: 0.1,
  seed,
  context,
});

Deno.test("the built-in policy trains with sgd, and its checkpoint carries the scale", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 3, optimizer: "sgd" });
  const before = policy.programProbability(context, best);
  const history = await trainOnRewardFunction(policy, reward, training(1, 40));
  const after = policy.programProbability(context, best);
  assert(after > 10 * before, `best program: ${before} -> ${after}`);
  const snapshot = JSON.parse(JSON.stringify(await policy.checkpoint()));
  // One norm a step that had a gradient (a flat group has none).
  assertEquals(snapshot.sgdNorms, history.filter((h) => h.gradNorm > 0).map((h) => h.gradNorm));
  const copy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 99, optimizer: "sgd" });
  await copy.restore(snapshot);
  for (const p of [policy, copy]) await trainOnRewardFunction(p, reward, training(2, 2));
  assertEquals(await copy.checkpoint(), await policy.checkpoint());
  // A snapshot of an Adam-trained policy, written before the field existed, still loads.
  const { sgdNorms: _, ...adamOnly } = await new BuiltinPolicy({ grammar, featureDim: 4, seed: 1 })
    .checkpoint();
  await copy.restore(adamOnly);
});

Deno.test("--optimizer sgd is refused for a language-model policy, in one line naming the flag", () => {
  assertEquals(resolveConfig({ problem: "erdos", optimizer: "sgd" }).optimizer, "sgd");
  assertEquals(resolveConfig({ problem: "erdos" }).optimizer, "adam");
  throws(
    () => resolveConfig({ problem: "erdos", optimizer: "sgd", policy: "openai", model: "m" }),
    /optimizer \(--optimizer\): only the built-in policy has the sgd optimizer/,
  );
});
