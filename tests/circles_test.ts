import { discover } from "../mod.ts";
import { Rng } from "../lib/rng.ts";
import { exactlyDisjoint, exactSumAtMostOne } from "../problems/circles/exact.ts";
import { circles26, circles32 } from "../problems/circles/mod.ts";
import { halfGapRadii, optimalRadii, strictlyValid } from "../problems/circles/radii.ts";
import { evaluateCircles, maxViolation } from "../problems/circles/verifier.ts";
import { localOptimize, settle } from "../problems/circles/local.ts";
import { descend, hop, restart } from "../problems/circles/operators.ts";
import { clonePacking, type Packing, packingOf, radiusSum, stateOf } from "../problems/circles/packing.ts";
import { penaltyDescent } from "../problems/circles/penalty.ts";
import { PERTURBATIONS } from "../problems/circles/perturb.ts";
import { polish } from "../problems/circles/slp.ts";
import type { Program } from "../lib/grammar.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { foundPacking } from "../problems/circles/found.ts";

/** 26 circles of radius 1/16 on the 8 x 8 grid of centres (2k + 1)/16: exact, touching. */
function gridPacking(count = 26) {
  const centers: [number, number][] = [];
  for (let k = 0; k < count; k++) centers.push([(2 * (k % 8) + 1) / 16, (2 * Math.floor(k / 8) + 1) / 16]);
  return { centers, radii: new Array(count).fill(1 / 16) };
}

Deno.test("a touching grid packing is valid with the exact sum of radii", () => {
  const e = circles26.evaluate(gridPacking());
  assert(e.valid, e.error);
  assertEquals(e.value, 26 / 16);
  assertEquals(e.reward, 26 / 16);
  assertEquals(e.details?.maxViolation, 0);
});

Deno.test("overlap by 1e-12 is rejected, and the tolerance is reported", () => {
  const p = gridPacking();
  p.radii[9] += 1e-12; // an interior circle: it overlaps its neighbours, not a wall
  const e = circles26.evaluate(p);
  assert(!e.valid && /overlap/.test(e.error!), e.error);
  assertAlmostEquals(e.details?.maxViolation as number, 1e-12, 1e-15);
});

Deno.test("a circle poking out of the square is rejected, even by less than float rounding of x + r", () => {
  const p = gridPacking();
  p.centers[7] = [0.95, p.centers[7][1]]; // r = 1/16 > 0.05
  assert(/not inside/.test(circles26.evaluate(p).error!));
  // 0.75 + (0.25 + 2^-54) rounds to exactly 1 in float64, but the exact sum exceeds 1.
  const r = 0.25 + 2 ** -54;
  assertEquals(0.75 + r, 1);
  assert(!exactSumAtMostOne(0.75, r));
  assert(exactSumAtMostOne(0.75, 0.25));
});

Deno.test("the exact overlap test decides touching circles on float inputs", () => {
  assert(exactlyDisjoint(0.25, 0.25, 0.25, 0.75, 0.25, 0.25)); // touching exactly
  assert(!exactlyDisjoint(0.25, 0.25, 0.25 + 2 ** -54, 0.75, 0.25, 0.25));
  // 3-4-5 triangle: distance exactly 5/16.
  assert(exactlyDisjoint(0, 0, 0.125, 3 / 16, 4 / 16, 3 / 16));
  assert(!exactlyDisjoint(0, 0, 0.125 + 2 ** -55, 3 / 16, 4 / 16, 3 / 16));
});

Deno.test("malformed packings are invalid with a clear error, never a throw", () => {
  const good = gridPacking();
  const cases: [unknown, RegExp][] = [
    [null, /got null/],
    [[1, 2], /got array/],
    [{ centers: good.centers }, /radii must be an array/],
    [{ ...good, centers: good.centers.slice(1) }, /exactly 26 centers/],
    [gridPacking(32), /exactly 26 centers/],
    [{ ...good, radii: good.radii.map((r, i) => (i === 3 ? NaN : r)) }, /radius 3 is not a finite number/],
    [{ ...good, radii: good.radii.map((r, i) => (i === 3 ? -0.01 : r)) }, /radius 3 is negative/],
    [{ ...good, radii: good.radii.map((r, i) => (i === 3 ? true : r)) }, /radius 3 .*boolean/],
    [{ ...good, centers: good.centers.map((c, i) => (i === 2 ? [c[0], "x"] : c)) }, /center 2/],
    [{ ...good, centers: good.centers.map((c, i) => (i === 2 ? [c[0]] : c)) }, /center 2 must be a pair/],
    [{ ...good, radii: new Array(26).fill(0) }, /all radii are zero/],
  ];
  for (const [input, pattern] of cases) {
    const e = circles26.evaluate(input);
    assert(!e.valid && e.reward === 0 && e.value === null, `accepted ${JSON.stringify(input)}`);
    assert(pattern.test(e.error!), `"${e.error}" does not match ${pattern}`);
  }
});

