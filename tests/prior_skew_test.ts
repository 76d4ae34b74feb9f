import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { resolveConfig } from "../lib/config.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";
import { topProgramShare } from "./program_share.ts";

const { grammar, features, reward } = rewardTableTask();
const context = { features };
const policy = (seed: number, priorSkew?: number) =>
  new BuiltinPolicy({ grammar, featureDim: 4, seed, priorSkew });

const samples = (p: BuiltinPolicy, n = 2000) =>
  p.sample(context, n, { temperature: 1, seed: 5, maxTokens: 64 });

/** The mean reward of n samples. */
async function meanReward(p: BuiltinPolicy, n = 2000): Promise<number> {
  return (await samples(p, n)).reduce((sum, s) => sum + reward(s.tokens), 0) / n;
}

Deno.test("prior skew 0 is the uniform start of before; a skew is drawn from the seed and has opinions", async () => {
  // The same weights as a policy built without the option (old runs reproduce).
  assertEquals(await policy(4, 0).checkpoint(), await policy(4).checkpoint());
  // 240 programs: near uniform, the likeliest (one move of 1 in 6, then stop) about 1 time in 36.
  const uniform = await topProgramShare(policy(4), context);
  assert(uniform < 0.05, `uniform start: the likeliest program has ${uniform}`);
  const skewed = await topProgramShare(policy(4, 3), context);
  assert(skewed > 0.15, `skewed start: the likeliest program has ${skewed}`);
  assertEquals(await policy(4, 3).checkpoint(), await policy(4, 3).checkpoint());
  assert(JSON.stringify(await policy(5, 3).checkpoint()) !== JSON.stringify(await policy(4, 3).checkpoint()));
});

Deno.test("training moves a skewed prior to better programs; without training it stays", async () => {
  // The reward table has no slope toward its best program, which a skewed prior may never write:
  // what training can do is concentrate on the best programs the prior does write.
  for (const seed of [0, 1]) {
    const trained = policy(seed, 2), untrained = policy(seed, 2);
    const before = await meanReward(trained);
    await trainOnRewardFunction(trained, reward, {
      steps: 40,
      groupSize: 32,
      adam: BUILTIN_ADAM,
      klPenalty: 0.1,
      seed,
      context,
    });
    const after = await meanReward(trained);
    assert(after > before + 0.15, `seed ${seed}: mean reward ${before} -> ${after}`);
    assertEquals(await meanReward(untrained), before);
  }
});

Deno.test("--prior-skew is a built-in policy setting: a language-model policy refuses it in one line", () => {
  assertEquals(resolveConfig({ problem: "erdos" }).priorSkew, 0);
  assertEquals(resolveConfig({ problem: "erdos", priorSkew: 2 }).priorSkew, 2);
  throws(
    () => resolveConfig({ problem: "erdos", priorSkew: 2, policy: "openai", model: "m" }),
    /priorSkew \(--prior-skew\): only the built-in policy takes a prior skew/,
  );
  throws(() => resolveConfig({ problem: "erdos", priorSkew: -1 }), /priorSkew/);
});
