/**
 * 10x Genomics matrix folders as Cell Ranger writes them: matrix.mtx[.gz] (Matrix
 * Market coordinates, genes x cells, 1-based), features.tsv[.gz] (or genes.tsv for
 * Cell Ranger 2) and barcodes.tsv[.gz]. Read into cells x genes CSR.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { checkDataset, type CountDataset } from "./dataset.ts";
import { csrFromTriplets, transposeCsr } from "./matrix.ts";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The first of the candidate names present in dir, plain or gzipped. */
function findFile(dir: string, names: string[]): string {
  for (const name of names) {
    for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) {
      if (exists(candidate)) return candidate;
    }
  }
  throw new Error(`${dir}: no ${names.map((n) => `${n}[.gz]`).join(" or ")}`);
}

function readText(path: string): string {
  const bytes = Deno.readFileSync(path);
  return new TextDecoder().decode(path.endsWith(".gz") ? gunzipSync(bytes) : bytes);
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.length > 0);
}

/** Parses a Matrix Market coordinate file into genes x cells triplets. */
export function parseMatrixMarket(text: string, source = "matrix.mtx") {
  const all = text.split("\n");
  const header = all[0]?.trim().toLowerCase().split(/\s+/) ?? [];
  if (header[0] !== "%%matrixmarket" || header[1] !== "matrix" || header[2] !== "coordinate") {
    throw new Error(`${source}: not a Matrix Market coordinate file (header "${all[0]}")`);
  }
  if (!["integer", "real"].includes(header[3])) {
    throw new Error(`${source}: field "${header[3]}" is not supported (integer or real counts)`);
  }
  if (header[4] !== "general") throw new Error(`${source}: symmetry "${header[4]}" is not supported`);
  let i = 1;
  while (i < all.length && (all[i].startsWith("%") || all[i].trim() === "")) i++;
  const size = all[i++]?.trim().split(/\s+/).map(Number) ?? [];
  if (size.length !== 3 || !size.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new Error(`${source}: bad size line "${all[i - 1]}"`);
  }
  const [rows, cols, nnz] = size;
  const r = new Int32Array(nnz), c = new Int32Array(nnz), v = new Float64Array(nnz);
  let e = 0;
  for (; i < all.length; i++) {
    const line = all[i].trim();
    if (line === "" || line.startsWith("%")) continue;
    if (e >= nnz) throw new Error(`${source}: more than the ${nnz} entries the size line announces`);
    const parts = line.split(/\s+/);
    const row = Number(parts[0]) - 1, col = Number(parts[1]) - 1, value = Number(parts[2]);
    if (!(row >= 0 && row < rows && col >= 0 && col < cols && Number.isFinite(value))) {
      throw new Error(`${source}: bad entry on line ${i + 1}: "${line}"`);
    }
    r[e] = row;
    c[e] = col;
    v[e++] = value;
  }
  if (e !== nnz) throw new Error(`${source}: ${e} entries, the size line announces ${nnz}`);
  return { rows, cols, r, c, v };
}

export function readTenx(dir: string): CountDataset {
  const matrixPath = findFile(dir, ["matrix.mtx"]);
  const mm = parseMatrixMarket(readText(matrixPath), matrixPath);
  const featureLines = lines(readText(findFile(dir, ["features.tsv", "genes.tsv"])));
  const barcodes = lines(readText(findFile(dir, ["barcodes.tsv"])));
  // Gene symbols (column 2) are what people look genes up by; fall back to the id.
  const genes = featureLines.map((l) => {
    const cols = l.split("\t");
    return cols[1] ?? cols[0];
  });
  const genesByCells = csrFromTriplets(mm.rows, mm.cols, mm.r, mm.c, mm.v);
  return checkDataset({ counts: transposeCsr(genesByCells), genes, cells: barcodes, source: dir });
}

/** Writes a dataset as a 10x folder (gzipped, like Cell Ranger 3+). */
export function writeTenx(dir: string, d: CountDataset, options: { gzip?: boolean } = {}): void {
  const gzip = options.gzip ?? true;
  Deno.mkdirSync(dir, { recursive: true });
  const m = d.counts;
  const integer = m.data.every((x) => Number.isInteger(x));
  const out: string[] = [
    `%%MatrixMarket matrix coordinate ${integer ? "integer" : "real"} general`,
    `${m.cols} ${m.rows} ${m.data.length}`,
  ];
  // Genes x cells, column-major by cell as Cell Ranger writes it.
  for (let cell = 0; cell < m.rows; cell++) {
    for (let e = m.indptr[cell]; e < m.indptr[cell + 1]; e++) {
      out.push(`${m.indices[e] + 1} ${cell + 1} ${m.data[e]}`);
    }
  }
  const write = (name: string, text: string) => {
    const bytes = new TextEncoder().encode(text);
    Deno.writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  };
  write("matrix.mtx", out.join("\n") + "\n");
  write("features.tsv", d.genes.map((g) => `${g}\t${g}\tGene Expression`).join("\n") + "\n");
  write("barcodes.tsv", d.cells.join("\n") + "\n");
}
