/**
 * Test-time training on a fixed reward function of the program: the loop's update
 * (sample a group, entropic advantages, KL shaping, importance-sampling step) without
 * states or an archive. Tests use it to show the policy concentrates on the best
 * program; the benchmark uses it to calibrate the learning rate.
 */
import { encodeProgram, type MoveGrammar } from "../grammar.ts";
import { groupAdvantages, klShapedAdvantages } from "../objective.ts";
import { deriveSeed } from "../rng.ts";
import type { AdamParams, Datum, Policy, PolicyContext } from "./policy.ts";

export interface CalibrationOptions {
  readonly steps: number;
  readonly groupSize: number;
  readonly adam: AdamParams;
  /** KL penalty coefficient toward the reference policy (lambda). */
  readonly klPenalty: number;
  readonly seed: number;
  readonly context?: PolicyContext;
  readonly temperature?: number;
  /** Called after every step, e.g. to record the best program's probability. */
  readonly onStep?: (report: CalibrationStep) => void;
}

export interface CalibrationStep {
  readonly step: number;
  readonly meanReward: number;
  readonly bestReward: number;
  /** Sampled KL estimate to the reference: mean of logp_sampler - logp_reference per token. */
  readonly kl: number;
  readonly loss: number;
  readonly gradNorm: number;
}

export async function trainOnRewardFunction(
  policy: Policy,
  reward: (tokens: readonly number[]) => number,
  options: CalibrationOptions,
): Promise<CalibrationStep[]> {
  const context = options.context ?? {};
  const history: CalibrationStep[] = [];
  for (let step = 0; step < options.steps; step++) {
    const samples = await policy.sample(context, options.groupSize, {
      temperature: options.temperature ?? 1,
      seed: deriveSeed(options.seed, step),
    });
    const rewards = samples.map((s) => reward(s.tokens));
    const meanReward = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const bestReward = Math.max(...rewards);
    const group = groupAdvantages(rewards, "entropic");
    let report: CalibrationStep = { step, meanReward, bestReward, kl: 0, loss: 0, gradNorm: 0 };
    if (group) {
      const reference = await policy.referenceLogprobs(samples.map((s) => ({ context, tokens: s.tokens })));
      const shaped = klShapedAdvantages(
        group.advantages,
        samples.map((s) => s.logprobs),
        reference,
        options.klPenalty,
      );
      const batch: Datum[] = samples.map((s, i) => ({
        context,
        tokens: s.tokens,
        samplerLogprobs: s.logprobs,
        advantages: shaped.advantages[i],
      }));
      const { loss } = await policy.forwardBackward(batch);
      const { gradNorm } = await policy.optimStep(options.adam);
      report = { ...report, kl: shaped.meanDiff, loss, gradNorm };
    }
    history.push(report);
    options.onStep?.(report);
  }
  return history;
}

export interface RewardTableTask {
  readonly grammar: MoveGrammar;
  readonly features: number[];
  /** Tokens of the one best program. */
  readonly best: number[];
  /** Number of distinct complete programs. */
  readonly programCount: number;
  readonly reward: (tokens: readonly number[]) => number;
}

/**
 * The calibration task: two operators with two parameters each, up to two moves
 * (240 programs; a uniform policy writes the best with probability 1/324). The best program scores 1; every other one a fixed pseudo-random
 * value in [0, 0.8), so the landscape has no slope that leads to the best.
 */
export function rewardTableTask(): RewardTableTask {
  const grammar: MoveGrammar = {
    maxMoves: 2,
    operators: [
      {
        name: "a",
        description: "first",
        params: [{ name: "p", choices: [0, 1, 2] }, { name: "q", choices: [0, 1, 2] }],
      },
      {
        name: "b",
        description: "second",
        params: [{ name: "r", choices: [0, 1] }, { name: "s", choices: [0, 1, 2] }],
      },
    ],
  };
  const best = encodeProgram(grammar, [{ op: "b", params: { r: 1, s: 2 } }, {
    op: "a",
    params: { p: 0, q: 2 },
  }]);
  const bestKey = best.join(",");
  const reward = (tokens: readonly number[]) =>
    tokens.join(",") === bestKey ? 1 : 0.8 * deriveSeed(99, ...tokens) / 2 ** 32;
  const oneMove = 3 * 3 + 2 * 3;
  return { grammar, features: [0.5, -0.3, 1, 0], best, programCount: oneMove + oneMove * oneMove, reward };
}
