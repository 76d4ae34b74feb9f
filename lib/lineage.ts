/**
 * Lineage credit (`--credit-horizon K`): a rollout is credited with the best reward its lineage
 * reached within K steps (its own, or that of any state descended from the child it added to the
 * archive), and its group is trained K steps late, when that is known.
 *
 * Why: one-step credit values a move by what it beats in its group. A move that only opens a door
 * (C1 from Matolcsi-Vinuesa: `resample(to=x2, interp=constant)` leaves the value unchanged, and the
 * next polish of the finer state is what leaves the 1.50930 trap) ties with its siblings, so it
 * earns nothing, and a policy trained on one-step credit learns to polish and loses the door. The
 * update is off-policy by K steps; the importance-sampling loss takes the sampler's log-probabilities,
 * which the ledger keeps. A run's attempts.parquet still records each rollout's one-step advantage;
 * steps.parquet's beta, kl and loss are those of the update on the matured groups.
 * Measured on C1 (README, Benchmarks): alone it did not pay, because training stops sampling the
 * door before a run reaches its trap; with `--uniform-mix 0.5`, which keeps a floor under every
 * choice, it led search in 15 of 16 seeds, but in 17 of 24 (p = 0.18) once 8 more were run.
 */
import { z } from "zod";
import type { PolicyContext, SampledSequence } from "./policy/policy.ts";

/** One group of rollouts waiting for its lineage to grow. */
export interface PendingGroup {
  /** The step that sampled it. */
  readonly step: number;
  readonly context: PolicyContext;
  readonly sequences: readonly SampledSequence[];
  /** Each rollout's own reward (invalid rollouts as the verifier scored them). */
  readonly rewards: readonly number[];
  /** The archive id each rollout's child got, or -1 when it was not kept (then its lineage ends). */
  readonly childIds: readonly number[];
  /** What `--credit improvement` / `record` measure gains from, as when the group was sampled. */
  readonly baseline: number;
}

const PendingSchema = z.object({
  step: z.number().int().nonnegative(),
  context: z.unknown(),
  sequences: z.array(z.unknown()),
  rewards: z.array(z.number()),
  childIds: z.array(z.number().int()),
  baseline: z.number(),
});

const LedgerSchema = z.object({
  subtreeBest: z.array(z.tuple([z.number().int(), z.number()])),
  pending: z.array(PendingSchema),
});
export type LedgerSnapshot = z.infer<typeof LedgerSchema>;

export class LineageLedger {
  /** Best reward of each state or any state descended from it (ids of states the run created). */
  private readonly subtreeBest = new Map<number, number>();
  private pending: PendingGroup[] = [];

  constructor(readonly horizon: number) {
    if (!(Number.isInteger(horizon) && horizon >= 1)) {
      throw new Error(`credit horizon ${horizon} is not a positive integer`);
    }
  }

  /** Groups sampled but not yet credited. */
  get waiting(): number {
    return this.pending.length;
  }

  /**
   * A step's groups join the ledger; the children they added raise the subtree best of themselves
   * and of every ancestor (`ancestors(id)`: nearest first, through evicted states too).
   */
  record(groups: readonly PendingGroup[], ancestors: (id: number) => readonly number[]): void {
    for (const group of groups) {
      group.childIds.forEach((id, i) => {
        if (id < 0) return;
        for (const a of [id, ...ancestors(id)]) {
          const best = this.subtreeBest.get(a);
          if (best === undefined || group.rewards[i] > best) this.subtreeBest.set(a, group.rewards[i]);
        }
      });
      this.pending.push(group);
    }
  }

  /** The groups sampled `horizon` or more steps before `step`, removed from the ledger, oldest first. */
  mature(step: number): PendingGroup[] {
    const ready = this.pending.filter((g) => g.step <= step - this.horizon);
    this.pending = this.pending.filter((g) => g.step > step - this.horizon);
    return ready;
  }

  /** Each rollout's lineage reward: the best of its own and its child's subtree so far. */
  lineageRewards(group: PendingGroup): number[] {
    return group.rewards.map((r, i) => {
      const id = group.childIds[i];
      const below = id >= 0 ? this.subtreeBest.get(id) : undefined;
      return below === undefined ? r : Math.max(r, below);
    });
  }

  snapshot(): LedgerSnapshot {
    return {
      subtreeBest: [...this.subtreeBest.entries()],
      pending: this.pending.map((g) => ({
        ...g,
        sequences: [...g.sequences],
        rewards: [...g.rewards],
        childIds: [...g.childIds],
      })),
    };
  }

  static restore(horizon: number, json: unknown): LineageLedger {
    const snap = LedgerSchema.parse(json);
    const ledger = new LineageLedger(horizon);
    for (const [id, best] of snap.subtreeBest) ledger.subtreeBest.set(id, best);
    ledger.pending = snap.pending as PendingGroup[];
    return ledger;
  }
}
