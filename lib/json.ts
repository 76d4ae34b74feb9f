/**
 * JSON that keeps NaN and the infinities. Plain JSON.stringify turns them into null, which would
 * silently corrupt a checkpoint (an archive state's best child reward is NaN until it is expanded).
 * Non-finite numbers are written as {"$number": "NaN" | "Infinity" | "-Infinity"} and restored on read.
 *
 * A JSON.stringify replacer would do this too, but it costs ~3x the plain stringify on a large
 * archive; walking the value first and copying only the paths that hold a non-finite number is
 * almost free when there are none and cheap when there are.
 */

const TAG = "$number";

function tagNonFinite(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : { [TAG]: String(value) };
  if (typeof value !== "object" || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value; // e.g. Date
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const tagged = tagNonFinite(value[i]);
      if (tagged !== value[i] && typeof tagged === "object") (copy ??= value.slice())[i] = tagged;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const tagged = tagNonFinite(item);
    if (tagged !== item && typeof tagged === "object") (copy ??= { ...value })[key] = tagged;
  }
  return copy ?? value;
}

function isTagged(value: unknown): value is { [TAG]: string } {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === TAG && typeof (value as Record<string, unknown>)[TAG] === "string";
}

export function encodeJson(value: unknown, pretty = false): string {
  return JSON.stringify(tagNonFinite(value), null, pretty ? 2 : undefined);
}

/** Parses JSON written by encodeJson (or any plain JSON); throws SyntaxError on bad input. */
export function decodeJson(text: string): unknown {
  // The reviver is slow on large checkpoints, so only pay for it when a tag is present.
  if (!text.includes(`"${TAG}"`)) return JSON.parse(text);
  return JSON.parse(text, (_key, item) => isTagged(item) ? Number(item[TAG]) : item);
}
