/**
 * The TTT-Discover objective (arXiv 2601.16175, Sec. 3.2 and App. A.1): per-group
 * advantages from rewards (adaptive entropic, fixed-beta entropic, expected reward)
 * and per-token KL shaping toward the reference policy. Pure functions on numbers;
 * the loop decides what a group is and which policy produced the log-probabilities.
 */

/** The adaptive beta makes KL(q_beta || uniform) equal this: ln 2. */
export const TARGET_KL = Math.LN2;
/** Largest beta the search tries, in units of 1 / (reward range); see `adaptiveBeta`. */
export const MAX_BETA = 1e6;
/** Bisection steps after the doubling phase has bracketed the target. */
export const BISECTION_STEPS = 60;
/** Added to the leave-one-out normaliser so a lone best rollout never divides by zero. */
export const LEAVE_ONE_OUT_EPS = 1e-12;
/** Beta of the fixed-beta ablation. */
export const DEFAULT_FIXED_BETA = 2;
/** KL penalty coefficient toward the reference policy (paper default). */
export const DEFAULT_KL_PENALTY = 0.1;
/** KL penalty coefficient the paper uses for AtCoder. */
export const ATCODER_KL_PENALTY = 0.01;

/** "none" credits nothing: the ablation in which only the KL and entropy terms move the policy. */
export type AdvantageKind = "entropic" | "fixed-beta" | "expected" | "none";

export interface GroupAdvantages {
  readonly advantages: number[];
  /** The beta used: adaptive or fixed; 0 for the expected-reward baseline. */
  readonly beta: number;
}

/** Largest minus smallest reward. */
function rewardRange(rewards: readonly number[]): { max: number; range: number } {
  let max = -Infinity, min = Infinity;
  for (const r of rewards) {
    if (!Number.isFinite(r)) throw new Error(`reward ${r} is not finite`);
    if (r > max) max = r;
    if (r < min) min = r;
  }
  return { max, range: max - min };
}

/**
 * Rewards closer than this, relative to their size, are equal: differences at the level of
 * floating-point rounding (the same construction reached by two paths) are no signal, and the
 * adaptive beta, being scale-free, would otherwise blow them up into full advantages.
 */
export const FLAT_RELATIVE_RANGE = 1e-10;

/** True when a group carries no signal: its rewards differ by rounding at most. */
export function isFlat(rewards: readonly number[]): boolean {
  const { max, range } = rewardRange(rewards);
  return range <= FLAT_RELATIVE_RANGE * Math.abs(max);
}

/**
 * KL(q || uniform) = ln N - H(q) for q = softmax(beta * gaps), where every gap is
 * r_n - r_max <= 0 (so the largest exponent is 0 and nothing overflows).
 */
export function klToUniform(gaps: readonly number[], beta: number): number {
  let z = 0;
  for (const g of gaps) z += Math.exp(beta * g);
  const logZ = Math.log(z);
  let negEntropy = 0;
  for (const g of gaps) {
    const logq = beta * g - logZ;
    negEntropy += Math.exp(logq) * logq;
  }
  return Math.log(gaps.length) + negEntropy;
}

/**
 * The beta >= 0 with KL(q_beta || uniform) = targetKl, q_beta(n) ∝ exp(beta r_n).
 *
 * The search runs on rewards normalised to unit range, (r - r_max) / (r_max - r_min),
 * and divides the result by the range. KL depends only on beta * (r - r_max), so this
 * is the same root as searching on raw rewards, but it makes the 1e6 cap a statement
 * about how peaked q may get rather than about the units of the reward, and it makes
 * adaptiveBeta(a r + b) = adaptiveBeta(r) / a hold exactly for a > 0, even when capped.
 *
 * The cap is reached when the target is unreachable: KL tends to ln(N / k) as beta
 * grows, k = number of rollouts tied at the maximum, so with k >= N / 2 (e.g. N = 2)
 * ln 2 is approached only in the limit. Constant rewards (or N < 2) give 0: no beta
 * changes q, and the group carries no signal anyway.
 */
