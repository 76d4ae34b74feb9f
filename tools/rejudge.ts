/**
 * Re-judges a run's best program in this (fresh) process, from scratch: a C++ solver is compiled
 * again (into an empty cache) and judged on its cases, a C kernel is measured again against the
 * baseline, a denoiser runs again in a new sandbox and is scored again. Prints the recorded and the
 * new value; exits 1 when a deterministic verdict (AtCoder, denoising) differs.
 *
 *   deno run -A tools/rejudge.ts runs/ahc058/<run-id>
 *
 * The best program is best.json's construction when that is a program, else the best-valued
 * program state in states.parquet (a run whose seeds are built-in states may not beat them).
 */
import { readRunTables } from "../lib/store.ts";
import { loadProblem } from "../lib/problem_module.ts";
import { contestPrograms, isCppProgramState } from "../problems/atcoder/program.ts";
import { programs as ahc058Programs } from "../problems/ahc058/prompt.ts";
import { programs as ahc039Programs } from "../problems/ahc039/prompt.ts";
import { isDenoiseProgramState, runDenoiser } from "../problems/denoise/program.ts";
import { loadTask } from "../problems/denoise/task.ts";
import { measureKernel, speedups } from "../problems/trimul/harness.ts";
import { stateFromJSON as trimulState } from "../problems/trimul/state.ts";

export interface Rejudged {
  readonly problem: string;
  readonly recorded: number;
  readonly rejudged: number | null;
  /** Whether the two must be equal (timings are re-measured, never equal to the bit). */
  readonly deterministic: boolean;
  readonly error?: string;
}

const CONTESTS: Record<string, ReturnType<typeof contestPrograms>> = {
  ahc058: ahc058Programs as ReturnType<typeof contestPrograms>,
  ahc039: ahc039Programs as ReturnType<typeof contestPrograms>,
};

/** Judges a program state again from its source; `recorded` is what the run's verifier said. */
export async function rejudge(problemName: string, state: unknown): Promise<Rejudged> {
  const problem = await loadProblem(problemName);
  const recorded = await problem.evaluate(state);
  if (!recorded.valid) throw new Error(`the recorded state is not valid: ${recorded.error}`);
  const base = { problem: problemName, recorded: recorded.value! };
  if (CONTESTS[problemName] && isCppProgramState(state)) {
    const cacheDir = Deno.makeTempDirSync({ prefix: "ttt-rejudge-" });
    try {
      const r = await CONTESTS[problemName].judge(
        { language: "c++", source: state.program.source, entry: "main" },
        state.cases,
        { timeoutMs: 60_000, cacheDir },
      );
      const again = r.state === undefined ? undefined : await problem.evaluate(r.state);
      return { ...base, rejudged: again?.valid ? again.value : null, deterministic: true, error: r.error };
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  }
  if (problemName === "denoise" && isDenoiseProgramState(state)) {
    const task = loadTask(state.data, state.seed);
    const { evaluation } = await runDenoiser(state.program.source, task, {
      timeoutMs: 120_000,
      heapMiB: 1024,
    });
    return {
      ...base,
      rejudged: evaluation.valid ? evaluation.value : null,
      deterministic: true,
      error: evaluation.error,
    };
  }
  if (problemName === "trimul") {
    const s = trimulState(state);
    if (s.kernel.template !== "source") throw new Error("the state is not a model-written kernel");
    const cacheDir = Deno.makeTempDirSync({ prefix: "ttt-rejudge-" });
    try {
      const m = await measureKernel(s.kernel, s.suite, (s.measurement?.seed ?? 0) + 1, { cacheDir });
      return {
        ...base,
        rejudged: m.ok ? speedups(m).geomean : null,
        deterministic: false,
        error: m.error,
      };
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  }
  throw new Error(`${problemName}: not a program state this tool re-judges`);
}

/** The best program state of a finished run (see the module comment). */
export function bestProgram(runDir: string): { problem: string; state: unknown } {
  const tables = readRunTables(runDir);
  const problem = String(tables.best.problem);
  const isProgram = (s: unknown) =>
    isCppProgramState(s) || isDenoiseProgramState(s) ||
    (problem === "trimul" && (s as { kernel?: { template?: string } }).kernel?.template === "source");
  if (isProgram(tables.best.construction)) return { problem, state: tables.best.construction };
  const rows = tables.states.toRecords() as { state: string; value: number | null; reward: number }[];
  const programs = rows.map((r) => ({ ...r, json: JSON.parse(r.state) })).filter((r) => isProgram(r.json));
  if (programs.length === 0) throw new Error(`${runDir}: the archive holds no program state`);
  programs.sort((a, b) => b.reward - a.reward);
  return { problem, state: programs[0].json };
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno run -A tools/rejudge.ts RUN_DIR");
    Deno.exit(2);
  }
  const { problem, state } = bestProgram(dir);
  const r = await rejudge(problem, state);
  console.log(JSON.stringify(r));
  if (r.deterministic && r.rejudged !== r.recorded) {
    console.error(`${problem}: re-judged ${r.rejudged} differs from the recorded ${r.recorded}`);
    Deno.exit(1);
  }
}
