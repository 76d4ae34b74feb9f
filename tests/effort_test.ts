/** Equal effort (config effortSeconds): a rollout spends its effort repeating its program on its best state. */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { runRollout } from "../lib/rollout.ts";
import { resolveConfig } from "../lib/config.ts";
import { toy } from "./toy_problem.ts";

const addOne = [{ op: "add", params: { delta: 1 } }];

Deno.test("without effort a program runs once", async () => {
  const r = await runRollout(toy, { id: 0, program: addOne, state: { x: 0 }, seed: 1 });
  assertEquals(r.state, { x: 1 });
  assertEquals(r.evaluation.value, 7);
});

Deno.test("with effort the program repeats on its best state until the effort is spent", async () => {
  const r = await runRollout(toy, { id: 0, program: addOne, state: { x: 0 }, seed: 1, effortMs: 100 });
  // +1 repeated walks to 7 (distance 1); the step past it, to 8, is worse and not kept.
  assertEquals(r.state, { x: 7 });
  assertEquals(r.evaluation.value, 1);
  assert(r.durationMs >= 95, `spent ${r.durationMs} ms of a 100 ms effort`);
  assertEquals(r.cutShort, false);
});

Deno.test("effort never runs past the rollout's deadline", async () => {
  const deadline = Date.now() + 50;
  const r = await runRollout(toy, {
    id: 0,
    program: addOne,
    state: { x: 0 },
    seed: 1,
    deadline,
    effortMs: 5_000,
  });
  assert(r.durationMs < 1_000, `ran ${r.durationMs} ms past a 50 ms deadline`);
  assertEquals(r.evaluation.value, 1);
});

Deno.test("an invalid program stays one invalid attempt under effort", async () => {
  const nan = await runRollout(toy, {
    id: 0,
    program: [{ op: "nan", params: {} }],
    state: { x: 0 },
    seed: 1,
    effortMs: 30,
  });
  assertEquals(nan.evaluation.valid, false);
  const fail = await runRollout(toy, {
    id: 0,
    program: [{ op: "fail", params: {} }],
    state: { x: 0 },
    seed: 1,
    effortMs: 30,
  });
  assertEquals(fail.evaluation.valid, false);
  assert(fail.evaluation.error?.includes("always fails"));
});

Deno.test("an effort longer than the rollout time limit allows is refused", () => {
  assertThrows(
    () => resolveConfig({ problem: "toy", effortSeconds: 10, rolloutTimeoutSeconds: 10 }),
    /effortSeconds must fit in the rollout time limit/,
  );
  assertEquals(
    resolveConfig({ problem: "toy", effortSeconds: 8, rolloutTimeoutSeconds: 10 }).effortSeconds,
    8,
  );
});

Deno.test("a repeat that throws ends the effort and keeps the best state found before it", async () => {
  const brittle = {
    ...toy,
    apply(_program: unknown, state: { x: number }) {
      if (state.x >= 3) throw new Error("no further");
      return { x: state.x + 1 };
    },
  } as typeof toy;
  const r = await runRollout(brittle, { id: 0, program: addOne, state: { x: 0 }, seed: 1, effortMs: 100 });
  assertEquals(r.state, { x: 3 });
  assertEquals(r.evaluation.valid, true);
  assertEquals(r.evaluation.value, 5);
});
