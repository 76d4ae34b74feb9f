/**
 * What a problem module of your own imports: the contract's types, the reward convention and zod.
 * Light on purpose: rollout workers import a problem module, so it must not pull in the run store,
 * plots or policies. In this repository's deno.json it is `ttt-discover/kit`, so a problem file
 * anywhere on disk can `import { type Problem, rewardFor, z } from "ttt-discover/kit"` (see the
 * README, "Your own problem").
 */
export { z } from "zod";
export {
  type BuiltinParts,
  defineProblem,
  type Direction,
  type Evaluation,
  invalid,
  type JudgeLimits,
  type JudgeResult,
  type LanguageParts,
  type MoveContext,
  type OptionsCheck,
  type OptionsSchema,
  type ParsedProgram,
  pastDeadline,
  type Problem,
  type ProblemDefinition,
  type ProgramLanguage,
  type PromptContext,
  rewardFor,
  type StateJSON,
} from "./problem.ts";
export {
  defineMoves,
  logChoices,
  type Move,
  type MoveGrammar,
  type MoveHandlers,
  moveParam,
  type Moves,
  type OperatorDef,
  type OperatorSpec,
  type ParamDef,
  type ParamSpec,
  type ParamValue,
  type ParamValues,
  type Program,
  withinLogBin,
} from "./grammar.ts";
export type { Rng } from "./rng.ts";
/** The parser of a language-route construction problem: the reply's code block that defines `construct`. */
export { parseConstruct } from "./prompting.ts";
