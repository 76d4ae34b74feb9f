/**
 * The archive of attempted states and the rules that pick which ones to build on.
 *
 * PUCT (paper Sec. 3.2, App. A.2):
 *   score(s) = Q(s) + c * scale * P(s) * sqrt(1 + T) / (1 + n(s))
 *   Q(s) = m(s) (best one-step child reward) once expanded, else R(s)
 *   P(s) = (|H| - rank(s)) / sum_s' (|H| - rank(s'))   (rank 0 = best reward)
 *   scale = R_max - R_min over the archive (floor 1e-6), T = expansions so far.
 * Visits are counted per expansion (one group of rollouts from one start state), so
 * T and n(s) are the paper's rollout counts divided by the group size.
 */
import { z } from "zod";
import type { Rng } from "./rng.ts";

export type ReuseRule = "puct" | "greedy" | "epsilon" | "none";
export const REUSE_RULES = ["puct", "greedy", "epsilon", "none"] as const;
export const TIE_VISITS = ["fresh", "one", "parent"] as const;
export type TieVisits = (typeof TIE_VISITS)[number];

export interface ArchiveOptions {
  readonly rule: ReuseRule;
  /** Exploration coefficient c. */
  readonly exploration: number;
  /** Cap on the number of states; initial states are always kept. */
  readonly maxSize: number;
  /** Valid children kept per expanded parent, best first. */
  readonly childrenPerParent: number;
  /** Probability of a uniformly random start state under the epsilon-greedy rule. */
  readonly epsilon: number;
  /**
   * Visits a child starts with when its reward ties its parent's: none ("fresh", the paper's rule),
   * one ("one"), or its parent's count ("parent"). Such a child is the same construction
   * re-represented (a finer resampling ties exactly) or one a polish barely moved (on C1 from
   * Matolcsi-Vinuesa, most ties: 46-97 a run against 0-6 re-representations): fresh, PUCT expands
   * each before anything else and an archive can fill with them; but on a resolution ladder a
   * re-representation is also the door.
   */
  readonly tieVisits: TieVisits;
}

export const DEFAULT_ARCHIVE_OPTIONS: ArchiveOptions = {
  rule: "puct",
  exploration: 1.0,
  maxSize: 1000,
  childrenPerParent: 2,
  epsilon: 0.1,
  tieVisits: "fresh",
};

/** One state of a run's archive, as discover() reports it (archiveRows gives it as a states.parquet row). */
export interface ArchivedState {
  /** Its id in the archive (ids are never reused). */
  readonly id: number;
  /** The state it was built from; -1 for an initial state. */
  readonly parentId: number;
  /** Moves from an initial state (0 for one). */
  readonly depth: number;
  /** Its key (the problem's stateKey): identical states share one. */
  readonly key: string;
  /** The state as JSON (what the problem's toJSON returned). */
  readonly state: unknown;
  /** Its verified value (the published quantity). */
  readonly value: number;
  /** Its reward. */
  readonly reward: number;
  /** The step that added it (0 for an initial state). */
  readonly step: number;
  /** Whether it is an initial state (always kept). */
  readonly initial: boolean;
  /** n(s): groups of rollouts started from it or from a state descended from it. */
  readonly visits: number;
  /** m(s): best one-step child reward; -Infinity until the state is expanded. */
  readonly bestChildReward: number;
}

/** A state as the archive holds it: its visits and best child reward change as it is expanded. */
export interface ArchiveEntry extends ArchivedState {
  visits: number;
  bestChildReward: number;
}

/**
 * A run's archive as discover() reports it after each step (StepReport.archive), to read: the live
 * archive, so it changes as the run goes on. archiveRows gives its rows, archiveTreePlot draws them.
 */
export interface ArchiveView {
  /** How many states it holds. */
  readonly size: number;
  /** Every state it holds, oldest first. */
  all(): readonly ArchivedState[];
  /** The state with this id, if the archive still holds it. */
  get(id: number): ArchivedState | undefined;
  /** The state of highest reward (throws on an empty archive). */
  best(): ArchivedState;
}

export interface Candidate {
  readonly key: string;
  readonly state: unknown;
  readonly value: number;
  readonly reward: number;
  readonly valid: boolean;
}