Deno.test("the radii LP recovers the grid's radii, and the strict shrink makes any LP output valid", async () => {
  const p = gridPacking();
  const xs = Float64Array.from(p.centers, (c) => c[0]), ys = Float64Array.from(p.centers, (c) => c[1]);
  const r = await optimalRadii(xs, ys);
  assert(r);
  assertAlmostEquals(r.reduce((s, v) => s + v, 0), 26 / 16, 1e-9);
  const rng = new Rng(5);
  const rx = Float64Array.from({ length: 26 }, () => rng.next());
  const ry = Float64Array.from({ length: 26 }, () => rng.next());
  const rr = strictlyValid(rx, ry, (await optimalRadii(rx, ry))!);
  assert(evaluateCircles(26, { centers: Array.from(rx, (x, i) => [x, ry[i]]), radii: Array.from(rr) }).valid);
});

Deno.test("every circles operator yields a valid packing", async () => {
  const [start] = circles26.initialStates(new Rng(1), { initialCount: 1 });
  assert(circles26.evaluate(start).valid);
  for (const op of circles26.grammar.operators) {
    const params = Object.fromEntries(op.params.map((p) => [p.name, p.choices[0]]));
    const out = await circles26.apply([{ op: op.name, params }], start, { rng: new Rng(2) });
    const e = circles26.evaluate(out);
    assert(e.valid, `${op.name}: ${e.error}`);
  }
});

Deno.test("circles26 and circles32 run end to end through discover(), every rollout valid under a deadline", async () => {
  for (const problem of ["circles26", "circles32"]) {
    const gen = discover({
      config: {
        problem,
        steps: 2,
        groups: 2,
        groupSize: 2,
        // A worker sets each rollout's deadline (80% of 3 s): a hop(128) is cut short, never killed.
        workers: 1,
        rolloutTimeoutSeconds: 3,
      },
    });
    let result = await gen.next();
    while (!result.done) {
      assertEquals(result.value.row.valid, result.value.row.rollouts, `${problem}: an invalid rollout`);
      result = await gen.next();
    }
    const summary = result.value;
    const expected = problem === "circles26" ? circles26 : circles32;
    assert(expected.evaluate(summary.best.state).valid);
    assert(summary.best.value > 2, `${problem}: ${summary.best.value}`);
  }
});

/** The smallest settings of every operator: each program is one operator, cheap enough for a test. */
function cheapPrograms(): Program {
  return [
    { op: "hop", params: { perturb: "reinsert", k: 2, hops: 2 } },
    { op: "restart", params: { starts: 1, keep: 8 } },
    { op: "descend", params: { mu: 10, jitter: 0.001, polish: 10 } },
  ];
}

function valueOf(count: number, p: Packing): number {
  const e = evaluateCircles(count, stateOf(p.xs, p.ys, p.rs));
  assert(e.valid, e.error);
  return e.value!;
}

function randomPacking(count: number, seed: number): Packing {
  const rng = new Rng(seed);
  const xs = Float64Array.from({ length: count }, () => rng.uniform(0.1, 0.9));
  const ys = Float64Array.from({ length: count }, () => rng.uniform(0.1, 0.9));
  return { xs, ys, rs: strictlyValid(xs, ys, halfGapRadii(xs, ys)) };
}

Deno.test("each operator raises the sub-optimal grid packing (1.625) and returns a valid packing", async () => {
  for (const move of cheapPrograms()) {
    const out = await circles26.apply([move], gridPacking(), { rng: new Rng(3) });
    const e = circles26.evaluate(out);
    assert(e.valid, `${move.op}: ${e.error}`);
    assert(e.value! > 26 / 16 + 0.5, `${move.op}: ${e.value}`);
  }
});

Deno.test("on 6 circles the penalty method, the SLP polish and the settle each keep or raise the sum", async () => {
  const p = randomPacking(6, 11);
  const start = valueOf(6, p);
  const q = clonePacking(p);
  const spent = penaltyDescent(q, { iterations: 200, muFirst: 10, muLast: 1e10 });
  assert(spent > 0 && spent <= 200 * 10, `${spent} L-BFGS iterations`);
  const settled = await settle(q);
  assert(settled > start + 0.1, `${start} -> ${settled}`);
  assertAlmostEquals(valueOf(6, q), settled, 1e-15);
  const polished = await polish(q, { iterations: 20, trust: 1e-3 });
  assert(polished.steps <= 20);
  assert(polished.value >= settled - 1e-12, `${settled} -> ${polished.value}`);
  const final = await settle(q);
  assert(final >= settled - 1e-9, `${settled} -> ${final}`);
  assertAlmostEquals(valueOf(6, q), final, 1e-15);
});

