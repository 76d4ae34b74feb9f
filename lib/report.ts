/** The run report: progress per step and the best construction, as one SVG file. */
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import type { RunSummary } from "./loop.ts";
import { progressPlot, reportSvg } from "./plot.ts";
import type { Problem } from "./problem.ts";

/** Writes report.svg into the run directory and returns its path. */
export async function writeReport(runDir: string, problem: Problem, summary: RunSummary): Promise<string> {
  const parts = [
    progressPlot(summary.steps, {
      direction: problem.direction,
      quantity: problem.quantity,
      record: problem.record?.value,
      title: `${problem.title}: best ${problem.quantity} ${summary.best.value}`,
    }),
    ...(problem.figures?.(problem.fromJSON(summary.best.state)) ?? []),
  ];
  const path = join(runDir, "report.svg");
  await writeFileAtomic(path, reportSvg(parts));
  return path;
}
