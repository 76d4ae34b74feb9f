import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { resolveConfig } from "../lib/config.ts";
import { entropyShapedAdvantages, groupAdvantages } from "../lib/objective.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { topProgramShare } from "./program_share.ts";

const close = (a: number, b: number, tol = 1e-12) => assert(Math.abs(a - b) <= tol, `${a} != ${b}`);

Deno.test("the entropy bonus credits unlikely tokens and only redistributes advantage", () => {
  // mean logp = (-1 - 3 - 2) / 3 = -2.
  const shaped = entropyShapedAdvantages([[1, 1], [-1]], [[-1, -3], [-2]], 0.5);
  close(shaped[0][0], 1 + 0.5 * (-2 + 1));
  close(shaped[0][1], 1 + 0.5 * (-2 + 3));
  close(shaped[1][0], -1);
  const added = shaped.flat().reduce((a, b) => a + b, 0) - (1 + 1 - 1);
  close(added, 0);
  assertEquals(entropyShapedAdvantages([[0.3, -2]], [[-1, -4]], 0), [[0.3, -2]]);
});

Deno.test("the entropy bonus rejects mismatched shapes and non-finite log-probabilities", () => {
  throws(() => entropyShapedAdvantages([[1]], [[-1], [-2]], 0.1), /1 advantages, 2 sequences/);
  throws(() => entropyShapedAdvantages([[1, 2]], [[-1]], 0.1), /mismatched token counts/);
  throws(() => entropyShapedAdvantages([[1]], [[-Infinity]], 0.1), /not finite/);
});

const { grammar, features } = rewardTableTask();
const context = { features };

/** Steps of training on groups whose rewards are all equal: zero advantage, plus the bonus. */
async function trainOnFlatRewards(policy: BuiltinPolicy, lambda: number, steps: number): Promise<void> {
  for (let step = 0; step < steps; step++) {
    const group = await policy.sample(context, 32, { temperature: 1, seed: 100 + step, maxTokens: 64 });
    const logprobs = group.map((s) => s.logprobs);
    const advantages = entropyShapedAdvantages(logprobs.map((l) => l.map(() => 0)), logprobs, lambda);
    await policy.forwardBackward(group.map((s, i) => ({
      context,
      tokens: s.tokens,
      samplerLogprobs: s.logprobs,
      advantages: advantages[i],
    })));
    await policy.optimStep({ ...BUILTIN_ADAM, learningRate: 0.02 });
  }
}

Deno.test("facing equal rewards, the entropy bonus flattens a peaked policy; without it nothing moves", async () => {
  for (const seed of [0, 1]) {
    const peaked = () => new BuiltinPolicy({ grammar, featureDim: 4, seed, priorSkew: 3 });
    const before = await topProgramShare(peaked(), context);
    const bonus = peaked(), none = peaked();
    await trainOnFlatRewards(bonus, 1, 40);
    await trainOnFlatRewards(none, 0, 40);
    const after = await topProgramShare(bonus, context);
    assert(after < 0.5 * before, `seed ${seed}: likeliest program ${before} -> ${after} with the bonus`);
    assertEquals(await topProgramShare(none, context), before);
  }
});

Deno.test("--entropy is a non-negative config field, off by default", () => {
  assertEquals(resolveConfig({ problem: "erdos" }).entropyBonus, 0);
  assertEquals(resolveConfig({ problem: "erdos", entropyBonus: 0.5 }).entropyBonus, 0.5);
  throws(() => resolveConfig({ problem: "erdos", entropyBonus: -1 }), /entropyBonus/);
});

Deno.test("--objective none credits nothing: a group with signal gets zero advantages, a flat one is dropped", () => {
  assertEquals(groupAdvantages([0.1, 0.5, 0.3], "none"), { advantages: [0, 0, 0], beta: 0 });
  assertEquals(groupAdvantages([0.4, 0.4], "none"), null);
  assertEquals(resolveConfig({ problem: "erdos", objective: "none", entropyBonus: 1 }).objective, "none");
});
