/**
 * Single-cell RNA-seq denoising (OpenProblems v1 task, molecular cross-validation):
 * find a pipeline that, run on the training UMIs, best predicts the held-out test
 * UMIs. value = reward = mse_norm; pipelines with poisson_norm < 0.97 are rejected,
 * as in the paper. The state names its dataset and split, so every worker can
 * evaluate it on its own (the data is loaded once per process).
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { Evaluation, FullProblem } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { DENOISE_DEFAULTS } from "./defaults.ts";
import { denoiseFeatures, FEATURE_NAMES } from "./features.ts";
import { applyProgram, grammar } from "./moves.ts";
import { formatHeldout, heldoutEvaluation } from "./heldout.ts";
import { MAGIC_REVERSED } from "./pipeline.ts";
import { type DenoiseState, stateFromJSON, stateKey } from "./state.ts";
import { DEFAULT_DATA, evaluatePipeline, loadTask } from "./task.ts";
import { invalid } from "../../lib/problem.ts";
import {
  type DenoiseProgramState,
  denoisePrompt,
  evaluateProgramState,
  isDenoiseProgramState,
  judgeDenoiser,
  parseDenoiser,
  programFromJSON,
  programStateKey,
  runDenoiser,
} from "./program.ts";

export const DenoiseOptionsSchema = z.object({
  /** 10x folder of the dataset (matrix.mtx[.gz], features.tsv[.gz], barcodes.tsv[.gz]). */
  data: z.string().min(1).default(DEFAULT_DATA),
  /** Seed of the molecular cross-validation split the search scores on. */
  splitSeed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Archive seeds: MAGIC (reversed) plus valid one-move variants of it. */
  initialCount: z.number().int().min(1).max(32).default(4),
  /** After the run, also score the best pipeline on this dataset (10x folder or .h5ad). */
  holdout: z.string().min(1).optional(),
  /** Seed of the held-out split (the search scores on splitSeed). */
  heldoutSeed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
}).strict();

export type DenoiseOptions = z.infer<typeof DenoiseOptionsSchema>;

export function evaluateDenoise(json: unknown): Evaluation {
  if (isDenoiseProgramState(json)) return evaluateProgramState(json);
  try {
    const state = stateFromJSON(json);
    return evaluatePipeline(loadTask(state.data, state.seed), state.pipeline);
  } catch (e) {
    return invalid(e instanceof Error ? e.message : String(e));
  }
}

function randomMove(rng: Rng) {
  const op = grammar.operators[rng.int(grammar.operators.length)];
  return {
    op: op.name,
    params: Object.fromEntries(op.params.map((p) => [p.name, p.choices[rng.int(p.choices.length)]])),
  };
}

/** A built-in pipeline state, or a judged denoising program (the language route). */
export type DenoiseAnyState = DenoiseState | DenoiseProgramState;

function builtinOnly(state: DenoiseAnyState): DenoiseState {
  if (isDenoiseProgramState(state)) {
    throw new Error("a denoising program state has no pipeline for the move grammar (built-in route)");
  }
  return state;
}

export const denoise: {
  /** The seeds are built-in states (the language route starts from them too). */
  initialStates(rng: Rng, options: DenoiseOptions, init?: string): DenoiseState[];
} & FullProblem<DenoiseAnyState, DenoiseOptions> = {
  name: "denoise",
  title: "scRNA-seq denoising (OpenProblems v1, MCV split; reward mse_norm, poisson_norm >= 0.97)",
  direction: "maximize",
  quantity: "mse_norm",
  optionsSchema: DenoiseOptionsSchema,
  warmStarts: ["magic"],

  initialStates(rng, options, init = "random") {
    const magic: DenoiseState = {
      data: resolve(options.data),
      seed: options.splitSeed,
      pipeline: MAGIC_REVERSED,
    };
    if (init === "magic") return [magic];
    if (init !== "random") throw new Error(`unknown denoise initial state "${init}"; valid: random, magic`);
    const states = [magic];
    const keys = new Set([stateKey(magic)]);
    // Bounded tries: many one-move variants of MAGIC fail the Poisson rule.
    for (let tries = 0; tries < 8 * options.initialCount && states.length < options.initialCount; tries++) {
      const candidate = applyProgram([randomMove(rng)], magic);
      if (keys.has(stateKey(candidate))) continue;
      if (evaluateDenoise(candidate).valid) {
        states.push(candidate);
        keys.add(stateKey(candidate));
      }
    }
    return states;
  },

  evaluate: evaluateDenoise,
  grammar,
  featureNames: FEATURE_NAMES,
  features: (state, evaluation) => denoiseFeatures(builtinOnly(state), evaluation),
  apply: (program, state) => applyProgram(program, builtinOnly(state)),

  // Language route: the model writes `denoise(train)` in TypeScript, run in the sandbox (program.ts).
  prompt: denoisePrompt,
  parse: parseDenoiser,
  judge: (program, parent, limits) => judgeDenoiser(program, parent, limits),

  toJSON: (state) =>
    isDenoiseProgramState(state)
      ? structuredClone(state)
      : ({ data: state.data, seed: state.seed, pipeline: { ...state.pipeline } }),
  fromJSON: (json) => isDenoiseProgramState(json) ? programFromJSON(json) : stateFromJSON(json),
  stateKey: (state) => isDenoiseProgramState(state) ? programStateKey(state) : stateKey(state),
  runDefaults: DENOISE_DEFAULTS,
  cliFlags: {
    data: { option: "data", description: "10x folder to search on (default data/scrna/pbmc_sctransform)" },
    "split-seed": { option: "splitSeed", description: "seed of the split the search scores on (default 0)" },
    holdout: {
      option: "holdout",
      description: "after the run, also score the best pipeline on this dataset",
    },
    "heldout-seed": { option: "heldoutSeed", description: "seed of the held-out split (default 1)" },
  },
  async afterRun(best, options) {
    if (isDenoiseProgramState(best)) {
      // The best program again, in a fresh sandbox, on the search split and on a held-out split.
      const lines = ["Re-run of the best program in a fresh sandbox (mse_norm, poisson_norm):"];
      for (const seed of [best.seed, options.heldoutSeed]) {
        const task = loadTask(best.data, seed);
        const { evaluation } = await runDenoiser(best.program.source, task, {
          timeoutMs: 120_000,
          heapMiB: 1024,
        });
        const d = evaluation.details as { mseNorm?: number; poissonNorm?: number } | undefined;
        lines.push(
          `split seed ${seed}${seed === best.seed ? " (the search split)" : " (held out)"}: ` +
            (d?.mseNorm !== undefined
              ? `${d.mseNorm.toFixed(4)}, ${d.poissonNorm!.toFixed(4)}${
                evaluation.valid ? "" : ` (${evaluation.error})`
              }`
              : `invalid: ${evaluation.error}`),
        );
      }
      return lines.join("\n");
    }
    const rows = await heldoutEvaluation(best.pipeline, {
      data: options.data,
      heldoutSeed: options.heldoutSeed,
      holdout: options.holdout,
    });
    return `Held-out evaluation of the best pipeline against MAGIC (reversed):\n${formatHeldout(rows)}`;
  },
};

export { MAGIC_REVERSED, type Pipeline, runPipeline } from "./pipeline.ts";
export type { DenoiseState } from "./state.ts";
export { loadTask, MIN_POISSON_NORM, scoreDenoised } from "./task.ts";
