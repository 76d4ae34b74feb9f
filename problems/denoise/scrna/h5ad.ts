/**
 * AnnData .h5ad files through h5wasm: X (or a layer such as layers["counts"]) stored
 * dense, or sparse as a group with encoding-type csr_matrix / csc_matrix (data,
 * indices, indptr, shape); cell and gene names from obs / var and their _index.
 */
import { resolve } from "node:path";
import { checkDataset, type CountDataset } from "./dataset.ts";
import { type Csr, csrFromTriplets, dropZeros, toDense, transposeCsr } from "./matrix.ts";

// deno-lint-ignore no-explicit-any
type Node = any;
/** The part of h5wasm's API this reader uses (its own types would pull the package into deno.lock). */
type H5File = Node;
interface H5Wasm {
  readonly ready: Promise<unknown>;
  readonly File: new (path: string, mode: "r" | "w") => H5File;
}

/**
 * h5wasm (15 MB), fetched on first use only: Deno installs every npm package its lockfile names, so
 * it stays out of deno.lock and deno.json, its specifier built at run time so no module graph sees
 * it (as node-llama-cpp, lib/policy/node_llama_cpp.ts). Only .h5ad files need it.
 */
const PACKAGE = ["h5wasm", "0.10.3"];
const h5wasm = (await import(`npm:${PACKAGE.join("@")}/node`)).default as H5Wasm;
await h5wasm.ready;

function numbers(values: unknown, what: string): Float64Array {
  if (values instanceof Float64Array) return values;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return Float64Array.from(values as ArrayLike<bigint>, (x) => Number(x));
  }
  if (ArrayBuffer.isView(values) || Array.isArray(values)) {
    return Float64Array.from(values as ArrayLike<number>);
  }
  throw new Error(`${what}: expected a numeric array`);
}

function attr(node: Node, name: string): unknown {
  return node?.attrs?.[name]?.value;
}

/** Looks a path up through keys() first: h5wasm prints HDF5 diagnostics for missing paths. */
function lookup(file: H5File, key: string): Node | null {
  let node: Node = file;
  for (const part of key.split("/")) {
    if (typeof node?.keys !== "function" || !node.keys().includes(part)) return null;
    node = node.get(part);
  }
  return node;
}

function readMatrix(file: H5File, key: string, source: string): Csr {
  const node: Node = lookup(file, key);
  if (!node) throw new Error(`${source}: no "${key}"`);
  if (node.type === "Dataset") {
    const shape: number[] = node.shape;
    if (shape.length !== 2) throw new Error(`${source}: ${key} has shape [${shape}], expected 2-D`);
    const values = numbers(node.value, `${source}:${key}`);
    const [rows, cols] = shape;
    const r: number[] = [], c: number[] = [], v: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const x = values[i * cols + j];
        if (x !== 0) {
          r.push(i);
          c.push(j);
          v.push(x);
        }
      }
    }
    return csrFromTriplets(rows, cols, r, c, v);
  }
  const encoding = String(attr(node, "encoding-type") ?? attr(node, "h5sparse_format") ?? "");
  const shape = Array.from(numbers(attr(node, "shape") ?? attr(node, "h5sparse_shape"), `${key}.shape`));
  const isCsr = encoding === "csr_matrix" || encoding === "csr";
  const isCsc = encoding === "csc_matrix" || encoding === "csc";
  if (!isCsr && !isCsc) throw new Error(`${source}: ${key} has unsupported encoding "${encoding}"`);
  if (shape.length !== 2) throw new Error(`${source}: ${key} lacks a 2-D shape attribute`);
  const data = numbers(node.get("data")?.value, `${key}/data`);
  const indices = Int32Array.from(numbers(node.get("indices")?.value, `${key}/indices`));
  const indptr = Int32Array.from(numbers(node.get("indptr")?.value, `${key}/indptr`));
  const [rows, cols] = shape;
  const major = isCsr ? rows : cols, minor = isCsr ? cols : rows;
  if (indptr.length !== major + 1 || indptr[major] !== data.length || indices.length !== data.length) {
    throw new Error(`${source}: ${key} has inconsistent data / indices / indptr lengths`);
  }
  for (let e = 0; e < indices.length; e++) {
    if (!(indices[e] >= 0 && indices[e] < minor)) throw new Error(`${source}: ${key} index out of range`);
  }
  // Sort within each row/column via the triplet builder, which also sums duplicates.
  const majorIdx = new Int32Array(data.length);
  for (let i = 0; i < major; i++) majorIdx.fill(i, indptr[i], indptr[i + 1]);
  const m = csrFromTriplets(major, minor, majorIdx, indices, data);
  return isCsr ? m : transposeCsr(m);
}

