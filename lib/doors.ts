/**
 * Where a run's door groups were and what they found. A door is a start state at a new size (its
 * `Problem.size` differs from its parent's: resampled or rebuilt); the probe of Erdős's plateau
 * showed a run leaves a plateau only there, so a study asks how many door groups its runs had, at
 * which sizes, and whether any rollout gained there (`ttt_pays --doors`).
 */
import type { Direction } from "./problem.ts";
import { newSize, requireDoors } from "./search_features.ts";

export interface ArchivedState<S> {
  readonly id: number;
  readonly parentId: number;
  /** The problem's own measure (C5, a sum of radii), not the reward the policy was trained on. */
  readonly value: number;
  readonly state: S;
}

export interface Rollout {
  readonly step: number;
  readonly group: number;
  /** The archived state the rollout started from. */
  readonly parentId: number;
  readonly value: number;
  readonly valid: boolean;
}

/** Door groups of one kind: the same sizes before and after the door. */
export interface DoorKind {
  /** e.g. "51->102": the parent's size, then the door's. */
  readonly sizes: string;
  readonly groups: number;
  readonly rollouts: number;
  /** Valid rollouts whose value beat the door's by more than the threshold. */
  readonly gained: number;
  /** The largest gain in value over the door of any valid rollout, in the problem's direction (-Infinity: none valid). */
  readonly bestGain: number;
}

export interface DoorSummary {
  /** Groups (a step's start states) in the run, and those started at a door. */
  readonly groups: number;
  readonly doorGroups: number;
  readonly rollouts: number;
  readonly doorRollouts: number;
  /** Door rollouts that gained more than the threshold. */
  readonly gained: number;
  /** By kind, most rollouts first. */
  readonly kinds: DoorKind[];
}

/** A run's door groups by kind; a rollout "gained" when its value beats its door's by more than `by`. */
export function doorSummary<S>(
  problem: { readonly name: string; readonly direction: Direction; size?(state: S): number },
  states: readonly ArchivedState<S>[],
  rollouts: readonly Rollout[],
  by: number,
): DoorSummary {
  requireDoors(problem, "ttt_pays --doors");
  const size = problem.size.bind(problem);
  const byId = new Map(states.map((s) => [s.id, s]));
  const groups = new Set<string>(), doorGroups = new Map<string, string>();
  const kinds = new Map<string, { groups: number; rollouts: number; gained: number; bestGain: number }>();
  let doorRollouts = 0, gained = 0;
  for (const r of rollouts) {
    const key = `${r.step}/${r.group}`;
    groups.add(key);
    const start = byId.get(r.parentId);
    const parent = start && byId.get(start.parentId);
    if (!start || !parent || !newSize(problem, start.state, parent.state)) continue;
    const sizes = `${size(parent.state)}->${size(start.state)}`;
    const kind = kinds.get(sizes) ?? { groups: 0, rollouts: 0, gained: 0, bestGain: -Infinity };
    if (!doorGroups.has(key)) {
      doorGroups.set(key, sizes);
      kind.groups++;
    }
    kind.rollouts++;
    doorRollouts++;
    if (r.valid) {
      const gain = problem.direction === "minimize" ? start.value - r.value : r.value - start.value;
      kind.bestGain = Math.max(kind.bestGain, gain);
      if (gain > by) {
        kind.gained++;
        gained++;
      }
    }
    kinds.set(sizes, kind);
  }
  return {
    groups: groups.size,
    doorGroups: doorGroups.size,
    rollouts: rollouts.length,
    doorRollouts,
    gained,
    kinds: [...kinds].map(([sizes, k]) => ({ sizes, ...k })).sort((a, b) => b.rollouts - a.rollouts),
  };
}
