/** The Erdős state: plain JSON heights, its schema, and a key over the exact float bits. */
import { z } from "zod";

export interface ErdosState {
  readonly heights: number[];
}

/** Shape only; the verifier judges the values (range, rescaling, size). */
export const ErdosStateSchema = z.object({
  heights: z.array(z.number().finite()).min(2),
});

export function stateFromJSON(json: unknown): ErdosState {
  const parsed = ErdosStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`not an Erdős state ({ heights: number[] }): ${z.prettifyError(parsed.error)}`);
  }
  return { heights: parsed.data.heights };
}

/** 64-bit FNV-1a over the Float64 bytes (two 32-bit lanes), so equal keys mean equal bits. */
export function heightsKey(heights: readonly number[]): string {
  const bytes = new Uint8Array(Float64Array.from(heights).buffer);
  let a = 0x811c9dc5, b = 0xcbf29ce4;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i] ^ (i & 0xff), 0x01000193);
  }
  return `${heights.length}:${(a >>> 0).toString(16).padStart(8, "0")}${
    (b >>> 0).toString(16).padStart(8, "0")
  }`;
}
