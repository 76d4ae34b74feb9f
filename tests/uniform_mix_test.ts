import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";

const { grammar, features } = rewardTableTask();
const context = { features };

Deno.test("--uniform-mix: every choice keeps a floor of mix / arity, and the logprobs are the mixture's", async () => {
  for (const mix of [0, 0.3]) {
    const policy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 1, uniformMix: mix });
    const snap = await policy.checkpoint();
    const vocab = snap.shape.siteArities.reduce((s, a) => s + a, 0);
    snap.parameters[snap.parameters.length - vocab] += 12; // op 0 of the first site: near-certain
    await policy.adopt(snap);
    const pure = policy.probabilities(context, [])!.probabilities;
    assert(pure[0] > 0.999, `the network alone writes op 0 with ${pure[0]}`);
    const arity = pure.length; // the choices open at the first decision
    const samples = await policy.sample(context, 4000, { temperature: 1, seed: 5 });
    const others = samples.filter((s) => s.tokens[0] !== 0).length / samples.length;
    if (mix === 0) assert(others < 0.005, `without a mix other ops are rare: ${others}`);
    else {
      // Each of the other arity - 1 choices gets mix / arity.
      const expected = (mix * (arity - 1)) / arity;
      assert(Math.abs(others - expected) < 0.03, `other ops ${others}, expected ~${expected}`);
      for (const s of samples.slice(0, 50)) {
        const p0 = s.tokens[0] === 0
          ? (1 - mix) * pure[0] + mix / arity
          : (1 - mix) * pure[s.tokens[0]] + mix / arity;
        assert(Math.abs(s.logprobs[0] - Math.log(p0)) < 1e-9, "first logprob is the mixture's");
      }
    }
    // What is trained and scored stays the network's own distribution.
    const scored = policy.logprobs(context, samples[0].tokens);
    assert(Math.abs(scored[0] - Math.log(pure[samples[0].tokens[0]])) < 1e-9);
  }
});

Deno.test("--uniform-mix: the same seed gives the same programs, and a mix of 1 or more is refused", async () => {
  const a = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 2, uniformMix: 0.5 });
  const b = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 2, uniformMix: 0.5 });
  assertEquals(
    await a.sample(context, 20, { temperature: 1, seed: 9 }),
    await b.sample(context, 20, { temperature: 1, seed: 9 }),
  );
  const bad = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 2, uniformMix: 1 });
  await (async () => {
    try {
      await bad.sample(context, 1, { temperature: 1, seed: 1 });
      throw new Error("accepted");
    } catch (e) {
      assert(String(e).includes("uniform mix must be in [0, 1)"), String(e));
    }
  })();
});
