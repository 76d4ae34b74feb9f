/**
 * The overlap correlations of a step function, by FFT and by direct summation.
 *
 * For rescaled heights h (sum n/2, values in [0,1]) the overlap at shift k is
 * c_k = sum_i h_{i+k} (1 - h_i), k in -(n-1)..(n-1), and C5 = (2/n) max_k c_k.
 * Writing A_k = sum_i h_i h_{i+k} (the autocorrelation, symmetric in k):
 *   c_k  = (h_k + ... + h_{n-1}) - A_k      (k >= 0)
 *   c_-k = (h_0 + ... + h_{n-1-k}) - A_k
 * so one real FFT of h, its power spectrum and one more real FFT give every c_k.
 */
import FFT from "fft.js";

/** Below this many pieces the O(n^2) sum beats two FFTs (measured in bench/erdos.ts). */
export const DIRECT_BELOW = 24;

/** Smallest power of two >= m (at least 4, which fft.js requires). */
export function fftSize(m: number): number {
  let size = 4;
  while (size < m) size *= 2;
  return size;
}

/** Reusable FFT buffers for one piece count: no allocation per evaluation. */
export class OverlapPlan {
  readonly n: number;
  /** FFT length: linear (not circular) autocorrelation needs at least 2n - 1. */
  readonly size: number;
  private readonly fft: FFT;
  private readonly padded: Float64Array;
  /** Half spectrum of h (complex interleaved), kept for gradient computations. */
  readonly spectrum: Float64Array;
  private readonly power: Float64Array;
  private readonly powerSpectrum: Float64Array;
  /** Autocorrelation A_k, k = 0..n-1, of the last `correlations` call. */
  readonly auto: Float64Array;

  constructor(n: number, size = fftSize(2 * n - 1)) {
    if (size < 2 * n - 1) throw new Error(`FFT size ${size} too small for ${n} pieces`);
    this.n = n;
    this.size = size;
    this.fft = new FFT(size);
    this.padded = new Float64Array(size);
    this.spectrum = new Float64Array(2 * size);
    this.power = new Float64Array(size);
    this.powerSpectrum = new Float64Array(2 * size);
    this.auto = new Float64Array(n);
  }

  /** Fills out[k + n - 1] = c_k for every shift; h must already be rescaled. */
  correlations(h: ArrayLike<number>, out: Float64Array): void {
    const { n, size, padded, spectrum, power, powerSpectrum, auto } = this;
    for (let i = 0; i < n; i++) padded[i] = h[i];
    // fft.js reads the whole input, so the padding must stay zero (it is never written).
    this.fft.realTransform(spectrum, padded);
    const half = size / 2;
    for (let m = 0; m <= half; m++) {
      const re = spectrum[2 * m], im = spectrum[2 * m + 1];
      power[m] = re * re + im * im;
    }
    for (let m = half + 1; m < size; m++) power[m] = power[size - m];
    // |H|^2 is real and even, so its forward transform is real and equals size * A.
    this.fft.realTransform(powerSpectrum, power);
    const inv = 1 / size;
    for (let k = 0; k < n; k++) auto[k] = powerSpectrum[2 * k] * inv;
    combineShifts(h, auto, out);
  }
}

/** c_k from the autocorrelation and the head/tail partial sums (shared by both methods). */
function combineShifts(h: ArrayLike<number>, auto: ArrayLike<number>, out: Float64Array): void {
  const n = h.length;
  // tail = h_k + ... + h_{n-1}; head = h_0 + ... + h_{n-1-k}; both start at the total.
  let total = 0;
  for (let i = 0; i < n; i++) total += h[i];
  let tail = total, head = total;
  for (let k = 0; k < n; k++) {
    out[n - 1 + k] = tail - auto[k];
    out[n - 1 - k] = head - auto[k];
    tail -= h[k];
    head -= h[n - 1 - k];
  }
}

const plans = new Map<number, OverlapPlan>();
const PLAN_CACHE_LIMIT = 32;

/** A cached plan for n pieces (FFT twiddle tables are costly to rebuild). */
export function overlapPlan(n: number): OverlapPlan {
  let plan = plans.get(n);
  if (!plan) {
    if (plans.size >= PLAN_CACHE_LIMIT) plans.delete(plans.keys().next().value!);
    plan = new OverlapPlan(n);
    plans.set(n, plan);
  }
  return plan;
}

/** The defining sum c_k = sum_i h_{i+k} (1 - h_i), term by term: O(n^2), the certified value. */
export function directOverlaps(h: ArrayLike<number>, out: Float64Array): void {
  const n = h.length;
  for (let k = -(n - 1); k <= n - 1; k++) {
    let s = 0;
    const lo = Math.max(0, -k), hi = Math.min(n, n - k);
    for (let i = lo; i < hi; i++) s += h[i + k] * (1 - h[i]);
    out[k + n - 1] = s;
  }
}

export interface MaxOverlap {
  /** max_k c_k (not yet multiplied by 2/n). */
  readonly max: number;
  /** The shift k attaining it (the first one, from -(n-1) upwards). */
  readonly shift: number;
}

/** Largest entry of a correlation vector laid out as out[k + n - 1]. */
export function argmaxShift(c: Float64Array, n: number): MaxOverlap {
  let best = -Infinity, at = 0;
  for (let j = 0; j < 2 * n - 1; j++) {
    if (c[j] > best) {
      best = c[j];
      at = j;
    }
  }
  return { max: best, shift: at - (n - 1) };
}
