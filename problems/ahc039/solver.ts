/**
 * A parameterised AHC039 solver (the built-in route's "program"): the net is the boundary of a
 * union of grid cells. It starts from the best sub-rectangle of the grid (2-D Kadane on
 * mackerels - sardines per cell), runs simulated annealing that adds or removes one cell at a
 * time, then optionally halves the cells and anneals again. Every move keeps the region
 * 4-connected, hole-free and free of diagonal-only contacts (so its boundary is one simple
 * polygon), with at most 1000 corners and perimeter at most 4e5. Iteration counts, never
 * wall time, bound the work, so a run is deterministic given its seed.
 */
import { Rng } from "../../lib/rng.ts";
import { type Ahc039Input, SIDE } from "./input.ts";
import { MAX_PERIMETER, MAX_VERTICES, type Polygon } from "./scorer.ts";

export interface SolverParams {
  /** Cells per side of the first grid. */
  readonly grid: number;
  /** Annealing iterations on the first grid (0 = the best rectangle only). */
  readonly iters: number;
  /** Times the cells are halved (each followed by refineIters iterations). */
  readonly refine: number;
  readonly refineIters: number;
  /** Start and end temperature of the annealing, in fish. */
  readonly t0: number;
  readonly t1: number;
  /** Seed of the annealing's random numbers (part of the state, so evaluation is deterministic). */
  readonly seed: number;
}

export const BASELINE_PARAMS: SolverParams = {
  grid: 50,
  iters: 0,
  refine: 0,
  refineIters: 0,
  t0: 2,
  t1: 0.1,
  seed: 0,
};

/** Ring of the 8 neighbours in cyclic order: N, NE, E, SE, S, SW, W, NW (dx, dy). */
const RING: readonly (readonly [number, number])[] = [[0, 1], [1, 1], [1, 0], [1, -1], [0, -1], [-1, -1], [
  -1,
  0,
], [-1, 1]];

class Region {
  /** Padded (g+2)^2 occupancy; the frame is always empty (the sea outside the grid). */
  readonly cells: Uint8Array;
  readonly w: Int32Array;
  readonly stride: number;
  readonly lines: Int32Array;
  corners = 0;
  perimeter = 0;
  score = 0;
  size = 0;

  constructor(readonly g: number, input: Ahc039Input) {
    this.stride = g + 2;
    this.cells = new Uint8Array(this.stride * this.stride);
    this.w = new Int32Array(this.stride * this.stride);
    this.lines = Int32Array.from({ length: g + 1 }, (_, k) => Math.round((k * SIDE) / g));
    for (let f = 0; f < 2 * input.n; f++) {
      const cx = Math.min(g - 1, Math.floor((input.xs[f] * g) / SIDE));
      const cy = Math.min(g - 1, Math.floor((input.ys[f] * g) / SIDE));
      this.w[this.index(cx, cy)] += f < input.n ? 1 : -1;
    }
  }

  /** Index of cell (cx, cy), 0-based cell coordinates. */
  index(cx: number, cy: number): number {
    return (cy + 1) * this.stride + cx + 1;
  }

  /** Is the lattice point between cells (i-1..i, j-1..j) a corner of the boundary? (index of cell (i, j)) */
  private isCorner(p: number): boolean {
    const s = this.stride;
    const k = this.cells[p] + this.cells[p - 1] + this.cells[p - s] + this.cells[p - s - 1];
    return k === 1 || k === 3 || (k === 2 && this.cells[p] === this.cells[p - s - 1]);
  }

  private hasCheckerboard(p: number): boolean {
    const s = this.stride, c = this.cells;
    for (const q of [p, p + 1, p + s, p + s + 1]) {
      const a = c[q], b = c[q - 1], d = c[q - s], e = c[q - s - 1];
      if (a === e && b === d && a !== b) return true;
    }
    return false;
  }

  /** Cell side lengths: width of column cx, height of row cy. */
  private width(p: number): number {
    const cx = (p % this.stride) - 1;
    return this.lines[cx + 1] - this.lines[cx];
  }
  private height(p: number): number {
    const cy = Math.floor(p / this.stride) - 1;
    return this.lines[cy + 1] - this.lines[cy];
  }

