/**
 * The language-model route of the denoising problem: the model writes a TypeScript function
 * `denoise(train)` over the training split's count matrix; it runs in the permissionless sandbox
 * (lib/sandbox/deno.ts) and returns the denoised counts, which this process scores against the
 * held-back test counts with the same metrics and acceptance rule as the built-in route
 * (task.ts scoreDenoised: mse_norm, rejected when poisson_norm < 0.97).
 *
 * A program's state is `{ data, seed, program, verdict }`; the verdict (the split's scores) is
 * recorded in the verdict ledger (lib/verdicts.ts) by the judge, and `evaluate` accepts it only
 * from there and only for exactly this source, dataset and split.
 */
import { z } from "zod";
import type { Evaluation, JudgeResult, ParsedProgram, PromptContext } from "../../lib/problem.ts";
import { cutMiddle, extractProgram } from "../../lib/prompting.ts";
import { type Dense, dense } from "./scrna/matrix.ts";
import { cleanOutput } from "../../lib/sandbox/clean.ts";
import { runDenoProgram } from "../../lib/sandbox/deno.ts";
import { canonicalJson, programVerdicts, sha256 } from "../../lib/verdicts.ts";
import type { DenoiseState } from "./state.ts";
import { loadTask, MIN_POISSON_NORM, scoreDenoised, type Task } from "./task.ts";
import { invalid } from "../../lib/problem.ts";

export const DENOISE_ENTRY = "denoise";
export const MAX_DENOISE_CHARS = 100_000;

const ScoresSchema = z.object({
  mse: z.number().finite(),
  poisson: z.number().finite(),
  mseNorm: z.number().finite(),
  poissonNorm: z.number().finite(),
  score: z.number().finite(),
  poissonVersion: z.enum(["v1", "v2"]),
}).strict();

export const DenoiseVerdictSchema = z.object({
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.string().min(1),
  seed: z.number().int().min(0),
  scores: ScoresSchema,
}).strict();
export type DenoiseVerdict = z.infer<typeof DenoiseVerdictSchema>;

