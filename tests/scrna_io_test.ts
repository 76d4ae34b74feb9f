import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { join } from "node:path";
import type { CountDataset } from "../problems/denoise/scrna/dataset.ts";
import { readH5ad, writeH5ad } from "../problems/denoise/scrna/h5ad.ts";
import { loadCounts, loadCountsSync } from "../problems/denoise/scrna/load.ts";
import { csrFromTriplets, toDense } from "../problems/denoise/scrna/matrix.ts";
import { parseMatrixMarket, readTenx, writeTenx } from "../problems/denoise/scrna/tenx.ts";

// 3 cells x 4 genes with an empty gene and an empty cell.
const tiny: CountDataset = {
  counts: csrFromTriplets(3, 4, [0, 0, 2, 2, 2], [0, 3, 0, 1, 3], [5, 1, 2, 7, 30]),
  genes: ["CD3E", "MS4A1", "EMPTY", "LYZ"],
  cells: ["AAAC-1", "AAAG-1", "AACT-1"],
  source: "tiny",
};

function sameCounts(a: CountDataset, b: CountDataset) {
  assertEquals(Array.from(toDense(a.counts).data), Array.from(toDense(b.counts).data));
  assertEquals([...a.genes], [...b.genes]);
  assertEquals([...a.cells], [...b.cells]);
}

Deno.test("10x folders round-trip, gzipped and plain", () => {
  const dir = Deno.makeTempDirSync({ prefix: "scrna-10x-" });
  try {
    for (const gzip of [true, false]) {
      const folder = join(dir, String(gzip));
      writeTenx(folder, tiny, { gzip });
      sameCounts(readTenx(folder), tiny);
      sameCounts(loadCountsSync(folder), tiny);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the shipped pbmc folders read as documented (genes x cells, nonzeros)", () => {
  const pbmc = loadCountsSync("data/scrna/pbmc_sctransform");
  assertEquals([pbmc.counts.rows, pbmc.counts.cols, pbmc.counts.data.length], [283, 914, 82904]);
  const small = loadCountsSync("data/scrna/pbmc_small");
  assertEquals([small.counts.rows, small.counts.cols, small.counts.data.length], [80, 230, 4456]);
});

Deno.test("Matrix Market parser rejects what it does not understand", () => {
  assertThrows(() => parseMatrixMarket("%%MatrixMarket matrix array real general\n1 1\n1\n"), /coordinate/);
  assertThrows(
    () => parseMatrixMarket("%%MatrixMarket matrix coordinate pattern general\n1 1 1\n1 1\n"),
    /pattern/,
  );
  assertThrows(
    () => parseMatrixMarket("%%MatrixMarket matrix coordinate integer general\n2 2 1\n3 1 4\n"),
    /bad entry/,
  );
  assertThrows(
    () => parseMatrixMarket("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 4\n"),
    /announces/,
  );
  assertThrows(() => loadCountsSync("/nonexistent/folder"), /no such/);
});

Deno.test(".h5ad round-trips dense, CSR and CSC X, and layers['counts']", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "scrna-h5ad-" });
  try {
    for (const layout of ["dense", "csr", "csc"] as const) {
      const path = join(dir, `${layout}.h5ad`);
      writeH5ad(path, tiny, { layout, countsLayer: "counts" });
      sameCounts(readH5ad(path), tiny);
      sameCounts(readH5ad(path, { layer: "counts" }), tiny);
      sameCounts(await loadCounts(path), tiny);
    }
    const noLayer = join(dir, "plain.h5ad");
    writeH5ad(noLayer, tiny);
    sameCounts(await loadCounts(noLayer), tiny); // "auto" falls back to X
    assertThrows(() => readH5ad(noLayer, { layer: "counts" }), /no "layers\/counts"/);
    assertThrows(() => loadCountsSync(noLayer), /async/);
    await assertRejects(() => loadCounts(join(dir, "missing.h5ad")));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