  /** Sets the region to the rectangle of cells [x0, x1] x [y0, y1]. */
  setRectangle(x0: number, x1: number, y0: number, y1: number): void {
    this.cells.fill(0);
    for (let cy = y0; cy <= y1; cy++) for (let cx = x0; cx <= x1; cx++) this.cells[this.index(cx, cy)] = 1;
    this.recount();
  }

  recount(): void {
    const s = this.stride, c = this.cells;
    this.corners =
      this.perimeter =
      this.score =
      this.size =
        0;
    for (let p = s; p < c.length - s; p++) {
      if (p % s === 0 || p % s === s - 1) continue;
      if (c[p]) {
        this.size++;
        this.score += this.w[p];
        if (!c[p + 1]) this.perimeter += this.height(p);
        if (!c[p - 1]) this.perimeter += this.height(p);
        if (!c[p + s]) this.perimeter += this.width(p);
        if (!c[p - s]) this.perimeter += this.width(p);
      }
    }
    for (let p = s + 1; p < c.length; p++) {
      if (p % s !== 0 && this.isCorner(p)) this.corners++;
    }
  }

  /**
   * Toggles cell p if the region stays a simple polygon within the limits; returns the change
   * in score, or null (unchanged) when the toggle is not allowed. `accept` decides on the delta.
   */
  tryToggle(p: number, accept: (delta: number) => boolean): number | null {
    const s = this.stride, c = this.cells;
    const cx = (p % s) - 1, cy = Math.floor(p / s) - 1;
    if (cx < 0 || cy < 0 || cx >= this.g || cy >= this.g) return null;
    const adding = c[p] === 0;
    if (!adding && this.size === 1) return null;
    // Simple point: the ring's members form exactly one arc (two changes going round).
    let changes = 0, sides = 0;
    for (let k = 0; k < 8; k++) {
      const [dx, dy] = RING[k], [ex, ey] = RING[(k + 1) % 8];
      const a = c[p + dy * s + dx], b = c[p + ey * s + ex];
      if (a !== b) changes++;
      if (k % 2 === 0 && a) sides++;
    }
    if (changes !== 2 || sides === 0) return null;
    const delta = adding ? this.w[p] : -this.w[p];
    if (!accept(delta)) return null;
    // Perimeter change: each side shared with the region disappears (adding) or appears (removing).
    let perimeterDelta = 0;
    for (
      const [q, len] of [[p + 1, this.height(p)], [p - 1, this.height(p)], [p + s, this.width(p)], [
        p - s,
        this.width(p),
      ]]
    ) {
      perimeterDelta += (c[q] ? -len : len) * (adding ? 1 : -1);
    }
    if (this.perimeter + perimeterDelta > MAX_PERIMETER) return null;
    const cornerPoints = [p, p + 1, p + s, p + s + 1];
    let before = 0;
    for (const q of cornerPoints) if (this.isCorner(q)) before++;
    c[p] ^= 1;
    let after = 0;
    for (const q of cornerPoints) if (this.isCorner(q)) after++;
    if (this.hasCheckerboard(p) || this.corners + after - before > MAX_VERTICES) {
      c[p] ^= 1;
      return null;
    }
    this.corners += after - before;
    this.perimeter += perimeterDelta;
    this.score += delta;
    this.size += adding ? 1 : -1;
    return delta;
  }

