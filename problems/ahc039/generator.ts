/**
 * AHC039 input generator, from the statement's "Input Generation" rules with our own seeded Rng
 * (not bit-identical to the official ChaCha20 generator). Per species: n = rand(10, 25)
 * clusters with weight U(0, 1), centre rand(20000, 80000)^2 and sigma rand(1000, 5000); each
 * fish picks a cluster by weight and takes round(normal(centre, sigma)) per coordinate,
 * redrawn while out of [0, 1e5]^2 or equal to any earlier fish of either species.
 */
import { Rng } from "../../lib/rng.ts";
import { type Ahc039Input, FISH, SIDE } from "./input.ts";

export interface Cluster {
  readonly weight: number;
  readonly cx: number;
  readonly cy: number;
  readonly sigma: number;
}

/** The input and, for tests and figures, the clusters each species was drawn from. */
export interface GeneratedCase extends Ahc039Input {
  readonly clusters: readonly [readonly Cluster[], readonly Cluster[]];
}

const randInt = (rng: Rng, low: number, high: number) => low + rng.int(high - low + 1);

export function generateInput(rng: Rng, n = FISH): GeneratedCase {
  const xs = new Int32Array(2 * n), ys = new Int32Array(2 * n);
  const taken = new Set<number>();
  const clusters: Cluster[][] = [];
  let count = 0;
  for (let species = 0; species < 2; species++) {
    const k = randInt(rng, 10, 25);
    const cs: Cluster[] = Array.from({ length: k }, () => ({
      weight: rng.next(),
      cx: randInt(rng, 20000, 80000),
      cy: randInt(rng, 20000, 80000),
      sigma: randInt(rng, 1000, 5000),
    }));
    clusters.push(cs);
    const weights = cs.map((c) => c.weight);
    while (count < n * (species + 1)) {
      const c = cs[rng.categorical(weights)];
      const x = Math.round(c.cx + c.sigma * rng.normal());
      const y = Math.round(c.cy + c.sigma * rng.normal());
      if (x < 0 || x > SIDE || y < 0 || y > SIDE) continue;
      const key = x * (SIDE + 1) + y;
      if (taken.has(key)) continue;
      taken.add(key);
      xs[count] = x;
      ys[count] = y;
      count++;
    }
  }
  return { n, xs, ys, clusters: [clusters[0], clusters[1]] };
}

export function generateCase(seed: number): GeneratedCase {
  return generateInput(Rng.derive(39, seed));
}
