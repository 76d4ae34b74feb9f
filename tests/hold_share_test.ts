import { resolveConfig } from "../lib/config.ts";
import { BuiltinPolicy, type BuiltinSnapshot } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import type { Datum } from "../lib/policy/policy.ts";
import { Rng } from "../lib/rng.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { trainedOnPayoff } from "./payoff_training.ts";

// Two moves of operators a or b; the first move cannot stop. Tokens: operator, then its two parameters.
const { grammar, features } = rewardTableTask();
const context = { features };

/** A policy with random weights everywhere, so the network has strong opinions to hold against. */
async function opinionated(seed: number, heldShare?: string[]): Promise<BuiltinPolicy> {
  const policy = new BuiltinPolicy({ grammar, featureDim: features.length, hidden: 5, seed, heldShare });
  const snapshot = await policy.checkpoint();
  const rng = new Rng(seed + 1);
  snapshot.parameters = snapshot.parameters.map(() => rng.normal() * 1.5);
  await policy.restore(snapshot);
  return policy;
}

Deno.test("--hold-share: the named operators keep their uniform share at every operator choice, whatever the weights", async () => {
  const free = await opinionated(11);
  const held = await opinionated(11, ["a"]);
  const firstFree = free.probabilities(context, [])!.probabilities;
  assert(Math.abs(firstFree[0] - 0.5) > 0.05, `the unheld network has an opinion: ${firstFree}`);
  assertEquals(held.probabilities(context, [])!.probabilities, [0.5, 0.5]);

  // The second operator choice (a, b, or stop): a keeps 1/3; b and stop split 2/3 in the network's odds.
  const afterMove = [1, 0, 2];
  const second = held.probabilities(context, afterMove)!.probabilities;
  const secondFree = free.probabilities(context, afterMove)!.probabilities;
  assert(Math.abs(second[0] - 1 / 3) < 1e-15, `a at ${second[0]}`);
  assert(
    Math.abs(second[1] / second[2] - secondFree[1] / secondFree[2]) < 1e-12,
    "b : stop is the network's",
  );
  assert(Math.abs(second.reduce((s, p) => s + p, 0) - 1) < 1e-15);

  // Parameter choices are the network's, untouched.
  assertEquals(
    held.probabilities(context, [1])!.probabilities,
    free.probabilities(context, [1])!.probabilities,
  );

  // Sampling draws from the held distribution and reports its log-probabilities, which scoring agrees with.
  const samples = await held.sample(context, 4000, { temperature: 1, seed: 5 });
  const shareOfA = samples.filter((s) => s.tokens[0] === 0).length / samples.length;
  assert(Math.abs(shareOfA - 0.5) < 0.03, `a drawn ${shareOfA}`);
  for (const s of samples.slice(0, 50)) {
    const scored = held.logprobs(context, s.tokens);
    s.logprobs.forEach((lp, t) =>
      assert(Math.abs(lp - scored[t]) < 1e-12, `token ${t}: ${lp} vs ${scored[t]}`)
    );
  }
});

async function lossAt(policy: BuiltinPolicy, snapshot: BuiltinSnapshot, batch: Datum[]): Promise<number> {
  await policy.restore(snapshot);
  return (await policy.forwardBackward(batch)).loss;
}

Deno.test("--hold-share: the importance-sampling gradient matches central finite differences", async () => {
  const policy = await opinionated(21, ["b"]);
  const rng = new Rng(8);
  const batch: Datum[] = [];
  for (const s of await policy.sample(context, 8, { temperature: 1.6, seed: 3 })) {
    batch.push({
      context,
      tokens: s.tokens,
      samplerLogprobs: s.logprobs,
      advantages: s.tokens.map(() => rng.normal()),
    });
  }
  const snapshot = await policy.checkpoint();
  await policy.forwardBackward(batch);
  const analytic = policy.accumulatedGradients();
  const h = 1e-5;
  let worst = 0;
  for (let i = 0; i < analytic.length; i++) {
    const plus = structuredClone(snapshot), minus = structuredClone(snapshot);
    plus.parameters[i] += h;
    minus.parameters[i] -= h;
    const numeric = (await lossAt(policy, plus, batch) - await lossAt(policy, minus, batch)) / (2 * h);
    worst = Math.max(
      worst,
      Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]), Math.abs(numeric), 1e-4),
    );
  }
  assert(worst < 1e-5, `worst relative error ${worst}`);
});

Deno.test("--hold-share: training that pays only b cannot stop a from being written, and still learns the rest", async () => {
  // b pays, and b with r = 1 most; a second move pays nothing, so stopping is as good as any.
  const payoff = (tokens: readonly number[]) => (tokens[0] === 1 ? 1 + (tokens[1] === 1 ? 0.5 : 0) : 0);
  const train = (heldShare?: string[]) => trainedOnPayoff({ heldShare }, payoff);
  const free = await train();
  assert(free.probabilities(context, [])!.probabilities[1] > 0.9, "without the flag training drops a");
  const held = await train(["a"]);
  const first = held.probabilities(context, [])!.probabilities;
  assertEquals(first, [0.5, 0.5]);
  const rOfB = held.probabilities(context, [1])!.probabilities;
  assert(rOfB[1] > 0.9, `r = 1 under b is still learned: ${rOfB[1]}`);
});

Deno.test("--hold-share: off by default; refused for other policies, with --uniform-moves, and for an unknown operator", () => {
  assertEquals(resolveConfig({ problem: "erdos" }).holdShare, "");
  assertEquals(
    resolveConfig({ problem: "erdos", holdShare: "resample,restart" }).holdShare,
    "resample,restart",
  );
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", holdShare: "resample" }),
    /built-in policy takes --hold-share/,
  );
  assertThrows(
    () => resolveConfig({ problem: "erdos", holdShare: "resample", uniformMoves: true }),
    /--hold-share does nothing with --uniform-moves/,
  );
  assertThrows(() => resolveConfig({ problem: "erdos", holdShare: "resample,,hop" }), /comma-separated/);
  assertThrows(
    () => new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3, heldShare: ["c"] }),
    /no operator "c" in this grammar \(it has a, b\)/,
  );
});
