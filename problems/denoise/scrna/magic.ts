/**
 * MAGIC (van Dijk et al. 2018) as the OpenProblems v1 wrapper runs it: library-size
 * normalisation and sqrt (or the reversed order), PCA to 100 components (uncentred
 * truncated SVD, as graphtools does for sparse input), alpha-decay kNN graph with
 * knn = 5, knn_max = 15, decay = 1, Markov matrix, t = 3; the "exact" solver diffuses
 * every gene, the "approximate" one diffuses the PCA scores and maps them back;
 * then the transform and the library size are undone.
 */
import { Rng } from "../../../lib/rng.ts";
import type { Csr, Dense } from "./matrix.ts";
import { matmul, transposeDense } from "./matrix.ts";
import { alphaDecayKernel, diffuse, markov } from "./diffusion.ts";
import { scores, truncatedSvd } from "./linalg.ts";
import { denormalise, normalise, type NormOrder, type Transform } from "./transform.ts";

export interface MagicOptions {
  readonly solver?: "exact" | "approximate";
  readonly normOrder?: NormOrder;
  readonly transform?: Transform;
  readonly knn?: number;
  readonly knnMax?: number;
  readonly decay?: number | null;
  readonly t?: number;
  readonly nPca?: number;
  /** Seeds the randomized SVD (used above EXACT_SVD_LIMIT cells and genes). */
  readonly seed?: number;
}

export const MAGIC_DEFAULTS = {
  solver: "exact",
  normOrder: "standard",
  transform: "sqrt",
  knn: 5,
  knnMax: 15,
  decay: 1,
  t: 3,
  nPca: 100,
  seed: 0,
} as const;

/** Denoised counts (cells x genes) from training counts. */
export function magic(train: Csr, options: MagicOptions = {}): Dense {
  const o = { ...MAGIC_DEFAULTS, ...options };
  const norm = normalise(train, o.transform, o.normOrder);
  const x = norm.values;
  // graphtools skips PCA when there are no more genes than components.
  const usePca = x.cols > o.nPca;
  const svd = usePca ? truncatedSvd(x, o.nPca, { rng: new Rng(o.seed) }) : null;
  const coords = svd ? scores(svd, o.nPca) : x;
  const p = markov(alphaDecayKernel(coords, { knn: o.knn, knnMax: o.knnMax, decay: o.decay }));
  let y: Dense;
  if (o.solver === "approximate" && svd) {
    y = matmul(diffuse(p, coords, o.t), transposeDense(svd.v));
  } else {
    y = diffuse(p, x, o.t);
  }
  return denormalise(y, norm);
}

/** OpenProblems' "KNN smoothing" baseline: MAGIC with log1p, a binary kNN graph and t = 1. */
export function knnNaive(train: Csr): Dense {
  return magic(train, { transform: "log1p", decay: null, t: 1 });
}
