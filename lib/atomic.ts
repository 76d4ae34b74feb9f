/**
 * Crash-safe file replacement: write a temporary file next to the target, flush it to disk, then
 * rename it over the target. A rename within one directory is atomic on POSIX file systems, so a
 * reader (or a resumed run after a crash) sees either the old file or the new one, never a torn one.
 */
import { basename, dirname, join } from "node:path";

/** Suffix of in-flight temporary files; `.gitignore` already ignores `*.tmp`. */
export const TEMP_SUFFIX = ".tmp";

/** Atomically replaces `path` with `data` (text is written as UTF-8). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}${TEMP_SUFFIX}`);
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      await writeAll(file, bytes);
      // Without the flush, a power loss after the rename could leave a renamed but empty file.
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** Flushes a directory's entries, so that renames into it survive a power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
