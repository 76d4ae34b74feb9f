/**
 * Count-distribution samplers on the toolkit's seeded Rng: binomial thinning for
 * the molecular cross-validation split, and gamma / Poisson for the simulator.
 */
import type { Rng } from "../../../lib/rng.ts";

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Binomial(n, p) by geometric waiting times on the rarer outcome: exact, and
 * O(n·min(p, 1-p) + 1) expected draws, which is cheap for UMI counts.
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`binomial: n = ${n} is not a count`);
  if (!(p >= 0 && p <= 1)) throw new Error(`binomial: p = ${p} is not a probability`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  const logQ = Math.log1p(-q);
  let successes = 0, position = 0;
  while (true) {
    // Trials up to and including the next success: Geometric(q) on {1, 2, ...}.
    position += Math.floor(Math.log(1 - rng.next()) / logQ) + 1;
    if (position > n) break;
    successes++;
  }
  return flip ? n - successes : successes;
}

/** Poisson(λ): multiplication for small λ, Hörmann's PTRS transformed rejection above 10. */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new Error(`poisson: λ = ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0, prod = rng.next();
    while (prod > limit) {
      k++;
      prod *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda), loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  while (true) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)
    ) {
      return k;
    }
  }
}

/** Gamma(shape, scale) by Marsaglia–Tsang, boosted for shape < 1. */
export function gamma(rng: Rng, shape: number, scale = 1): number {
  if (!(shape > 0 && scale > 0)) throw new Error(`gamma: shape ${shape}, scale ${scale}`);
  if (shape < 1) {
    const u = 1 - rng.next();
    return gamma(rng, shape + 1, scale) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  while (true) {
    let x = 0, v = 0;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** Chi-squared with df degrees of freedom. */
export function chiSquared(rng: Rng, df: number): number {
  return gamma(rng, df / 2, 2);
}
