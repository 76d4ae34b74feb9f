/**
 * AHC058 input generator, from the statement's "Input Generation" rules with our own seeded
 * Rng (not bit-identical to the official Rust generator, which uses ChaCha20):
 * A_0 = 1, A_j = round(10^U(0,2)), then A sorted; C_00 = 1, C_ij = round(A_j 500^i 10^U(0,2)).
 */
import { Rng } from "../../lib/rng.ts";
import { type Ahc058Input, K, L, N, T } from "./input.ts";

export function generateInput(rng: Rng): Ahc058Input {
  const a = [1];
  for (let j = 1; j < N; j++) a.push(Math.round(10 ** rng.uniform(0, 2)));
  a.sort((x, y) => x - y);
  const c: bigint[][] = [];
  for (let i = 0; i < L; i++) {
    const row: bigint[] = [];
    for (let j = 0; j < N; j++) {
      // At most 100 * 500^3 * 100 = 1.25e12 < 2^53: exact in a double before the BigInt.
      row.push(i === 0 && j === 0 ? 1n : BigInt(Math.round(a[j] * 500 ** i * 10 ** rng.uniform(0, 2))));
    }
    c.push(row);
  }
  return { n: N, l: L, t: T, k: K, a: a.map(BigInt), c };
}

/** The generated case for a seed: a pure function of the seed. */
export function generateCase(seed: number): Ahc058Input {
  return generateInput(Rng.derive(58, seed));
}
