/**
 * Measures a kernel: compiles it (cached by source hash) with the baseline's flags,
 * then runs the C timing harness as a separate, limited process (own process group,
 * address-space, CPU and file-size limits, no network). Generated C never runs in the
 * Deno process, nor in the harness's: the harness runs each kernel in a confined process
 * of its own and takes the times and the verdict outside it (c/harness.c). One call = one
 * harness process: warm-up, timed rounds interleaved with the baseline, fresh inputs and
 * a float64 check on every run.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { compileNative, runNative } from "../../lib/sandbox/native.ts";
import { cSource, KERNEL_FLAGS, kernelSource, sourceHash } from "./kernels.ts";
import type { KernelSpec } from "./kernels.ts";
import { type Suite, trimulFlops } from "./shapes.ts";

export interface ShapeTiming {
  readonly B: number;
  readonly N: number;
  readonly C: number;
  readonly H: number;
  /** Timed runs, in order (the warm-up is not among them). */
  readonly candidateMs: number[];
  readonly baselineMs: number[];
  /** Worst error ratio |out - ref| / (atol + rtol |ref|) over every checked run (<= 1 passes). */
  readonly worst: number;
}

export interface Measurement {
  readonly sourceHash: string;
  readonly suite: Suite;
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly shapes: ShapeTiming[];
  readonly compileMs: number;
  readonly runMs: number;
}

export interface MeasureOptions {
  /** Compiled artefacts, keyed by source hash; default a folder in the system temp dir. */
  readonly cacheDir?: string;
  /** Address-space limit of the harness process (MiB). */
  readonly memoryMiB?: number;
  /** Seconds per GFLOP allowed to one candidate call (plus one second); default 8 (2 cores, shared). */
  readonly secondsPerGflop?: number;
}

/** Compiled kernels and the measurement ledger live in the user's cache (not /tmp: they outlive a run). */
export function defaultCacheDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? join(Deno.env.get("HOME")!, ".cache") : undefined);
  return cache ? join(cache, "ttt-discover", "trimul") : join(Deno.env.get("TMPDIR") ?? "/tmp", "ttt-trimul");
}

// ------------------------------------------------------------------ the measurement ledger
//
// A state carries its measurement, and states come back from model-written programs: a made-up
// measurement (speed-up 999,999) must not count. Every measurement this harness takes is
// recorded, by the digest of its whole content, in an append-only ledger in the cache (sandboxed
// programs cannot reach it); the verifier accepts only measurements found there. The ledger is a
// file, so rollout workers, the main thread and a resumed run all see the same one.

const ledger = new Set<string>();
let ledgerSize = -1;

export function ledgerPath(): string {
  return join(defaultCacheDir(), "measurements.ledger");
}

/** JSON with sorted keys, so a measurement's digest survives any round trip through storage. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function measurementDigest(m: Measurement): string {
  return createHash("sha256").update(canonical(m)).digest("hex");
}

function recordMeasurement(m: Measurement): void {
  const digest = measurementDigest(m);
  ledger.add(digest);
  Deno.mkdirSync(defaultCacheDir(), { recursive: true });
  // One short line per append (O_APPEND): concurrent writers never interleave within a line.
  Deno.writeTextFileSync(ledgerPath(), digest + "\n", { append: true });
}

/** Whether this toolkit's harness took exactly this measurement (here or in an earlier process). */
export function measuredByHarness(m: Measurement): boolean {
  const digest = measurementDigest(m);
  if (ledger.has(digest)) return true;
  try {
    const size = Deno.statSync(ledgerPath()).size;
    if (size !== ledgerSize) {
      for (const line of Deno.readTextFileSync(ledgerPath()).split("\n")) if (line) ledger.add(line);
      ledgerSize = size;
    }
  } catch {
    return false;
  }
  return ledger.has(digest);
}

const HARNESS_FLAGS = [...KERNEL_FLAGS, "-Wl,--no-as-needed", "-lm", "-ldl"];

/** Compiles the harness (with the C reference) as an executable; cached. */
async function compileHarness(cacheDir: string): Promise<string> {
  const source = cSource("harness.c") + "\n" + cSource("reference.c");
  const r = await compileNative(source, { language: "c", flags: HARNESS_FLAGS, cacheDir });
  if (!r.ok || !r.path) throw new Error(`the timing harness does not compile: ${r.error}`);
  return r.path;
}

export async function compileKernel(source: string, cacheDir = defaultCacheDir()) {
  return await compileNative(source, {
    language: "c",
    flags: [...KERNEL_FLAGS],
    sharedLibrary: true,
    cacheDir,
    timeoutMs: 60_000,
  });
}

