/**
 * The operating-system walls around every sandboxed program: bubblewrap puts it in new
 * user, mount, PID, network, IPC and UTS namespaces whose file system holds only the
 * system libraries (read-only), the paths the caller names (its code and input) and a
 * size-capped tmpfs; a memory+pids cgroup caps everything it allocates (all threads and
 * tmpfs pages, not only the JS heap). Nothing here trusts the runtime's own flags.
 */
import { join } from "node:path";

/** A host path made visible inside the sandbox. */
export interface Mount {
  readonly host: string;
  readonly inside: string;
  /** Read-write bind (default read-only). */
  readonly writable?: boolean;
}

export interface JailSpec {
  readonly mounts: readonly Mount[];
  /** Working directory inside; a tmpfs there unless a mount covers it. */
  readonly cwd: string;
  /** Size of the tmpfs at /tmp (and at cwd when nothing is mounted there), MiB. */
  readonly tmpfsMiB: number;
  /** Bind the whole of /usr (compilers need headers and their own programs), not only its libraries. */
  readonly wholeUsr?: boolean;
  /**
   * Only these shared libraries (host paths, bound at the same place) instead of the system's
   * library folders: a runtime whose dependencies are known sees nothing else of /usr.
   */
  readonly libraries?: readonly string[];
  readonly env: Record<string, string>;
}

/** Folders of shared libraries; each is bound read-only, or recreated as the symlink it is on the host. */
const LIBRARY_DIRS = ["/usr/lib", "/usr/lib64", "/usr/lib32", "/lib", "/lib64", "/lib32"];

function lstat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

let bwrapPath: string | undefined | null;

/** bubblewrap's path, or undefined when it is not installed. */
export function findBwrap(): string | undefined {
  if (bwrapPath === undefined) {
    bwrapPath = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].find((p) => lstat(p)?.isFile) ??
      null;
  }
  return bwrapPath ?? undefined;
}

let bwrapHelp: string | undefined;

/** Whether this bubblewrap knows an option (older releases lack some). */
function bwrapSupports(option: string): boolean {
  if (bwrapHelp === undefined) {
    const path = findBwrap();
    bwrapHelp = path
      ? new TextDecoder().decode(
        new Deno.Command(path, { args: ["--help"], stdout: "piped", stderr: "piped" })
          .outputSync().stdout,
      )
      : "";
  }
  return bwrapHelp.includes(option);
}

/** Throws the one message that says how to get the sandbox working. */
export function requireBwrap(): string {
  const path = findBwrap();
  if (!path) {
    throw new Error(
      "the sandbox needs bubblewrap (bwrap), which is not installed: apt-get install -y bubblewrap",
    );
  }
  return path;
}

let probe: Promise<void> | undefined;

/**
 * Checks once per process that bubblewrap can build its namespaces here (a container may forbid
 * user namespaces); if not, every program would fail the same way, so the run stops with why.
 */
export function requireJail(): Promise<void> {
  probe ??= (async () => {
    const bwrap = requireBwrap();
    const args = bwrapArgs({ mounts: [], cwd: "/work", tmpfsMiB: 1, wholeUsr: true, env: {} });
    const r = await new Deno.Command(bwrap, { args: [...args, "true"], stdout: "null", stderr: "piped" })
      .output();
    if (!r.success) {
      const why = new TextDecoder().decode(r.stderr).trim().split("\n")[0];
      throw new Error(`the sandbox cannot start here: bubblewrap failed (${why})`);
    }
  })();
  return probe;
}

const librariesOf = new Map<string, string[] | undefined>();

/**
 * The shared libraries an executable loads (ldd, resolved to real files), or undefined when they
 * cannot be listed; callers then bind the system's library folders instead.
 */
export function sharedLibraries(executable: string): string[] | undefined {
  if (!librariesOf.has(executable)) {
    let libs: string[] | undefined;
    try {
      const out = new Deno.Command("ldd", { args: [executable], stdout: "piped", stderr: "null" })
        .outputSync();
      if (out.success) {
        const paths = [...new TextDecoder().decode(out.stdout).matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1]);
        // Bind each at its own path and at the path it resolves to (the loader may use either).
        libs = [...new Set(paths.flatMap((p) => [p, Deno.realPathSync(p)]))].filter((p) => {
          try {
            return Deno.statSync(p).isFile;
          } catch {
            return false;
          }
        });
        if (libs.length === 0) libs = undefined;
      }
    } catch {
      libs = undefined;
    }
    librariesOf.set(executable, libs);
  }
  return librariesOf.get(executable);
}

