import { deepStrictEqual as assertEquals, ok as assert, throws as assertThrows } from "node:assert/strict";
import {
  adaptiveBeta,
  creditedRewards,
  DEFAULT_KL_PENALTY,
  entropicAdvantages,
  groupAdvantages,
  klShapedAdvantages,
  klToUniform,
  MAX_BETA,
} from "../lib/objective.ts";
import { Rng } from "../lib/rng.ts";

/** KL(softmax(beta r) || uniform) computed directly on raw rewards, independent of the library. */
function directKl(rewards: readonly number[], beta: number): number {
  const max = Math.max(...rewards);
  const w = rewards.map((r) => Math.exp(beta * (r - max)));
  const z = w.reduce((a, b) => a + b, 0);
  return w.reduce((kl, wi) => {
    const q = wi / z;
    return q > 0 ? kl + q * Math.log(q * rewards.length) : kl;
  }, 0);
}

function assertAlmostEquals(actual: number, expected: number, tolerance: number): void {
  assert(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
}

function randomRewards(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.uniform(0, 1) ** 3);
}

Deno.test("adaptive beta puts KL(q_beta || uniform) at ln 2", () => {
  const rng = new Rng(7);
  for (const n of [8, 64]) {
    for (let trial = 0; trial < 10; trial++) {
      const rewards = randomRewards(rng, n);
      const beta = adaptiveBeta(rewards);
      assert(beta > 0);
      assertAlmostEquals(directKl(rewards, beta), Math.LN2, 1e-6);
    }
  }
});

Deno.test("adaptive beta scales as 1/a and advantages are invariant to a r + b", () => {
  const rng = new Rng(11);
  for (const n of [8, 64]) {
    const rewards = randomRewards(rng, n);
    const beta = adaptiveBeta(rewards);
    const base = groupAdvantages(rewards, "entropic")!.advantages;
    for (const [a, b] of [[1, 5], [3.5, 0], [1e-3, -2], [250, 1e3]]) {
      const moved = rewards.map((r) => a * r + b);
      const relative = Math.abs(adaptiveBeta(moved) * a - beta) / beta;
      assert(relative < 1e-9, `beta relative error ${relative} for a=${a}, b=${b}`);
      const advantages = groupAdvantages(moved, "entropic")!.advantages;
      advantages.forEach((adv, i) => assertAlmostEquals(adv, base[i], 1e-9 * Math.max(1, Math.abs(base[i]))));
    }
  }
});

Deno.test("hand case: rewards [1, 2, 3]", () => {
  // Root of KL = ln 2 and the leave-one-out advantages, computed with mpmath at 40 digits.
  const beta = adaptiveBeta([1, 2, 3]);
  assertAlmostEquals(beta, 2.116055686132231, 1e-9);
  const { advantages } = groupAdvantages([1, 2, 3], "entropic")!;
  assertAlmostEquals(advantages[0], -0.9740801077863598, 1e-9);
  assertAlmostEquals(advantages[1], -0.7624377947499400, 1e-9);
  assertAlmostEquals(advantages[2], 13.811775294988237, 1e-8);
});

Deno.test("hand case: fixed beta ln 2 on rewards [0, 1, 2] gives weights 1/4, 1/2, 1", () => {
  // A_0 = (1/4) / ((1/2 + 1) / 2) - 1 = -2/3; A_1 = (1/2) / (5/8) - 1 = -1/5; A_2 = 1 / (3/8) - 1 = 5/3.
  const result = groupAdvantages([0, 1, 2], "fixed-beta", { fixedBeta: Math.LN2 })!;
  assertEquals(result.beta, Math.LN2);
  assertAlmostEquals(result.advantages[0], -2 / 3, 1e-10);
  assertAlmostEquals(result.advantages[1], -1 / 5, 1e-10);
  assertAlmostEquals(result.advantages[2], 5 / 3, 1e-10);
});

Deno.test("fixed beta defaults to 2", () => {
  const rewards = [0.1, 0.5, 0.2, 0.9];
  const result = groupAdvantages(rewards, "fixed-beta")!;
  assertEquals(result.beta, 2);
  assertEquals(result.advantages, entropicAdvantages(rewards, 2));
});

Deno.test("unreachable target: beta is capped, or stops where KL rounds to ln 2", () => {
  // KL(q || uniform) -> ln(N / k) with k tied maxima, so with k >= N / 2 the target is a limit.
  assertEquals(adaptiveBeta([0, 1, 1, 1]), MAX_BETA); // ln(4/3) < ln 2: never reached
  assertEquals(adaptiveBeta([0, 0.5, 0.5, 0.5]), 2 * MAX_BETA); // the cap is in units of 1 / range
  // N = 2: KL equals ln 2 in floating point once the loser's weight is below ~1e-17.
  const beta = adaptiveBeta([0, 1]);
  assert(beta > 30 && beta < MAX_BETA, `beta = ${beta}`);
  assertEquals(klToUniform([-1, 0], beta), Math.LN2);
  assertAlmostEquals(adaptiveBeta([3, 3.5]), 2 * beta, 1e-9 * beta);
  const [loser, winner] = entropicAdvantages([0, 1], beta);
  assertAlmostEquals(loser, -1, 1e-15);
  const expectedWinner = 1 / (Math.exp(-beta) + 1e-12) - 1; // ~1e12: the eps is what bounds it
  assertAlmostEquals(winner, expectedWinner, 1e-9 * expectedWinner);
});

