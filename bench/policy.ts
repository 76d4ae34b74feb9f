/**
 * Speed of one built-in policy update at the paper's batch shape (8 groups x 64
 * rollouts), and the learning-rate sweep behind BUILTIN_LEARNING_RATE.
 *
 *   deno run -A bench/policy.ts           timing
 *   deno run -A bench/policy.ts --sweep   learning-rate sweep (about a minute)
 */
import type { MoveGrammar } from "../lib/grammar.ts";
import { groupAdvantages, klShapedAdvantages } from "../lib/objective.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";
import { type Datum, DEFAULT_ADAM } from "../lib/policy/policy.ts";
import { deriveSeed, Rng } from "../lib/rng.ts";

/** About the size of a real problem's grammar: 6 operators, 2-4 parameters of 3-8 choices, 4 moves. */
function realisticGrammar(): MoveGrammar {
  const rng = new Rng(1);
  return {
    maxMoves: 4,
    operators: Array.from({ length: 6 }, (_, o) => ({
      name: `op${o}`,
      description: "",
      params: Array.from({ length: 2 + rng.int(3) }, (_, p) => ({
        name: `p${p}`,
        choices: Array.from({ length: 3 + rng.int(6) }, (_, c) => c),
      })),
    })),
  };
}

export interface PolicyBenchResult {
  readonly parameters: number;
  readonly tokensPerStep: number;
  readonly sampleMs: number;
  readonly referenceMs: number;
  readonly forwardBackwardMs: number;
  readonly optimStepMs: number;
  readonly stepMs: number;
}

export async function benchPolicy(options: { steps?: number; groups?: number; groupSize?: number } = {}) {
  const { steps = 30, groups = 8, groupSize = 64 } = options;
  const grammar = realisticGrammar();
  const featureDim = 16;
  const policy = new BuiltinPolicy({ grammar, featureDim, seed: 1 });
  const rng = new Rng(2);
  const contexts = Array.from({ length: groups }, () => ({
    features: Array.from({ length: featureDim }, () => rng.normal()),
  }));
  const totals = { sample: 0, reference: 0, forwardBackward: 0, optimStep: 0, tokens: 0 };
  const warmup = 5;
  for (let step = 0; step < warmup + steps; step++) {
    const t0 = performance.now();
    const groupsSampled = [];
    for (const [g, context] of contexts.entries()) {
      groupsSampled.push(
        await policy.sample(context, groupSize, { temperature: 1, seed: deriveSeed(step, g) }),
      );
    }
    const t1 = performance.now();
    const batch: Datum[] = [];
    for (const [g, samples] of groupsSampled.entries()) {
      const context = contexts[g];
      const rewards = samples.map((s) => s.tokens.reduce((a, t, i) => a + t * ((i % 3) - 1), 0));
      const group = groupAdvantages(rewards, "entropic");
      if (!group) continue;
      const reference = await policy.referenceLogprobs(samples.map((s) => ({ context, tokens: s.tokens })));
      const shaped = klShapedAdvantages(group.advantages, samples.map((s) => s.logprobs), reference);
      samples.forEach((s, i) =>
        batch.push({
          context,
          tokens: s.tokens,
          samplerLogprobs: s.logprobs,
          advantages: shaped.advantages[i],
        })
      );
    }
    const t2 = performance.now();
    await policy.forwardBackward(batch);
    const t3 = performance.now();
    await policy.optimStep(BUILTIN_ADAM);
    const t4 = performance.now();
    if (step < warmup) continue;
    totals.sample += t1 - t0;
    totals.reference += t2 - t1;
    totals.forwardBackward += t3 - t2;
    totals.optimStep += t4 - t3;
    totals.tokens += batch.reduce((a, d) => a + d.tokens.length, 0);
  }
  const result: PolicyBenchResult = {
    parameters: policy.parameterCount,
    tokensPerStep: totals.tokens / steps,
    sampleMs: totals.sample / steps,
    referenceMs: totals.reference / steps,
    forwardBackwardMs: totals.forwardBackward / steps,
    optimStepMs: totals.optimStep / steps,
    stepMs: (totals.sample + totals.reference + totals.forwardBackward + totals.optimStep) / steps,
  };
  console.log(
    `builtin policy, ${result.parameters} parameters, ${groups}x${groupSize} rollouts, ` +
      `${result.tokensPerStep.toFixed(0)} tokens/step: sample ${result.sampleMs.toFixed(2)} ms, ` +
      `advantages+reference ${result.referenceMs.toFixed(2)} ms, forwardBackward ` +
      `${result.forwardBackwardMs.toFixed(2)} ms, optimStep ${result.optimStepMs.toFixed(2)} ms, ` +
      `total ${result.stepMs.toFixed(2)} ms/step`,
  );
  return result;
}

export interface SweepRow {
  readonly learningRate: number;
  readonly runs: number;
  /** Runs whose best program had probability > 0.8 at the end. */
  readonly concentrated: number;
  /** Median first step at which the best program's probability passed 0.8 (over runs that got there). */
  readonly medianStepsTo80: number;
}

/** Trains on the reward-table task from several seeds per learning rate (lambda 0.1, 64 samples a step). */
export async function sweepLearningRate(
  learningRates: readonly number[] = [1e-3, 3e-3, 5e-3, 1e-2, 3e-2],
  seeds = 12,
  steps = 200,
): Promise<SweepRow[]> {
  const task = rewardTableTask();
  const context = { features: task.features };
  const rows: SweepRow[] = [];
  for (const learningRate of learningRates) {
    const firsts: number[] = [];
    let concentrated = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const policy = new BuiltinPolicy({ grammar: task.grammar, featureDim: task.features.length, seed });
      let first = -1;
      await trainOnRewardFunction(policy, task.reward, {
        steps,
        groupSize: 64,
        adam: { ...DEFAULT_ADAM, learningRate },
        klPenalty: 0.1,
        seed: seed + 100,
        context,
        onStep: ({ step }) => {
          if (first < 0 && policy.programProbability(context, task.best) > 0.8) first = step;
        },
      });
      if (first >= 0) firsts.push(first);
      if (policy.programProbability(context, task.best) > 0.8) concentrated++;
    }
    firsts.sort((a, b) => a - b);
    const row = {
      learningRate,
      runs: seeds,
      concentrated,
      medianStepsTo80: firsts.length ? firsts[Math.floor(firsts.length / 2)] : NaN,
    };
    console.log(
      `lr ${learningRate}: ${concentrated}/${seeds} runs concentrated (p > 0.8), ` +
        `median first step ${row.medianStepsTo80}`,
    );
    rows.push(row);
  }
  return rows;
}

if (import.meta.main) {
  if (Deno.args.includes("--sweep")) await sweepLearningRate();
  else await benchPolicy();
}
