/**
 * A TriMul state: a kernel (template and parameters, or whole source), the suite it
 * is timed on, and the measurement of that exact source (absent for the baseline
 * seed, whose speed-up over itself is 1 by definition).
 */
import { z } from "zod";
import { kernelSource, type KernelSpec, KernelSpecSchema, sourceHash } from "./kernels.ts";
import type { Measurement } from "./harness.ts";
import { type Suite, SuiteSchema } from "./shapes.ts";

export interface TriMulState {
  readonly kernel: KernelSpec;
  readonly suite: Suite;
  readonly measurement?: Measurement;
}

const finite = z.number().refine(Number.isFinite, "must be finite");

export const MeasurementSchema = z.object({
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
  suite: SuiteSchema,
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  ok: z.boolean(),
  error: z.string().optional(),
  shapes: z.array(
    z.object({
      B: z.number().int(),
      N: z.number().int(),
      C: z.number().int(),
      H: z.number().int(),
      candidateMs: z.array(finite.refine((v) => v > 0, "must be positive")),
      baselineMs: z.array(finite.refine((v) => v > 0, "must be positive")),
      worst: z.number().min(0),
    }).strict(),
  ),
  compileMs: z.number().min(0),
  runMs: z.number().min(0),
}).strict();

export const TriMulStateSchema = z.object({
  kernel: KernelSpecSchema,
  suite: SuiteSchema,
  measurement: MeasurementSchema.optional(),
}).strict();

export function stateFromJSON(json: unknown): TriMulState {
  return TriMulStateSchema.parse(json) as TriMulState;
}

export function stateToJSON(state: TriMulState): unknown {
  return JSON.parse(JSON.stringify(state));
}

/** Same kernel source on the same suite = same state, whatever its measurement. */
export function stateKey(state: TriMulState): string {
  return `${state.suite.name}:${sourceHash(kernelSource(state.kernel)).slice(0, 32)}`;
}
