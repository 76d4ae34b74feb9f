/**
 * Gradient descent on a smooth surrogate of C5: the log-sum-exp over all shifts,
 * F(h) = tau log sum_k exp(C5_k / tau), with C5_k = (2/n) c_k, followed after every
 * step by the exact projection onto {0 <= h <= 1, sum h = n/2}.
 *
 * Gradient: with softmax weights w_k, dF/dh_j = (2/n) [ sum_{0<=k<=j} w_k
 * + sum_{1<=m<=n-1-j} w_{-m} - (s * h)_j ], where s is the symmetric kernel
 * s_{+-m} = w_m + w_{-m} (m >= 1), s_0 = 2 w_0, and * is a convolution: by FFT.
 */
import FFT from "fft.js";
import { pastDeadline } from "../../lib/problem.ts";
import { overlapPlan } from "./overlap.ts";
import { projectCappedSimplex } from "./projection.ts";

export interface DescendOptions {
  readonly iterations: number;
  /** Softmax temperature in units of C5; smaller follows the true max more closely. */
  readonly temperature: number;
  /** Initial step (Adam: per-coordinate height change), decayed by a cosine to 1% of it. */
  readonly learningRate: number;
  /** Start 30x hotter and cool geometrically to `temperature` over the run. */
  readonly anneal: boolean;
  /** Epoch ms: stop early and return the best iterate so far (MoveContext.deadline). */
  readonly deadline?: number;
}

/** FFT buffers for the convolution part of the gradient, cached per piece count. */
class GradientPlan {
  readonly n: number;
  readonly size: number;
  private readonly fft: FFT;
  private readonly kernel: Float64Array;
  private readonly kernelSpectrum: Float64Array;
  private readonly product: Float64Array;
  private readonly result: Float64Array;
  readonly correlations: Float64Array;
  readonly weights: Float64Array;

  constructor(n: number) {
    const plan = overlapPlan(n);
    this.n = n;
    this.size = plan.size;
    this.fft = new FFT(this.size);
    this.kernel = new Float64Array(this.size);
    this.kernelSpectrum = new Float64Array(2 * this.size);
    this.product = new Float64Array(2 * this.size);
    this.result = new Float64Array(2 * this.size);
    this.correlations = new Float64Array(2 * n - 1);
    this.weights = new Float64Array(2 * n - 1);
  }

  /**
   * Writes dF/dh into grad and returns the exact C5 of h (max over shifts), so the
   * caller can keep the best iterate without a second evaluation.
   */
  gradient(h: Float64Array, tau: number, grad: Float64Array): number {
    const { n, size, kernel, kernelSpectrum, product, result, correlations: c, weights: w } = this;
    const plan = overlapPlan(n);
    plan.correlations(h, c);
    const scale = 2 / n;
    let max = -Infinity;
    for (let j = 0; j < 2 * n - 1; j++) if (c[j] > max) max = c[j];
    let z = 0;
    const inv = scale / tau;
    for (let j = 0; j < 2 * n - 1; j++) {
      const e = Math.exp((c[j] - max) * inv);
      w[j] = e;
      z += e;
    }
    for (let j = 0; j < 2 * n - 1; j++) w[j] /= z;
    // Symmetric kernel placed circularly: s_m at m, s_-m at size - m.
    kernel.fill(0);
    kernel[0] = 2 * w[n - 1];
    for (let m = 1; m < n; m++) {
      const v = w[n - 1 + m] + w[n - 1 - m];
      kernel[m] = v;
      kernel[size - m] = v;
    }
    this.fft.realTransform(kernelSpectrum, kernel);
    // Spectrum of h * s: H_m times the (real, since s is even) kernel spectrum.
    const H = plan.spectrum;
    const half = size / 2;
    for (let m = 0; m <= half; m++) {
      const k = kernelSpectrum[2 * m];
      // Store the conjugate: inverse FFT = conj(FFT(conj X)) / size.
      product[2 * m] = H[2 * m] * k;
      product[2 * m + 1] = -H[2 * m + 1] * k;
    }
    for (let m = half + 1; m < size; m++) {
      product[2 * m] = product[2 * (size - m)];
      product[2 * m + 1] = -product[2 * (size - m) + 1];
    }
    this.fft.transform(result, product);
    // Step-function parts: prefix sums of w_k (k >= 0) and of w_-m (m >= 1).
    let up = 0;
    let down = 0;
    for (let m = 1; m < n; m++) down += w[n - 1 - m];
    const invSize = 1 / size;
    for (let j = 0; j < n; j++) {
      up += w[n - 1 + j];
      grad[j] = scale * (up + down - result[2 * j] * invSize);
      // For j + 1, the shifts -m with m <= n - 2 - j remain: drop m = n - 1 - j.
      down -= w[n - 1 - (n - 1 - j)] * (n - 1 - j >= 1 ? 1 : 0);
    }
    return scale * max;
  }
}

const plans = new Map<number, GradientPlan>();
function gradientPlan(n: number): GradientPlan {
  let plan = plans.get(n);
  if (!plan) {
    if (plans.size >= 16) plans.delete(plans.keys().next().value!);
    plan = new GradientPlan(n);
    plans.set(n, plan);
  }
  return plan;
}

/** dF/dh and the exact C5 of h (exported for tests against finite differences). */
export function smoothMaxGradient(h: Float64Array, tau: number): { grad: Float64Array; c5: number } {
  const grad = new Float64Array(h.length);
  const c5 = gradientPlan(h.length).gradient(h, tau, grad);
  return { grad, c5 };
}

/**
 * Projected Adam on the smoothed max. Returns the best iterate by exact C5, so the
 * result is never worse than the (projected) start.
 */
export function descend(start: Float64Array, options: DescendOptions): Float64Array {
  const n = start.length;
  const plan = gradientPlan(n);
  let h = projectCappedSimplex(start);
  const grad = new Float64Array(n);
  const m1 = new Float64Array(n), m2 = new Float64Array(n);
  const y = new Float64Array(n);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-12;
  let best = h, bestC5 = Infinity;
  const { iterations, temperature, learningRate, anneal } = options;
  for (let t = 0; t < iterations; t++) {
    // Every iteration: at the record's 3,584 pieces 64 of them took 50 ms past the deadline.
    if (pastDeadline(options)) break;
    const progress = iterations > 1 ? t / (iterations - 1) : 1;
    const tau = anneal ? temperature * 30 ** (1 - progress) : temperature;
    const c5 = plan.gradient(h, tau, grad);
    if (!Number.isFinite(c5)) throw new Error("descend: overlap became non-finite");
    if (c5 < bestC5) {
      bestC5 = c5;
      best = h;
    }
    const lr = learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    const b1 = 1 - beta1 ** (t + 1), b2 = 1 - beta2 ** (t + 1);
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      m1[i] = beta1 * m1[i] + (1 - beta1) * g;
      m2[i] = beta2 * m2[i] + (1 - beta2) * g * g;
      y[i] = h[i] - lr * (m1[i] / b1) / (Math.sqrt(m2[i] / b2) + eps);
    }
    h = projectCappedSimplex(y);
  }
  const final = plan.gradient(h, temperature, grad);
  if (final < bestC5) best = h;
  return best;
}
