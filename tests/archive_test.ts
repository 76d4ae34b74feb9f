import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { Archive, type Candidate } from "../lib/archive.ts";
import { Rng } from "../lib/rng.ts";

const cand = (key: string, reward: number, valid = true): Candidate => ({
  key,
  state: { key },
  value: 1 / reward,
  reward,
  valid,
});

Deno.test("PUCT score matches the formula on a hand-computed archive", () => {
  const a = new Archive();
  const s0 = a.addInitial(cand("a", 1.0));
  const s1 = a.addInitial(cand("b", 3.0));
  // Before any expansion: T = 0, n = 0, Q = R, scale = 2, ranks b=0, a=1, prior total = 2 + 1.
  let scores = a.scores();
  assertAlmostEquals(scores.get(s1)!, 3 + 1 * 2 * (2 / 3) * 1 / 1, 1e-12);
  assertAlmostEquals(scores.get(s0)!, 1 + 1 * 2 * (1 / 3) * 1 / 1, 1e-12);
  // Expand a with children 2.0 and 0.5: Q(a) = m(a) = 2, n(a) = 1, T = 1.
  a.expand(s0, [cand("c", 2.0), cand("d", 0.5)], 1);
  scores = a.scores();
  // Archive now {a:1, b:3, c:2, d:0.5}: ranks b0 c1 a2 d3, prior total 10, scale 2.5.
  assertAlmostEquals(scores.get(s0)!, 2 + 2.5 * (2 / 10) * Math.sqrt(2) / 2, 1e-12);
  assertAlmostEquals(scores.get(s1)!, 3 + 2.5 * (4 / 10) * Math.sqrt(2) / 1, 1e-12);
});

Deno.test("Q is the best child reward, not the mean, and only grows", () => {
  const a = new Archive();
  const root = a.addInitial(cand("r", 1));
  a.expand(root, [cand("x", 5), cand("y", 0.1), cand("z", 0.1)], 1);
  assertEquals(a.get(root)!.bestChildReward, 5);
  a.expand(root, [cand("w", 2)], 2);
  assertEquals(a.get(root)!.bestChildReward, 5);
});

Deno.test("visits are backed up to every ancestor and T counts expansions", () => {
  const a = new Archive();
  const r = a.addInitial(cand("r", 1));
  const [c] = a.expand(r, [cand("c", 2)], 1);
  const [g] = a.expand(c, [cand("g", 3)], 2);
  a.expand(g, [cand("gg", 4)], 3);
  assertEquals(a.get(r)!.visits, 3);
  assertEquals(a.get(c)!.visits, 2);
  assertEquals(a.get(g)!.visits, 1);
  assertEquals(a.expansions, 3);
  assertEquals(a.ancestors(g), [c, r]);
});

Deno.test("a failed expansion still counts as a visit, with child reward 0", () => {
  const a = new Archive();
  const r = a.addInitial(cand("r", 1));
  const ids = a.expand(r, [cand("bad1", 0, false), cand("bad2", 0, false)], 1);
  assertEquals(ids, [-1, -1]);
  assertEquals(a.get(r)!.visits, 1);
  assertEquals(a.get(r)!.bestChildReward, 0);
  assertEquals(a.size, 1);
  assertEquals(a.expansions, 1);
});

Deno.test("only the top-2 valid children of an expansion are kept", () => {
  const a = new Archive();
  const r = a.addInitial(cand("r", 1));
  const ids = a.expand(r, [cand("a", 1.5), cand("b", 9, false), cand("c", 3), cand("d", 2)], 1);
  assertEquals(ids.map((id) => id >= 0), [false, false, true, true]);
  assertEquals(a.size, 3);
  assertEquals(a.get(ids[2])!.depth, 1);
  assertEquals(a.get(ids[2])!.parentId, r);
});

Deno.test("identical states are deduplicated, and the next best child takes the slot", () => {
  const a = new Archive();
  const r = a.addInitial(cand("r", 1));
  assertEquals(a.addInitial(cand("r", 1)), -1);
  const ids = a.expand(r, [cand("r", 7), cand("x", 3), cand("x", 3), cand("y", 2)], 1);
  assertEquals(ids.map((id) => id >= 0), [false, true, false, true]);
  assertEquals(a.size, 3);
});

Deno.test("the cap evicts the worst non-initial states and always keeps the initial ones", () => {
  const a = new Archive({ maxSize: 4 });
  const r1 = a.addInitial(cand("r1", 0.1));
  const r2 = a.addInitial(cand("r2", 0.2));
  a.expand(r1, [cand("a", 1), cand("b", 2)], 1);
  a.expand(r2, [cand("c", 3), cand("d", 0.5)], 1);
  assertEquals(a.size, 4);
  const keys = a.all().map((e) => e.key).sort();
  assertEquals(keys, ["b", "c", "r1", "r2"]);
  // Lineage survives eviction: a child of an evicted state still knows its ancestors.
  const c = a.all().find((e) => e.key === "c")!;
  const [cc] = a.expand(c.id, [cand("cc", 4)], 2);
  assertEquals(a.ancestors(cc), [c.id, r2]);
});

