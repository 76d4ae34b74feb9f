/**
 * The Problem contract. One folder per problem under problems/ implements it; the
 * loop, the archive and the policies know nothing else about a problem.
 */
import type { z } from "zod";
import type { MoveGrammar, Program } from "./grammar.ts";
import type { Rng } from "./rng.ts";

export type Direction = "minimize" | "maximize";

/** What a verifier says about a state. Invalid states never carry a reward. */
export interface Evaluation {
  readonly valid: boolean;
  /** The published quantity (e.g. C5), recomputed from the construction; null if invalid. */
  readonly value: number | null;
  /** Higher is better; 0 when invalid. For minimisation problems typically 1 / value. */
  readonly reward: number;
  readonly error?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A state as it travels between processes and to disk: plain JSON. */
export type StateJSON = unknown;

/** Limits a move must respect; counts, never wall time, so runs stay deterministic. */
export interface MoveContext {
  readonly rng: Rng;
}

export interface Problem<S = unknown, O = Record<string, unknown>> {
  readonly name: string;
  readonly title: string;
  readonly direction: Direction;
  /** Name of the published quantity, e.g. "C5". */
  readonly quantity: string;
  /** Best published value, for progress displays and reports. */
  readonly record?: { readonly value: number; readonly source: string };
  /** Validates and fills defaults for problem options. */
  readonly optionsSchema: z.ZodType<O>;

  /** Seeds of the archive (random or trivial, as in the paper). `init` names a warm start. */
  initialStates(rng: Rng, options: O, init?: string): S[];
  /** Names accepted by `initialStates(..., init)`, besides "random". */
  readonly warmStarts: readonly string[];

  /** The verifier: recomputes everything from the construction; never throws. */
  evaluate(state: unknown): Evaluation;

  /** Built-in route. */
  readonly grammar: MoveGrammar;
  readonly featureDim: number;
  /** Features of a start state the built-in policy conditions on (length featureDim, O(1) scale). */
  features(state: S, evaluation: Evaluation): number[];
  /** Runs a program on a state; may throw (the attempt is then invalid with that error). */
  apply(program: Program, state: S, context: MoveContext): S | Promise<S>;

  /** Serialisation for workers and the run store. fromJSON validates. */
  toJSON(state: S): StateJSON;
  fromJSON(json: StateJSON): S;
  /** Identical states share a key (for deduplication in the archive). */
  stateKey(state: S): string;

  /** Optional independent recomputation of the value (e.g. exact summation) for best.json. */
  certify?(state: S): { readonly method: string; readonly value: number };
  /** Figures of a construction as standalone SVG strings (for reports and notebooks). */
  figures?(state: S): string[];
  /** Run settings that suit this problem (group size, steps, ...), under the user's flags. */
  readonly runDefaults?: Readonly<Record<string, unknown>>;
}

/** The reward convention: higher is better, strictly positive for any valid state. */
export function rewardFor(direction: Direction, value: number): number {
  return direction === "minimize" ? 1 / value : value;
}
