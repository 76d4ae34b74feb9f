/**
 * AHC039 ("Purse Seine Fishing") inputs: N mackerels then N sardines, distinct integer points
 * of [0, 1e5]^2.
 */
export const SIDE = 100_000;
export const FISH = 5000;

export interface Ahc039Input {
  readonly n: number;
  /** xs[i], ys[i] for i < n are mackerels, for n <= i < 2n sardines. */
  readonly xs: Int32Array;
  readonly ys: Int32Array;
}

const INTEGER = /^[+-]?\d+$/;

export function parseInput(text: string): Ahc039Input {
  const tokens = text.split(/\s+/).filter((s) => s.length > 0);
  let at = 0;
  const next = (what: string): number => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`input ended before ${what}`);
    if (!INTEGER.test(token)) throw new Error(`${what} is not an integer: ${token.slice(0, 20)}`);
    return Number(token);
  };
  const n = next("N");
  if (!(n >= 1 && n <= 100_000)) throw new Error(`N out of range: ${n}`);
  const xs = new Int32Array(2 * n), ys = new Int32Array(2 * n);
  const seen = new Set<number>();
  for (let i = 0; i < 2 * n; i++) {
    xs[i] = next(`x_${i}`);
    ys[i] = next(`y_${i}`);
    if (xs[i] < 0 || xs[i] > SIDE || ys[i] < 0 || ys[i] > SIDE) throw new Error(`point ${i} out of range`);
    const key = xs[i] * (SIDE + 1) + ys[i];
    if (seen.has(key)) throw new Error(`point ${i} repeats an earlier point`);
    seen.add(key);
  }
  if (at !== tokens.length) throw new Error(`${tokens.length - at} extra tokens after the points`);
  return { n, xs, ys };
}

export function formatInput(input: Ahc039Input): string {
  const lines = [`${input.n}`];
  for (let i = 0; i < 2 * input.n; i++) lines.push(`${input.xs[i]} ${input.ys[i]}`);
  return lines.join("\n") + "\n";
}
