/**
 * The verifier of a measured state. Measuring (compiling, running the harness) is
 * asynchronous and happens in `apply`; this synchronous check recomputes the kernel's
 * source from the state and accepts the measurement only if it belongs to that exact
 * source and suite, every shape was checked within tolerance, and every timing is
 * present; the speed-up is recomputed here from the raw timings. A measurement counts only
 * if the harness took it (its digest is in the ledger, harness.ts): a program that returns a
 * state with made-up timings gets an invalid attempt.
 */
import { type Evaluation, invalid } from "../../lib/problem.ts";
import { measuredByHarness, type Measurement, speedups } from "./harness.ts";
import { kernelSource, sourceHash } from "./kernels.ts";
import { shapeLabel } from "./shapes.ts";
import { stateFromJSON, type TriMulState } from "./state.ts";

function checkMeasurement(state: TriMulState, m: Measurement): string | undefined {
  if (m.sourceHash !== sourceHash(kernelSource(state.kernel))) {
    return "the measurement belongs to another kernel";
  }
  if (JSON.stringify(m.suite) !== JSON.stringify(state.suite)) return "the measurement used another suite";
  if (!m.ok) return m.error ?? "the kernel failed";
  if (m.shapes.length !== state.suite.shapes.length) return "the measurement misses shapes";
  for (const [i, s] of m.shapes.entries()) {
    const want = state.suite.shapes[i];
    if (s.B !== want.B || s.N !== want.N || s.C !== want.C || s.H !== want.H) return "shape mismatch";
    if (s.candidateMs.length !== state.suite.rounds || s.baselineMs.length !== state.suite.rounds) {
      return `shape ${shapeLabel(s)} has ${s.candidateMs.length} timed runs, expected ${state.suite.rounds}`;
    }
    if (!(s.worst <= 1)) return `shape ${shapeLabel(s)} is out of tolerance (worst ratio ${s.worst})`;
  }
  if (!measuredByHarness(m)) return "the measurement was not taken by the timing harness (not in its ledger)";
  return undefined;
}

export function evaluateTriMul(json: unknown): Evaluation {
  let state: TriMulState;
  try {
    state = stateFromJSON(json);
  } catch (e) {
    return invalid(`malformed state: ${e instanceof Error ? e.message.slice(0, 500) : String(e)}`);
  }
  const m = state.measurement;
  if (!m) {
    // The seed is the baseline itself: speed-up 1 by definition; its correctness is tested.
    if (state.kernel.template === "naive") {
      return { valid: true, value: 1, reward: 1, details: { measured: false } };
    }
    return invalid("kernel not measured");
  }
  const problem = checkMeasurement(state, m);
  if (problem) return invalid(problem, { compileMs: m.compileMs, runMs: m.runMs });
  if (state.suite.rounds === 0) return invalid("a suite with no timed rounds gives no speed-up");
  const { perShape, geomean } = speedups(m);
  return {
    valid: true,
    value: geomean,
    reward: geomean,
    details: {
      speedups: Object.fromEntries(m.shapes.map((s, i) => [shapeLabel(s), perShape[i]])),
      worstError: Math.max(...m.shapes.map((s) => s.worst)),
      compileMs: m.compileMs,
      runMs: m.runMs,
    },
  };
}
