/**
 * Discovery benchmarks for any problem: runs `discover` for several seeds and
 * reports the final value, wall time, the loop's own overhead (everything but
 * evaluating rollouts) as a share of each step, and peak memory. Workers are
 * threads of this process, so its RSS covers them.
 */
import { discover, type StepReport } from "../lib/loop.ts";
import type { RunConfigInput } from "../lib/config.ts";
import { loadProblem } from "../lib/problem_module.ts";

export interface DiscoveryResult {
  readonly seed: number;
  readonly best: number;
  readonly steps: number;
  readonly seconds: number;
  /** Median over steps of the share of a step not spent evaluating rollouts. */
  readonly overheadShare: number;
  readonly peakRssMiB: number;
  readonly runDir?: string;
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchDiscovery(
  config: RunConfigInput,
  seeds: readonly number[],
  out = "runs/bench",
): Promise<DiscoveryResult[]> {
  const problem = await loadProblem(config.problem);
  const results: DiscoveryResult[] = [];
  for (const seed of seeds) {
    const started = performance.now();
    let peak = Deno.memoryUsage().rss;
    const shares: number[] = [];
    let last: StepReport | undefined;
    for await (const report of discover({ config: { ...config, seed }, out })) {
      const r = report.row;
      // Everything but evaluating rollouts: selection, sampling, the update, archive upkeep, the store.
      shares.push((r.totalMs - r.evaluateMs) / r.totalMs);
      peak = Math.max(peak, Deno.memoryUsage().rss);
      last = report;
      if (report.step % 10 === 0) {
        console.error(
          `  seed ${seed} step ${report.step}: ${problem.quantity} ${report.best.value.toFixed(7)}`,
        );
      }
    }
    const result: DiscoveryResult = {
      seed,
      best: last?.best.value ?? NaN,
      steps: (last?.step ?? -1) + 1,
      seconds: (performance.now() - started) / 1000,
      overheadShare: median(shares),
      peakRssMiB: peak / 2 ** 20,
      runDir: last?.runDir,
    };
    console.log(
      `${problem.name} seed ${seed}: best ${problem.quantity} ${
        result.best.toFixed(7)
      } after ${result.steps} steps ` +
        `in ${result.seconds.toFixed(0)} s; loop overhead ${
          (100 * result.overheadShare).toFixed(2)
        }% of a step ` +
        `(median); peak RSS ${result.peakRssMiB.toFixed(0)} MiB; ${result.runDir ?? ""}`,
    );
    results.push(result);
  }
  if (results.length > 1) {
    console.log(
      `${problem.name} median over ${results.length} seeds: best ${problem.quantity} ${
        median(results.map((r) => r.best)).toFixed(7)
      }, ${median(results.map((r) => r.seconds)).toFixed(0)} s, overhead ${
        (100 * median(results.map((r) => r.overheadShare))).toFixed(2)
      }%, peak RSS ${Math.max(...results.map((r) => r.peakRssMiB)).toFixed(0)} MiB`,
    );
  }
  return results;
}
