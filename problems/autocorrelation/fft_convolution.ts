/**
 * Autoconvolution of a real sequence by FFT, with the adjoint needed for gradients.
 *
 *   convolve:  c_k = sum_i a_i a_{k-i},  k = 0..2n-2           (full, linear: size >= 2n - 1)
 *   correlate: g_j = sum_k w_k a_{k-j},  j = 0..n-1            (= (1/2) d/da_j of sum_k w_k c_k)
 *
 * Both reuse the spectrum of a kept from the last `convolve`, so a gradient costs one
 * more real FFT and one inverse. Rounding: the error of every c_k is about
 * eps * log2(size) * sum_i a_i^2, i.e. relative 1e-15 of max c for non-negative a.
 */
import FFT from "fft.js";

/** Smallest power of two >= m (at least 4, which fft.js requires). */
export function fftSize(m: number): number {
  let size = 4;
  while (size < m) size *= 2;
  return size;
}

/** Reusable buffers for one length n: no allocation per call. */
export class AutoconvolutionPlan {
  readonly n: number;
  readonly size: number;
  private readonly fft: FFT;
  private readonly padded: Float64Array;
  /** Half spectrum of the last convolved sequence (complex interleaved; entries 0..size/2 valid). */
  private readonly spectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly result: Float64Array;

  constructor(n: number) {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`autoconvolution length must be >= 1, got ${n}`);
    this.n = n;
    this.size = fftSize(2 * n - 1);
    this.fft = new FFT(this.size);
    this.padded = new Float64Array(this.size);
    this.spectrum = new Float64Array(2 * this.size);
    this.work = new Float64Array(2 * this.size);
    this.result = new Float64Array(2 * this.size);
  }

  /** Fills out[k] = (a * a)_k for k = 0..2n-2 and keeps the spectrum of a. */
  convolve(a: ArrayLike<number>, out: Float64Array): void {
    const { n, size, padded, spectrum, work } = this;
    if (a.length !== n) throw new Error(`plan is for length ${n}, got ${a.length}`);
    for (let i = 0; i < n; i++) padded[i] = a[i];
    padded.fill(0, n);
    this.fft.realTransform(spectrum, padded);
    const half = size / 2;
    for (let m = 0; m <= half; m++) {
      const re = spectrum[2 * m], im = spectrum[2 * m + 1];
      work[2 * m] = re * re - im * im;
      work[2 * m + 1] = 2 * re * im;
    }
    this.inverseRealPart(work, out, 2 * n - 1);
  }

  /**
   * g_j = sum_k w_k a_{k-j} for the a of the last `convolve` (w has length 2n-1):
   * the chain rule through c, since d c_k / d a_j = 2 a_{k-j}.
   */
  correlate(w: ArrayLike<number>, out: Float64Array): void {
    const { n, size, padded, spectrum, work } = this;
    if (w.length !== 2 * n - 1) throw new Error(`weights must have length ${2 * n - 1}, got ${w.length}`);
    for (let k = 0; k < 2 * n - 1; k++) padded[k] = w[k];
    padded.fill(0, 2 * n - 1);
    this.fft.realTransform(work, padded);
    const half = size / 2;
    // W_m * conj(A_m): the circular cross-correlation; no wrap-around since size >= 2n - 1.
    for (let m = 0; m <= half; m++) {
      const wr = work[2 * m], wi = work[2 * m + 1];
      const ar = spectrum[2 * m], ai = -spectrum[2 * m + 1];
      work[2 * m] = wr * ar - wi * ai;
      work[2 * m + 1] = wr * ai + wi * ar;
    }
    this.inverseRealPart(work, out, n);
  }

  /** Real part of the inverse transform of a Hermitian spectrum given by its first half. */
  private inverseRealPart(halfSpectrum: Float64Array, out: Float64Array, count: number): void {
    const { size, result } = this;
    const half = size / 2;
    for (let m = half + 1; m < size; m++) {
      halfSpectrum[2 * m] = halfSpectrum[2 * (size - m)];
      halfSpectrum[2 * m + 1] = -halfSpectrum[2 * (size - m) + 1];
    }
    this.fft.inverseTransform(result, halfSpectrum);
    for (let k = 0; k < count; k++) out[k] = result[2 * k];
  }
}

const plans = new Map<number, AutoconvolutionPlan>();
const PLAN_CACHE_LIMIT = 16;

/** A cached plan for length n (twiddle tables are costly to rebuild). */
export function autoconvolutionPlan(n: number): AutoconvolutionPlan {
  let plan = plans.get(n);
  if (!plan) {
    if (plans.size >= PLAN_CACHE_LIMIT) plans.delete(plans.keys().next().value!);
    plan = new AutoconvolutionPlan(n);
    plans.set(n, plan);
  } else {
    // Most recently used last, so the eviction above drops the oldest.
    plans.delete(n);
    plans.set(n, plan);
  }
  return plan;
}

/** (a * a) by FFT into a new array of length 2n - 1. */
export function autoconvolve(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(2 * a.length - 1);
  autoconvolutionPlan(a.length).convolve(a, out);
  return out;
}

/** The defining sum, term by term: O(n^2), for certification and tests. */
export function directAutoconvolution(a: ArrayLike<number>): Float64Array {
  const n = a.length;
  const out = new Float64Array(2 * n - 1);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < n; j++) out[i + j] += ai * a[j];
  }
  return out;
}
