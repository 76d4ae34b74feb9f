/**
 * Perturbations of a packing, each drawing its randomness from the rollout's own stream, so
 * rollouts of one program from one parent differ. They only move centres (radii are working
 * values the local optimiser starts from); the caller re-optimises and settles the radii.
 */
import type { Rng } from "../../lib/rng.ts";
import type { Packing } from "./packing.ts";

export const PERTURBATIONS = ["jiggle", "reinsert", "swap", "cluster"] as const;
export type Perturbation = typeof PERTURBATIONS[number];

/** A scale drawn log-uniformly in [base / 2, 2 base]: continuous, where a grid is too coarse. */
export function spread(base: number, rng: Rng): number {
  return base * 2 ** rng.uniform(-1, 1);
}

/** k distinct indices out of n, in random order. */
export function sample(n: number, k: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, Math.min(k, n));
}

/** The point (of `tries` random candidates) farthest from every kept circle and wall. */
export function emptiestSpot(p: Packing, skip: Set<number>, rng: Rng, tries = 300): [number, number, number] {
  let best: [number, number, number] = [0.5, 0.5, -Infinity];
  for (let s = 0; s < tries; s++) {
    const x = rng.next(), y = rng.next();
    let gap = Math.min(x, 1 - x, y, 1 - y);
    for (let i = 0; i < p.xs.length && gap > best[2]; i++) {
      if (!skip.has(i)) gap = Math.min(gap, Math.hypot(x - p.xs[i], y - p.ys[i]) - p.rs[i]);
    }
    if (gap > best[2]) best = [x, y, gap];
  }
  return best;
}

/** Gaussian moves of k random centres, radii shrunk by 5% so the optimiser has room. */
function jiggle(p: Packing, k: number, scale: number, rng: Rng): void {
  for (const c of sample(p.xs.length, k, rng)) {
    p.xs[c] = Math.min(1, Math.max(0, p.xs[c] + scale * rng.normal()));
    p.ys[c] = Math.min(1, Math.max(0, p.ys[c] + scale * rng.normal()));
  }
  for (let i = 0; i < p.rs.length; i++) p.rs[i] *= 0.95;
}

/**
 * Remove k circles (mostly the smallest: each pick is one of the 2k smallest) and put each
 * into the largest hole left, radius that hole's gap.
 */
function reinsert(p: Packing, k: number, rng: Rng): void {
  const n = p.xs.length;
  const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.rs[a] - p.rs[b] || a - b);
  const pool = bySize.slice(0, Math.min(n, 2 * k));
  const moved = new Set(sample(pool.length, k, rng).map((i) => pool[i]));
  const placed = new Set(moved);
  for (const c of moved) {
    const [x, y, gap] = emptiestSpot(p, placed, rng);
    [p.xs[c], p.ys[c], p.rs[c]] = [x, y, Math.max(0, gap)];
    placed.delete(c);
  }
}

/** Exchange the centres of k pairs, each one of the larger and one of the smaller half. */
function swap(p: Packing, k: number, rng: Rng): void {
  const n = p.xs.length;
  const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.rs[a] - p.rs[b] || a - b);
  const half = Math.max(1, Math.floor(n / 2));
  for (let s = 0; s < k; s++) {
    const small = bySize[rng.int(half)];
    const large = bySize[n - 1 - rng.int(half)];
    [p.xs[small], p.xs[large]] = [p.xs[large], p.xs[small]];
    [p.ys[small], p.ys[large]] = [p.ys[large], p.ys[small]];
    [p.rs[small], p.rs[large]] = [p.rs[large], p.rs[small]];
  }
}

/** Re-scatter the k circles nearest a random point inside a disc around it (a local rebuild). */
function cluster(p: Packing, k: number, scale: number, rng: Rng): void {
  const n = p.xs.length;
  const cx = rng.next(), cy = rng.next();
  const near = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => Math.hypot(p.xs[a] - cx, p.ys[a] - cy) - Math.hypot(p.xs[b] - cx, p.ys[b] - cy) || a - b)
    .slice(0, Math.min(n, k));
  const radius = Math.max(scale, 0.05);
  for (const c of near) {
    const angle = 2 * Math.PI * rng.next(), dist = radius * Math.sqrt(rng.next());
    p.xs[c] = Math.min(1, Math.max(0, cx + dist * Math.cos(angle)));
    p.ys[c] = Math.min(1, Math.max(0, cy + dist * Math.sin(angle)));
    p.rs[c] *= 0.5;
  }
}

/** Applies one perturbation of strength k (circles touched) and scale in place. */
export function perturb(kind: Perturbation, p: Packing, k: number, scale: number, rng: Rng): void {
  switch (kind) {
    case "jiggle":
      return jiggle(p, k, scale, rng);
    case "reinsert":
      return reinsert(p, k, rng);
    case "swap":
      return swap(p, k, rng);
    case "cluster":
      return cluster(p, k, scale, rng);
  }
}

/** Fresh random centres for all but the `keep` largest circles (a restart that may keep a core). */
export function scatter(p: Packing, keep: number, rng: Rng): void {
  const n = p.xs.length;
  const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.rs[b] - p.rs[a] || a - b);
  for (const c of bySize.slice(Math.min(n, keep))) {
    p.xs[c] = rng.uniform(0.05, 0.95);
    p.ys[c] = rng.uniform(0.05, 0.95);
    p.rs[c] = 0.02;
  }
}
