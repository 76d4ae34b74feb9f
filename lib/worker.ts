/// <reference lib="deno.worker" />
/** A rollout worker: looks its problem up by name, then runs rollouts on request. */
import { getProblem } from "../problems/mod.ts";
import type { Problem } from "./problem.ts";
import { type RolloutTask, runRollout } from "./rollout.ts";

export type WorkerRequest =
  | { readonly type: "init"; readonly problem: string }
  | { readonly type: "task"; readonly task: RolloutTask };

let problem: Problem | undefined;

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.type === "init") {
    problem = getProblem(message.problem);
    return;
  }
  if (!problem) throw new Error("worker used before init");
  self.postMessage(await runRollout(problem, message.task));
};
