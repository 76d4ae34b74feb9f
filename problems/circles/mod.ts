/**
 * Circle packing in the unit square: n circles with disjoint interiors inside [0, 1]^2,
 * maximise the sum of radii (circles26, circles32). Validity has zero tolerance (exact
 * arithmetic on the float64 input); the float tolerance is reported separately.
 */
import { z } from "zod";
import { parseConstruct } from "../../lib/prompting.ts";
import { circlesPrompt } from "./prompt.ts";
import type { FullProblem } from "../../lib/problem.ts";
import { circlesFeatures, FEATURE_NAMES } from "./features.ts";
import { foundNames, foundPacking } from "./found.ts";
import { packingSvg } from "./figures.ts";
import { applyProgram, grammar } from "./moves.ts";
import { stateOf } from "./packing.ts";
import { halfGapRadii, strictlyValid } from "./radii.ts";
import { circlesFromJSON, circlesKey, type CirclesState } from "./state.ts";
import { evaluateCircles } from "./verifier.ts";

export const CirclesOptionsSchema = z.object({
  /** How many random initial packings seed the archive. */
  initialCount: z.number().int().min(1).max(1000).default(8),
}).strict();

export type CirclesOptions = z.infer<typeof CirclesOptionsSchema>;

function circlesProblem(count: number, record: number): FullProblem<CirclesState, CirclesOptions> {
  return {
    name: `circles${count}`,
    title: `Circle packing: ${count} circles in the unit square, maximise the sum of radii`,
    direction: "maximize",
    quantity: "sum of radii",
    record: { value: record, source: "best known (Packomania / AlphaEvolve / TTT-Discover), strict" },
    optionsSchema: CirclesOptionsSchema,
    // No published centres ship in data/reference; the warm starts are packings this toolkit found.
    warmStarts: foundNames(count),
    runDefaults: { steps: 200, groups: 4, groupSize: 8, minutes: 9 },

    initialStates(rng, options, init = "random") {
      if (foundNames(count).includes(init)) {
        const { centers, radii } = foundPacking(count, init);
        return [{ centers, radii }];
      }
      if (init !== "random") {
        throw new Error(
          `unknown circles${count} initial state "${init}"; valid: random, ${foundNames(count).join(", ")}`,
        );
      }
      return Array.from({ length: options.initialCount }, () => {
        const xs = Float64Array.from({ length: count }, () => rng.uniform(0.05, 0.95));
        const ys = Float64Array.from({ length: count }, () => rng.uniform(0.05, 0.95));
        return stateOf(xs, ys, strictlyValid(xs, ys, halfGapRadii(xs, ys)));
      });
    },

    evaluate: (state) => evaluateCircles(count, state),
    grammar,
    featureNames: FEATURE_NAMES,
    features: (state, evaluation) => circlesFeatures(record, state, evaluation),
    apply: applyProgram,
    prompt: circlesPrompt(count, record),
    parse: parseConstruct,

    toJSON: (state) => ({ centers: state.centers.map((c) => [c[0], c[1]]), radii: [...state.radii] }),
    fromJSON: circlesFromJSON,
    stateKey: circlesKey,
    figures(state) {
      const e = evaluateCircles(count, state);
      return [packingSvg(state.centers, state.radii, `${count} circles, sum of radii ${e.value}`)];
    },
  };
}

export const circles26 = circlesProblem(26, 2.635983077388119);
export const circles32 = circlesProblem(32, 2.939572);

export { evaluateCircles } from "./verifier.ts";
export type { CirclesState } from "./state.ts";
