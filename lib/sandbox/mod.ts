/** Sandboxes for generated programs: TypeScript in a permissionless Deno, C/C++ natively, both jailed. */
export { type DenoRunLimits, type DenoRunResult, runDenoProgram } from "./deno.ts";
export {
  compileNative,
  type CompileOptions,
  type CompileResult,
  nativeCacheDir,
  type NativeLanguage,
  type RunLimits,
  runNative,
  type RunResult,
} from "./native.ts";
export { cleanOutput } from "./clean.ts";
export { memoryEnforcement } from "./jail.ts";
