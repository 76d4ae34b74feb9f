/**
 * The denoising pipelines the search explores: a generalisation of MAGIC with one
 * knob per stage. MAGIC "reversed" is the point {sqrt, reversed, unit, pca 100,
 * knn 5, decay 1, t 3, no self-loops, no mixing, no refinement}.
 */
import { z } from "zod";
import { Rng } from "../../lib/rng.ts";
import { addSelfLoops, alphaDecayKernel, markov } from "./scrna/diffusion.ts";
import { scores, type Svd, truncatedSvd } from "./scrna/linalg.ts";
import { type Csr, type Dense, dense, matmul } from "./scrna/matrix.ts";
import {
  denormalise,
  LIBRARY_SCALES,
  NORM_ORDERS,
  normalise,
  type Normalised,
  TRANSFORMS,
} from "./scrna/transform.ts";

/** The largest PCA size a pipeline may ask for; the cached SVD keeps this many components. */
export const MAX_PCA = 100;

export const PipelineSchema = z.object({
  transform: z.enum(TRANSFORMS),
  order: z.enum(NORM_ORDERS),
  scale: z.enum(LIBRARY_SCALES),
  pca: z.number().int().min(2).max(MAX_PCA),
  /** Bandwidth neighbour; the search reaches out to 3·knn neighbours as MAGIC does. */
  knn: z.number().int().min(1).max(50),
  decay: z.number().positive().max(100),
  t: z.number().int().min(1).max(20),
  /** Self-loop weight, in units of each cell's total kernel weight (0 = MAGIC). */
  selfLoop: z.number().min(0).max(10),
  /** 0 = Pᵗ X; 1 = the mean of P¹X .. PᵗX (multi-scale). */
  mix: z.number().min(0).max(1),
  /** Project the diffused matrix on the data's top `rank` principal axes (0 = off). */
  rank: z.number().int().min(0).max(MAX_PCA),
  /** Component c of the refinement is weighted by (s_c / s_1)^shrink. */
  shrink: z.number().min(0).max(4),
}).strict();

export type Pipeline = z.infer<typeof PipelineSchema>;

export const MAGIC_REVERSED: Pipeline = {
  transform: "sqrt",
  order: "reversed",
  scale: "unit",
  pca: 100,
  knn: 5,
  decay: 1,
  t: 3,
  selfLoop: 0,
  mix: 0,
  rank: 0,
  shrink: 0,
};

/** What one normalisation of one training matrix costs to prepare; reused across pipelines. */
export interface Prepared {
  readonly norm: Normalised;
  readonly svd: Svd | null;
}

export function prepare(train: Csr, p: Pick<Pipeline, "transform" | "order" | "scale">): Prepared {
  const norm = normalise(train, p.transform, p.order, p.scale);
  const k = Math.min(MAX_PCA, norm.values.rows, norm.values.cols);
  const svd = norm.values.cols > 2 ? truncatedSvd(norm.values, k, { rng: new Rng(0) }) : null;
  return { norm, svd };
}

/** Runs a pipeline; `prepared` must come from prepare(train, pipeline). Returns counts. */
export function runPipeline(prepared: Prepared, p: Pipeline): Dense {
  const { norm, svd } = prepared;
  const x = norm.values;
  // Like graphtools: no PCA when there are no more genes than components.
  const coords = svd && x.cols > p.pca ? scores(svd, p.pca) : x;
  const kernel = alphaDecayKernel(coords, { knn: p.knn, knnMax: 3 * p.knn, decay: p.decay });
  const walk = markov(addSelfLoops(kernel, p.selfLoop));
  let z = x;
  let y = dense(x.rows, x.cols);
  for (let s = 1; s <= p.t; s++) {
    z = matmul(walk, z);
    const w = (s === p.t ? 1 - p.mix : 0) + p.mix / p.t;
    if (w !== 0) { for (let i = 0; i < y.data.length; i++) y.data[i] += w * z.data[i]; }
  }
  if (p.rank > 0 && svd) y = refine(y, svd, p.rank, p.shrink);
  return denormalise(y, norm);
}

/** Y · V_r · diag((s_c / s_1)^shrink) · V_rᵀ. */
function refine(y: Dense, svd: Svd, rank: number, shrink: number): Dense {
  const full = svd.s.length, r = Math.min(rank, full), g = svd.v.rows;
  const vr = dense(g, r), vw = dense(r, g);
  for (let j = 0; j < g; j++) {
    for (let c = 0; c < r; c++) {
      const v = svd.v.data[j * full + c];
      vr.data[j * r + c] = v;
      vw.data[c * g + j] = v * Math.pow(svd.s[c] / svd.s[0], shrink);
    }
  }
  return matmul(matmul(y, vr), vw);
}
