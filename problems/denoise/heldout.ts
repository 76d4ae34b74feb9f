/**
 * Held-out evaluation, as the paper reports it: the pipeline found on one split is
 * scored, next to MAGIC (reversed), on a second split of the same dataset (another
 * seed) and, optionally, on another dataset. No rejection here: the raw scores.
 */
import { resolve } from "node:path";
import { loadCounts } from "./scrna/load.ts";
import { score, type Scores } from "./scrna/metrics.ts";
import { MAGIC_REVERSED, type Pipeline, runPipeline } from "./pipeline.ts";
import { preparedFor, type Task, taskFromDataset } from "./task.ts";

export interface HeldoutRow {
  readonly dataset: string;
  readonly splitSeed: number;
  readonly method: "found" | "MAGIC reversed";
  readonly scores: Scores;
}

export interface HeldoutOptions {
  /** Dataset the pipeline was found on (10x folder or .h5ad). */
  readonly data: string;
  /** Seed of the second split of `data` (default 1; the search uses 0). */
  readonly heldoutSeed?: number;
  /** Another dataset to score on (its split uses heldoutSeed too). */
  readonly holdout?: string;
}

function scoresOn(task: Task, pipeline: Pipeline): Scores {
  const y = runPipeline(preparedFor(task, pipeline), pipeline);
  return score(task.split.train, task.split.test, y, task.reference);
}

export async function heldoutEvaluation(pipeline: Pipeline, options: HeldoutOptions): Promise<HeldoutRow[]> {
  const seed = options.heldoutSeed ?? 1;
  const rows: HeldoutRow[] = [];
  for (const path of [options.data, options.holdout].filter((p): p is string => !!p)) {
    const task = taskFromDataset(await loadCounts(resolve(path)), seed);
    rows.push({ dataset: path, splitSeed: seed, method: "found", scores: scoresOn(task, pipeline) });
    rows.push({
      dataset: path,
      splitSeed: seed,
      method: "MAGIC reversed",
      scores: scoresOn(task, MAGIC_REVERSED),
    });
  }
  return rows;
}

export function formatHeldout(rows: readonly HeldoutRow[]): string {
  const lines = ["dataset | split seed | method | mse_norm | poisson_norm | mean", "---|---|---|---|---|---"];
  for (const r of rows) {
    const s = r.scores;
    lines.push(
      `${r.dataset} | ${r.splitSeed} | ${r.method} | ${s.mseNorm.toFixed(4)} | ${
        s.poissonNorm.toFixed(4)
      } | ${s.score.toFixed(4)}`,
    );
  }
  return lines.join("\n");
}
