/**
 * Ablations: what each part of TTT-Discover buys, on equal work. Every variant
 * runs the same rollout budget for the same seeds; the result is one table of
 * best-so-far curves and a summary in the layout of the paper's Table 8, with a
 * rank test against the full method so that indistinguishable variants are said
 * to be so.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import type { RunConfigInput } from "./config.ts";
import { discover } from "./loop.ts";
import { registeredProblems } from "./problem_module.ts";

const PROBLEMS = await registeredProblems();

/** One row of the ablation: the method with some of its parts changed. */
export interface Variant {
  /** A short name, e.g. `no-ttt`. */
  readonly name: string;
  /** What it changes, for the summary table. */
  readonly description: string;
  /** The settings it changes, over the study's shared ones. */
  readonly settings: Partial<RunConfigInput>;
}

/** The paper's Table 8 rows that apply to any problem. */
export const VARIANTS: readonly Variant[] = [
  { name: "ttt-discover", description: "adaptive entropic + PUCT (the method)", settings: {} },
  {
    name: "improvement-credit",
    description: "adaptive entropic on gains over the parent + PUCT",
    settings: { credit: "improvement" },
  },
  { name: "constant-beta", description: "fixed beta = 2 + PUCT", settings: { objective: "fixed-beta" } },
  { name: "expected-reward", description: "expected reward + PUCT", settings: { objective: "expected" } },
  { name: "no-ttt", description: "no training + PUCT (search only)", settings: { train: false } },
  {
    name: "epsilon-greedy",
    description: "adaptive entropic + epsilon-greedy reuse",
    settings: { reuse: "epsilon" },
  },
  { name: "no-reuse", description: "adaptive entropic, no reuse", settings: { reuse: "none" } },
  {
    name: "naive-rl",
    description: "expected reward, no reuse",
    settings: { objective: "expected", reuse: "none" },
  },
  { name: "best-of-n", description: "no training, no reuse", settings: { train: false, reuse: "none" } },
];

/** One step of one run of a study (a row of curves.parquet). */
export interface CurvePoint {
  /** The variant's name. */
  variant: string;
  /** The run's seed. */
  seed: number;
  /** The step. */
  step: number;
  /** Rollouts spent so far in this run. */
  rollouts: number;
  /** The best value so far. */
  best: number;
  /** This step's mean reward. */
  mean: number;
  /** Time since the run started, in milliseconds. */
  elapsedMs: number;
}

/** A study's curves.parquet (as `deno task ablate` and bench/ttt_pays.ts write it) read back. */
export function readCurves(dir: string): CurvePoint[] {
  return pl.readParquet(join(dir, "curves.parquet")).toRecords().map((r) => ({
    variant: String(r.variant),
    seed: Number(r.seed),
    step: Number(r.step),
    rollouts: Number(r.rollouts),
    best: Number(r.best),
    mean: Number(r.mean),
    elapsedMs: Number(r.elapsed_ms),
  }));
}

/** What runAblation runs. */
export interface AblationOptions {
  /** A registered problem's name. */
  readonly problem: string;
  /** Shared settings (groups, groupSize, ...) applied to every variant before its own. */
  readonly base?: Partial<RunConfigInput>;
  /** The rollout budget of every run. */
  readonly rollouts: number;
  /** The seeds every variant runs. */
  readonly seeds: readonly number[];
  /** The variants (default: all of VARIANTS), the method first. */
  readonly variants?: readonly Variant[];
  /** Rollout worker threads (default: one per core). */
  readonly workers?: number;
  /** Sees each finished run: its best value and wall time. */
  readonly onRun?: (variant: string, seed: number, best: number, seconds: number) => void;
}

/** Runs every (variant, seed) pair and returns the curves, one point per step. */
export async function runAblation(options: AblationOptions): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  for (const variant of options.variants ?? VARIANTS) {
    for (const seed of options.seeds) {
      const config: RunConfigInput = {
        problem: options.problem,
        ...options.base,
        ...variant.settings,
        seed,
        workers: options.workers,
        maxRollouts: options.rollouts,
        // The rollout budget decides; the problem's step and time defaults must not cut runs short.
        steps: 1_000_000,
        minutes: 24 * 60,
      };
      const started = performance.now();
      let rollouts = 0, best = NaN;
      for await (const report of discover({ config })) {
        rollouts += report.row.rollouts;
        best = report.best.value;
        points.push({
          variant: variant.name,
          seed,
          step: report.step,
          rollouts,
          best,
          mean: report.row.meanReward,
          elapsedMs: report.row.elapsedMs,
        });
      }
      options.onRun?.(variant.name, seed, best, (performance.now() - started) / 1000);
    }
  }
  return points;
}

