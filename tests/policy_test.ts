import {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual,
  ok as assert,
  rejects,
} from "node:assert/strict";
import { decodeProgram, nextDecision, stopToken } from "../lib/grammar.ts";
import { BUILTIN_ADAM, BuiltinPolicy, type BuiltinSnapshot } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";
import { DecisionCursor, GrammarTables } from "../lib/policy/decision_cursor.ts";
import type { Datum } from "../lib/policy/policy.ts";
import { Rng } from "../lib/rng.ts";

const { grammar, features, best, reward: tableReward } = rewardTableTask();
const context = { features };

Deno.test("sampling respects the grammar and reports the logprobs it sampled with", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 1, initScale: 0.5 });
  for (const temperature of [1, 0.5, 3]) {
    const samples = await policy.sample(context, 200, { temperature, seed: 5 });
    for (const { tokens, logprobs } of samples) {
      assert(tokens[0] !== stopToken(grammar), "the first move is never stop");
      assertEquals(nextDecision(grammar, tokens), null);
      const program = decodeProgram(grammar, tokens);
      assert(program.length >= 1 && program.length <= grammar.maxMoves);
      assertEquals(logprobs.length, tokens.length);
      const rescored = policy.logprobs(context, tokens, temperature);
      logprobs.forEach((lp, t) => {
        assert(Number.isFinite(lp) && lp <= 0);
        assert(Math.abs(lp - rescored[t]) < 1e-12, "sample and score agree");
      });
    }
  }
});

Deno.test("the policy's incremental decision cursor agrees with nextDecision on every prefix", async () => {
  const tables = new GrammarTables(grammar);
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 6, initScale: 2 });
  for (const { tokens } of await policy.sample(context, 300, { temperature: 2, seed: 8 })) {
    const cursor = new DecisionCursor(tables);
    for (let t = 0; t <= tokens.length; t++) {
      const expected = nextDecision(grammar, tokens.slice(0, t));
      if (expected === null) assert(cursor.done);
      else {
        assertEquals({ site: cursor.site, arity: cursor.arity, moveIndex: cursor.moveIndex }, expected);
        cursor.advance(tokens[t]);
      }
    }
  }
});

Deno.test("the initial policy is close to uniform at every site and equals the reference", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 3 });
  for (const prefix of [[], [0], [0, 2], [0, 2, 1], [1, 0, 2], [1, 0, 2, 0, 1]]) {
    const next = policy.probabilities(context, prefix)!;
    const uniform = 1 / next.probabilities.length;
    for (const p of next.probabilities) {
      assert(Math.abs(p - uniform) < 0.02, `${p} vs ${uniform} after ${prefix}`);
    }
  }
  assertEquals(policy.probabilities(context, best), null);
  const samples = await policy.sample(context, 8, { temperature: 1, seed: 2 });
  const reference = await policy.referenceLogprobs(samples.map((s) => ({ context, tokens: s.tokens })));
  assertEquals(reference, samples.map((s) => s.logprobs));
});

Deno.test("probabilities() matches the per-token logprobs", () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 4, initScale: 1 });
  const tokens = [1, 1, 0, 0, 2, 2];
  const logprobs = policy.logprobs(context, tokens);
  tokens.forEach((token, t) => {
    const { probabilities } = policy.probabilities(context, tokens.slice(0, t))!;
    assert(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert(Math.abs(Math.log(probabilities[token]) - logprobs[t]) < 1e-12);
  });
});

Deno.test("sampling is deterministic in the seed", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 9 });
  const first = await policy.sample(context, 32, { temperature: 1, seed: 42 });
  assertEquals(await policy.sample(context, 32, { temperature: 1, seed: 42 }), first);
  notDeepStrictEqual(await policy.sample(context, 32, { temperature: 1, seed: 43 }), first);
  const twin = new BuiltinPolicy({ grammar, featureDim: 4, seed: 9 });
  assertEquals(await twin.sample(context, 32, { temperature: 1, seed: 42 }), first);
});

