/**
 * The language-model route of the contest problems: the model writes a whole C++ solver; it is
 * compiled with g++ -O2 -std=c++20 and judged on the state's case set under contest limits inside
 * the native sandbox (native_runner.ts), each output scored by the contest's exact scorer; the mean
 * score is the reward, 0 as soon as any case fails.
 *
 * A program's state is `{ program, cases, verdict }`. The verdict (per-case scores) is recorded in
 * the toolkit's verdict ledger (lib/verdicts.ts) by the judge; `evaluate` checks that the verdict
 * belongs to exactly this source and case set and was recorded by the judge, and recomputes the mean
 * from the per-case scores. A contest's archive also holds its built-in states (solver parameters):
 * they are the seeds, and a prompt from one shows the contest's plain C++ starting point.
 */
import * as Plot from "@observablehq/plot";
import { z } from "zod";
import { renderPlot } from "../../lib/plot.ts";
import {
  type Evaluation,
  invalid,
  type JudgeResult,
  type ParsedProgram,
  type PromptContext,
} from "../../lib/problem.ts";
import { cutMiddle } from "../../lib/prompting.ts";
import { cleanOutput } from "../../lib/sandbox/clean.ts";
import { canonicalJson, programVerdicts, sha256 } from "../../lib/verdicts.ts";
import { type CaseSpec, caseSpecKey, CaseSpecSchema, meanScoreEvaluation } from "./cases.ts";
import { CONTEST_LIMITS, judgeCpp, type NativeCase } from "./native_runner.ts";

/** Longest C++ source accepted from a model. */
export const MAX_CPP_CHARS = 100_000;

export const CppProgramSchema = z.object({
  language: z.literal("c++"),
  source: z.string().min(1).max(MAX_CPP_CHARS),
}).strict();

export const CaseVerdictSchema = z.object({
  name: z.string().min(1).max(100),
  score: z.number().finite().min(0),
  ms: z.number().finite().min(0),
}).strict();

/** What the judge found: every case of `cases`, in order, passed with these scores. */
export const CppVerdictSchema = z.object({
  contest: z.string().min(1),
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
  cases: CaseSpecSchema,
  outcomes: z.array(CaseVerdictSchema).min(1).max(200),
  compileMs: z.number().finite().min(0),
}).strict();
export type CppVerdict = z.infer<typeof CppVerdictSchema>;

export const CppProgramStateSchema = z.object({
  program: CppProgramSchema,
  cases: CaseSpecSchema,
  verdict: CppVerdictSchema,
}).strict();
export type CppProgramState = z.infer<typeof CppProgramStateSchema>;

/** Whether a state (or its JSON) is a judged C++ program rather than a built-in parameter state. */
export function isCppProgramState(state: unknown): state is CppProgramState {
  return typeof state === "object" && state !== null && "program" in state;
}

/** Programs with the same source on the same cases are one state. */
export function programStateKey(state: CppProgramState): string {
  return `c++:${caseSpecKey(state.cases)}:${sha256(state.program.source).slice(0, 32)}`;
}

export interface ContestCase<I> extends NativeCase {
  readonly input: I;
}

export interface ContestPrograms<I> {
  readonly contest: string;
  readonly title: string;
  /** The statement in our own words: rules, input and output formats, scoring. */
  readonly statement: string;
  /** What to beat, in words (e.g. the best human's total). */
  readonly targetNote?: string;
  /** The plain C++ solver a prompt shows when the parent is not a program yet. */
  readonly starter: () => string;
  readonly loadCases: (spec: CaseSpec) => readonly ContestCase<I>[];
  readonly scoreOutput: (input: I, stdout: string) => { score: number; error?: string };
}

const formatScore = (x: number) => Number.isInteger(x) ? x.toLocaleString("en-US") : x.toPrecision(8);

