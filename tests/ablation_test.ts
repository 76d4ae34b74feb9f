import {
  computeWorth,
  mannWhitneyP,
  pairedFinalDifferences,
  pairedGapByStep,
  policyConditioning,
  quantile,
  runAblation,
  runActivity,
  sampleSd,
  seedsForPairedTest,
  signTestP,
  summarise,
  totalVariation,
  VARIANTS,
  wilcoxonSignedRankP,
} from "../lib/ablation.ts";
import { ablationPlot } from "../lib/plot.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";

Deno.test("exact Mann-Whitney p-values match hand-counted cases", () => {
  // Complete separation of 3 vs 3: U = 0 is 1 of C(6,3) = 20 orderings; two-sided p = 2/20.
  assertAlmostEquals(mannWhitneyP([1, 2, 3], [4, 5, 6]), 0.1, 1e-12);
  assertAlmostEquals(mannWhitneyP([4, 5, 6], [1, 2, 3]), 0.1, 1e-12);
  // 5 vs 5 separated: 2 / C(10,5) = 2/252.
  assertAlmostEquals(mannWhitneyP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 2 / 252, 1e-12);
  // Interleaved samples are indistinguishable.
  assertEquals(mannWhitneyP([1, 3, 5], [2, 4, 6]) > 0.5, true);
});

Deno.test("summaries report median, quartiles and the test against the first variant", () => {
  const points = [
    ...[0.5, 0.4, 0.45].map((best, seed) => ({
      variant: "ttt-discover",
      seed,
      step: 1,
      rollouts: 10,
      best,
      mean: 0,
      elapsedMs: 1000,
    })),
    ...[0.9, 0.8, 0.7].map((best, seed) => ({
      variant: "best-of-n",
      seed,
      step: 1,
      rollouts: 10,
      best,
      mean: 0,
      elapsedMs: 3000,
    })),
    // An earlier step of the same run must not count as a final value.
    { variant: "best-of-n", seed: 0, step: 0, rollouts: 5, best: 0.1, mean: 0, elapsedMs: 500 },
  ].sort((a, b) => a.step - b.step);
  const rows = summarise(points, VARIANTS);
  assertEquals(rows.map((r) => r.variant), ["ttt-discover", "best-of-n"]);
  assertEquals(rows[0].median, 0.45);
  assertEquals(rows[1].median, 0.8);
  assertEquals(rows[1].min, 0.7);
  assertAlmostEquals(rows[1].pVsMethod, 0.1, 1e-12);
  // Paired by seed: the method is lower in all 3 pairs, the smallest two-sided p of 3 pairs is 2/8.
  assertEquals([rows[1].pairs, rows[1].methodAhead], [3, 3]);
  assertAlmostEquals(rows[1].pPaired, 0.25, 1e-12);
  assertEquals(summarise(points, VARIANTS, "maximize")[1].methodAhead, 0);
  assertEquals(rows[1].seconds, 3);
  assertEquals(quantile([1, 2, 3, 4], 0.25), 1.75);
});

Deno.test("an ablation gives every variant the same rollout budget", async () => {
  const variants = VARIANTS.filter((v) => v.name === "ttt-discover" || v.name === "best-of-n");
  const points = await runAblation({
    problem: "erdos",
    base: { groups: 2, groupSize: 4 },
    rollouts: 24,
    seeds: [0],
    variants,
    workers: 0,
  });
  for (const v of variants) {
    const last = points.filter((p) => p.variant === v.name).at(-1)!;
    assertEquals(last.rollouts, 24);
  }
  assert(ablationPlot(points, { quantity: "C5" }).startsWith("<svg"));
});

