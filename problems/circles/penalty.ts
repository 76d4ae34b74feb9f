/**
 * Penalty-method descent on centres and radii together: minimise
 *   -sum r + mu * [ sum_{i<j} max(0, r_i + r_j - d_ij)^2 + sum_i sum_walls max(0, r_i - wall gap)^2 ]
 * by Adam, with mu raised geometrically from mu0 to mu1 so the end point is nearly feasible.
 * The caller then replaces the radii by the exact LP optimum for the final centres.
 */
export interface PenaltyOptions {
  readonly iterations: number;
  readonly learningRate: number;
  /** Final penalty weight; the run starts at mu1 / 1000. */
  readonly mu: number;
}

export function penaltyDescent(
  xs: Float64Array,
  ys: Float64Array,
  rs: Float64Array,
  options: PenaltyOptions,
): void {
  const n = xs.length;
  const size = 3 * n;
  const v = new Float64Array(size), g = new Float64Array(size), m1 = new Float64Array(size);
  const m2 = new Float64Array(size);
  for (let i = 0; i < n; i++) [v[3 * i], v[3 * i + 1], v[3 * i + 2]] = [xs[i], ys[i], rs[i]];
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-12;
  const { iterations, learningRate, mu } = options;
  for (let t = 0; t < iterations; t++) {
    const progress = iterations > 1 ? t / (iterations - 1) : 1;
    const weight = mu * 1000 ** (progress - 1);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const x = v[3 * i], y = v[3 * i + 1], r = v[3 * i + 2];
      g[3 * i + 2] -= 1;
      // Walls: r <= x, r <= 1 - x, r <= y, r <= 1 - y.
      let e = r - x;
      if (e > 0) [g[3 * i + 2], g[3 * i]] = [g[3 * i + 2] + 2 * weight * e, g[3 * i] - 2 * weight * e];
      e = r + x - 1;
      if (e > 0) [g[3 * i + 2], g[3 * i]] = [g[3 * i + 2] + 2 * weight * e, g[3 * i] + 2 * weight * e];
      e = r - y;
      if (e > 0) {
        [g[3 * i + 2], g[3 * i + 1]] = [g[3 * i + 2] + 2 * weight * e, g[3 * i + 1] - 2 * weight * e];
      }
      e = r + y - 1;
      if (e > 0) {
        [g[3 * i + 2], g[3 * i + 1]] = [g[3 * i + 2] + 2 * weight * e, g[3 * i + 1] + 2 * weight * e];
      }
      if (r < 0) g[3 * i + 2] += 2 * weight * r;
      for (let j = i + 1; j < n; j++) {
        const dx = x - v[3 * j], dy = y - v[3 * j + 1];
        const d = Math.sqrt(dx * dx + dy * dy) + 1e-15;
        const overlap = r + v[3 * j + 2] - d;
        if (overlap <= 0) continue;
        const k = 2 * weight * overlap;
        g[3 * i + 2] += k;
        g[3 * j + 2] += k;
        // d(-d)/dx_i = -dx/d
        g[3 * i] -= (k * dx) / d;
        g[3 * i + 1] -= (k * dy) / d;
        g[3 * j] += (k * dx) / d;
        g[3 * j + 1] += (k * dy) / d;
      }
    }
    const lr = learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    const b1 = 1 - beta1 ** (t + 1), b2 = 1 - beta2 ** (t + 1);
    for (let k = 0; k < size; k++) {
      m1[k] = beta1 * m1[k] + (1 - beta1) * g[k];
      m2[k] = beta2 * m2[k] + (1 - beta2) * g[k] * g[k];
      v[k] -= lr * (m1[k] / b1) / (Math.sqrt(m2[k] / b2) + eps);
    }
  }
  for (let i = 0; i < n; i++) {
    xs[i] = Math.min(1, Math.max(0, v[3 * i]));
    ys[i] = Math.min(1, Math.max(0, v[3 * i + 1]));
    rs[i] = Math.max(0, v[3 * i + 2]);
  }
}