/** The bwrap arguments (without the command) for a spec. */
export function bwrapArgs(spec: JailSpec): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--die-with-parent",
    "--new-session",
    // An unprivileged identity inside; the host's root is not root in here.
    "--uid",
    "65534",
    "--gid",
    "65534",
    "--cap-drop",
    "ALL",
    // No nested namespaces from inside (bubblewrap 0.8 and later).
    ...(bwrapSupports("--disable-userns") ? ["--disable-userns"] : []),
  ];
  if (spec.wholeUsr) args.push("--ro-bind", "/usr", "/usr");
  for (const lib of spec.libraries ?? []) args.push("--ro-bind", lib, lib);
  for (const dir of spec.libraries ? [] : LIBRARY_DIRS) {
    const info = lstat(dir);
    if (!info) continue;
    if (info.isSymlink) args.push("--symlink", Deno.readLinkSync(dir), dir);
    else if (info.isDirectory && !(spec.wholeUsr && dir.startsWith("/usr/"))) {
      args.push("--ro-bind", dir, dir);
    }
  }
  if (spec.wholeUsr && lstat("/bin")?.isSymlink) args.push("--symlink", Deno.readLinkSync("/bin"), "/bin");
  const size = String(Math.round(spec.tmpfsMiB * 2 ** 20));
  args.push("--dev", "/dev", "--size", size, "--tmpfs", "/tmp");
  if (!spec.mounts.some((m) => m.inside === spec.cwd)) args.push("--size", size, "--tmpfs", spec.cwd);
  for (const m of spec.mounts) args.push(m.writable ? "--bind" : "--ro-bind", m.host, m.inside);
  args.push("--chdir", spec.cwd, "--clearenv");
  for (const [k, v] of Object.entries(spec.env)) args.push("--setenv", k, v);
  args.push("--");
  return args;
}

/** A memory+pids cgroup for one run (v1 controllers or cgroup v2), removed by `close`. */
export interface RunCgroup {
  /** Files the wrapper writes its pid into before it execs the sandbox. */
  readonly procsFiles: readonly string[];
  /** Whether the kernel's OOM killer fired in it ("killed"), or its limit was reached ("hit"). */
  memory(): "killed" | "hit" | "ok";
  /** Kills whatever is left in it and removes it. */
  close(): void;
}

type CgroupMode = { kind: "v1"; memory: string; pids?: string } | { kind: "v2"; root: string } | {
  kind: "none";
};

let mode: CgroupMode | undefined;

