/**
 * Feasibility: the Euclidean projection onto the capped simplex
 * {0 <= h_i <= 1, sum h = n/2}, and a final touch that guarantees the verifier's
 * own float64 rescaling keeps every height <= 1 (it is strict, with no tolerance).
 */

/** Projects y onto {0 <= h <= 1, sum h = target}: h_i = clip(y_i - lambda, 0, 1). */
export function projectCappedSimplex(y: ArrayLike<number>, target = y.length / 2): Float64Array {
  const n = y.length;
  if (!(target >= 0 && target <= n)) throw new Error(`projection target ${target} outside [0, ${n}]`);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) throw new Error(`cannot project: value ${i} is ${v}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // sum clip(y - lambda) decreases in lambda: n at lambda = lo - 1, 0 at lambda = hi.
  let a = lo - 1, b = hi;
  const massAt = (lambda: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.min(1, Math.max(0, y[i] - lambda));
    return s;
  };
  for (let iter = 0; iter < 100 && b - a > 1e-15 * (1 + Math.abs(a)); iter++) {
    const mid = 0.5 * (a + b);
    if (massAt(mid) > target) a = mid;
    else b = mid;
  }
  // Bisection locates the active set; solve for lambda exactly on the free coordinates.
  let lambda = 0.5 * (a + b);
  let ones = 0, freeSum = 0, free = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] - lambda;
    if (v >= 1) ones++;
    else if (v > 0) {
      free++;
      freeSum += y[i];
    }
  }
  if (free > 0) {
    const exact = (freeSum - (target - ones)) / free;
    if (Math.abs(exact - lambda) <= 1e-9) lambda = exact;
  }
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = Math.min(1, Math.max(0, y[i] - lambda));
  return h;
}

/**
 * Returns heights that pass the verifier's strict check: it multiplies by
 * (n/2)/sum(h) in float64, which can lift a height of exactly 1 by an ulp. Heights
 * at the top are lowered by a few ulps until the verifier's arithmetic accepts them.
 */
export function verifierSafe(h: Float64Array): Float64Array {
  const n = h.length;
  let out = h;
  for (let round = 0; round < 60; round++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[i];
    if (!(sum > 0)) throw new Error("heights sum to zero");
    const factor = (n / 2) / sum;
    let ok = true;
    for (let i = 0; i < n && ok; i++) if (out[i] * factor > 1) ok = false;
    if (ok) return out;
    // Rescale as the verifier will, cap the top slightly below 1 and try again.
    const cap = 1 - (round + 1) * 2 ** -52;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = Math.min(cap, out[i] * factor);
    out = next;
  }
  throw new Error("could not make heights satisfy the strict [0, 1] check");
}