/** Random weights everywhere (not the near-uniform init), so every gradient path is exercised. */
async function randomizedPolicy(seed: number): Promise<BuiltinPolicy> {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, hidden: 5, seed, initScale: 0.8 });
  const snapshot = await policy.checkpoint();
  const rng = new Rng(seed + 1);
  snapshot.parameters = snapshot.parameters.map(() => rng.normal() * 0.7);
  await policy.restore(snapshot);
  return policy;
}

async function lossAt(policy: BuiltinPolicy, snapshot: BuiltinSnapshot, batch: Datum[]): Promise<number> {
  await policy.restore(snapshot);
  return (await policy.forwardBackward(batch)).loss;
}

Deno.test("importance-sampling gradient matches central finite differences on every parameter", async () => {
  const policy = await randomizedPolicy(21);
  const rng = new Rng(8);
  // Sampled at temperature 1.7 with other features, so logp_theta - logp_sampler != 0.
  const contexts = [{ features }, { features: [-1, 0.2, 0, 0.9] }];
  const batch: Datum[] = [];
  for (const [c, ctx] of contexts.entries()) {
    for (const s of await policy.sample(ctx, 4, { temperature: 1.7, seed: 30 + c })) {
      batch.push({
        context: ctx,
        tokens: s.tokens,
        samplerLogprobs: s.logprobs,
        advantages: s.tokens.map(() => rng.normal()),
      });
    }
  }
  const snapshot = await policy.checkpoint();
  const { loss, logprobs } = await policy.forwardBackward(batch);
  assert(logprobs.some((lps, i) => lps.some((lp, t) => Math.abs(lp - batch[i].samplerLogprobs[t]) > 0.05)));
  let expectedLoss = 0;
  batch.forEach((d, i) =>
    d.tokens.forEach((_, t) => {
      expectedLoss -= Math.exp(logprobs[i][t] - d.samplerLogprobs[t]) * d.advantages[t];
    })
  );
  assert(Math.abs(loss - expectedLoss) < 1e-12);

  const analytic = policy.accumulatedGradients();
  const h = 1e-5;
  let worst = 0, nonzero = 0;
  for (let i = 0; i < analytic.length; i++) {
    const plus = structuredClone(snapshot), minus = structuredClone(snapshot);
    plus.parameters[i] += h;
    minus.parameters[i] -= h;
    const numeric = (await lossAt(policy, plus, batch) - await lossAt(policy, minus, batch)) / (2 * h);
    const error = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]), Math.abs(numeric), 1e-4);
    worst = Math.max(worst, error);
    if (Math.abs(analytic[i]) > 1e-6) nonzero++;
  }
  assert(worst < 1e-5, `worst relative error ${worst}`);
  assert(nonzero > analytic.length / 2, `only ${nonzero} of ${analytic.length} gradients are nonzero`);
});

Deno.test("gradients accumulate across forwardBackward calls and optimStep clears them", async () => {
  const policy = await randomizedPolicy(5);
  const samples = await policy.sample(context, 6, { temperature: 1, seed: 1 });
  const batch: Datum[] = samples.map((s, i) => ({
    context,
    tokens: s.tokens,
    samplerLogprobs: s.logprobs,
    advantages: s.tokens.map(() => i - 2.5),
  }));
  const once = (await policy.forwardBackward(batch), policy.accumulatedGradients());
  await policy.forwardBackward(batch);
  const twice = policy.accumulatedGradients();
  once.forEach((g, i) => assert(Math.abs(twice[i] - 2 * g) <= 1e-12 * Math.max(1, Math.abs(g))));
  const { gradNorm } = await policy.optimStep(BUILTIN_ADAM);
  assert(Math.abs(gradNorm - Math.hypot(...twice)) < 1e-9 * gradNorm);
  assert(policy.accumulatedGradients().every((g) => g === 0));
});

