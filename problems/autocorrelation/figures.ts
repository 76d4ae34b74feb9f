/**
 * Figures of a construction as standalone SVG (hand-written polylines, so large n costs
 * nothing): the step function f on [-1/4, 1/4] and its autoconvolution f * f on
 * [-1/2, 1/2] with the maximum marked. Long curves are binned (min and max per bin),
 * so spikes survive the thinning.
 */
const WIDTH = 640, HEIGHT = 240, MARGIN = 40;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Points (x, y) thinned to about 2 x bins by keeping each bin's extremes. */
function thin(xs: ArrayLike<number>, ys: ArrayLike<number>, bins = 800): [number, number][] {
  const n = ys.length;
  if (n <= 2 * bins) return Array.from({ length: n }, (_, i) => [xs[i], ys[i]]);
  const out: [number, number][] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * n) / bins), hi = Math.floor(((b + 1) * n) / bins);
    let iMin = lo, iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (ys[i] < ys[iMin]) iMin = i;
      if (ys[i] > ys[iMax]) iMax = i;
    }
    for (const i of iMin < iMax ? [iMin, iMax] : [iMax, iMin]) out.push([xs[i], ys[i]]);
  }
  return out;
}

/** A line chart with a zero line, axis labels, and optionally one marked point. */
export function lineSvg(
  title: string,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  options: { xLabel: string; yLabel: string; mark?: [number, number] },
): string {
  const points = thin(xs, ys);
  let x0 = Infinity, x1 = -Infinity, y0 = 0, y1 = 0;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (x: number) => MARGIN + ((x - x0) / (x1 - x0)) * (WIDTH - 2 * MARGIN);
  const sy = (y: number) => HEIGHT - MARGIN + ((y0 - y) / (y1 - y0)) * (HEIGHT - 2 * MARGIN);
  const path = points.map(([x, y]) => `${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join(" ");
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  const mark = options.mark
    ? `<circle cx="${sx(options.mark[0]).toFixed(2)}" cy="${
      sy(options.mark[1]).toFixed(2)
    }" r="4" fill="#d62728"/>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${MARGIN}" y="16" font-size="13">${escape(title)}</text>` +
    `<line x1="${MARGIN}" x2="${WIDTH - MARGIN}" y1="${sy(0)}" y2="${sy(0)}" stroke="#999"/>` +
    `<line x1="${MARGIN}" x2="${MARGIN}" y1="${MARGIN}" y2="${HEIGHT - MARGIN}" stroke="#999"/>` +
    `<polyline fill="none" stroke="steelblue" stroke-width="1" points="${path}"/>${mark}` +
    `<text x="${MARGIN}" y="${HEIGHT - 22}">${fmt(x0)}</text>` +
    `<text x="${WIDTH - MARGIN}" y="${HEIGHT - 22}" text-anchor="end">${fmt(x1)}</text>` +
    `<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escape(options.xLabel)}</text>` +
    `<text x="${MARGIN - 4}" y="${sy(y1) + 4}" text-anchor="end">${fmt(y1)}</text>` +
    `<text x="${MARGIN - 4}" y="${sy(y0) + 4}" text-anchor="end">${fmt(y0)}</text>` +
    `<text x="12" y="${HEIGHT / 2}" transform="rotate(-90 12 ${HEIGHT / 2})" text-anchor="middle">${
      escape(options.yLabel)
    }</text></svg>`;
}

/** f as a step function on [-1/4, 1/4] (two points per piece, so the steps show). */
export function functionSvg(a: ArrayLike<number>, title: string): string {
  const n = a.length;
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(-0.25 + (0.5 * i) / n, -0.25 + (0.5 * (i + 1)) / n);
    ys.push(a[i], a[i]);
  }
  return lineSvg(title, xs, ys, { xLabel: "x", yLabel: "f(x)" });
}

/** f * f at its grid points on [-1/2, 1/2] (entry k at -1/2 + (k + 1)/(2n)), maximum marked. */
export function convolutionSvg(c: ArrayLike<number>, title: string): string {
  const m = c.length;
  const xs = Array.from({ length: m }, (_, k) => -0.5 + (k + 1) / (m + 1));
  let at = 0;
  for (let k = 1; k < m; k++) if (c[k] > c[at]) at = k;
  return lineSvg(title, xs, c, { xLabel: "x", yLabel: "(f*f)(x), grid values", mark: [xs[at], c[at]] });
}
