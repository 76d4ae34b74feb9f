/**
 * The Erdős operators that carry real compute: SLP to convergence, basin hopping, and
 * the randomness that makes rollouts from one parent differ.
 */
import assert from "node:assert/strict";
import type { Program } from "../lib/grammar.ts";
import { Rng } from "../lib/rng.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { erdosReference } from "../problems/erdos/reference.ts";
import { projectCappedSimplex } from "../problems/erdos/projection.ts";
import { exactC5, sequentialLp } from "../problems/erdos/slp.ts";
import { certifyOverlap, rescaleHeights } from "../problems/erdos/verifier.ts";

function heightsOf(name: Parameters<typeof erdosReference>[0]): Float64Array {
  const r = rescaleHeights({ heights: erdosReference(name).sequence });
  if (!r.ok) throw new Error(r.error);
  return r.heights;
}

function randomHeights(seed: number, n: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => 0.5 + rng.uniform(-0.4, 0.4));
}

const certified = (h: ArrayLike<number>) => {
  const e = certifyOverlap(Array.from(h));
  assert(e.valid && e.value !== null, `invalid: ${e.error}`);
  return e.value;
};

Deno.test("slp moves the AlphaEvolve construction, where the old capped LP could not", async () => {
  const start = heightsOf("alphaevolve");
  const before = certified(start);
  const result = await sequentialLp(start, { iterations: 30, radius: 1e-2 });
  const after = certified(result.heights);
  assert(after < before - 1e-9, `C5 ${after} vs ${before}`);
  assert(Math.abs(after - result.value) < 1e-14, "reported value is the certified one");
  assert(result.iterations <= 30 && result.accepted > 0);
});

Deno.test("slp respects its budget, is deterministic given its rng, never worsens a state", async () => {
  const start = Float64Array.from(randomHeights(3, 60));
  const c = new Float64Array(2 * 60 - 1);
  const projectedStart = exactC5(projectCappedSimplex(start), c);
  const a = await sequentialLp(start, { iterations: 5, radius: 1e-2, rng: new Rng(7) });
  const b = await sequentialLp(start, { iterations: 5, radius: 1e-2, rng: new Rng(7) });
  assert.equal(a.iterations, 5);
  assert.deepStrictEqual(Array.from(a.heights), Array.from(b.heights));
  assert(a.value <= projectedStart);
  // A state that slp already polished is never made worse.
  const again = await sequentialLp(a.heights, { iterations: 5, radius: 1e-4, rng: new Rng(8) });
  assert(again.value <= a.value);
  certified(again.heights);
});

Deno.test("slp on a random subset of columns (large n) still improves and stays feasible", async () => {
  const start = Float64Array.from(randomHeights(4, 300));
  const c = new Float64Array(2 * 300 - 1);
  const before = exactC5(projectCappedSimplex(start), c);
  const result = await sequentialLp(start, { iterations: 6, radius: 1e-2, maxColumns: 60, rng: new Rng(1) });
  assert(result.value < before, `${result.value} vs ${before}`);
  certified(result.heights);
});

Deno.test("a past deadline stops slp and hop at once with a valid state no worse than the start", async () => {
  const start = { heights: randomHeights(5, 80) };
  const before = erdos.evaluate(start).value!;
  for (
    const program of [
      [{ op: "slp", params: { iters: 64, radius: 1e-2 } }],
      [{ op: "hop", params: { tries: 8, scale: 0.1, iters: 32000, temp: 1e-5 } }],
      [{ op: "descend", params: { iters: 3000, temp: 1e-4, lr: 1e-2, anneal: true, jitter: 0 } }],
    ] as Program[]
  ) {
    const started = performance.now();
    const out = await erdos.apply(program, start, { rng: new Rng(1), deadline: Date.now() - 1 });
    const e = erdos.evaluate(out);
    assert(e.valid, `${program[0].op}: ${e.error}`);
    assert(e.value! <= before + 1e-12, `${program[0].op} worsened the start`);
    assert(performance.now() - started < 5_000, `${program[0].op} ignored its deadline`);
  }
});

Deno.test("hop improves a local optimum of descend+slp by kicking it", async () => {
  const start = { heights: randomHeights(6, 50) };
  const polish: Program = [
    { op: "descend", params: { iters: 1000, temp: 1e-4, lr: 1e-2, anneal: true, jitter: 0 } },
    { op: "slp", params: { iters: 16, radius: 1e-2 } },
  ];
  const local = await erdos.apply(polish, start, { rng: new Rng(1) });
  // Kicks are random: of three hops with their own streams, at least one finds a better basin.
  const values: number[] = [];
  for (const seed of [2, 3, 4]) {
    const hopped = await erdos.apply(
      [{ op: "hop", params: { tries: 8, scale: 0.3, iters: 2000, temp: 1e-5 } }],
      local,
      {
        rng: new Rng(seed),
      },
    );
    values.push(erdos.evaluate(hopped).value!);
  }
  const before = erdos.evaluate(local).value!;
  assert(values.every((v) => v <= before), `a hop made the state worse: ${values} vs ${before}`);
  assert(Math.min(...values) < before, `no hop improved ${before}: ${values}`);
});

Deno.test("rollouts of one program from one parent differ through their own rng", async () => {
  const parent = { heights: randomHeights(7, 60) };
  for (
    const program of [
      [{ op: "descend", params: { iters: 300, temp: 1e-4, lr: 1e-2, anneal: true, jitter: 1e-3 } }],
      [{ op: "perturb", params: { kind: "gaussian", scale: 0.01 } }],
      [{ op: "hop", params: { tries: 2, scale: 0.03, iters: 500, temp: 1e-5 } }],
    ] as Program[]
  ) {
    const keys = new Set<string>();
    for (let seed = 0; seed < 4; seed++) {
      keys.add(erdos.stateKey(await erdos.apply(program, parent, { rng: new Rng(seed) })));
    }
    assert(keys.size >= 3, `${program[0].op}: only ${keys.size} distinct children of 4`);
  }
});

Deno.test("a program returns the best state it passed through, so a late bad move erases nothing", async () => {
  const start = { heights: randomHeights(8, 60) };
  const slp: Program = [{ op: "slp", params: { iters: 16, radius: 1e-2 } }];
  const polished = await erdos.apply(slp, start, { rng: new Rng(1) });
  const spoiled = await erdos.apply(
    [...slp, { op: "perturb", params: { kind: "gaussian", scale: 0.1 } }],
    start,
    { rng: new Rng(1) },
  );
  assert.equal(erdos.stateKey(spoiled), erdos.stateKey(polished));
});
