import { BUILTIN_ADAM, BuiltinPolicy, type BuiltinPolicyOptions } from "../lib/policy/builtin.ts";
import { rewardTableTask, trainOnRewardFunction } from "../lib/policy/calibration.ts";

/**
 * A built-in policy on the reward-table task's grammar (operators a and b, two moves), trained for
 * 60 steps of 16 on `payoff` without a KL term: what the tests of held and uniform choices compare.
 */
export async function trainedOnPayoff(
  options: Partial<BuiltinPolicyOptions>,
  payoff: (tokens: readonly number[]) => number,
): Promise<BuiltinPolicy> {
  const { grammar, features } = rewardTableTask();
  const policy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 3, ...options });
  await trainOnRewardFunction(policy, payoff, {
    steps: 60,
    groupSize: 16,
    adam: { ...BUILTIN_ADAM, learningRate: 0.05 },
    klPenalty: 0,
    seed: 4,
    context: { features },
  });
  return policy;
}
