/**
 * What the scripted model answers, per domain: fixed programs that are good, mediocre, broken or
 * hostile, in the language each problem's route runs (C++ for AtCoder, C for the TriMul kernel,
 * a TypeScript `denoise` function, a TypeScript `construct` for the construction problems). The
 * language route's end-to-end tests and `tools/scripted_model.ts` (a local OpenAI-compatible
 * server) use them. Each reply has a label and the error the route must record (undefined: valid).
 */
import { DEFAULT_TILED, kernelSource } from "../problems/trimul/kernels.ts";
import { STARTER } from "../problems/denoise/program.ts";

export interface ScriptedReply {
  readonly label: string;
  readonly text: string;
  /** What attempts.parquet must say about it: undefined when valid, else a pattern of its error. */
  readonly error?: RegExp;
}

export type Domain = "ahc058" | "ahc039" | "trimul" | "denoise" | "construct";

const here = (file: string) => Deno.readTextFileSync(new URL(file, import.meta.url));
const fence = (language: string, code: string, prose = "Here is the program.") =>
  `${prose}\n\n\`\`\`${language}\n${code.trim()}\n\`\`\`\n`;

const CPP_BROKEN: ScriptedReply[] = [
  {
    label: "compile error",
    text: fence("cpp", '#include <cstdio>\nint main( { puts("-1") return 0; }'),
    error: /^compile error: .*error/s,
  },
  {
    label: "runtime crash",
    text: fence("cpp", '#include <cstdio>\nint main() { volatile int *p = nullptr; *p = 1; puts("-1"); }'),
    error: /^case \S+: killed by SIGSEGV/,
  },
  {
    label: "judge timeout",
    text: fence("cpp", "int main() { volatile unsigned x = 0; for (;;) x++; }"),
    error: /^case \S+: timed out after/,
  },
  {
    label: "huge output",
    text: fence(
      "cpp",
      '#include <cstdio>\nint main() { for (long i = 0; i < 3000000; i++) fputs("-1 -1 -1 -1\\n", stdout); }',
    ),
    error: /^case \S+: (output exceeds the captured limit|timed out)/,
  },
  {
    label: "wrong language",
    text: fence("python", "print(-1)\n"),
    error: /^parse error: the reply has code in python, not C\+\+$/,
  },
  {
    label: "no entry point",
    text: fence("cpp", "int solve() { return 0; }"),
    error: /^parse error: no ```cpp block defines main\(\)$/,
  },
  {
    label: "no code",
    text: "I would approach this with a greedy algorithm, but I will not write the code.",
    error: /^parse error: no ```cpp code block in the reply/,
  },
];

