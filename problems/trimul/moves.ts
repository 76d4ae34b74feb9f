/**
 * The built-in route's move grammar: each operator sets a few template parameters.
 * The first parameter move on the baseline switches it to the tiled template (from
 * DEFAULT_TILED). Applying a program measures the new kernel (compile + harness).
 */
import { defineMoves, type Program } from "../../lib/grammar.ts";
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

export const MOVES = defineMoves({
  name: "trimul",
  maxMoves: 2,
  operators: {
    tile: {
      description: "register tile of the projection and to_out GEMMs: positions x output columns",
      params: { positions: { choices: [1, 2, 4, 8] }, columns: { choices: [16, 32, 64] } },
    },
    einsum: {
      description: "einsum loop order (ijkd: blocks of j; ikjd: whole output row) and j-block",
      params: { order: { choices: ["ijkd", "ikjd"] }, block: { choices: [1, 2, 4] } },
    },
    fuse: {
      description: "fuse mask and gates into the projection; fuse LayerNorm, gate and to_out into the einsum",
      params: { gates: { choices: [false, true] }, out: { choices: [false, true] } },
    },
    numerics: {
      description: "accumulator precision and sigmoid implementation",
      params: { accumulate: { choices: ["float", "double"] }, sigmoid: { choices: ["libm", "fast"] } },
    },
    threads: { description: "OpenMP threads", params: { count: { choices: [1, 2] } } },
  },
});

export const grammar = MOVES.grammar;

/** The parameters after a program, starting from a state's kernel. */
export function applyParams(program: Program, kernel: KernelSpec): KernelSpec {
  if (kernel.template === "source") {
    throw new Error("a whole-source kernel has no template parameters to move");
  }
  let p: TiledParams = kernel.template === "tiled" ? { ...kernel.params } : { ...DEFAULT_TILED };
  for (const move of program) {
    p = MOVES.dispatch<TiledParams>(move, {
      tile: (v) => ({ ...p, tilePositions: v.positions, tileColumns: v.columns }),
      einsum: (v) => ({ ...p, einsumOrder: v.order, einsumBlock: v.block }),
      fuse: (v) => ({ ...p, fuseGates: v.gates, fuseOut: v.out }),
      numerics: (v) => ({ ...p, accumulate: v.accumulate, sigmoid: v.sigmoid }),
      threads: (v) => ({ ...p, threads: v.count }),
    });
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
