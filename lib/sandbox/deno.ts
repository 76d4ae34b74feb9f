/**
 * Runs a generated TypeScript program in a separate `deno run` with no permissions at
 * all, inside the OS jail (lib/sandbox/jail.ts): it sees its own code, its input on
 * stdin and the runtime, nothing else of the host, and no network; a cgroup caps all of
 * its memory (every thread and Worker, typed arrays, tmpfs), a tmpfs with a private,
 * per-run DENO_DIR caps its disk, and a wall-clock timeout kills it. The program
 * defines one function; a harness calls it with the input and prints the returned value
 * as JSON after a marker line, which the parent parses. Nothing the program says about
 * its own quality is trusted: the caller verifies what it returns.
 */
import { join } from "node:path";
import { describeFailure, runLimited, tail } from "./process.ts";
import { sharedLibraries } from "./jail.ts";

export interface DenoRunLimits {
  /** Wall clock, default 60_000. */
  readonly timeoutMs?: number;
  /** V8 old-space cap (--max-old-space-size), default 512. */
  readonly heapMiB?: number;
  /** All memory of the program's process (cgroup): heap, typed arrays, Workers; default heapMiB + 192. */
  readonly memoryMiB?: number;
  /** Cap on captured stdout/stderr each, default 1 MiB. */
  readonly outputBytes?: number;
  /** The tmpfs holding the run's DENO_DIR (localStorage, caches), MiB; default 32. */
  readonly diskMiB?: number;
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

/** Where things are inside the jail. */
const INSIDE = { work: "/work", deno: "/runtime/deno", denoDir: "/tmp/deno-dir" } as const;

function harness(entry: string): string {
  // Everything the harness needs after the program's module has run is captured first, so a
  // program that replaces JSON.stringify, Deno.exit or prototypes cannot break the reply. The
  // nonce comes on stdin, read before the program's module is evaluated: the program cannot
  // consume stdin or learn the nonce, so it cannot forge the result line.
  return `const stringify = JSON.stringify;
const exit = Deno.exit.bind(Deno);
const write = Deno.stdout.writeSync.bind(Deno.stdout);
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const subarray = Function.prototype.call.bind(Uint8Array.prototype.subarray);
const StringOf = String;
const text = await new Response(Deno.stdin.readable).text();
const newline = text.indexOf("\\n");
const nonce = text.slice(0, newline);
const input = JSON.parse(text.slice(newline + 1));
function describe(e) {
  try {
    return e instanceof Error ? StringOf(e.name) + ": " + StringOf(e.message) : StringOf(e);
  } catch {
    return "the program threw a value that cannot be described";
  }
}
function isDenied(e) {
  try {
    return e?.name === "NotCapable" || e?.name === "PermissionDenied";
  } catch {
    return false;
  }
}
let reply;
try {
  const mod = await import("./program.ts");
  const fn = mod[${JSON.stringify(entry)}] ?? globalThis[${JSON.stringify(entry)}];
  if (typeof fn !== "function") {
    reply = { ok: false, error: ${JSON.stringify(`the program defines no function ${entry}`)} };
  } else {
    const value = await fn(input);
    const json = stringify(value);
    reply = typeof json !== "string"
      ? { ok: false, error: ${JSON.stringify(`${entry} returned undefined`)} }
      : { ok: true, json };
  }
} catch (e) {
  reply = { ok: false, error: describe(e), denied: isDenied(e) };
}
let line;
try {
  line = "\\n" + ${JSON.stringify(RESULT_MARK)} + nonce + stringify(reply) + "\\n";
} catch {
  line = "\\n" + ${
    JSON.stringify(RESULT_MARK)
  } + nonce + '{"ok":false,"error":"the result could not be written"}\\n';
}
const bytes = encode(line);
let at = 0;
while (at < bytes.length) at += write(subarray(bytes, at));
// Timers or Workers the program left running must not hold the run until its timeout.
exit(0);
`;
}

/** Deno's permission errors name the flag; collect which kinds were denied. */
function deniedPermissions(text: string): string[] {
  const kinds = new Set<string>();
  for (const m of text.matchAll(/Requires (\w+) access/g)) kinds.add(m[1]);
  return [...kinds];
}

type Reply = { ok: boolean; json?: string; error?: string; denied?: boolean };

/** The harness's reply line, or undefined when it is not one (never throws). */
function readReply(line: string): Reply | undefined {
  try {
    const r = JSON.parse(line);
    if (typeof r !== "object" || r === null || typeof r.ok !== "boolean") return undefined;
    return {
      ok: r.ok,
      json: typeof r.json === "string" ? r.json : undefined,
      error: typeof r.error === "string" ? r.error : undefined,
      denied: r.denied === true,
    };
  } catch {
    return undefined;
  }
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
  const memoryMiB = limits.memoryMiB ?? heapMiB + 192;
  const outputBytes = limits.outputBytes ?? MIB;
  const nonce = crypto.randomUUID();
  // Per run, removed at the end; the program sees these two files read-only and nothing else of it.
  const work = Deno.makeTempDirSync({ prefix: "ttt-sandbox-deno-" });
  try {
    Deno.writeTextFileSync(join(work, "program.ts"), withExport(source, entry));
    Deno.writeTextFileSync(join(work, "main.ts"), harness(entry));
    const r = await runLimited(
      INSIDE.deno,
      [
        "run",
        "--no-config",
        "--no-lock",
        "--no-prompt",
        "--no-npm",
        "--no-remote",
        "--quiet",
        `--v8-flags=--max-old-space-size=${heapMiB}`,
        `${INSIDE.work}/main.ts`,
      ],
      `${nonce}\n${JSON.stringify(input)}`,
      {
        timeoutMs,
        // The result line must fit even when the program printed up to the cap itself.
        outputBytes,
        memoryMiB,
        pids: 256,
        fileSizeMiB: 8,
        jail: {
          // Deno's own libraries (libc and a few more) and nothing else of /usr, where ldd can tell.
          libraries: sharedLibraries(Deno.execPath()),
          cwd: INSIDE.work,
          tmpfsMiB: limits.diskMiB ?? 32,
          mounts: [
            { host: Deno.execPath(), inside: INSIDE.deno },
            { host: join(work, "program.ts"), inside: `${INSIDE.work}/program.ts` },
            { host: join(work, "main.ts"), inside: `${INSIDE.work}/main.ts` },
          ],
          env: { DENO_DIR: INSIDE.denoDir, HOME: "/tmp", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        },
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
    const failure = describeFailure(r, {
      timeoutMs,
      memoryMiB,
      memoryPatterns: [/heap limit/i, /out of memory/i],
    });
    // A run that timed out or was killed is invalid even when a result line had come out first.
    if (at < 0 || r.timedOut || r.memoryExceeded) {
      const detail = lastErrorLine(r.stderr);
      let error = failure ?? "the program ended before returning a result";
      if (r.outputTruncated && !r.timedOut) error = `output exceeded ${outputBytes} bytes (${error})`;
      if (detail && !r.timedOut && !r.memoryExceeded) error += `: ${detail}`;
      return { ...base, ok: false, error, denied };
    }
    const reply = readReply(r.stdout.slice(at + mark.length).split("\n")[0]);
    if (!reply) return { ...base, ok: false, error: "the result could not be read back", denied };
    if (!reply.ok) {
      const error = tail(reply.error ?? "failed", 2000);
      return { ...base, ok: false, error, denied: [...new Set([...denied, ...deniedPermissions(error)])] };
    }
    let value: unknown;
    try {
      value = JSON.parse(reply.json ?? "");
    } catch {
      return { ...base, ok: false, error: "the returned value is not valid JSON", denied };
    }
    return { ...base, ok: true, value, denied };
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
