/**
 * Smooth surrogates of the three constants and their exact gradients in the heights a,
 * both through the FFT autoconvolution and its adjoint (./fft_convolution.ts).
 *
 * The maximum of c is replaced by a log-sum-exp with softmax weights
 * w_k = softmax((c_k - max c) / (tau max c)), tau a relative temperature.
 *   C1, C3: loss = 2n LSE(c) / S^2 (S = sum a, LSE = max + T log sum exp((c_k - max)/T), T = tau max);
 *           d/da_j = (4n/S^2) sum_k w_k a_{k-j} - (2/S) loss.
 *   C2:     loss = -log(L2^2) + log(L1) + log(LSE(c)) (minimised, so C2 rises);
 *           dL2^2/dc_k = (h/3)(4c_k + c_{k-1} + c_{k+1}), dL1/dc_k = h sign(c_k), dLSE/dc_k = w_k,
 *           and d/da_j = 2 sum_k u_k a_{k-j} for u = dloss/dc.
 */
import { autoconvolutionPlan } from "./fft_convolution.ts";
import type { Rng } from "../../lib/rng.ts";
import type { Variant } from "./verifier.ts";

/** Buffers for one length n, reused across iterations. */
export class SmoothObjective {
  readonly n: number;
  readonly variant: Variant;
  private readonly c: Float64Array;
  private readonly w: Float64Array;
  private readonly g: Float64Array;

  constructor(variant: Variant, n: number) {
    this.variant = variant;
    this.n = n;
    this.c = new Float64Array(2 * n - 1);
    this.w = new Float64Array(2 * n - 1);
    this.g = new Float64Array(n);
  }

  /**
   * Writes d(loss)/da into grad and returns the exact constant of a (by FFT), so the
   * caller can keep the best iterate without another evaluation.
   */
  gradient(a: Float64Array, tau: number, grad: Float64Array): number {
    const { n, c, w, g } = this;
    const plan = autoconvolutionPlan(n);
    plan.convolve(a, c);
    const m = 2 * n - 1;
    let max = -Infinity, sum = 0;
    for (let k = 0; k < m; k++) if (c[k] > max) max = c[k];
    for (let i = 0; i < n; i++) sum += a[i];
    const scale = Math.abs(max) > 0 ? Math.abs(max) : 1;
    let z = 0;
    for (let k = 0; k < m; k++) {
      const e = Math.exp((c[k] - max) / (tau * scale));
      w[k] = e;
      z += e;
    }
    for (let k = 0; k < m; k++) w[k] /= z;
    if (this.variant === "ac2") return this.secondGradient(max + tau * scale * Math.log(z), grad);
    const s2 = sum * sum;
    // The smoothed constant 2n LSE(c) / S^2, with LSE = max + T log z at T = tau max.
    const smooth = (2 * n * (max + tau * scale * Math.log(z))) / s2;
    plan.correlate(w, g);
    for (let j = 0; j < n; j++) grad[j] = (4 * n / s2) * g[j] - (2 / sum) * smooth;
    return Math.abs((2 * n * max) / s2);
  }

  private secondGradient(lse: number, grad: Float64Array): number {
    const { n, c, w, g } = this;
    const m = 2 * n - 1;
    const h = 1 / (m + 1);
    let l2sq = 0, l1 = 0, linf = 0, prev = 0;
    for (let j = 0; j <= m; j++) {
      const next = j < m ? c[j] : 0;
      l2sq += prev * prev + prev * next + next * next;
      prev = next;
    }
    l2sq *= h / 3;
    for (let k = 0; k < m; k++) {
      const v = Math.abs(c[k]);
      l1 += v;
      if (v > linf) linf = v;
    }
    l1 *= h;
    // u_k = dloss/dc_k, stored in w (the softmax weights are read before being overwritten).
    for (let k = 0; k < m; k++) {
      const left = k > 0 ? c[k - 1] : 0, right = k < m - 1 ? c[k + 1] : 0;
      const dl2 = (h / 3) * (4 * c[k] + left + right);
      w[k] = -dl2 / l2sq + (h * Math.sign(c[k])) / l1 + w[k] / lse;
    }
    autoconvolutionPlan(n).correlate(w, g);
    for (let j = 0; j < n; j++) grad[j] = 2 * g[j];
    return l2sq / (l1 * linf);
  }
}

export type Parametrisation = "clip" | "square" | "free";

