/**
 * The loop's step phases (lib/loop.ts) tested alone, without a run: crediting groups of rewards into
 * advantages, and sampling one group per start state from the step's own seeds.
 */
import { creditGroups, samplePrograms } from "../lib/loop.ts";
import { resolveConfig } from "../lib/config.ts";
import { creditedRewards, groupAdvantages } from "../lib/objective.ts";
import type { Policy, PolicyContext, SampledSequence, SampleParams } from "../lib/policy/policy.ts";
import { invalid, rewardFor } from "../lib/problem.ts";
import type { RolloutResult } from "../lib/rollout.ts";
import { deriveSeed } from "../lib/rng.ts";
import { assert, assertEquals } from "./assert.ts";

const config = resolveConfig({ problem: "toy", groups: 3, groupSize: 3, seed: 5 });
const seq = (n: number): SampledSequence => ({ tokens: Array(n).fill(0), logprobs: Array(n).fill(-1) });
const result = (id: number, value?: number): RolloutResult => ({
  id,
  durationMs: 1,
  evaluation: value === undefined
    ? invalid("failed")
    : { valid: true, value, reward: rewardFor("minimize", value) },
});

Deno.test("creditGroups: advantages per group from its credited rewards; a flat group gives no signal and no data", () => {
  const starts = [{ reward: 0.5 }, { reward: 0.5 }, { reward: 0.5 }];
  const groups = [[seq(1), seq(2), seq(3)], [seq(1), seq(1), seq(1)], [seq(4), seq(4), seq(4)]];
  const contexts: PolicyContext[] = [{ features: [0] }, { features: [1] }, { features: [2] }];
  // Group 0 varies, group 1 is flat (three equal values), group 2 has an invalid rollout.
  const results = [
    result(0, 1),
    result(1, 2),
    result(2, 4),
    result(3, 2),
    result(4, 2),
    result(5, 2),
    result(6, 1),
    result(7),
    result(8, 3),
  ];
  const credit = creditGroups(config, starts, groups, contexts, results);
  for (let g = 0; g < 3; g++) {
    const rewards = results.slice(3 * g, 3 * g + 3).map((r) => r.evaluation.reward);
    assertEquals(credit.groupRewards[g], creditedRewards(rewards, 0.5, config.credit));
  }
  const expected0 = groupAdvantages(credit.groupRewards[0], config.objective)!;
  assertEquals(credit.sequenceAdvantages.slice(0, 3), expected0.advantages);
  assert(credit.sequenceAdvantages.slice(3, 6).every(Number.isNaN), "the flat group has no advantages");
  assertEquals(credit.betas.length, 2);
  assertEquals(credit.betas[0], expected0.beta);
  assertEquals(credit.data.length, 6);
  assertEquals(credit.data.map((d) => d.context), [
    ...Array(3).fill(contexts[0]),
    ...Array(3).fill(contexts[2]),
  ]);
  assertEquals(credit.data[1].seq, groups[0][1]);
});

Deno.test("creditGroups with record credit: only rollouts that beat the run's best count, whatever their parent", () => {
  const record = {
    ...config,
    groups: 2,
    groupSize: 2,
    credit: "record" as const,
    objective: "expected" as const,
  };
  // Two groups from parents below the run's best (reward 1/2 = 0.5 for value 2); values are minimised.
  const starts = [{ reward: 0.25 }, { reward: 0.4 }];
  const groups = [[seq(1), seq(2)], [seq(3), seq(4)]];
  const contexts: PolicyContext[] = [{ features: [0] }, { features: [1] }];
  // Group 0 beat its parent (value 3 -> 1/3 > 0.25) but not the run's best: no signal under
  // record credit. In group 1 one rollout (value 1.5) beat the best: the only credit.
  const results = [result(0, 3), result(1, 3.5), result(2, 1.5), result(3, 2.2)];
  const credit = creditGroups(record, starts, groups, contexts, results, 0.5);
  assertEquals(credit.groupRewards[0], [0, 0]);
  assertEquals(credit.groupRewards[1][1], 0);
  assert(
    Math.abs(credit.groupRewards[1][0] - (1 / 1.5 - 0.5)) < 1e-12,
    "credited with its gain over the best",
  );
  assertEquals(credit.data.length, 2, "only the group that moved the best trains");
  assert(credit.data[0].advantage > 0 && credit.data[1].advantage < 0);
  // Under improvement credit the same group 0 teaches: it beat its parent.
  const byParent = creditGroups({ ...record, credit: "improvement" }, starts, groups, contexts, results, 0.5);
  assert(byParent.groupRewards[0].every((r) => r > 0));
});

Deno.test("samplePrograms: one group per context, each from the step's own seed for that group, at the step's temperature", async () => {
  const calls: { context: PolicyContext; n: number; params: SampleParams }[] = [];
  const policy = {
    sample(context: PolicyContext, n: number, params: SampleParams) {
      calls.push({ context, n, params });
      return Promise.resolve(Array.from({ length: n }, () => seq(2)));
    },
  } as unknown as Policy;
  const contexts: PolicyContext[] = [{ features: [0] }, { features: [1] }];
  const groups = await samplePrograms(config, policy, contexts, 7, 0.8);
  assertEquals(groups.length, 2);
  assert(groups.every((g) => g.length === config.groupSize));
  assertEquals(calls.map((c) => c.context), contexts);
  assertEquals(calls.map((c) => c.params.seed), [deriveSeed(5, 3, 7, 0), deriveSeed(5, 3, 7, 1)]);
  assert(calls.every((c) => c.params.temperature === 0.8 && c.params.maxTokens === config.maxTokens));
});
