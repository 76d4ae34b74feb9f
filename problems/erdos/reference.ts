/** Published constructions shipped in data/reference (warm starts and verifier tests). */
import { z } from "zod";

const ReferenceSchema = z.record(
  z.string(),
  z.object({
    pieces: z.number().int(),
    value: z.number(),
    sequence: z.array(z.number()),
    source: z.string().optional(),
  }),
);

export type ErdosReference = z.infer<typeof ReferenceSchema>[string];

/** Warm-start names and the keys they have in erdos_min_overlap.json. */
export const REFERENCE_KEYS = {
  haugland: "haugland_2016",
  alphaevolve: "alphaevolve",
  ttt_discover: "ttt_discover",
  einsteinarena_2026: "einsteinarena_2026",
} as const;

export type ReferenceName = keyof typeof REFERENCE_KEYS;

let cache: Record<string, ErdosReference> | null = null;

/** All Erdős references, keyed as in the file (haugland_2016, alphaevolve, ttt_discover, einsteinarena_2026). */
export function erdosReferences(): Record<string, ErdosReference> {
  if (!cache) {
    const url = new URL("../../data/reference/erdos_min_overlap.json", import.meta.url);
    cache = ReferenceSchema.parse(JSON.parse(Deno.readTextFileSync(url)));
  }
  return cache;
}

export function erdosReference(name: ReferenceName): ErdosReference {
  const entry = erdosReferences()[REFERENCE_KEYS[name]];
  if (!entry) throw new Error(`reference ${REFERENCE_KEYS[name]} missing from erdos_min_overlap.json`);
  return entry;
}
