import { discover, type StepReport } from "../lib/loop.ts";
import { Rng } from "../lib/rng.ts";
import { harnessDump, measureKernel, type Measurement } from "../problems/trimul/harness.ts";
import { cSource, DEFAULT_TILED, type KernelSpec } from "../problems/trimul/kernels.ts";
import { trimul } from "../problems/trimul/mod.ts";
import { applyParams } from "../problems/trimul/moves.ts";
import { parse, prompt } from "../problems/trimul/prompt.ts";
import { checkTolerance, randomInputs, trimulReference } from "../problems/trimul/reference.ts";
import type { Shape, Suite } from "../problems/trimul/shapes.ts";
import { SUITES } from "../problems/trimul/shapes.ts";
import type { TriMulState } from "../problems/trimul/state.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";

/** One shape, warm-up only (checked, untimed): the cheapest correctness check. */
const CHECK_ONLY: Suite = { name: "check", shapes: [{ B: 1, N: 16, C: 128, H: 128 }], rounds: 0 };
/** One timed round, which uses Cauchy inputs. */
const WITH_CAUCHY: Suite = { name: "cauchy", shapes: [{ B: 1, N: 16, C: 128, H: 128 }], rounds: 1 };

const source = (code: string): KernelSpec => ({ template: "source", code });
const baseline = () => cSource("baseline.c");

function replaced(text: string, from: string, to: string): string {
  assert(text.includes(from), `baseline.c no longer contains ${JSON.stringify(from)}`);
  return text.replaceAll(from, to);
}

function evaluateMeasured(kernel: KernelSpec, suite: Suite, m: Measurement) {
  return trimul.evaluate(trimul.toJSON({ kernel, suite, measurement: m } satisfies TriMulState));
}

Deno.test("the TypeScript reference matches a direct per-element computation", () => {
  const shape = { B: 2, N: 3, C: 5, H: 4 } as unknown as Shape;
  const inputs = randomInputs(shape, new Rng(3), "normal");
  const { N, C, H } = { N: 3, C: 5, H: 4 };
  const ln = (v: number[], w: ArrayLike<number>, b: ArrayLike<number>) => {
    const mean = v.reduce((a, x) => a + x, 0) / v.length;
    const variance = v.reduce((a, x) => a + (x - mean) * (x - mean), 0) / v.length;
    return v.map((x, i) => ((x - mean) / Math.sqrt(variance + 1e-5)) * w[i] + b[i]);
  };
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const at = (b: number, i: number, k: number) => (b * N + i) * N + k;
  // Everything recomputed from x for every output element: no shared intermediates.
  const proj = (p: number, w: Float32Array, h: number) => {
    const xn = ln(Array.from(inputs.x.subarray(p * C, p * C + C)), inputs.normW, inputs.normB);
    return xn.reduce((s, v, c) => s + v * w[h * C + c], 0);
  };
  const ref = trimulReference(inputs);
  for (let b = 0; b < 2; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const e = Array.from({ length: H }, (_, d) => {
          let s = 0;
          for (let k = 0; k < N; k++) {
            const pl = at(b, i, k), pr = at(b, j, k);
            s += proj(pl, inputs.wLeft, d) * inputs.mask[pl] * sig(proj(pl, inputs.wLeftGate, d)) *
              proj(pr, inputs.wRight, d) * inputs.mask[pr] * sig(proj(pr, inputs.wRightGate, d));
          }
          return s;
        });
        const p = at(b, i, j);
        const y = ln(e, inputs.outNormW, inputs.outNormB).map((v, d) => v * sig(proj(p, inputs.wOutGate, d)));
        for (let c = 0; c < C; c++) {
          const direct = y.reduce((s, v, d) => s + v * inputs.wToOut[c * H + d], 0);
          assertAlmostEquals(ref[p * C + c], direct, 1e-12);
        }
      }
    }
  }
});

Deno.test("the tolerance check: 2e-2 + 2e-2 |ref|, NaN and infinities fail", () => {
  assert(checkTolerance([1.039, -0.0199], [1, 0]).ok);
  const off = checkTolerance([1.05, 0], [1, 0]);
  assert(!off.ok && off.failures === 1 && off.firstFailure === 0);
  assert(!checkTolerance([NaN, 0], [0, 0]).ok);
  assertEquals(checkTolerance([0, Infinity], [0, 0]).worst, Infinity);
  assertThrows(() => checkTolerance([0], [0, 0]), /elements/);
});

