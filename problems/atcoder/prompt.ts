/**
 * The language-model route's prompt and parser for the contest problems (issue 4 wires them into
 * the loop): the statement, the parent's C++ program with its score and failure, and the
 * instruction to try something meaningfully different; `parse` takes the last ```cpp block.
 */
import type { Evaluation } from "../../lib/problem.ts";

/** A C++ solver as the language-model route's state. */
export interface CppProgramState {
  readonly source: string;
}

export interface PromptParts {
  readonly title: string;
  readonly statement: string;
  /** What to beat, e.g. the best human's mean per case. */
  readonly target?: string;
}

export function buildPrompt(
  parts: PromptParts,
  state: CppProgramState | null,
  evaluation: Evaluation | null,
): string {
  const lines = [
    `You are writing a C++20 solver for ${parts.title}.`,
    "",
    "## Problem",
    parts.statement.trim(),
    "",
    "## Judging",
    "Compiled with g++ -O2 -std=c++20; each case must finish within 2 seconds and 1 GiB. The reward is the mean",
    "score over a fixed set of cases, and 0 if any case fails (compile error, crash, timeout, illegal output).",
  ];
  if (parts.target) lines.push(`Target: ${parts.target}.`);
  if (state) {
    lines.push("", "## The parent program", "```cpp", state.source.trim(), "```");
    if (evaluation) {
      lines.push(
        evaluation.valid
          ? `It scored a mean of ${evaluation.value} per case.`
          : `It failed: ${evaluation.error ?? "unknown error"}`,
      );
    }
    lines.push(
      "",
      "Write an improved program that tries something meaningfully different from the parent (a new idea,",
      "not a parameter tweak), keeping within the time limit.",
    );
  } else {
    lines.push("", "Write a complete program.");
  }
  lines.push("Answer with the whole program in one ```cpp code block.");
  return lines.join("\n");
}

/** The last ```cpp (or ```c++) block of a reply; throws when there is none. */
export function parseCppProgram(text: string): CppProgramState {
  const blocks = [...text.matchAll(/```(?:cpp|c\+\+|cc|cxx)\s*\n([\s\S]*?)```/gi)];
  if (blocks.length === 0) throw new Error("no ```cpp code block in the reply");
  const source = blocks[blocks.length - 1][1];
  if (!/\bmain\s*\(/.test(source)) throw new Error("the code block has no main()");
  return { source };
}
