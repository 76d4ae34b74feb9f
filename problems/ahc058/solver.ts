/**
 * A parameterised AHC058 solver (the built-in route's "program"): each turn it prices every
 * possible strengthening by its exact marginal yield under "no further purchases", picks a
 * target by a return-on-investment rule, and either buys it now, waits for it, or buys a
 * cheaper filler that does not delay it much. Its parameters are the discovery's state.
 *
 * The yield is exact for the linear system with the current powers. With the powers fixed, each
 * B_ij(k) is a polynomial of degree <= L-1-i in the phase k, kept in the binomial basis
 * (B_{i-1} gains P_ij B_ij a phase, so its C(k, d+1) coefficient is P_ij times B_ij's C(k, d) one).
 * One machine of level i with m phases left is worth f_i(m) = A_j P_0j..P_ij C(m, i+1) apples, so
 * one more unit of P_ij bought after w turns of waiting, with M = r - w phases left, yields
 * A_j P_0j..P_{i-1,j} sum_d b'_d C(M, d+i+1) (b' = B_ij's coefficients shifted by w; Vandermonde).
 * That makes a turn O(N L^2) instead of O(N L T). Decisions use doubles; affordability uses the
 * exact BigInt apples, so the plan is always legal.
 */
import type { Ahc058Input } from "./input.ts";
import type { Action } from "./scorer.ts";

export const OBJECTIVES = ["ratio", "net", "rate"] as const;
export type Objective = typeof OBJECTIVES[number];

export interface SolverParams {
  /** How targets are ranked: yield / cost, yield - cost, or (yield - cost) / (wait + delay). */
  readonly objective: Objective;
  /** Multiplier on the estimated yield per level (compounding makes deep levels worth more). */
  readonly boost: readonly number[];
  /** A target must yield at least this many times its cost. */
  readonly minRatio: number;
  /** Longest wait (turns) for an unaffordable target; 0 = buy only what is affordable now. */
  readonly waitLimit: number;
  /** For "rate": turns added to the wait, so immediate purchases are not infinitely favoured. */
  readonly delay: number;
  /** While waiting: buy an affordable filler with yield/cost >= fillRatio ... */
  readonly fillRatio: number;
  /** ... if it delays the target by at most this many turns (-1 = never fill). */
  readonly fillSlack: number;
}

export const BASELINE_PARAMS: SolverParams = {
  objective: "ratio",
  boost: [1, 1, 1, 1],
  minRatio: 1,
  waitLimit: 0,
  delay: 1,
  fillRatio: 2,
  fillSlack: -1,
};

interface Candidate {
  level: number;
  id: number;
  cost: number;
  costExact: bigint;
  wait: number;
  gain: number;
}

/** C(x, d) for real x >= 0 and small d (0 when x < d, as for integers). */
function choose(x: number, d: number): number {
  if (x < d) return 0;
  let v = 1;
  for (let q = 0; q < d; q++) v = (v * (x - q)) / (q + 1);
  return v;
}

