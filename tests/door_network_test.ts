/**
 * `--door-network`: programs from a state at a new size (a door) are written by a second network of
 * the built-in policy, which only the door groups train.
 */
import { resolveConfig } from "../lib/config.ts";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { readPolicySnapshot } from "../lib/policy/mod.ts";
import { DEFAULT_ADAM, type PolicyContext } from "../lib/policy/policy.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { runToEnd } from "./runs.ts";
import { tempDir } from "./temp_dirs.ts";
import { toy } from "./toy_problem.ts";

const { grammar, features } = rewardTableTask();
const main: PolicyContext = { features };
const door: PolicyContext = { features, network: 1 };

/** A policy with a door network, its initial weights spread enough that its two networks differ. */
const twoNetworks = () =>
  new BuiltinPolicy({ grammar, featureDim: features.length, seed: 5, initScale: 0.5, networks: 2 });

/** The first decision's distribution of one of the policy's networks. */
const firstMove = (policy: BuiltinPolicy, context: PolicyContext) =>
  policy.probabilities(context, [])!.probabilities;

Deno.test("a second network: the first is the one-network policy's, and training one leaves the other as it was", async () => {
  const single = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 5, initScale: 0.5 });
  const double = twoNetworks();
  assertEquals(double.parameterCount, 2 * single.parameterCount);
  // Network 0 samples exactly as the policy without a second network; network 1 has weights of its own.
  const params = { temperature: 1, seed: 9 };
  assertEquals(await double.sample(main, 20, params), await single.sample(main, 20, params));
  assert(firstMove(double, door).some((p, i) => Math.abs(p - firstMove(double, main)[i]) > 1e-6));

  // Reward one program written from doors: only network 1 moves.
  const before = { main: firstMove(double, main), door: firstMove(double, door) };
  const drawn = await double.sample(door, 16, params);
  const batch = drawn.map((s) => ({
    context: door,
    tokens: s.tokens,
    samplerLogprobs: s.logprobs,
    advantages: s.tokens.map(() => (s.tokens[0] === drawn[0].tokens[0] ? 1 : -1)),
  }));
  for (let i = 0; i < 5; i++) {
    await double.forwardBackward(batch);
    await double.optimStep({ ...DEFAULT_ADAM, learningRate: 0.05 });
  }
  assertEquals(firstMove(double, main), before.main);
  const favoured = drawn[0].tokens[0];
  assert(firstMove(double, door)[favoured] > before.door[favoured] + 0.05, "the door network learned");
});

Deno.test("a second network: checkpoints carry it, and a policy with another number of networks refuses them", async () => {
  const double = twoNetworks();
  const snapshot = await double.checkpoint();
  assertEquals(snapshot.shape.networks, 2);
  const copy = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 6, networks: 2 });
  await copy.restore(snapshot);
  assertEquals(firstMove(copy, door), firstMove(double, door));
  const single = new BuiltinPolicy({ grammar, featureDim: features.length, seed: 5 });
  await assertRejects(
    () => single.restore(snapshot),
    /different grammar, network size or number of networks/,
  );
  // A snapshot made before there could be two networks loads as one.
  const old = await single.checkpoint() as { shape: Record<string, unknown> };
  delete old.shape.networks;
  await single.restore(old);
  // A context cannot ask for a network the policy does not hold.
  await assertRejects(
    () => single.sample(door, 1, { temperature: 1, seed: 1 }),
    /asks for network 1; this policy holds 1/,
  );
  assertThrows(
    () => new BuiltinPolicy({ grammar, featureDim: features.length, seed: 5, networks: 0 }),
    /at least 1/,
  );
});

/** The toy walk where crossing 4 changes a state's size; `doors: false` gives every state one size. */
const sizedToy = (doors: boolean) => ({
  ...toy,
  name: "sized-toy",
  size: (s: { x: number }) => (doors && s.x >= 4 ? 2 : 1),
});

/** How far each network of a trained run's policy moved from its initial weights (largest change). */
async function movedByNetwork(doors: boolean): Promise<number[]> {
  const config = {
    problem: "sized-toy",
    steps: 8,
    groups: 2,
    groupSize: 6,
    seed: 1,
    doorNetwork: true,
    learningRate: 0.05,
    workers: 0,
  };
  const run = await runToEnd({ config, problem: sizedToy(doors), out: tempDir() });
  const snapshot = readPolicySnapshot(run.summary.runDir!) as { parameters: number[]; reference: number[] };
  const half = snapshot.parameters.length / 2;
  return [0, 1].map((k) => {
    let moved = 0;
    for (let i = k * half; i < (k + 1) * half; i++) {
      moved = Math.max(moved, Math.abs(snapshot.parameters[i] - snapshot.reference[i]));
    }
    return moved;
  });
}

Deno.test("--door-network: door groups train the second network, and only they do", async () => {
  const [polish, doors] = await movedByNetwork(true);
  assert(polish > 0.01 && doors > 0.01, `moved ${polish} and ${doors}`);
  const [polishOnly, untouched] = await movedByNetwork(false);
  assert(polishOnly > 0.01, `moved ${polishOnly}`);
  assertEquals(untouched, 0);
});

Deno.test("--door-network: refused without a size and for other policies", async () => {
  assertEquals(resolveConfig({ problem: "erdos" }).doorNetwork, false);
  assertThrows(
    () => resolveConfig({ problem: "erdos", policy: "openai", model: "m", doorNetwork: true }),
    /built-in policy takes --door-network/,
  );
  await assertRejects(
    () =>
      runToEnd({
        config: { problem: "toy", steps: 1, groups: 1, groupSize: 2, doorNetwork: true, workers: 0 },
        problem: toy,
        out: tempDir(),
      }),
    /--door-network: toy has no size \(how many numbers a construction is made of\), so no state is a door/,
  );
});
