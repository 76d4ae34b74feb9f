/**
 * Where a start state stands in the search, as features the built-in policy can condition on
 * (`--search-features`). A problem's own features describe the state; these describe its history:
 * whether expanding it already failed, how often it was tried, how much it gained over its parent
 * and how far it is from the run's best. A move that only opens a door (a `resample` that ties
 * with its siblings) pays on a stalled state and wastes a rollout on one still improving; with
 * these a policy can learn the difference instead of keeping a fixed share of doors everywhere.
 */

export const SEARCH_FEATURE_NAMES = [
  "expanded without a better child (0/1)",
  "log2(1 + visits) / 5, clipped at 2",
  "relative gain over its parent, log scale (0: none or below 1e-12, 1: 1e-2 or more)",
  "relative gap to the run's best, log scale (0: it is the best)",
] as const;

/** What the features are computed from: one archived state, its parent's reward and the run's best. */
export interface SearchStanding {
  readonly reward: number;
  /** Groups started from it or its descendants (the archive's n(s)). */
  readonly visits: number;
  /** Best one-step child reward; -Infinity (NaN or null in states.parquet) until it is expanded. */
  readonly bestChildReward: number | null;
  /** The parent's reward; undefined for an initial state or a parent no longer archived. */
  readonly parentReward?: number;
  /** The best reward in the run so far. */
  readonly bestReward: number;
}

/** 1e-12 -> 0, 1e-7 -> 0.5, 1e-2 and above -> 1; 0 for no gain (or a non-finite one). */
function logScale(relative: number): number {
  if (!(relative > 0) || !Number.isFinite(relative)) return 0;
  return Math.min(1, Math.max(0, (Math.log10(relative) + 12) / 10));
}

function relative(from: number, to: number): number {
  return (to - from) / Math.max(Math.abs(from), 1e-12);
}

export function searchFeatures(s: SearchStanding): number[] {
  const expanded = s.bestChildReward !== null && Number.isFinite(s.bestChildReward);
  return [
    expanded && (s.bestChildReward as number) <= s.reward ? 1 : 0,
    Math.min(2, Math.log2(1 + Math.max(0, s.visits)) / 5),
    s.parentReward === undefined ? 0 : logScale(relative(s.parentReward, s.reward)),
    logScale(relative(s.reward, s.bestReward)),
  ];
}