/** One variant's row of the summary table: its final best values over seeds. */
export interface SummaryRow {
  /** The variant's name. */
  variant: string;
  /** What it changes. */
  description: string;
  /** Seeds that ran. */
  seeds: number;
  /** Median of the final best values. */
  median: number;
  /** Their first quartile. */
  q25: number;
  /** Their third quartile. */
  q75: number;
  /** The lowest. */
  min: number;
  /** The highest. */
  max: number;
  /** Two-sided exact Mann-Whitney p-value against the first variant (the method). */
  pVsMethod: number;
  /** Seeds both this variant and the method ran: the pairs of the paired tests. */
  pairs: number;
  /** Of those, the seeds where the method ended better (by the problem's direction). */
  methodAhead: number;
  /**
   * Two-sided exact Wilcoxon signed-rank p-value against the method, paired by seed. The variants
   * of one seed start from the same states and run side by side, and the spread between seeds is
   * often far larger than the effect: a paired test sees past it, an unpaired one cannot.
   */
  pPaired: number;
  /** Median wall time of a run, in seconds. */
  seconds: number;
}

/** The q-quantile of sorted values, interpolated linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Final best per (variant, seed), summarised per variant, in the order the variants ran. The
 * direction says which way is better, for counting the seeds where the method ended ahead.
 */
export function summarise(
  points: readonly CurvePoint[],
  variants: readonly Variant[] = VARIANTS,
  direction: "minimize" | "maximize" = "minimize",
): SummaryRow[] {
  const finals = new Map<string, { seed: number; best: number; seconds: number }[]>();
  const last = new Map<string, CurvePoint>();
  for (const p of points) last.set(`${p.variant}\u0000${p.seed}`, p);
  for (const p of last.values()) {
    const list = finals.get(p.variant) ?? [];
    list.push({ seed: p.seed, best: p.best, seconds: p.elapsedMs / 1000 });
    finals.set(p.variant, list);
  }
  const present = variants.filter((v) => finals.has(v.name));
  const method = finals.get(present[0]?.name)?.map((f) => f.best) ?? [];
  const methodBySeed = new Map(finals.get(present[0]?.name)?.map((f) => [f.seed, f.best]));
  const sign = direction === "minimize" ? 1 : -1;
  return present.map((v) => {
    const paired = finals.get(v.name)!.filter((f) => methodBySeed.has(f.seed));
    const ours = paired.map((f) => methodBySeed.get(f.seed)!);
    const theirs = tiesSnapped(ours, paired.map((f) => f.best));
    const values = finals.get(v.name)!.map((f) => f.best).sort((a, b) => a - b);
    const seconds = finals.get(v.name)!.map((f) => f.seconds).sort((a, b) => a - b);
    return {
      variant: v.name,
      description: v.description,
      seeds: values.length,
      median: quantile(values, 0.5),
      q25: quantile(values, 0.25),
      q75: quantile(values, 0.75),
      min: values[0],
      max: values[values.length - 1],
      pVsMethod: v.name === present[0].name ? 1 : mannWhitneyP(method, values),
      pairs: paired.length,
      methodAhead: ours.filter((x, i) => sign * x < sign * theirs[i]).length,
      pPaired: v.name === present[0].name ? 1 : wilcoxonSignedRankP(ours, theirs),
      seconds: quantile(seconds, 0.5),
    };
  });
}

