import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../lib/config.ts";
import { featureDim } from "../lib/problem.ts";
import { requireBuiltin } from "../lib/problem_module.ts";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { createPolicy } from "../lib/policy/mod.ts";
import { rewardTableTask } from "../lib/policy/calibration.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { ac1 } from "../problems/autocorrelation/mod.ts";
import { reproducibleErdos, runToEnd } from "./runs.ts";

const { grammar, features } = rewardTableTask();
const context = { features };
const firstChoice = (p: BuiltinPolicy) => p.probabilities(context, [])!.probabilities;

Deno.test("adopt: another policy's weights become both the weights and the KL reference, with a fresh optimiser", async () => {
  const source = new BuiltinPolicy({ grammar, featureDim: 4, seed: 3, priorSkew: 2 });
  const fresh = new BuiltinPolicy({ grammar, featureDim: 4, seed: 0 });
  assert(JSON.stringify(firstChoice(fresh)) !== JSON.stringify(firstChoice(source)));
  const snapshot = await source.checkpoint();
  // A trained source: its reference (its own initial weights) differs from its weights.
  const trained = {
    ...snapshot,
    reference: snapshot.parameters.map((w) => w + 0.5),
    adam: { ...snapshot.adam, step: 7 },
  };
  await fresh.adopt(trained);
  assertEquals(firstChoice(fresh), firstChoice(source));
  const after = await fresh.checkpoint();
  assertEquals(after.reference, snapshot.parameters);
  assertEquals(after.adam.step, 0);
  assert(after.adam.m.every((x) => x === 0));
});

/** An Erdős policy with opinions (a skewed prior), so a run that adopts it is told apart from a fresh one. */
function skewedErdosPolicy(): BuiltinPolicy {
  return new BuiltinPolicy({
    grammar: requireBuiltin(erdos).grammar,
    featureDim: featureDim(erdos),
    seed: 3,
    priorSkew: 2,
  });
}

Deno.test("--prior-from reads the policy from a run directory (or a file) and starts the run's policy there", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const source = skewedErdosPolicy();
    Deno.writeTextFileSync(
      join(dir, "checkpoint.json"),
      JSON.stringify({ completedSteps: 5, policy: await source.checkpoint() }),
    );
    Deno.writeTextFileSync(join(dir, "policy.json"), JSON.stringify({ policy: await source.checkpoint() }));
    const erdosContext = { features: new Array(featureDim(erdos)).fill(0.1) };
    const want = source.probabilities(erdosContext, [])!.probabilities;
    for (const path of [dir, join(dir, "policy.json")]) {
      const policy = await createPolicy(
        resolveConfig({ problem: "erdos", priorFrom: path }),
        erdos,
      ) as BuiltinPolicy;
      assertEquals(policy.probabilities(erdosContext, [])!.probabilities, want);
    }
    // Without it the run starts from its own seed's near-uniform policy.
    const own = await createPolicy(resolveConfig({ problem: "erdos" }), erdos) as BuiltinPolicy;
    assert(JSON.stringify(own.probabilities(erdosContext, [])!.probabilities) !== JSON.stringify(want));

    // Refusals, each in one line naming the flag.
    await rejects(
      createPolicy(resolveConfig({ problem: "erdos", priorFrom: join(dir, "nope") }), erdos),
      /--prior-from .*cannot read .*checkpoint\.json/,
    );
    Deno.writeTextFileSync(join(dir, "other.json"), JSON.stringify({ policy: { kind: "openai" } }));
    await rejects(
      createPolicy(resolveConfig({ problem: "erdos", priorFrom: join(dir, "other.json") }), erdos),
      /--prior-from .*holds no built-in policy/,
    );
    Deno.writeTextFileSync(join(dir, "broken.json"), "{");
    await rejects(
      createPolicy(resolveConfig({ problem: "erdos", priorFrom: join(dir, "broken.json") }), erdos),
      /--prior-from .*is not JSON/,
    );
    // A policy of another problem's grammar.
    await rejects(
      createPolicy(resolveConfig({ problem: "ac1", priorFrom: dir }), ac1),
      /--prior-from .*different grammar, network size or number of networks/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--prior-from is a built-in policy setting and does not combine with --prior-skew", () => {
  assertEquals(resolveConfig({ problem: "erdos" }).priorFrom, undefined);
  throws(
    () => resolveConfig({ problem: "erdos", priorFrom: "x", policy: "openai", model: "m" }),
    /priorFrom \(--prior-from\): only the built-in policy/,
  );
  throws(
    () => resolveConfig({ problem: "erdos", priorFrom: "x", priorSkew: 1 }),
    /priorFrom \(--prior-from\): .*drop --prior-skew/,
  );
});

Deno.test("a run started --prior-from resumes from its own checkpoint, even once the prior's file is gone", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const source = skewedErdosPolicy();
    const prior = join(dir, "prior.json");
    Deno.writeTextFileSync(prior, JSON.stringify({ policy: await source.checkpoint() }));
    const config = { ...reproducibleErdos, steps: 1, workers: 0, priorFrom: prior };
    const first = await runToEnd({ config, out: join(dir, "runs") });
    const runDir = first.summary.runDir!;
    const policyAfter = JSON.parse(Deno.readTextFileSync(join(runDir, "checkpoint.json"))).policy;
    Deno.removeSync(prior);
    const resumed = await runToEnd({ resume: runDir });
    assertEquals(resumed.reports.length, 0);
    assertEquals(JSON.parse(Deno.readTextFileSync(join(runDir, "checkpoint.json"))).policy, policyAfter);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
