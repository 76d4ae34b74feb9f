/**
 * What did the policy write, and what did it buy? Reads one run directory and prints, per
 * program class (its first move's operator), how often programs of that class beat their
 * parent, their median gain, their cost, and how often one of them won its group; then how the
 * policy's choices drifted over the run. This is the table that says whether training has
 * anything to learn: if every class improves its parent about as often, a trained policy can
 * only buy cost, not progress.
 *
 *   deno task bench programs <run dir> [--from STEP]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import pl from "nodejs-polars";
import { FLAT_RELATIVE_RANGE } from "../lib/objective.ts";
import { loadProblem } from "../lib/problem_module.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { from: { type: "string" } },
});
const dir = positionals[0];
if (!dir) {
  console.error("usage: deno task bench programs <run dir> [--from STEP]");
  Deno.exit(2);
}
const config = JSON.parse(Deno.readTextFileSync(join(dir, "config.json")));
const problem = await loadProblem(config.problem ?? config.config?.problem);
const sign = problem.direction === "minimize" ? 1 : -1;
const from = Number(values.from ?? 0);

const parents = pl.readParquet(join(dir, "states.parquet"))
  .select(pl.col("id").alias("parent_id"), pl.col("value").alias("parent_value"));
const attempts = pl.readParquet(join(dir, "attempts.parquet"))
  .filter(pl.col("step").gtEq(from))
  .join(parents, { on: "parent_id", how: "left" })
  .withColumns(
    pl.col("program").str.extract(/^\s*(\w+)/, 1).alias("class"),
    // Gain over the parent, positive when better; null for invalid attempts.
    pl.col("parent_value").minus(pl.col("value")).mul(sign).alias("gain"),
    // Beating the parent by rounding (the objective's flat threshold) is not beating it.
    pl.col("parent_value").abs().mul(FLAT_RELATIVE_RANGE).alias("rounding"),
  )
  .withColumns(pl.col("gain").gt(pl.col("rounding")).alias("beat"));

const winners = attempts.sort("reward", true).groupBy(["step", "group"])
  .agg(pl.col("class").first().alias("class"), pl.col("beat").first().alias("beat"))
  .filter(pl.col("beat"))
  .groupBy("class").agg(pl.count("beat").alias("groups_won"));

const classes = attempts.groupBy("class").agg(
  pl.count("step").alias("programs"),
  pl.col("beat").mean().round(3).alias("beat_parent"),
  pl.col("gain").median().alias("median_gain"),
  pl.col("gain").max().alias("best_gain"),
  pl.col("duration_ms").median().round(0).alias("median_ms"),
).join(winners, { on: "class", how: "left" }).sort("programs", true);

const perStep = attempts.groupBy("step").agg(
  pl.count("class").alias("programs"),
  ...[...new Set(attempts.getColumn("class").toArray() as string[])].sort().map((c) =>
    pl.col("class").eq(pl.lit(c)).mean().round(2).alias(c)
  ),
  pl.col("beat").mean().round(2).alias("beat_parent"),
  pl.col("duration_ms").mean().round(0).alias("mean_ms"),
).sort("step");

pl.Config.setTblRows(200);
pl.Config.setTblCols(20);
pl.Config.setTblWidthChars(200);
console.log(`${problem.name}: ${dir}, steps >= ${from}; classes by first move`);
console.log(classes.toString());
console.log("share of programs by first move, per step:");
console.log(perStep.toString());
