/**
 * TriMul, the AlphaFold-3 outgoing triangle multiplicative update, as a CPU kernel
 * engineering problem (the paper's GPU MODE task scaled to 2 cores): find a C kernel
 * that computes it within 2e-2 + 2e-2 |ref| of a float64 reference, as fast as
 * possible. value = reward = speed-up over the straightforward C baseline (same
 * flags), the geometric mean over the suite's shapes of median-time ratios.
 */
import { z } from "zod";
import type { FullProblem } from "../../lib/problem.ts";
import { evaluateTriMul } from "./verifier.ts";
import { judge, parse, prompt } from "./prompt.ts";
import { FEATURE_NAMES, trimulFeatures } from "./features.ts";
import { applyProgram, grammar } from "./moves.ts";
import { kernelFigure } from "./plot.ts";
import { type SuiteName, SUITES } from "./shapes.ts";
import { stateFromJSON, stateKey, stateToJSON, type TriMulState } from "./state.ts";

export const TriMulOptionsSchema = z.object({
  /** Which shapes an evaluation times: "search" (default), "bench" (N up to 128) or "test" (small). */
  suite: z.enum(Object.keys(SUITES) as [SuiteName, ...SuiteName[]]).default("search"),
}).strict();
export type TriMulOptions = z.infer<typeof TriMulOptionsSchema>;

export const trimul: FullProblem<TriMulState, TriMulOptions> = {
  name: "trimul",
  title: "TriMul kernel on the CPU (speed-up over the straightforward C baseline)",
  direction: "maximize",
  quantity: "speed-up",
  optionsSchema: TriMulOptionsSchema,
  warmStarts: ["naive"],

  initialStates(_rng, options, init = "random") {
    if (init !== "random" && init !== "naive") {
      throw new Error(`unknown trimul initial state "${init}"; valid: random, naive`);
    }
    // The archive starts from the baseline kernel itself (as the paper starts from the reference code).
    return [{ kernel: { template: "naive" }, suite: structuredClone(SUITES[options.suite]) }];
  },

  evaluate: evaluateTriMul,

  // Language route: the model writes the whole C kernel; it is measured like any state.
  prompt: (state, evaluation, context) => prompt(state, evaluation, { maxChars: context.maxChars }),
  parse,
  judge: (program, parent, limits) => judge(program, parent, limits.seed),
  grammar,
  featureNames: FEATURE_NAMES,
  features: trimulFeatures,
  apply: applyProgram,

  toJSON: stateToJSON,
  fromJSON: stateFromJSON,
  stateKey,
  figures: (state) => [kernelFigure(state)],
  // Timing needs the cores to itself: rollouts run one at a time, in-process (each in its own
  // harness process). An evaluation costs ~4-8 s of CPU, so about 10 minutes in all.
  runDefaults: { steps: 12, groups: 3, groupSize: 4, minutes: 9.5, workers: 0 },
};

export {
  DEFAULT_TILED,
  KERNEL_SIGNATURE,
  kernelSource,
  type KernelSpec,
  type TiledParams,
} from "./kernels.ts";
export { harnessDump, measureKernel, type Measurement, speedups } from "./harness.ts";
export { checkTolerance, randomInputs, trimulReference } from "./reference.ts";
export { type Suite, SUITES } from "./shapes.ts";
export type { TriMulState } from "./state.ts";
