/**
 * The move grammar over pipeline parameters: each operator sets one stage of the
 * pipeline to one of a few values. Moves are pure functions of the program (no
 * randomness needed), so they are trivially deterministic and bounded.
 */
import { type MoveGrammar, moveParam, type ParamValue, type Program } from "../../lib/grammar.ts";
import { LIBRARY_SCALES, NORM_ORDERS, TRANSFORMS } from "../../lib/scrna/transform.ts";
import { type Pipeline, PipelineSchema } from "./pipeline.ts";
import type { DenoiseState } from "./state.ts";

export const grammar: MoveGrammar = {
  maxMoves: 3,
  operators: [
    {
      name: "transform",
      description: "variance-stabilising transform and the order of library-size normalisation",
      params: [
        { name: "kind", choices: [...TRANSFORMS] },
        { name: "order", choices: [...NORM_ORDERS] },
        { name: "scale", choices: [...LIBRARY_SCALES], description: "cell totals to 1 or to the median" },
      ],
    },
    {
      name: "pca",
      description: "PCA components for the graph",
      params: [{ name: "size", choices: [10, 20, 30, 50, 75, 100] }],
    },
    {
      name: "graph",
      description: "alpha-decay kNN kernel: bandwidth neighbour and decay",
      params: [
        { name: "knn", choices: [3, 5, 7, 10, 15] },
        { name: "decay", choices: [0.5, 1, 2, 4, 8, 40] },
      ],
    },
    {
      name: "diffusion",
      description: "diffusion time and self-loop weight (lazier walk)",
      params: [
        { name: "t", choices: [1, 2, 3, 4, 6, 8] },
        { name: "selfLoop", choices: [0, 0.5, 1, 2] },
      ],
    },
    {
      name: "mix",
      description: "multi-scale: weight of the mean of P¹X..PᵗX against PᵗX",
      params: [{ name: "weight", choices: [0, 0.25, 0.5, 0.75, 1] }],
    },
    {
      name: "refine",
      description: "project the diffused matrix on the data's top principal axes, with shrinkage",
      params: [
        { name: "rank", choices: [0, 5, 10, 20, 30, 50, 100] },
        { name: "shrink", choices: [0, 0.25, 0.5, 1, 2] },
      ],
    },
  ],
};

const param = (move: Program[number], name: string): ParamValue => moveParam(grammar, move, name);

export function applyMove(p: Pipeline, move: Program[number]): Pipeline {
  switch (move.op) {
    case "transform":
      return {
        ...p,
        transform: param(move, "kind") as Pipeline["transform"],
        order: param(move, "order") as Pipeline["order"],
        scale: param(move, "scale") as Pipeline["scale"],
      };
    case "pca":
      return { ...p, pca: param(move, "size") as number };
    case "graph":
      return { ...p, knn: param(move, "knn") as number, decay: param(move, "decay") as number };
    case "diffusion":
      return { ...p, t: param(move, "t") as number, selfLoop: param(move, "selfLoop") as number };
    case "mix":
      return { ...p, mix: param(move, "weight") as number };
    case "refine":
      return { ...p, rank: param(move, "rank") as number, shrink: param(move, "shrink") as number };
    default:
      throw new Error(`unknown denoise operator "${move.op}"`);
  }
}

export function applyProgram(program: Program, state: DenoiseState): DenoiseState {
  let pipeline = state.pipeline;
  for (const move of program) pipeline = applyMove(pipeline, move);
  return { ...state, pipeline: PipelineSchema.parse(pipeline) };
}
