/**
 * Shapes and suites. A suite is the list of shapes one evaluation times, with the
 * number of timed rounds per shape; it travels inside the state, so every worker
 * measures a state the same way.
 */
import { z } from "zod";

/** The hidden width of the GPU MODE task; the kernels may rely on it. */
export const HIDDEN = 128;

export const ShapeSchema = z.object({
  B: z.number().int().min(1).max(8),
  N: z.number().int().min(1).max(256),
  C: z.number().int().min(1).max(1024),
  H: z.literal(HIDDEN),
}).strict();
export type Shape = z.infer<typeof ShapeSchema>;

export const SuiteSchema = z.object({
  name: z.string().min(1).max(64),
  shapes: z.array(ShapeSchema).min(1).max(16),
  /** Timed rounds per shape, after one checked warm-up run of the candidate. */
  rounds: z.number().int().min(0).max(15),
}).strict();
export type Suite = z.infer<typeof SuiteSchema>;

const shape = (B: number, N: number, C: number): Shape => ({ B, N, C, H: HIDDEN });

/** Scaled to 2 shared cores: the search suite keeps one evaluation to a few seconds of CPU. */
export const SUITES = {
  /** Correctness-oriented: N in {16, 32, 48}, one timed round. */
  test: { name: "test", shapes: [shape(1, 16, 128), shape(1, 32, 128), shape(1, 48, 128)], rounds: 1 },
  /** What the discovery loop times: about 1.7 GFLOP per baseline round. */
  search: { name: "search", shapes: [shape(1, 32, 128), shape(1, 32, 384), shape(1, 64, 128)], rounds: 3 },
  /** The benchmark: N up to 128, C in {128, 384}; about 8 GFLOP per baseline round. */
  bench: {
    name: "bench",
    shapes: [shape(1, 32, 128), shape(1, 32, 384), shape(1, 64, 128), shape(1, 64, 384), shape(1, 128, 128)],
    rounds: 5,
  },
} as const satisfies Record<string, Suite>;
export type SuiteName = keyof typeof SUITES;

/** Floating-point operations of one TriMul call (multiply-adds count two). */
export function trimulFlops({ B, N, C, H }: { B: number; N: number; C: number; H: number }): number {
  const positions = B * N * N;
  return 2 * positions * C * H * 5 + 2 * B * N * N * N * H + 2 * positions * H * C;
}

export function shapeLabel({ B, N, C }: { B: number; N: number; C: number }): string {
  return `B${B} N${N} C${C}`;
}
