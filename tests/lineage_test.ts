import pl from "nodejs-polars";
import { join } from "node:path";
import { LineageLedger, type PendingGroup } from "../lib/lineage.ts";
import { lineageCredit, type StepReport } from "../lib/loop.ts";
import { resolveConfig } from "../lib/config.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { tempDir } from "./temp_dirs.ts";
import { reproducibleErdos, runToEnd } from "./runs.ts";

const context = { features: [] };
const seq = (t: number) => ({ tokens: [t], logprobs: [Math.log(0.5)], text: "" });
function group(step: number, rewards: number[], childIds: number[]): PendingGroup {
  return { step, context, sequences: rewards.map((_, i) => seq(i)), rewards, childIds, baseline: 0 };
}

// A tree: 10 and 11 are children of 1 (step 0); 12 is a child of 11 (step 1); 13 of 12 (step 2).
const parents = new Map([[10, 1], [11, 1], [12, 11], [13, 12], [1, -1]]);
const ancestors = (id: number) => {
  const out: number[] = [];
  for (let p = parents.get(id) ?? -1; p >= 0; p = parents.get(p) ?? -1) out.push(p);
  return out;
};

Deno.test("lineage credit: a move that ties in its group but opens the way is credited with what its lineage reached", () => {
  const ledger = new LineageLedger(2);
  // Step 0 from state 1: a polish (kept as 10) and a door (kept as 11) tie; a third loses and is not kept.
  const door = group(0, [1.0, 1.0, 0.5], [10, 11, -1]);
  ledger.record([door], ancestors);
  ledger.record([group(1, [2.0, 0.9], [12, -1])], ancestors); // built on the door
  assertEquals(ledger.lineageRewards(door), [1.0, 2.0, 0.5]);
  assertEquals(ledger.mature(1), [], "a group waits horizon steps");
  ledger.record([group(2, [3.0], [13])], ancestors);
  const matured = ledger.mature(2);
  assertEquals(matured.map((g) => g.step), [0]);
  assertEquals(ledger.lineageRewards(matured[0]), [1.0, 3.0, 0.5]);
  assertEquals(ledger.waiting, 2);

  // One-step credit gives the polish and the door the same advantage; lineage credit puts the door first.
  const config = resolveConfig({ problem: "erdos", creditHorizon: 2 });
  const credit = lineageCredit(config, ledger, matured);
  const [polish, opened, lost] = credit.sequenceAdvantages;
  assert(opened > polish && polish > lost, `advantages ${credit.sequenceAdvantages}`);
  assertEquals(credit.data.length, 3);
});

Deno.test("lineage ledger: a snapshot restores the same pending groups and subtree bests; bad horizons are refused", () => {
  const ledger = new LineageLedger(3);
  ledger.record([group(0, [1, 2], [10, 11]), group(0, [0.5, 0.25], [-1, -1])], ancestors);
  ledger.record([group(1, [5], [12])], ancestors);
  const restored = LineageLedger.restore(3, JSON.parse(JSON.stringify(ledger.snapshot())));
  assertEquals(restored.snapshot(), ledger.snapshot());
  assertEquals(restored.mature(3).map((g) => restored.lineageRewards(g)), [[1, 5], [0.5, 0.25]]);
  assertThrows(() => new LineageLedger(0), /positive integer/);
  assertThrows(() => new LineageLedger(1.5), /positive integer/);
  assertThrows(() => LineageLedger.restore(2, { pending: "x" }));
});

const programs = (r: { reports: StepReport[] }) => r.reports.map((s) => s.attempts.map((x) => x.program));

Deno.test("--credit-horizon K: no update until step K, then one a step; a resumed run keeps its waiting groups", async () => {
  const config = { ...reproducibleErdos, steps: 4, creditHorizon: 2, workers: 0 };
  const straight = await runToEnd({ config, out: tempDir() });
  assertEquals(straight.reports.map((r) => Number.isFinite(r.row.loss)), [false, false, true, true]);
  const search = await runToEnd({ config: { ...config, steps: 3, train: false } });
  // Steps 0-2 sample from the untouched initial policy; step 3 from the policy trained on step 0's groups.
  assertEquals(programs(straight).slice(0, 3), programs(search));
  const checkpoint = JSON.parse(Deno.readTextFileSync(join(straight.summary.runDir!, "checkpoint.json")));
  assertEquals(checkpoint.loop.lineage.pending.map((g: { step: number }) => g.step), [2, 2, 2, 3, 3, 3]);

  const out = tempDir();
  const first = await runToEnd({ config: { ...config, steps: 3 }, out });
  const resumed = await runToEnd({ resume: first.summary.runDir!, config: { problem: "erdos", steps: 4 } });
  assertEquals(resumed.reports.map((r) => r.step), [3]);
  const attempts = (dir: string) =>
    pl.readParquet(join(dir, "attempts.parquet")).select("step", "program", "reward").toRecords();
  assertEquals(attempts(first.summary.runDir!), attempts(straight.summary.runDir!));
  assertEquals(resumed.reports[0].row.loss, straight.reports[3].row.loss);
});
