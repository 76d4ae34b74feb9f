/**
 * Case sets shared by the AtCoder problems: which inputs a state is judged on, a per-process
 * cache of parsed cases (workers import problems by name and judge many states on the same
 * cases), and the contest reward: the mean score, 0 as soon as any case fails.
 */
import { z } from "zod";
import type { Evaluation } from "../../lib/problem.ts";

/** Generated cases (our own generator, seeds seed..seed+count-1) or the official seeds first..first+count-1. */
export const CaseSpecSchema = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("generated"),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    count: z.number().int().min(1).max(200),
  }).strict(),
  z.object({
    source: z.literal("official"),
    first: z.number().int().min(0).max(99),
    count: z.number().int().min(1).max(100),
  }).strict().refine((c) => c.first + c.count <= 100, { message: "official seeds are 0..99" }),
]);
export type CaseSpec = z.infer<typeof CaseSpecSchema>;

export function caseSpecKey(spec: CaseSpec): string {
  return spec.source === "generated" ? `g${spec.seed}x${spec.count}` : `o${spec.first}x${spec.count}`;
}

/** The seeds a spec names, in order. */
export function caseSeeds(spec: CaseSpec): number[] {
  const first = spec.source === "generated" ? spec.seed : spec.first;
  return Array.from({ length: spec.count }, (_, i) => first + i);
}

/** A small insertion-ordered cache that forgets its oldest entry past `limit`. */
export class Memo<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string, build: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = build();
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** One case's outcome. */
export interface CaseOutcome {
  readonly name: string;
  readonly score: number;
  readonly error?: string;
  readonly ms?: number;
}

/**
 * The contest rule: the mean score over the cases, and 0 (invalid, with the first failure's
 * reason) if any case fails, as a WA or TLE voids a whole submission.
 */
export function meanScoreEvaluation(
  outcomes: readonly CaseOutcome[],
  extra: Record<string, unknown> = {},
): Evaluation {
  if (outcomes.length === 0) return { valid: false, value: null, reward: 0, error: "no cases" };
  const failed = outcomes.find((o) => o.error !== undefined);
  const scores = outcomes.map((o) => o.score);
  if (failed) {
    return {
      valid: false,
      value: null,
      reward: 0,
      error: `case ${failed.name}: ${failed.error}`,
      details: { ...extra, failures: outcomes.filter((o) => o.error !== undefined).length, scores },
    };
  }
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  return {
    valid: true,
    value: mean,
    reward: mean,
    details: { ...extra, cases: outcomes.length, min: Math.min(...scores), max: Math.max(...scores), scores },
  };
}
