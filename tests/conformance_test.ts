/**
 * Every registered problem through the contract (issue 13): its initial states survive the state
 * codec, its verifier answers hostile input (NaN, wrong shapes, huge, null, ...) with valid: false
 * and never a throw, and a 1-step discovery runs on each route it declares: the built-in policy,
 * and a language model (the scripted model behind a local OpenAI-compatible server,
 * tools/scripted_model.ts, whose first reply for the problem's domain is a working program).
 * Tiny settings keep each run to a few seconds; problems whose programs need g++ or gcc are skipped
 * where there is none.
 */
import { checkCodec, checkHostile } from "../lib/conformance.ts";
import { problemNames, registeredProblems } from "../lib/problem_module.ts";
import { BUILTIN_PARTS, LANGUAGE_PARTS } from "../lib/problem.ts";
import { startScriptedModel } from "../tools/scripted_model.ts";
import { assert, assertEquals } from "./assert.ts";
import { runToEnd } from "./runs.ts";

/** Options that make a problem's states and evaluations small (a problem not listed runs with its defaults). */
const TINY: Record<string, Record<string, unknown>> = {
  erdos: { minPieces: 20, maxPieces: 30, initialCount: 1 },
  ac1: { minPieces: 20, maxPieces: 30, initialCount: 1 },
  ac2: { minPieces: 20, maxPieces: 30, initialCount: 1 },
  ac3: { minPieces: 20, maxPieces: 30, initialCount: 1 },
  circles26: { initialCount: 1 },
  circles32: { initialCount: 1 },
  ahc039: { caseCount: 1, initialCount: 0 },
  ahc058: { caseCount: 1, initialCount: 0 },
  denoise: { initialCount: 1 },
  trimul: { suite: "test" },
};

/** Problems whose programs (built-in or model-written) are compiled. */
const COMPILED = new Set(["ahc039", "ahc058", "trimul"]);
const hasCompiler = await new Deno.Command("sh", { args: ["-c", "command -v g++ && command -v gcc"] })
  .output()
  .then((o) => o.success, () => false);

const problems = await registeredProblems();

Deno.test("the registry's every problem loads by name from its module", async () => {
  assertEquals(Object.keys(problems), await problemNames());
  for (const [name, p] of Object.entries(problems)) assertEquals(p.name, name);
});

for (const [name, problem] of Object.entries(problems)) {
  const options = TINY[name] ?? {};
  const has = (parts: readonly string[]) =>
    parts.every((m) => (problem as unknown as Record<string, unknown>)[m] !== undefined);

  Deno.test(`${name}: the initial states survive the codec and are valid`, async () => {
    await checkCodec(problem, options);
  });

  Deno.test(`${name}: the verifier answers hostile input with valid: false, never a throw`, async () => {
    const faults = await checkHostile(problem, options);
    assertEquals(faults, []);
  });

  const ignore = COMPILED.has(name) && !hasCompiler;
  const tiny = { problem: name, steps: 1, groups: 1, groupSize: 2, seed: 3, problemOptions: options };
  if (has(BUILTIN_PARTS)) {
    Deno.test({
      name: `${name}: a 1-step discovery with the built-in policy`,
      ignore,
      fn: async () => {
        const { reports, summary } = await runToEnd({
          // A short limit: a move cut at its deadline returns its best iterate (a conformance run, not a benchmark).
          config: { ...tiny, workers: 0, rolloutTimeoutSeconds: 3 },
        });
        assertEquals(reports.length, 1);
        assertEquals(reports[0].attempts.length, 2);
        assert(Number.isFinite(summary.best.value));
      },
    });
  }
  if (has(LANGUAGE_PARTS)) {
    Deno.test({
      name: `${name}: a 1-step discovery with a language model (scripted, local server)`,
      ignore,
      fn: async () => {
        const model = startScriptedModel();
        try {
          const { reports, summary } = await runToEnd({
            config: {
              ...tiny,
              policy: "openai",
              model: "scripted",
              baseUrl: model.url,
              maxRetries: 0,
              workers: 1,
              rolloutTimeoutSeconds: 30,
            },
          });
          // The domain's first scripted reply is a working program (the second may be a broken one).
          const { attempts } = reports[0];
          assertEquals(attempts.length, 2);
          assert(attempts.some((a) => a.valid), `no program was valid: ${attempts.map((a) => a.error)}`);
          assert(Number.isFinite(summary.best.value));
          assert(model.prompts.length >= 1, "the problem's prompt reached the model");
        } finally {
          await model.close();
        }
      },
    });
  }
}
