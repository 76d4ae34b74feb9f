/**
 * Parameter ladders: the built-in route's AtCoder states are solver parameters, each with an
 * ordered list of allowed values. Moves step along a ladder or redraw a value; features are
 * positions on the ladders. Shared by AHC039 and AHC058.
 */
import type { Rng } from "../../lib/rng.ts";

export type Ladders<K extends string> = Readonly<Record<K, readonly number[]>>;

/** Index of the ladder value nearest to `value` (by log distance for positive ladders). */
export function ladderIndex(ladder: readonly number[], value: number): number {
  const positive = ladder.every((x) => x > 0) && value > 0;
  let best = 0, bestDistance = Infinity;
  for (let i = 0; i < ladder.length; i++) {
    const distance = positive ? Math.abs(Math.log(ladder[i] / value)) : Math.abs(ladder[i] - value);
    if (distance < bestDistance) [best, bestDistance] = [i, distance];
  }
  return best;
}

/** The value `steps` rungs away from `value` on its ladder, clamped to the ends. */
export function stepOnLadder(ladder: readonly number[], value: number, steps: number): number {
  const i = Math.min(ladder.length - 1, Math.max(0, ladderIndex(ladder, value) + steps));
  return ladder[i];
}

/** A random rung other than the current one (when the ladder has more than one). */
export function redraw(ladder: readonly number[], value: number, rng: Rng): number {
  if (ladder.length < 2) return ladder[0];
  const current = ladderIndex(ladder, value);
  const pick = rng.int(ladder.length - 1);
  return ladder[pick >= current ? pick + 1 : pick];
}

/** Position on the ladder scaled to [0, 1], a feature for the built-in policy. */
export function ladderPosition(ladder: readonly number[], value: number): number {
  return ladder.length < 2 ? 0 : ladderIndex(ladder, value) / (ladder.length - 1);
}
