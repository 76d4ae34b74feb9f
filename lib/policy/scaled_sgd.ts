/**
 * SGD whose step is proportional to the step's gradient, in units of the run's median gradient
 * norm so far. Adam divides each weight's gradient by its own running scale, so a step carrying one
 * rare large gain moves the policy about as far as a step of small ones, and its large second
 * moment then shrinks the steps after it. Here a step whose gradient is r times the median moves
 * r times as far (at most MAX_STEP_RATIO), and a typical step moves as far as Adam's first (every
 * weight by about the learning rate: lr sqrt(P) in all).
 */
import { l2Norm } from "./adam.ts";

/** The gradient norms of the steps taken so far. */
export interface ScaledSgdState {
  readonly norms: number[];
}

/** A step moves at most this many typical steps' length: one outlier may not wipe the policy out. */
export const MAX_STEP_RATIO = 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

/**
 * Updates `params` in place from `grads` and records the gradient's norm, which it returns. A zero
 * gradient (every group flat) takes no step and is not recorded.
 */
export function scaledSgdStep(
  params: Float64Array,
  grads: Float64Array,
  state: ScaledSgdState,
  learningRate: number,
): number {
  const norm = l2Norm(grads);
  if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}`);
  if (norm === 0) return 0;
  state.norms.push(norm);
  const ratio = Math.min(norm / median(state.norms), MAX_STEP_RATIO);
  const factor = (learningRate * Math.sqrt(params.length) * ratio) / norm;
  for (let i = 0; i < params.length; i++) params[i] -= factor * grads[i];
  return norm;
}