/**
 * Exact two-sided Mann-Whitney U test (ties get half credit; the exact null
 * distribution assumes no ties, which holds for continuous values).
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const m = a.length, n = b.length;
  if (m === 0 || n === 0) return NaN;
  let u = 0;
  for (const x of a) for (const y of b) u += x < y ? 1 : x === y ? 0.5 : 0;
  // counts[k] = number of arrangements with U = k, by the recurrence over (m, n).
  const table = uDistribution(m, n);
  const total = table.reduce((s, c) => s + c, 0);
  const tail = (k: number) => table.slice(0, Math.floor(k) + 1).reduce((s, c) => s + c, 0) / total;
  const lowU = Math.min(u, m * n - u);
  return Math.min(1, 2 * tail(lowU));
}

/**
 * Exact two-sided sign test on paired values (a[i] against b[i], e.g. two variants of one seed that
 * started from the same states): under the null each pair is equally likely to go either way.
 * Ties are dropped. The ablation's designs pair by seed, and the spread between seeds is often far
 * larger than the effect, which an unpaired test cannot see past.
 */
export function signTestP(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`signTestP: ${a.length} and ${b.length} values are not paired`);
  let below = 0, above = 0;
  a.forEach((x, i) => (x < b[i] ? below++ : x > b[i] ? above++ : 0));
  const n = below + above;
  if (n === 0) return 1;
  // P(X <= k) for X ~ Binomial(n, 1/2), k the smaller count; doubled for two sides.
  let term = 0.5 ** n, tail = 0;
  for (let k = 0; k <= Math.min(below, above); k++) {
    tail += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, 2 * tail);
}

/**
 * Exact two-sided Wilcoxon signed-rank test on paired values: under the null each difference
 * a[i] - b[i] is as likely positive as negative. Unlike the sign test it weighs pairs by the size
 * of their difference (by rank). Zero differences are dropped; tied sizes share their mean rank and
 * the null distribution is taken over those ranks, so the p-value stays exact with ties.
 */
export function wilcoxonSignedRankP(a: readonly number[], b: readonly number[]): number {
  // The exact distribution costs O(n^3) for n pairs: meant for the tens of seeds of a study.
  if (a.length !== b.length) {
    throw new Error(`wilcoxonSignedRankP: ${a.length} and ${b.length} values are not paired`);
  }
  const diffs = a.map((x, i) => x - b[i]).filter((d) => d !== 0);
  if (diffs.some((d) => !Number.isFinite(d))) throw new Error("wilcoxonSignedRankP: values must be finite");
  const n = diffs.length;
  if (n === 0) return 1;
  // Doubled ranks are whole numbers even where tied sizes share a mean rank.
  const order = diffs.map((d, i) => ({ size: Math.abs(d), i })).sort((x, y) => x.size - y.size);
  const doubled = new Array<number>(n);
  for (let lo = 0; lo < n;) {
    let hi = lo;
    while (hi + 1 < n && order[hi + 1].size === order[lo].size) hi++;
    for (let k = lo; k <= hi; k++) doubled[order[k].i] = lo + hi + 2;
    lo = hi + 1;
  }
  const observed = diffs.reduce((s, d, i) => s + (d > 0 ? doubled[i] : 0), 0);
  // counts[w]: how many of the 2^n sign patterns give a positive rank sum of w.
  const total = doubled.reduce((s, r) => s + r, 0);
  let counts = new Array<number>(total + 1).fill(0);
  counts[0] = 1;
  for (const r of doubled) {
    const next = counts.slice();
    for (let w = 0; w + r <= total; w++) next[w + r] += counts[w];
    counts = next;
  }
  const patterns = 2 ** n;
  let below = 0, above = 0;
  counts.forEach((c, w) => (w <= observed && (below += c), w >= observed && (above += c)));
  return Math.min(1, (2 * Math.min(below, above)) / patterns);
}

function uDistribution(m: number, n: number): number[] {
  // f(m, n, k) = f(m - 1, n, k - n) + f(m, n - 1, k)
  const memo = new Map<string, number[]>();
  const f = (i: number, j: number): number[] => {
    if (i === 0 || j === 0) return [1];
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out = new Array(i * j + 1).fill(0);
    f(i - 1, j).forEach((c, k) => (out[k + j] += c));
    f(i, j - 1).forEach((c, k) => (out[k] += c));
    memo.set(key, out);
    return out;
  };
  return f(m, n);
}

/** The method against a baseline at one step, paired by seed (a row of `pairedGapByStep`). */
export interface PairedGap {
  step: number;
  /** Seeds where both variants reached this step. */
  seeds: number;
  /** Of those, the seeds where the method's best so far is better. */
  methodAhead: number;
  /** Median over seeds of the method's best so far minus the baseline's; negative: the method ahead. */
  medianGap: number;
  /** Two-sided exact Wilcoxon signed-rank p-value of the pairs at this step. */
  pPaired: number;
}

