import assert from "node:assert/strict";
import type { Program } from "../lib/grammar.ts";
import { Rng } from "../lib/rng.ts";
import { smoothMaxGradient } from "../problems/erdos/descend.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { projectCappedSimplex } from "../problems/erdos/projection.ts";
import { erdosReferences } from "../problems/erdos/reference.ts";
import type { ErdosState } from "../problems/erdos/state.ts";
import { certifyOverlap, evaluateHeights, evaluateHeightsByFFT } from "../problems/erdos/verifier.ts";

function randomState(seed: number, n: number): ErdosState {
  const rng = new Rng(seed);
  return { heights: Array.from({ length: n }, () => 0.5 + rng.uniform(-0.4, 0.4)) };
}

function value(state: unknown): number {
  const e = erdos.evaluate(state);
  assert(e.valid && e.value !== null, `expected a valid state, got: ${e.error}`);
  return e.value;
}

/** Feasible for the strict verifier: valid, and the rescaled heights lie in [0, 1]. */
function assertFeasible(state: ErdosState): void {
  const e = certifyOverlap(state);
  assert(e.valid, `infeasible: ${e.error}`);
  const n = state.heights.length;
  const sum = state.heights.reduce((a, b) => a + b, 0);
  assert(Math.abs(sum - n / 2) < 1e-9 * n, `sum ${sum} is not n/2 = ${n / 2}`);
}

Deno.test("verifier reproduces the three published values to 1e-12 (FFT and direct)", () => {
  const refs = erdosReferences();
  assert.deepStrictEqual(Object.keys(refs).sort(), [
    "alphaevolve",
    "einsteinarena_2026",
    "haugland_2016",
    "ttt_discover",
  ]);
  for (const [name, ref] of Object.entries(refs)) {
    assert.deepStrictEqual(ref.sequence.length, ref.pieces);
    for (
      const evaluation of [
        evaluateHeightsByFFT(ref.sequence),
        certifyOverlap(ref.sequence),
        evaluateHeights({ heights: ref.sequence }),
      ]
    ) {
      assert(evaluation.valid, `${name}: ${evaluation.error}`);
      const rel = Math.abs(evaluation.value! - ref.value) / ref.value;
      assert(rel < 1e-12, `${name}: ${evaluation.value} vs ${ref.value} (rel ${rel})`);
      assert.deepStrictEqual(evaluation.reward, 1 / evaluation.value!);
      assert.deepStrictEqual(evaluation.details?.n, ref.pieces);
    }
  }
});

Deno.test("verifier reports n, the argmax shift and the method", () => {
  const small = evaluateHeights([0.5, 0.5, 0.5, 0.5]);
  assert.deepStrictEqual(small.details?.method, "direct");
  const big = evaluateHeights(randomState(1, 100));
  assert.deepStrictEqual(big.details?.method, "fft");
  assert.deepStrictEqual(big.details?.n, 100);
  const shift = big.details?.argmaxShift as number;
  assert(Number.isInteger(shift) && Math.abs(shift) < 100);
  // Constant 1/2 on [0, 2]: overlap at shift 0 is n/4, so C5 = 1/2.
  assert.deepStrictEqual(small.value, 0.5);
});

Deno.test("verifier rejects bad input with a clear error, never throws", () => {
  const cases: Array<[unknown, RegExp]> = [
    [[0.5, NaN, 0.5], /NaN/],
    [[0.5, Infinity, 0.5], /not finite/],
    [[0.5, -Infinity, 0.5], /not finite/],
    [[0.5, -0.1, 0.5], /negative/],
    [[], /empty/],
    [[0.5], /too few/],
    [[0, 0, 0], /all heights are zero/],
    [[1, 0, 0, 0], /> 1 after rescaling/],
    [[0.5, "0.5"], /not a number: string/],
    [[0.5, true], /not a number: boolean/],
    [[0.5, null], /not a number: null/],
    [[0.5, {}], /not a number: object/],
    ["0.5,0.5", /must be an array.*string/],
    [null, /must be an array.*null/],
    [{ heights: 3 }, /must be an array.*number/],
    [{}, /must be an array.*undefined/],
    [new Array(100_001).fill(0.5), /too many pieces.*100000/],
  ];
  for (const [input, message] of cases) {
    for (const evaluate of [evaluateHeights, certifyOverlap]) {
      const e = evaluate(input);
      assert.deepStrictEqual(e.valid, false);
      assert.deepStrictEqual(e.value, null);
      assert.deepStrictEqual(e.reward, 0);
      assert.match(e.error ?? "", message);
    }
  }
});

