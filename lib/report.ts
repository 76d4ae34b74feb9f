/**
 * The run report, report.svg: progress per step and the problem's figures of the best state, in one
 * SVG file. discover() writes it into the run directory when a run ends (lib/loop.ts).
 */
import { progressPlot, stackFigures } from "./plot.ts";
import type { Problem } from "./problem.ts";
import type { StepRow } from "./records.ts";

/** The report's file name in a run directory. */
export const REPORT_FILE = "report.svg";

/** The report of a run as one standalone SVG string. */
export function runReport(
  problem: Problem,
  steps: readonly StepRow[],
  best: { readonly value: number; readonly state: unknown },
): string {
  return stackFigures([
    progressPlot(steps, {
      direction: problem.direction,
      quantity: problem.quantity,
      record: problem.record?.value,
      title: `${problem.title}: best ${problem.quantity} ${best.value}`,
    }),
    ...(problem.figures?.(problem.fromJSON(best.state)) ?? []),
  ]);
}
