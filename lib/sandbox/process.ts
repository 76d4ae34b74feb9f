/**
 * The mechanics shared by every sandbox: start a command in its own session (setsid,
 * so a timeout kills its children too), with resource limits (prlimit), optionally
 * without network (unshare -n), feed it stdin, capture capped stdout/stderr, and kill
 * the whole process group on a wall-clock timeout.
 */

export interface ProcessLimits {
  /** Wall clock; on expiry the whole process group gets SIGKILL. */
  readonly timeoutMs: number;
  /** RLIMIT_AS in MiB; omit for none (V8 reserves far more address space than it uses). */
  readonly addressSpaceMiB?: number;
  /** RLIMIT_CPU in seconds. */
  readonly cpuSeconds?: number;
  /** RLIMIT_FSIZE in MiB. */
  readonly fileSizeMiB?: number;
  /** Cap on captured stdout and on captured stderr, each; the rest is read and discarded. */
  readonly outputBytes: number;
  readonly cwd: string;
  /** Run in a fresh network namespace where the system allows it. */
  readonly noNetwork: boolean;
  /** The child's whole environment (nothing is inherited). */
  readonly env?: Record<string, string>;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
  readonly ms: number;
}

let networkIsolation: Promise<string[]> | undefined;

/** The unshare prefix that works here: `unshare -n` as root, `unshare -rn` in a user namespace, or none. */
export function networkIsolationPrefix(): Promise<string[]> {
  networkIsolation ??= (async () => {
    for (const prefix of [["unshare", "-n"], ["unshare", "-rn"]]) {
      try {
        const { success } = await new Deno.Command(prefix[0], {
          args: [...prefix.slice(1), "true"],
          stdout: "null",
          stderr: "null",
        }).output();
        if (success) return prefix;
      } catch {
        // unshare is missing: try the next form, then run without isolation.
      }
    }
    return [];
  })();
  return networkIsolation;
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

/** Runs `command args` under the limits and returns what it did; never throws for the child's failures. */
export async function runLimited(
  command: string,
  args: readonly string[],
  stdin: string,
  limits: ProcessLimits,
): Promise<ProcessResult> {
  const rlimits: string[] = [];
  if (limits.addressSpaceMiB !== undefined) {
    rlimits.push(`--as=${Math.round(limits.addressSpaceMiB * 2 ** 20)}`);
  }
  if (limits.cpuSeconds !== undefined) rlimits.push(`--cpu=${Math.ceil(limits.cpuSeconds)}`);
  if (limits.fileSizeMiB !== undefined) rlimits.push(`--fsize=${Math.round(limits.fileSizeMiB * 2 ** 20)}`);
  const isolation = limits.noNetwork ? await networkIsolationPrefix() : [];
  // setsid execs in place (the child is not a group leader), so child.pid is the group id.
  const argv = [
    ...(rlimits.length ? ["prlimit", ...rlimits, "--"] : []),
    ...isolation,
    command,
    ...args,
  ];
  const started = performance.now();
  const child = new Deno.Command("setsid", {
    args: argv,
    cwd: limits.cwd,
    clearEnv: true,
    env: limits.env ?? {},
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
  const [out, err] = await Promise.all([stdout, stderr]);
  return {
    exitCode: status.signal === null ? status.code : null,
    signal: status.signal,
    stdout: out.text,
    stderr: err.text,
    timedOut,
    outputTruncated: out.truncated || err.truncated,
    ms: performance.now() - started,
  };
}

/** A one-line reason for a failed run, from the most specific evidence available. */
export function describeFailure(
  r: ProcessResult,
  limits: { timeoutMs: number; memoryMiB?: number; memoryPatterns?: readonly RegExp[] },
): string | undefined {
  if (r.timedOut) return `timed out after ${(limits.timeoutMs / 1000).toFixed(1)} s`;
  const memory = limits.memoryPatterns?.some((p) => p.test(r.stderr));
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