/** Which two variants a paired comparison sets side by side, and which way is better. */
export interface PairedOptions {
  readonly method?: string;
  readonly baseline?: string;
  readonly direction?: "minimize" | "maximize";
}

/**
 * When does the method pull ahead of a baseline? At every step both variants of every seed reached,
 * their best-so-far values paired by seed. Gaps are signed so that negative means the method is
 * ahead, whatever the problem's direction.
 */
export function pairedGapByStep(
  points: readonly CurvePoint[],
  { method = "ttt-discover", baseline = "no-ttt", direction = "minimize" }: PairedOptions = {},
): PairedGap[] {
  const runs = new Map<string, CurvePoint[]>();
  for (const p of points) {
    if (p.variant !== method && p.variant !== baseline) continue;
    const key = `${p.variant}\u0000${p.seed}`;
    if (!runs.has(key)) runs.set(key, []);
    runs.get(key)!.push(p);
  }
  for (const run of runs.values()) run.sort((a, b) => a.step - b.step);
  const seeds = [...new Set(points.map((p) => p.seed))].filter((seed) =>
    runs.has(`${method}\u0000${seed}`) && runs.has(`${baseline}\u0000${seed}`)
  );
  const bestAt = (variant: string, seed: number, step: number) =>
    runs.get(`${variant}\u0000${seed}`)!.findLast((p) => p.step <= step)?.best;
  if (seeds.length === 0) return [];
  const lastStep = Math.min(...[...runs.values()].map((run) => run.at(-1)!.step));
  const sign = direction === "minimize" ? 1 : -1;
  const rows: PairedGap[] = [];
  for (let step = 0; step <= lastStep; step++) {
    const ours = seeds.map((seed) => bestAt(method, seed, step));
    const reached = seeds.map((seed) => bestAt(baseline, seed, step));
    if (ours.includes(undefined) || reached.includes(undefined)) continue; // a run that began later
    const theirs = tiesSnapped(ours as number[], reached as number[]);
    const gaps = ours.map((x, i) => sign * (x! - theirs[i])).sort((a, b) => a - b);
    rows.push({
      step,
      seeds: seeds.length,
      methodAhead: gaps.filter((g) => g < 0).length,
      medianGap: quantile(gaps, 0.5),
      pPaired: wilcoxonSignedRankP(ours as number[], theirs),
    });
  }
  return rows;
}

/** What `factor` times the compute bought a variant's runs at their end. */
export interface ComputeWorth {
  readonly factor: number;
  /** Runs long enough to have a best at rollouts / factor. */
  readonly runs: number;
  /** Over runs: how much better the final best is than the best at rollouts / factor (>= 0). */
  readonly medianGain: number;
  readonly meanGain: number;
}

/**
 * What more compute is worth late in a run, read off one variant's own curves: for each run, its
 * final best against its best after 1/factor of its rollouts. A trained policy can at most spend
 * its rollouts better; if even `factor` times the rollouts buys less than the spread between
 * seeds, an ablation of the final best cannot show training at that budget (seedsForPairedTest).
 */
export function computeWorth(
  studies: readonly (readonly CurvePoint[])[],
  { variant = "no-ttt", factors = [1.5, 2, 3], direction = "minimize" }: {
    variant?: string;
    factors?: readonly number[];
    direction?: "minimize" | "maximize";
  } = {},
): ComputeWorth[] {
  // A run is a seed within one study: studies may reuse seeds.
  const runs = new Map<string, CurvePoint[]>();
  studies.forEach((points, study) => {
    for (const p of points) {
      if (p.variant !== variant) continue;
      const key = `${study}\u0000${p.seed}`;
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key)!.push(p);
    }
  });
  const sign = direction === "minimize" ? 1 : -1;
  return factors.map((factor) => {
    if (!(factor > 1)) throw new Error(`a compute factor must be above 1, got ${factor}`);
    const gains: number[] = [];
    for (const run of runs.values()) {
      run.sort((a, b) => a.rollouts - b.rollouts);
      const last = run.at(-1)!;
      const earlier = run.findLast((p) => p.rollouts <= last.rollouts / factor);
      if (earlier) gains.push(sign * (earlier.best - last.best));
    }
    gains.sort((a, b) => a - b);
    return {
      factor,
      runs: gains.length,
      medianGain: gains.length ? quantile(gains, 0.5) : NaN,
      meanGain: gains.length ? gains.reduce((a, b) => a + b, 0) / gains.length : NaN,
    };
  });
}

