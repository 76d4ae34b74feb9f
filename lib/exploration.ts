/**
 * Exploration control: the sampling temperature rises while groups come back flat and
 * relaxes to the configured one when they carry signal again.
 *
 * A flat group (every rollout scored the same) is dropped by the objective, so a policy
 * that has collapsed onto one program gets no gradient that could pull it out: it
 * stays collapsed, and the step is spent for nothing. Sampling hotter makes its group
 * differ again. The rule depends only on rewards, so a run stays reproducible, and it
 * works the same for every backend (a language model takes a temperature too).
 */
import { isFlat } from "./objective.ts";

export interface ExplorationOptions {
  /** The configured temperature: the floor, and where the control relaxes to. */
  readonly base: number;
  /** Highest temperature, as a multiple of base. */
  readonly maxFactor: number;
  /** Above this share of flat groups in a step the temperature rises. */
  readonly flatShare: number;
  /** Multiplier per step, up while flat, down otherwise. */
  readonly rate: number;
}

export const DEFAULT_EXPLORATION: Omit<ExplorationOptions, "base"> = {
  maxFactor: 4,
  flatShare: 0.25,
  rate: 1.5,
};

/** Share of groups whose rewards are all equal up to rounding (the groups the objective drops). */
export function flatGroupShare(groups: readonly (readonly number[])[]): number {
  if (groups.length === 0) return 0;
  const flat = groups.filter((rewards) => rewards.length > 0 && isFlat(rewards)).length;
  return flat / groups.length;
}

/** The next step's temperature from this step's and the share of its groups that were flat. */
export function nextTemperature(current: number, flatShare: number, options: ExplorationOptions): number {
  const ceiling = options.base * options.maxFactor;
  if (flatShare > options.flatShare) return Math.min(ceiling, current * options.rate);
  return Math.max(options.base, current / options.rate);
}