Deno.test("ablate --merge joins studies run apart, method first; mismatched budgets are refused", async () => {
  const { join } = await import("node:path");
  const pl = (await import("nodejs-polars")).default;
  const { tempDir } = await import("./temp_dirs.ts");
  const root = tempDir();
  const study = (name: string, variant: string, rollouts: number, finals: number[]) => {
    const dir = join(root, name);
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(
      join(dir, "config.json"),
      JSON.stringify({ problem: "erdos", rollouts, variants: [variant], seedList: finals.map((_, i) => i) }),
    );
    pl.DataFrame({
      variant: finals.map(() => variant),
      seed: finals.map((_, i) => i),
      step: finals.map(() => 0),
      rollouts: finals.map(() => rollouts),
      best: finals,
      mean: finals,
      elapsed_ms: finals.map(() => 1000),
    }).writeParquet(join(dir, "curves.parquet"));
    return dir;
  };
  const noTtt = study("b", "no-ttt", 64, [0.3812, 0.3813, 0.3814]);
  const method = study("a", "ttt-discover", 64, [0.3809, 0.3810, 0.3811]);
  const cli = new URL("../lib/ablate_cli.ts", import.meta.url).pathname;
  const run = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "--merge", ...args],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  const out = join(root, "merged");
  const ok = await run(noTtt, method, "--out", out);
  assertEquals(ok.code, 0, new TextDecoder().decode(ok.stderr));
  const rows = JSON.parse(Deno.readTextFileSync(join(out, "summary.json")));
  assertEquals(rows.map((r: { variant: string }) => r.variant), ["ttt-discover", "no-ttt"]);
  assertAlmostEquals(rows[1].pVsMethod, 0.1, 1e-12); // 3 vs 3, separated
  assert(Deno.statSync(join(out, "curves.svg")).size > 1000);
  const other = study("c", "best-of-n", 128, [0.3815, 0.3816, 0.3817]);
  const refused = await run(method, other, "--out", join(root, "x"));
  assertEquals(refused.code, 2);
  assert(/cannot merge .*64 rollouts.* 128 rollouts/.test(new TextDecoder().decode(refused.stderr)));
  const twice = await run(method, method, "--out", join(root, "y"));
  assertEquals(twice.code, 2);
});

Deno.test("sign test on pairs: exact binomial tails, ties dropped, unpaired input refused", () => {
  // 8 of 8 pairs one way: 2 / 2^8.
  assertAlmostEquals(signTestP([1, 2, 3, 4, 5, 6, 7, 8], [2, 3, 4, 5, 6, 7, 8, 9]), 2 / 256, 1e-15);
  // 12 of 16: 2 (1 + 16 + 120 + 560 + 1820) / 2^16.
  const a = Array.from({ length: 16 }, (_, i) => i), b = a.map((x, i) => (i < 12 ? x + 1 : x - 1));
  assertAlmostEquals(signTestP(a, b), (2 * 2517) / 65536, 1e-15);
  assertAlmostEquals(signTestP(b, a), (2 * 2517) / 65536, 1e-15);
  // A tie carries no information: 7 of 7 after dropping it.
  assertAlmostEquals(signTestP([1, 1, 1, 1, 1, 1, 1, 5], [2, 2, 2, 2, 2, 2, 2, 5]), 2 / 128, 1e-15);
  assertEquals(signTestP([1, 2], [2, 1]), 1);
  assertEquals(signTestP([3], [3]), 1);
  assertThrows(() => signTestP([1, 2], [1]), /not paired/);
});

Deno.test("Wilcoxon signed-rank test on pairs: exact tails, weighed by size, ties shared, unpaired refused", () => {
  // 8 of 8 one way: only the all-positive pattern of 2^8 is as extreme on that side.
  const a = [1, 2, 3, 4, 5, 6, 7, 8];
  assertAlmostEquals(wilcoxonSignedRankP(a, a.map((x) => x + 1)), 2 / 256, 1e-15);
  // Sizes matter where signs alone do not: 6 of 8 ahead, the two behind the smallest.
  const small = [0.1, 0.2, -3, -4, -5, -6, -7, -8]; // ranks 1, 2 positive: W+ = 3
  // Patterns with W+ <= 3 over ranks 1..8: {}, {1}, {2}, {3}, {1,2} = 5.
  assertAlmostEquals(wilcoxonSignedRankP(small, small.map(() => 0)), (2 * 5) / 256, 1e-15);
  assert(signTestP(small, small.map(() => 0)) > 0.28);
  // The same signs on the largest differences weigh far less.
  const large = [-0.1, -0.2, -3, -4, -5, -6, 7, 8];
  assert(wilcoxonSignedRankP(large, large.map(() => 0)) > 0.3);
  // Tied sizes share a mean rank (1.5, 1.5, 3): W+ of 3 against sign patterns over those ranks.
  assertAlmostEquals(wilcoxonSignedRankP([1, 1, 2], [0, 0, 0]), 2 / 8, 1e-15);
  // W+ = 1.5 + 3 = 4.5: sums over the 8 patterns are 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6; 3 of 8 reach 4.5.
  assertAlmostEquals(wilcoxonSignedRankP([1, -1, 2], [0, 0, 0]), 0.75, 1e-15);
  // Zero differences are dropped; none left is no evidence.
  assertAlmostEquals(wilcoxonSignedRankP([1, 2, 3, 9], [0, 0, 0, 9]), 2 / 8, 1e-15);
  assertEquals(wilcoxonSignedRankP([3, 4], [3, 4]), 1);
  assertThrows(() => wilcoxonSignedRankP([1, 2], [1]), /not paired/);
  assertThrows(() => wilcoxonSignedRankP([NaN], [1]), /finite/);
});

