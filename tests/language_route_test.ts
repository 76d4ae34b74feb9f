/**
 * The language-model route end to end for every problem, through a local OpenAI-compatible
 * server whose model answers with fixed programs (tools/scripted_model.ts): C++ solvers for
 * ahc058 and ahc039 (compiled and judged on their cases), C kernels for trimul (timed against
 * the baseline), a TypeScript denoiser for denoise, a `construct` function for the construction
 * problems. Good and mediocre programs become archive states; compile errors, crashes, timeouts,
 * huge outputs, wrong languages, missing entry points and hostile programs are invalid attempts
 * with their message in attempts.parquet, and the run goes on. The best program is re-judged in
 * a fresh process and must score what the run recorded.
 */
import { readRunTables } from "../lib/store.ts";
import type { RunConfigInput } from "../lib/config.ts";
import { loadProblem } from "../lib/problem_module.ts";
import { startScriptedModel } from "../tools/scripted_model.ts";
import { type Domain, scriptedReplies, type ScriptedReply } from "../tools/scripted_replies.ts";
import { bestProgram } from "../tools/rejudge.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals } from "./assert.ts";
import { runToEnd } from "./runs.ts";

/** The reply an attempt came from: its program is the reply's code block, or the whole reply. */
function replyOf(program: string, replies: readonly ScriptedReply[]): ScriptedReply {
  const found = replies.find((r) => program.trim() !== "" && r.text.includes(program.trim()));
  if (!found) throw new Error(`no scripted reply holds the program ${program.slice(0, 80)}`);
  return found;
}

interface Attempt {
  program: string;
  valid: boolean;
  error: string;
  value: number;
}

/** Every attempt's outcome is what its scripted program must give. */
function checkAttempts(attempts: readonly Attempt[], replies: readonly ScriptedReply[]) {
  const seen = new Set<string>();
  for (const a of attempts) {
    const r = replyOf(a.program, replies);
    seen.add(r.label);
    if (r.error) {
      assert(!a.valid, `${r.label}: should be invalid`);
      assert(r.error.test(a.error), `${r.label}: error "${a.error.slice(0, 300)}" does not match ${r.error}`);
      assert(a.error.length <= 2000, `${r.label}: error of ${a.error.length} characters`);
    } else {
      assert(a.valid, `${r.label}: should be valid, got "${a.error}"`);
    }
  }
  return seen;
}

/** A discovery through the scripted model; every reply of the domain is tried in step 0. */
async function scriptedRun(problem: string, domain: Domain, config: Partial<RunConfigInput>) {
  const replies = scriptedReplies(domain);
  const model = startScriptedModel();
  try {
    const out = tempDir();
    const { reports, summary } = await runToEnd({
      out,
      config: {
        problem,
        policy: "openai",
        model: "scripted",
        baseUrl: model.url,
        steps: 2,
        groups: 1,
        groupSize: replies.length,
        reuse: "greedy",
        workers: 2,
        maxRetries: 0,
        ...config,
      },
    });
    return { reports, summary, replies, prompts: model.prompts };
  } finally {
    await model.close();
  }
}

Deno.test("language route, ahc058: C++ solvers compiled and judged; failures are invalid attempts with why", async () => {
  const { reports, summary, replies, prompts } = await scriptedRun("ahc058", "ahc058", {
    problemOptions: { caseCount: 3, initialCount: 0 },
    rolloutTimeoutSeconds: 30,
  });
  assertEquals(reports.length, 2);
  const labels = checkAttempts(reports[0].attempts, replies);
  assertEquals(labels.size, replies.length);
  // The exact-yield C++ program beats the built-in seed and is the best.
  const tables = readRunTables(summary.runDir!);
  const best = tables.best.construction as { program?: { language: string; source: string } };
  assertEquals(best.program?.language, "c++");
  assert(best.program!.source.includes("exact yield"), "the best is not the exact-yield program");
  const fromDisk = tables.attempts.toRecords() as unknown as Attempt[];
  assertEquals(fromDisk.length, 2 * replies.length);
  checkAttempts(fromDisk, replies);
  // Step 1 starts from the best program: its prompt shows that C++ code and its score per case.
  const later = prompts.slice(replies.length);
  assert(
    later.length > 0 && later.every((p) => p.includes("## The current program") && p.includes("Per case:")),
  );
  assert(prompts[0].includes("No C++ program has been judged from here yet"));
  // A verdict edited on disk does not count: only the judge's own verdicts are in the ledger.
  const ahc058 = await loadProblem("ahc058");
  assert((await ahc058.evaluate(best)).valid);
  const forged = structuredClone(best) as { verdict: { outcomes: { score: number }[] } };
  forged.verdict.outcomes[0].score *= 10;
  assertEquals(
    (await ahc058.evaluate(forged)).error,
    "the verdict was not given by the judge (not in the verdict ledger)",
  );
  const swapped = structuredClone(best) as { program: { source: string } };
  swapped.program.source = "int main() { return 0; }";
  assertEquals((await ahc058.evaluate(swapped)).error, "the verdict belongs to another program");
  // A fresh process compiles and judges the best program again and gets the recorded mean.
  const rejudged = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../tools/rejudge.ts", import.meta.url).pathname, summary.runDir!],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = JSON.parse(new TextDecoder().decode(rejudged.stdout));
  assert(rejudged.success, new TextDecoder().decode(rejudged.stderr));
  assertEquals(said.rejudged, summary.best.value);
  assertEquals(said.recorded, summary.best.value);
});

