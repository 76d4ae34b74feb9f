/**
 * Exact comparisons on float64 values, so that the verifier has zero tolerance.
 * Every double is a dyadic rational m 2^e; scaled to a common exponent the test
 * (r_i + r_j)^2 <= (x_i - x_j)^2 + (y_i - y_j)^2 becomes an integer inequality in BigInt.
 */

/** x = m * 2^e exactly, with m an integer. */
function dyadic(x: number): { m: bigint; e: number } {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  if (x === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074; // subnormal
  else {
    mantissa |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: sign * mantissa, e };
}

/** The values as integers at one common scale 2^E (E = the smallest exponent). */
function commonScale(values: number[]): bigint[] {
  const parts = values.map(dyadic);
  const e = Math.min(...parts.filter((p) => p.m !== 0n).map((p) => p.e), 0);
  return parts.map((p) => p.m << BigInt(p.e - e));
}

/** Exactly: (ri + rj)^2 <= (xi - xj)^2 + (yi - yj)^2, i.e. the discs do not overlap (touching is allowed). */
export function exactlyDisjoint(
  xi: number,
  yi: number,
  ri: number,
  xj: number,
  yj: number,
  rj: number,
): boolean {
  const [XI, YI, RI, XJ, YJ, RJ] = commonScale([xi, yi, ri, xj, yj, rj]);
  const dx = XI - XJ, dy = YI - YJ, s = RI + RJ;
  return s * s <= dx * dx + dy * dy;
}

/** Exactly: a + b <= 1, by the error-free sum a + b = s + err (Knuth's TwoSum). */
export function exactSumAtMostOne(a: number, b: number): boolean {
  const s = a + b;
  const bv = s - a;
  const err = (a - (s - bv)) + (b - bv);
  return s < 1 || (s === 1 && err <= 0);
}
