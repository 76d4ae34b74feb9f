/**
 * Command-line flags from a table: node's parseArgs options, the --help lines and the check of each
 * value all come from the same entries, so a flag cannot be parsed yet missing from the help, or the
 * reverse. lib/config.ts holds the table of the run configuration's flags; lib/cli.ts and
 * lib/ablate_cli.ts add their own.
 */
import { z } from "zod";

/** One command-line flag. */
export interface FlagSpec {
  /** The flag without its dashes: `group-size` for `--group-size`. */
  readonly flag: string;
  /** Placeholder for the flag's value in --help (`N`, `URL`); a switch (a flag without value) has none. */
  readonly value?: string;
  /** What the flag does, for --help. */
  readonly help: string;
  /** The flag may be given more than once; every value is kept. */
  readonly multiple?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
}

/** A command line that cannot be run; the message names the flag and says what is wrong. */
export class UsageError extends Error {
  /** Always "UsageError". */
  override name = "UsageError";
}

/** What node's `parseArgs` takes for one flag. */
export interface ParseArgsOption {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
}

/** The `options` of node's `parseArgs` for these flags. */
export function parseArgsOptions(specs: readonly FlagSpec[]): Record<string, ParseArgsOption> {
  return Object.fromEntries(specs.map((spec) => [spec.flag, {
    type: spec.value === undefined ? "boolean" : "string",
    ...(spec.multiple ? { multiple: true } : {}),
    ...(spec.short ? { short: spec.short } : {}),
  }]));
}

/** The flags that take a value. */
export function valuedFlags(specs: readonly FlagSpec[]): Set<string> {
  return new Set(specs.filter((spec) => spec.value !== undefined).map((spec) => spec.flag));
}

/**
 * node's parseArgs reads "--steps -1" as two flags and says "ambiguous argument"; a value that looks
 * like a negative number after a flag that takes a value is joined to it, so the flag's own check
 * answers ("--steps -1: too small").
 */
export function joinNegativeValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    if (flag && valued.has(flag) && i + 1 < argv.length && /^-\d|^-\.\d/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[++i]}`);
    } else out.push(argv[i]);
  }
  return out;
}

/** A number as a person writes one: no hex, no blanks, no "Infinity" (which Number() would all accept). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A flag's text value checked by a schema: a number schema gets the number the text writes (or
 * "--steps x: expected a number"), any other schema the text itself. Throws UsageError with the
 * schema's first complaint: "--steps 0: Too small: expected number to be >0".
 */
export function checkedValue<T>(flag: string, schema: z.ZodType<T>, raw: string): T {
  const isNumber = schema instanceof z.ZodNumber;
  if (isNumber && !DECIMAL.test(raw)) throw new UsageError(`--${flag} ${raw}: expected a number`);
  const checked = schema.safeParse(isNumber ? Number(raw) : raw);
  if (!checked.success) throw new UsageError(`--${flag} ${raw}: ${checked.error.issues[0].message}`);
  return checked.data;
}

const USAGE_WIDTH = 20;
const LINE_WIDTH = 108;

/** One --help entry: `  --steps N            training steps ...`, wrapped under its own column. */
export function helpLine(spec: FlagSpec, description: string = spec.help): string {
  const usage = `--${spec.flag}${spec.value ? ` ${spec.value}` : ""}`;
  const indent = " ".repeat(2 + USAGE_WIDTH + 1);
  const lines: string[] = [];
  let line = `  ${usage.padEnd(USAGE_WIDTH)} `;
  let empty = true;
  for (const word of description.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > LINE_WIDTH) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
}