Deno.test("PUCT blocks the whole lineage of each pick within a batch", () => {
  const a = new Archive();
  const r1 = a.addInitial(cand("r1", 1));
  const r2 = a.addInitial(cand("r2", 1.1));
  const [c1, c2] = a.expand(r1, [cand("c1", 5), cand("c2", 4)], 1);
  const [g1] = a.expand(c1, [cand("g1", 6)], 2);
  const picks = a.select(3, new Rng(1)).map((e) => e.id);
  // g1 scores best; its ancestors c1 and r1 are blocked, so the sibling branch c2 and r2 follow.
  assertEquals(picks[0], g1);
  assert(!picks.includes(c1) && !picks.includes(r1));
  assertEquals(new Set(picks), new Set([g1, c2, r2]));
  // When every lineage is blocked, blocking starts over rather than failing.
  assertEquals(a.select(8, new Rng(1)).length, 8);
});

Deno.test("greedy, epsilon-greedy and no-reuse rules", () => {
  const build = (rule: "greedy" | "epsilon" | "none") => {
    const a = new Archive({ rule });
    const r = a.addInitial(cand("r", 1));
    a.addInitial(cand("s", 0.5));
    a.expand(r, [cand("best", 10), cand("mid", 2)], 1);
    return a;
  };
  const greedy = build("greedy");
  assert(greedy.select(5, new Rng(3)).every((e) => e.key === "best"));
  const none = build("none");
  const fromNone = none.select(200, new Rng(3));
  assert(fromNone.every((e) => e.initial));
  assertEquals(new Set(fromNone.map((e) => e.key)), new Set(["r", "s"]));
  const eps = build("epsilon").select(4000, new Rng(3));
  const share = eps.filter((e) => e.key !== "best").length / eps.length;
  // A random pick is non-best 3/4 of the time: expected share 0.1 * 0.75.
  assertAlmostEquals(share, 0.075, 0.02);
});

Deno.test("snapshot and restore give an identical archive", () => {
  const a = new Archive({ maxSize: 50 });
  const r = a.addInitial(cand("r", 1));
  const [c] = a.expand(r, [cand("c", 2), cand("d", 1.5)], 1);
  a.expand(c, [cand("bad", 0, false)], 2);
  const json = JSON.parse(JSON.stringify(a.snapshot()));
  const b = Archive.restore(json);
  assertEquals(b.snapshot(), a.snapshot());
  assertEquals([...b.scores()], [...a.scores()]);
  assertEquals(b.select(3, new Rng(9)).map((e) => e.id), a.select(3, new Rng(9)).map((e) => e.id));
});

Deno.test("--tie-visits: a child that ties its parent starts fresh, with one visit, or with the parent's", () => {
  const grow = (tieVisits: "fresh" | "one" | "parent") => {
    const a = new Archive({ tieVisits });
    const r = a.addInitial(cand("r", 2.6));
    a.expand(r, [cand("worse", 2.5)], 1);
    // A finer resampling: the same reward up to the last bits; a real gain of 1e-9 is not a tie.
    const [tie, gain, dropped] = a.expand(r, [
      cand("tie", 2.6 * (1 + 4e-16)),
      cand("gain", 2.6 + 1e-9),
      cand("w", 2),
    ], 2);
    assertEquals(dropped, -1); // only the top 2 children are kept
    assertEquals(a.get(r)!.visits, 2);
    assertEquals(a.get(gain)!.visits, 0);
    return { a, r, tie, gain };
  };
  const fresh = grow("fresh"), one = grow("one"), parent = grow("parent");
  assertEquals(fresh.a.get(fresh.tie)!.visits, 0);
  assertEquals(one.a.get(one.tie)!.visits, 1);
  assertEquals(parent.a.get(parent.tie)!.visits, 2);
  // Fresh, the tie ranks above its parent; inheriting, below the fresh gain.
  assert(fresh.a.scores().get(fresh.tie)! > fresh.a.scores().get(fresh.r)!);
  assert(parent.a.scores().get(parent.tie)! < parent.a.scores().get(parent.gain)!);
  // Its own expansions add to what it inherited, and reach its ancestors as before.
  parent.a.expand(parent.tie, [cand("t2", 2.4)], 3);
  assertEquals(parent.a.get(parent.tie)!.visits, 3);
  assertEquals(parent.a.get(parent.r)!.visits, 3);
});

Deno.test("a snapshot from before --tie-visits restores with the paper's rule", () => {
  const a = new Archive({ tieVisits: "parent" });
  a.addInitial(cand("r", 1));
  const json = JSON.parse(JSON.stringify(a.snapshot()));
  assertEquals(Archive.restore(json).options.tieVisits, "parent");
  delete json.options.tieVisits;
  assertEquals(Archive.restore(json).options.tieVisits, "fresh");
});
