/**
 * Which program escapes from this state? A probe runs chosen programs (or programs drawn uniformly
 * from the grammar, as the untrained policy writes them) from start states under a run's rollout
 * rules (equal effort, time limit) and tallies, per start and program, how often the rollout beat
 * its start and by how much. It is how a study finds what a trap's escape needs before asking
 * whether training can learn it (bench/probe.ts is its command line).
 */
import { decodeProgram, formatProgram, type MoveGrammar, nextDecision, type Program } from "./grammar.ts";
import { ties } from "./archive.ts";
import type { Problem } from "./problem.ts";
import { deriveSeed, Rng } from "./rng.ts";
import { runRollout } from "./rollout.ts";

/** A start state with a name for the tables. */
export interface ProbeStart {
  readonly label: string;
  /** The state as JSON (as the run store keeps it). */
  readonly state: unknown;
}

/** One rollout of a probe. */
export interface ProbeRow {
  readonly start: string;
  readonly program: string;
  /** Which repeat of this program from this start (its rollout seed differs). */
  readonly repeat: number;
  readonly valid: boolean;
  /** The verifier's value of the rollout's result; null when invalid. */
  readonly value: number | null;
  /**
   * How much better than the start, in value units (positive = better, either direction); 0 within
   * evaluation rounding (the archive's `ties`), so float dust is not an escape.
   */
  readonly gain: number | null;
  /** The result's size (`Problem.size`), when the problem has one. */
  readonly size?: number;
  readonly ms: number;
}

export interface ProbeOptions {
  /** Explicit programs, each run `repeats` times from every start; or `uniform` draws per start. */
  readonly programs: readonly Program[] | { readonly uniform: number };
  readonly repeats: number;
  /** Equal effort per rollout, seconds (as `--effort`); absent: the program once. */
  readonly effortSeconds?: number;
  /** Rollout time limit, seconds (as `--program-timeout`). */
  readonly timeoutSeconds: number;
  readonly seed: number;
  /** Called with every row as it comes (progress, a file that loses nothing on a crash). */
  readonly onRow?: (row: ProbeRow, done: number, total: number) => void | Promise<void>;
}

/** A program drawn uniformly at every decision of the grammar (operators, stop, parameters). */
export function sampleUniformProgram(grammar: MoveGrammar, rng: Rng): Program {
  const tokens: number[] = [];
  for (let d = nextDecision(grammar, tokens); d; d = nextDecision(grammar, tokens)) {
    tokens.push(Math.floor(rng.next() * d.arity));
  }
  return decodeProgram(grammar, tokens);
}

/** Runs the probe, one rollout at a time on this thread; rows in start-major order. */
export async function probe(
  problem: Problem,
  starts: readonly ProbeStart[],
  options: ProbeOptions,
): Promise<ProbeRow[]> {
  if (!problem.grammar || !problem.apply) throw new Error(`${problem.name} has no built-in moves to probe`);
  const grammar = problem.grammar;
  const sign = problem.direction === "minimize" ? 1 : -1;
  const perStart = "uniform" in options.programs ? options.programs.uniform : options.programs.length;
  const total = starts.length * perStart * options.repeats;
  const rows: ProbeRow[] = [];
  for (const [s, start] of starts.entries()) {
    const startEvaluation = await problem.evaluate(start.state);
    if (!startEvaluation.valid || startEvaluation.value === null) {
      throw new Error(`start "${start.label}" is invalid: ${startEvaluation.error}`);
    }
    const startValue = startEvaluation.value;
    for (let k = 0; k < perStart; k++) {
      const program = "uniform" in options.programs
        ? sampleUniformProgram(grammar, new Rng(deriveSeed(options.seed, s, k, 1)))
        : options.programs[k];
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const result = await runRollout(problem, {
          id: rows.length,
          program,
          state: start.state,
          seed: deriveSeed(options.seed, s, k, repeat, 2),
          deadline: Date.now() + options.timeoutSeconds * 1000,
          effortMs: options.effortSeconds === undefined ? undefined : options.effortSeconds * 1000,
        });
        const valid = result.evaluation.valid;
        const value = valid ? result.evaluation.value : null;
        const row: ProbeRow = {
          start: start.label,
          program: formatProgram(program),
          repeat,
          valid,
          value,
          gain: value === null ? null : ties(value, startValue) ? 0 : sign * (startValue - value),
          size: valid && problem.size ? problem.size(problem.fromJSON(result.state)) : undefined,
          ms: Math.round(result.durationMs),
        };
        rows.push(row);
        await options.onRow?.(row, rows.length, total);
      }
    }
  }
  return rows;
}

/** One line of a probe's table: a start and a program (or an operator, for uniform probes). */
export interface ProbeTally {
  readonly start: string;
  readonly program: string;
  readonly rollouts: number;
  /** Rollouts that beat the start by more than `by`. */
  readonly improved: number;
  readonly bestGain: number | null;
  readonly medianGain: number | null;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function tally(start: string, program: string, rows: readonly ProbeRow[], by: number): ProbeTally {
  const gains = rows.flatMap((r) => r.gain === null ? [] : [r.gain]);
  return {
    start,
    program,
    rollouts: rows.length,
    improved: gains.filter((g) => g > by).length,
    bestGain: gains.length ? Math.max(...gains) : null,
    medianGain: median(gains),
  };
}

/** Per start and program: how often it beat the start by more than `by` (value units). */
export function tallyByProgram(rows: readonly ProbeRow[], by = 0): ProbeTally[] {
  const groups = new Map<string, ProbeRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.start, r.program]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  return [...groups].map(([key, rs]) => {
    const [start, program] = JSON.parse(key);
    return tally(start, program, rs, by);
  });
}

/**
 * Per start and operator: the rollouts whose program contains it (for uniform probes, where every
 * program is different): which operator the escapes have in common.
 */
export function tallyByOperator(rows: readonly ProbeRow[], grammar: MoveGrammar, by = 0): ProbeTally[] {
  const starts = [...new Set(rows.map((r) => r.start))];
  return starts.flatMap((start) =>
    grammar.operators.map((op) => {
      const containing = new RegExp(`(^|; )${op.name}\\(`);
      return tally(start, op.name, rows.filter((r) => r.start === start && containing.test(r.program)), by);
    })
  );
}
