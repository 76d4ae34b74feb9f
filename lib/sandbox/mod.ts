/** Sandboxes for generated programs: TypeScript in a permissionless Deno, C/C++ natively. */
export { type DenoRunLimits, type DenoRunResult, runDenoProgram } from "./deno.ts";
export {
  compileNative,
  type CompileOptions,
  type CompileResult,
  type NativeLanguage,
  type RunLimits,
  runNative,
  type RunResult,
} from "./native.ts";