export function scriptedReplies(domain: Domain): ScriptedReply[] {
  switch (domain) {
    case "ahc058":
      return [
        { label: "good: exact yield, waiting", text: fence("cpp", here("./scripted/ahc058_yield.cpp")) },
        { label: "mediocre: greedy", text: fence("cpp", here("../problems/ahc058/cpp/greedy.cpp")) },
        { label: "poor: level 0 only", text: fence("cpp", here("./scripted/ahc058_level0.cpp")) },
        {
          label: "hostile: files, network, fork, illegal plan",
          text: fence("cpp", here("./scripted/ahc058_hostile.cpp")),
          error: /^case \S+: .*level/,
        },
        ...CPP_BROKEN,
      ];
    case "ahc039":
      return [
        { label: "good: best rectangle", text: fence("c++", here("../problems/ahc039/cpp/rectangle.cpp")) },
        { label: "mediocre: one square", text: fence("cpp", here("./scripted/ahc039_square.cpp")) },
        {
          label: "illegal polygon",
          text: fence("cpp", here("./scripted/ahc039_bowtie.cpp")),
          error: /^case \S+: /,
        },
        ...CPP_BROKEN.filter((r) => r.label !== "huge output"),
      ];
    case "trimul":
      return [
        {
          label: "good: tiled 4 x 32, float, fused gates",
          text: fence(
            "c",
            kernelSource({
              template: "tiled",
              params: {
                ...DEFAULT_TILED,
                tilePositions: 4,
                tileColumns: 32,
                accumulate: "float",
                sigmoid: "fast",
                fuseGates: true,
              },
            }),
          ),
        },
        { label: "mediocre: the baseline", text: fence("c", kernelSource({ template: "naive" })) },
        {
          label: "wrong answer",
          text: fence(
            "c",
            `${signature()} {\n  (void)x;\n  for (long i = 0; i < (long)B * N * N * C; i++) out[i] = 0.0f;\n}`,
          ),
          error: /^.*is wrong on shape/,
        },
        {
          label: "crash",
          text: fence("c", `${signature()} {\n  volatile float *p = 0;\n  *p = x[0];\n}`),
          error: /^crash: /,
        },
        {
          label: "time limit",
          text: fence("c", `${signature()} {\n  volatile unsigned k = 0;\n  for (;;) k++;\n}`),
          error: /^time limit: /,
        },
        {
          label: "compile error",
          text: fence("c", `${signature()} {\n  this is not C;\n}`),
          error: /^compile error: /,
        },
        {
          label: "wrong language",
          text: fence("rust", "pub fn trimul() {}"),
          error: /^parse error: the reply has code in rust, not C$/,
        },
        {
          label: "no entry point",
          text: fence("c", "int other(void) { return 0; }"),
          error: /^parse error: no code block defines `trimul\(\.\.\.\)`$/,
        },
        {
          label: "no code",
          text: "A faster kernel would tile the GEMMs.",
          error: /^parse error: no ```c code block/,
        },
      ];
    case "denoise":
      return [
        { label: "good: kNN 30", text: fence("typescript", knnDenoiser(30)) },
        { label: "mediocre: kNN 3", text: fence("typescript", knnDenoiser(3)) },
        {
          label: "NaN output",
          text: fence(
            "typescript",
            "export function denoise(t: { cells: number; genes: number }) {\n  return new Array(t.cells * t.genes).fill(NaN);\n}",
          ),
          error: /^invalid denoised output: entry \(0, 0\) is null/,
        },
        {
          label: "wrong shape",
          text: fence(
            "typescript",
            "export function denoise(t: { cells: number }) {\n  return [1, 2, 3];\n}",
          ),
          error: /^invalid denoised output: returned 3 values, expected/,
        },
        {
          label: "hostile: reads host files",
          text: fence(
            "typescript",
            'export function denoise() {\n  return Deno.readTextFileSync("/etc/passwd").split("\\n");\n}',
          ),
          error: /^program failed: NotCapable/,
        },
        {
          label: "timeout",
          text: fence("typescript", "export function denoise() {\n  for (;;) {}\n}"),
          error: /^program failed: timed out after/,
        },
        {
          label: "no entry point",
          text: fence("typescript", "export function smooth(x: number[]) {\n  return x;\n}"),
          error: /^parse error: no code block defines the function denoise$/,
        },
        {
          label: "huge output",
          text: fence(
            "typescript",
            'export function denoise() {\n  const line = "x".repeat(100);\n  for (let i = 0; i < 1e6; i++) console.log(line);\n  return [];\n}',
          ),
          error: /^program failed: output exceeded \d+ bytes/,
        },
        {
          label: "wrong language",
          text: fence("python", "def denoise(x):\n    return x\n"),
          error: /^parse error: the reply has code in python, not TypeScript$/,
        },
      ];
    case "construct":
      return [
        {
          label: "identity",
          text: fence("typescript", "export function construct(parent: unknown) {\n  return parent;\n}"),
        },
        {
          label: "garbage",
          text: fence("typescript", "export function construct() {\n  return { nonsense: true };\n}"),
          error: /./,
        },
        {
          label: "throws",
          text: fence("typescript", "export function construct() {\n  throw new Error('boom');\n}"),
          error: /^program failed: Error: boom$/,
        },
        { label: "no code", text: "No.", error: /^parse error: no ```typescript code block/ },
      ];
  }
}

function signature(): string {
  return `void trimul(const float *x, const float *mask, const float *norm_w, const float *norm_b,
            const float *w_left, const float *w_right, const float *w_left_gate,
            const float *w_right_gate, const float *w_out_gate, const float *out_norm_w,
            const float *out_norm_b, const float *w_to_out, float *out, int B, int N, int C, int H)`;
}

/**
 * The denoise starter a prompt shows (kNN averaging in sqrt space, MAGIC's "reversed"
 * normalisation) with k neighbours besides the cell, and a line of output.
 */
function knnDenoiser(k: number): string {
  const program = STARTER.replace("const k = 10;", `const k = ${k};`)
    .replace("  return out;\n}", `  console.log("kNN", k);\n  return out;\n}`);
  if (!program.includes(`const k = ${k};`) || !program.includes('console.log("kNN", k)')) {
    throw new Error("the denoise starter no longer has the shape knnDenoiser edits");
  }
  return program;
}

/** Which domain a prompt is about (the scripted model reads nothing else). */
export function domainOf(prompt: string): Domain {
  if (prompt.includes("Apple Incremental Game")) return "ahc058";
  if (prompt.includes("Purse Seine Fishing")) return "ahc039";
  if (prompt.includes("TriMul")) return "trimul";
  if (prompt.includes("Denoising single-cell")) return "denoise";
  return "construct";
}
