import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { logChoices, withinLogBin } from "../lib/grammar.ts";
import { Rng } from "../lib/rng.ts";

Deno.test("logChoices walks the 1-3-10 series from lo to hi, both included", () => {
  assertEquals(logChoices(1e-4, 1e-2), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]);
  assertEquals(logChoices(3e-6, 0.3), [3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3]);
  assertEquals(logChoices(0.1, 0.1), [0.1]);
  throws(() => logChoices(0, 1), /0 < lo <= hi/);
  throws(() => logChoices(1, 0.1), /0 < lo <= hi/);
});

Deno.test("withinLogBin draws continuous values inside the choice's bin, reproducibly", () => {
  const draw = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 200 }, () => withinLogBin(1e-3, rng));
  };
  const values = draw(7);
  assertEquals(values, draw(7));
  assert(new Set(values).size === values.length, "every draw differs");
  // Half a bin either way: a factor of 10^0.25, so neighbouring bins (x3) barely overlap.
  for (const v of values) assert(v >= 1e-3 / 10 ** 0.25 && v <= 1e-3 * 10 ** 0.25, `${v}`);
  assert(Math.min(...values) < 0.7e-3 && Math.max(...values) > 1.5e-3, "the draws fill the bin");
  assertEquals(withinLogBin(0, new Rng(1)), 0);
});
