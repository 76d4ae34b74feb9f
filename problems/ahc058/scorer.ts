/**
 * The exact AHC058 scorer: parses a plan of T actions and simulates it in BigInt, exactly as
 * the statement's production plan says. Each turn: at most one strengthening of machine j^i,
 * costing C_ij (P_ij + 1) and never allowed to make the apples negative; then every machine
 * produces in the order of levels 0, 1, 2, ... (level 0 adds A_j B_0j P_0j apples, level i >= 1
 * adds B_ij P_ij to B_{i-1,j}). Score = round(1e5 log2 S). Any illegal output scores 0 with the
 * reason, like the official tester.
 */
import type { Ahc058Input } from "./input.ts";

/** One turn's action: strengthen machine j^level, or do nothing (null). */
export type Action = { readonly level: number; readonly id: number } | null;

export interface Ahc058Score {
  readonly score: number;
  /** Set when the output is illegal (the score is then 0). */
  readonly error?: string;
  /** Apples at the end of the plan (0 when illegal). */
  readonly apples: bigint;
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Parses the output the way the official tester does: blank and `#` lines are skipped, each
 * other line is `-1` or `i j`, and reading stops after T actions (later lines are ignored).
 */
export function parseActions(input: Ahc058Input, output: string): { actions: Action[] } | { error: string } {
  const actions: Action[] = [];
  let lineNo = 0;
  for (const raw of output.split("\n")) {
    lineNo++;
    const line = raw.trim();
    if (line.length === 0 || line.startsWith("#")) continue;
    const tokens = line.split(/\s+/);
    const level = INTEGER.test(tokens[0]) ? Number(tokens[0]) : NaN;
    if (!Number.isInteger(level)) return { error: `line ${lineNo}: parse error: ${tokens[0].slice(0, 20)}` };
    if (level < -1 || level > input.l - 1) return { error: `line ${lineNo}: level out of range: ${level}` };
    let used = 1;
    if (level === -1) {
      actions.push(null);
    } else {
      const token = tokens[1];
      if (token === undefined) {
        return { error: `line ${lineNo}: unexpected end of line, expected a machine id` };
      }
      const id = INTEGER.test(token) ? Number(token) : NaN;
      if (!Number.isInteger(id)) return { error: `line ${lineNo}: parse error: ${token.slice(0, 20)}` };
      if (id < 0 || id > input.n - 1) return { error: `line ${lineNo}: machine id out of range: ${id}` };
      actions.push({ level, id });
      used = 2;
    }
    if (tokens.length > used) return { error: `line ${lineNo}: too many tokens: ${line.slice(0, 40)}` };
    if (actions.length === input.t) break;
  }
  if (actions.length < input.t) {
    return { error: `not enough actions: expected ${input.t}, got ${actions.length}` };
  }
  return { actions };
}

/** log2 of a positive BigInt as the official tester computes it: through the nearest double. */
export function scoreOfApples(apples: bigint): number {
  return Math.round(100000 * Math.log2(Number(apples)));
}

/**
 * Simulates a plan; `onTurn` (optional) sees the apples after each turn's production, for
 * figures. Returns the final apples, or the first illegal action.
 */
export function simulate(
  input: Ahc058Input,
  actions: readonly Action[],
  onTurn?: (turn: number, apples: bigint) => void,
): { apples: bigint } | { error: string } {
  const { n, l } = input;
  const b: bigint[][] = Array.from({ length: l }, () => Array(n).fill(1n));
  const p: bigint[][] = Array.from({ length: l }, () => Array(n).fill(0n));
  let apples = input.k;
  if (actions.length < input.t) {
    return { error: `not enough actions: expected ${input.t}, got ${actions.length}` };
  }
  for (let turn = 0; turn < input.t; turn++) {
    const action = actions[turn];
    if (action !== null) {
      const { level, id } = action;
      if (
        !(Number.isInteger(level) && Number.isInteger(id) && level >= 0 && level < l && id >= 0 && id < n)
      ) {
        return { error: `turn ${turn}: no machine ${id}^${level}` };
      }
      const cost = input.c[level][id] * (p[level][id] + 1n);
      if (apples < cost) {
        return {
          error: `turn ${turn}: not enough apples to strengthen ${id}^${level}: have ${apples}, need ${cost}`,
        };
      }
      apples -= cost;
      p[level][id] += 1n;
    }
    for (let level = 0; level < l; level++) {
      const bl = b[level], pl = p[level];
      for (let id = 0; id < n; id++) {
        if (pl[id] === 0n) continue;
        if (level === 0) apples += input.a[id] * bl[id] * pl[id];
        else b[level - 1][id] += bl[id] * pl[id];
      }
    }
    onTurn?.(turn, apples);
  }
  return { apples };
}

/** Scores a plan given as actions. */
export function scoreActions(input: Ahc058Input, actions: readonly Action[]): Ahc058Score {
  const result = simulate(input, actions);
  if ("error" in result) return { score: 0, error: result.error, apples: 0n };
  if (result.apples <= 0n) {
    return { score: 0, error: `non-positive apples at the end: ${result.apples}`, apples: 0n };
  }
  return { score: scoreOfApples(result.apples), apples: result.apples };
}

/** Scores a program's raw output text. */
export function scoreOutput(input: Ahc058Input, output: string): Ahc058Score {
  const parsed = parseActions(input, output);
  if ("error" in parsed) return { score: 0, error: parsed.error, apples: 0n };
  return scoreActions(input, parsed.actions);
}

export function formatActions(actions: readonly Action[]): string {
  return actions.map((a) => (a === null ? "-1" : `${a.level} ${a.id}`)).join("\n") + "\n";
}