Deno.test("constant group carries no signal", () => {
  assertEquals(groupAdvantages([0.3, 0.3, 0.3], "entropic"), null);
  assertEquals(groupAdvantages([0.3, 0.3, 0.3], "expected"), null);
  assertEquals(groupAdvantages([2], "fixed-beta"), null);
  assertEquals(groupAdvantages([], "entropic"), null);
  assertEquals(adaptiveBeta([4, 4]), 0);
});

Deno.test("expected-reward advantages are r - mean", () => {
  const result = groupAdvantages([1, 2, 6], "expected")!;
  assertEquals(result.advantages, [-2, -1, 3]);
  assertEquals(result.beta, 0);
});

Deno.test("leave-one-out survives one dominant rollout without cancellation", () => {
  // total - w_n would lose the small weights entirely here.
  const [top, a, b] = entropicAdvantages([1, 0, 0], 40);
  assertAlmostEquals(top, 1 / (Math.exp(-40) + 1e-12) - 1, 1e-3 * top);
  assertAlmostEquals(a, Math.exp(-40) / ((1 + Math.exp(-40)) / 2 + 1e-12) - 1, 1e-15);
  assertEquals(a, b);
});

Deno.test("klToUniform is 0 at beta 0 and ln N in the one-winner limit", () => {
  assertAlmostEquals(klToUniform([-1, -0.5, 0, -0.2], 0), 0, 1e-15);
  assertAlmostEquals(klToUniform([-1, -0.5, 0, -0.2], 1e4), Math.log(4), 1e-12);
});

Deno.test("KL shaping on a hand case", () => {
  // diffs: datum 0 -> [0.5, -0.1], datum 1 -> [0.2]; mean = 0.2.
  const sampler = [[-1, -2], [-0.5]];
  const reference = [[-1.5, -1.9], [-0.7]];
  const { advantages, meanDiff } = klShapedAdvantages([1, -1], sampler, reference, 0.5);
  assertAlmostEquals(meanDiff, 0.2, 1e-15);
  assertAlmostEquals(advantages[0][0], 1 + 0.5 * (0.2 - 0.5), 1e-15);
  assertAlmostEquals(advantages[0][1], 1 + 0.5 * (0.2 + 0.1), 1e-15);
  assertAlmostEquals(advantages[1][0], -1 + 0.5 * (0.2 - 0.2), 1e-15);
});

Deno.test("KL shaping only redistributes: its part sums to zero over the batch", () => {
  const rng = new Rng(3);
  const lengths = [3, 7, 1, 5, 4];
  const sampler = lengths.map((l) => Array.from({ length: l }, () => -rng.uniform(0, 3)));
  const reference = lengths.map((l) => Array.from({ length: l }, () => -rng.uniform(0, 3)));
  const seqAdvantages = lengths.map(() => rng.normal());
  const { advantages, meanDiff } = klShapedAdvantages(seqAdvantages, sampler, reference);
  const flatDiffs = sampler.flatMap((s, i) => s.map((lp, t) => lp - reference[i][t]));
  assertAlmostEquals(meanDiff, flatDiffs.reduce((a, b) => a + b, 0) / flatDiffs.length, 1e-14);
  let penaltySum = 0;
  advantages.forEach((tokens, i) => tokens.forEach((adv) => penaltySum += adv - seqAdvantages[i]));
  assertAlmostEquals(penaltySum, 0, 1e-12);
  // With lambda = 0 the sequence advantage is copied to every token.
  const plain = klShapedAdvantages(seqAdvantages, sampler, reference, 0).advantages;
  plain.forEach((tokens, i) => tokens.forEach((adv) => assertEquals(adv, seqAdvantages[i])));
  assertEquals(DEFAULT_KL_PENALTY, 0.1);
});

Deno.test("KL shaping rejects mismatched shapes", () => {
  assertThrows(() => klShapedAdvantages([1], [[-1, -2]], [[-1]]));
  assertThrows(() => klShapedAdvantages([1, 2], [[-1]], [[-1]]));
});

Deno.test("improvement credit: only real gains over the parent count, the rest tie at zero", () => {
  const parent = 2.6;
  const rewards = [2.6 + 1e-6, 2.6 + 1e-13, 2.5, 0, 2.6, 2.6 + 3e-6];
  // 1e-13 is rounding at this size (relative 4e-14); 2.5 and the invalid 0 lost to the parent.
  assertEquals(creditedRewards(rewards, parent, "improvement").map((r) => r > 0), [
    true,
    false,
    false,
    false,
    false,
    true,
  ]);
  assertEquals(creditedRewards(rewards, parent, "score"), rewards);
  // A group where nothing beat the parent is flat: no signal, whatever the losers scored.
  assertEquals(
    groupAdvantages(creditedRewards([2.5, 2.59, 2.6 + 1e-14], parent, "improvement"), "entropic"),
    null,
  );
  // A polish by rounding no longer outranks a rollout that left for another basin and lost.
  const polishVsExplore = creditedRewards([2.6 + 1e-14, 2.4], parent, "improvement");
  assertEquals(polishVsExplore, [0, 0]);
  const withScore = groupAdvantages([2.6 + 1e-9, 2.4], "entropic")!;
  assert(withScore.advantages[0] > 0 && withScore.advantages[1] < 0, "score credit prefers the polish");
  assertThrows(() => creditedRewards([1], NaN, "improvement"), /not finite/);
  // "record" reads the same baseline rule; the caller hands it the run's best instead of the parent.
  assertEquals(creditedRewards([2.7, 2.65, 2.6 + 1e-13], 2.68, "record").map((r) => r > 0), [
    true,
    false,
    false,
  ]);
});
