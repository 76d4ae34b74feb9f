/**
 * Local optimisation of centres and radii together by a quadratic penalty method:
 *   minimise -sum r + (mu / 2) [ sum_{i<j} max(0, r_i + r_j - d_ij)^2 + sum_i sum_walls max(0, r_i - gap)^2
 *                               + sum_i max(0, -r_i)^2 ]
 * by L-BFGS, with mu raised tenfold per stage so the end point is nearly feasible. The result
 * is only approximately feasible: the caller polishes it (slp.ts) and settles the radii by LP.
 * Budgets are iteration counts; a deadline stops early with the iterate reached so far.
 */
import type { Packing } from "./packing.ts";

export interface PenaltyOptions {
  /** L-BFGS iterations per stage. */
  readonly iterations: number;
  /** Penalty weights: first, then x10 per stage up to last. */
  readonly muFirst: number;
  readonly muLast: number;
  /** Epoch ms after which the descent stops (see MoveContext.deadline). */
  readonly deadline?: number;
}

/** The penalty objective at v = [x0, y0, r0, x1, ...]; writes its gradient into g. */
export function penaltyValue(v: Float64Array, g: Float64Array, mu: number): number {
  const n = v.length / 3;
  g.fill(0);
  let f = 0, viol = 0;
  for (let i = 0; i < n; i++) {
    const x = v[3 * i], y = v[3 * i + 1], r = v[3 * i + 2];
    f -= r;
    g[3 * i + 2] -= 1;
    // Walls r <= x, r <= 1 - x, r <= y, r <= 1 - y (excess r - gap, gap = c or 1 - c), and r >= 0.
    for (let axis = 0; axis < 2; axis++) {
      const c = v[3 * i + axis];
      for (const side of [-1, 1]) {
        const e = side < 0 ? r - c : r + c - 1;
        if (e <= 0) continue;
        viol += e * e;
        g[3 * i + 2] += mu * e;
        g[3 * i + axis] += side * mu * e;
      }
    }
    if (r < 0) {
      viol += r * r;
      g[3 * i + 2] += mu * r;
    }
    for (let j = i + 1; j < n; j++) {
      const dx = x - v[3 * j], dy = y - v[3 * j + 1];
      const s = r + v[3 * j + 2];
      const d2 = dx * dx + dy * dy;
      if (s <= 0 || d2 >= s * s) continue;
      const d = Math.sqrt(d2) + 1e-18;
      const e = s - d;
      viol += e * e;
      const k = mu * e;
      g[3 * i + 2] += k;
      g[3 * j + 2] += k;
      const kx = (k * dx) / d, ky = (k * dy) / d;
      g[3 * i] -= kx;
      g[3 * i + 1] -= ky;
      g[3 * j] += kx;
      g[3 * j + 1] += ky;
    }
  }
  return f + 0.5 * mu * viol;
}

const MEMORY = 8;

/** L-BFGS with a backtracking (Armijo) line search; returns the iterations used. */
function lbfgs(v: Float64Array, mu: number, iterations: number, deadline?: number): number {
  const size = v.length;
  const g = new Float64Array(size), gNew = new Float64Array(size), d = new Float64Array(size);
  const trial = new Float64Array(size);
  const ss: Float64Array[] = [], ys: Float64Array[] = [], rhos: number[] = [];
  const alpha = new Float64Array(MEMORY);
  let f = penaltyValue(v, g, mu);
  let t = 0;
  for (; t < iterations; t++) {
    if (deadline !== undefined && (t & 31) === 31 && Date.now() >= deadline) break;
    // Two-loop recursion: d = -H g.
    d.set(g);
    for (let k = ss.length - 1; k >= 0; k--) {
      alpha[k] = rhos[k] * dot(ss[k], d);
      axpy(-alpha[k], ys[k], d);
    }
    const gamma = ss.length
      ? dot(ss.at(-1)!, ys.at(-1)!) / dot(ys.at(-1)!, ys.at(-1)!)
      : 1e-3 / (norm(g) + 1e-30);
    for (let k = 0; k < size; k++) d[k] *= gamma;
    for (let k = 0; k < ss.length; k++) axpy(alpha[k] - rhos[k] * dot(ys[k], d), ss[k], d);
    for (let k = 0; k < size; k++) d[k] = -d[k];
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction: fall back to steepest descent and forget the history.
      for (let k = 0; k < size; k++) d[k] = (-1e-3 * g[k]) / (norm(g) + 1e-30);
      slope = dot(g, d);
      ss.length = ys.length = rhos.length = 0;
    }
    let step = 1, fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let k = 0; k < size; k++) trial[k] = v[k] + step * d[k];
      fNew = penaltyValue(trial, gNew, mu);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break; // no progress at machine precision: converged
    const s = new Float64Array(size), y = new Float64Array(size);
    for (let k = 0; k < size; k++) [s[k], y[k]] = [trial[k] - v[k], gNew[k] - g[k]];
    const sy = dot(s, y);
    if (sy > 1e-16 * dot(y, y)) {
      if (ss.length === MEMORY) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
    }
    v.set(trial);
    g.set(gNew);
    const gain = f - fNew;
    f = fNew;
    if (gain < 1e-15 * Math.max(1, Math.abs(f))) break;
  }
  return t;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let k = 0; k < x.length; k++) y[k] += a * x[k];
}

/** Runs the penalty stages in place on the packing; returns the L-BFGS iterations spent. */
export function penaltyDescent(p: Packing, options: PenaltyOptions): number {
  const n = p.xs.length;
  const v = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) [v[3 * i], v[3 * i + 1], v[3 * i + 2]] = [p.xs[i], p.ys[i], p.rs[i]];
  let spent = 0;
  for (let mu = options.muFirst; mu <= options.muLast * 1.0001; mu *= 10) {
    spent += lbfgs(v, mu, options.iterations, options.deadline);
    if (options.deadline !== undefined && Date.now() >= options.deadline) break;
  }
  for (let i = 0; i < n; i++) {
    if (![v[3 * i], v[3 * i + 1], v[3 * i + 2]].every(Number.isFinite)) continue; // keep the old circle
    p.xs[i] = Math.min(1, Math.max(0, v[3 * i]));
    p.ys[i] = Math.min(1, Math.max(0, v[3 * i + 1]));
    p.rs[i] = Math.max(0, v[3 * i + 2]);
  }
  return spent;
}