export function adaptiveBeta(rewards: readonly number[], targetKl: number = TARGET_KL): number {
  if (rewards.length < 2) return 0;
  const { max, range } = rewardRange(rewards);
  if (range === 0) return 0;
  const gaps = rewards.map((r) => (r - max) / range);

  let hi = 1;
  while (klToUniform(gaps, hi) < targetKl && hi < MAX_BETA) hi = Math.min(hi * 2, MAX_BETA);
  if (klToUniform(gaps, hi) < targetKl) return hi / range;

  let lo = hi === 1 ? 0 : hi / 2;
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = 0.5 * (lo + hi);
    if (klToUniform(gaps, mid) < targetKl) lo = mid;
    else hi = mid;
  }
  return (0.5 * (lo + hi)) / range;
}

/**
 * Leave-one-out entropic advantages: A_n = w_n / (mean_{m != n} w_m + eps) - 1 with
 * w_n = exp(beta (r_n - r_max)). Leaving n out keeps a rollout from lowering its own
 * baseline. A group of fewer than two rollouts has no baseline and gets zeros.
 */
export function entropicAdvantages(rewards: readonly number[], beta: number): number[] {
  const n = rewards.length;
  if (n < 2) return rewards.map(() => 0);
  const { max } = rewardRange(rewards);
  const weights = rewards.map((r) => Math.exp(beta * (r - max)));
  // Sums of the weights before and after n, rather than total - w_n, which cancels
  // catastrophically when one rollout dominates its group.
  const before = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) before[i + 1] = before[i] + weights[i];
  const advantages: number[] = new Array(n);
  let after = 0;
  for (let i = n - 1; i >= 0; i--) {
    const others = (before[i] + after) / (n - 1);
    advantages[i] = weights[i] / (others + LEAVE_ONE_OUT_EPS) - 1;
    after += weights[i];
  }
  return advantages;
}

/**
 * Advantages of one group of rollouts from the same start state, or null when every
 * reward is equal up to rounding (no signal: the paper drops such groups).
 */
export function groupAdvantages(
  rewards: readonly number[],
  kind: AdvantageKind,
  options: { readonly fixedBeta?: number } = {},
): GroupAdvantages | null {
  if (rewards.length === 0 || isFlat(rewards)) return null;
  switch (kind) {
    case "entropic": {
      const beta = adaptiveBeta(rewards);
      return { advantages: entropicAdvantages(rewards, beta), beta };
    }
    case "fixed-beta": {
      const beta = options.fixedBeta ?? DEFAULT_FIXED_BETA;
      return { advantages: entropicAdvantages(rewards, beta), beta };
    }
    case "none":
      return { advantages: rewards.map(() => 0), beta: 0 };
    case "expected": {
      const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      return { advantages: rewards.map((r) => r - mean), beta: 0 };
    }
  }
}

/**
 * What a rollout is credited with inside its group: its reward ("score", the paper's), or only
 * how far it beat a baseline, max(0, r - baseline) with gains at rounding level counted as none:
 * its parent's reward ("improvement") or the run's best reward when the step began ("record").
 * With "score", a program that polishes the parent by 1e-12 outranks one that leaves for a new
 * basin and loses, and the scale-free beta turns that into full advantage: the policy learns to
 * polish and stops exploring. With "improvement", rollouts that do not beat their parent tie, so
 * only real progress is taught, and a group where nothing beat the parent carries no signal.
 * "record" teaches only what moved the run's best, the measure a run is judged by: PUCT expands
 * many states below the best, and a gain there that stays below it earns nothing.
 */
export type Credit = "score" | "improvement" | "record";

/**
 * The group's rewards as credited. `baseline` is the parent's reward under "improvement" and the
 * run's best reward under "record" (the caller picks it; unused under "score").
 */