function writable(dir: string): boolean {
  const probe = join(dir, `ttt-probe-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
  try {
    Deno.mkdirSync(probe);
  } catch {
    return false;
  }
  try {
    return lstat(join(probe, "memory.limit_in_bytes"))?.isFile === true ||
      lstat(join(probe, "memory.max"))?.isFile === true || lstat(join(probe, "pids.max"))?.isFile === true;
  } finally {
    Deno.removeSync(probe);
  }
}

/** Which cgroup mechanism holds here (probed once): v1 memory (+pids), v2 with memory, or none. */
export function cgroupMode(): CgroupMode {
  if (mode) return mode;
  const v1 = "/sys/fs/cgroup/memory";
  if (lstat(join(v1, "memory.limit_in_bytes"))?.isFile && writable(v1)) {
    const pids = "/sys/fs/cgroup/pids";
    mode = {
      kind: "v1",
      memory: v1,
      ...(lstat(join(pids, "pids.max"))?.isFile && writable(pids) ? { pids } : {}),
    };
    return mode;
  }
  const v2 = "/sys/fs/cgroup";
  if (lstat(join(v2, "cgroup.controllers"))?.isFile) {
    try {
      const enabled = Deno.readTextFileSync(join(v2, "cgroup.subtree_control"));
      if (!/\bmemory\b/.test(enabled)) {
        Deno.writeTextFileSync(join(v2, "cgroup.subtree_control"), "+memory +pids");
      }
      if (writable(v2)) {
        mode = { kind: "v2", root: v2 };
        return mode;
      }
    } catch {
      // Not ours to configure (a delegated or read-only hierarchy): no cgroup.
    }
  }
  mode = { kind: "none" };
  return mode;
}

/** How memory is capped here, for reports and tests. */
export function memoryEnforcement(): "cgroup" | "none" {
  return cgroupMode().kind === "none" ? "none" : "cgroup";
}

function readNumber(file: string, field?: string): number {
  try {
    const text = Deno.readTextFileSync(file);
    if (!field) return Number(text.trim());
    const m = new RegExp(`^${field} (\\d+)$`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function killAll(procs: string): void {
  for (let round = 0; round < 50; round++) {
    let pids: number[];
    try {
      pids = Deno.readTextFileSync(procs).split("\n").filter(Boolean).map(Number);
    } catch {
      return;
    }
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    // Killed processes leave the cgroup asynchronously; give them a moment.
    const until = Date.now() + 2;
    while (Date.now() < until) { /* spin briefly: there is no synchronous sleep */ }
  }
}

function removeDir(dir: string): void {
  for (let i = 0; i < 100; i++) {
    try {
      Deno.removeSync(dir);
      return;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      killAll(join(dir, "cgroup.procs"));
    }
  }
}

/** Creates the cgroup of one run with `memoryMiB` for everything in it and at most `pids` tasks. */
export function createCgroup(memoryMiB: number, pids: number): RunCgroup | undefined {
  const m = cgroupMode();
  if (m.kind === "none") return undefined;
  const name = `ttt-sandbox-${Deno.pid}-${crypto.randomUUID().slice(0, 12)}`;
  const bytes = String(Math.round(memoryMiB * 2 ** 20));
  const dirs: string[] = [];
  try {
    if (m.kind === "v1") {
      const mem = join(m.memory, name);
      Deno.mkdirSync(mem);
      dirs.push(mem);
      Deno.writeTextFileSync(join(mem, "memory.limit_in_bytes"), bytes);
      // Without swap accounting memsw may be absent; where present, swap counts too.
      try {
        Deno.writeTextFileSync(join(mem, "memory.memsw.limit_in_bytes"), bytes);
      } catch {
        // No swap accounting.
      }
      if (m.pids) {
        const p = join(m.pids, name);
        Deno.mkdirSync(p);
        dirs.push(p);
        Deno.writeTextFileSync(join(p, "pids.max"), String(pids));
      }
    } else {
      const dir = join(m.root, name);
      Deno.mkdirSync(dir);
      dirs.push(dir);
      Deno.writeTextFileSync(join(dir, "memory.max"), bytes);
      try {
        Deno.writeTextFileSync(join(dir, "memory.swap.max"), "0");
      } catch {
        // No swap controller.
      }
      Deno.writeTextFileSync(join(dir, "pids.max"), String(pids));
    }
  } catch (e) {
    for (const d of dirs.reverse()) removeDir(d);
    throw new Error(`could not set up the sandbox's cgroup: ${(e as Error).message}`);
  }
  const memDir = dirs[0];
  return {
    procsFiles: dirs.map((d) => join(d, "cgroup.procs")),
    memory() {
      const events = m.kind === "v1" ? join(memDir, "memory.oom_control") : join(memDir, "memory.events");
      if (readNumber(events, "oom_kill") > 0) return "killed";
      const hit = m.kind === "v1"
        ? readNumber(join(memDir, "memory.failcnt")) > 0
        : readNumber(events, "max") > 0;
      return hit ? "hit" : "ok";
    },
    close() {
      for (const d of [...dirs].reverse()) {
        killAll(join(d, "cgroup.procs"));
        removeDir(d);
      }
    },
  };
}

/** The argv prefix that moves the process into the cgroup, then execs the rest. */
export function cgroupEntry(cgroup: RunCgroup | undefined): string[] {
  if (!cgroup) return [];
  const writes = cgroup.procsFiles.map((_, i) => `echo $$ > "$${i + 1}"`).join(" && ");
  return [
    "/bin/sh",
    "-c",
    `${writes} && shift ${cgroup.procsFiles.length} && exec "$@"`,
    "sh",
    ...cgroup.procsFiles,
  ];
}
