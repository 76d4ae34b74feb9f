/** A count matrix with its names: cells are rows, genes are columns (the AnnData layout). */
import type { Csr } from "./matrix.ts";

export interface CountDataset {
  readonly counts: Csr;
  readonly genes: readonly string[];
  readonly cells: readonly string[];
  /** Where it came from, for provenance in reports. */
  readonly source: string;
}

export function checkDataset(d: CountDataset): CountDataset {
  if (d.genes.length !== d.counts.cols) {
    throw new Error(`${d.source}: ${d.genes.length} gene names for ${d.counts.cols} gene columns`);
  }
  if (d.cells.length !== d.counts.rows) {
    throw new Error(`${d.source}: ${d.cells.length} cell names for ${d.counts.rows} cell rows`);
  }
  for (let e = 0; e < d.counts.data.length; e++) {
    const v = d.counts.data[e];
    if (!Number.isFinite(v) || v < 0) throw new Error(`${d.source}: count ${v} is not a non-negative number`);
  }
  return d;
}

/** True when every stored value is a whole number (the split needs counts). */
export function isIntegerCounts(m: Csr): boolean {
  for (let e = 0; e < m.data.length; e++) if (!Number.isInteger(m.data[e])) return false;
  return true;
}