export function creditedRewards(rewards: readonly number[], baseline: number, credit: Credit): number[] {
  if (credit === "score") return [...rewards];
  if (!Number.isFinite(baseline)) throw new Error(`baseline reward ${baseline} is not finite`);
  const significant = FLAT_RELATIVE_RANGE * Math.abs(baseline);
  return rewards.map((r) => {
    const gain = r - baseline;
    return gain > significant ? gain : 0;
  });
}

export interface KlShapedAdvantages {
  /** Per datum, per token: A_seq + lambda * (meanDiff - (logp_sample_t - logp_ref_t)). */
  readonly advantages: number[][];
  /** Mean over all tokens of the batch of logp_sample - logp_ref: a sampled KL estimate. */
  readonly meanDiff: number;
}

/**
 * Spreads each sequence's advantage over its tokens and adds the KL penalty toward
 * the reference policy, as in the Tinker cookbook's `incorporate_kl_penalty`:
 * tokens the policy now likes more than the reference did are pushed down. The
 * batch mean is subtracted so the penalty only redistributes advantage between
 * tokens and never shifts the total.
 */
export function klShapedAdvantages(
  sequenceAdvantages: readonly number[],
  samplerLogprobs: readonly (readonly number[])[],
  referenceLogprobs: readonly (readonly number[])[],
  lambda: number = DEFAULT_KL_PENALTY,
): KlShapedAdvantages {
  const n = sequenceAdvantages.length;
  if (samplerLogprobs.length !== n || referenceLogprobs.length !== n) {
    throw new Error(
      `klShapedAdvantages: ${n} advantages, ${samplerLogprobs.length} sampler and ` +
        `${referenceLogprobs.length} reference sequences`,
    );
  }
  let sum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    if (samplerLogprobs[i].length !== referenceLogprobs[i].length) {
      throw new Error(`klShapedAdvantages: datum ${i} has mismatched token counts`);
    }
    for (let t = 0; t < samplerLogprobs[i].length; t++) {
      sum += samplerLogprobs[i][t] - referenceLogprobs[i][t];
      count++;
    }
  }
  const meanDiff = count === 0 ? 0 : sum / count;
  const advantages = samplerLogprobs.map((sampled, i) =>
    sampled.map((lp, t) => sequenceAdvantages[i] + lambda * (meanDiff - (lp - referenceLogprobs[i][t])))
  );
  return { advantages, meanDiff };
}

/**
 * Adds an entropy bonus to per-token advantages: each token gains lambda * (mean logp - logp_t), a
 * reward for having written what the sampler thought unlikely. In expectation its policy gradient
 * is lambda times the gradient of the sampled sequences' entropy, so the policy is pulled toward
 * uniform over the choices it makes instead of toward its initial policy (what the KL term anchors
 * to). Needs only the sampler's log-probabilities, so it works for every backend. Like the KL
 * shaping, the batch mean is subtracted so the bonus redistributes advantage and never shifts it.
 */
export function entropyShapedAdvantages(
  advantages: readonly (readonly number[])[],
  samplerLogprobs: readonly (readonly number[])[],
  lambda: number,
): number[][] {
  if (advantages.length !== samplerLogprobs.length) {
    throw new Error(
      `entropyShapedAdvantages: ${advantages.length} advantages, ${samplerLogprobs.length} sequences`,
    );
  }
  let sum = 0, count = 0;
  samplerLogprobs.forEach((sampled, i) => {
    if (sampled.length !== advantages[i].length) {
      throw new Error(`entropyShapedAdvantages: datum ${i} has mismatched token counts`);
    }
    for (const lp of sampled) {
      if (!Number.isFinite(lp)) throw new Error(`entropyShapedAdvantages: logprob ${lp} is not finite`);
      sum += lp;
      count++;
    }
  });
  const mean = count === 0 ? 0 : sum / count;
  return advantages.map((row, i) => row.map((a, t) => a + lambda * (mean - samplerLogprobs[i][t])));
}