Deno.test("the operators spend exactly their count budgets, and none after the deadline", async () => {
  const start = randomPacking(26, 4);
  await settle(start);
  const context = { rng: new Rng(1) };
  assertEquals((await hop(start, "jiggle", 1, 3, context)).optimisations, 3);
  assertEquals((await restart(start, 2, 0, context)).optimisations, 2);
  assertEquals((await descend(start, 1e3, 1e-3, 0, context)).optimisations, 1);
  const late = { rng: new Rng(1), deadline: Date.now() - 1 };
  const cut = await hop(start, "jiggle", 1, 128, late);
  assertEquals(cut.optimisations, 0);
  assertEquals(cut.packing, start); // the best valid iterate: the start itself
  // Past the deadline, restart and descend spend nothing and return their start.
  for (const cutShort of [await restart(start, 16, 0, late), await descend(start, 10, 1e-2, 40, late)]) {
    assertEquals(cutShort.optimisations, 0);
    assertEquals(cutShort.packing, start);
  }
});

Deno.test("a program past its deadline returns its settled parent, valid", async () => {
  const parent = circles26.initialStates(new Rng(2), { initialCount: 1 })[0];
  const program: Program = [{ op: "hop", params: { perturb: "cluster", k: 5, hops: 128 } }];
  const out = await circles26.apply(program, parent, { rng: new Rng(1), deadline: Date.now() - 1 });
  const e = circles26.evaluate(out);
  assert(e.valid, e.error);
  const settled = packingOf(parent);
  await settle(settled);
  assertEquals(out, stateOf(settled.xs, settled.ys, settled.rs));
  assert(e.value! >= circles26.evaluate(parent).value!, "settling never lowers the parent");
});

Deno.test("every operator is deterministic given its seed, and rollouts with different seeds differ", async () => {
  const parent = circles26.initialStates(new Rng(8), { initialCount: 1 })[0];
  for (const move of cheapPrograms()) {
    const run = (seed: number) => circles26.apply([move], parent, { rng: new Rng(seed) });
    const [a, b] = [await run(5), await run(5)];
    assertEquals(a, b, `${move.op} is not deterministic`);
    const keys = new Set<string>();
    for (const seed of [1, 2, 3, 4]) keys.add(circles26.stateKey(await run(seed)));
    assert(keys.size > 1, `${move.op}: four seeds gave one packing`);
  }
});

Deno.test("random programs of the grammar (smaller budgets) always return valid packings", async () => {
  const rng = new Rng(21);
  let parent = circles32.initialStates(new Rng(6), { initialCount: 1 })[0];
  for (let t = 0; t < 6; t++) {
    const op = circles32.grammar.operators[rng.int(circles32.grammar.operators.length)];
    const params = Object.fromEntries(
      op.params.map((p) => [p.name, p.choices[rng.int(Math.min(2, p.choices.length))]]),
    );
    const out = await circles32.apply([{ op: op.name, params }], parent, { rng: new Rng(t) });
    const e = circles32.evaluate(out);
    assert(e.valid, `${op.name} ${JSON.stringify(params)}: ${e.error}`);
    parent = out;
  }
  assert(radiusSum(packingOf(parent)) > 2.5);
});

Deno.test("each perturbation kind in a hop keeps the packing valid and never lowers the sum", async () => {
  const start = randomPacking(26, 9);
  const before = await localOptimize(start, { muFirst: 10, iterations: 300 });
  for (const kind of PERTURBATIONS) {
    const { packing } = await hop(start, kind, 3, 2, { rng: new Rng(4) });
    assert(valueOf(26, packing) >= before, `${kind}: ${valueOf(26, packing)} < ${before}`);
  }
});

Deno.test("on an optimised (nearly degenerate) packing the radii LP leaves no violation the shrink must pay for", async () => {
  const p = randomPacking(32, 1);
  penaltyDescent(p, { iterations: 300, muFirst: 10, muLast: 1e10 });
  const r = (await optimalRadii(p.xs, p.ys))!;
  // HiGHS alone leaves overlaps of ~1e-11 here, which a uniform shrink would pay 32 times over.
  assert(maxViolation(p.xs, p.ys, r).maxViolation <= 1e-15, `${maxViolation(p.xs, p.ys, r).maxViolation}`);
  const shrunk = strictlyValid(p.xs, p.ys, r);
  const loss = r.reduce((s, v) => s + v, 0) - shrunk.reduce((s, v) => s + v, 0);
  assert(loss < 1e-12, `the strict shrink cost ${loss}`);
});

Deno.test("the toolkit's found packings are valid warm starts with their recorded values", () => {
  for (const [problem, count] of [[circles26, 26], [circles32, 32]] as const) {
    assertEquals(problem.warmStarts, ["toolkit"]);
    const [state] = problem.initialStates(new Rng(0), { initialCount: 8 }, "toolkit");
    const e = problem.evaluate(state);
    assert(e.valid, e.error);
    assertEquals(e.value, foundPacking(count, "toolkit").value);
    assert(e.value! > problem.record!.value - 1e-6, `${problem.name}: ${e.value}`);
  }
  assertThrows(
    () => circles26.initialStates(new Rng(0), { initialCount: 1 }, "nope"),
    /valid: random, toolkit/,
  );
});
