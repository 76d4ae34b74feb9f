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
  const blocks = [...text.matchAll(FENCE)]
    .filter((m) => m[1] === "" || languages.includes(m[1].toLowerCase()))
    .map((m) => m[2]);
  // A reply cut off by the token limit often has an opening fence and no closing one.
  if (blocks.length === 0) {
    const open = text.match(/```(?:typescript|ts|javascript|js)?[^\n]*\n([\s\S]*)$/);
    if (open && new RegExp(`\\b${entry}\\b`).test(open[1])) {
      throw new Error(`parse error: the code block is not closed (reply cut off at the token limit?)`);
    }
    throw new Error(`parse error: no \`\`\`typescript code block in the reply (${text.length} characters)`);
  }
  const withEntry = blocks.filter((b) => new RegExp(`\\b${entry}\\b`).test(b));
  if (withEntry.length === 0) {
    throw new Error(`parse error: no code block defines the function ${entry}`);
  }
  return { language: "typescript", source: withEntry[withEntry.length - 1], entry };
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
      parts.push(`The last 500 characters it printed:\n\`\`\`\n${context.parentOutput.slice(-500)}\n\`\`\``);
    }
  } else {
    parts.push("The current construction is a starting point (no program produced it yet).");
  }
  if (value !== null) parts.push(`Current ${quantity}: ${format(value)}.`);
  if (context.target !== undefined) parts.push(`Target: ${quantity} better than ${format(context.target)}.`);
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
