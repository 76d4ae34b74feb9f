/**
 * The problem contract, checked on a problem as a test does it (tests/conformance_test.ts runs it on
 * every registered problem; `deno task new` writes a test that runs it on a new one): the initial
 * states survive the state codec, and the verifier answers hostile input with `valid: false`, never
 * a throw. The tiny discovery on each route is the test's own (it needs a run).
 */
import type { Evaluation, Problem } from "./problem.ts";
import { Rng } from "./rng.ts";

/** The initial states (from `options` and `seed`) through toJSON, JSON text and fromJSON, unchanged. */
export async function checkCodec(
  problem: Problem,
  options: unknown = {},
  seed = 1,
): Promise<void> {
  const states = problem.initialStates(new Rng(seed), problem.optionsSchema.parse(options));
  if (states.length === 0) throw new Error(`${problem.name}: no initial states`);
  for (const [i, state] of states.entries()) {
    const json = problem.toJSON(state);
    const text = JSON.stringify(json);
    const back = problem.fromJSON(JSON.parse(text));
    const again = JSON.stringify(problem.toJSON(back));
    if (again !== text) throw new Error(`${problem.name}: initial state ${i} changes through the codec`);
    if (problem.stateKey(back) !== problem.stateKey(state)) {
      throw new Error(`${problem.name}: initial state ${i} has another key after the codec`);
    }
    const e = await problem.evaluate(JSON.parse(text));
    if (!e.valid) throw new Error(`${problem.name}: initial state ${i} is invalid: ${e.error}`);
    if (!(Number.isFinite(e.value) && Number.isFinite(e.reward))) {
      throw new Error(`${problem.name}: initial state ${i} has value ${e.value}, reward ${e.reward}`);
    }
  }
}

/** Every number in a JSON value replaced by `x` (e.g. NaN): the right shape with hostile values. */
function replaceNumbers(json: unknown, x: number): unknown {
  if (typeof json === "number") return x;
  if (Array.isArray(json)) return json.map((v) => replaceNumbers(v, x));
  if (json && typeof json === "object") {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, replaceNumbers(v, x)]));
  }
  return json;
}

/** Inputs no verifier may accept, by name: wrong types and shapes, NaN, huge, deeply nested, null. */
export function hostileInputs(valid: unknown): Record<string, unknown> {
  let deep: unknown = [1];
  for (let i = 0; i < 10_000; i++) deep = [deep];
  const inputs: Record<string, unknown> = {
    null: null,
    undefined: undefined,
    NaN: NaN,
    Infinity: Infinity,
    "a string": "hostile",
    "an empty array": [],
    "an empty object": {},
    "an array of NaN": [NaN, NaN, NaN],
    "a huge array": new Array(1_000_000).fill(0.5),
    "a deep nest": deep,
    "a function": () => 1,
  };
  for (const x of [NaN, Infinity]) {
    const hostile = replaceNumbers(valid, x);
    if (JSON.stringify(hostile) !== JSON.stringify(valid)) {
      inputs[`a valid state with every number ${x}`] = hostile;
    }
  }
  return inputs;
}

/**
 * The verifier on every hostile input: each must give `valid: false` with a reason and no reward.
 * Returns the inputs it failed on, with what it did (empty when it passed).
 */
export async function checkHostile(problem: Problem, options: unknown = {}): Promise<string[]> {
  const [state] = problem.initialStates(new Rng(1), problem.optionsSchema.parse(options));
  const faults: string[] = [];
  for (const [name, input] of Object.entries(hostileInputs(problem.toJSON(state)))) {
    let e: Evaluation;
    try {
      e = await problem.evaluate(input);
    } catch (err) {
      faults.push(`${name}: threw ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
      continue;
    }
    if (e.valid || e.reward !== 0 || !e.error) {
      faults.push(`${name}: valid ${e.valid}, reward ${e.reward}, error ${JSON.stringify(e.error)}`);
    }
  }
  return faults;
}
