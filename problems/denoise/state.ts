/** A denoising state: which dataset and split, and the pipeline to run on it. */
import { z } from "zod";
import { type Pipeline, PipelineSchema } from "./pipeline.ts";

export interface DenoiseState {
  /** 10x folder of the dataset (absolute). */
  readonly data: string;
  /** Seed of the molecular cross-validation split. */
  readonly seed: number;
  readonly pipeline: Pipeline;
}

export const DenoiseStateSchema = z.object({
  data: z.string().min(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  pipeline: PipelineSchema,
}).strict();

export function stateFromJSON(json: unknown): DenoiseState {
  const parsed = DenoiseStateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a denoise state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Parameters in a fixed order, so equal pipelines share a key. */
export function stateKey(state: DenoiseState): string {
  const p = state.pipeline;
  return [
    state.data,
    state.seed,
    p.transform,
    p.order,
    p.scale,
    p.pca,
    p.knn,
    p.decay,
    p.t,
    p.selfLoop,
    p.mix,
    p.rank,
    p.shrink,
  ].join("|");
}
