/**
 * AHC058 ("Apple Incremental Game") inputs: N machine ids, L levels, T turns, K starting
 * apples, capacities A_j and initial costs C_{i,j}. Costs reach 1.25e12 and the apples of a
 * good plan pass 2^53, so every count here is a BigInt.
 */

export interface Ahc058Input {
  readonly n: number;
  readonly l: number;
  readonly t: number;
  readonly k: bigint;
  /** Production capacity of machine j^0, ascending. */
  readonly a: readonly bigint[];
  /** c[i][j]: initial cost of machine j^i. */
  readonly c: readonly (readonly bigint[])[];
}

/** The contest's fixed sizes (every official and generated case has them). */
export const N = 10;
export const L = 4;
export const T = 500;
export const K = 1n;

const INTEGER = /^[+-]?\d+$/;

/** Parses the contest input format; throws with a reason on anything malformed. */
export function parseInput(text: string): Ahc058Input {
  const tokens = text.split(/\s+/).filter((s) => s.length > 0);
  let at = 0;
  const next = (what: string): bigint => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`input ended before ${what}`);
    if (!INTEGER.test(token)) throw new Error(`${what} is not an integer: ${token.slice(0, 20)}`);
    return BigInt(token);
  };
  const n = Number(next("N")), l = Number(next("L")), t = Number(next("T"));
  const k = next("K");
  if (!(n >= 1 && n <= 100 && l >= 1 && l <= 10 && t >= 1 && t <= 100_000 && k >= 0n)) {
    throw new Error(`sizes out of range: N=${n} L=${l} T=${t} K=${k}`);
  }
  const a = Array.from({ length: n }, (_, j) => next(`A_${j}`));
  const c = Array.from({ length: l }, (_, i) => Array.from({ length: n }, (_, j) => next(`C_${i},${j}`)));
  if (at !== tokens.length) throw new Error(`${tokens.length - at} extra tokens after the costs`);
  for (const v of [...a, ...c.flat()]) {
    if (v < 1n) throw new Error(`capacities and costs must be >= 1, got ${v}`);
  }
  return { n, l, t, k, a, c };
}

export function formatInput(input: Ahc058Input): string {
  return [
    `${input.n} ${input.l} ${input.t} ${input.k}`,
    input.a.join(" "),
    ...input.c.map((row) => row.join(" ")),
  ].join("\n") + "\n";
}
