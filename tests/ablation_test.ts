import { mannWhitneyP, quantile, runAblation, summarise, VARIANTS } from "../lib/ablation.ts";
import { ablationPlot } from "../lib/plot.ts";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";

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
