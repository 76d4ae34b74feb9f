/**
 * The Problem contract. One module per problem implements it (the registry's under problems/,
 * or a user's anywhere); the loop, the archive and the policies know nothing else about a problem.
 */
import { z } from "zod";
import type { MoveGrammar, Program } from "./grammar.ts";
import type { Rng } from "./rng.ts";

/** Which way is better for a problem's quantity. */
export type Direction = "minimize" | "maximize";

/** What a verifier says about a state. Invalid states never carry a reward. */
export interface Evaluation {
  /** Whether the state is a valid construction (only valid states carry a value and a reward). */
  readonly valid: boolean;
  /** The published quantity (e.g. C5), recomputed from the construction; null if invalid. */
  readonly value: number | null;
  /** Higher is better; 0 when invalid. For minimisation problems typically 1 / value. */
  readonly reward: number;
  /** Why the state is invalid, in one line. */
  readonly error?: string;
  /** Anything else the verifier found (per-case scores, violations), for displays and reports. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A state as it travels between processes and to disk: plain JSON. */
export type StateJSON = unknown;

/**
 * What checks a problem's options and fills in their defaults. Any zod schema is one, e.g.
 * `z.object({ points: z.number().int().default(12) })` (z comes with this kit); this is the part of
 * zod's API the toolkit calls.
 */
export interface OptionsSchema<O> {
  /** The options, checked and with their defaults filled in; throws when they do not hold. */
  parse(input: unknown): O;
  /** As parse, but returns the outcome: the options, or the issues (each a field path and a message). */
  safeParse(input: unknown): OptionsCheck<O>;
}

/** What OptionsSchema.safeParse returns (zod's result, as far as the toolkit reads it). */
export type OptionsCheck<O> =
  | { readonly success: true; readonly data: O }
  | {
    readonly success: false;
    readonly error: {
      readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
    };
  };

/**
 * What a move may use. Budgets are counts (iterations, restarts), never wall time, so runs
 * stay deterministic; `deadline` is only the safety net under the rollout time limit.
 */
export interface MoveContext {
  /** The rollout's own random stream: rollouts from one parent differ through it. */
  readonly rng: Rng;
  /**
   * Epoch milliseconds (Date.now()) by which the program must have returned. A move that
   * reaches it stops early and returns its best valid iterate (see `pastDeadline`), never a
   * partial or invalid one. Absent: no limit.
   */
  readonly deadline?: number;
}

/** True once a move should stop and return its best valid iterate. */
export function pastDeadline(context: { readonly deadline?: number } | undefined): boolean {
  return context?.deadline !== undefined && Date.now() >= context.deadline;
}

/**
 * What a problem module exports. The core is small: a name, a direction, initial states, a state
 * codec (toJSON / fromJSON) and an exact verifier. Each route's parts are an optional group, checked
 * when a run's policy needs them: the built-in policy needs `grammar`, `featureNames`, `features` and
 * `apply`; a language-model policy needs `prompt` and `parse` (and `judge` for judged programs).
 */
export interface ProblemDefinition<S = unknown, O = Record<string, unknown>> {
  /** The problem's name: the run directory (`runs/<name>/`) and the registry's key. */
  readonly name: string;
  /** Whether a lower or a higher value is better. */
  readonly direction: Direction;
  /** Seeds of the archive (random or trivial, as in the paper). `init` names a warm start. */
  initialStates(rng: Rng, options: O, init?: string): S[];
  /** The verifier: recomputes everything from the construction; never throws. May be async. */
  evaluate(state: unknown): Evaluation | Promise<Evaluation>;
  /** Serialisation for workers and the run store: the state as plain JSON. */
  toJSON(state: S): StateJSON;
  /** The state from its JSON, validated (throws on anything that is not one). */
  fromJSON(json: StateJSON): S;

  /** Default: the name. */
  readonly title?: string;
  /** Name of the published quantity, e.g. "C5". Default: "value". */
  readonly quantity?: string;
  /** Validates and fills defaults for problem options. Default: no options. */
  readonly optionsSchema?: OptionsSchema<O>;
  /** Names accepted by `initialStates(..., init)`, besides "random". Default: none. */
  readonly warmStarts?: readonly string[];
  /** Identical states share a key (for deduplication in the archive). Default: the JSON text. */
  stateKey?(state: S): string;
  /** Best published value, for progress displays and reports. */
  readonly record?: { readonly value: number; readonly source: string };

