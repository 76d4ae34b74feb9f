import { join } from "node:path";
import pl from "nodejs-polars";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { tempDir } from "./temp_dirs.ts";

const script = new URL("../bench/ttt_pays.ts", import.meta.url).pathname;

/** A finished bench/ttt_pays.ts study on disk: the method's and no-TTT's final values by seed. */
function study(
  root: string,
  name: string,
  seeds: number[],
  method: number[],
  noTtt: number[],
  extra: string[],
) {
  const dir = join(root, name);
  Deno.mkdirSync(dir);
  Deno.writeTextFileSync(
    join(dir, "summary.json"),
    JSON.stringify({ minutes: 5, seeds, parallel: 2, extra, rows: [] }),
  );
  const variants = [...seeds.map(() => "ttt-discover"), ...seeds.map(() => "no-ttt")];
  pl.DataFrame({
    variant: variants,
    seed: [...seeds, ...seeds],
    step: variants.map(() => 35),
    rollouts: variants.map(() => 576),
    best: [...method, ...noTtt],
    mean: [...method, ...noTtt],
    elapsed_ms: variants.map(() => 300_000),
  }).writeParquet(join(dir, "curves.parquet"));
  return dir;
}

async function summarise(...args: string[]) {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "erdos", "--summarise", ...args],
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("ttt_pays --summarise pools replications on fresh seeds and tests them paired by seed", async () => {
  const root = tempDir();
  const flags = ["--lr", "0.02"];
  // Seeds 0-3: the method lower in all four; seeds 4-7: in three of four.
  const a = study(root, "a", [0, 1, 2, 3], [1, 2, 3, 4], [1.5, 2.5, 3.5, 4.5], flags);
  const b = study(root, "b", [4, 5, 6, 7], [5, 6, 7, 8], [5.5, 6.5, 7.5, 7.9], flags);
  const out = join(root, "pooled");
  const ok = await summarise(`${a},${b}`, "--out", out);
  assertEquals(ok.code, 0, ok.stderr);
  const pooled = JSON.parse(Deno.readTextFileSync(join(out, "summary.json")));
  assertEquals(pooled.seeds, [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(pooled.pooledFrom, ["a", "b"]);
  const noTtt = pooled.rows[1];
  assertEquals([noTtt.variant, noTtt.pairs, noTtt.methodAhead], ["no-ttt", 8, 7]);
  // Differences -0.5 x 7 and +0.1: W+ is the smallest rank, 1; 2 of 256 patterns are as extreme per side.
  assertAlmostEquals(noTtt.pPaired, 4 / 256, 1e-15);
  const markdown = Deno.readTextFileSync(join(out, "summary.md"));
  assert(markdown.includes("| 7 of 8 | 0.0156 |"), markdown);
  assert(markdown.includes("Pooled from a, b"), markdown);

  // A seed in two studies, or studies run with other flags, cannot be pooled.
  const again = study(root, "again", [3], [1], [2], flags);
  assert(/seed 3 is in more than one study/.test((await summarise(`${a},${again}`, "--out", out)).stderr));
  const other = study(root, "other", [9], [1], [2], ["--lr", "0.05"]);
  assert(/run flags or --prior-from differ/.test((await summarise(`${a},${other}`, "--out", out)).stderr));
  // The same flags written in another order are the same study design.
  const reordered = study(root, "reordered", [11], [1], [2], ["--search-features", "--lr", "0.02"]);
  const withFeatures = study(root, "with-features", [12], [1], [2], ["--lr", "0.02", "--search-features"]);
  const same = await summarise(`${reordered},${withFeatures}`, "--out", join(root, "pooled2"));
  assertEquals(same.code, 0, same.stderr);
  assert(
    /run flags or --prior-from differ/.test((await summarise(`${a},${withFeatures}`, "--out", out)).stderr),
  );
  // Nor learned-prior studies of different policies.
  const learned = study(root, "learned", [10], [1], [2], flags);
  const meta = JSON.parse(Deno.readTextFileSync(join(learned, "summary.json")));
  Deno.writeTextFileSync(join(learned, "summary.json"), JSON.stringify({ ...meta, priorFrom: "x.json" }));
  assert(/--prior-from differ/.test((await summarise(`${a},${learned}`, "--out", out)).stderr));
  assert(/needs --out/.test((await summarise(`${a},${b}`)).stderr));
  // A study of deno task ablate (its summary.json is the rows alone) is named, not a TypeError.
  const ablate = join(root, "ablate");
  Deno.mkdirSync(ablate);
  Deno.writeTextFileSync(join(ablate, "summary.json"), "[]");
  assert(/is not a bench\/ttt_pays.ts study/.test((await summarise(ablate)).stderr));
});

Deno.test("ttt_pays errors are one line: --activity on a directory without a study's runs", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "erdos", "--activity", join(tempDir(), "missing")],
  }).output();
  const text = new TextDecoder().decode(stderr).trim();
  assertEquals(code, 1);
  assert(
    /^ttt_pays: .*missing: no ttt-discover runs of erdos .*--runs directory of a study\)$/.test(text),
    text,
  );
  assert(!text.includes("    at "), "no stack trace");
});

Deno.test("ttt_pays --conditioning reads a study's trained runs; learned-prior needs --prior-from", async () => {
  const runs = tempDir();
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../lib/cli.ts", import.meta.url).pathname,
      "erdos",
      "--steps",
      "2",
      "--groups",
      "1",
      "--group-size",
      "4",
      "--workers",
      "0",
      "--quiet",
      "--search-features", // the report must rebuild the 4 search features the policy was trained with
      "--out",
      join(runs, "ttt-discover"),
    ], // deno-fmt-ignore
  }).output();
  assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
  const out = tempDir();
  const report = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "erdos", "--conditioning", runs, "--out", out],
  }).output();
  const text = new TextDecoder().decode(report.stdout);
  assertEquals(report.code, 0, new TextDecoder().decode(report.stderr));
  // One row for seed 0: its archived states, spreads and the move shares are numbers in range.
  const row = text.split("\n").find((line) => line.startsWith("| 0 |"));
  assert(row, text);
  const [, , states, spread, moved] = row.split("|").map((cell) => cell.trim());
  assert(Number(states) >= 1, row);
  assert(/^0\.\d{3} \/ 0\.\d{3} \(0\.\d{3}\)$/.test(spread), row);
  assert(Number(moved) >= 0 && Number(moved) <= 1, row);
  assertEquals(Deno.readTextFileSync(join(out, "conditioning.md")), text);

  const refused = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "erdos", "--variants", "learned-prior,no-ttt", "--seeds", "1"],
  }).output();
  assertEquals(refused.code, 1);
  assert(/learned-prior needs --prior-from RUN_DIR/.test(new TextDecoder().decode(refused.stderr)));
});