const SnapshotSchema = z.object({
  options: z.object({
    rule: z.enum(REUSE_RULES),
    exploration: z.number(),
    maxSize: z.number().int(),
    childrenPerParent: z.number().int(),
    epsilon: z.number(),
    // Absent in checkpoints written before the option existed.
    tieVisits: z.enum(TIE_VISITS).default("fresh"),
  }),
  expansions: z.number().int(),
  nextId: z.number().int(),
  parents: z.array(z.tuple([z.number().int(), z.number().int()])),
  entries: z.array(z.object({
    id: z.number().int(),
    parentId: z.number().int(),
    depth: z.number().int(),
    key: z.string(),
    state: z.unknown(),
    value: z.number().nullable(),
    reward: z.number(),
    step: z.number().int(),
    initial: z.boolean(),
    visits: z.number().int(),
    bestChildReward: z.number().nullable(),
  })),
});
export type ArchiveSnapshot = z.infer<typeof SnapshotSchema>;

/**
 * Rewards equal up to evaluation rounding: the same function evaluated at another resolution differs
 * in the last bits (Haugland's Erdős construction: 0.38092685343308597 and ...0858).
 */
export function ties(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}
const TIE_TOLERANCE = 1e-12;

export class Archive implements ArchiveView {
  readonly options: ArchiveOptions;
  private readonly entries = new Map<number, ArchiveEntry>();
  private readonly keys = new Set<string>();
  /** Parent of every state ever created, so lineage survives eviction. */
  private readonly parentOf = new Map<number, number>();
  private nextId = 0;
  /** T: expansions so far. */
  expansions = 0;

  constructor(options: Partial<ArchiveOptions> = {}) {
    this.options = { ...DEFAULT_ARCHIVE_OPTIONS, ...options };
  }

  get size(): number {
    return this.entries.size;
  }

  all(): ArchiveEntry[] {
    return [...this.entries.values()];
  }

  get(id: number): ArchiveEntry | undefined {
    return this.entries.get(id);
  }

  best(): ArchiveEntry {
    let best: ArchiveEntry | undefined;
    for (const e of this.entries.values()) if (!best || e.reward > best.reward) best = e;
    if (!best) throw new Error("the archive is empty");
    return best;
  }

  /** Adds a seed state. Returns its id, or -1 if an identical state is already there. */
  addInitial(candidate: Candidate, step = 0): number {
    if (!candidate.valid) throw new Error("initial states must be valid");
    return this.insert(candidate, -1, 0, step, true);
  }

  private insert(
    c: Candidate,
    parentId: number,
    depth: number,
    step: number,
    initial: boolean,
    visits = 0,
  ): number {
    if (this.keys.has(c.key)) return -1;
    const id = this.nextId++;
    this.entries.set(id, {
      id,
      parentId,
      depth,
      key: c.key,
      state: c.state,
      value: c.value,
      reward: c.reward,
      step,
      initial,
      visits,
      bestChildReward: -Infinity,
    });
    this.keys.add(c.key);
    this.parentOf.set(id, parentId);
    return id;
  }

  /** Ids of a state's ancestors, nearest first (through evicted states too). */
  ancestors(id: number): number[] {
    const out: number[] = [];
    for (let p = this.parentOf.get(id) ?? -1; p >= 0; p = this.parentOf.get(p) ?? -1) out.push(p);
    return out;
  }

  /** PUCT score of every state, for inspection and plots. */
  scores(): Map<number, number> {
    const list = this.all();
    const ranked = [...list].sort((a, b) => b.reward - a.reward);
    const size = list.length;
    const priorTotal = (size * (size + 1)) / 2; // sum over ranks r of (size - r)
    let rMax = -Infinity, rMin = Infinity;
    for (const e of list) {
      rMax = Math.max(rMax, e.reward);
      rMin = Math.min(rMin, e.reward);
    }
    const scale = Math.max(rMax - rMin, 1e-6);
    const explore = this.options.exploration * scale * Math.sqrt(1 + this.expansions);
    const out = new Map<number, number>();
    ranked.forEach((e, rank) => {
      const q = e.visits > 0 ? e.bestChildReward : e.reward;
      const prior = (size - rank) / priorTotal;
      out.set(e.id, q + explore * prior / (1 + e.visits));
    });
    return out;
  }

  /**
   * Picks `count` start states. Under PUCT, each pick blocks its whole lineage
   * (ancestors and descendants) for the rest of the batch so the groups start from
   * different branches; once everything is blocked, blocking starts over.
   */
  select(count: number, rng: Rng): ArchiveEntry[] {
    if (this.entries.size === 0) throw new Error("cannot select from an empty archive");
    const list = this.all();
    switch (this.options.rule) {
      case "greedy":
        return Array.from({ length: count }, () => this.best());
      case "epsilon":
        return Array.from(
          { length: count },
          () => rng.next() < this.options.epsilon ? list[rng.int(list.length)] : this.best(),
        );
      case "none": {
        const initial = list.filter((e) => e.initial);
        return Array.from({ length: count }, () => initial[rng.int(initial.length)]);
      }
      case "puct":
        return this.selectPuct(count, list);
    }
  }

