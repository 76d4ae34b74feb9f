import { discover } from "../lib/loop.ts";
import { Rng } from "../lib/rng.ts";
import { generateInput } from "../problems/ahc039/generator.ts";
import type { Ahc039Input } from "../problems/ahc039/input.ts";
import { ahc039 } from "../problems/ahc039/mod.ts";
import { judgeAhc039Cpp, rectangleCppSource } from "../problems/ahc039/native.ts";
import { parse, prompt } from "../problems/ahc039/prompt.ts";
import { type Polygon, scoreOutput, scorePolygon } from "../problems/ahc039/scorer.ts";
import { BASELINE_PARAMS, solve } from "../problems/ahc039/solver.ts";
import { LADDER_NAMES, LADDERS } from "../problems/ahc039/state.ts";
import { loadCases } from "../problems/ahc039/cases.ts";
import { assert, assertEquals } from "./assert.ts";

/** A tiny input: mackerels then sardines. */
function tiny(mackerels: [number, number][], sardines: [number, number][]): Ahc039Input {
  if (mackerels.length !== sardines.length) throw new Error("equal counts");
  const all = [...mackerels, ...sardines];
  return {
    n: mackerels.length,
    xs: Int32Array.from(all, (p) => p[0]),
    ys: Int32Array.from(all, (p) => p[1]),
  };
}
const out = (poly: Polygon) => `${poly.length}\n${poly.map(([x, y]) => `${x} ${y}`).join("\n")}\n`;
const square: Polygon = [[10, 10], [20, 10], [20, 20], [10, 20]];

Deno.test("ahc039 scorer: hand-made polygons with known scores (boundary counts as inside)", () => {
  // Mackerels: inside, on an edge, on a corner, outside. Sardines: inside, outside x3.
  const input = tiny([[15, 15], [20, 12], [10, 10], [30, 30]], [[11, 19], [9, 15], [21, 15], [15, 21]]);
  const r = scorePolygon(input, square);
  assertEquals([r.mackerels, r.sardines, r.score, r.perimeter], [3, 1, 3, 40]);
  assertEquals(scoreOutput(input, out(square)).score, 3);
  // An L shape: the notch (20..30, 20..30) is outside; its edges are inside.
  const ell: Polygon = [[10, 10], [30, 10], [30, 20], [20, 20], [20, 30], [10, 30]];
  const lin = tiny([[25, 25], [25, 20], [20, 25], [15, 25]], [[25, 15], [29, 11], [0, 0], [31, 20]]);
  const l = scorePolygon(lin, ell);
  assertEquals([l.mackerels, l.sardines, l.score], [3, 2, 2]);
  // Clockwise order and collinear extra vertices give the same result; the last polygon counts.
  const cw: Polygon = [[10, 10], [10, 20], [15, 20], [20, 20], [20, 10]];
  assertEquals(scorePolygon(input, cw).score, 3);
  assertEquals(scoreOutput(input, out([[0, 0], [5, 0], [5, 5], [0, 5]]) + out(square)).score, 3);
  // max(0, a - b + 1): a net of sardines only scores 0, validly.
  const bad = scorePolygon(tiny([[0, 0]], [[15, 15]]), square);
  assertEquals([bad.score, bad.error], [0, undefined]);
});

Deno.test("ahc039 scorer: every illegal output scores 0 with its reason", () => {
  const input = tiny([[15, 15]], [[0, 0]]);
  const comb: Polygon = [
    [0, 0],
    [100000, 0],
    [100000, 100000],
    [80000, 100000],
    [80000, 1000],
    [60000, 1000],
    [60000, 100000],
    [40000, 100000],
    [40000, 1000],
    [20000, 1000],
    [20000, 100000],
    [0, 100000],
  ];
  const cases: [string, RegExp][] = [
    ["", /no polygon/],
    ["3\n0 0\n1 0\n1 1\n", /vertex count m out of range/],
    ["1001\n", /out of range/],
    ["4\n0 0\n10 0\n10 10\n", /unexpected end/],
    ["4\n0 0\n10 0\n10 x\n0 10\n", /parse error/],
    ["4\n0 0\n100001 0\n100001 10\n0 10\n", /out of range/],
    ["4\n0 0\n-1 0\n-1 10\n0 10\n", /out of range/],
    [out([[0, 0], [10, 0], [10, 0], [0, 10]]), /same coordinates/],
    [out([[0, 0], [10, 0], [12, 10], [0, 10]]), /not parallel/],
    [out([[0, 0], [10, 0], [5, 0], [5, 10], [0, 10]]), /fold back/],
    // Two squares meeting at the corner (10, 10): a self-touching figure eight.
    [out([[0, 0], [10, 0], [10, 10], [20, 10], [20, 20], [10, 20], [10, 10], [0, 10]]), /self-intersecting/],
    // A boundary that crosses itself.
    [out([[0, 0], [20, 0], [20, 10], [5, 10], [5, 20], [15, 20], [15, 5], [0, 5]]), /self-intersecting/],
    [out(comb), /perimeter 796000 exceeds/],
  ];
  for (const [output, pattern] of cases) {
    const r = scoreOutput(input, output);
    assertEquals(r.score, 0);
    assert(
      r.error !== undefined && pattern.test(r.error),
      `${JSON.stringify(output.slice(0, 30))}: ${r.error}`,
    );
  }
  // The largest legal net: the whole square, perimeter exactly 4e5.
  const whole = scoreOutput(input, out([[0, 0], [100000, 0], [100000, 100000], [0, 100000]]));
  assertEquals([whole.score, whole.error, whole.perimeter], [1, undefined, 400000]);
});