  /** Built-in route: the move grammar the policy writes programs in. */
  readonly grammar?: MoveGrammar;
  /** Built-in route: what `features` returns, by name; its length is the policy's input size. */
  readonly featureNames?: readonly string[];
  /** Built-in route: features of a start state the policy conditions on (one per name, O(1) scale). */
  features?(state: S, evaluation: Evaluation): number[];
  /** Built-in route: runs a program on a state; may throw (the attempt is then invalid with that error). */
  apply?(program: Program, state: S, context: MoveContext): S | Promise<S>;
  /**
   * Optional: how many numbers a construction is made of at its resolution (a step function's
   * pieces). A state whose size differs from its parent's was resampled (a door, which ties its
   * parent) or rebuilt at another resolution: either wants polishing before anything reshapes it
   * (`--follow-through`; a search feature). Ties cannot say this: most states that tie their parent
   * are a polish that barely moved.
   */
  size?(state: S): number;

  /**
   * Language-model route. `prompt` writes what the model sees for one attempt from `state`;
   * `parse` extracts the program from the model's reply (throws with a clear message when it
   * cannot). The program's function receives `toJSON(state)` and returns the new state as JSON,
   * which `evaluate` then verifies in the parent process.
   */
  prompt?(state: S, evaluation: Evaluation, context: PromptContext): string;
  /** Language route: the program in a model's reply (throws with a clear message when there is none). */
  parse?(text: string): ParsedProgram;
  /**
   * Language route for problems whose programs are judged rather than called on a construction
   * (a C++ solver run on a case set, a C kernel timed against a baseline, a denoising function run
   * on the training split). Runs the parsed program from `parent`, everything model-written inside
   * a sandbox, and returns the new state as JSON carrying the judge's verdict, which `evaluate`
   * accepts only when this toolkit's judge recorded it (lib/verdicts.ts). Never throws for the
   * program's faults: a compile error, crash, timeout or wrong output comes back as `error`.
   * Without it the route calls the program's `entry` on `toJSON(parent)` (construction problems).
   */
  judge?(program: ParsedProgram, parent: S, limits: JudgeLimits): Promise<JudgeResult>;

