/** The two reference outputs every normalised score is measured between. */
import { type Csr, type Dense, toDense } from "./matrix.ts";

/** No denoising: the training counts themselves (normalised score 0). */
export function noDenoising(train: Csr): Dense {
  return toDense(train);
}

/** Perfect denoising: the held-out test counts (normalised score 1); a cheat, for calibration. */
export function perfectDenoising(test: Csr): Dense {
  return toDense(test);
}
