/**
 * Compiles C/C++ with the system compiler and runs the result under limits, both inside
 * the OS jail (lib/sandbox/jail.ts: namespaces, no network, an unprivileged user, a
 * cgroup for all memory and tasks). The compiler sees the system toolchain read-only and
 * its own build folder; a program sees the system libraries, its executable and the
 * files its caller names (read-only), and an empty tmpfs as its working directory.
 * Both get their own process group (killed whole on timeout), address-space, CPU and
 * file-size limits, and capped output.
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { describeFailure, runLimited, tail } from "./process.ts";

export type NativeLanguage = "c" | "c++";

export interface CompileOptions {
  language: NativeLanguage;
  /** Default c++: ["-O2", "-std=c++20"], c: ["-O2"]. */
  flags?: string[];
  /** -shared -fPIC, output .so */
  sharedLibrary?: boolean;
  /** Compiled artefacts cached by sha256(source + flags + compiler version); default nativeCacheDir(). */
  cacheDir?: string;
  /** Compile time limit, default 60_000. */
  timeoutMs?: number;
}

export interface CompileResult {
  ok: boolean;
  path?: string;
  error?: string;
  cached: boolean;
  ms: number;
}

export interface RunLimits {
  /** Wall clock; on expiry the whole process group is killed (SIGKILL). */
  timeoutMs: number;
  /** Address-space limit (RLIMIT_AS), default 1024. */
  memoryMiB?: number;
  /** RLIMIT_CPU */
  cpuSeconds?: number;
  /** RLIMIT_FSIZE, default 1 */
  fileSizeMiB?: number;
  /** Cap on captured stdout/stderr each, default 1 MiB (the rest is discarded, flagged). */
  outputBytes?: number;
  /** Host files the program may read (e.g. libraries it loads), visible read-only at the same path. */
  files?: readonly string[];
}

export interface RunResult {
  /** Exited 0, not timed out, not killed. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTruncated: boolean;
  ms: number;
  /** A clear one-line reason when !ok ("timed out after 2.0 s", "killed by SIGSEGV", ...). */
  error?: string;
}

const COMPILERS: Record<NativeLanguage, string> = { c: "gcc", "c++": "g++" };
const DEFAULT_FLAGS: Record<NativeLanguage, string[]> = { c: ["-O2"], "c++": ["-O2", "-std=c++20"] };
const MIB = 2 ** 20;
/** The build folder as the compiler sees it. */
const BUILD = "/build";

const compilerVersions = new Map<string, Promise<string>>();

function compilerVersion(compiler: string): Promise<string> {
  let v = compilerVersions.get(compiler);
  if (!v) {
    v = new Deno.Command(compiler, { args: ["--version"], stdout: "piped", stderr: "null" }).output()
      .then((o) => new TextDecoder().decode(o.stdout).split("\n")[0])
      .catch(() => "unknown");
    compilerVersions.set(compiler, v);
  }
  return v;
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Where compiled programs are kept when the caller names no folder: the user's cache, never /tmp. */
export function nativeCacheDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? join(Deno.env.get("HOME")!, ".cache") : undefined);
  return cache ? join(cache, "ttt-discover", "native") : join(Deno.env.get("TMPDIR") ?? "/tmp", "ttt-native");
}