/** The C++ route of one contest: verifier, judge and prompt of its program states. */
export function contestPrograms<I>(spec: ContestPrograms<I>) {
  function fromJSON(json: unknown): CppProgramState {
    const parsed = CppProgramStateSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`not an ${spec.contest} program state: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  }

  /** The verifier of a program state; never throws. */
  function evaluate(json: unknown): Evaluation {
    const parsed = CppProgramStateSchema.safeParse(json);
    if (!parsed.success) {
      return invalid(`not an ${spec.contest} program state: ${parsed.error.issues[0]?.message}`);
    }
    const { program, cases, verdict } = parsed.data;
    if (verdict.contest !== spec.contest) return invalid(`the verdict is for ${verdict.contest}`);
    if (verdict.sourceHash !== sha256(program.source)) {
      return invalid("the verdict belongs to another program");
    }
    if (canonicalJson(verdict.cases) !== canonicalJson(cases)) {
      return invalid("the verdict was given on another case set");
    }
    let names: string[];
    try {
      names = spec.loadCases(cases).map((c) => c.name);
    } catch (e) {
      return invalid(`cannot load the case set: ${e instanceof Error ? e.message : e}`);
    }
    if (canonicalJson(verdict.outcomes.map((o) => o.name)) !== canonicalJson(names)) {
      return invalid("the verdict does not cover exactly the case set");
    }
    if (!programVerdicts.has(verdict)) {
      return invalid("the verdict was not given by the judge (not in the verdict ledger)");
    }
    return meanScoreEvaluation(verdict.outcomes, { compileMs: verdict.compileMs });
  }

  /** Compiles and judges a model's program on `cases`; its faults come back as `error`. */
  async function judge(
    program: ParsedProgram,
    cases: CaseSpec,
    limits: { readonly timeoutMs: number; readonly cacheDir?: string },
  ): Promise<JudgeResult> {
    if (program.language !== "c++") {
      return { error: `expected a C++ program, got ${program.language}`, output: "" };
    }
    if (program.source.length > MAX_CPP_CHARS) {
      return { error: `the program is longer than ${MAX_CPP_CHARS} characters`, output: "" };
    }
    const testCases = spec.loadCases(cases);
    // The contest's 2 s per case, within the rollout's budget (compile time aside).
    const timeoutMs = Math.min(CONTEST_LIMITS.timeoutMs, Math.max(100, limits.timeoutMs / testCases.length));
    const j = await judgeCpp(program.source, testCases, (c, stdout) => spec.scoreOutput(c.input, stdout), {
      timeoutMs,
      cacheDir: limits.cacheDir,
    });
    if (!j.evaluation.valid) {
      return { error: j.evaluation.error ?? "the judge rejected the program", output: "" };
    }
    const verdict: CppVerdict = {
      contest: spec.contest,
      sourceHash: sha256(program.source),
      cases,
      outcomes: j.outcomes.map((o) => ({ name: o.name, score: o.score, ms: Math.round(o.ms ?? 0) })),
      compileMs: Math.round(j.compile.ms),
    };
    programVerdicts.record(verdict);
    const state: CppProgramState = { program: { language: "c++", source: program.source }, cases, verdict };
    return { state, output: "" };
  }

  /** The paper's AtCoder prompt: statement, limits, the parent's code with its score per case, a target. */
  function prompt(
    parent: CppProgramState | { readonly cases: CaseSpec },
    evaluation: Evaluation,
    context: PromptContext,
    describeParent: () => string,
  ): string {
    const caseCount = spec.loadCases(parent.cases).length;
    const head = [
      `You are writing a C++20 solver for ${spec.title}.`,
      "",
      "## Problem",
      spec.statement.trim(),
      "",
      "## Judging",
      `Compiled with g++ -O2 -std=c++20 and run in a sandbox (no files, no network), input on stdin, answer on`,
      `stdout. Each case must finish within ${
        CONTEST_LIMITS.timeoutMs / 1000
      } seconds and 1 GiB. The reward is the mean score over ` +
      `${caseCount} fixed cases (${caseSpecKey(parent.cases)}),`,
      "and 0 if any case fails (compile error, crash, time limit, illegal output).",
      ...(spec.targetNote ? [`For reference: ${spec.targetNote}.`] : []),
    ].join("\n");
    const task = [
      "## Your task",
      "Write a complete C++ program that scores higher than the current one.",
      "Try something meaningfully different (a new idea, not a parameter tweak); stay well within the time limit.",
      ...(context.target !== undefined
        ? [`Target: a mean score above ${formatScore(context.target)} per case.`]
        : []),
      "Answer with the whole program in exactly one ```cpp code block.",
    ].join("\n");
    const room = Math.max(400, context.maxChars - head.length - task.length - 400);
    let current: string;
    if (isCppProgramState(parent)) {
      const perCase = parent.verdict.outcomes.map((o) => `${o.name}: ${formatScore(o.score)} (${o.ms} ms)`)
        .join(", ");
      current = [
        "## The current program",
        "```cpp",
        cutMiddle(parent.program.source.trim(), room),
        "```",
        evaluation.valid
          ? `Its mean score is ${formatScore(evaluation.value!)} per case. Per case: ${perCase}.`
          : `The judge rejects it: ${evaluation.error}`,
      ].join("\n");
    } else {
      current = [
        "## The current solution",
        `${describeParent()} Its mean score is ${
          evaluation.valid ? formatScore(evaluation.value!) : "unknown"
        } per case on these cases.`,
        "No C++ program has been judged from here yet. A plain C++ solver to start from (not judged here):",
        "```cpp",
        cutMiddle(spec.starter().trim(), room),
        "```",
      ].join("\n");
    }
    return [head, current, task].join("\n\n");
  }

  return { fromJSON, evaluate, judge, prompt };
}