Deno.test("verifier is strict at 1 and invariant to scaling the input", () => {
  // Exactly 1 after rescaling is allowed; one ulp above is not.
  assert(evaluateHeights([1, 0, 0.5, 0.5]).valid);
  assert.match(evaluateHeights({ heights: [1 + 2 ** -50, 0, 0.5, 0.5 - 2 ** -50] }).error ?? "", /> 1 after/);
  assert.match(evaluateHeights([1, 0.2, 0, 0]).error ?? "", /> 1 after rescaling/);
  const base = randomState(2, 80);
  const v = value(base);
  for (const factor of [1e-3, 0.7, 3, 1e6]) {
    const scaled = value({ heights: base.heights.map((x) => x * factor) });
    assert(Math.abs(scaled - v) <= 1e-14, `scale ${factor}: ${scaled} vs ${v}`);
  }
});

Deno.test("smoothed-max gradient matches finite differences", () => {
  const h = Float64Array.from(randomState(3, 25).heights);
  const tau = 0.01;
  const n = h.length;
  const surrogate = (x: Float64Array) => {
    const c: number[] = [];
    for (let k = -(n - 1); k < n; k++) {
      let s = 0;
      for (let i = Math.max(0, -k); i < Math.min(n, n - k); i++) s += x[i + k] * (1 - x[i]);
      c.push((2 / n) * s);
    }
    const m = Math.max(...c);
    return m + tau * Math.log(c.reduce((a, v) => a + Math.exp((v - m) / tau), 0));
  };
  const { grad } = smoothMaxGradient(h, tau);
  for (let j = 0; j < n; j++) {
    const up = h.slice(), down = h.slice();
    up[j] += 1e-6;
    down[j] -= 1e-6;
    const fd = (surrogate(up) - surrogate(down)) / 2e-6;
    assert(Math.abs(fd - grad[j]) < 1e-7, `coordinate ${j}: ${grad[j]} vs ${fd}`);
  }
});

Deno.test("projection lands on the capped simplex", () => {
  const rng = new Rng(4);
  const y = Array.from({ length: 57 }, () => rng.uniform(-1, 2));
  const h = projectCappedSimplex(y);
  assert(h.every((x) => x >= 0 && x <= 1));
  assert(Math.abs(h.reduce((a, b) => a + b, 0) - 57 / 2) < 1e-12);
});

const quickPrograms: Record<string, Program> = {
  descend: [{ op: "descend", params: { iters: 300, temp: 1e-3, lr: 1e-2, anneal: true, jitter: 0 } }],
  descendJitter: [{
    op: "descend",
    params: { iters: 300, temp: 1e-3, lr: 1e-2, anneal: true, jitter: 1e-2 },
  }],
  lp: [{ op: "slp", params: { iters: 4, radius: 0.01 } }],
  hop: [{ op: "hop", params: { tries: 2, scale: 0.03, iters: 500, temp: 1e-4 } }],
  perturbGaussian: [{ op: "perturb", params: { kind: "gaussian", scale: 0.03 } }],
  perturbLocal: [{ op: "perturb", params: { kind: "local", scale: 0.1 } }],
  perturbBlock: [{ op: "perturb", params: { kind: "block", scale: 0.1 } }],
  resampleUp: [{ op: "resample", params: { to: "x1.5", interp: "linear" } }],
  resampleDown: [{ op: "resample", params: { to: "x0.5", interp: "constant" } }],
  resampleFixed: [{ op: "resample", params: { to: "n100", interp: "linear" } }],
  symmetriseAverage: [{ op: "symmetrise", params: { mode: "average" } }],
  symmetriseLeft: [{ op: "symmetrise", params: { mode: "left" } }],
};

Deno.test("every operator keeps feasibility, is deterministic and leaves its input alone", async () => {
  const start = randomState(5, 60);
  const frozen = JSON.stringify(start);
  for (const [name, program] of Object.entries(quickPrograms)) {
    const a = await erdos.apply(program, start, { rng: new Rng(9) });
    const b = await erdos.apply(program, start, { rng: new Rng(9) });
    assertFeasible(a);
    assert.deepStrictEqual(erdos.stateKey(a), erdos.stateKey(b), `${name} is not deterministic`);
    assert.deepStrictEqual(JSON.stringify(start), frozen, `${name} mutated its input`);
  }
  const up = await erdos.apply(quickPrograms.resampleUp, start, { rng: new Rng(1) });
  assert.deepStrictEqual(up.heights.length, 90);
  const symmetric = await erdos.apply(quickPrograms.symmetriseAverage, start, { rng: new Rng(1) });
  const h = symmetric.heights;
  assert(h.every((x, i) => Math.abs(x - h[h.length - 1 - i]) < 1e-12));
});