Deno.test("ahc039 generator follows the published rules", () => {
  for (let s = 0; s < 3; s++) {
    const input = generateInput(new Rng(100 + s));
    assertEquals(input.n, 5000);
    assertEquals(input.xs.length, 10000);
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) {
      assert(input.xs[i] >= 0 && input.xs[i] <= 100000 && input.ys[i] >= 0 && input.ys[i] <= 100000);
      seen.add(input.xs[i] * 100001 + input.ys[i]);
    }
    assertEquals(seen.size, 10000, "all points distinct across species");
    for (let species = 0; species < 2; species++) {
      const cs = input.clusters[species];
      assert(cs.length >= 10 && cs.length <= 25, `${cs.length} clusters`);
      for (const c of cs) {
        assert(c.weight >= 0 && c.weight < 1);
        assert(c.cx >= 20000 && c.cx <= 80000 && c.cy >= 20000 && c.cy <= 80000);
        assert(c.sigma >= 1000 && c.sigma <= 5000 && Number.isInteger(c.sigma));
      }
      // Cluster structure: nearly every fish is within 4 sigma of one of its species' centres.
      let near = 0;
      for (let i = species * 5000; i < (species + 1) * 5000; i++) {
        if (cs.some((c) => Math.hypot(input.xs[i] - c.cx, input.ys[i] - c.cy) <= 4 * c.sigma)) near++;
      }
      assert(near / 5000 > 0.995, `only ${near} of 5000 fish near a centre`);
    }
  }
});

Deno.test("ahc039 solver: every parameter set yields a legal net, judged by the exact scorer", () => {
  const cases = loadCases({ source: "generated", seed: 0, count: 2 });
  const rng = new Rng(3);
  for (let k = 0; k < 12; k++) {
    const params: Record<string, number> = { ...BASELINE_PARAMS, seed: k };
    for (const name of LADDER_NAMES) {
      const ladder = LADDERS[name] as readonly number[];
      params[name] = ladder[rng.int(ladder.length)];
    }
    params.iters = Math.min(params.iters, 20000);
    params.refineIters = Math.min(params.refineIters, 20000);
    for (const c of cases) {
      const r = scorePolygon(c.input, solve(c.input, params as unknown as typeof BASELINE_PARAMS).polygon);
      assert(r.error === undefined && r.score > 0, `${JSON.stringify(params)}: ${r.error}`);
    }
  }
});

Deno.test("ahc039 evaluate: deterministic mean score; bad states are invalid, never thrown", () => {
  const options = ahc039.optionsSchema.parse({ caseCount: 2 });
  const [baseline] = ahc039.initialStates(new Rng(0), options, "baseline");
  const a = ahc039.evaluate(ahc039.toJSON(baseline));
  assert(a.valid && a.value! > 500, `baseline ${a.value}`);
  assertEquals(ahc039.evaluate(JSON.parse(JSON.stringify(ahc039.toJSON(baseline)))).value, a.value);
  for (const bad of [null, "x", { solver: { ...baseline.solver, grid: -1 }, cases: baseline.cases }]) {
    const e = ahc039.evaluate(bad);
    assert(!e.valid && e.reward === 0 && typeof e.error === "string");
  }
});

Deno.test("ahc039 short discover() end to end", async () => {
  let last;
  for await (
    const report of discover({
      config: {
        problem: "ahc039",
        steps: 2,
        groups: 2,
        groupSize: 4,
        workers: 0,
        problemOptions: { caseCount: 2 },
      },
    })
  ) last = report;
  assert(last !== undefined && last.best.value > 0);
});

Deno.test("ahc039 C++ route: the rectangle program matches the TypeScript baseline; hostile output scores 0", async () => {
  const cacheDir = Deno.makeTempDirSync();
  try {
    const spec = { source: "generated" as const, seed: 0, count: 2 };
    const j = await judgeAhc039Cpp(rectangleCppSource(), spec, { cacheDir });
    assert(j.evaluation.valid, j.evaluation.error);
    const cases = loadCases(spec);
    const ts = cases.map((c) => scorePolygon(c.input, solve(c.input, BASELINE_PARAMS).polygon).score);
    assertEquals(j.outcomes.map((o) => o.score), ts);
    const diagonal = await judgeAhc039Cpp(
      '#include <cstdio>\nint main(){ puts("4\\n0 0\\n10 10\\n10 20\\n0 20"); }',
      spec,
      { cacheDir },
    );
    assert(
      !diagonal.evaluation.valid && /not parallel/.test(diagonal.evaluation.error!),
      diagonal.evaluation.error,
    );
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("ahc039 prompt and parse", () => {
  const seed = ahc039.initialStates(new Rng(0), ahc039.optionsSchema.parse({}), "baseline")[0];
  const text = prompt(seed, { valid: true, value: 2000, reward: 2000 });
  assert(text.includes("Purse Seine Fishing") && text.includes("```cpp"));
  assertEquals(parse("```c++\nint main(){}\n```").source.trim(), "int main(){}");
});
