/**
 * A Splatter-style count simulator (Zappia, Phipson & Oshlack 2017), without
 * outliers, batches or dropout: gene means ~ Gamma(shape, rate); cell groups with
 * log-normal differential-expression factors; library sizes ~ log-normal; cell
 * means rescaled to the library size; biological variation by a Gamma with BCV =
 * (bcvCommon + 1/sqrt(μ)) · sqrt(df / χ²_df); counts ~ Poisson. The Gamma-mixed
 * means are the truth a denoiser should recover.
 */
import { z } from "zod";
import { Rng } from "../../../lib/rng.ts";
import type { CountDataset } from "./dataset.ts";
import { type Dense, dense } from "./matrix.ts";
import { chiSquared, gamma, poisson } from "./random.ts";

export const SimulationSchema = z.object({
  cells: z.number().int().min(2).max(200_000).default(500),
  genes: z.number().int().min(2).max(50_000).default(1000),
  groups: z.number().int().min(1).max(50).default(4),
  meanShape: z.number().positive().default(0.6),
  meanRate: z.number().positive().default(0.3),
  /** log-normal library size: location and scale of log(total counts). */
  libLoc: z.number().default(8),
  libScale: z.number().nonnegative().default(0.3),
  deProb: z.number().min(0).max(1).default(0.1),
  deDownProb: z.number().min(0).max(1).default(0.5),
  deFacLoc: z.number().default(0.5),
  deFacScale: z.number().nonnegative().default(0.4),
  bcvCommon: z.number().nonnegative().default(0.1),
  bcvDf: z.number().positive().default(60),
  seed: z.number().int().min(0).default(0),
  /** Keep the cells x genes truth (8 bytes per entry). */
  keepTruth: z.boolean().default(true),
}).strict();

export type SimulationOptions = z.input<typeof SimulationSchema>;

export interface Simulation {
  readonly dataset: CountDataset;
  /** Expected counts after biological variation, before Poisson sampling (cells x genes). */
  readonly truth: Dense | null;
  readonly group: Int32Array;
  readonly libSize: Float64Array;
  readonly geneMean: Float64Array;
}

function logNormal(rng: Rng, loc: number, scale: number): number {
  return Math.exp(loc + scale * rng.normal());
}

export function simulate(options: SimulationOptions = {}): Simulation {
  const o = SimulationSchema.parse(options);
  const rng = new Rng(o.seed);
  const n = o.cells, g = o.genes;
  const geneMean = Float64Array.from({ length: g }, () => gamma(rng, o.meanShape, 1 / o.meanRate));
  const deFactor = Array.from({ length: o.groups }, () =>
    Float64Array.from({ length: g }, () => {
      if (rng.next() >= o.deProb) return 1;
      const f = logNormal(rng, o.deFacLoc, o.deFacScale);
      return rng.next() < o.deDownProb ? 1 / f : f;
    }));
  const group = Int32Array.from({ length: n }, () => rng.int(o.groups));
  const libSize = Float64Array.from({ length: n }, () => logNormal(rng, o.libLoc, o.libScale));
  const bcvScale = Float64Array.from({ length: g }, () => Math.sqrt(o.bcvDf / chiSquared(rng, o.bcvDf)));
  const truth = o.keepTruth ? dense(n, g) : null;
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const mu = new Float64Array(g);
  for (let i = 0; i < n; i++) {
    const de = deFactor[group[i]];
    let total = 0;
    for (let j = 0; j < g; j++) total += mu[j] = geneMean[j] * de[j];
    for (let j = 0; j < g; j++) {
      const m = (mu[j] * libSize[i]) / total;
      const bcv = (o.bcvCommon + 1 / Math.sqrt(m)) * bcvScale[j];
      const shape = 1 / (bcv * bcv);
      const lambda = m > 0 ? gamma(rng, shape, m / shape) : 0;
      if (truth) truth.data[i * g + j] = lambda;
      const count = poisson(rng, lambda);
      if (count > 0) {
        indices.push(j);
        values.push(count);
      }
    }
    indptr[i + 1] = indices.length;
  }
  const counts = {
    rows: n,
    cols: g,
    indptr,
    indices: Int32Array.from(indices),
    data: Float64Array.from(values),
  };
  const dataset: CountDataset = {
    counts,
    genes: Array.from({ length: g }, (_, j) => `Gene${j + 1}`),
    cells: Array.from({ length: n }, (_, i) => `Cell${i + 1}`),
    source: `splatter-style simulation (${JSON.stringify(o)})`,
  };
  return { dataset, truth, group, libSize, geneMean };
}
