/**
 * TriMul benchmark: one discovery run with the problem's defaults (about 10 minutes on
 * 2 cores), then the best kernel measured on the benchmark suite (N up to 128,
 * C in {128, 384}; 5 timed rounds per shape, interleaved with the baseline, fresh
 * inputs and a float64 check every run, medians kept). Timing on a shared machine is
 * noisy: the load average is printed next to the figures.
 *
 *   deno run -A bench/trimul.ts                  discovery, then the final measurement
 *   deno run -A bench/trimul.ts --best FILE      final measurement of a run's best.json only
 *   deno run -A bench/trimul.ts --minutes 3      a shorter discovery
 */
import { parseArgs } from "node:util";
import { discover } from "../lib/loop.ts";
import { measureKernel, speedups } from "../problems/trimul/harness.ts";
import { describeKernel, type KernelSpec } from "../problems/trimul/kernels.ts";
import { trimul } from "../problems/trimul/mod.ts";
import { shapeLabel, SUITES } from "../problems/trimul/shapes.ts";
import type { TriMulState } from "../problems/trimul/state.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { best: { type: "string" }, minutes: { type: "string" }, out: { type: "string" } },
});

const load = () => Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function bestKernel(): Promise<KernelSpec> {
  if (values.best) {
    const json = JSON.parse(Deno.readTextFileSync(values.best));
    return trimul.fromJSON(json.state ?? json).kernel;
  }
  const out = values.out ?? Deno.makeTempDirSync({ prefix: "trimul-bench-" });
  const config = { problem: "trimul", ...(values.minutes ? { minutes: Number(values.minutes) } : {}) };
  console.log(`discovery: ${JSON.stringify({ ...trimul.runDefaults, ...config })}, load ${load()}`);
  const started = performance.now();
  const gen = discover({ config, out });
  let r = await gen.next();
  for (; !r.done; r = await gen.next()) {
    const row = r.value.row as unknown as Record<string, number>;
    console.log(
      `step ${r.value.step}: best ${r.value.best.value.toFixed(2)}x, ` +
        `${r.value.attempts.filter((a) => a.valid).length}/${r.value.attempts.length} valid, ` +
        `${((row.totalMs ?? 0) / 1000).toFixed(0)} s, load ${load()}`,
    );
  }
  const minutes = (performance.now() - started) / 60_000;
  const best = trimul.fromJSON(r.value.best.state) as TriMulState;
  console.log(
    `discovery done in ${minutes.toFixed(1)} min (${r.value.stoppedBy}); run dir ${r.value.runDir}; ` +
      `best on the search suite: ${r.value.best.value.toFixed(2)}x: ${describeKernel(best.kernel)}`,
  );
  return best.kernel;
}

async function finalMeasurement(kernel: KernelSpec, label: string) {
  const suite = SUITES.bench;
  const loadBefore = load();
  const m = await measureKernel(kernel, suite, 20260101);
  if (!m.ok) throw new Error(`${label} failed on the benchmark suite: ${m.error}`);
  const { perShape, geomean } = speedups(m);
  console.log(`\n${label}: ${describeKernel(kernel)}`);
  console.log(`load average before ${loadBefore}, after ${load()}; harness ${(m.runMs / 1000).toFixed(0)} s`);
  console.log("shape            baseline ms (median, min-max)   kernel ms (median, min-max)   speed-up");
  m.shapes.forEach((s, i) => {
    const b = s.baselineMs, c = s.candidateMs;
    console.log(
      `${shapeLabel(s).padEnd(16)} ${median(b).toFixed(1).padStart(8)} (${Math.min(...b).toFixed(0)}-${
        Math.max(...b).toFixed(0)
      })`.padEnd(48) +
        `${median(c).toFixed(1).padStart(8)} (${Math.min(...c).toFixed(0)}-${Math.max(...c).toFixed(0)})`
          .padEnd(30) +
        `${perShape[i].toFixed(2)}x`,
    );
  });
  console.log(
    `geometric mean speed-up: ${geomean.toFixed(2)}x (worst error ratio ${
      Math.max(...m.shapes.map((s) => s.worst)).toPrecision(3)
    } of the tolerance)`,
  );
}

const kernel = await bestKernel();
await finalMeasurement(kernel, "best discovered kernel");
if (kernel.template === "tiled" && kernel.params.threads === 2) {
  // How much of the speed-up is the second core: the same kernel on one thread.
  await finalMeasurement(
    { template: "tiled", params: { ...kernel.params, threads: 1 } },
    "same kernel, 1 thread",
  );
}
