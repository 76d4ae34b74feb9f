/** The AHC058 C++ route: judge a C++ solver on a case set (default: official seeds 0..9). */
import type { CaseSpec } from "../atcoder/cases.ts";
import { judgeCpp, type JudgeOptions, type NativeJudgement } from "../atcoder/native_runner.ts";
import { loadCases } from "./cases.ts";
import { scoreOutput } from "./scorer.ts";

export function judgeAhc058Cpp(
  source: string,
  cases: CaseSpec = { source: "official", first: 0, count: 10 },
  options: JudgeOptions = {},
): Promise<NativeJudgement> {
  return judgeCpp(source, loadCases(cases), (c, stdout) => scoreOutput(c.input, stdout), options);
}

/** A small hand-written greedy in C++ (buy the affordable upgrade with the best yield/cost). */
export function greedyCppSource(): string {
  return Deno.readTextFileSync(new URL("./cpp/greedy.cpp", import.meta.url));
}