Deno.test("the harness's C reference agrees with the TypeScript one (normal and Cauchy, N = 16)", async () => {
  for (const distribution of ["normal", "cauchy"] as const) {
    const shape = { B: 1, N: 16, C: 128, H: 128 } as const;
    const d = await harnessDump(shape, distribution, 5);
    const f = (name: string) => Float32Array.from(d[name]);
    const ts = trimulReference({
      shape,
      x: f("x"),
      mask: f("mask"),
      normW: f("norm_w"),
      normB: f("norm_b"),
      wLeft: f("w_left"),
      wRight: f("w_right"),
      wLeftGate: f("w_left_gate"),
      wRightGate: f("w_right_gate"),
      wOutGate: f("w_out_gate"),
      outNormW: f("out_norm_w"),
      outNormB: f("out_norm_b"),
      wToOut: f("w_to_out"),
    });
    const c = d.reference;
    assertEquals(c.length, ts.length);
    let worst = 0;
    for (let i = 0; i < c.length; i++) {
      worst = Math.max(worst, Math.abs(c[i] - ts[i]) / (1 + Math.abs(ts[i])));
    }
    assert(worst < 1e-9, `${distribution}: C and TypeScript references differ by ${worst}`);
    if (distribution === "cauchy") {
      assert(Math.max(...d.x.map(Math.abs)) > 100, "Cauchy inputs are heavy-tailed");
    }
    assert(d.mask.some((m) => m === 0) && d.mask.some((m) => m === 1));
  }
});

Deno.test("the check catches kernels that skip the mask, a gate or a LayerNorm", async () => {
  const bugs: Record<string, string> = {
    "mask": replaced(baseline(), "* mask[p] *", "*"),
    "left/right gates": replaced(baseline(), "sigmoidf(dot(xn, w_left_gate + (size_t)h * C, C))", "1.0f")
      .replace("sigmoidf(dot(xn, w_right_gate + (size_t)h * C, C))", "1.0f"),
    "out gate": replaced(baseline(), "y[d] *= gate[p * H + d];", ""),
    "input LayerNorm": replaced(
      baseline(),
      "layernorm(x + p * C, C, norm_w, norm_b, xn);",
      "for (int c = 0; c < C; c++) xn[c] = x[p * C + c];",
    ),
    "output LayerNorm": replaced(
      baseline(),
      "layernorm(e, H, out_norm_w, out_norm_b, y);",
      "for (int d = 0; d < H; d++) y[d] = e[d];",
    ),
  };
  const results = await Promise.all(
    Object.entries(bugs).map(async ([name, code]) =>
      [name, await measureKernel(source(code), CHECK_ONLY, 1)] as const
    ),
  );
  for (const [name, m] of results) {
    assert(!m.ok, `a kernel that skips the ${name} passed`);
    assert(/out of tolerance/.test(m.error ?? ""), `${name}: ${m.error}`);
    const e = evaluateMeasured(source(bugs[name]), CHECK_ONLY, m);
    assert(!e.valid && e.reward === 0 && /wrong/.test(e.error ?? ""), `${name}: ${e.error}`);
  }
});

const SIGNATURE =
  `void trimul(const float *x, const float *mask, const float *nw, const float *nb, const float *wl,
  const float *wr, const float *wlg, const float *wrg, const float *wog, const float *onw, const float *onb,
  const float *wo, float *out, int B, int N, int C, int H)`;

const HOSTILE: Record<string, { code: string; error: RegExp }> = {
  "wrong only on Cauchy inputs": {
    // Clamping x to [-8, 8] never changes normal inputs here, but changes heavy-tailed ones.
    code: replaced(
      baseline(),
      "layernorm(x + p * C, C, norm_w, norm_b, xn);",
      "{ float xc[4096]; for (int c = 0; c < C; c++) xc[c] = fminf(fmaxf(x[p * C + c], -8.0f), 8.0f);" +
        " layernorm(xc, C, norm_w, norm_b, xn); }",
    ),
    error: /cauchy inputs.*out of tolerance/,
  },
  "infinite loop": {
    code: `${SIGNATURE} { volatile unsigned long spin = 0; for (;;) spin++; }`,
    error: /time limit: the candidate kernel .* ran longer than/,
  },
  "segfault": {
    code: `${SIGNATURE} { *(volatile float *)0 = x[0]; out[0] = 0; }`,
    error: /crash: .*SIGSEGV.* in the candidate kernel/,
  },
  "huge allocation": {
    code: `#include <stdlib.h>
#include <string.h>
static char *volatile keep[64];
${SIGNATURE} { for (int i = 0; i < 64; i++) { keep[i] = malloc((size_t)1 << 30); memset(keep[i], i, (size_t)1 << 30); } }`,
    error: /crash: .*SIGSEGV.*failed allocation/,
  },
  "file write": {
    code: `#include <stdio.h>
${SIGNATURE} { FILE *f = fopen("kernel-was-here.txt", "w"); if (f) { fputs("x", f); fclose(f); } }`,
    error: /exceeded file size limit/,
  },
  "compile error": { code: `${SIGNATURE} { return 1 +; }`, error: /compile error/ },
  "missing function": { code: `int other(void) { return 0; }`, error: /defines no function `trimul`/ },
};

