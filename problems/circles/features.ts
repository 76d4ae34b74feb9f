/** What the built-in policy sees of a packing: a fixed-length, O(1)-scale vector. */
import type { Evaluation } from "../../lib/problem.ts";
import type { CirclesState } from "./state.ts";

export const FEATURE_NAMES = [
  "(value / record - 1) x 20, clipped",
  "fraction of pair contacts within 1e-9",
  "fraction of wall contacts within 1e-9",
  "fraction of circles with r < 0.02",
  "smallest radius / mean radius",
  "largest radius / mean radius / 3",
] as const;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function circlesFeatures(record: number, state: CirclesState, evaluation: Evaluation): number[] {
  const value = evaluation.valid && evaluation.value !== null ? evaluation.value : 0;
  const { centers: c, radii: r } = state;
  const n = r.length;
  let contacts = 0, walls = 0, tiny = 0, min = Infinity, max = 0, sum = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = c[i];
    if (Math.min(x - r[i], 1 - x - r[i], y - r[i], 1 - y - r[i]) < 1e-9) walls++;
    if (r[i] < 0.02) tiny++;
    min = Math.min(min, r[i]);
    max = Math.max(max, r[i]);
    sum += r[i];
    for (let j = i + 1; j < n; j++) {
      if (Math.hypot(x - c[j][0], y - c[j][1]) - r[i] - r[j] < 1e-9) contacts++;
    }
  }
  const mean = sum / n || 1;
  return [
    clip((value / record - 1) * 20, -2, 1),
    contacts / Math.max(1, (n * (n - 1)) / 2) * 10,
    walls / n,
    tiny / n,
    min / mean,
    max / mean / 3,
  ];
}
