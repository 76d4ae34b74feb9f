/// <reference lib="deno.worker" />
/**
 * A rollout worker: loads its problem (from the registry by name, or from a module that
 * exports it), then runs rollouts on request.
 */
import { getProblem } from "../problems/mod.ts";
import type { Problem } from "./problem.ts";
import type { WorkerReply } from "./pool.ts";
import { type RolloutTask, runRollout } from "./rollout.ts";

export type WorkerRequest =
  | { readonly type: "init"; readonly problem: string; readonly module?: string }
  | { readonly type: "task"; readonly task: RolloutTask };

let problem: Problem | undefined;

/** The export of `module` that is the problem called `name`. */
async function fromModule(module: string, name: string): Promise<Problem> {
  const exports = await import(module) as Record<string, unknown>;
  const found = Object.values(exports).find((value) => (value as Problem | null)?.name === name);
  if (!found) throw new Error(`${module} exports no problem named "${name}"`);
  return found as Problem;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  const reply = (r: WorkerReply) => self.postMessage(r);
  if (message.type === "init") {
    try {
      problem = message.module
        ? await fromModule(message.module, message.problem)
        : getProblem(message.problem);
      reply({ type: "ready" });
    } catch (e) {
      reply({ type: "failed", error: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (!problem) throw new Error("worker used before it was ready");
  reply({ type: "result", result: await runRollout(problem, message.task) });
};