/** One curve point of a run recording 16 rollouts a step. */
const point = (variant: string, seed: number, step: number, best: number) => ({
  variant,
  seed,
  step,
  rollouts: 16 * (step + 1),
  best,
  mean: best,
  elapsedMs: 1000 * step,
});

Deno.test("paired gap by step: best so far per seed, negative when the method is ahead, both directions", () => {
  // Three seeds; the method pulls ahead at step 2. Seed 2's no-TTT run skipped recording step 1
  // (its best so far carries over) and ran one step longer than the others.
  const points = [0, 1, 2].flatMap((seed) => [
    point("ttt-discover", seed, 0, 10 + seed),
    point("ttt-discover", seed, 1, 9 + seed),
    point("ttt-discover", seed, 2, 5 + seed),
    point("no-ttt", seed, 0, 10 + seed),
    ...(seed === 2 ? [] : [point("no-ttt", seed, 1, 8 + seed)]),
    point("no-ttt", seed, 2, 7 + seed),
    ...(seed === 2 ? [point("no-ttt", seed, 3, 1)] : []),
  ]);
  const gaps = pairedGapByStep(points);
  assertEquals(gaps.map((g) => g.step), [0, 1, 2]); // up to the shortest run
  assertEquals(gaps.map((g) => g.methodAhead), [0, 1, 3]);
  assertEquals(gaps.map((g) => g.medianGap), [0, 1, -2]);
  assertEquals(gaps[0].pPaired, 1);
  assertAlmostEquals(gaps[2].pPaired, 2 / 8, 1e-15);
  // Values equal up to rounding are ties, not leads; variants absent give no rows.
  const tied = [0, 1].flatMap((seed) => [
    point("ttt-discover", seed, 0, 2.6359830849175805),
    point("no-ttt", seed, 0, 2.635983084917581),
  ]);
  assertEquals(pairedGapByStep(tied)[0].methodAhead, 0);
  assertEquals(pairedGapByStep(tied)[0].pPaired, 1);
  assertEquals(summarise(tied, VARIANTS)[1].methodAhead, 0);
  assertEquals(pairedGapByStep(points, { baseline: "best-of-n" }), []);
  // Maximising, the same values mean the baseline is ahead.
  const up = pairedGapByStep(points, { direction: "maximize" });
  assertEquals(up.map((g) => g.methodAhead), [0, 2, 0]);
  assertEquals(up[2].medianGap, 2);
});

