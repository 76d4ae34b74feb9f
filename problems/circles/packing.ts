/** The working form of a packing inside moves: centres and radii as typed arrays. */
import type { CirclesState } from "./state.ts";

export interface Packing {
  xs: Float64Array;
  ys: Float64Array;
  rs: Float64Array;
}

export function packingOf(state: CirclesState): Packing {
  return {
    xs: Float64Array.from(state.centers, (c) => c[0]),
    ys: Float64Array.from(state.centers, (c) => c[1]),
    rs: Float64Array.from(state.radii),
  };
}

export function clonePacking(p: Packing): Packing {
  return { xs: p.xs.slice(), ys: p.ys.slice(), rs: p.rs.slice() };
}

export function stateOf(xs: Float64Array, ys: Float64Array, rs: Float64Array): CirclesState {
  return { centers: Array.from(xs, (x, i) => [x, ys[i]] as [number, number]), radii: Array.from(rs) };
}

/** Sum of radii in float64 (the verifier's compensated sum decides the reported value). */
export function radiusSum(p: Packing): number {
  let s = 0;
  for (const r of p.rs) s += r;
  return s;
}