Deno.test("language route, ahc039: C++ solvers on generated cases; an illegal polygon is invalid", async () => {
  const { reports, summary, replies } = await scriptedRun("ahc039", "ahc039", {
    problemOptions: { caseCount: 2, initialCount: 0 },
    rolloutTimeoutSeconds: 20,
    steps: 1,
  });
  checkAttempts(reports[0].attempts, replies);
  const { problem, state } = bestProgram(summary.runDir!);
  assertEquals(problem, "ahc039");
  const e = await (await loadProblem("ahc039")).evaluate(state);
  assert(e.valid && e.value! > 1000, `best program ${e.value}`);
});

Deno.test("language route, denoise: a TypeScript denoiser in the sandbox, scored with the same metrics", async () => {
  const { reports, summary, replies } = await scriptedRun("denoise", "denoise", {
    problemOptions: { initialCount: 1 },
    rolloutTimeoutSeconds: 30, // room for the good denoisers and the output cap on a loaded machine
    steps: 1,
    sandboxHeapMiB: 512,
  });
  checkAttempts(reports[0].attempts, replies);
  const values = reports[0].attempts.filter((a) => a.valid).map((a) => a.value).sort();
  assertEquals(values.length, 2);
  // kNN 3 and kNN 30 (measured: 0.0909 and 0.1377 on split seed 0).
  assert(values[0] > 0.08 && values[0] < 0.1 && values[1] > 0.13 && values[1] < 0.15, `${values}`);
  const { state } = bestProgram(summary.runDir!);
  const { rejudge } = await import("../tools/rejudge.ts");
  const r = await rejudge("denoise", state);
  assertEquals(r.rejudged, r.recorded);
});

Deno.test("language route, construction problems: a construct function per problem, failures recorded", async () => {
  for (const problem of ["ac1", "circles26"]) {
    const { reports, replies } = await scriptedRun(problem, "construct", {
      problemOptions: {},
      rolloutTimeoutSeconds: 20,
      steps: 1,
    });
    checkAttempts(reports[0].attempts, replies);
  }
});

Deno.test("language route, trimul: C kernels timed against the baseline; wrong, crashing, slow ones invalid", async () => {
  const { reports, summary, replies } = await scriptedRun("trimul", "trimul", {
    problemOptions: { suite: "test" },
    rolloutTimeoutSeconds: 60,
    steps: 1,
    workers: 1,
  });
  checkAttempts(reports[0].attempts, replies);
  const { state } = bestProgram(summary.runDir!);
  const { rejudge } = await import("../tools/rejudge.ts");
  const r = await rejudge("trimul", state);
  assert(r.rejudged !== null && r.rejudged > 0, `re-measured: ${r.error}`);
});

Deno.test("language route, resume: program states come back from the run directory and stay verified", async () => {
  const model = startScriptedModel();
  try {
    const out = tempDir();
    const config = {
      problem: "ahc058",
      policy: "openai" as const,
      model: "scripted",
      baseUrl: model.url,
      steps: 1,
      groups: 1,
      groupSize: 3,
      reuse: "greedy" as const,
      workers: 2,
      maxRetries: 0,
      rolloutTimeoutSeconds: 20,
      problemOptions: { caseCount: 3, initialCount: 0 },
    };
    const first = await runToEnd({ out, config });
    const runDir = first.summary.runDir!;
    assertEquals(first.reports[0].attempts.filter((a) => a.valid).length, 3);
    const second = await runToEnd({ resume: runDir, config: { ...config, steps: 2 } });
    assertEquals(second.reports.length, 1);
    assertEquals(second.reports[0].step, 1);
    // The resumed step started from the best C++ program (read back from checkpoint.json) and its
    // prompt shows that program with its per-case scores: the route's provenance came back too.
    const prompt = model.prompts.at(-1)!;
    assert(prompt.includes("## The current program") && prompt.includes("exact yield"));
    const tables = readRunTables(runDir);
    assertEquals(tables.attempts.height, 6);
    const programs = (tables.states.toRecords() as { state: string }[]).map((r) => JSON.parse(r.state))
      .filter((s) => "program" in s);
    const ahc058 = await loadProblem("ahc058");
    assert(programs.length >= 2);
    for (const s of programs) assert((await ahc058.evaluate(s)).valid);
  } finally {
    await model.close();
  }
});
