/** The circle-packing state: centres and radii as plain JSON. */
import { z } from "zod";
import { heightsKey } from "../erdos/state.ts";

export interface CirclesState {
  readonly centers: [number, number][];
  readonly radii: number[];
}

/** Shape only; the verifier judges the geometry (overlap, walls, count). */
const CirclesStateSchema = z.object({
  centers: z.array(z.tuple([z.number().finite(), z.number().finite()])).min(1),
  radii: z.array(z.number().finite()).min(1),
});

export function circlesFromJSON(json: unknown): CirclesState {
  const parsed = CirclesStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `not a circles state ({ centers: [x, y][], radii: number[] }): ${z.prettifyError(parsed.error)}`,
    );
  }
  return { centers: parsed.data.centers, radii: parsed.data.radii };
}

/** Equal keys mean equal bits of every coordinate and radius. */
export function circlesKey(state: CirclesState): string {
  return heightsKey([...state.centers.flat(), ...state.radii]);
}
