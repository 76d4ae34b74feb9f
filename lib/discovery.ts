/** runDiscovery(): a discovery run to its end, for callers that want its summary rather than its steps. */
import { discover, type DiscoverOptions, type RunSummary, type StepReport } from "./loop.ts";

/** What runDiscovery takes: discover()'s options and a callback for each step. */
export interface RunDiscoveryOptions extends DiscoverOptions {
  /** Sees each step's report as it is made (awaited before the next step starts). */
  readonly onStep?: (report: StepReport) => void | Promise<void>;
}

/**
 * Runs a discovery to its end and returns its summary: the best state, why the run stopped, every
 * step's row and, with `out`, the run directory (which then holds report.svg). A `for await` over
 * discover() sees the steps but not this summary.
 *
 * @example
 * ```ts
 * const summary = await runDiscovery({ config: { problem: "erdos", steps: 5 }, out: "runs" });
 * console.log(summary.best.value, summary.stoppedBy, summary.runDir);
 * ```
 */
export async function runDiscovery(options: RunDiscoveryOptions): Promise<RunSummary> {
  const run = discover(options);
  while (true) {
    const next = await run.next();
    if (next.done) return next.value;
    try {
      await options.onStep?.(next.value);
    } catch (error) {
      // As a `for await` would: end the generator, so its workers stop and the run's lock is released.
      await run.return(undefined as never);
      throw error;
    }
  }
}
