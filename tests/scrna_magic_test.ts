import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { loadCountsSync } from "../problems/denoise/scrna/load.ts";
import { alra, chooseK } from "../problems/denoise/scrna/alra.ts";
import { knnSmoothing } from "../problems/denoise/scrna/knn_smoothing.ts";
import { knnNaive, magic } from "../problems/denoise/scrna/magic.ts";
import { baselines, denoisedProblem, score } from "../problems/denoise/scrna/metrics.ts";
import { csrRowSums, toDense } from "../problems/denoise/scrna/matrix.ts";
import { mcvSplit } from "../problems/denoise/scrna/split.ts";

const pbmc = mcvSplit(loadCountsSync("data/scrna/pbmc_sctransform"), { seed: 0 });
const reference = baselines(pbmc.train, pbmc.test);
const small = mcvSplit(loadCountsSync("data/scrna/pbmc_small"), { seed: 0 });

Deno.test("MAGIC reversed on pbmc_sctransform lands near mse_norm 0.18, poisson_norm 0.97", () => {
  for (const solver of ["exact", "approximate"] as const) {
    const s = score(pbmc.train, pbmc.test, magic(pbmc.train, { solver, normOrder: "reversed" }), reference);
    assertAlmostEquals(s.mseNorm, 0.18, 0.01, `${solver}: mse_norm ${s.mseNorm}`);
    assertAlmostEquals(s.poissonNorm, 0.97, 0.01, `${solver}: poisson_norm ${s.poissonNorm}`);
  }
  // The standard order denoises the MSE a little more but fails the Poisson rule by far.
  const standard = score(pbmc.train, pbmc.test, magic(pbmc.train), reference);
  assert(standard.mseNorm > 0.15 && standard.poissonNorm < 0.6, JSON.stringify(standard));
});

Deno.test("MAGIC and the binary-kNN baseline give valid count matrices that keep every cell", () => {
  for (const y of [magic(small.train, { t: 1 }), knnNaive(small.train)]) {
    assertEquals(denoisedProblem(small.train, y), null);
    assertEquals([y.rows, y.cols], [small.train.rows, small.train.cols]);
    const totals = csrRowSums(small.train);
    for (let i = 0; i < y.rows; i++) {
      let s = 0;
      for (let j = 0; j < y.cols; j++) s += y.data[i * y.cols + j];
      assert(totals[i] === 0 || s > 0, `cell ${i} lost all its counts`);
    }
  }
});

Deno.test("ALRA: chooseK finds the signal gap; observed non-zeros survive completion", () => {
  const s = Float64Array.from({ length: 100 }, (_, i) => (i < 7 ? 100 - 10 * i : 10 - 0.01 * i));
  assertEquals(chooseK(s), 7);
  const y = alra(small.train);
  assertEquals(denoisedProblem(small.train, y), null);
  const x = toDense(small.train);
  for (let k = 0; k < x.data.length; k++) if (x.data[k] > 0) assert(y.data[k] > 0, `entry ${k} was zeroed`);
});

Deno.test("kNN smoothing (k = 10): each cell becomes the sum of itself and 10 neighbours' counts", () => {
  const y = knnSmoothing(small.train);
  assertEquals(denoisedProblem(small.train, y), null);
  const own = csrRowSums(small.train);
  for (let i = 0; i < y.rows; i++) {
    let s = 0;
    for (let j = 0; j < y.cols; j++) s += y.data[i * y.cols + j];
    assert(s >= own[i], `cell ${i}: smoothed total ${s} below its own ${own[i]}`);
  }
  const total = own.reduce((a, b) => a + b, 0);
  const smoothed = y.data.reduce((a, b) => a + b, 0);
  assertAlmostEquals(smoothed / total, 11, 3);
});