/** Runs the solver on one input; returns T actions (always legal for that input). */
export function solve(input: Ahc058Input, params: SolverParams): Action[] {
  const { n, l, t: turns } = input;
  const a = input.a.map(Number);
  const c = input.c.map((row) => row.map(Number));
  const p = Array.from({ length: l }, () => new Float64Array(n));
  const b = Array.from({ length: l }, () => new Float64Array(n).fill(1));
  const pExact = Array.from({ length: l }, () => Array<bigint>(n).fill(0n));
  const bExact = Array.from({ length: l }, () => Array<bigint>(n).fill(1n));
  let apples = input.k;
  // coef[i][d]: B_ij(k) = sum_d coef[i][d] C(k, d) for the id being priced; shifted: the same after w turns.
  const coef = Array.from({ length: l }, () => new Float64Array(l));
  const income = new Float64Array(l);
  const actions: Action[] = [];

  for (let turn = 0; turn < turns; turn++) {
    const r = turns - turn;
    const have = Number(apples);
    // Income per phase: sum_j A_j P_0j B_0j(k), a polynomial in k.
    income.fill(0);
    for (let j = 0; j < n; j++) {
      if (p[0][j] === 0) continue;
      polynomialCoefficients(j);
      for (let d = 0; d < l; d++) income[d] += a[j] * p[0][j] * coef[0][d];
    }
    const cumulative = (k: number): number => {
      let v = have;
      for (let d = 0; d < l; d++) v += income[d] * choose(k, d + 1);
      return v;
    };
    const lastApples = cumulative(r - 1);
    const waitFor = (cost: number, offset: number): number => {
      if (lastApples - offset < cost) return Infinity;
      let lo = 0, hi = r - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative(mid) - offset >= cost) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };

    let target: Candidate | null = null, targetScore = -Infinity;
    let filler: Candidate | null = null, fillerScore = -Infinity;
    for (let j = 0; j < n; j++) {
      polynomialCoefficients(j);
      let prefix = a[j]; // A_j P_0j .. P_{i-1,j}
      for (let i = 0; i < l; i++) {
        if (i > 0) prefix *= p[i - 1][j];
        const costExact = input.c[i][j] * (pExact[i][j] + 1n);
        const cost = c[i][j] * (p[i][j] + 1);
        const affordable = apples >= costExact;
        const wait = affordable ? 0 : waitFor(cost, 0);
        if (wait > params.waitLimit || wait >= r || prefix === 0) continue;
        const m = r - wait;
        let sum = 0;
        for (let e = 0; e < l - i; e++) {
          let v = 0;
          for (let d = e; d < l - i; d++) v += coef[i][d] * choose(wait, d - e);
          sum += v * choose(m, e + i + 1);
        }
        const gain = params.boost[i] * prefix * sum;
        if (gain < params.minRatio * cost) continue;
        const candidate = { level: i, id: j, cost, costExact, wait, gain };
        const score = params.objective === "ratio"
          ? gain / cost
          : params.objective === "net"
          ? gain - cost
          : (gain - cost) / (wait + params.delay);
        if (score > targetScore) [target, targetScore] = [candidate, score];
        if (affordable && gain >= params.fillRatio * cost && gain / cost > fillerScore) {
          [filler, fillerScore] = [candidate, gain / cost];
        }
      }
    }

    let action: Action = null;
    if (target !== null && target.wait === 0) {
      action = { level: target.level, id: target.id };
    } else if (target !== null && filler !== null && params.fillSlack >= 0) {
      // Paying for the filler now pushes the target back; its own income is ignored (conservative).
      if (waitFor(target.cost, filler.cost) - target.wait <= params.fillSlack) {
        action = { level: filler.level, id: filler.id };
      }
    }
    if (action !== null) {
      const cost = input.c[action.level][action.id] * (pExact[action.level][action.id] + 1n);
      if (cost > apples) {
        action = null; // unreachable: affordability was checked exactly
      } else {
        apples -= cost;
        pExact[action.level][action.id] += 1n;
        p[action.level][action.id] += 1;
      }
    }
    actions.push(action);
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < n; j++) {
        const pw = pExact[i][j];
        if (pw === 0n) continue;
        if (i === 0) apples += input.a[j] * bExact[0][j] * pw;
        else {
          bExact[i - 1][j] += bExact[i][j] * pw;
          b[i - 1][j] += b[i][j] * p[i][j];
        }
      }
    }
  }
  return actions;

  /** Fills coef with B_ij(k) in the binomial basis, for the current powers of id j. */
  function polynomialCoefficients(j: number): void {
    for (let i = l - 1; i >= 0; i--) {
      coef[i].fill(0);
      coef[i][0] = b[i][j];
      if (i + 1 < l) { for (let d = 0; d + 1 < l; d++) coef[i][d + 1] = p[i + 1][j] * coef[i + 1][d]; }
    }
  }
}