  /** The boundary as a polygon: corners only, counter-clockwise. */
  polygon(): Polygon {
    const s = this.stride, c = this.cells, g = this.g;
    // Directed boundary edges with the region on the left; lattice point (i, j) -> i * (g+1) + j.
    const next = new Int32Array((g + 1) * (g + 1)).fill(-1);
    const lp = (i: number, j: number) => i * (g + 1) + j;
    let start = -1;
    for (let cy = 0; cy < g; cy++) {
      for (let cx = 0; cx < g; cx++) {
        const p = this.index(cx, cy);
        if (!c[p]) continue;
        if (!c[p - s]) next[lp(cx, cy)] = lp(cx + 1, cy); // bottom, going east
        if (!c[p + 1]) next[lp(cx + 1, cy)] = lp(cx + 1, cy + 1); // right, going north
        if (!c[p + s]) next[lp(cx + 1, cy + 1)] = lp(cx, cy + 1); // top, going west
        if (!c[p - 1]) next[lp(cx, cy + 1)] = lp(cx, cy); // left, going south
        if (start < 0) start = lp(cx, cy);
      }
    }
    const points: [number, number][] = [];
    const coord = (
      v: number,
    ): [number, number] => [this.lines[Math.floor(v / (g + 1))], this.lines[v % (g + 1)]];
    let v = start;
    const limit = next.length;
    for (let steps = 0; steps <= limit; steps++) {
      const u = next[v];
      if (u < 0) throw new Error("broken boundary");
      points.push(coord(v));
      v = u;
      if (v === start) break;
    }
    // Keep corners only: drop vertices in the middle of a straight run.
    const m = points.length;
    const corners: [number, number][] = [];
    for (let i = 0; i < m; i++) {
      const a = points[(i + m - 1) % m], b = points[i], d = points[(i + 1) % m];
      const straight = (a[0] === b[0] && b[0] === d[0]) || (a[1] === b[1] && b[1] === d[1]);
      if (!straight) corners.push(b);
    }
    return corners;
  }

  /** The same region on a grid twice as fine. */
  refined(input: Ahc039Input): Region {
    const fine = new Region(this.g * 2, input);
    for (let cy = 0; cy < this.g; cy++) {
      for (let cx = 0; cx < this.g; cx++) {
        if (!this.cells[this.index(cx, cy)]) continue;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          fine.cells[fine.index(2 * cx + dx, 2 * cy + dy)] = 1;
        }
      }
    }
    fine.recount();
    return fine;
  }
}

/** Best sub-rectangle of the cell weights (2-D Kadane over row pairs), O(g^3). */
function bestRectangle(region: Region): [number, number, number, number] {
  const g = region.g;
  let best = -Infinity, rect: [number, number, number, number] = [0, 0, 0, 0];
  const column = new Int32Array(g);
  for (let y0 = 0; y0 < g; y0++) {
    column.fill(0);
    for (let y1 = y0; y1 < g; y1++) {
      for (let x = 0; x < g; x++) column[x] += region.w[region.index(x, y1)];
      let run = 0, from = 0;
      for (let x = 0; x < g; x++) {
        if (run <= 0) [run, from] = [column[x], x];
        else run += column[x];
        if (run > best) [best, rect] = [run, [from, x, y0, y1]];
      }
    }
  }
  return rect;
}

function anneal(region: Region, iterations: number, t0: number, t1: number, rng: Rng): Region {
  if (iterations <= 0) return region;
  const s = region.stride;
  let bestScore = region.score;
  let best = region.cells.slice();
  const dirs = [1, -1, s, -s];
  let temperature = t0;
  const accept = (delta: number) => delta >= 0 || rng.next() < Math.exp(delta / temperature);
  for (let it = 0; it < iterations; it++) {
    temperature = t0 * Math.pow(t1 / t0, it / iterations);
    // A random pair of neighbouring cells across the boundary; toggle one of them.
    const p = region.index(rng.int(region.g), rng.int(region.g));
    const q = p + dirs[rng.int(4)];
    if (region.cells[p] === region.cells[q]) continue;
    region.tryToggle(rng.next() < 0.5 ? p : q, accept);
    if (region.score > bestScore) {
      bestScore = region.score;
      best = region.cells.slice();
    }
  }
  region.cells.set(best);
  region.recount();
  return region;
}

export interface SolveResult {
  readonly polygon: Polygon;
  /** The solver's own count of mackerels - sardines by cell (the scorer has the final word). */
  readonly estimate: number;
}

export function solve(input: Ahc039Input, params: SolverParams): SolveResult {
  const rng = new Rng(params.seed);
  let region = new Region(params.grid, input);
  const [x0, x1, y0, y1] = bestRectangle(region);
  region.setRectangle(x0, x1, y0, y1);
  region = anneal(region, params.iters, params.t0, params.t1, rng);
  for (let level = 0; level < params.refine; level++) {
    region = anneal(region.refined(input), params.refineIters, params.t0 / 2, params.t1, rng);
  }
  return { polygon: region.polygon(), estimate: region.score };
}
