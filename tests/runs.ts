/** Helpers shared by the tests that run whole discoveries. */
import { discover, type RunSummary, type StepReport } from "../lib/loop.ts";
import type { RunConfigInput } from "../lib/config.ts";

/** Runs a discovery to its end: every step's report and the summary it returns. */
export async function runToEnd(
  options: Parameters<typeof discover>[0],
): Promise<{ reports: StepReport[]; summary: RunSummary }> {
  const reports: StepReport[] = [];
  const gen = discover(options);
  let next = await gen.next();
  while (!next.done) {
    reports.push(next.value);
    next = await gen.next();
  }
  return { reports, summary: next.value };
}

/**
 * A short Erdős run. The rollout limit is far above what any of its programs needs, so no move
 * is cut short by its deadline: only then is a run exactly reproducible (a cut depends on the
 * machine's speed); small piece counts keep it quick.
 */
export const reproducibleErdos: RunConfigInput = {
  problem: "erdos",
  steps: 3,
  groups: 3,
  groupSize: 6,
  seed: 11,
  rolloutTimeoutSeconds: 900,
  problemOptions: { minPieces: 20, maxPieces: 30 },
};
