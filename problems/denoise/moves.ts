/**
 * The move grammar over pipeline parameters: each operator sets one stage of the
 * pipeline to one of a few values. Moves are pure functions of the program (no
 * randomness needed), so they are trivially deterministic and bounded.
 */
import { defineMoves, type Program } from "../../lib/grammar.ts";
import { LIBRARY_SCALES, NORM_ORDERS, TRANSFORMS } from "./scrna/transform.ts";
import { type Pipeline, PipelineSchema } from "./pipeline.ts";
import type { DenoiseState } from "./state.ts";

export const MOVES = defineMoves({
  name: "denoise",
  maxMoves: 3,
  operators: {
    transform: {
      description: "variance-stabilising transform and the order of library-size normalisation",
      params: {
        kind: { choices: [...TRANSFORMS] },
        order: { choices: [...NORM_ORDERS] },
        scale: { choices: [...LIBRARY_SCALES], description: "cell totals to 1 or to the median" },
      },
    },
    pca: {
      description: "PCA components for the graph",
      params: { size: { choices: [10, 20, 30, 50, 75, 100] } },
    },
    graph: {
      description: "alpha-decay kNN kernel: bandwidth neighbour and decay",
      params: { knn: { choices: [3, 5, 7, 10, 15] }, decay: { choices: [0.5, 1, 2, 4, 8, 40] } },
    },
    diffusion: {
      description: "diffusion time and self-loop weight (lazier walk)",
      params: { t: { choices: [1, 2, 3, 4, 6, 8] }, selfLoop: { choices: [0, 0.5, 1, 2] } },
    },
    mix: {
      description: "multi-scale: weight of the mean of P¹X..PᵗX against PᵗX",
      params: { weight: { choices: [0, 0.25, 0.5, 0.75, 1] } },
    },
    refine: {
      description: "project the diffused matrix on the data's top principal axes, with shrinkage",
      params: { rank: { choices: [0, 5, 10, 20, 30, 50, 100] }, shrink: { choices: [0, 0.25, 0.5, 1, 2] } },
    },
  },
});

export const grammar = MOVES.grammar;

export function applyMove(p: Pipeline, move: Program[number]): Pipeline {
  return MOVES.dispatch<Pipeline>(move, {
    transform: (v) => ({ ...p, transform: v.kind, order: v.order, scale: v.scale }),
    pca: (v) => ({ ...p, pca: v.size }),
    graph: (v) => ({ ...p, knn: v.knn, decay: v.decay }),
    diffusion: (v) => ({ ...p, t: v.t, selfLoop: v.selfLoop }),
    mix: (v) => ({ ...p, mix: v.weight }),
    refine: (v) => ({ ...p, rank: v.rank, shrink: v.shrink }),
  });
}

export function applyProgram(program: Program, state: DenoiseState): DenoiseState {
  let pipeline = state.pipeline;
  for (const move of program) pipeline = applyMove(pipeline, move);
  return { ...state, pipeline: PipelineSchema.parse(pipeline) };
}
