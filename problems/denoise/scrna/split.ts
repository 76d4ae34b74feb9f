/**
 * Molecular cross-validation (Batson et al. 2019) as OpenProblems v1 splits its
 * denoising datasets: every UMI goes to train with probability 0.9, the rest to
 * test; genes with no training counts are dropped from both.
 */
import { deriveSeed, Rng } from "../../../lib/rng.ts";
import type { CountDataset } from "./dataset.ts";
import { isIntegerCounts } from "./dataset.ts";
import { type Csr, csrColSums, dropZeros, selectColumns } from "./matrix.ts";
import { binomial } from "./random.ts";

export interface McvSplit {
  readonly train: Csr;
  readonly test: Csr;
  /** Names of the genes kept (columns of train and test). */
  readonly genes: readonly string[];
  readonly cells: readonly string[];
  readonly seed: number;
  readonly trainFraction: number;
  readonly source: string;
}

/** Stream label so the split's random numbers never coincide with a run's. */
const SPLIT_STREAM = 0x5c1a;

export function mcvSplit(
  data: CountDataset,
  options: { seed?: number; trainFraction?: number } = {},
): McvSplit {
  const seed = options.seed ?? 0;
  const trainFraction = options.trainFraction ?? 0.9;
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new Error(`trainFraction ${trainFraction} not in (0, 1)`);
  }
  const x = data.counts;
  if (!isIntegerCounts(x)) throw new Error(`${data.source}: molecular cross-validation needs integer counts`);
  const rng = new Rng(deriveSeed(seed, SPLIT_STREAM));
  const trainData = new Float64Array(x.data.length);
  const testData = new Float64Array(x.data.length);
  for (let e = 0; e < x.data.length; e++) {
    const k = binomial(rng, x.data[e], trainFraction);
    trainData[e] = k;
    testData[e] = x.data[e] - k;
  }
  const fullTrain = dropZeros({ ...x, data: trainData });
  const fullTest = dropZeros({ ...x, data: testData });
  const trainTotals = csrColSums(fullTrain);
  const keep = Array.from(trainTotals, (t) => t > 0);
  return {
    train: selectColumns(fullTrain, keep),
    test: selectColumns(fullTest, keep),
    genes: data.genes.filter((_, j) => keep[j]),
    cells: data.cells,
    seed,
    trainFraction,
    source: data.source,
  };
}
