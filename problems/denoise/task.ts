/**
 * The denoising task on one dataset and one split, loaded and split once per
 * process (workers import the problem by name, so the cache is module-level),
 * and the verifier: run the pipeline on train, score against test.
 */
import { resolve } from "node:path";
import type { Evaluation } from "../../lib/problem.ts";
import { invalid } from "../../lib/problem.ts";
import type { CountDataset } from "./scrna/dataset.ts";
import { loadCountsSync } from "./scrna/load.ts";
import type { Dense } from "./scrna/matrix.ts";
import { type Baselines, baselines, denoisedProblem, score, type Scores } from "./scrna/metrics.ts";
import { type McvSplit, mcvSplit } from "./scrna/split.ts";
import { type Pipeline, prepare, type Prepared, runPipeline } from "./pipeline.ts";

/** The paper's acceptance rule: a denoiser must keep the Poisson score this high. */
export const MIN_POISSON_NORM = 0.97;

export const DEFAULT_DATA = resolve(new URL("../../data/scrna/pbmc_sctransform", import.meta.url).pathname);

export interface Task {
  readonly split: McvSplit;
  readonly reference: Baselines;
  /** Normalised training matrices and their SVDs, by transform|order|scale. */
  readonly prepared: Map<string, Prepared>;
}

const tasks = new Map<string, Task>();

export function taskFromDataset(data: CountDataset, seed: number): Task {
  const split = mcvSplit(data, { seed });
  return { split, reference: baselines(split.train, split.test, "v1"), prepared: new Map() };
}

/** The task for a 10x folder and split seed, cached for the life of the process. */
export function loadTask(dataDir: string, seed: number): Task {
  const key = `${resolve(dataDir)}|${seed}`;
  let task = tasks.get(key);
  if (!task) {
    task = taskFromDataset(loadCountsSync(resolve(dataDir)), seed);
    tasks.set(key, task);
  }
  return task;
}

/** Registers an already loaded dataset (e.g. from .h5ad) under a name states can refer to. */
export function registerTask(name: string, seed: number, task: Task): void {
  tasks.set(`${resolve(name)}|${seed}`, task);
}

export function preparedFor(task: Task, p: Pipeline): Prepared {
  const key = `${p.transform}|${p.order}|${p.scale}`;
  let prepared = task.prepared.get(key);
  if (!prepared) {
    prepared = prepare(task.split.train, p);
    task.prepared.set(key, prepared);
  }
  return prepared;
}

/**
 * Scores a denoised matrix against the task's test counts. Invalid when the matrix
 * is malformed (NaN, infinite, negative, absurd), when poisson_norm < 0.97, or when
 * it is no better than not denoising (mse_norm <= 0: rewards stay positive).
 */
export function scoreDenoised(task: Task, denoised: Dense): Evaluation {
  const problem = denoisedProblem(task.split.train, denoised);
  if (problem) return invalid(`invalid denoised output: ${problem}`);
  const s: Scores = score(task.split.train, task.split.test, denoised, task.reference);
  const details = { ...s };
  if (!(s.poissonNorm >= MIN_POISSON_NORM)) {
    return invalid(`rejected: poisson_norm ${s.poissonNorm.toFixed(4)} < ${MIN_POISSON_NORM}`, details);
  }
  if (!(s.mseNorm > 0)) {
    return invalid(`rejected: mse_norm ${s.mseNorm.toFixed(4)} is no better than not denoising`, details);
  }
  return { valid: true, value: s.mseNorm, reward: s.mseNorm, details };
}

export function evaluatePipeline(task: Task, p: Pipeline): Evaluation {
  return scoreDenoised(task, runPipeline(preparedFor(task, p), p));
}
