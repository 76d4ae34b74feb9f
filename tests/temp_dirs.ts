/** Temporary folders for a test module, removed when the module's tests are done (even on failure). */
const made: string[] = [];

export function tempDir(prefix = "ttt-test-"): string {
  const dir = Deno.makeTempDirSync({ prefix });
  made.push(dir);
  return dir;
}

globalThis.addEventListener("unload", () => {
  for (const dir of made) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  }
});