Deno.test("hostile kernels are each invalid with a clear error, and a run goes on past them", async () => {
  const names = Object.keys(HOSTILE);
  let next = 0;
  // The real trimul problem, except that its moves hand out the hostile kernels in turn.
  const hostile = {
    ...trimul,
    apply: async (_program: unknown, _state: TriMulState, ctx: { rng: Rng }) => {
      const kernel = source(HOSTILE[names[next++ % names.length]].code);
      const suite = WITH_CAUCHY;
      return { kernel, suite, measurement: await measureKernel(kernel, suite, ctx.rng.nextUint32()) };
    },
    initialStates: () => [{ kernel: { template: "naive" }, suite: WITH_CAUCHY }],
  } as typeof trimul;
  const gen = discover({
    problem: hostile,
    config: { problem: "trimul", steps: 1, groups: 1, groupSize: 7, workers: 0, seed: 4 },
  });
  const reports: StepReport[] = [];
  for (let r = await gen.next(); !r.done; r = await gen.next()) reports.push(r.value);
  const attempts = reports.flatMap((r) => r.attempts);
  assertEquals(attempts.length, names.length);
  assertEquals(next, names.length);
  const errors = attempts.map((a) => a.error);
  for (const [i, name] of names.entries()) {
    assert(!attempts[i].valid && attempts[i].reward === 0, `${name} was recorded valid`);
    assert(
      errors.some((e) => HOSTILE[name].error.test(e)),
      `${name}: no error matches; got ${errors.join(" | ")}`,
    );
  }
});

Deno.test("moves set template parameters; evaluate rejects a measurement of another kernel", async () => {
  const tiled = applyParams([{ op: "threads", params: { count: 2 } }], { template: "naive" });
  assertEquals(tiled, { template: "tiled", params: { ...DEFAULT_TILED, threads: 2 } });
  const again = applyParams([{ op: "tile", params: { positions: 8, columns: 64 } }], tiled);
  assert(again.template === "tiled" && again.params.tilePositions === 8 && again.params.threads === 2);
  const m = await measureKernel(again, CHECK_ONLY, 2);
  assert(m.ok, m.error);
  const other = { template: "tiled", params: { ...DEFAULT_TILED } } as const;
  assert(/another kernel/.test(evaluateMeasured(other, CHECK_ONLY, m).error ?? ""));
  assert(/no timed rounds/.test(evaluateMeasured(again, CHECK_ONLY, m).error ?? ""));
  assert(!trimul.evaluate({ kernel: { template: "tiled" }, suite: CHECK_ONLY }).valid);
  assert(
    !trimul.evaluate({ kernel: other, suite: CHECK_ONLY }).valid,
    "an unmeasured tiled kernel is invalid",
  );
  assertEquals(trimul.evaluate({ kernel: { template: "naive" }, suite: SUITES.test }).value, 1);
  for (const bad of [null, 3, "x", { kernel: { template: "source", code: "" }, suite: CHECK_ONLY }]) {
    assert(!trimul.evaluate(bad).valid);
  }
});

Deno.test("prompt shows the signature and the parent kernel; parse takes the last C block with trimul", () => {
  const state: TriMulState = { kernel: { template: "naive" }, suite: SUITES.search };
  const text = prompt(state, trimul.evaluate(state));
  assert(text.includes("void trimul(") && text.includes("-march=native") && text.includes("layernorm("));
  const reply = "plan\n```c\nint helper;\n```\n```c\n#include <math.h>\nvoid trimul(void) {}\n```\n";
  assertEquals(parse(reply).source, "#include <math.h>\nvoid trimul(void) {}\n");
  assertThrows(() => parse("no code"), /no ```c code block/);
  assertThrows(() => parse("```c\nint x;\n```"), /defines `trimul/);
});

Deno.test("a short discovery runs end to end on the test suite", async () => {
  const gen = discover({
    config: {
      problem: "trimul",
      steps: 1,
      groups: 2,
      groupSize: 2,
      workers: 0,
      problemOptions: { suite: "test" },
    },
  });
  const reports: StepReport[] = [];
  let r = await gen.next();
  for (; !r.done; r = await gen.next()) reports.push(r.value);
  assertEquals(reports.length, 1);
  const attempts = reports[0].attempts;
  assert(attempts.length >= 2);
  for (const a of attempts) assert(a.valid, `a template kernel was invalid: ${a.error}`);
  assert(r.value.best.value >= 1);
});
