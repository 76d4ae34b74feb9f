/**
 * The exact AHC039 scorer, following the official tester: the last polygon in the output is
 * judged; it needs 4 <= m <= 1000 vertices with integer coordinates in [0, 1e5], consecutive
 * vertices distinct, every edge axis-parallel, no fold-back between adjacent edges, no two
 * non-adjacent edges sharing a point, and perimeter <= 4e5. Points on the boundary count as
 * inside; score = max(0, a - b + 1). An illegal output scores 0 with the reason.
 */
import { type Ahc039Input, SIDE } from "./input.ts";

export const MAX_VERTICES = 1000;
export const MAX_PERIMETER = 4 * SIDE;

export type Polygon = readonly (readonly [number, number])[];

export interface Ahc039Score {
  readonly score: number;
  readonly error?: string;
  readonly mackerels: number;
  readonly sardines: number;
  readonly perimeter: number;
}

const INTEGER = /^[+-]?\d+$/;

/** Every polygon in the output, in order; the official tester judges the last. */
export function parsePolygons(output: string): { polygons: Polygon[] } | { error: string } {
  const tokens = output.split(/\s+/).filter((s) => s.length > 0);
  const polygons: Polygon[] = [];
  let at = 0;
  const read = (what: string, low: number, high: number): number | string => {
    const token = tokens[at++];
    if (token === undefined) return `unexpected end of output reading ${what}`;
    if (!INTEGER.test(token) || token.length > 12) {
      return `parse error reading ${what}: ${token.slice(0, 20)}`;
    }
    const v = Number(token);
    return v < low || v > high ? `${what} out of range: ${v}` : v;
  };
  while (at < tokens.length) {
    const m = read("the vertex count m", 4, MAX_VERTICES);
    if (typeof m === "string") return { error: m };
    const poly: [number, number][] = [];
    for (let i = 0; i < m; i++) {
      const x = read(`x of vertex ${i}`, 0, SIDE);
      if (typeof x === "string") return { error: x };
      const y = read(`y of vertex ${i}`, 0, SIDE);
      if (typeof y === "string") return { error: y };
      poly.push([x, y]);
    }
    polygons.push(poly);
  }
  if (polygons.length === 0) return { error: "no polygon in the output" };
  return { polygons };
}

const fail = (error: string, perimeter = 0): Ahc039Score => ({
  score: 0,
  error,
  mackerels: 0,
  sardines: 0,
  perimeter,
});

/** Judges one polygon (vertex list). */
export function scorePolygon(input: Ahc039Input, poly: Polygon): Ahc039Score {
  const m = poly.length;
  if (m < 4 || m > MAX_VERTICES) return fail(`the polygon needs 4 to ${MAX_VERTICES} vertices, has ${m}`);
  const px = new Int32Array(m), py = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const [x, y] = poly[i];
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && x <= SIDE && y >= 0 && y <= SIDE)) {
      return fail(`vertex ${i} (${x}, ${y}) is not an integer point of [0, ${SIDE}]^2`);
    }
    px[i] = x;
    py[i] = y;
  }
  let perimeter = 0;
  for (let i = 0; i < m; i++) {
    const q = (i + 1) % m, r = (i + 2) % m;
    if (px[i] === px[q] && py[i] === py[q]) return fail(`vertices ${i} and ${q} share the same coordinates`);
    if (px[i] === px[q]) {
      perimeter += Math.abs(py[i] - py[q]);
      if (px[q] === px[r] && (py[i] - py[q]) * (py[r] - py[q]) > 0) {
        return fail(`self-intersecting: edges ${i} and ${q} fold back on each other`);
      }
    } else if (py[i] === py[q]) {
      perimeter += Math.abs(px[i] - px[q]);
      if (py[q] === py[r] && (px[i] - px[q]) * (px[r] - px[q]) > 0) {
        return fail(`self-intersecting: edges ${i} and ${q} fold back on each other`);
      }
    } else {
      return fail(`edge ${i} ((${px[i]}, ${py[i]}) - (${px[q]}, ${py[q]})) is not parallel to an axis`);
    }
  }
  // Non-adjacent edges must not share a point: their bounding boxes must be disjoint.
  for (let i = 0; i < m; i++) {
    const i2 = (i + 1) % m;
    const ax0 = Math.min(px[i], px[i2]), ax1 = Math.max(px[i], px[i2]);
    const ay0 = Math.min(py[i], py[i2]), ay1 = Math.max(py[i], py[i2]);
    for (let k = 2; k < m - 1; k++) {
      const j = (i + k) % m, j2 = (j + 1) % m;
      const bx0 = Math.min(px[j], px[j2]), bx1 = Math.max(px[j], px[j2]);
      if (Math.max(ax0, bx0) > Math.min(ax1, bx1)) continue;
      const by0 = Math.min(py[j], py[j2]), by1 = Math.max(py[j], py[j2]);
      if (Math.max(ay0, by0) <= Math.min(ay1, by1)) {
        return fail(`self-intersecting: edges ${i} and ${j} touch`, perimeter);
      }
    }
  }
  if (perimeter > MAX_PERIMETER) {
    return fail(`the perimeter ${perimeter} exceeds ${MAX_PERIMETER}`, perimeter);
  }
  const inside = insideMask(input, px, py);
  let mackerels = 0, sardines = 0;
  for (let i = 0; i < 2 * input.n; i++) {
    if (inside[i]) i < input.n ? mackerels++ : sardines++;
  }
  return { score: Math.max(0, mackerels - sardines + 1), mackerels, sardines, perimeter };
}

/** Which fish lie inside or on the polygon (boundary inclusive; upward ray parity otherwise). */
export function insideMask(input: Ahc039Input, px: Int32Array, py: Int32Array): Uint8Array {
  const m = px.length;
  const out = new Uint8Array(2 * input.n);
  for (let f = 0; f < 2 * input.n; f++) {
    const x = input.xs[f], y = input.ys[f];
    let inside = false;
    for (let j = 0; j < m; j++) {
      const q = j + 1 === m ? 0 : j + 1;
      const x0 = px[j] < px[q] ? px[j] : px[q], x1 = px[j] < px[q] ? px[q] : px[j];
      const y0 = py[j] < py[q] ? py[j] : py[q], y1 = py[j] < py[q] ? py[q] : py[j];
      if (x0 <= x && x <= x1 && y0 <= y && y <= y1) {
        inside = true;
        break;
      }
      if (py[j] === py[q] && py[j] > y && x0 <= x && x < x1) inside = !inside;
    }
    out[f] = inside ? 1 : 0;
  }
  return out;
}

/** Judges a program's raw output: its last polygon. */
export function scoreOutput(input: Ahc039Input, output: string): Ahc039Score {
  const parsed = parsePolygons(output);
  if ("error" in parsed) return fail(parsed.error);
  return scorePolygon(input, parsed.polygons[parsed.polygons.length - 1]);
}

export function formatPolygon(poly: Polygon): string {
  return `${poly.length}\n${poly.map(([x, y]) => `${x} ${y}`).join("\n")}\n`;
}