Deno.test("checkpoint/restore round-trips through JSON exactly", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 12 });
  await trainOnRewardFunction(policy, tableReward, {
    steps: 5,
    groupSize: 32,
    adam: BUILTIN_ADAM,
    klPenalty: 0.1,
    seed: 3,
    context,
  });
  const json = JSON.parse(JSON.stringify(await policy.checkpoint()));
  const copy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 999 });
  await copy.restore(json);
  assertEquals(await copy.checkpoint(), await policy.checkpoint());
  assertEquals(
    await copy.sample(context, 16, { temperature: 1, seed: 77 }),
    await policy.sample(context, 16, { temperature: 1, seed: 77 }),
  );
  // Adam moments and step count came along: the next update is identical too.
  for (const p of [policy, copy]) {
    await trainOnRewardFunction(p, tableReward, {
      steps: 2,
      groupSize: 32,
      adam: BUILTIN_ADAM,
      klPenalty: 0.1,
      seed: 4,
      context,
    });
  }
  assertEquals(await copy.checkpoint(), await policy.checkpoint());
});

Deno.test("restore rejects snapshots for another network or with bad numbers", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 1 });
  const good = await policy.checkpoint();
  const other = new BuiltinPolicy({ grammar: { ...grammar, maxMoves: 3 }, featureDim: 4, seed: 1 });
  await rejects(() => other.restore(good));
  await rejects(() => policy.restore({ ...good, parameters: good.parameters.slice(1) }));
  await rejects(() => policy.restore({ ...good, reference: good.reference.map(() => NaN) }));
  await rejects(() => policy.restore({ ...good, kind: "openai" }));
  await rejects(() => policy.restore(null));
});

Deno.test("wrong feature length is an error, not a silent mismatch", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 1 });
  await rejects(async () => await policy.sample({ features: [1, 2] }, 1, { temperature: 1, seed: 1 }));
  await rejects(async () => await policy.sample({}, 1, { temperature: 1, seed: 1 }));
});

async function trainOnTable(klPenalty: number, steps: number) {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 1 });
  const history = await trainOnRewardFunction(policy, tableReward, {
    steps,
    groupSize: 64,
    adam: BUILTIN_ADAM,
    klPenalty,
    seed: 101,
    context,
  });
  const updates = history.filter((h) => h.gradNorm > 0);
  const recent = updates.slice(-10);
  return {
    bestProbability: policy.programProbability(context, best),
    lastKl: recent.length ? recent.reduce((a, h) => a + h.kl, 0) / recent.length : 0,
    maxKl: Math.max(...updates.map((h) => h.kl)),
  };
}

Deno.test("training on a fixed reward table concentrates on the best program; a large KL penalty holds it back", async () => {
  const initialProbability = new BuiltinPolicy({ grammar, featureDim: 4, seed: 1 }).programProbability(
    context,
    best,
  );
  assert(Math.abs(initialProbability - 1 / 324) < 2e-4, `initial probability ${initialProbability}`);
  const free = await trainOnTable(0.1, 150);
  assert(free.bestProbability > 0.8, `best program has probability ${free.bestProbability}`);
  assert(free.maxKl > 0.5, `KL to the reference only reached ${free.maxKl}`);

  const held = await trainOnTable(10, 150);
  assert(held.maxKl < 0.05, `KL to the reference reached ${held.maxKl} with lambda 10`);
  assert(held.bestProbability < 0.05, `best program has probability ${held.bestProbability} with lambda 10`);
  assert(held.bestProbability > initialProbability, "it still learns a little");
  assert(free.bestProbability > 10 * held.bestProbability);
});

Deno.test("a batch with a bad datum is rejected whole and adds no gradient", async () => {
  const policy = new BuiltinPolicy({ grammar, featureDim: 4, seed: 2 });
  const [s] = await policy.sample(context, 1, { temperature: 1, seed: 1 });
  const good: Datum = {
    context,
    tokens: s.tokens,
    samplerLogprobs: s.logprobs,
    advantages: s.tokens.map(() => 1),
  };
  const incomplete: Datum = {
    ...good,
    tokens: s.tokens.slice(0, 2),
    samplerLogprobs: [0, 0],
    advantages: [1, 1],
  };
  await rejects(() => policy.forwardBackward([good, incomplete]));
  await rejects(() => policy.forwardBackward([good, { ...good, advantages: [1] }]));
  assert(policy.accumulatedGradients().every((g) => g === 0));
});