/** A judged program's figure: its score and run time on each case (what report.svg shows). */
export function verdictFigure(state: CppProgramState, title: string): string {
  const rows = state.verdict.outcomes.map((o) => ({ name: o.name, score: o.score, ms: o.ms }));
  return renderPlot({
    width: 640,
    height: 60 + 22 * rows.length,
    marginLeft: 110,
    x: { label: "score", grid: true },
    y: { label: null, domain: rows.map((r) => r.name) },
    marks: [
      Plot.barX(rows, { x: "score", y: "name", fill: "#1f77b4" }),
      Plot.text(rows, {
        x: "score",
        y: "name",
        text: (r: { ms: number }) => `${r.ms} ms`,
        dx: -4,
        textAnchor: "end",
        fill: "white",
      }),
      Plot.text([title], { frameAnchor: "top-right", dy: -14, text: (t: string) => t }),
    ],
  });
}

/**
 * The last ```cpp (or ```c++, ```cc, ```cxx, or unlabelled) block of a reply that defines main().
 * Throws with a short reason: no code, a block in another language, no main().
 */
export function parseCppProgram(text: string): ParsedProgram {
  const blocks = [...text.matchAll(/```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)```/g)];
  if (blocks.length === 0) {
    throw new Error(`parse error: no \`\`\`cpp code block in the reply (${text.length} characters)`);
  }
  const cpp = blocks.filter((m) => /^(cpp|c\+\+|cc|cxx|)$/i.test(m[1]));
  if (cpp.length === 0) {
    const languages = [...new Set(blocks.map((m) => m[1]))].join(", ");
    throw new Error(`parse error: the reply has code in ${cleanOutput(languages, 60)}, not C++`);
  }
  const withMain = cpp.map((m) => m[2]).filter((b) => /\bmain\s*\(/.test(b));
  if (withMain.length === 0) throw new Error("parse error: no ```cpp block defines main()");
  const source = withMain[withMain.length - 1];
  if (source.length > MAX_CPP_CHARS) {
    throw new Error(`parse error: the program is longer than ${MAX_CPP_CHARS} characters`);
  }
  return { language: "c++", source, entry: "main" };
}
