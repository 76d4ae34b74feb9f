/** Every construction in data/discoveries certifies, again, at its stored value and below the record it beat. */
import { join } from "node:path";
import { ac1 } from "../problems/autocorrelation/mod.ts";
import { Rng } from "../lib/rng.ts";
import { assert, assertEquals } from "./assert.ts";

const DIR = new URL("../data/discoveries/", import.meta.url).pathname;

Deno.test("the C1 discovery of 2026-12-05 certifies at 1.502743649229326, below einsteinarena_2026", () => {
  const found = JSON.parse(Deno.readTextFileSync(join(DIR, "ac1_2026-12-05.json")));
  const certified = ac1.certify!({ heights: found.heights });
  assertEquals(certified.method, "direct O(n^2) autoconvolution, compensated sums");
  assertEquals(certified.value, found.value);
  const start = ac1.initialStates(new Rng(0), ac1.optionsSchema.parse({}), found.start.name)[0];
  const before = ac1.certify!(start).value;
  // The same check on the start gives its published value to 2e-14: the 3.3e-12 gain is no rounding.
  assert(Math.abs(before - found.start.value) < 2e-14, `start certifies at ${before}`);
  assert(certified.value < before - 1e-12, `${certified.value} is not below ${before}`);
});
