/**
 * The float64 reference in TypeScript, its inputs (normal or Cauchy) and the
 * tolerance check. The timing harness has its own reference in C (c/reference.c) for
 * speed; tests check the two agree on small shapes, and this one against a direct
 * per-element computation.
 */
import type { Rng } from "../../lib/rng.ts";
import type { Shape } from "./shapes.ts";

/** Absolute and relative tolerance of the GPU MODE task: |out - ref| <= ATOL + RTOL |ref|. */
export const ATOL = 2e-2;
export const RTOL = 2e-2;
export const LAYERNORM_EPS = 1e-5;

export type Distribution = "normal" | "cauchy";

/** Inputs of one call; weights in PyTorch's Linear layout [out][in]. */
export interface TriMulInputs {
  readonly shape: Shape;
  readonly x: Float32Array; // [B][N][N][C]
  readonly mask: Float32Array; // [B][N][N], 0 or 1
  readonly normW: Float32Array; // [C]
  readonly normB: Float32Array; // [C]
  readonly wLeft: Float32Array; // [H][C]
  readonly wRight: Float32Array;
  readonly wLeftGate: Float32Array;
  readonly wRightGate: Float32Array;
  readonly wOutGate: Float32Array;
  readonly outNormW: Float32Array; // [H]
  readonly outNormB: Float32Array; // [H]
  readonly wToOut: Float32Array; // [C][H]
}

/** Same distributions as the C harness (not the same stream): x ~ N(0,1) or Cauchy(0,2), mask P(1) = 0.8,
 * weights randn/sqrt(fan-in), LayerNorm scales 1 + 0.1 randn and shifts 0.1 randn. */
export function randomInputs(shape: Shape, rng: Rng, distribution: Distribution = "normal"): TriMulInputs {
  const { B, N, C, H } = shape;
  const P = B * N * N;
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const cauchy = () => 2 * Math.tan(Math.PI * (rng.next() - 0.5));
  return {
    shape,
    x: fill(P * C, distribution === "cauchy" ? cauchy : () => rng.normal()),
    mask: fill(P, () => (rng.next() < 0.8 ? 1 : 0)),
    normW: fill(C, () => 1 + 0.1 * rng.normal()),
    normB: fill(C, () => 0.1 * rng.normal()),
    wLeft: fill(H * C, () => rng.normal() / Math.sqrt(C)),
    wRight: fill(H * C, () => rng.normal() / Math.sqrt(C)),
    wLeftGate: fill(H * C, () => rng.normal() / Math.sqrt(C)),
    wRightGate: fill(H * C, () => rng.normal() / Math.sqrt(C)),
    wOutGate: fill(H * C, () => rng.normal() / Math.sqrt(C)),
    outNormW: fill(H, () => 1 + 0.1 * rng.normal()),
    outNormB: fill(H, () => 0.1 * rng.normal()),
    wToOut: fill(C * H, () => rng.normal() / Math.sqrt(H)),
  };
}

function layerNorm(v: Float64Array, w: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (v[i] - mean) ** 2;
  variance /= n;
  const inv = 1 / Math.sqrt(variance + LAYERNORM_EPS);
  return v.map((value, i) => (value - mean) * inv * w[i] + b[i]);
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** y[h] = sum_c W[h][c] v[c] (bias-free Linear). */
function linear(v: Float64Array, w: Float32Array, outDim: number): Float64Array {
  const inDim = v.length;
  const y = new Float64Array(outDim);
  for (let h = 0; h < outDim; h++) {
    let s = 0;
    for (let c = 0; c < inDim; c++) s += w[h * inDim + c] * v[c];
    y[h] = s;
  }
  return y;
}

/** TriMul in float64: the output [B][N][N][C]. */
export function trimulReference(inputs: TriMulInputs): Float64Array {
  const { B, N, C, H } = inputs.shape;
  const P = B * N * N;
  const left = new Float64Array(P * H), right = new Float64Array(P * H), gate = new Float64Array(P * H);
  for (let p = 0; p < P; p++) {
    const xn = layerNorm(
      Float64Array.from(inputs.x.subarray(p * C, (p + 1) * C)),
      inputs.normW,
      inputs.normB,
    );
    const l = linear(xn, inputs.wLeft, H), r = linear(xn, inputs.wRight, H);
    const lg = linear(xn, inputs.wLeftGate, H), rg = linear(xn, inputs.wRightGate, H);
    const og = linear(xn, inputs.wOutGate, H);
    const m = inputs.mask[p];
    for (let h = 0; h < H; h++) {
      left[p * H + h] = l[h] * m * sigmoid(lg[h]);
      right[p * H + h] = r[h] * m * sigmoid(rg[h]);
      gate[p * H + h] = sigmoid(og[h]);
    }
  }
  const out = new Float64Array(P * C);
  const e = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        e.fill(0);
        for (let k = 0; k < N; k++) {
          const li = ((b * N + i) * N + k) * H, rj = ((b * N + j) * N + k) * H;
          for (let d = 0; d < H; d++) e[d] += left[li + d] * right[rj + d];
        }
        const p = (b * N + i) * N + j;
        const y = layerNorm(e, inputs.outNormW, inputs.outNormB);
        for (let d = 0; d < H; d++) y[d] *= gate[p * H + d];
        out.set(linear(y, inputs.wToOut, C), p * C);
      }
    }
  }
  return out;
}

export interface ToleranceResult {
  readonly ok: boolean;
  /** max |out - ref| / (ATOL + RTOL |ref|); Infinity for NaN or infinite outputs. */
  readonly worst: number;
  /** Elements out of tolerance, and the first of them (-1 if none). */
  readonly failures: number;
  readonly firstFailure: number;
}

/** Every element within ATOL + RTOL |ref| of the reference (the GPU MODE rule). */
export function checkTolerance(out: ArrayLike<number>, ref: ArrayLike<number>): ToleranceResult {
  if (out.length !== ref.length) throw new Error(`output has ${out.length} elements, expected ${ref.length}`);
  let worst = 0, failures = 0, firstFailure = -1;
  for (let i = 0; i < out.length; i++) {
    const err = Math.abs(out[i] - ref[i]);
    const ratio = Number.isFinite(err) ? err / (ATOL + RTOL * Math.abs(ref[i])) : Infinity;
    if (!(ratio <= 1)) {
      failures++;
      if (firstFailure < 0) firstFailure = i;
    }
    if (!(ratio <= worst)) worst = ratio;
  }
  return { ok: failures === 0, worst, failures, firstFailure };
}
