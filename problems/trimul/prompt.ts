/**
 * The language-model route: what a model is told to write a whole C kernel, how its reply
 * becomes a kernel state, and the judge that measures it like any other state (compiled, then
 * timed by the harness against the baseline with the same correctness checks; moves.ts
 * measureCached).
 */
import type { Evaluation, JudgeResult, ParsedProgram } from "../../lib/problem.ts";
import { measureCached } from "./moves.ts";
import {
  cSource,
  KERNEL_FLAGS,
  KERNEL_MATH,
  KERNEL_SIGNATURE,
  kernelSource,
  MAX_SOURCE_CHARS,
} from "./kernels.ts";
import type { Suite } from "./shapes.ts";
import { shapeLabel } from "./shapes.ts";
import type { TriMulState } from "./state.ts";

function describeEvaluation(state: TriMulState, evaluation: Evaluation): string {
  if (!evaluation.valid) return `It is invalid: ${evaluation.error}`;
  const perShape = evaluation.details?.speedups as Record<string, number> | undefined;
  const shapes = perShape
    ? Object.entries(perShape).map(([k, v]) => `${k}: ${v.toFixed(2)}x`).join(", ")
    : "not timed (it is the baseline)";
  return `Its speed-up over the baseline is ${evaluation.value?.toFixed(3)}x (geometric mean; ${shapes}).` +
    (state.measurement ? "" : "");
}

function suiteText(suite: Suite): string {
  return suite.shapes.map(shapeLabel).join(", ") + ` (H = 128), ${suite.rounds} timed runs each`;
}

/** The prompt for one attempt from `state`. */
export function prompt(
  state: TriMulState,
  evaluation: Evaluation,
  options: { maxChars?: number } = {},
): string {
  const parent = kernelSource(state.kernel);
  const maxChars = options.maxChars ?? 24_000;
  const fixed = `# TriMul kernel on the CPU

Write a C kernel for the AlphaFold-3 outgoing triangle multiplicative update:

\`\`\`
${KERNEL_MATH}
\`\`\`

It must define exactly this function (LayerNorm eps 1e-5, weights in PyTorch Linear layout):

\`\`\`c
${KERNEL_SIGNATURE}
\`\`\`

It is compiled with \`gcc ${KERNEL_FLAGS.join(" ")} -shared -fPIC\` (OpenMP allowed; the machine has 2 cores)
and timed in a separate process on ${suiteText(state.suite)}, interleaved with the baseline below, on
fresh inputs every run: x ~ N(0,1) or heavy-tailed Cauchy(0,2), mask in {0,1}. Every output element
must lie within 2e-2 + 2e-2*|ref| of a float64 reference on every run, or the kernel is invalid;
crashes, time limits (a few times the baseline), over 1 GiB of memory and file writes are invalid too. The score
is the geometric mean over shapes of median(baseline time) / median(your time).

## The baseline (straightforward C)
\`\`\`c
${cSource("baseline.c")}
\`\`\`
`;
  const tail = `

## The current kernel
${describeEvaluation(state, evaluation)}

## Your task
Write a faster kernel than the current one; try something meaningfully different, not a small tweak.
Answer with exactly one \`\`\`c code block holding the whole source file.`;
  const room = Math.max(200, maxChars - fixed.length - tail.length - 40);
  const code = parent.length <= room
    ? parent
    : parent.slice(0, room >> 1) + "\n/* ... cut ... */\n" + parent.slice(parent.length - (room >> 1));
  return `${fixed}${tail.replace("## Your task", `\`\`\`c\n${code}\n\`\`\`\n\n## Your task`)}`;
}

/** Extracts the kernel from a reply: the last ```c (or ```cpp) block that defines `trimul`. */
export function parse(text: string): ParsedProgram {
  const all = [...text.matchAll(/```[ \t]*([\w+-]*)[^\n]*\r?\n([\s\S]*?)```/g)];
  const blocks = all.filter((m) => /^(c|cpp|c\+\+|h|)$/i.test(m[1])).map((m) => m[2]);
  if (blocks.length === 0 && all.length > 0) {
    const languages = [...new Set(all.map((m) => m[1]))].join(", ").slice(0, 60);
    throw new Error(`parse error: the reply has code in ${languages}, not C`);
  }
  const withKernel = blocks.filter((b) => /\btrimul\s*\(/.test(b));
  const source = withKernel.at(-1);
  if (source === undefined) {
    throw new Error(
      blocks.length
        ? "parse error: no code block defines `trimul(...)`"
        : "parse error: no ```c code block in the reply",
    );
  }
  if (source.length > MAX_SOURCE_CHARS) {
    throw new Error(`parse error: kernel source longer than ${MAX_SOURCE_CHARS} characters`);
  }
  return { language: "c", source, entry: "trimul" };
}

/** The language route's judge: measures the model's kernel on the parent's suite. */
export async function judge(program: ParsedProgram, parent: TriMulState, seed: number): Promise<JudgeResult> {
  if (program.language !== "c") return { error: `expected a C kernel, got ${program.language}`, output: "" };
  const kernel = { template: "source" as const, code: program.source };
  const measurement = await measureCached(kernel, parent.suite, seed);
  if (!measurement.ok) return { error: measurement.error ?? "the kernel failed", output: "" };
  return { state: { kernel, suite: parent.suite, measurement }, output: "" };
}

/** A reply's kernel as a state on the same suite, ready to be measured. */
export function stateFromReply(text: string, suite: Suite): TriMulState {
  return { kernel: { template: "source", code: parse(text).source }, suite };
}
