/// <reference lib="deno.worker" />
/**
 * A rollout worker: loads its problem from the module that exports it (a registered problem's
 * module, or the user's), then runs rollouts on request.
 */
import type { Problem } from "./problem.ts";
import { loadProblemModule } from "./problem_module.ts";
import type { WorkerReply } from "./pool.ts";
import { type RolloutTask, runRollout } from "./rollout.ts";

export type WorkerRequest =
  | { readonly type: "init"; readonly problem: string; readonly module: string }
  | { readonly type: "task"; readonly task: RolloutTask };

let problem: Problem | undefined;

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  const reply = (r: WorkerReply) => self.postMessage(r);
  if (message.type === "init") {
    try {
      // The module is an absolute URL (lib/problem_module.ts): a relative one would be read against this file.
      problem = await loadProblemModule(message.module, message.problem);
      reply({ type: "ready" });
    } catch (e) {
      reply({ type: "failed", error: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (!problem) throw new Error("worker used before it was ready");
  reply({ type: "result", result: await runRollout(problem, message.task) });
};