function readIndex(file: H5File, group: string, n: number, prefix: string): string[] {
  const node: Node = lookup(file, group);
  if (!node || node.type !== "Group") return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const indexName = String(attr(node, "_index") ?? "_index");
  const values = node.get(indexName)?.value;
  if (!Array.isArray(values) || values.length !== n) {
    return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  }
  return values.map(String);
}

export interface ReadH5adOptions {
  /** Read layers[layer] instead of X (OpenProblems keeps raw counts in layers["counts"]). */
  readonly layer?: string;
}

export function readH5ad(path: string, options: ReadH5adOptions = {}): CountDataset {
  try {
    if (!Deno.statSync(path).isFile) throw new Error();
  } catch {
    throw new Error(`${path}: no such .h5ad file`);
  }
  const file = new h5wasm.File(resolve(path), "r");
  try {
    const key = options.layer ? `layers/${options.layer}` : "X";
    const counts = readMatrix(file, key, path);
    const cells = readIndex(file, "obs", counts.rows, "cell");
    const genes = readIndex(file, "var", counts.cols, "gene");
    return checkDataset({
      counts,
      genes,
      cells,
      source: options.layer ? `${path}#layers/${options.layer}` : path,
    });
  } finally {
    file.close();
  }
}

export type H5adLayout = "dense" | "csr" | "csc";

function writeMatrix(parent: Node, name: string, m: Csr, layout: H5adLayout): void {
  if (layout === "dense") {
    parent.create_dataset({ name, data: toDense(m).data, shape: [m.rows, m.cols] });
    return;
  }
  const stored = layout === "csr" ? m : transposeCsr(m);
  parent.create_group(name);
  const g: Node = parent.get(name);
  g.create_attribute("encoding-type", layout === "csr" ? "csr_matrix" : "csc_matrix");
  g.create_attribute("encoding-version", "0.1.0");
  g.create_attribute("shape", new BigInt64Array([BigInt(m.rows), BigInt(m.cols)]));
  g.create_dataset({ name: "data", data: Float32Array.from(stored.data) });
  g.create_dataset({ name: "indices", data: stored.indices });
  g.create_dataset({ name: "indptr", data: stored.indptr });
}

function writeFrame(file: H5File, name: string, index: readonly string[]): void {
  file.create_group(name);
  const g: Node = file.get(name);
  g.create_attribute("encoding-type", "dataframe");
  g.create_attribute("encoding-version", "0.2.0");
  g.create_attribute("_index", "_index");
  g.create_dataset({ name: "_index", data: [...index] });
}

export interface WriteH5adOptions {
  readonly layout?: H5adLayout;
  /** Also store the counts as layers[countsLayer] (X then holds the same values). */
  readonly countsLayer?: string;
}

/** Writes an AnnData-layout file: X, optional layers, obs and var indices. */
export function writeH5ad(path: string, d: CountDataset, options: WriteH5adOptions = {}): void {
  const layout = options.layout ?? "csr";
  const file = new h5wasm.File(resolve(path), "w");
  try {
    file.create_attribute("encoding-type", "anndata");
    file.create_attribute("encoding-version", "0.1.0");
    const counts = dropZeros(d.counts);
    writeMatrix(file, "X", counts, layout);
    if (options.countsLayer) {
      file.create_group("layers");
      writeMatrix(file.get("layers"), options.countsLayer, counts, layout);
    }
    writeFrame(file, "obs", d.cells);
    writeFrame(file, "var", d.genes);
  } finally {
    file.close();
  }
}
