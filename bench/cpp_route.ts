/**
 * The C++ route's round trip per attempt: compile a trivial AHC058 solver (a fresh source each
 * time, so nothing comes from the compile cache) with g++ -O2 -std=c++20 in the jail, then judge
 * it on 10 cases, each case one sandboxed run, the output scored by the exact scorer. Prints the
 * median of 20 for the whole round trip and for its compile part, and the same for a solver that
 * includes <bits/stdc++.h> (what models usually write; compiled against a precompiled header that
 * the first compile builds, lib/sandbox/native.ts).
 *
 *   deno task bench cpp_route [--runs 20] [--cases 10]
 */
import { parseArgs } from "node:util";
import { judgeAhc058Cpp } from "../problems/ahc058/native.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "20" }, cases: { type: "string", default: "10" } },
});
const runs = Number(values.runs), cases = Number(values.cases);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const trivial = (i: number) =>
  `// attempt ${i}\n#include <cstdio>\nint main() { for (int t = 0; t < 500; t++) puts("-1"); }\n`;
const stdcpp = (i: number) =>
  `// attempt ${i}\n#include <bits/stdc++.h>\nint main() { for (int t = 0; t < 500; t++) std::cout << "-1\\n"; }\n`;

for (const [label, source] of [["<cstdio>", trivial], ["<bits/stdc++.h>", stdcpp]] as const) {
  const cacheDir = Deno.makeTempDirSync({ prefix: "ttt-bench-cpp-" });
  try {
    const total: number[] = [], compile: number[] = [], judge: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const j = await judgeAhc058Cpp(source(i), { source: "generated", seed: 0, count: cases }, { cacheDir });
      const ms = performance.now() - t0;
      if (!j.evaluation.valid || j.compile.cached) throw new Error(`run ${i}: ${j.evaluation.error}`);
      total.push(ms);
      compile.push(j.compile.ms);
      judge.push(ms - j.compile.ms);
    }
    console.log(
      `${label}: round trip ${(median(total) / 1000).toFixed(2)} s (median of ${runs}; compile ` +
        `${(median(compile) / 1000).toFixed(2)} s, judge on ${cases} cases ${
          (median(judge) / 1000).toFixed(2)
        } s); ` +
        `first compile ${(compile[0] / 1000).toFixed(2)} s`,
    );
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
}
console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