  /** Optional independent recomputation of the value (e.g. exact summation) for best.json. */
  certify?(state: S): { readonly method: string; readonly value: number };
  /** Figures of a construction as standalone SVG strings (for reports and notebooks). */
  figures?(state: S): string[];
  /** Flags of this problem's own for `deno task run` (e.g. --data), each setting one option. */
  readonly cliFlags?: Readonly<Record<string, { readonly option: string; readonly description: string }>>;
  /** A text report after a run, e.g. the best state scored on held-out data; the CLI prints and saves it. */
  afterRun?(best: S, options: O): Promise<string> | string;
  /** Run settings that suit this problem (group size, steps, ...), under the user's flags. */
  readonly runDefaults?: Readonly<Record<string, unknown>>;
}

/** A problem as the toolkit holds it: its definition with the defaults filled in (`defineProblem`). */
export interface Problem<S = unknown, O = Record<string, unknown>> extends ProblemDefinition<S, O> {
  /** For progress lines and reports (default: the name). */
  readonly title: string;
  /** Name of the published quantity (default: "value"). */
  readonly quantity: string;
  /** Validates and fills defaults for problem options (default: none accepted). */
  readonly optionsSchema: OptionsSchema<O>;
  /** Names accepted by `initialStates(..., init)`, besides "random" (default: none). */
  readonly warmStarts: readonly string[];
  /** Identical states share a key (default: the JSON text). */
  stateKey(state: S): string;
}

/** The built-in route's parts: a problem the built-in policy can run has all four. */
export interface BuiltinParts<S = unknown> {
  /** The move grammar the policy writes programs in. */
  readonly grammar: MoveGrammar;
  /** What `features` returns, by name; its length is the policy's input size. */
  readonly featureNames: readonly string[];
  /** Features of a start state (one per name, O(1) scale). */
  features(state: S, evaluation: Evaluation): number[];
  /** Runs a program on a state (may throw: the attempt is then invalid with that error). */
  apply(program: Program, state: S, context: MoveContext): S | Promise<S>;
}

/** The language route's parts: a problem a language-model policy can run has both. */
export interface LanguageParts<S = unknown> {
  /** What the model sees for one attempt from `state`. */
  prompt(state: S, evaluation: Evaluation, context: PromptContext): string;
  /** The program in the model's reply. */
  parse(text: string): ParsedProgram;
}

/** A problem with the built-in route and a synchronous verifier. */
export type BuiltinProblem<S = unknown, O = Record<string, unknown>> =
  & { evaluate(state: unknown): Evaluation }
  & Problem<S, O>
  & BuiltinParts<S>;

/** A problem with both routes and a synchronous verifier, as the toolkit's own problems are. */
export type FullProblem<S = unknown, O = Record<string, unknown>> = BuiltinProblem<S, O> & LanguageParts<S>;

/** Members of the built-in and the language route, for the contract's checks and messages. */
export const BUILTIN_PARTS = ["grammar", "featureNames", "features", "apply"] as const;
export const LANGUAGE_PARTS = ["prompt", "parse"] as const;

/**
 * A problem with its defaults filled in: title (its name), quantity ("value"), no options, no warm
 * starts, states keyed by their JSON text. Returns the definition itself when it lacks none of them.
 * A definition is a plain object (its own members are copied).
 */
export function defineProblem<S, O = Record<string, never>>(
  definition: ProblemDefinition<S, O>,
): Problem<S, O> {
  const d = definition;
  if (
    d.title !== undefined && d.quantity !== undefined && d.optionsSchema !== undefined &&
    d.warmStarts !== undefined && d.stateKey !== undefined
  ) {
    return d as Problem<S, O>;
  }
  return {
    ...d,
    title: d.title ?? d.name,
    quantity: d.quantity ?? "value",
    optionsSchema: d.optionsSchema ?? (z.object({}).strict() as unknown as OptionsSchema<O>),
    warmStarts: d.warmStarts ?? [],
    stateKey: d.stateKey ? (state: S) => d.stateKey!(state) : (state: S) => JSON.stringify(d.toJSON(state)),
  };
}

/** The length of a problem's feature vector (the built-in policy's input size): one per feature name. */
export function featureDim(problem: { readonly featureNames?: readonly string[] }): number {
  return problem.featureNames?.length ?? 0;
}

/** What the language-model route knows about a start state besides the state itself. */
export interface PromptContext {
  /** The program that produced this state, when one did (not for initial states). */
  readonly parentProgram?: string;
  /** Value of the state that program started from ("before"); the state's own value is "after". */
  readonly valueBefore?: number;
  /** The last characters of what that program printed. */
  readonly parentOutput?: string;
  /** The value to beat (the published record or the best so far, whichever is better). */
  readonly target?: number;
  /** Budget for the whole prompt in characters; long parts are cut to fit. */
  readonly maxChars: number;
  /** Wall-clock limit the program will run under, in seconds. */
  readonly timeoutSeconds: number;
}

/** The languages model-written programs come in; each runs in its own sandbox (lib/sandbox/). */
export type ProgramLanguage = "typescript" | "c++" | "c";

/** A program extracted from a model's reply, ready for the sandbox. */
export interface ParsedProgram {
  /** The program's language (each has its own sandbox). */
  readonly language: ProgramLanguage;
  /** The program's source text. */
  readonly source: string;
  /** The function the sandbox calls (TypeScript, C) or "main" for a whole C++ program. */
  readonly entry: string;
}

/** What the language route gives a judge. */
export interface JudgeLimits {
  /** Wall-clock budget of the whole judgement (compile and every case), ms. */
  readonly timeoutMs: number;
  /** V8 heap cap of a sandboxed TypeScript program, MiB. */
  readonly heapMiB: number;
  /** The rollout's own random stream (e.g. for fresh kernel inputs). */
  readonly seed: number;
}

/** A judged program: the new state (with its verdict), or why the attempt is invalid. */
export interface JudgeResult {
  /** The new state as JSON, carrying the judge's verdict; absent when the program failed. */
  readonly state?: StateJSON;
  /** One short line when the program failed to compile, crashed, timed out or answered wrongly. */
  readonly error?: string;
  /** What the program printed (its stderr for native programs), for the next prompt. */
  readonly output: string;
}

/** The verdict on an unusable state: invalid, with no value and no reward, and why. */
export function invalid(error: string, details?: Readonly<Record<string, unknown>>): Evaluation {
  return details === undefined
    ? { valid: false, value: null, reward: 0, error }
    : { valid: false, value: null, reward: 0, error, details };
}

/** The reward convention: higher is better, strictly positive for any valid state. */
export function rewardFor(direction: Direction, value: number): number {
  return direction === "minimize" ? 1 / value : value;
}
