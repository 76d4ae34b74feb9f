/**
 * Runs a generated TypeScript program in a separate `deno run` with no permissions at
 * all (no files, network, environment or subprocesses), a V8 heap cap, a wall-clock
 * timeout that kills its process group, and capped output. The program defines one
 * function; a harness calls it with the input and prints the returned value as JSON
 * after a marker line, which the parent parses. Nothing the program says about its
 * own quality is trusted: the caller verifies what it returns.
 */
import { join } from "node:path";
import { describeFailure, runLimited, tail } from "./process.ts";

export interface DenoRunLimits {
  /** Wall clock, default 60_000. */
  readonly timeoutMs?: number;
  /** V8 old-space cap (--max-old-space-size), default 512. */
  readonly heapMiB?: number;
  /** Cap on captured stdout/stderr each, default 1 MiB. */
  readonly outputBytes?: number;
  /** Run in a new network namespace where available (on top of Deno's own denial), default true. */
  readonly noNetwork?: boolean;
}

export interface DenoRunResult {
  /** The function returned and its value came back as JSON. */
  readonly ok: boolean;
  /** What the function returned (JSON round-trip), when ok. */
  readonly value?: unknown;
  /** What the program printed, without the harness's result line. */
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
  readonly ms: number;
  /** A clear one-line reason when !ok. */
  readonly error?: string;
  /** Permissions the program asked for and was denied (e.g. "read", "net"), if it let the error escape. */
  readonly denied: readonly string[];
}

const MIB = 2 ** 20;

/** Matches what the harness prints; a per-run nonce keeps program output from colliding with it. */
const RESULT_MARK = "\u0000sandbox-result:";

function harness(nonce: string, entry: string): string {
  // Reads its input before the program's module is evaluated, so the program cannot consume stdin.
  return `const input = JSON.parse(await new Response(Deno.stdin.readable).text());
let reply;
try {
  const mod = await import("./program.ts");
  const fn = mod[${JSON.stringify(entry)}] ?? globalThis[${JSON.stringify(entry)}];
  if (typeof fn !== "function") {
    reply = { ok: false, error: ${JSON.stringify(`the program defines no function ${entry}`)} };
  } else {
    const value = await fn(input);
    const json = JSON.stringify(value);
    reply = json === undefined
      ? { ok: false, error: ${JSON.stringify(`${entry} returned undefined`)} }
      : { ok: true, json };
  }
} catch (e) {
  const message = e instanceof Error ? (e.name + ": " + e.message) : String(e);
  reply = { ok: false, error: message, denied: e?.name === "NotCapable" || e?.name === "PermissionDenied" };
}
const text = ${JSON.stringify(RESULT_MARK + nonce)} + JSON.stringify(reply) + "\\n";
const bytes = new TextEncoder().encode("\\n" + text);
let at = 0;
while (at < bytes.length) at += Deno.stdout.writeSync(bytes.subarray(at));
`;
}

/** Deno's permission errors name the flag; collect which kinds were denied. */
function deniedPermissions(text: string): string[] {
  const kinds = new Set<string>();
  for (const m of text.matchAll(/Requires (\w+) access/g)) kinds.add(m[1]);
  return [...kinds];
}

let cacheDir: string | undefined;

/** One transpile cache for all sandboxed runs (the programs cannot read it: no permissions). */
function sandboxDenoDir(): string {
  cacheDir ??= Deno.makeTempDirSync({ prefix: "sandbox-deno-dir-" });
  return cacheDir;
}

/**
 * Runs `source` (a TypeScript module) and calls its function `entry` with `input`.
 * Never throws for anything the program does.
 */
export async function runDenoProgram(
  source: string,
  entry: string,
  input: unknown,
  limits: DenoRunLimits = {},
): Promise<DenoRunResult> {
  const timeoutMs = limits.timeoutMs ?? 60_000;
  const heapMiB = limits.heapMiB ?? 512;
  const outputBytes = limits.outputBytes ?? MIB;
  const nonce = crypto.randomUUID();
  const work = Deno.makeTempDirSync({ prefix: "sandbox-deno-" });
  try {
    Deno.writeTextFileSync(join(work, "program.ts"), withExport(source, entry));
    Deno.writeTextFileSync(join(work, "main.ts"), harness(nonce, entry));
    const r = await runLimited(
      Deno.execPath(),
      [
        "run",
        "--no-config",
        "--no-lock",
        "--no-prompt",
        "--no-npm",
        "--no-remote",
        "--quiet",
        `--v8-flags=--max-old-space-size=${heapMiB}`,
        join(work, "main.ts"),
      ],
      JSON.stringify(input),
      {
        timeoutMs,
        // The result line must fit even when the program printed up to the cap itself.
        outputBytes,
        cwd: work,
        noNetwork: limits.noNetwork ?? true,
        fileSizeMiB: 1,
        env: { DENO_DIR: sandboxDenoDir(), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      },
    );
    const mark = RESULT_MARK + nonce;
    const at = r.stdout.lastIndexOf(mark);
    const printed = at >= 0 ? r.stdout.slice(0, Math.max(0, at - 1)) : r.stdout;
    const base = {
      stdout: printed,
      stderr: r.stderr,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      outputTruncated: r.outputTruncated,
      ms: r.ms,
    };
    const denied = deniedPermissions(r.stderr);
    if (at < 0) {
      const failure = describeFailure(r, {
        timeoutMs,
        memoryMiB: heapMiB,
        memoryPatterns: [/heap limit/i, /out of memory/i],
      });
      const detail = lastErrorLine(r.stderr);
      let error = failure ?? "the program ended before returning a result";
      if (r.outputTruncated && !r.timedOut) error = `output exceeded ${outputBytes} bytes (${error})`;
      if (detail && !r.timedOut) error += `: ${detail}`;
      return { ...base, ok: false, error, denied };
    }
    const line = r.stdout.slice(at + mark.length).split("\n")[0];
    let reply: { ok: boolean; json?: string; error?: string; denied?: boolean };
    try {
      reply = JSON.parse(line);
    } catch {
      return { ...base, ok: false, error: "the result could not be read back", denied };
    }
    if (!reply.ok) {
      const error = reply.error ?? "failed";
      return { ...base, ok: false, error, denied: [...new Set([...denied, ...deniedPermissions(error)])] };
    }
    return { ...base, ok: true, value: JSON.parse(reply.json!), denied };
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}

/** Models often define the function without exporting it; export it for them when it is declared. */
export function withExport(source: string, entry: string): string {
  const name = entry.replace(/[^\w$]/g, "");
  const declared = new RegExp(
    `(^|[^\\w$.])(function\\s*\\*?\\s*|const\\s+|let\\s+|var\\s+)${name}(?![\\w$])`,
  );
  const exported = new RegExp(
    `export\\s+(async\\s+)?(function\\s*\\*?\\s*|const\\s+|let\\s+|var\\s+)${name}(?![\\w$])|export\\s*\\{[^}]*\\b${name}\\b`,
  );
  if (!declared.test(source) || exported.test(source)) return source;
  return `${source}\nexport { ${name} };\n`;
}

/** The line of stderr that says what went wrong (Deno prints "error: ..." for uncaught ones). */
function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^error:/i.test(l) || /Fatal|heap limit/i.test(l));
  return error ? tail(error.replace(/^error:\s*/i, ""), 300) : undefined;
}