  private selectPuct(count: number, list: ArchiveEntry[]): ArchiveEntry[] {
    const scores = this.scores();
    // Highest score first; ties go to the older state so the order is deterministic.
    const order = [...list].sort((a, b) => (scores.get(b.id)! - scores.get(a.id)!) || a.id - b.id);
    const lineage = new Map(list.map((e) => [e.id, new Set([e.id, ...this.ancestors(e.id)])]));
    const chosen: ArchiveEntry[] = [];
    let picked = new Set<number>();
    let ancestorsOfPicked = new Set<number>();
    const blocked = (e: ArchiveEntry) =>
      ancestorsOfPicked.has(e.id) || [...lineage.get(e.id)!].some((a) => picked.has(a));
    while (chosen.length < count) {
      const pick = order.find((e) => !blocked(e));
      if (!pick) {
        picked = new Set();
        ancestorsOfPicked = new Set();
        continue;
      }
      chosen.push(pick);
      picked.add(pick.id);
      for (const a of this.ancestors(pick.id)) ancestorsOfPicked.add(a);
    }
    return chosen;
  }

  /**
   * Records one expansion of `parentId` with the rollouts it produced: m(p) and the
   * visit counts of p and all its ancestors are updated (failed rollouts count, with
   * reward 0), T grows by one, and the best valid, new children join the archive.
   * Returns the archive id of each candidate, or -1 for those not kept.
   */
  expand(parentId: number, candidates: readonly Candidate[], step: number): number[] {
    const parent = this.entries.get(parentId);
    if (!parent) throw new Error(`state ${parentId} is not in the archive`);
    const bestChild = candidates.reduce((m, c) => Math.max(m, c.valid ? c.reward : 0), -Infinity);
    if (candidates.length > 0) parent.bestChildReward = Math.max(parent.bestChildReward, bestChild);
    parent.visits += 1;
    for (const a of this.ancestors(parentId)) {
      const e = this.entries.get(a);
      if (e) e.visits += 1;
    }
    this.expansions += 1;

    const ids = candidates.map(() => -1);
    const order = candidates.map((_, i) => i)
      .filter((i) => candidates[i].valid)
      .sort((a, b) => candidates[b].reward - candidates[a].reward || a - b);
    let kept = 0;
    for (const i of order) {
      if (kept >= this.options.childrenPerParent) break;
      const id = this.insert(
        candidates[i],
        parentId,
        parent.depth + 1,
        step,
        false,
        this.startVisits(candidates[i], parent),
      );
      if (id >= 0) {
        ids[i] = id;
        kept++;
      }
    }
    this.evict();
    return ids.map((id) => (id >= 0 && this.entries.has(id) ? id : -1));
  }

  private startVisits(child: Candidate, parent: ArchiveEntry): number {
    const rule = this.options.tieVisits;
    if (rule === "fresh" || !ties(child.reward, parent.reward)) return 0;
    return rule === "one" ? 1 : parent.visits;
  }

  /** Drops the lowest-reward non-initial states beyond the cap (newest go first on ties). */
  private evict(): void {
    const excess = this.entries.size - this.options.maxSize;
    if (excess <= 0) return;
    const removable = this.all().filter((e) => !e.initial)
      .sort((a, b) => a.reward - b.reward || b.id - a.id)
      .slice(0, excess);
    for (const e of removable) {
      this.entries.delete(e.id);
      this.keys.delete(e.key);
    }
  }

  snapshot(): ArchiveSnapshot {
    return {
      options: { ...this.options },
      expansions: this.expansions,
      nextId: this.nextId,
      parents: [...this.parentOf.entries()],
      entries: this.all().map((e) => ({
        ...e,
        // JSON has no -Infinity: null stands for "not expanded yet".
        bestChildReward: Number.isFinite(e.bestChildReward) ? e.bestChildReward : null,
        value: Number.isFinite(e.value) ? e.value : null,
      })),
    };
  }

  static restore(json: unknown): Archive {
    const snap = SnapshotSchema.parse(json);
    const archive = new Archive(snap.options);
    archive.expansions = snap.expansions;
    archive.nextId = snap.nextId;
    for (const [id, parent] of snap.parents) archive.parentOf.set(id, parent);
    for (const e of snap.entries) {
      archive.entries.set(e.id, {
        ...e,
        value: e.value ?? NaN,
        bestChildReward: e.bestChildReward ?? -Infinity,
      });
      archive.keys.add(e.key);
    }
    return archive;
  }
}
