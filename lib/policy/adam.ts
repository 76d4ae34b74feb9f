/** Adam with bias correction over one flat parameter vector, as Tinker's optim_step does it. */
import type { AdamParams } from "./policy.ts";

export interface AdamState {
  /** Number of steps taken (the t in the bias corrections 1 - beta^t). */
  step: number;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

export function createAdamState(size: number): AdamState {
  return { step: 0, m: new Float64Array(size), v: new Float64Array(size) };
}

/** Euclidean norm of a vector. */
export function l2Norm(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/**
 * Updates `params` in place from `grads` (which it leaves untouched) and advances the
 * moments. Returns the gradient norm, which the loop logs.
 */
export function adamStep(
  params: Float64Array,
  grads: Float64Array,
  state: AdamState,
  adam: AdamParams,
): number {
  const { learningRate, beta1, beta2, eps } = adam;
  state.step += 1;
  const correction1 = 1 - beta1 ** state.step;
  const correction2 = 1 - beta2 ** state.step;
  const { m, v } = state;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    params[i] -= learningRate * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + eps);
  }
  return l2Norm(grads);
}
