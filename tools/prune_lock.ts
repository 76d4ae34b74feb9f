/**
 * Keeps deno.lock to what a run installs. Deno installs every npm package its lockfile names
 * (every build its os and cpu fields allow), so the lock leaves out:
 *
 * - node-llama-cpp: about 1 GB of prebuilt binaries (CUDA, Vulkan, ARM) that a built-in run never
 *   loads. It is imported at run time (lib/policy/node_llama_cpp.ts), and that import writes it
 *   into deno.lock on the machine that used it: run this before committing deno.lock.
 * - h5wasm: 15 MB for .h5ad files only, imported at run time the same way (problems/denoise/scrna/h5ad.ts).
 * - openai: 13 MB for the openai policy only, imported at run time the same way (lib/policy/openai.ts).
 * - musl builds of native packages (nodejs-polars: 110 MB next to its glibc build): Deno itself
 *   runs on glibc only, and it does not read npm's libc field, so it would install both.
 *
 *   deno run -A tools/prune_lock.ts          remove them (and packages only they needed)
 *   deno run -A tools/prune_lock.ts --check  fail if deno.lock names any (.ci/run, before the tests)
 */
import { z } from "zod";

const LAZY = ["node-llama-cpp", "h5wasm", "openai"];
const LockSchema = z.object({
  specifiers: z.record(z.string(), z.string()),
  npm: z.record(
    z.string(),
    z.looseObject({
      dependencies: z.array(z.string()).optional(),
      optionalDependencies: z.array(z.string()).optional(),
      peerDependencies: z.array(z.string()).optional(),
    }),
  ),
}).loose();
type Lock = z.infer<typeof LockSchema>;

function packageName(key: string): string {
  return key.slice(0, key.indexOf("@", 1));
}

/** The name in a dependency reference: "name", "name@version" or "@scope/name@version". */
function dependencyName(dep: string): string {
  return dep.indexOf("@", 1) > 0 ? packageName(dep) : dep;
}

/** A native build for musl libc (by npm convention its platform suffix ends in -musl). */
function isMusl(dep: string): boolean {
  return dependencyName(dep).endsWith("-musl");
}

/** The lock without the lazy packages and musl builds: entries nothing else reaches are dropped. */
export function prune(lock: Lock): { lock: Lock; removed: string[] } {
  const specifiers = Object.fromEntries(
    Object.entries(lock.specifiers).filter(([spec]) => !LAZY.some((name) => spec.startsWith(`npm:${name}@`))),
  );
  const keys = Object.keys(lock.npm);
  // A dependency is "name" (one version in the lock), "name@version", or that with a peer suffix;
  // a bare name that several versions match keeps them all (pruning less is safe).
  const resolve = (dep: string): string[] => {
    if (dep in lock.npm) return [dep];
    const named = keys.filter((k) => packageName(k) === dep);
    if (named.length > 0) return named;
    return keys.filter((k) => k.startsWith(`${dep}_`));
  };
  const reached = new Set<string>();
  const stack = Object.entries(specifiers)
    .filter(([spec]) => spec.startsWith("npm:"))
    .map(([spec, version]) => `${packageName(spec.slice(4))}@${version}`);
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (reached.has(key) || !(key in lock.npm)) continue;
    reached.add(key);
    const entry = lock.npm[key];
    for (
      const dep of [
        ...entry.dependencies ?? [],
        ...entry.optionalDependencies ?? [],
        ...entry.peerDependencies ?? [],
      ]
    ) {
      if (!isMusl(dep)) stack.push(...resolve(dep));
    }
  }
  const kept = keys.filter((k) => reached.has(k));
  // Deno names a dependency by its bare name when the lock holds one version of it: do the same
  // for packages that had a second version only for the pruned ones.
  const bare = (dep: string) => {
    if (dep.indexOf("@", 1) < 0) return dep; // already bare
    const name = packageName(dep);
    return kept.filter((k) => packageName(k) === name).length === 1 ? name : dep;
  };
  const npm = Object.fromEntries(kept.map((key) => {
    const entry = { ...lock.npm[key] };
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"] as const) {
      if (entry[field]) entry[field] = entry[field]!.filter((dep) => !isMusl(dep)).map(bare);
    }
    return [key, entry];
  }));
  const dropped = keys.filter((k) => !reached.has(k));
  // A musl build still named in a package's dependency lists counts too (the lock must change).
  const named = Object.values(lock.npm)
    .flatMap((e) => [...e.dependencies ?? [], ...e.optionalDependencies ?? []])
    .filter(isMusl);
  const stale = named.filter((dep) => !dropped.some((k) => packageName(k) === dependencyName(dep)));
  return { lock: { ...lock, specifiers, npm }, removed: [...dropped, ...stale] };
}

if (import.meta.main) {
  const path = new URL("../deno.lock", import.meta.url);
  // Validate, but prune the file as read: the schema's output would reorder keys and drop "version".
  const raw = JSON.parse(Deno.readTextFileSync(path));
  LockSchema.parse(raw);
  const { lock: pruned, removed } = prune(raw as Lock);
  if (Deno.args.includes("--check")) {
    if (removed.length > 0) {
      console.error(
        `deno.lock names ${removed.length} packages a run should not install (node-llama-cpp's, musl builds); ` +
          "run: deno run -A tools/prune_lock.ts",
      );
      Deno.exit(1);
    }
    console.log("deno.lock: no node-llama-cpp, no musl build");
  } else {
    // Deno's own layout: os and cpu lists on one line.
    const text = JSON.stringify(pruned, null, 2).replace(
      /"(os|cpu)": \[\s*([^\]]*?)\s*\]/g,
      (_, key, body: string) => `"${key}": [${body.split(/,\s*/).join(", ")}]`,
    );
    if (removed.length > 0) Deno.writeTextFileSync(path, text + "\n");
    console.log(`deno.lock: removed ${removed.length} entries`);
  }
}
