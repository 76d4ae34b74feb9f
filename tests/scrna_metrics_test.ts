import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { csrFromTriplets, dense, toDense } from "../problems/denoise/scrna/matrix.ts";
import { baselines, denoisedProblem, mse, poisson, score } from "../problems/denoise/scrna/metrics.ts";
import { mcvSplit } from "../problems/denoise/scrna/split.ts";
import { loadCountsSync } from "../problems/denoise/scrna/load.ts";
import { noDenoising, perfectDenoising } from "../problems/denoise/scrna/baselines.ts";

const csr = (rows: number[][]) => {
  const r: number[] = [], c: number[] = [], v: number[] = [];
  rows.forEach((row, i) => row.forEach((x, j) => x !== 0 && (r.push(i), c.push(j), v.push(x))));
  return csrFromTriplets(rows.length, rows[0].length, r, c, v);
};

const train = csr([[2, 0], [0, 2]]);
const test = csr([[1, 0], [0, 2]]);
const ones = dense(2, 2, Float64Array.from([1, 1, 1, 1]));

Deno.test("mse: cells to 10,000 counts, log1p, mean squared error (hand-computed)", () => {
  const a = Math.log(10001), b = Math.log(5001);
  assertAlmostEquals(mse(test, ones), ((a - b) ** 2 + b ** 2) / 2, 1e-12);
  assertEquals(mse(test, test), 0);
  // An all-zero cell stays zero (scanpy divides by 1 there).
  assertAlmostEquals(mse(csr([[0, 0], [0, 1]]), csr([[0, 0], [0, 3]])), 0, 1e-15);
});

Deno.test("poisson v1 (swapped arguments) and v2 (fixed), hand-computed", () => {
  const e = 1e-6, s = 3 / 4; // sum(test) / sum(train)
  const v1 = (1 - s * Math.log(1 + e) + (0 - s * Math.log(e)) * 2 + 2 - s * Math.log(2 + e)) / 4;
  assertAlmostEquals(poisson(train, test, ones, "v1"), v1, 1e-12);
  const v2 = (s - Math.log(s + e) + 2 * s + s - 2 * Math.log(s + e)) / 4;
  assertAlmostEquals(poisson(train, test, ones, "v2"), v2, 1e-12);
  assertAlmostEquals(poisson(train, test, ones), v1, 0, "v1 is the default");
});

Deno.test("no denoising scores 0 and perfect scores 1, on pbmc_sctransform", () => {
  const split = mcvSplit(loadCountsSync("data/scrna/pbmc_sctransform"), { seed: 0 });
  const ref = baselines(split.train, split.test);
  for (const version of ["v1", "v2"] as const) {
    const r = baselines(split.train, split.test, version);
    const none = score(split.train, split.test, noDenoising(split.train), r);
    const perfect = score(split.train, split.test, perfectDenoising(split.test), r);
    assertEquals([none.mseNorm, none.poissonNorm, none.score], [0, 0, 0]);
    assertEquals([perfect.mseNorm, perfect.poissonNorm, perfect.score], [1, 1, 1]);
  }
  assert(ref.noneMse > ref.perfectMse && ref.nonePoisson > ref.perfectPoisson);
});

Deno.test("the MCV split: train + test = X, genes without training counts dropped, seeded", () => {
  const data = loadCountsSync("data/scrna/pbmc_small");
  const a = mcvSplit(data, { seed: 3 }), b = mcvSplit(data, { seed: 3 }), c = mcvSplit(data, { seed: 4 });
  assertEquals(a.train, b.train);
  assert(JSON.stringify(Array.from(a.train.data)) !== JSON.stringify(Array.from(c.train.data)));
  const full = toDense(data.counts);
  const keptIdx = a.genes.map((g) => data.genes.indexOf(g));
  const tr = toDense(a.train), te = toDense(a.test);
  let trainTotal = 0, total = 0;
  for (let i = 0; i < tr.rows; i++) {
    for (let j = 0; j < tr.cols; j++) {
      assertEquals(
        tr.data[i * tr.cols + j] + te.data[i * te.cols + j],
        full.data[i * full.cols + keptIdx[j]],
      );
      trainTotal += tr.data[i * tr.cols + j];
      total += full.data[i * full.cols + keptIdx[j]];
    }
  }
  assertAlmostEquals(trainTotal / total, 0.9, 0.02);
  const colTotals = new Float64Array(tr.cols);
  for (let e = 0; e < a.train.data.length; e++) colTotals[a.train.indices[e]] += a.train.data[e];
  assert(colTotals.every((t) => t > 0), "every kept gene has training counts");
  assertThrows(
    () => mcvSplit({ ...data, counts: { ...data.counts, data: data.counts.data.map((x) => x + 0.5) } }),
    /integer/,
  );
});

Deno.test("denoisedProblem names NaN, infinite, negative, absurd and misshapen outputs", () => {
  const m = (values: number[]) => dense(2, 2, Float64Array.from(values));
  assertEquals(denoisedProblem(train, m([1, 2, 3, 4])), null);
  assert(/NaN/.test(denoisedProblem(train, m([1, NaN, 3, 4]))!));
  assert(/Infinity/.test(denoisedProblem(train, m([1, Infinity, 3, 4]))!));
  assert(/negative/.test(denoisedProblem(train, m([1, -1e-9, 3, 4]))!));
  assert(/absurd/.test(denoisedProblem(train, m([1, 1e13, 3, 4]))!));
  assert(/absurd/.test(denoisedProblem(train, m([0, 0, 0, 0]))!));
  assert(/shape/.test(denoisedProblem(train, dense(2, 3))!));
});
