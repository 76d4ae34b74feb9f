/**
 * Keeps node-llama-cpp out of deno.lock. Deno installs every npm package its lockfile names, and
 * node-llama-cpp brings about 1 GB of prebuilt binaries (CUDA, Vulkan, ARM) that a built-in run
 * never loads. It is imported at run time (lib/policy/node_llama_cpp.ts), and that import writes it
 * into deno.lock on the machine that used it: run this before committing deno.lock.
 *
 *   deno run -A tools/prune_lock.ts          remove it (and packages only it needed) from deno.lock
 *   deno run -A tools/prune_lock.ts --check  fail if deno.lock names it (.ci/run, before the tests)
 */
import { z } from "zod";

const LAZY = ["node-llama-cpp"];
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

/** The lock without the lazy packages: npm entries no remaining specifier reaches are dropped. */
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
      stack.push(...resolve(dep));
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
      if (entry[field]) entry[field] = entry[field]!.map(bare);
    }
    return [key, entry];
  }));
  return { lock: { ...lock, specifiers, npm }, removed: keys.filter((k) => !reached.has(k)) };
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
        `deno.lock names ${removed.length} packages only node-llama-cpp needs; run: deno run -A tools/prune_lock.ts`,
      );
      Deno.exit(1);
    }
    console.log("deno.lock: no lazily loaded package");
  } else {
    // Deno's own layout: os and cpu lists on one line.
    const text = JSON.stringify(pruned, null, 2).replace(
      /"(os|cpu)": \[\s*([^\]]*?)\s*\]/g,
      (_, key, body: string) => `"${key}": [${body.split(/,\s*/).join(", ")}]`,
    );
    if (removed.length > 0) Deno.writeTextFileSync(path, text + "\n");
    console.log(`deno.lock: removed ${removed.length} packages`);
  }
}
