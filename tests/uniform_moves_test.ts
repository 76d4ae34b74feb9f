import { resolveConfig } from "../lib/config.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

const { grammar, features } = rewardTableTask();
const context = { features };
// Tokens: the first is the operator (0 = a, 1 = b; the first move cannot stop), then its
// parameters. Operator b pays more than a, and b with r = 1 most.
const reward = (tokens: readonly number[]) => (tokens[0] === 1 ? 1 + (tokens[1] === 1 ? 0.5 : 0) : 0);

async function trained(uniformOperators: boolean) {
  const policy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3, uniformOperators });
  await trainOnRewardFunction(policy, reward, {
    steps: 60,
    groupSize: 16,
    adam: { ...BUILTIN_ADAM, learningRate: 0.05 },
    klPenalty: 0,
    seed: 4,
    context,
  });
  const snapshot = await policy.checkpoint();
  // The output biases of the operator site: the first entries of the last `vocab` parameters.
  const vocab = snapshot.shape.siteArities.reduce((s, a) => s + a, 0);
  const operatorBiases = snapshot.parameters.slice(-vocab, -vocab + snapshot.shape.siteArities[0]);
  return { policy, operatorBiases };
}

Deno.test("--uniform-moves: operators are drawn uniformly and never trained, parameters are learned", async () => {
  const free = await trained(false);
  assert(free.policy.probabilities(context, [])!.probabilities[1] > 0.9, "without the flag training picks b");
  assert(free.operatorBiases.some((b) => Math.abs(b) > 0.05), "and moves the operator biases");

  const frozen = await trained(true);
  assertEquals([...frozen.operatorBiases], [0, 0, 0]);
  const rOfB = frozen.policy.probabilities(context, [1])!.probabilities; // b's first parameter, r
  assert(rOfB[1] > 0.9, `r = 1 under b is learned: ${rOfB[1]}`);

  // What it samples: a and b at 1/2 each, whatever the network's operator logits say.
  const samples = await frozen.policy.sample(context, 3000, { temperature: 1, seed: 7 });
  const shareOfB = samples.filter((s) => s.tokens[0] === 1).length / samples.length;
  assert(Math.abs(shareOfB - 0.5) < 0.03, `b drawn ${shareOfB}`);
  for (const s of samples.slice(0, 20)) assert(Math.abs(s.logprobs[0] - Math.log(1 / 2)) < 1e-12);
});

Deno.test("--uniform-moves is off by default and refused for a policy that is not the built-in one", () => {
  assertEquals(resolveConfig({ problem: "erdos" }).uniformMoves, false);
  assertEquals(resolveConfig({ problem: "erdos", uniformMoves: true }).uniformMoves, true);
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", uniformMoves: true }),
    /built-in policy takes --uniform-moves/,
  );
});
