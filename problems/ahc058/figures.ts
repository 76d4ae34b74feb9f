/** AHC058 figures: apples (log2) over the turns of a plan, with the purchases marked. */
import * as Plot from "@observablehq/plot";
import { renderPlot } from "../../lib/plot.ts";
import type { Ahc058Input } from "./input.ts";
import { type Action, simulate } from "./scorer.ts";

export interface ApplesCurve {
  readonly turn: number;
  readonly log2Apples: number;
  readonly level: number | null;
}

/** log2 of the apples after every turn (and which level, if any, was strengthened). */
export function applesCurve(input: Ahc058Input, actions: readonly Action[]): ApplesCurve[] {
  const curve: ApplesCurve[] = [];
  const result = simulate(input, actions, (turn, apples) => {
    curve.push({
      turn,
      log2Apples: apples > 0n ? Math.log2(Number(apples)) : 0,
      level: actions[turn]?.level ?? null,
    });
  });
  if ("error" in result) throw new Error(result.error);
  return curve;
}

export function applesPlot(
  plans: readonly { label: string; input: Ahc058Input; actions: readonly Action[] }[],
  title = "apples over time",
): string {
  const rows = plans.flatMap((plan) =>
    applesCurve(plan.input, plan.actions).map((r) => ({ ...r, plan: plan.label }))
  );
  const buys = rows.filter((r) => r.level !== null);
  return renderPlot({
    height: 320,
    marginLeft: 50,
    x: { label: "turn" },
    y: { label: "log2(apples)", grid: true },
    color: { legend: false, type: "categorical" },
    marks: [
      Plot.lineY(rows, { x: "turn", y: "log2Apples", stroke: "plan" }),
      Plot.dot(buys, { x: "turn", y: "log2Apples", fill: "plan", r: 1.5 }),
      Plot.text(
        rows,
        Plot.selectLast({ x: "turn", y: "log2Apples", z: "plan", text: "plan", textAnchor: "end", dy: -8 }),
      ),
      Plot.text([title], { frameAnchor: "top-left", dx: 8, dy: 4, text: (t: string) => t }),
    ],
  });
}