/** Each seed's final best of the method minus the baseline's, signed so that negative is the method ahead. */
export function pairedFinalDifferences(
  points: readonly CurvePoint[],
  { method = "ttt-discover", baseline = "no-ttt", direction = "minimize" }: PairedOptions = {},
): number[] {
  const finals = (variant: string) => {
    const last = new Map<number, CurvePoint>();
    for (const p of points) {
      if (p.variant !== variant) continue;
      const seen = last.get(p.seed);
      if (!seen || p.rollouts > seen.rollouts) last.set(p.seed, p);
    }
    return last;
  };
  const ours = finals(method), theirs = finals(baseline);
  const sign = direction === "minimize" ? 1 : -1;
  return [...ours].filter(([seed]) => theirs.has(seed)).map(([seed, p]) =>
    sign * (p.best - theirs.get(seed)!.best)
  );
}

/**
 * Seeds a paired test needs to see a mean difference `effect` when the paired differences have
 * standard deviation `sd`: two-sided at 5% with 80% power, in the normal approximation
 * n = ((z_0.975 + z_0.8) sd / effect)^2. (Wilcoxon's test needs ~5% more on normal data.)
 */
export function seedsForPairedTest(effect: number, sd: number): number {
  if (!(effect > 0) || !(sd >= 0)) throw new Error(`need effect > 0 and sd >= 0, got ${effect}, ${sd}`);
  const z = 1.959963984540054 + 0.8416212335729143;
  return Math.max(2, Math.ceil((z * sd / effect) ** 2));
}

/** Sample standard deviation (n - 1); NaN below two values. */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

/** What a run's rollouts did from one step on: how often one set a record, and how far the best moved. */
export interface RunActivity {
  readonly rollouts: number;
  /** Share of rollouts whose valid reward beat the run's best when their step began. */
  readonly recordRate: number;
  /** The run's best reward at its end minus at the window's start, per rollout of the window. */
  readonly gainPerRollout: number;
}

/**
 * A measure nearer the policy than the final best: a trained policy that learns to win often
 * raises `recordRate`; one that learns to win big raises `gainPerRollout`. `steps` and `attempts`
 * are a run's tables (steps.parquet's step and best_reward; attempts.parquet's step, reward, valid);
 * the window is steps `from` .. end, and from >= 1, since step 0's starting best is not in the tables.
 */
export function runActivity(
  steps: readonly { step: number; bestReward: number }[],
  attempts: readonly { step: number; reward: number; valid: boolean }[],
  from: number,
): RunActivity {
  if (!Number.isInteger(from) || from < 1) {
    throw new Error(`runActivity: from must be a step >= 1, got ${from}`);
  }
  const bestAfter = new Map(steps.map((s) => [s.step, s.bestReward]));
  const start = bestAfter.get(from - 1);
  const last = Math.max(...steps.map((s) => s.step));
  if (start === undefined || last < from) {
    throw new Error(`runActivity: the run has no steps ${from - 1}..${from}`);
  }
  let rollouts = 0, records = 0;
  for (const a of attempts) {
    if (a.step < from) continue;
    rollouts++;
    const before = bestAfter.get(a.step - 1)!;
    if (a.valid && a.reward - before > PAIR_TIE_RELATIVE * Math.abs(before)) records++;
  }
  return {
    rollouts,
    recordRate: rollouts ? records / rollouts : NaN,
    gainPerRollout: rollouts ? (bestAfter.get(last)! - start) / rollouts : NaN,
  };
}

/** Paired values closer than this, relative to their size, are the same construction's value. */
export const PAIR_TIE_RELATIVE = 1e-12;

/**
 * The baseline's values with those equal to the method's up to rounding set exactly equal: two runs
 * that reach the same optimum by different paths (circles26 in minutes) differ by ~1e-15, which is
 * no lead, and the paired tests drop exact ties.
 */