export const DenoiseProgramStateSchema = z.object({
  data: z.string().min(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  program: z.object({
    language: z.literal("typescript"),
    source: z.string().min(1).max(MAX_DENOISE_CHARS),
  }).strict(),
  verdict: DenoiseVerdictSchema,
}).strict();
export type DenoiseProgramState = z.infer<typeof DenoiseProgramStateSchema>;

export function isDenoiseProgramState(state: unknown): state is DenoiseProgramState {
  return typeof state === "object" && state !== null && "program" in state;
}

export function programFromJSON(json: unknown): DenoiseProgramState {
  const parsed = DenoiseProgramStateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a denoise program state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function programStateKey(state: DenoiseProgramState): string {
  return `ts:${state.data}|${state.seed}|${sha256(state.program.source).slice(0, 32)}`;
}

/** The acceptance rule on a verdict's scores (task.ts scoreDenoised, from recorded scores). */
function rule(scores: DenoiseVerdict["scores"]): Evaluation {
  if (!(scores.poissonNorm >= MIN_POISSON_NORM)) {
    return invalid(`rejected: poisson_norm ${scores.poissonNorm.toFixed(4)} < ${MIN_POISSON_NORM}`, scores);
  }
  if (!(scores.mseNorm > 0)) {
    return invalid(`rejected: mse_norm ${scores.mseNorm.toFixed(4)} is no better than not denoising`, scores);
  }
  return { valid: true, value: scores.mseNorm, reward: scores.mseNorm, details: { ...scores } };
}

/** The verifier of a program state; never throws. */
export function evaluateProgramState(json: unknown): Evaluation {
  const parsed = DenoiseProgramStateSchema.safeParse(json);
  if (!parsed.success) return invalid(`not a denoise program state: ${parsed.error.issues[0]?.message}`);
  const { data, seed, program, verdict } = parsed.data;
  if (verdict.sourceHash !== sha256(program.source)) return invalid("the verdict belongs to another program");
  if (verdict.data !== data || verdict.seed !== seed) {
    return invalid("the verdict was given on another split");
  }
  if (!programVerdicts.has(verdict)) {
    return invalid("the verdict was not given by the judge (not in the verdict ledger)");
  }
  return rule(verdict.scores);
}

/** What the program receives: the training counts, cells x genes, in compressed sparse rows. */
export interface DenoiseInput {
  readonly cells: number;
  readonly genes: number;
  readonly indptr: number[];
  readonly indices: number[];
  readonly data: number[];
}

export function programInput(task: Task): DenoiseInput {
  const t = task.split.train;
  return {
    cells: t.rows,
    genes: t.cols,
    indptr: Array.from(t.indptr),
    indices: Array.from(t.indices),
    data: Array.from(t.data),
  };
}

/**
 * The returned value as a cells x genes matrix: a flat row-major array or an array of rows, every
 * entry a number (JSON turns NaN and infinities into null, which is refused here).
 */
export function denoisedMatrix(value: unknown, cells: number, genes: number): Dense | string {
  if (!Array.isArray(value)) {
    return `${DENOISE_ENTRY} must return an array (flat or rows), got ${typeof value}`;
  }
  const out = dense(cells, genes);
  if (value.length === cells && value.every((row) => Array.isArray(row))) {
    for (let i = 0; i < cells; i++) {
      const row = value[i] as unknown[];
      if (row.length !== genes) return `row ${i} has ${row.length} entries, expected ${genes}`;
      for (let j = 0; j < genes; j++) {
        const v = row[j];
        if (typeof v !== "number") {
          return `entry (${i}, ${j}) is ${v === null ? "null (NaN or infinite?)" : typeof v}`;
        }
        out.data[i * genes + j] = v;
      }
    }
    return out;
  }
  if (value.length !== cells * genes) {
    return `returned ${value.length} values, expected ${cells} x ${genes} = ${
      cells * genes
    } (row-major) or ${cells} rows`;
  }
  for (let k = 0; k < value.length; k++) {
    const v = value[k];
    if (typeof v !== "number") {
      return `entry (${Math.floor(k / genes)}, ${k % genes}) is ${
        v === null ? "null (NaN or infinite?)" : typeof v
      }`;
    }
    out.data[k] = v;
  }
  return out;
}

/** Runs a model's denoiser on `task`'s training split in the sandbox and scores what it returns. */
export async function runDenoiser(
  source: string,
  task: Task,
  limits: { readonly timeoutMs: number; readonly heapMiB: number },
): Promise<{ evaluation: Evaluation; output: string }> {
  const input = programInput(task);
  const run = await runDenoProgram(source, DENOISE_ENTRY, input, {
    timeoutMs: limits.timeoutMs,
    heapMiB: limits.heapMiB,
    // The answer is cells x genes numbers as JSON (a few MB for the shipped dataset).
    outputBytes: Math.max(2 ** 20, input.cells * input.genes * 32 + 2 ** 20),
  });
  const output = cleanOutput(run.stdout, 2000);
  if (!run.ok) return { evaluation: invalid(`program failed: ${run.error ?? "unknown"}`), output };
  const matrix = denoisedMatrix(run.value, input.cells, input.genes);
  if (typeof matrix === "string") {
    return { evaluation: invalid(`invalid denoised output: ${matrix}`), output };
  }
  return { evaluation: scoreDenoised(task, matrix), output };
}

/** The language route's judge: the program runs on the parent's dataset and split. */
export async function judgeDenoiser(
  program: ParsedProgram,
  parent: { readonly data: string; readonly seed: number },
  limits: { readonly timeoutMs: number; readonly heapMiB: number },
): Promise<JudgeResult> {
  if (program.language !== "typescript") {
    return { error: `expected a TypeScript function, got ${program.language}`, output: "" };
  }
  const task = loadTask(parent.data, parent.seed);
  const { evaluation, output } = await runDenoiser(program.source, task, limits);
  if (!evaluation.valid) return { error: evaluation.error ?? "invalid", output };
  const verdict: DenoiseVerdict = {
    sourceHash: sha256(program.source),
    data: parent.data,
    seed: parent.seed,
    scores: ScoresSchema.parse(evaluation.details),
  };
  programVerdicts.record(verdict);
  const state: DenoiseProgramState = {
    data: parent.data,
    seed: parent.seed,
    program: { language: "typescript", source: program.source },
    verdict,
  };
  return { state, output };
}

/** The reply's last TypeScript block that defines `denoise`. */
export function parseDenoiser(text: string): ParsedProgram {
  const parsed = extractProgram(text, DENOISE_ENTRY);
  if (parsed.source.length > MAX_DENOISE_CHARS) {
    throw new Error(`parse error: the program is longer than ${MAX_DENOISE_CHARS} characters`);
  }
  return parsed;
}

/**
 * A plain denoiser a prompt shows when the parent is a built-in pipeline: kNN averaging in sqrt
 * space (mse_norm 0.128, poisson_norm 0.974 on pbmc_sctransform, split seed 0).
 */
export const STARTER = `export function denoise(train: {
  cells: number; genes: number; indptr: number[]; indices: number[]; data: number[];
}): number[] {
  const { cells, genes, indptr, indices, data } = train;
  const k = 10;
  // Square roots, each cell divided by its own total of square roots (MAGIC's "reversed" order).
  const x = new Float64Array(cells * genes);
  const lib = new Float64Array(cells);
  for (let i = 0; i < cells; i++) {
    for (let p = indptr[i]; p < indptr[i + 1]; p++) lib[i] += Math.sqrt(data[p]);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) x[i * genes + indices[p]] = Math.sqrt(data[p]) / lib[i];
  }
  // Each cell becomes the mean of itself and its k nearest neighbours (Euclidean), then back to counts.
  const out = new Array<number>(cells * genes).fill(0);
  for (let i = 0; i < cells; i++) {
    const d: [number, number][] = [];
    for (let j = 0; j < cells; j++) {
      let s = 0;
      for (let g = 0; g < genes; g++) { const t = x[i * genes + g] - x[j * genes + g]; s += t * t; }
      d.push([s, j]);
    }
    d.sort((a, b) => a[0] - b[0]);
    const near = d.slice(0, k + 1).map(([, j]) => j);
    for (let g = 0; g < genes; g++) {
      let s = 0;
      for (const j of near) s += x[j * genes + g];
      const v = s / near.length;
      out[i * genes + g] = v * v * lib[i];
    }
  }
  return out;
}
`;

const STATEMENT = `# Denoising single-cell RNA-seq counts

The data are UMI counts of one scRNA-seq dataset (cells x genes). Molecular cross-validation split the
counts of every cell into a training part (each molecule kept with probability 0.9) and a held-back test
part. Your function receives the training counts and returns denoised counts for every cell and gene; they
are compared with the held-back test counts (after scaling to the test library sizes) as in OpenProblems v1:

- mse_norm: 1 - MSE(log1p-normalised denoised vs test) / MSE(no denoising), higher is better (the score);
- poisson_norm: the same normalisation of the Poisson loss; a denoiser with poisson_norm < ${MIN_POISSON_NORM} is rejected.

MAGIC (sqrt transform, PCA 100, a 5-nearest-neighbour alpha-decay kernel, 3 diffusion steps) reaches
about mse_norm 0.18 with poisson_norm 0.974 on this data.`;

function taskText(context: PromptContext): string {
  return `## Your task
Write a TypeScript module that defines

\`\`\`typescript
export function ${DENOISE_ENTRY}(train: {
  cells: number; genes: number;            // the matrix is cells x genes
  indptr: number[]; indices: number[]; data: number[];  // compressed sparse rows (one row per cell)
}): number[] | number[][]                  // cells x genes denoised counts, row-major or one array per cell
\`\`\`

Every returned value must be a finite number >= 0 on the scale of the counts. It runs in a sandbox with no
imports, files, network or environment and must return within ${context.timeoutSeconds} seconds; use plain
TypeScript and Math. What it prints is shown to the next attempt. Try something meaningfully different
from the current denoiser, not a small tweak of it.

Answer with exactly one \`\`\`typescript code block.`;
}

function scoresText(evaluation: Evaluation): string {
  if (!evaluation.valid) return `It is invalid: ${evaluation.error}`;
  const d = evaluation.details as { mseNorm?: number; poissonNorm?: number } | undefined;
  return `It scores mse_norm ${evaluation.value!.toFixed(4)}` +
    (d?.poissonNorm !== undefined ? ` with poisson_norm ${d.poissonNorm.toFixed(4)}.` : ".");
}

/** The prompt from a program state or from a built-in pipeline state (a seed). */
export function denoisePrompt(
  state: DenoiseState | DenoiseProgramState,
  evaluation: Evaluation,
  context: PromptContext,
): string {
  const task = taskText(context);
  const room = Math.max(400, context.maxChars - STATEMENT.length - task.length - 800);
  let current: string;
  if (isDenoiseProgramState(state)) {
    current = [
      "## The current denoiser",
      "```typescript",
      cutMiddle(state.program.source.trim(), room),
      "```",
      scoresText(evaluation),
      ...(context.parentOutput
        ? ["What it printed (the end):", "```", context.parentOutput.slice(-500), "```"]
        : []),
    ].join("\n");
  } else {
    current = [
      "## The current denoiser",
      `The current best is the toolkit's own pipeline (not shown): ${canonicalJson(state.pipeline)}.`,
      scoresText(evaluation),
      "No program has been judged from here yet. A plain denoiser to start from (not judged here):",
      "```typescript",
      cutMiddle(STARTER.trim(), room),
      "```",
    ].join("\n");
  }
  const target = context.target !== undefined
    ? `\n\nTarget: mse_norm above ${context.target.toFixed(4)}.`
    : "";
  return `${STATEMENT}\n\n${current}${target}\n\n${task}`;
}
