/** What the built-in policy sees of a TriMul state: its template parameters and its speed-up. */
import type { Evaluation } from "../../lib/problem.ts";
import type { TriMulState } from "./state.ts";

export const FEATURE_NAMES = [
  "baseline template",
  "tile positions / 8",
  "tile columns / 64",
  "double accumulation",
  "gates fused",
  "einsum order ikjd",
  "einsum block / 4",
  "out stage fused",
  "fast sigmoid",
  "threads - 1",
  "log2(speed-up) / 4",
] as const;

export function trimulFeatures(state: TriMulState, evaluation: Evaluation): number[] {
  const speed = evaluation.valid && evaluation.value !== null && evaluation.value > 0 ? evaluation.value : 1;
  const tail = Math.max(-1, Math.min(2, Math.log2(speed) / 4));
  if (state.kernel.template !== "tiled") return [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, tail];
  const p = state.kernel.params;
  return [
    0,
    p.tilePositions / 8,
    p.tileColumns / 64,
    Number(p.accumulate === "double"),
    Number(p.fuseGates),
    Number(p.einsumOrder === "ikjd"),
    p.einsumBlock / 4,
    Number(p.fuseOut),
    Number(p.sigmoid === "fast"),
    p.threads - 1,
    tail,
  ];
}