function tiesSnapped(ours: readonly number[], theirs: readonly number[]): number[] {
  return theirs.map((y, i) => (Math.abs(y - ours[i]) <= PAIR_TIE_RELATIVE * Math.abs(ours[i]) ? ours[i] : y));
}

/** What the comparison columns of a summary table mean. */
export const PAIRED_LEGEND =
  "p vs method: two-sided exact Mann-Whitney test of the final values against the first row " +
  "(unpaired). method ahead: seeds where the first row ended better. paired p: two-sided exact " +
  "Wilcoxon signed-rank test, paired by seed (the variants of a seed start from the same states). " +
  "p > 0.05 means the variants are not distinguishable at these seeds.";

/** A row's three comparison cells against the method: unpaired p, seeds ahead, paired p. */
export function comparison(row: SummaryRow, index: number): string {
  if (index === 0) return "- | - | -";
  return `${row.pVsMethod.toFixed(4)} | ${row.methodAhead} of ${row.pairs} | ${row.pPaired.toFixed(4)}`;
}

/** The summary as a Markdown table in the layout of the paper's Table 8. */
export function summaryMarkdown(problem: string, rows: readonly SummaryRow[], rollouts: number): string {
  const p = PROBLEMS[problem];
  if (!p) throw new Error(`unknown problem "${problem}"`);
  const better = p.direction === "minimize" ? "lower" : "higher";
  const fmt = (x: number) => x.toPrecision(7);
  const lines = [
    `Final best ${p.quantity} (${better} is better) after ${rollouts} rollouts per run; median [IQR] over seeds.`,
    "",
    `| variant | ${p.quantity} median | IQR | min .. max | seeds | p vs method | method ahead | paired p | s/run |`,
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r, i) =>
      `| ${r.variant} (${r.description}) | ${fmt(r.median)} | ${fmt(r.q25)} .. ${fmt(r.q75)} | ` +
      `${fmt(r.min)} .. ${fmt(r.max)} | ${r.seeds} | ${comparison(r, i)} | ${r.seconds.toFixed(0)} |`
    ),
    "",
    PAIRED_LEGEND,
  ];
  return lines.join("\n");
}

/** Total variation distance between two distributions over the same choices. */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new Error(`distributions over ${p.length} and ${q.length} choices`);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i] - q[i]);
  return sum / 2;
}

/** Does a trained policy's first decision depend on the start state, and how far did training move it? */
export interface PolicyConditioning {
  readonly states: number;
  /** Mean over states of the trained policy's first-decision distribution. */
  readonly trainedMean: number[];
  readonly initialMean: number[];
  /** Mean total variation between a state's distribution and the mean: 0 when the state is ignored. */
  readonly trainedSpread: number;
  readonly initialSpread: number;
  /** The largest such distance over the states. */
  readonly trainedMaxSpread: number;
  /** Total variation between the trained and the initial mean: how far training moved the policy. */
  readonly moved: number;
}

/**
 * `distributions` holds, for each state of a run's archive, the first-decision distribution of the
 * trained policy and of its initial (reference) policy on that state's features. A policy that
 * learned when to write what has a trainedSpread well above initialSpread; one that learned only
 * what to write has moved > 0 and a spread near 0 (a bandit over programs).
 */
export function policyConditioning(
  distributions: readonly { trained: readonly number[]; initial: readonly number[] }[],
): PolicyConditioning {
  if (distributions.length === 0) throw new Error("policyConditioning needs at least one state");
  const mean = (key: "trained" | "initial") =>
    distributions[0][key].map((_, i) =>
      distributions.reduce((s, d) => s + d[key][i], 0) / distributions.length
    );
  const trainedMean = mean("trained"), initialMean = mean("initial");
  const spreads = (key: "trained" | "initial", m: number[]) =>
    distributions.map((d) => totalVariation(d[key], m));
  const trained = spreads("trained", trainedMean), initial = spreads("initial", initialMean);
  const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    states: distributions.length,
    trainedMean,
    initialMean,
    trainedSpread: average(trained),
    initialSpread: average(initial),
    trainedMaxSpread: Math.max(...trained),
    moved: totalVariation(trainedMean, initialMean),
  };
}
