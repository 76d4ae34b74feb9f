import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { Rng } from "../lib/rng.ts";
import { binomial, gamma, logGamma, poisson } from "../problems/denoise/scrna/random.ts";
import { csrRowSums } from "../problems/denoise/scrna/matrix.ts";
import { simulate } from "../problems/denoise/scrna/simulate.ts";

function moments(draw: () => number, n: number) {
  let s = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    ss += x * x;
  }
  const mean = s / n;
  return { mean, variance: ss / n - mean * mean };
}

Deno.test("samplers: binomial, Poisson (both regimes) and gamma moments", () => {
  const rng = new Rng(11);
  const n = 40_000;
  const b = moments(() => binomial(rng, 37, 0.9), n);
  assertAlmostEquals(b.mean, 33.3, 0.05);
  assertAlmostEquals(b.variance, 37 * 0.9 * 0.1, 0.15);
  for (const lambda of [3, 50]) {
    const p = moments(() => poisson(rng, lambda), n);
    assertAlmostEquals(p.mean, lambda, 0.02 * lambda + 0.03);
    assertAlmostEquals(p.variance, lambda, 0.05 * lambda + 0.05);
  }
  const g = moments(() => gamma(rng, 0.6, 1 / 0.3), n);
  assertAlmostEquals(g.mean, 2, 0.06);
  assertAlmostEquals(g.variance, 0.6 / 0.09, 0.5);
  assertAlmostEquals(logGamma(10), Math.log(362880), 1e-12);
  assertEquals([binomial(rng, 0, 0.5), binomial(rng, 9, 1), poisson(rng, 0)], [0, 9, 0]);
});

Deno.test("simulator: seeded, library sizes log-normal, counts Poisson around the truth", () => {
  const a = simulate({ cells: 400, genes: 300, seed: 5 });
  const b = simulate({ cells: 400, genes: 300, seed: 5 });
  assertEquals(a.dataset.counts, b.dataset.counts);
  const { counts } = a.dataset;
  assertEquals([counts.rows, counts.cols], [400, 300]);
  // log library sizes: location 8, scale 0.3.
  const logLib = Array.from(a.libSize, Math.log);
  const mean = logLib.reduce((s, x) => s + x, 0) / logLib.length;
  const sd = Math.sqrt(logLib.reduce((s, x) => s + (x - mean) ** 2, 0) / logLib.length);
  assertAlmostEquals(mean, 8, 0.06);
  assertAlmostEquals(sd, 0.3, 0.04);
  // Cell totals follow the library sizes (Gamma and Poisson noise average out over genes).
  const totals = csrRowSums(counts);
  let rel = 0;
  for (let i = 0; i < totals.length; i++) rel += Math.abs(totals[i] / a.libSize[i] - 1);
  assert(rel / totals.length < 0.1, `mean |total/libSize - 1| = ${rel / totals.length}`);
  // Poisson given the truth: E[count] = truth, Var[count - truth] = truth, summed over entries.
  const truth = a.truth!;
  const dense = new Float64Array(truth.data.length);
  for (let i = 0; i < counts.rows; i++) {
    for (let e = counts.indptr[i]; e < counts.indptr[i + 1]; e++) {
      dense[i * counts.cols + counts.indices[e]] = counts.data[e];
    }
  }
  let sumTruth = 0, sumCounts = 0, sumSq = 0;
  for (let k = 0; k < dense.length; k++) {
    sumTruth += truth.data[k];
    sumCounts += dense[k];
    sumSq += (dense[k] - truth.data[k]) ** 2;
  }
  assertAlmostEquals(sumCounts / sumTruth, 1, 0.01);
  assertAlmostEquals(sumSq / sumTruth, 1, 0.05);
  // Every group is used and there are zeros (sparse, like UMI data).
  assertEquals(new Set(a.group).size, 4);
  assert(counts.data.length < 0.9 * 400 * 300);
});
