/**
 * Kernels as C source. Every kernel defines one function with the fixed signature
 * below; the built-in route picks a template and its parameters, the language-model
 * route writes the whole source.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/** The one signature every kernel defines (documented for prompts and users). */
export const KERNEL_SIGNATURE = `void trimul(
    const float *x,            /* [B][N][N][C] */
    const float *mask,         /* [B][N][N], each 0 or 1 */
    const float *norm_w, const float *norm_b,             /* LayerNorm(C): [C], [C] */
    const float *w_left, const float *w_right,            /* Linear C -> H, bias-free: [H][C] each */
    const float *w_left_gate, const float *w_right_gate, const float *w_out_gate,  /* [H][C] each */
    const float *out_norm_w, const float *out_norm_b,     /* LayerNorm(H): [H], [H] */
    const float *w_to_out,     /* Linear H -> C, bias-free: [C][H] */
    float *out,                /* [B][N][N][C], written by the kernel */
    int B, int N, int C, int H);`;

/** What the kernel computes (PyTorch notation), LayerNorm eps 1e-5. */
export const KERNEL_MATH = `xn = LayerNorm_C(x)
left  = (xn @ w_left.T)  * mask * sigmoid(xn @ w_left_gate.T)
right = (xn @ w_right.T) * mask * sigmoid(xn @ w_right_gate.T)
e = einsum('bikd,bjkd->bijd', left, right)
out = (LayerNorm_H(e) * sigmoid(xn @ w_out_gate.T)) @ w_to_out.T`;

/** gcc flags of every kernel and of the baseline; -fopenmp allows OpenMP threads. */
export const KERNEL_FLAGS = ["-O3", "-march=native", "-fopenmp"] as const;

const C_DIR = new URL("./c/", import.meta.url);
const sources = new Map<string, string>();

/** The C files shipped beside this module (read once per process). */
export function cSource(file: "baseline.c" | "tiled.c" | "harness.c" | "reference.c"): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = Deno.readTextFileSync(new URL(file, C_DIR));
    sources.set(file, text);
  }
  return text;
}

export const TiledParamsSchema = z.object({
  /** Positions per register tile of the projection and to_out GEMMs. */
  tilePositions: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
  /** Output columns per register tile. */
  tileColumns: z.union([z.literal(16), z.literal(32), z.literal(64)]),
  accumulate: z.enum(["float", "double"]),
  /** Apply mask and gates straight from the accumulators (one pass) or in a second pass. */
  fuseGates: z.boolean(),
  /** Einsum loop order: "ijkd" (a block of j at a time) or "ikjd" (a whole output row). */
  einsumOrder: z.enum(["ijkd", "ikjd"]),
  /** j-block of the "ijkd" order. */
  einsumBlock: z.union([z.literal(1), z.literal(2), z.literal(4)]),
  /** LayerNorm, gate and to_out right after each einsum row, or in a separate pass. */
  fuseOut: z.boolean(),
  sigmoid: z.enum(["libm", "fast"]),
  threads: z.union([z.literal(1), z.literal(2)]),
}).strict();
export type TiledParams = z.infer<typeof TiledParamsSchema>;

/** Where the built-in route starts once it leaves the baseline: a plain, untuned tiling. */
export const DEFAULT_TILED: TiledParams = {
  tilePositions: 1,
  tileColumns: 16,
  accumulate: "double",
  fuseGates: false,
  einsumOrder: "ijkd",
  einsumBlock: 1,
  fuseOut: false,
  sigmoid: "libm",
  threads: 1,
};

/** Longest kernel source accepted (the language-model route). */
export const MAX_SOURCE_CHARS = 100_000;

export const KernelSpecSchema = z.discriminatedUnion("template", [
  z.object({ template: z.literal("naive") }).strict(),
  z.object({ template: z.literal("tiled"), params: TiledParamsSchema }).strict(),
  z.object({ template: z.literal("source"), code: z.string().min(1).max(MAX_SOURCE_CHARS) }).strict(),
]);
export type KernelSpec = z.infer<typeof KernelSpecSchema>;

function tiledSource(p: TiledParams): string {
  const defines: [string, string | number][] = [
    ["TP", p.tilePositions],
    ["HB", p.tileColumns],
    ["ACC", p.accumulate],
    ["FUSE_GATES", Number(p.fuseGates)],
    ["EIN_ORDER", p.einsumOrder === "ijkd" ? 0 : 1],
    ["JT", p.einsumBlock],
    ["FUSE_OUT", Number(p.fuseOut)],
    ["FAST_SIGMOID", Number(p.sigmoid === "fast")],
    ["THREADS", p.threads],
    ["H_MAX", 128],
  ];
  return `/* tiled template: ${JSON.stringify(p)} */\n` +
    defines.map(([k, v]) => `#define ${k} ${v}\n`).join("") + cSource("tiled.c");
}

/** The complete C source of a kernel. */
export function kernelSource(spec: KernelSpec): string {
  switch (spec.template) {
    case "naive":
      return cSource("baseline.c");
    case "tiled":
      return tiledSource(spec.params);
    case "source":
      return spec.code;
  }
}

export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** Canonical short description, e.g. for program tables and the notebook. */
export function describeKernel(spec: KernelSpec): string {
  if (spec.template === "naive") return "naive (the baseline)";
  if (spec.template === "source") {
    return `source (${spec.code.length} chars, ${sourceHash(spec.code).slice(0, 12)})`;
  }
  const p = spec.params;
  return `tiled(tile=${p.tilePositions}x${p.tileColumns}, acc=${p.accumulate}, fuseGates=${p.fuseGates}, ` +
    `einsum=${p.einsumOrder}/${p.einsumBlock}, fuseOut=${p.fuseOut}, sigmoid=${p.sigmoid}, threads=${p.threads})`;
}
