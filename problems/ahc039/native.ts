/** The AHC039 C++ route: judge a C++ solver on a generated case set (default: seeds 0..4). */
import type { CaseSpec } from "../atcoder/cases.ts";
import { judgeCpp, type JudgeOptions, type NativeJudgement } from "../atcoder/native_runner.ts";
import { loadCases } from "./cases.ts";
import { scoreOutput } from "./scorer.ts";

export function judgeAhc039Cpp(
  source: string,
  cases: CaseSpec = { source: "generated", seed: 0, count: 5 },
  options: JudgeOptions = {},
): Promise<NativeJudgement> {
  return judgeCpp(source, loadCases(cases), (c, stdout) => scoreOutput(c.input, stdout), options);
}

/** A small hand-written C++ solver: the best rectangle of a 50 x 50 grid (2-D Kadane). */
export function rectangleCppSource(): string {
  return Deno.readTextFileSync(new URL("./cpp/rectangle.cpp", import.meta.url));
}
