/**
 * The verdict ledger. A judged program's state carries its verdict (per-case scores, a kernel's
 * timings, a denoiser's metrics), because the loop's verifier is synchronous and a verdict costs
 * seconds of compiling and running to recompute. A state can come back from disk (resume, a copied
 * run directory), so a verdict written there by hand must not count: every verdict a judge of this
 * toolkit produces is recorded by the sha256 of its canonical JSON in an append-only file in the
 * user's cache, which sandboxed programs cannot reach, and `evaluate` accepts a verdict only when
 * its digest is there. The file is shared, so a resumed run and a fresh process see the same one.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";

/** JSON with sorted keys and no undefined fields, so a digest survives any round trip through storage. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The toolkit's folder in the user's cache (never /tmp, whose files other users may plant). */
export function toolkitCacheDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? join(Deno.env.get("HOME")!, ".cache") : undefined);
  return cache ? join(cache, "ttt-discover") : join(Deno.env.get("TMPDIR") ?? "/tmp", "ttt-discover");
}

export class VerdictLedger {
  private readonly known = new Set<string>();
  private readSize = -1;

  constructor(readonly path: string) {}

  /** Records a verdict this process's judge produced. */
  record(verdict: unknown): string {
    const digest = sha256(canonicalJson(verdict));
    if (this.known.has(digest)) return digest;
    this.known.add(digest);
    Deno.mkdirSync(join(this.path, ".."), { recursive: true });
    // One short line per append (O_APPEND): concurrent writers never interleave within a line.
    Deno.writeTextFileSync(this.path, digest + "\n", { append: true });
    return digest;
  }

  /** Whether a judge of this toolkit produced exactly this verdict (here or in an earlier process). */
  has(verdict: unknown): boolean {
    const digest = sha256(canonicalJson(verdict));
    if (this.known.has(digest)) return true;
    try {
      const size = Deno.statSync(this.path).size;
      if (size !== this.readSize) {
        for (const line of Deno.readTextFileSync(this.path).split("\n")) if (line) this.known.add(line);
        this.readSize = size;
      }
    } catch {
      return false;
    }
    return this.known.has(digest);
  }
}

/** The ledger of program verdicts (AtCoder judgements, denoiser scores). */
export const programVerdicts = new VerdictLedger(join(toolkitCacheDir(), "verdicts.ledger"));