Deno.test("descend and slp improve a random state; slp never worsens a good one", async () => {
  const start = randomState(6, 70);
  const v0 = value(start);
  const descended = await erdos.apply(quickPrograms.descend, start, { rng: new Rng(1) });
  const v1 = value(descended);
  assert(v1 < v0 - 1e-3, `descend: ${v1} vs ${v0}`);
  const polished = await erdos.apply(quickPrograms.lp, descended, { rng: new Rng(1) });
  assert(value(polished) < v1, `lp: ${value(polished)} vs ${v1}`);
  const haugland = erdos.initialStates(new Rng(1), erdos.optionsSchema.parse({}), "haugland")[0];
  const again = await erdos.apply(quickPrograms.lp, haugland, { rng: new Rng(1) });
  assert(value(again) <= value(haugland) + 1e-15);
});

Deno.test("apply throws on unusable input or programs", async () => {
  const bad = { heights: [0.5, NaN, 0.5] };
  await assertRejectsMessage(() => erdos.apply(quickPrograms.descend, bad, { rng: new Rng(1) }), /NaN/);
  const start = randomState(7, 40);
  await assertRejectsMessage(
    () => erdos.apply([{ op: "explode", params: {} }], start, { rng: new Rng(1) }),
    /unknown erdos operator/,
  );
  await assertRejectsMessage(
    () => erdos.apply([{ op: "slp", params: { iters: 3, radius: 0.01 } }], start, { rng: new Rng(1) }),
    /not one of/,
  );
});

async function assertRejectsMessage(fn: () => unknown, message: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match(e instanceof Error ? e.message : String(e), message);
    return;
  }
  throw new Error(`expected a rejection matching ${message}`);
}

Deno.test("problem contract: options, initial states, JSON, keys, features", () => {
  const options = erdos.optionsSchema.parse({});
  assert.deepStrictEqual(options, { minPieces: 40, maxPieces: 100, initialCount: 8 });
  assert.throws(() => erdos.optionsSchema.parse({ minPieces: 90, maxPieces: 50 }));
  const states = erdos.initialStates(new Rng(1), options);
  assert.deepStrictEqual(states.length, 8);
  for (const s of states) {
    assert(s.heights.length >= 40 && s.heights.length <= 100);
    assert(s.heights.every((x) => x >= 0.1 && x <= 0.9));
    assert(erdos.evaluate(s).valid);
  }
  assert.deepStrictEqual(JSON.stringify(erdos.initialStates(new Rng(1), options)), JSON.stringify(states));
  for (const name of erdos.warmStarts) {
    const [warm] = erdos.initialStates(new Rng(1), options, name);
    assert(value(warm) < 0.381);
  }
  assert.throws(() => erdos.initialStates(new Rng(1), options, "nope"), /valid: random, haugland/);

  const s = states[0];
  const round = erdos.fromJSON(JSON.parse(JSON.stringify(erdos.toJSON(s))));
  assert.deepStrictEqual(erdos.stateKey(round), erdos.stateKey(s));
  const nudged = { heights: [...s.heights] };
  nudged.heights[3] = nudged.heights[3] + 2 ** -40;
  assert.notDeepStrictEqual(erdos.stateKey(nudged), erdos.stateKey(s));
  assert.throws(() => erdos.fromJSON({ heights: "x" }), /not an Erdős state/);
  assert.throws(() => erdos.fromJSON([1, 2]), /not an Erdős state/);

  const features = erdos.features(s, erdos.evaluate(s));
  assert.deepStrictEqual(features.length, erdos.featureNames.length);
  assert(features.every((x) => Number.isFinite(x) && Math.abs(x) <= 5));
});

Deno.test("certify recomputes the value by direct summation", () => {
  const [warm] = erdos.initialStates(new Rng(1), erdos.optionsSchema.parse({}), "alphaevolve");
  const certified = erdos.certify!(warm);
  assert.match(certified.method, /direct/);
  assert.ok(Math.abs(certified.value - value(warm)) < 1e-15);
  assert.throws(() => erdos.certify!({ heights: [0, 0] }), /cannot certify/);
});