Deno.test("compute worth: what more rollouts bought a run at its end, per study and seed; the seeds a paired test needs", () => {
  // no-TTT runs of 12 steps (192 rollouts) improving by 1 a step, then (seed 1) by 0.5 a step.
  const run = (seed: number, rate: number) =>
    Array.from({ length: 12 }, (_, step) => point("no-ttt", seed, step, 100 - rate * step));
  const a = [
    ...run(0, 1),
    ...run(1, 0.5),
    point("ttt-discover", 0, 11, 80),
    point("ttt-discover", 1, 11, 96),
  ];
  const b = [...run(0, 1)]; // a second study reusing seed 0: its own run, not merged with a's
  const [twice, thrice] = computeWorth([a, b], { factors: [2, 3] });
  // x2: the best after 96 rollouts (step 5) against step 11's: 6, 3 and 6.
  assertEquals(twice, { factor: 2, runs: 3, medianGain: 6, meanGain: 5 });
  // x3: step 3 (64 rollouts): 8, 4, 8.
  assertEquals(thrice.medianGain, 8);
  // Maximising, a run that fell is a negative gain.
  assertEquals(computeWorth([b], { factors: [2], direction: "maximize" })[0].medianGain, -6);
  assertThrows(() => computeWorth([a], { factors: [1] }), /above 1/);
  // The method's finals 80 and 96 against no-TTT's 89 and 94.5: ahead by 9, behind by 1.5.
  assertEquals(pairedFinalDifferences(a), [-9, 1.5]);
  assertEquals(pairedFinalDifferences(a, { direction: "maximize" }), [9, -1.5]);
  assertAlmostEquals(sampleSd([-9, 1.5]), 10.5 / Math.SQRT2, 1e-12);
  // (1.96 + 0.84)^2 = 7.85: an effect as large as the spread needs 8 seeds; a tenth of it, 785.
  assertEquals(seedsForPairedTest(1, 1), 8);
  assertEquals(seedsForPairedTest(0.1, 1), 785);
  assertThrows(() => seedsForPairedTest(0, 1), /effect > 0/);
});

Deno.test("runActivity: records a rollout and best-reward gain a rollout over a window of steps", () => {
  const steps = [{ step: 0, bestReward: 1 }, { step: 1, bestReward: 1.5 }, { step: 2, bestReward: 2 }, {
    step: 3,
    bestReward: 2,
  }];
  const attempt = (step: number, reward: number, valid = true) => ({ step, reward, valid });
  const attempts = [
    attempt(0, 0.9), // before the window
    attempt(1, 0.5),
    attempt(1, 1), // ties the best when step 1 began: not a record
    attempt(1, 1.5), // a record
    attempt(2, 2), // a record over 1.5
    attempt(2, 5, false), // invalid: never a record
    attempt(3, 2),
    attempt(3, 1),
  ];
  const a = runActivity(steps, attempts, 1);
  assertEquals(a.rollouts, 7);
  assertAlmostEquals(a.recordRate, 2 / 7, 1e-15);
  assertAlmostEquals(a.gainPerRollout, (2 - 1) / 7, 1e-15);
  const late = runActivity(steps, attempts, 3);
  assertEquals([late.rollouts, late.recordRate, late.gainPerRollout], [2, 0, 0]);
  assertThrows(() => runActivity(steps, attempts, 0), /from must be a step >= 1/);
  assertThrows(() => runActivity(steps, attempts, 4), /no steps 3\.\.4/);
});

Deno.test("policyConditioning: spread across states, and how far training moved the mean", () => {
  assertEquals(totalVariation([0.5, 0.5], [1, 0]), 0.5);
  assertThrows(() => totalVariation([1], [0.5, 0.5]), /over 1 and 2 choices/);
  // A bandit: the same trained distribution on every state, moved from a uniform start.
  const bandit = policyConditioning([
    { trained: [0.9, 0.1], initial: [0.5, 0.5] },
    { trained: [0.9, 0.1], initial: [0.5, 0.5] },
  ]);
  assertEquals([bandit.states, bandit.trainedSpread, bandit.initialSpread], [2, 0, 0]);
  assertAlmostEquals(bandit.moved, 0.4, 1e-12);
  // A policy that learned when: opposite choices on two states, the same mean as its start.
  const conditioned = policyConditioning([
    { trained: [1, 0], initial: [0.5, 0.5] },
    { trained: [0, 1], initial: [0.5, 0.5] },
  ]);
  assertEquals([conditioned.trainedSpread, conditioned.trainedMaxSpread, conditioned.moved], [0.5, 0.5, 0]);
  assertEquals(conditioned.trainedMean, [0.5, 0.5]);
  assertThrows(() => policyConditioning([]), /at least one state/);
});
