/**
 * AtCoder benchmarks: time to score one AHC039 case and one AHC058 case, and the mean score over
 * the official AHC058 seeds 0..99 of a discovered solver (a run's best.json) next to the greedy
 * baseline's.  deno run -A bench/atcoder.ts [path/to/best.json]
 * Timings depend on the machine's load (it is shared with other developers).
 */
import { loadCases as ahc039Cases } from "../problems/ahc039/cases.ts";
import { scorePolygon } from "../problems/ahc039/scorer.ts";
import { solve as solve039 } from "../problems/ahc039/solver.ts";
import { loadCases as ahc058Cases } from "../problems/ahc058/cases.ts";
import { scoreActions } from "../problems/ahc058/scorer.ts";
import { BASELINE_PARAMS, solve as solve058, type SolverParams } from "../problems/ahc058/solver.ts";
import { stateFromJSON } from "../problems/ahc058/state.ts";

function time(label: string, reps: number, fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label}: ${ms.toFixed(3)} ms`);
  return ms;
}

const c039 = ahc039Cases({ source: "generated", seed: 0, count: 1 })[0];
const net =
  solve039(c039.input, { grid: 25, iters: 50000, refine: 2, refineIters: 50000, t0: 4, t1: 0.1, seed: 1 })
    .polygon;
const judged = scorePolygon(c039.input, net);
console.log(`AHC039 case ${c039.name}: ${net.length}-vertex net, score ${judged.score}`);
time("score one AHC039 case (10000 fish)", 20, () => scorePolygon(c039.input, net));

const c058 = ahc058Cases({ source: "official", first: 0, count: 1 })[0];
const plan = solve058(c058.input, BASELINE_PARAMS);
time("score one AHC058 case (500 turns, BigInt)", 200, () => scoreActions(c058.input, plan));

function officialMean(params: SolverParams): number {
  let sum = 0;
  for (const c of ahc058Cases({ source: "official", first: 0, count: 100 })) {
    const r = scoreActions(c.input, solve058(c.input, params));
    if (r.error) throw new Error(`${c.name}: ${r.error}`);
    sum += r.score;
  }
  return sum / 100;
}

const best = Deno.args[0];
console.log(`AHC058 greedy baseline, official seeds 0-99: mean ${officialMean(BASELINE_PARAMS).toFixed(1)}`);
if (best) {
  const record = JSON.parse(Deno.readTextFileSync(best));
  const state = stateFromJSON(record.construction ?? record.state ?? record);
  console.log(
    `discovered solver: ${JSON.stringify(state.solver)} (trained on ${JSON.stringify(state.cases)})`,
  );
  console.log(`AHC058 discovered solver, official seeds 0-99: mean ${officialMean(state.solver).toFixed(1)}`);
}
