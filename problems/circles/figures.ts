/** The packing drawn as a standalone SVG: the unit square, each circle, and the sum of radii. */
export function packingSvg(
  centers: readonly (readonly [number, number])[],
  radii: readonly number[],
  title: string,
) {
  const size = 480, pad = 20, scale = size - 2 * pad;
  const circles = centers.map(([x, y], i) =>
    `<circle cx="${(pad + x * scale).toFixed(3)}" cy="${(pad + (1 - y) * scale).toFixed(3)}" r="${
      (radii[i] * scale).toFixed(3)
    }" fill="steelblue" fill-opacity="0.35" stroke="steelblue"/>`
  ).join("");
  const text = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${
    size + 20
  }" viewBox="0 0 ${size} ${
    size + 20
  }" font-family="system-ui, sans-serif" font-size="13"><rect width="100%" height="100%" fill="white"/>` +
    `<rect x="${pad}" y="${pad}" width="${scale}" height="${scale}" fill="none" stroke="black"/>${circles}` +
    `<text x="${pad}" y="${size + 10}">${text}</text></svg>`;
}
