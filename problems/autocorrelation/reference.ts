/** Published autocorrelation constructions shipped in data/reference (warm starts and tests). */
import { z } from "zod";

const ReferenceSchema = z.record(
  z.string(),
  z.object({ pieces: z.number().int(), value: z.number(), sequence: z.array(z.number()) }),
);

export type AutocorrelationReference = z.infer<typeof ReferenceSchema>[string];
export type ReferenceFile = "first_autocorrelation" | "second_autocorrelation";

const cache = new Map<ReferenceFile, Record<string, AutocorrelationReference>>();

/** Every entry of one reference file, keyed as in the file (e.g. alphaevolve_v2, ttt_discover). */
export function autocorrelationReferences(file: ReferenceFile): Record<string, AutocorrelationReference> {
  let refs = cache.get(file);
  if (!refs) {
    const url = new URL(`../../data/reference/${file}.json`, import.meta.url);
    refs = ReferenceSchema.parse(JSON.parse(Deno.readTextFileSync(url)));
    cache.set(file, refs);
  }
  return refs;
}

/** Warm-start names are the file's keys. */
export function referenceNames(file: ReferenceFile): string[] {
  return Object.keys(autocorrelationReferences(file));
}

export function autocorrelationReference(file: ReferenceFile, name: string): AutocorrelationReference {
  const entry = autocorrelationReferences(file)[name];
  if (!entry) {
    throw new Error(`no reference "${name}" in ${file}.json; known: ${referenceNames(file).join(", ")}`);
  }
  return entry;
}
