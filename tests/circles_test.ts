import { discover } from "../mod.ts";
import { Rng } from "../lib/rng.ts";
import { exactlyDisjoint, exactSumAtMostOne } from "../problems/circles/exact.ts";
import { circles26, circles32 } from "../problems/circles/mod.ts";
import { optimalRadii, strictlyValid } from "../problems/circles/radii.ts";
import { evaluateCircles } from "../problems/circles/verifier.ts";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";

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

Deno.test("circles26 and circles32 run end to end through discover()", async () => {
  for (const problem of ["circles26", "circles32"]) {
    const gen = discover({ config: { problem, steps: 2, groups: 2, groupSize: 4, workers: 0 } });
    let result = await gen.next();
    while (!result.done) result = await gen.next();
    const summary = result.value;
    const expected = problem === "circles26" ? circles26 : circles32;
    assert(expected.evaluate(summary.best.state).valid);
    assert(summary.best.value > 2, `${problem}: ${summary.best.value}`);
  }
});
