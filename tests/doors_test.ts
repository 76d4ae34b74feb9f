/** lib/doors.ts: a run's door groups (start states at a new size) by kind, and which of their rollouts gained. */
import { doorSummary } from "../lib/doors.ts";
import { assertEquals, assertThrows } from "./assert.ts";

const problem = { name: "pieces", direction: "minimize" as const, size: (s: number[]) => s.length };
// 0 is the start (2 pieces); 1 its polish (2 pieces); 2 and 3 doors (4 and 1 pieces); 4 a polish of door 2.
const states = [
  { id: 0, parentId: -1, value: 1.0, state: [1, 1] },
  { id: 1, parentId: 0, value: 0.9, state: [1, 2] },
  { id: 2, parentId: 1, value: 0.9, state: [1, 1, 2, 2] },
  { id: 3, parentId: 1, value: 0.9, state: [1] },
  { id: 4, parentId: 2, value: 0.8, state: [1, 1, 2, 3] },
];
const rollout = (step: number, group: number, parentId: number, value: number, valid = true) => ({
  step,
  group,
  parentId,
  value,
  valid,
});

Deno.test("doorSummary: groups at a new size by kind, gains in the problem's direction beyond the threshold", () => {
  const rollouts = [
    rollout(0, 0, 0, 0.95), // from the start: no parent, not a door
    rollout(1, 0, 1, 0.9), // polish of the start: same size
    rollout(2, 0, 2, 0.85), // door 2->4: gains 0.05
    rollout(2, 0, 2, 0.9 - 1e-9), // gains 1e-9: below the threshold
    rollout(2, 0, 2, 0.5, false), // invalid: never a gain
    rollout(2, 1, 3, 0.95), // door 2->1: loses
    rollout(3, 0, 2, 0.91), // door 2->4 again, a second group
    rollout(3, 1, 4, 0.7), // from a polish of a door: same size as its parent, not a door
  ];
  const d = doorSummary(problem, states, rollouts, 1e-6);
  assertEquals([d.groups, d.doorGroups, d.rollouts, d.doorRollouts, d.gained], [6, 3, 8, 5, 1]);
  assertEquals(d.kinds.map((k) => [k.sizes, k.groups, k.rollouts, k.gained]), [["2->4", 2, 4, 1], [
    "2->1",
    1,
    1,
    0,
  ]]);
  assertEquals(Math.round(d.kinds[0].bestGain * 1e12) / 1e12, 0.05);
  assertEquals(Math.round(d.kinds[1].bestGain * 1e12) / 1e12, -0.05);
  // Maximising, the same values are losses and gains the other way round.
  const up = doorSummary({ ...problem, direction: "maximize" }, states, rollouts, 1e-6);
  assertEquals(up.kinds.map((k) => [k.sizes, k.gained]), [["2->4", 1], ["2->1", 1]]);
  assertThrows(
    () => doorSummary({ name: "flat", direction: "minimize" }, states, rollouts, 0),
    /has no size/,
  );
});
