import { resolveConfig } from "../lib/config.ts";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { trainedOnPayoff } from "./payoff_training.ts";

const { grammar, features } = rewardTableTask();
const context = { features };
// Tokens: the first is the operator (0 = a, 1 = b; the first move cannot stop), then its
// parameters. Operator b pays more than a, and b with r = 1 most.
const reward = (tokens: readonly number[]) => (tokens[0] === 1 ? 1 + (tokens[1] === 1 ? 0.5 : 0) : 0);

/** A policy trained for 60 steps on `payoff`, and the output biases of each decision site. */
async function trained(
  options: { uniformOperators?: boolean; uniformParameters?: string[] },
  payoff: (tokens: readonly number[]) => number = reward,
) {
  const policy = await trainedOnPayoff(options, payoff);
  const snapshot = await policy.checkpoint();
  // The output biases are the last `vocab` parameters, site after site.
  const arities = snapshot.shape.siteArities;
  const vocab = arities.reduce((s, a) => s + a, 0);
  const biases = snapshot.parameters.slice(-vocab);
  return { policy, arities, biases, operatorBiases: biases.slice(0, arities[0]) };
}

Deno.test("--uniform-moves: operators are drawn uniformly and never trained, parameters are learned", async () => {
  const free = await trained({ uniformOperators: false });
  assert(free.policy.probabilities(context, [])!.probabilities[1] > 0.9, "without the flag training picks b");
  assert(free.operatorBiases.some((b) => Math.abs(b) > 0.05), "and moves the operator biases");

  const frozen = await trained({ uniformOperators: true });
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

Deno.test("--uniform-params: the named operators' parameters are drawn uniformly and never trained", async () => {
  // a pays with p = 2, b with r = 1; operators and b's parameters are held uniform.
  const payoff = (
    tokens: readonly number[],
  ) => (tokens[0] === 0 ? Number(tokens[1] === 2) : Number(tokens[1] === 1));
  const { policy, arities, biases } = await trained(
    { uniformOperators: true, uniformParameters: ["b"] },
    payoff,
  );
  // arities: operator site, a's p and q, b's r and s
  const bStart = arities[0] + arities[1] + arities[2];
  assertEquals([...biases.slice(0, arities[0])], [0, 0, 0]);
  assertEquals([...biases.slice(bStart, bStart + arities[3] + arities[4])], [0, 0, 0, 0, 0]);
  const pOfA = policy.probabilities(context, [0])!.probabilities;
  assert(pOfA[2] > 0.9, `p = 2 under a is learned: ${pOfA[2]}`);

  const samples = await policy.sample(context, 3000, { temperature: 1, seed: 7 });
  const underB = samples.filter((s) => s.tokens[0] === 1);
  const shareR1 = underB.filter((s) => s.tokens[1] === 1).length / underB.length;
  assert(Math.abs(shareR1 - 0.5) < 0.04, `r = 1 drawn ${shareR1} under b`);
  for (const s of underB.slice(0, 20)) assert(Math.abs(s.logprobs[1] - Math.log(1 / 2)) < 1e-12);
});

Deno.test("--uniform-params: an operator the grammar lacks is refused by name; other policies refuse the flag", () => {
  assertThrows(
    () => new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3, uniformParameters: ["c"] }),
    /no operator "c" in this grammar \(it has a, b\)/,
  );
  assertEquals(resolveConfig({ problem: "erdos" }).uniformParams, "");
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", uniformParams: "hop" }),
    /built-in policy takes --uniform-params/,
  );
  assertThrows(() => resolveConfig({ problem: "erdos", uniformParams: "hop,,lp" }), /comma-separated/);
});
