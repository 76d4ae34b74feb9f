import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { decodeProgram, encodeProgram } from "../lib/grammar.ts";
import { discover } from "../lib/loop.ts";
import { Rng } from "../lib/rng.ts";
import { magic } from "../problems/denoise/scrna/magic.ts";
import { dense } from "../problems/denoise/scrna/matrix.ts";
import { denoise, evaluateDenoise, MAGIC_REVERSED } from "../problems/denoise/mod.ts";
import { DEFAULT_DATA, loadTask, scoreDenoised } from "../problems/denoise/task.ts";

const magicState = { data: DEFAULT_DATA, seed: 0, pipeline: MAGIC_REVERSED };

Deno.test("the MAGIC-reversed pipeline is MAGIC, and a valid start with reward = mse_norm", () => {
  const e = evaluateDenoise(magicState);
  assert(e.valid, e.error);
  const task = loadTask(DEFAULT_DATA, 0);
  const direct = scoreDenoised(task, magic(task.split.train, { normOrder: "reversed" }));
  assertEquals(e.value, direct.value);
  assertEquals(e.reward, e.value);
  assertAlmostEquals(e.value!, 0.18, 0.01);
  assertEquals(denoise.features(magicState, e).length, denoise.featureNames.length);
});

Deno.test("pipelines failing the Poisson rule are rejected with the reason", () => {
  const e = evaluateDenoise({ ...magicState, pipeline: { ...MAGIC_REVERSED, order: "standard" } });
  assert(!e.valid && /poisson_norm 0\.\d+ < 0\.97/.test(e.error!), e.error);
  assertEquals(e.reward, 0);
});

Deno.test("invalid denoised outputs (NaN, negative, absurd) are rejected with a clear error", () => {
  const task = loadTask(DEFAULT_DATA, 0);
  const { rows, cols } = task.split.train;
  const filled = (v: number) => dense(rows, cols, new Float64Array(rows * cols).fill(v));
  const cases: [ReturnType<typeof dense>, RegExp][] = [
    [filled(NaN), /NaN/],
    [filled(-1), /negative/],
    [filled(1e15), /absurd/],
    [filled(0), /absurd/],
    [dense(rows, cols + 1), /shape/],
  ];
  for (const [m, pattern] of cases) {
    const e = scoreDenoised(task, m);
    assert(!e.valid && pattern.test(e.error!), e.error);
    assertEquals([e.value, e.reward], [null, 0]);
  }
});

Deno.test("evaluate never throws on malformed states", () => {
  const bad: unknown[] = [
    null,
    42,
    {},
    { ...magicState, pipeline: { ...MAGIC_REVERSED, pca: 1000 } },
    { ...magicState, pipeline: { ...MAGIC_REVERSED, transform: "cube" } },
    { ...magicState, pipeline: { ...MAGIC_REVERSED, t: NaN } },
    { ...magicState, data: "/nonexistent" },
    { ...magicState, extra: 1 },
  ];
  for (const state of bad) {
    const e = evaluateDenoise(state);
    assert(!e.valid && typeof e.error === "string" && e.error.length > 0, JSON.stringify(state));
  }
});

Deno.test("moves: programs round-trip through tokens and only change the pipeline", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 20; i++) {
    const program = [0, 1].map(() => {
      const op = denoise.grammar.operators[rng.int(denoise.grammar.operators.length)];
      return {
        op: op.name,
        params: Object.fromEntries(op.params.map((p) => [p.name, p.choices[rng.int(p.choices.length)]])),
      };
    });
    assertEquals(decodeProgram(denoise.grammar, encodeProgram(denoise.grammar, program)), program);
    const child = denoise.apply(program, magicState, { rng }) as typeof magicState;
    assertEquals([child.data, child.seed], [magicState.data, magicState.seed]);
    assertEquals(denoise.fromJSON(denoise.toJSON(child)), child);
  }
});

Deno.test("a short discover() run end to end", async () => {
  const run = discover({ config: { problem: "denoise", steps: 2, groups: 2, groupSize: 4, workers: 0 } });
  let next = await run.next();
  let steps = 0;
  while (!next.done) {
    steps++;
    next = await run.next();
  }
  assertEquals(steps, 2);
  const best = next.value.best;
  assert(best.value >= 0.18, `best mse_norm ${best.value}`);
  assert(evaluateDenoise(best.state).valid);
});
