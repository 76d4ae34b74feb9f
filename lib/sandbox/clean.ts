/**
 * What a sandboxed program printed, made fit to show a language model: terminal escape
 * sequences and control characters removed (they can hide text or rewrite a log line),
 * lone surrogates replaced, and only the last `maxChars` characters kept.
 */

// deno-lint-ignore no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function cleanOutput(text: string, maxChars: number): string {
  const clean = text.replace(ANSI, "").replace(CONTROL, "").toWellFormed();
  if (clean.length <= maxChars) return clean;
  return "…" + clean.slice(clean.length - maxChars + 1);
}