/** Per-call limit of the candidate on one shape, in seconds. */
export function callLimitSeconds(shape: { B: number; N: number; C: number; H: number }, secondsPerGflop = 8) {
  return 1 + secondsPerGflop * trimulFlops(shape) / 1e9;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Speed-up per shape (median baseline / median candidate) and their geometric mean. */
export function speedups(m: Pick<Measurement, "shapes">): { perShape: number[]; geomean: number } {
  const perShape = m.shapes.map((s) => median(s.baselineMs) / median(s.candidateMs));
  const geomean = Math.exp(perShape.reduce((a, v) => a + Math.log(v), 0) / perShape.length);
  return { perShape, geomean };
}

function randomNonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

function memoryMiB(options: MeasureOptions): number {
  return options.memoryMiB ?? 1024;
}

/** Runs the harness on already-built artefacts and parses its report. */
async function runHarness(
  harness: string,
  candidate: string,
  baseline: string | null,
  suite: Suite,
  seed: number,
  options: MeasureOptions,
): Promise<{ ok: boolean; error?: string; shapes: ShapeTiming[]; ms: number }> {
  const nonce = randomNonce();
  const perGflop = options.secondsPerGflop ?? 8;
  const spec = [`nonce ${nonce}`, `seed ${seed}`, `rounds ${suite.rounds}`]
    .concat(suite.shapes.map((s) => `shape ${s.B} ${s.N} ${s.C} ${s.H} ${callLimitSeconds(s, perGflop)}`))
    .join("\n") + "\n";
  // Backstop for the whole process: every call at its limit, baseline and reference at the same budget.
  const timeoutMs = 1000 *
    (10 + suite.shapes.reduce((t, s) => t + (suite.rounds + 1) * 3 * callLimitSeconds(s, perGflop), 0));
  const r = await runNative(harness, [candidate, baseline ?? "-"], spec, {
    timeoutMs,
    memoryMiB: memoryMiB(options),
    cpuSeconds: (2 * timeoutMs) / 1000 + 1,
    // The harness writes no files, but sizes the memfd it shares with a kernel's process (which
    // counts as a file); each kernel's process lowers this to 0 for itself before loading the kernel.
    fileSizeMiB: memoryMiB(options),
    files: [candidate, ...(baseline ? [baseline] : [])],
  });
  const shapes: { -readonly [K in keyof ShapeTiming]: ShapeTiming[K] }[] = suite.shapes.map((s) => ({
    ...s,
    candidateMs: [],
    baselineMs: [],
    worst: 0,
  }));
  let failure: string | undefined, done = false;
  for (const line of r.stdout.split("\n")) {
    const f = line.split(" ");
    if (f[0] !== nonce) continue;
    if (f[1] === "done") done = true;
    else if (f[1] === "fail") failure ??= f.slice(5).join(" ");
    else if (f[1] === "run" && f.length === 9) {
      const s = shapes[Number(f[2])];
      if (!s) continue;
      const round = Number(f[3]);
      s.worst = Math.max(s.worst, Number(f[7]));
      if (round > 0) {
        s.candidateMs.push(Number(f[5]) * 1000);
        if (baseline) s.baselineMs.push(Number(f[6]) * 1000);
      }
    }
  }
  if (failure) return { ok: false, error: failure, shapes, ms: r.ms };
  if (!r.ok || !done) {
    const said = r.stderr.trim().split("\n").filter((l) => l).pop();
    const reason = said && /^(crash|time limit|exceeded|cannot load|the candidate|harness)/.test(said)
      ? said
      : [r.error ?? "the harness stopped before it finished", said].filter(Boolean).join(": ");
    return { ok: false, error: reason, shapes, ms: r.ms };
  }
  return { ok: true, shapes, ms: r.ms };
}

/**
 * Compiles and measures one kernel on a suite; never throws for the kernel's faults
 * (compile errors, wrong answers, crashes, time limits come back as ok: false).
 */
export async function measureKernel(
  spec: KernelSpec,
  suite: Suite,
  seed: number,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const source = kernelSource(spec);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const base = { sourceHash: sourceHash(source), suite, seed: seed >>> 0 };
  const [harness, baseline, candidate] = await Promise.all([
    compileHarness(cacheDir),
    compileKernel(cSource("baseline.c"), cacheDir),
    compileKernel(source, cacheDir),
  ]);
  if (!baseline.ok || !baseline.path) throw new Error(`the baseline does not compile: ${baseline.error}`);
  if (!candidate.ok || !candidate.path) {
    return {
      ...base,
      ok: false,
      error: candidate.error ?? "compile failed",
      shapes: [],
      compileMs: candidate.ms,
      runMs: 0,
    };
  }
  const r = await runHarness(harness, candidate.path, baseline.path, suite, base.seed, options);
  const measurement: Measurement = {
    ...base,
    ok: r.ok,
    ...(r.ok ? {} : { error: r.error }),
    shapes: r.shapes,
    compileMs: candidate.ms,
    runMs: r.ms,
  };
  recordMeasurement(measurement);
  return measurement;
}

/** The harness's inputs and float64 reference for one small shape (for tests and notebooks). */
export async function harnessDump(
  shape: { B: number; N: number; C: number; H: number },
  distribution: "normal" | "cauchy",
  seed: number,
  cacheDir = defaultCacheDir(),
): Promise<Record<string, number[]>> {
  const harness = await compileHarness(cacheDir);
  const nonce = randomNonce();
  const r = await runNative(
    harness,
    ["-", "-"],
    `nonce ${nonce}\nseed ${seed}\ndump ${shape.B} ${shape.N} ${shape.C} ${shape.H} ${distribution}\n`,
    {
      timeoutMs: 30_000,
      outputBytes: 64 * 2 ** 20,
    },
  );
  if (!r.ok || r.outputTruncated) {
    throw new Error(`harness dump failed: ${r.error ?? "output truncated"} ${r.stderr}`);
  }
  const arrays: Record<string, number[]> = {};
  for (const line of r.stdout.split("\n")) {
    const [name, ...values] = line.split(" ");
    if (name && name !== nonce) arrays[name] = values.map(parseHexFloat);
  }
  return arrays;
}

/** Parses C's %a output (e.g. -0x1.8p+1). */
export function parseHexFloat(text: string): number {
  const m = /^(-?)0x([01])(?:\.([0-9a-f]*))?p([+-]\d+)$/i.exec(text.trim());
  if (!m) {
    if (/^-?inf/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
    if (/nan/i.test(text)) return NaN;
    throw new Error(`not a hex float: ${text}`);
  }
  const frac = m[3] ?? "";
  const mantissa = Number(m[2]) + (frac ? parseInt(frac, 16) / 16 ** frac.length : 0);
  return (m[1] ? -1 : 1) * mantissa * 2 ** Number(m[4]);
}
