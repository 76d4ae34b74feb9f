import { join } from "node:path";
import { resolveConfig } from "../lib/config.ts";
import { FEATURE_NAMES } from "../problems/erdos/features.ts";
import { BUILTIN_ADAM, BuiltinPolicy } from "../lib/policy/builtin.ts";
import type { Datum } from "../lib/policy/policy.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { ancestorReward, newSize, SEARCH_FEATURE_NAMES, searchFeatures } from "../lib/search_features.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { reproducibleErdos, runToEnd } from "./runs.ts";
import { tempDir } from "./temp_dirs.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("search features: lineage progress, visits, gain over the parent and gap to the best, on a fixed scale", () => {
  // A fresh initial state that is the run's best: nothing known yet.
  assertEquals(searchFeatures({ reward: 2, visits: 0, bestReward: 2, resized: false }), [0, 0, 0, 0, 0]);
  // A plateau: 1e-9 over its parent, 4e-9 over 4 moves, tried three times, 1e-2 below the best.
  const plateau = searchFeatures({
    reward: 1,
    visits: 3,
    parentReward: 1 - 1e-9,
    ancestorReward: 1 - 4e-9,
    bestReward: 1.01,
    resized: false,
  });
  assert(Math.abs(plateau[0] - (Math.log10(4e-9) + 12) / 10) < 1e-6, `progress ${plateau[0]}`);
  assert(close(plateau[1], 0.4), `visits ${plateau[1]}`);
  assert(Math.abs(plateau[2] - 0.3) < 1e-6, `gain ${plateau[2]}`);
  assert(Math.abs(plateau[3] - 1) < 1e-6, `gap ${plateau[3]}`);
  // A door and its polish: 1e-5 over 4 moves reads well above the plateau; a loss is no gain.
  assert(
    searchFeatures({ reward: 1, visits: 0, ancestorReward: 1 - 1e-5, bestReward: 1, resized: false })[0] >
      plateau[0] + 0.25,
  );
  assertEquals(
    searchFeatures({
      reward: 1,
      visits: 1,
      parentReward: 2,
      ancestorReward: 2,
      bestReward: 2,
      resized: false,
    })[2],
    0,
  );
  // Bounded whatever comes in.
  for (
    const f of searchFeatures({
      reward: 1e300,
      visits: 1e9,
      parentReward: -1e300,
      ancestorReward: NaN,
      bestReward: 1e300,
      resized: true,
    })
  ) {
    assert(f >= 0 && f <= 2, `feature ${f}`);
  }
  // A state at a new size (a door) reads 1 whatever it gained: a door ties its parent.
  assertEquals(
    searchFeatures({ reward: 1, visits: 0, parentReward: 1, bestReward: 1, resized: true }),
    [0, 0, 0, 0, 1],
  );
  assertEquals(SEARCH_FEATURE_NAMES.length, 5);
});

Deno.test("search features: a state is at a new size when the problem's sizes of it and its parent differ", () => {
  const sized = { size: (s: number[]) => s.length };
  assertEquals(newSize(sized, [1, 2, 3, 4], [1, 2]), true);
  assertEquals(newSize(sized, [1, 2], [3, 4]), false, "a polish keeps the size");
  assertEquals(newSize(sized, [1, 2], undefined), false, "an initial state or an evicted parent");
  assertEquals(newSize({}, [1, 2, 3], [1]), false, "a problem without a size has no doors");
});

Deno.test("search features: the ancestor is the farthest archived one within 4 moves", () => {
  const archived = new Map([[7, 0.5], [5, 0.7], [4, 0.8]]);
  const rewardOf = (id: number) => archived.get(id);
  assertEquals(ancestorReward([9, 8, 7, 6, 5], rewardOf), 0.5); // 4 back is 6, evicted: 7 is the farthest kept
  assertEquals(ancestorReward([5, 4], rewardOf), 0.8);
  assertEquals(ancestorReward([], rewardOf), undefined);
  assertEquals(ancestorReward([3, 2], rewardOf), undefined);
});

Deno.test("search features: a policy learns to write a different first move on a stalled state", async () => {
  const { grammar, features } = rewardTableTask();
  const stalled = { features: [...features, 0.26, 0.4, 0.3, 0, 0] };
  const improving = { features: [...features, 0.7, 0.2, 0.6, 0, 0] };
  const policy = new BuiltinPolicy({ grammar, featureDim: features.length + 5, seed: 3 });
  const firstOp = (context: { features: number[] }) => policy.probabilities(context, [])!.probabilities;
  // Reward operator 1 ("b", a door) on stalled states and operator 0 ("a", a polish) on the others.
  for (let step = 0; step < 40; step++) {
    const batch: Datum[] = [];
    for (const [context, pays] of [[stalled, 1], [improving, 0]] as const) {
      const group = await policy.sample(context, 16, {
        temperature: 1,
        seed: 10 * step + pays,
        maxTokens: 64,
      });
      const rewards: number[] = group.map((s) => (s.tokens[0] === pays ? 1 : 0));
      const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      group.forEach((s, i) =>
        batch.push({
          context,
          tokens: s.tokens,
          samplerLogprobs: s.logprobs,
          advantages: s.tokens.map(() => rewards[i] - mean),
        })
      );
    }
    await policy.forwardBackward(batch);
    await policy.optimStep({ ...BUILTIN_ADAM, learningRate: 0.02 });
  }
  const [onStalled, onImproving] = [firstOp(stalled), firstOp(improving)];
  assert(
    onStalled[1] > 0.8 && onImproving[0] > 0.8,
    `door on stalled ${onStalled[1]}, polish elsewhere ${onImproving[0]}`,
  );
});

Deno.test("--search-features: the built-in policy takes 5 more inputs, a run resumes with them, other policies refuse it", async () => {
  const config = { ...reproducibleErdos, steps: 2, searchFeatures: true, workers: 0 };
  const out = tempDir();
  const run = await runToEnd({ config, out });
  const checkpoint = JSON.parse(Deno.readTextFileSync(join(run.summary.runDir!, "checkpoint.json")));
  assertEquals(checkpoint.policy.shape.featureDim, FEATURE_NAMES.length + 5);
  const resumed = await runToEnd({ resume: run.summary.runDir!, config: { problem: "erdos", steps: 3 } });
  assertEquals(resumed.reports.map((r) => r.step), [2]);
  assertEquals(resolveConfig({ problem: "erdos" }).searchFeatures, false);
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", searchFeatures: true }),
    /built-in policy takes search features/,
  );
});
