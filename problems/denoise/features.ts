/** What the built-in policy sees of a pipeline: its parameters and scores, each O(1). */
import type { Evaluation } from "../../lib/problem.ts";
import { TRANSFORMS } from "./scrna/transform.ts";
import type { DenoiseState } from "./state.ts";

export const FEATURE_NAMES = [
  ...TRANSFORMS.map((t) => `transform=${t}`),
  "order reversed",
  "scale median",
  "pca/100",
  "knn/15",
  "log2(decay)/6",
  "t/8",
  "selfLoop/2",
  "mix",
  "rank/100",
  "shrink/2",
  "mse_norm",
  "(poisson_norm-0.97)*10, clipped",
] as const;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function denoiseFeatures(state: DenoiseState, evaluation: Evaluation): number[] {
  const p = state.pipeline;
  const d = evaluation.details as { mseNorm?: number; poissonNorm?: number } | undefined;
  const mseNorm = typeof d?.mseNorm === "number" && Number.isFinite(d.mseNorm) ? d.mseNorm : 0;
  const poissonNorm = typeof d?.poissonNorm === "number" && Number.isFinite(d.poissonNorm)
    ? d.poissonNorm
    : 0.97;
  return [
    ...TRANSFORMS.map((t) => (p.transform === t ? 1 : 0)),
    p.order === "reversed" ? 1 : 0,
    p.scale === "median" ? 1 : 0,
    p.pca / 100,
    p.knn / 15,
    Math.log2(p.decay) / 6,
    p.t / 8,
    p.selfLoop / 2,
    p.mix,
    p.rank / 100,
    p.shrink / 2,
    clip(mseNorm, -1, 1),
    clip((poissonNorm - 0.97) * 10, -1, 1),
  ];
}
