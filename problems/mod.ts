/** Every problem the toolkit knows, by name. Workers look problems up here too. */
import type { Problem } from "../lib/problem.ts";
import { erdos } from "./erdos/mod.ts";
import { ahc039 } from "./ahc039/mod.ts";
import { ahc058 } from "./ahc058/mod.ts";
import { denoise } from "./denoise/mod.ts";
import { ac1, ac2, ac3 } from "./autocorrelation/mod.ts";
import { circles26, circles32 } from "./circles/mod.ts";
import { trimul } from "./trimul/mod.ts";

// deno-lint-ignore no-explicit-any
export const PROBLEMS: Readonly<Record<string, Problem<any, any>>> = {
  erdos,
  ahc039,
  ahc058,
  denoise,
  ac1,
  ac2,
  ac3,
  circles26,
  circles32,
  trimul,
};

// deno-lint-ignore no-explicit-any
export function getProblem(name: string): Problem<any, any> {
  const problem = PROBLEMS[name];
  if (!problem) {
    throw new Error(`unknown problem "${name}"; known problems: ${Object.keys(PROBLEMS).join(", ")}`);
  }
  return problem;
}
