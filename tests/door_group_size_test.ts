/**
 * `--door-group-size N`: a start state at a new size (a door) gets N rollouts, every other start
 * state `--group-size`, and each group is credited, archived and recorded on its own rollouts.
 */
import { resolveConfig } from "../lib/config.ts";
import type { AttemptRow } from "../lib/records.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { runToEnd } from "./runs.ts";
import { tempDir } from "./temp_dirs.ts";
import { toy } from "./toy_problem.ts";

/**
 * The toy walk where crossing 4 changes a state's size, so a step across it is a door; only its
 * `add` operator, so that most rollouts are valid and the archive grows.
 */
const sizedToy = {
  ...toy,
  name: "sized-toy",
  grammar: { ...toy.grammar, operators: toy.grammar.operators.filter((o) => o.name === "add") },
  size: (s: { x: number }) => (s.x >= 4 ? 2 : 1),
};

const base = { problem: "sized-toy", steps: 10, groups: 2, groupSize: 3, seed: 4, workers: 0 };

/** A run's attempts, step by step. */
async function attemptsOf(config: Record<string, unknown>) {
  const { reports } = await runToEnd({ config: { ...base, ...config }, problem: sizedToy, out: tempDir() });
  return { reports, attempts: reports.flatMap((r) => r.attempts as AttemptRow[]) };
}

Deno.test("--door-group-size: doors get N rollouts, other states --group-size, each group indexed and credited on its own", async () => {
  const { reports, attempts } = await attemptsOf({ doorGroupSize: 7 });
  const archive = reports.at(-1)!.archive;
  const groups = Map.groupBy(attempts, (a) => `${a.step}/${a.group}`);
  let doors = 0, others = 0;
  for (const rows of groups.values()) {
    // Rollouts are numbered 0.. within their group, and a group has one parent.
    assertEquals(rows.map((a) => a.rollout), rows.map((_, r) => r));
    assertEquals(new Set(rows.map((a) => a.parentId)).size, 1);
    const parent = archive.get(rows[0].parentId);
    const grandparent = parent && archive.get(parent.parentId);
    if (!parent || parent.parentId < 0) {
      assertEquals(rows.length, 3, "an initial state is no door");
      others++;
      continue;
    }
    if (!grandparent) continue; // evicted: cannot tell
    const door =
      sizedToy.size(parent.state as { x: number }) !== sizedToy.size(grandparent.state as { x: number });
    assertEquals(rows.length, door ? 7 : 3, `group ${rows[0].step}/${rows[0].group}`);
    if (door) doors++;
    else others++;
    // Advantages are a group's own: all NaN (flat) or centred on the group's rollouts alone.
    const advantages = rows.map((a) => a.advantage);
    if (!advantages.some(Number.isNaN)) assert(advantages.some((v) => v !== advantages[0]));
  }
  assert(doors > 0 && others > 0, `${doors} door groups, ${others} others`);
  for (const report of reports) {
    assertEquals(report.row.rollouts, report.attempts.length);
  }
});

Deno.test("--door-group-size equal to --group-size changes nothing: the same attempts as without it", async () => {
  const plain = await attemptsOf({});
  const same = await attemptsOf({ doorGroupSize: 3 });
  const strip = (rows: AttemptRow[]) => rows.map(({ durationMs: _, ...rest }) => rest);
  assertEquals(strip(same.attempts), strip(plain.attempts));
});

Deno.test("--door-group-size: at least 2, and refused for a problem without a size", async () => {
  assertEquals(resolveConfig({ problem: "erdos" }).doorGroupSize, undefined);
  assertEquals(resolveConfig({ problem: "erdos", doorGroupSize: 32 }).doorGroupSize, 32);
  assertThrows(
    () => resolveConfig({ problem: "erdos", doorGroupSize: 1 }),
    /doorGroupSize \(--door-group-size\)/,
  );
  await assertRejects(
    () =>
      runToEnd({
        config: { problem: "toy", steps: 1, groups: 1, groupSize: 2, doorGroupSize: 4, workers: 0 },
        problem: toy,
        out: tempDir(),
      }),
    /--door-group-size: toy has no size \(how many numbers a construction is made of\), so no state is a door/,
  );
});
