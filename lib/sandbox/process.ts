/**
 * The mechanics shared by every sandbox: start a command inside the jail (bubblewrap
 * namespaces, lib/sandbox/jail.ts) and its own cgroup, in its own session (setsid, so a
 * timeout kills its children too), with resource limits (prlimit), feed it stdin,
 * capture capped stdout/stderr, and kill everything it started on a wall-clock timeout.
 */
import { bwrapArgs, cgroupEntry, createCgroup, type JailSpec, requireBwrap, requireJail } from "./jail.ts";

export interface ProcessLimits {
  /** Wall clock; on expiry the whole process group gets SIGKILL. */
  readonly timeoutMs: number;
  /** RLIMIT_AS in MiB; omit for none (V8 reserves far more address space than it uses). */
  readonly addressSpaceMiB?: number;
  /** RLIMIT_CPU in seconds. */
  readonly cpuSeconds?: number;
  /** RLIMIT_FSIZE in MiB. */
  readonly fileSizeMiB?: number;
  /** All memory of everything the command starts (cgroup), MiB. */
  readonly memoryMiB: number;
  /** Most processes and threads at once (cgroup), default 128. */
  readonly pids?: number;
  /** Cap on captured stdout and on captured stderr, each; the rest is read and discarded. */
  readonly outputBytes: number;
  /** What the command sees of the file system, its working directory and whole environment. */
  readonly jail: JailSpec;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  /** The signal that ended the program (its own, inside the jail, or ours). */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
  /** The cgroup's OOM killer fired, or its memory limit was reached. */
  readonly memoryExceeded: boolean;
  readonly ms: number;
}

/** Reads a stream to the end, keeping at most `cap` bytes. */
async function readCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let kept = 0, truncated = false;
  for await (const chunk of stream) {
    if (kept >= cap) {
      truncated = true;
      continue;
    }
    const take = Math.min(chunk.length, cap - kept);
    if (take < chunk.length) truncated = true;
    chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    kept += take;
  }
  const all = new Uint8Array(kept);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { text: new TextDecoder().decode(all), truncated };
}

/** SIGKILL to the process group; before setsid has run the group does not exist yet, so the pid then. */
function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * bwrap reports a program killed by signal n as exit code 128 + n; these are the signals a
 * sandboxed program meets (a program that calls exit(139) itself reads as SIGSEGV too).
 */
const SIGNALS: Record<number, Deno.Signal> = {
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
  24: "SIGXCPU",
  25: "SIGXFSZ",
  31: "SIGSYS",
};

/** Runs `command args` in the jail under the limits; never throws for the child's failures. */
export async function runLimited(
  command: string,
  args: readonly string[],
  stdin: string,
  limits: ProcessLimits,
): Promise<ProcessResult> {
  const bwrap = requireBwrap();
  await requireJail();
  const rlimits: string[] = [];
  if (limits.addressSpaceMiB !== undefined) {
    rlimits.push(`--as=${Math.round(limits.addressSpaceMiB * 2 ** 20)}`);
  }
  if (limits.cpuSeconds !== undefined) rlimits.push(`--cpu=${Math.ceil(limits.cpuSeconds)}`);
  if (limits.fileSizeMiB !== undefined) rlimits.push(`--fsize=${Math.round(limits.fileSizeMiB * 2 ** 20)}`);
  // No core dumps: a crashing program must not write its memory anywhere.
  rlimits.push("--core=0");
  const cgroup = createCgroup(limits.memoryMiB, limits.pids ?? 128);
  // setsid execs in place (the child is not a group leader), so child.pid is the group id.
  const argv = [
    ...cgroupEntry(cgroup),
    "prlimit",
    ...rlimits,
    "--",
    bwrap,
    ...bwrapArgs(limits.jail),
    command,
    ...args,
  ];
  const started = performance.now();
  try {
    const child = new Deno.Command("setsid", {
      args: argv,
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, limits.timeoutMs);
    const stdout = readCapped(child.stdout, limits.outputBytes);
    const stderr = readCapped(child.stderr, limits.outputBytes);
    const writer = child.stdin.getWriter();
    // A child that exits without reading its input closes the pipe: that is not our error.
    await writer.write(new TextEncoder().encode(stdin)).catch(() => {});
    await writer.close().catch(() => {});
    const status = await child.status;
    clearTimeout(timer);
    // Children it left behind hold the pipes open and must not outlive it.
    killGroup(child.pid);
    const memory = cgroup?.memory() ?? "ok";
    cgroup?.close();
    const [out, err] = await Promise.all([stdout, stderr]);
    const killedBy = status.signal ?? (timedOut ? null : SIGNALS[status.code - 128] ?? null);
    return {
      exitCode: killedBy === null ? status.code : null,
      signal: killedBy,
      stdout: out.text,
      stderr: err.text,
      timedOut,
      outputTruncated: out.truncated || err.truncated,
      memoryExceeded: memory === "killed" || (memory === "hit" && status.signal === "SIGKILL" && !timedOut),
      ms: performance.now() - started,
    };
  } finally {
    cgroup?.close();
  }
}

/** A one-line reason for a failed run, from the most specific evidence available. */
export function describeFailure(
  r: ProcessResult,
  limits: { timeoutMs: number; memoryMiB?: number; memoryPatterns?: readonly RegExp[] },
): string | undefined {
  if (r.timedOut) return `timed out after ${(limits.timeoutMs / 1000).toFixed(1)} s`;
  const memory = r.memoryExceeded || limits.memoryPatterns?.some((p) => p.test(r.stderr));
  if (memory) return `exceeded memory limit${limits.memoryMiB ? ` of ${limits.memoryMiB} MiB` : ""}`;
  if (r.signal === "SIGXCPU") return "exceeded CPU time limit";
  if (r.signal === "SIGXFSZ") return "exceeded file size limit";
  if (r.signal !== null) return `killed by ${r.signal}`;
  if (r.exitCode !== 0) return `exited with code ${r.exitCode}`;
  return undefined;
}

/** The last `n` characters, for error messages and prompts. */
export function tail(text: string, n: number): string {
  return text.length <= n ? text : text.slice(text.length - n);
}
