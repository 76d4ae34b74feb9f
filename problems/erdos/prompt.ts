/**
 * The Erdős problem for the language-model route: what the model is told (statement,
 * the verifier's source, the parent construction and the program that made it, a
 * target) and how its reply becomes a program for the sandbox.
 */
import type { Evaluation, ParsedProgram, PromptContext } from "../../lib/problem.ts";
import { cutMiddle, extractProgram, parentSection, readSource } from "../../lib/prompting.ts";
import type { ErdosState } from "./state.ts";

export const ENTRY = "construct";

const STATEMENT = `# Erdős minimum overlap problem (upper bound on C5)

Find a step function f on [0, 2] with n equal pieces, heights h_0..h_{n-1}, values in [0, 1] and
integral 1, that minimises C5 = max over shifts k of (2/n) * sum_i h_{i+k} * (1 - h_i).
Lower is better. The verifier first rescales the heights so that sum(h) = n/2 (integral 1); after
rescaling every height must lie in [0, 1] exactly, or the construction is invalid. n may be
anything from 2 to 100000 (a few hundred to a few thousand pieces is typical of good constructions).`;

const VERIFIER = readSource("./verifier.ts", import.meta.url);

function summary(heights: readonly number[]): string {
  const n = heights.length;
  let min = Infinity, max = -Infinity, sum = 0;
  for (const h of heights) {
    min = Math.min(min, h);
    max = Math.max(max, h);
    sum += h;
  }
  const head = heights.slice(0, 24).map((h) => h.toFixed(4)).join(", ");
  return `The current construction has n = ${n} pieces (min ${min.toFixed(4)}, max ${max.toFixed(4)}, ` +
    `mean ${(sum / n).toFixed(4)}); first heights: [${head}${n > 24 ? ", ..." : ""}]. ` +
    `Your function receives all of them.`;
}

function task(timeoutSeconds: number): string {
  return `## Your task
Write a TypeScript module that defines

\`\`\`typescript
export function ${ENTRY}(parent: { heights: number[] }): { heights: number[] }
\`\`\`

It receives the current construction and returns a new one with lower C5. It runs in a sandbox with
no imports, files, network or environment, and must return within ${timeoutSeconds} seconds; use plain
TypeScript and Math. What it prints is shown to the next attempt. Any value it reports about
itself is ignored: only the verifier above decides. Try something meaningfully different from the
program that produced the current construction, not a small tweak of it.

Answer with exactly one \`\`\`typescript code block.`;
}

export function erdosPrompt(state: ErdosState, evaluation: Evaluation, context: PromptContext): string {
  const fixed = [STATEMENT, summary(state.heights), task(context.timeoutSeconds)];
  const fixedLength = fixed.reduce((s, p) => s + p.length, 0) + 200;
  const room = Math.max(0, context.maxChars - fixedLength);
  // Cut the verifier first, then the parent's program: the task itself always fits.
  const parent = parentSection(
    context,
    evaluation.value,
    "C5",
    (x) => x.toPrecision(10),
    Math.max(0, Math.floor(room / 2)),
  );
  const verifierRoom = Math.max(0, room - parent.length);
  const verifier = verifierRoom > 300 && VERIFIER
    ? `## The verifier (TypeScript, run in the parent process on what your function returns)\n\`\`\`typescript\n${
      cutMiddle(VERIFIER, verifierRoom - 100)
    }\n\`\`\``
    : "";
  return [fixed[0], verifier, fixed[1], parent, fixed[2]].filter(Boolean).join("\n\n");
}

export function erdosParse(text: string): ParsedProgram {
  return extractProgram(text, ENTRY);
}
