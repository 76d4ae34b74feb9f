import type { BuiltinPolicy } from "../lib/policy/builtin.ts";
import type { PolicyContext } from "../lib/policy/policy.ts";

/** Share of the most frequent program in n samples (temperature 1, a fixed seed): how peaked a policy is. */
export async function topProgramShare(
  policy: BuiltinPolicy,
  context: PolicyContext,
  n = 2000,
): Promise<number> {
  const counts = new Map<string, number>();
  for (const s of await policy.sample(context, n, { temperature: 1, seed: 5, maxTokens: 64 })) {
    const key = s.tokens.join(",");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / n;
}
