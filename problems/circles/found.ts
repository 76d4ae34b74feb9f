/**
 * Packings this toolkit found (found.json: the best state of a named run, with the command),
 * offered as `--init toolkit` warm starts. No published centres ship in data/reference, so these
 * are the only warm starts; they match the best known values (2.635983, 2.939572) to ~1e-8.
 */
import { z } from "zod";
import found from "./found.json" with { type: "json" };
import type { CirclesState } from "./state.ts";

const FoundSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      source: z.string(),
      value: z.number(),
      centers: z.array(z.tuple([z.number(), z.number()])),
      radii: z.array(z.number()),
    }),
  ),
);

const FOUND = FoundSchema.parse(found);

/** Warm-start names for the problem of `count` circles. */
export function foundNames(count: number): string[] {
  return Object.keys(FOUND[`circles${count}`] ?? {});
}

export function foundPacking(count: number, name: string): CirclesState & { value: number } {
  const entry = FOUND[`circles${count}`]?.[name];
  if (!entry) throw new Error(`no found packing "${name}" for circles${count}`);
  return { centers: entry.centers, radii: entry.radii, value: entry.value };
}
