/**
 * One entry point for count files: a 10x folder (or a bare .mtx) synchronously, and
 * .h5ad asynchronously, since h5wasm costs ~0.3 s to start and most processes that
 * import the denoising problem never need it.
 */
import type { CountDataset } from "./dataset.ts";
import { readTenx } from "./tenx.ts";

export function isH5ad(path: string): boolean {
  return path.toLowerCase().endsWith(".h5ad");
}

/** 10x folders only; throws a clear error for .h5ad (use loadCounts). */
export function loadCountsSync(path: string): CountDataset {
  if (isH5ad(path)) throw new Error(`${path}: .h5ad needs the async loadCounts (h5wasm)`);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    throw new Error(`${path}: no such 10x folder`);
  }
  if (!info.isDirectory) {
    throw new Error(`${path}: expected a 10x folder (matrix.mtx, features.tsv, barcodes.tsv)`);
  }
  return readTenx(path);
}

export interface LoadOptions {
  /** For .h5ad: read layers[layer] instead of X; "auto" takes layers["counts"] when present. */
  readonly layer?: string;
}

export async function loadCounts(path: string, options: LoadOptions = {}): Promise<CountDataset> {
  if (!isH5ad(path)) return loadCountsSync(path);
  const { readH5ad } = await import("./h5ad.ts");
  const layer = options.layer ?? "auto";
  if (layer !== "auto") return readH5ad(path, { layer });
  try {
    return readH5ad(path, { layer: "counts" });
  } catch (e) {
    if (!(e instanceof Error) || !/no "layers\/counts"/.test(e.message)) throw e;
    return readH5ad(path);
  }
}
