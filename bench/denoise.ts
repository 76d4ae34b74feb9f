/**
 * Denoising benchmarks and the held-out evaluation (the machine may be shared: report timings with that caveat).
 *   deno run -A bench/denoise.ts magic-small        MAGIC exact on pbmc_sctransform (283 cells), median of 5
 *   deno run -A bench/denoise.ts magic-large        MAGIC exact on a simulated 5,000 x 2,000 matrix, time and RSS
 *   deno run -A bench/denoise.ts baselines [--data DIR]   every baseline's scores on one split
 *   deno run -A bench/denoise.ts heldout --data DIR [--holdout DIR] (--run RUN_DIR | --pipeline JSON)
 *   deno run -A bench/denoise.ts discover [--minutes M] [--data DIR] [--holdout DIR] [--out DIR]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { discover } from "../lib/loop.ts";
import { alra } from "../problems/denoise/scrna/alra.ts";
import { noDenoising, perfectDenoising } from "../problems/denoise/scrna/baselines.ts";
import { knnSmoothing } from "../problems/denoise/scrna/knn_smoothing.ts";
import { loadCounts } from "../problems/denoise/scrna/load.ts";
import { knnNaive, magic } from "../problems/denoise/scrna/magic.ts";
import type { Dense } from "../problems/denoise/scrna/matrix.ts";
import { baselines, score } from "../problems/denoise/scrna/metrics.ts";
import { simulate } from "../problems/denoise/scrna/simulate.ts";
import { mcvSplit } from "../problems/denoise/scrna/split.ts";
import { formatHeldout, heldoutEvaluation } from "../problems/denoise/heldout.ts";
import { MAGIC_REVERSED, type Pipeline, PipelineSchema } from "../problems/denoise/pipeline.ts";
import { stateFromJSON } from "../problems/denoise/state.ts";
import { DEFAULT_DATA } from "../problems/denoise/task.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchMagicSmall(runs = 5): Promise<{ medianMs: number; runsMs: number[] }> {
  const split = mcvSplit(await loadCounts(DEFAULT_DATA), { seed: 0 });
  magic(split.train); // warm-up (JIT)
  const runsMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    magic(split.train);
    runsMs.push(performance.now() - t);
  }
  const result = { medianMs: median(runsMs), runsMs };
  console.log(
    `MAGIC exact, 283 cells x ${split.train.cols} genes: median ${result.medianMs.toFixed(0)} ms ` +
      `(runs ${runsMs.map((x) => x.toFixed(0)).join(", ")})`,
  );
  return result;
}

export function benchMagicLarge(cells = 5000, genes = 2000) {
  let peakRss = Deno.memoryUsage().rss;
  const sample = () => (peakRss = Math.max(peakRss, Deno.memoryUsage().rss));
  const t0 = performance.now();
  const sim = simulate({ cells, genes, seed: 1, keepTruth: false });
  sample();
  const split = mcvSplit(sim.dataset, { seed: 0 });
  sample();
  const t1 = performance.now();
  const y = magic(split.train);
  sample();
  const t2 = performance.now();
  const s = score(split.train, split.test, y);
  sample();
  const result = {
    cells,
    genes: split.train.cols,
    simulateAndSplitMs: t1 - t0,
    magicMs: t2 - t1,
    peakRssGiB: peakRss / 2 ** 30,
    mseNorm: s.mseNorm,
    poissonNorm: s.poissonNorm,
  };
  console.log(
    `MAGIC exact, simulated ${cells} x ${split.train.cols}: ${(result.magicMs / 1000).toFixed(1)} s ` +
      `(simulate + split ${(result.simulateAndSplitMs / 1000).toFixed(1)} s), peak RSS (sampled) ` +
      `${result.peakRssGiB.toFixed(2)} GiB; mse_norm ${s.mseNorm.toFixed(3)}, poisson_norm ${
        s.poissonNorm.toFixed(3)
      }`,
  );
  return result;
}

export async function baselineTable(data = DEFAULT_DATA, seed = 0) {
  const split = mcvSplit(await loadCounts(data), { seed });
  const reference = baselines(split.train, split.test);
  const methods: [string, () => Dense][] = [
    ["No denoising", () => noDenoising(split.train)],
    ["Perfect denoising", () => perfectDenoising(split.test)],
    ["MAGIC", () => magic(split.train)],
    ["MAGIC (reversed normalization)", () => magic(split.train, { normOrder: "reversed" })],
    ["MAGIC (approximate)", () => magic(split.train, { solver: "approximate" })],
    [
      "MAGIC (approximate, reversed normalization)",
      () => magic(split.train, { solver: "approximate", normOrder: "reversed" }),
    ],
    ["ALRA (log norm)", () => alra(split.train)],
    [
      "ALRA (sqrt norm, reversed normalization)",
      () => alra(split.train, { transform: "sqrt", normOrder: "reversed" }),
    ],
    ["KNN smoothing (binary kNN graph, log, t = 1)", () => knnNaive(split.train)],
    ["Iterative kNN smoothing (k = 10)", () => knnSmoothing(split.train)],
  ];
  return methods.map(([method, run]) => {
    const t = performance.now();
    const y = run();
    const ms = performance.now() - t;
    return { method, ms, ...score(split.train, split.test, y, reference) };
  });
}

async function main() {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      data: { type: "string" },
      holdout: { type: "string" },
      run: { type: "string" },
      pipeline: { type: "string" },
      minutes: { type: "string" },
      out: { type: "string" },
      "heldout-seed": { type: "string" },
    },
  });
  const data = values.data ?? DEFAULT_DATA;
  const heldoutSeed = values["heldout-seed"] ? Number(values["heldout-seed"]) : 1;
  switch (positionals[0]) {
    case "magic-small":
      await benchMagicSmall();
      break;
    case "magic-large":
      benchMagicLarge();
      break;
    case "baselines":
      for (const r of await baselineTable(data)) {
        console.log(
          `${r.method.padEnd(46)} mse ${r.mse.toFixed(4)}  poisson ${r.poisson.toFixed(4)}  ` +
            `mse_norm ${r.mseNorm.toFixed(4)}  poisson_norm ${r.poissonNorm.toFixed(4)}  (${
              r.ms.toFixed(0)
            } ms)`,
        );
      }
      break;
    case "heldout": {
      let pipeline: Pipeline;
      if (values.run) {
        const best = JSON.parse(Deno.readTextFileSync(join(values.run, "best.json")));
        pipeline = stateFromJSON(best.construction).pipeline;
      } else if (values.pipeline) pipeline = PipelineSchema.parse(JSON.parse(values.pipeline));
      else throw new Error("heldout needs --run RUN_DIR or --pipeline JSON");
      console.log(`pipeline: ${JSON.stringify(pipeline)}`);
      console.log(
        formatHeldout(await heldoutEvaluation(pipeline, { data, holdout: values.holdout, heldoutSeed })),
      );
      break;
    }
    case "discover": {
      const minutes = Number(values.minutes ?? 10);
      const started = performance.now();
      const run = discover({
        config: { problem: "denoise", minutes, steps: 10_000, problemOptions: { data } },
        out: values.out ?? Deno.makeTempDirSync({ prefix: "denoise-runs-" }),
      });
      let next = await run.next();
      while (!next.done) {
        const r = next.value;
        console.log(
          `step ${r.step + 1}: best mse_norm ${
            r.row.best.toFixed(4)
          }, valid ${r.row.valid}/${r.row.rollouts}, ` +
            `${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
        next = await run.next();
      }
      const summary = next.value;
      const best = stateFromJSON(summary.best.state).pipeline;
      console.log(`run directory: ${summary.runDir}; stopped by ${summary.stoppedBy}`);
      console.log(
        `best pipeline (search split, mse_norm ${summary.best.value.toFixed(4)}): ${JSON.stringify(best)}`,
      );
      console.log(`MAGIC reversed: ${JSON.stringify(MAGIC_REVERSED)}`);
      console.log(
        formatHeldout(await heldoutEvaluation(best, { data, holdout: values.holdout, heldoutSeed })),
      );
      break;
    }
    default:
      console.log(
        "usage: deno run -A bench/denoise.ts magic-small|magic-large|baselines|heldout|discover [flags]",
      );
  }
}

if (import.meta.main) await main();