export interface AdamOptions {
  readonly iterations: number;
  /** Step size in units of the mean |height| (heights are rescaled to mean 1 first). */
  readonly learningRate: number;
  /** Relative softmax temperature: smaller follows the true max more closely. */
  readonly temperature: number;
  /** Start 30x hotter and cool geometrically to `temperature`. */
  readonly anneal: boolean;
  /** clip: project onto a >= 0; square: a = x^2; free: signed heights (C3). */
  readonly parametrisation: Parametrisation;
  /**
   * Iterations without a new best exact value after which the step size and the temperature are
   * cut by 10 and the run restarts from the best iterate (0: never). Lets one run descend into a
   * tight optimum whose useful step and smoothing are orders of magnitude below the starting ones.
   */
  readonly patience?: number;
  /**
   * Gaussian noise added to each gradient, in units of the gradient's rms, decaying linearly to 0
   * (0 or absent: none). Lets a run from a random start leave the first basin it falls into, as
   * Jaech and Joseph's C2 search does; needs `rng`.
   */
  readonly noise?: number;
  readonly rng?: Rng;
  /** Epoch ms: stop there and return the best iterate so far (the rollout's safety net). */
  readonly deadline?: number;
}

/** grad += sd x rms(grad) x N(0, 1), elementwise. */
function addNoise(grad: Float64Array, sd: number, rng: Rng): void {
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
  const scale = sd * Math.sqrt(sq / grad.length);
  if (!(scale > 0)) return;
  for (let i = 0; i < grad.length; i++) grad[i] += scale * rng.normal();
}

/** Is `candidate` a better value of this variant's constant than `incumbent`? */
export function improves(variant: Variant, candidate: number, incumbent: number): boolean {
  return variant === "ac2" ? candidate > incumbent : candidate < incumbent;
}

/** Mean |a| scaled to 1 (every constant is invariant under positive scaling). */
export function normalise(a: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  const f = s > 0 ? a.length / s : 1;
  return Float64Array.from(a, (x) => x * f);
}

/**
 * Adam on the smooth surrogate with a cosine-decayed step. Returns the best iterate
 * by the exact constant, so the result is never worse than the start.
 */
export function adam(variant: Variant, start: ArrayLike<number>, options: AdamOptions): Float64Array {
  const n = start.length;
  const objective = new SmoothObjective(variant, n);
  const { iterations, temperature, anneal, parametrisation } = options;
  const patience = options.patience ?? 0;
  let learningRate = options.learningRate, cooling = 1;
  let a = normalise(start);
  // x is the optimised variable; a = x^2 under the square parametrisation.
  const toX = (v: Float64Array) =>
    parametrisation === "square" ? v.map((h) => Math.sqrt(Math.max(0, h))) : Float64Array.from(v);
  let x = toX(a);
  const grad = new Float64Array(n), m1 = new Float64Array(n), m2 = new Float64Array(n);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-12;
  let best = Float64Array.from(a);
  let bestValue = variant === "ac2" ? -Infinity : Infinity;
  let sinceBest = 0, t0 = 0;
  // Under a deadline an iteration (an FFT gradient: tens of ms at 100,000 pieces) that would
  // end past it, judged by the last one, is not started.
  let iterationStarted = Date.now(), lastIterationMs = 0;
  for (let t = 0; t <= iterations; t++) {
    const progress = iterations > 0 ? t / iterations : 1;
    const tau = cooling * (anneal ? temperature * 30 ** (1 - progress) : temperature);
    const value = objective.gradient(a, tau, grad);
    // A collapsed iterate (all heights zero, sum near 0) ends the run; the best so far stands.
    if (!Number.isFinite(value)) break;
    if (improves(variant, value, bestValue)) {
      bestValue = value;
      best = Float64Array.from(a);
      sinceBest = 0;
    } else if (patience > 0 && ++sinceBest >= patience) {
      // Stalled: a smaller step and a sharper maximum from the best iterate, with fresh moments.
      learningRate /= 10;
      cooling /= 10;
      sinceBest = 0;
      a = Float64Array.from(best);
      x = toX(a);
      m1.fill(0);
      m2.fill(0);
      t0 = t;
      objective.gradient(a, tau / 10, grad);
    }
    if (options.deadline !== undefined) {
      const now = Date.now();
      lastIterationMs = now - iterationStarted;
      iterationStarted = now;
    }
    if (
      t === iterations || (options.deadline !== undefined && Date.now() + lastIterationMs >= options.deadline)
    ) {
      break;
    }
    if (parametrisation === "square") { for (let i = 0; i < n; i++) grad[i] *= 2 * x[i]; }
    if (options.noise && options.rng) addNoise(grad, options.noise * (1 - progress), options.rng);
    const lr = learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    const b1 = 1 - beta1 ** (t - t0 + 1), b2 = 1 - beta2 ** (t - t0 + 1);
    for (let i = 0; i < n; i++) {
      m1[i] = beta1 * m1[i] + (1 - beta1) * grad[i];
      m2[i] = beta2 * m2[i] + (1 - beta2) * grad[i] * grad[i];
      let y = x[i] - lr * (m1[i] / b1) / (Math.sqrt(m2[i] / b2) + eps);
      if (parametrisation === "clip" && y < 0) y = 0;
      x[i] = y;
    }
    a = parametrisation === "square" ? x.map((v) => v * v) : Float64Array.from(x);
  }
  return best;
}
