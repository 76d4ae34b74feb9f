/** The autocorrelation state: heights of n equal pieces, as plain JSON. */
import { z } from "zod";
import { heightsKey } from "../erdos/state.ts";

export interface HeightsState {
  readonly heights: number[];
}

/** Shape only; the verifier judges the values (range, sum, size). */
const HeightsStateSchema = z.object({ heights: z.array(z.number().finite()).min(1) });

export function heightsFromJSON(json: unknown): HeightsState {
  const parsed = HeightsStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`not an autocorrelation state ({ heights: number[] }): ${z.prettifyError(parsed.error)}`);
  }
  return { heights: parsed.data.heights };
}

export { heightsKey };
