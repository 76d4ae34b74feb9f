/**
 * Where a start state stands in the search, as features the built-in policy can condition on
 * (`--search-features`). A problem's own features describe the state; these describe its history:
 * how much its lineage gained over the last few moves, how often it was tried, how much it gained
 * over its parent and how far it is from the run's best. A move that only opens a door (a
 * `resample` that ties with its siblings) pays where a lineage has stalled and wastes a rollout on
 * one still improving; with these a policy can learn the difference instead of keeping a fixed
 * share of doors everywhere.
 *
 * Why lineage progress and not "expanded without a better child": PUCT scores an expanded state by
 * its best child, so it hardly ever expands a state whose children all lost; in an Erdős study
 * (576 expansions an arm, counted from its attempts) it did so never. A plateau shows in the
 * lineage instead: each new best state gains 1e-9 over its parent, 4 moves gain little more, while
 * a door and its polish gain 1e-5.
 */

/** Moves back along the lineage over which progress is measured. */
export const PROGRESS_MOVES = 4;

export const SEARCH_FEATURE_NAMES = [
  "relative gain over its ancestor 4 moves back (or its oldest archived one), log scale",
  "log2(1 + visits) / 5, clipped at 2",
  "relative gain over its parent, log scale (0: none or below 1e-12, 1: 1e-2 or more)",
  "relative gap to the run's best, log scale (0: it is the best)",
  "at a new size (1: the problem's size of it differs from its parent's, as after a resampling; 0 without a size)",
] as const;

/** What the features are computed from: one archived state, its parent's reward and the run's best. */
export interface SearchStanding {
  readonly reward: number;
  /** Groups started from it or its descendants (the archive's n(s)). */
  readonly visits: number;
  /** The parent's reward; undefined for an initial state or a parent no longer archived. */
  readonly parentReward?: number;
  /** The reward of its ancestor PROGRESS_MOVES back (see ancestorReward); undefined for none. */
  readonly ancestorReward?: number;
  /** The best reward in the run so far. */
  readonly bestReward: number;
  /** Whether its size differs from its parent's (see `Problem.size`). */
  readonly resized: boolean;
}

/** 1e-12 -> 0, 1e-7 -> 0.5, 1e-2 and above -> 1; 0 for no gain (or a non-finite one). */
function logScale(relative: number): number {
  if (!(relative > 0) || !Number.isFinite(relative)) return 0;
  return Math.min(1, Math.max(0, (Math.log10(relative) + 12) / 10));
}

function relative(from: number, to: number): number {
  return (to - from) / Math.max(Math.abs(from), 1e-12);
}

/**
 * The reward of the farthest archived ancestor within PROGRESS_MOVES moves (ancestors nearest
 * first; an evicted one is skipped), or undefined for an initial state.
 */
export function ancestorReward(
  ancestors: readonly number[],
  rewardOf: (id: number) => number | undefined,
): number | undefined {
  for (const id of ancestors.slice(0, PROGRESS_MOVES).reverse()) {
    const reward = rewardOf(id);
    if (reward !== undefined) return reward;
  }
  return undefined;
}

/**
 * Whether `state` is at a new size (`Problem.size`) against `parent`: a resampling (a door, which
 * ties its parent) or a construction rebuilt at another resolution; neither is a polish. False
 * without a parent or a size.
 */
export function newSize<S>(
  problem: { size?(state: S): number },
  state: S,
  parent: S | undefined,
): boolean {
  return problem.size !== undefined && parent !== undefined && problem.size(state) !== problem.size(parent);
}

/** Refuses a flag that acts on doors (states at a new size) for a problem whose states have no size. */
export function requireDoors<P extends { readonly name: string; size?: unknown }>(
  problem: P,
  flag: string,
): asserts problem is P & { size: NonNullable<P["size"]> } {
  if (!problem.size) {
    throw new Error(
      `${flag}: ${problem.name} has no size (how many numbers a construction is made of), so no state is a door`,
    );
  }
}

export function searchFeatures(s: SearchStanding): number[] {
  return [
    s.ancestorReward === undefined ? 0 : logScale(relative(s.ancestorReward, s.reward)),
    Math.min(2, Math.log2(1 + Math.max(0, s.visits)) / 5),
    s.parentReward === undefined ? 0 : logScale(relative(s.parentReward, s.reward)),
    logScale(relative(s.reward, s.bestReward)),
    s.resized ? 1 : 0,
  ];
}