export async function compileNative(source: string, options: CompileOptions): Promise<CompileResult> {
  const started = performance.now();
  const cacheDir = options.cacheDir ?? nativeCacheDir();
  const compiler = COMPILERS[options.language];
  const flags = [...(options.flags ?? DEFAULT_FLAGS[options.language])];
  if (options.sharedLibrary) flags.push("-shared", "-fPIC");
  const version = await compilerVersion(compiler);
  const hash = createHash("sha256")
    .update(JSON.stringify([options.language, source, flags, version]))
    .digest("hex")
    .slice(0, 32);
  const ext = options.language === "c" ? "c" : "cpp";
  // Most model-written C++ includes <bits/stdc++.h>: its precompiled form saves ~1.6 s a compile.
  const pch = options.language === "c++" && STDCPP.test(source)
    ? await stdcppHeader(compiler, flags, version, cacheDir)
    : undefined;
  const artefact = `${hash}${options.sharedLibrary ? ".so" : ".bin"}`;
  const cachedPath = join(cacheDir, artefact);
  if (exists(cachedPath)) {
    return { ok: true, path: cachedPath, cached: true, ms: performance.now() - started };
  }
  const work = Deno.makeTempDirSync({ prefix: "ttt-native-compile-" });
  try {
    const sourcePath = join(work, `program.${ext}`);
    Deno.writeTextFileSync(sourcePath, source);
    const outPath = join(work, artefact);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const inside = (p: string) => `${BUILD}/${p.slice(work.length + 1)}`;
    // Inside the jail: `#include "/any/host/file"` finds only the toolchain's own files.
    const pchFlags = pch ? ["-I", PCH_DIR] : [];
    const r = await runLimited(
      compiler,
      [...flags, ...pchFlags, "-o", inside(outPath), inside(sourcePath)],
      "",
      {
        timeoutMs,
        outputBytes: MIB,
        memoryMiB: 2048,
        pids: 64,
        fileSizeMiB: 256,
        jail: {
          cwd: BUILD,
          tmpfsMiB: 512,
          wholeUsr: true,
          mounts: [
            { host: work, inside: BUILD, writable: true },
            ...(pch ? [{ host: pch, inside: PCH_DIR }] : []),
          ],
          env: { PATH: "/usr/bin:/bin", TMPDIR: "/tmp" },
        },
      },
    );
    if (r.timedOut || r.exitCode !== 0 || !exists(outPath)) {
      const reason = r.timedOut
        ? `compile timed out after ${(timeoutMs / 1000).toFixed(1)} s`
        : `compile error: ${tail(r.stderr.trim(), 2000) || describeFailure(r, { timeoutMs })}`;
      return { ok: false, error: reason, cached: false, ms: performance.now() - started };
    }
    Deno.mkdirSync(cacheDir, { recursive: true });
    // Rename within the cache directory so concurrent compiles of one source never see half a file.
    const staging = `${cachedPath}.${crypto.randomUUID()}.tmp`;
    Deno.copyFileSync(outPath, staging);
    Deno.renameSync(staging, cachedPath);
    return { ok: true, path: cachedPath, cached: false, ms: performance.now() - started };
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}

const STDCPP = /^\s*#\s*include\s*<bits\/stdc\+\+\.h>/m;
/** Where the precompiled-header folder is inside the compiler's jail. */
const PCH_DIR = "/pch";
const headers = new Map<string, Promise<string | undefined>>();

/**
 * A folder holding bits/stdc++.h.gch, <bits/stdc++.h> precompiled with exactly these flags by this
 * compiler (g++ uses it when the folder comes first on the include path, and falls back to the header
 * itself when it does not match). Built once, in the jail, into the cache; undefined when it cannot be.
 */
function stdcppHeader(compiler: string, flags: string[], version: string, cacheDir: string) {
  const key = createHash("sha256").update(JSON.stringify(["stdc++.h", flags, version])).digest("hex").slice(
    0,
    32,
  );
  let made = headers.get(key);
  if (!made) {
    made = buildStdcppHeader(compiler, flags, join(cacheDir, `pch-${key}`)).catch(() => undefined);
    headers.set(key, made);
  }
  return made;
}

async function buildStdcppHeader(
  compiler: string,
  flags: string[],
  dir: string,
): Promise<string | undefined> {
  const gch = join(dir, "bits", "stdc++.h.gch");
  if (exists(gch)) return dir;
  // Where this compiler's <bits/stdc++.h> is (the preprocessor's first line marker for it).
  const pre = new Deno.Command(compiler, {
    args: [...flags, "-x", "c++", "-E", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = pre.stdin.getWriter();
  await writer.write(new TextEncoder().encode("#include <bits/stdc++.h>\n"));
  await writer.close();
  const text = new TextDecoder().decode((await pre.output()).stdout);
  const header = /^# 1 "(\/[^"]*\/bits\/stdc\+\+\.h)"/m.exec(text)?.[1];
  if (!header) return undefined;
  const work = Deno.makeTempDirSync({ prefix: "ttt-native-pch-" });
  try {
    const r = await runLimited(
      compiler,
      [...flags, "-x", "c++-header", header, "-o", `${BUILD}/stdc++.h.gch`],
      "",
      {
        timeoutMs: 120_000,
        outputBytes: MIB,
        memoryMiB: 2048,
        pids: 64,
        fileSizeMiB: 1024,
        jail: {
          cwd: BUILD,
          tmpfsMiB: 512,
          wholeUsr: true,
          mounts: [{ host: work, inside: BUILD, writable: true }],
          env: { PATH: "/usr/bin:/bin", TMPDIR: "/tmp" },
        },
      },
    );
    const built = join(work, "stdc++.h.gch");
    if (r.timedOut || r.exitCode !== 0 || !exists(built)) return undefined;
    Deno.mkdirSync(join(dir, "bits"), { recursive: true });
    const staging = `${gch}.${crypto.randomUUID()}.tmp`;
    Deno.copyFileSync(built, staging);
    Deno.renameSync(staging, gch);
    return dir;
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}

/** Messages runtimes print when an allocation fails under RLIMIT_AS. */
const MEMORY_PATTERNS = [/std::bad_alloc/, /out of memory/i, /cannot allocate memory/i, /MemoryError/];

export async function runNative(
  executable: string,
  args: string[],
  stdin: string,
  limits: RunLimits,
): Promise<RunResult> {
  const memoryMiB = limits.memoryMiB ?? 1024;
  const r = await runLimited(resolve(executable), args, stdin, {
    timeoutMs: limits.timeoutMs,
    addressSpaceMiB: memoryMiB,
    memoryMiB,
    pids: 64,
    cpuSeconds: limits.cpuSeconds,
    fileSizeMiB: limits.fileSizeMiB ?? 1,
    outputBytes: limits.outputBytes ?? MIB,
    jail: {
      cwd: "/work",
      tmpfsMiB: 64,
      mounts: [...new Set([executable, ...(limits.files ?? [])].map((p) => resolve(p)))]
        .map((host) => ({ host, inside: host })),
      env: { PATH: "/usr/bin:/bin" },
    },
  });
  const error = describeFailure(r, {
    timeoutMs: limits.timeoutMs,
    memoryMiB,
    memoryPatterns: MEMORY_PATTERNS,
  });
  return { ok: error === undefined, ...r, ...(error ? { error } : {}) };
}
