/**
 * The built-in route's move grammar: each operator sets a few template parameters.
 * The first parameter move on the baseline switches it to the tiled template (from
 * DEFAULT_TILED). Applying a program measures the new kernel (compile + harness).
 */
import type { MoveGrammar, Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import { measureKernel } from "./harness.ts";
import type { Measurement } from "./harness.ts";
import {
  DEFAULT_TILED,
  kernelSource,
  type KernelSpec,
  sourceHash,
  type TiledParams,
  TiledParamsSchema,
} from "./kernels.ts";
import type { Suite } from "./shapes.ts";
import type { TriMulState } from "./state.ts";

export const grammar: MoveGrammar = {
  maxMoves: 2,
  operators: [
    {
      name: "tile",
      description: "register tile of the projection and to_out GEMMs: positions x output columns",
      params: [
        { name: "positions", choices: [1, 2, 4, 8] },
        { name: "columns", choices: [16, 32, 64] },
      ],
    },
    {
      name: "einsum",
      description: "einsum loop order (ijkd: blocks of j; ikjd: whole output row) and j-block",
      params: [
        { name: "order", choices: ["ijkd", "ikjd"] },
        { name: "block", choices: [1, 2, 4] },
      ],
    },
    {
      name: "fuse",
      description: "fuse mask and gates into the projection; fuse LayerNorm, gate and to_out into the einsum",
      params: [
        { name: "gates", choices: [false, true] },
        { name: "out", choices: [false, true] },
      ],
    },
    {
      name: "numerics",
      description: "accumulator precision and sigmoid implementation",
      params: [
        { name: "accumulate", choices: ["float", "double"] },
        { name: "sigmoid", choices: ["libm", "fast"] },
      ],
    },
    {
      name: "threads",
      description: "OpenMP threads",
      params: [{ name: "count", choices: [1, 2] }],
    },
  ],
};

/** The parameters after a program, starting from a state's kernel. */
export function applyParams(program: Program, kernel: KernelSpec): KernelSpec {
  if (kernel.template === "source") {
    throw new Error("a whole-source kernel has no template parameters to move");
  }
  let p: TiledParams = kernel.template === "tiled" ? { ...kernel.params } : { ...DEFAULT_TILED };
  for (const move of program) {
    const v = move.params;
    switch (move.op) {
      case "tile":
        p = { ...p, tilePositions: v.positions, tileColumns: v.columns } as TiledParams;
        break;
      case "einsum":
        p = { ...p, einsumOrder: v.order, einsumBlock: v.block } as TiledParams;
        break;
      case "fuse":
        p = { ...p, fuseGates: v.gates, fuseOut: v.out } as TiledParams;
        break;
      case "numerics":
        p = { ...p, accumulate: v.accumulate, sigmoid: v.sigmoid } as TiledParams;
        break;
      case "threads":
        p = { ...p, threads: v.count } as TiledParams;
        break;
      default:
        throw new Error(`unknown trimul move ${move.op}`);
    }
  }
  return { template: "tiled", params: TiledParamsSchema.parse(p) };
}

/**
 * Measurements of this process, by source hash and suite: a kernel the policy proposes
 * again is not re-timed (its first measurement stands), which keeps a step's cost down.
 */
const measured = new Map<string, Promise<Measurement>>();

export function measureCached(kernel: KernelSpec, suite: Suite, seed: number): Promise<Measurement> {
  const key = `${sourceHash(kernelSource(kernel))}:${JSON.stringify(suite)}`;
  let m = measured.get(key);
  if (!m) {
    m = measureKernel(kernel, suite, seed);
    measured.set(key, m);
    // A harness failure of our own (not the kernel's) must not stick.
    m.catch(() => measured.delete(key));
  }
  return m;
}

export async function applyProgram(
  program: Program,
  state: TriMulState,
  ctx: MoveContext,
): Promise<TriMulState> {
  const kernel = applyParams(program, state.kernel);
  const measurement = await measureCached(kernel, state.suite, ctx.rng.nextUint32());
  return { kernel, suite: state.suite, measurement };
}
