/**
 * The C++ route shared by the contest problems: compile a solver with g++ -O2 -std=c++20 and
 * run it on each case under the contest limits (2 s, 1 GiB) through lib/sandbox/native.ts,
 * score every output with the problem's exact scorer, and reward the mean score (0 with the
 * reason as soon as any case fails to compile, crashes, times out or prints an illegal answer).
 */
import type { Evaluation } from "../../lib/problem.ts";
import { compileNative, type CompileResult, runNative } from "../../lib/sandbox/native.ts";
import { type CaseOutcome, meanScoreEvaluation } from "./cases.ts";

export interface NativeCase {
  readonly name: string;
  /** The input as the contest's text, fed on stdin. */
  readonly text: string;
}

export interface JudgeOptions {
  /** Wall-clock limit per case (contest: 2000 ms). */
  readonly timeoutMs?: number;
  /** Address-space limit (contest: 1024 MiB). */
  readonly memoryMiB?: number;
  /** Cap on captured stdout; a longer output is a failure. */
  readonly outputBytes?: number;
  /** Where compiled programs are cached (by source hash). */
  readonly cacheDir?: string;
  /** Stop at the first failing case, as the contest voids a submission anyway (default true). */
  readonly stopOnFailure?: boolean;
}

export interface NativeJudgement {
  readonly compile: CompileResult;
  readonly outcomes: readonly CaseOutcome[];
  /** Mean score, or invalid with the first failure's reason. */
  readonly evaluation: Evaluation;
}

export const CONTEST_LIMITS = { timeoutMs: 2000, memoryMiB: 1024 } as const;

/** Compiles `source` and judges it on `cases` with `score(case, stdout)`. */
export async function judgeCpp<C extends NativeCase>(
  source: string,
  cases: readonly C[],
  score: (testCase: C, stdout: string) => { score: number; error?: string },
  options: JudgeOptions = {},
): Promise<NativeJudgement> {
  const compile = await compileNative(source, { language: "c++", cacheDir: options.cacheDir });
  if (!compile.ok || !compile.path) {
    // compileNative says "compile error: ..." or "compile timed out ..." itself.
    const error = (compile.error ?? "compile error: unknown").slice(0, 2000);
    return { compile, outcomes: [], evaluation: { valid: false, value: null, reward: 0, error } };
  }
  const timeoutMs = options.timeoutMs ?? CONTEST_LIMITS.timeoutMs;
  const outcomes: CaseOutcome[] = [];
  for (const testCase of cases) {
    const run = await runNative(compile.path, [], testCase.text, {
      timeoutMs,
      memoryMiB: options.memoryMiB ?? CONTEST_LIMITS.memoryMiB,
      cpuSeconds: Math.ceil(timeoutMs / 1000) + 1,
      outputBytes: options.outputBytes ?? 4 * 2 ** 20,
    });
    let outcome: CaseOutcome;
    if (!run.ok) {
      outcome = {
        name: testCase.name,
        score: 0,
        error: run.error ?? `exit code ${run.exitCode}`,
        ms: run.ms,
      };
    } else if (run.outputTruncated) {
      outcome = { name: testCase.name, score: 0, error: "output exceeds the captured limit", ms: run.ms };
    } else {
      const judged = score(testCase, run.stdout);
      outcome = {
        name: testCase.name,
        score: judged.error ? 0 : judged.score,
        error: judged.error,
        ms: run.ms,
      };
    }
    outcomes.push(outcome);
    if (outcome.error !== undefined && (options.stopOnFailure ?? true)) break;
  }
  const evaluation = meanScoreEvaluation(outcomes, { compileMs: compile.ms, cached: compile.cached });
  return { compile, outcomes, evaluation };
}
