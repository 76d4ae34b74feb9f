/** The few assertions the suites use (jsr:@std/assert is out of reach here). */
import nodeAssert from "node:assert";

export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  message?: string,
): void {
  const delta = Math.abs(actual - expected);
  nodeAssert.ok(
    delta <= tolerance,
    message ?? `expected ${actual} to be within ${tolerance} of ${expected} (off by ${delta})`,
  );
}

export function assertThrows(fn: () => unknown, pattern?: RegExp): Error {
  try {
    fn();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (pattern) nodeAssert.match(error.message, pattern);
    return error;
  }
  throw new nodeAssert.AssertionError({ message: "expected the function to throw" });
}

export async function assertRejects(fn: () => Promise<unknown>, pattern?: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (pattern) nodeAssert.match(error.message, pattern);
    return error;
  }
  throw new nodeAssert.AssertionError({ message: "expected the promise to reject" });
}
