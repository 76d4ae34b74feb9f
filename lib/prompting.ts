/**
 * Helpers every problem's prompt and parser share: cutting long text to a budget,
 * extracting the program from a model's reply, and the paper's common prompt parts.
 */
import type { ParsedProgram, PromptContext } from "./problem.ts";

/** Keeps the head and the tail of `text` within `max` characters, saying what was cut. */
export function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 80) return text.slice(0, Math.max(0, max));
  const note = `\n... [${text.length - max} characters cut] ...\n`;
  const keep = max - note.length;
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + note + text.slice(text.length - (keep - head));
}

const FENCE = /```([\w+-]*)[^\n]*\n([\s\S]*?)```/g;

/**
 * The last fenced code block in `languages` (or unlabelled) from a reply. Throws an Error whose
 * message says what was missing, which the loop records as the attempt's error.
 */
export function extractProgram(
  text: string,
  entry: string,
  languages: readonly string[] = ["typescript", "ts", "javascript", "js"],
): ParsedProgram {
  const all = [...text.matchAll(FENCE)];
  const blocks = all
    .filter((m) => m[1] === "" || languages.includes(m[1].toLowerCase()))
    .map((m) => m[2]);
  if (blocks.length === 0 && all.length > 0) {
    const others = [...new Set(all.map((m) => m[1]))].join(", ").slice(0, 60);
    throw new Error(`parse error: the reply has code in ${others}, not TypeScript`);
  }
  // A reply cut off by the token limit often has an opening fence and no closing one.
  if (blocks.length === 0) {
    const open = text.match(
      /```(?:typescript|ts|javascript|js)?[^\n]*\n([\s\S]*)$/,
    );
    if (open && new RegExp(`\\b${entry}\\b`).test(open[1])) {
      throw new Error(
        `parse error: the code block is not closed (reply cut off at the token limit?)`,
      );
    }
    throw new Error(
      `parse error: no \`\`\`typescript code block in the reply (${text.length} characters)`,
    );
  }
  const withEntry = blocks.filter((b) => new RegExp(`\\b${entry}\\b`).test(b));
  if (withEntry.length === 0) {
    throw new Error(`parse error: no code block defines the function ${entry}`);
  }
  return {
    language: "typescript",
    source: withEntry[withEntry.length - 1],
    entry,
  };
}

/** The paper's closing parts: the parent's program, its value before and after, its output, a target. */
export function parentSection(
  context: PromptContext,
  value: number | null,
  quantity: string,
  format: (x: number) => string = (x) => x.toPrecision(10),
  budget = 4000,
): string {
  const parts: string[] = [];
  if (context.parentProgram) {
    parts.push(
      `The program that produced the current construction:\n\`\`\`typescript\n${
        cutMiddle(context.parentProgram, budget)
      }\n\`\`\``,
    );
    if (context.valueBefore !== undefined && value !== null) {
      parts.push(
        `${quantity} before that program ran: ${format(context.valueBefore)}; after: ${format(value)}.`,
      );
    }
    if (context.parentOutput) {
      parts.push(
        `The last 500 characters it printed:\n\`\`\`\n${context.parentOutput.slice(-500)}\n\`\`\``,
      );
    }
  } else {
    parts.push(
      "The current construction is a starting point (no program produced it yet).",
    );
  }
  if (value !== null) parts.push(`Current ${quantity}: ${format(value)}.`);
  if (context.target !== undefined) {
    parts.push(`Target: ${quantity} better than ${format(context.target)}.`);
  }
  return parts.join("\n\n");
}

/** The source of a module next to `base`, for showing the verifier in a prompt; empty if unreadable. */
export function readSource(relative: string, base: string | URL): string {
  try {
    return Deno.readTextFileSync(new URL(relative, base));
  } catch {
    return "";
  }
}

/** The entry point every construction problem's program defines. */
export const CONSTRUCT = "construct";

/** What a construction problem tells the model; composePrompt adds the parent and fits the budget. */
export interface PromptParts {
  /** The problem statement (Markdown). */
  readonly statement: string;
  /** The verifier's source, shown when the budget allows; "" to leave it out. */
  readonly verifierSource: string;
  /** One paragraph describing the current construction. */
  readonly summary: string;
  /** The TypeScript type of the construction the function receives and returns. */
  readonly stateType: string;
  /** The published quantity, and which way is better. */
  readonly quantity: string;
  readonly better: "lower" | "higher";
  readonly format?: (x: number) => string;
}

/**
 * The paper's prompt for a construction problem: statement, verifier, the current
 * construction and the program that made it (value before and after, its output), a
 * target, and the instruction to try something meaningfully different. Parts are cut
 * to fit `context.maxChars`: the verifier first, then the parent's program.
 */
export function composePrompt(
  parts: PromptParts,
  value: number | null,
  context: PromptContext,
): string {
  const task = `## Your task
Write a TypeScript module that defines

\`\`\`typescript
export function ${CONSTRUCT}(parent: ${parts.stateType}): ${parts.stateType}
\`\`\`

It receives the current construction and returns a new one with ${parts.better} ${parts.quantity}. It runs
in a sandbox with no imports, files, network or environment, and must return within
${context.timeoutSeconds} seconds; use plain TypeScript and Math. What it prints is shown to the next
attempt. Any value it reports about itself is ignored: only the verifier decides. Try something
meaningfully different from the program that produced the current construction, not a small tweak of it.

Answer with exactly one \`\`\`typescript code block.`;
  const fixed = [parts.statement, parts.summary, task];
  const room = Math.max(
    0,
    context.maxChars - fixed.reduce((s, p) => s + p.length, 0) - 200,
  );
  const format = parts.format ?? ((x: number) => x.toPrecision(10));
  const parent = parentSection(
    context,
    value,
    parts.quantity,
    format,
    Math.max(0, Math.floor(room / 2)),
  );
  const verifierRoom = Math.max(0, room - parent.length);
  const verifier = verifierRoom > 300 && parts.verifierSource
    ? "## The verifier (TypeScript, run in the parent process on what your function returns)\n" +
      `\`\`\`typescript\n${cutMiddle(parts.verifierSource, verifierRoom - 100)}\n\`\`\``
    : "";
  return [parts.statement, verifier, parts.summary, parent, task].filter(
    Boolean,
  ).join("\n\n");
}

/** A one-paragraph description of a list of heights (all of them reach the program). */
export function heightsSummary(heights: readonly number[]): string {
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

/** The parser for every construction problem: the last code block that defines `construct`. */
export function parseConstruct(text: string): ParsedProgram {
  return extractProgram(text, CONSTRUCT);
}
