/**
 * A problem of your own, as a module: `deno task run ./my_problem.ts`, `discover({ config: { problem:
 * "./my_problem.ts" } })`, `--resume` of such a run, and the rollout workers all load it here.
 *
 * A module path is resolved against the caller's working directory (never against this library's
 * files) and recorded as an absolute URL in config.json (`problemModule`). The module exports one
 * problem (a default export wins over named ones); what it exports is checked against the contract
 * before anything is written, and every fault is one message naming the module and the member.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type BuiltinParts,
  defineProblem,
  type LanguageParts,
  type Problem,
  type ProblemDefinition,
} from "./problem.ts";

/** A problem module that cannot be used: does not import, exports no problem or two, breaks the contract. */
export class ProblemModuleError extends Error {
  override name = "ProblemModuleError";
}

/** True for what names a module rather than a registered problem: a URL, or a path to a script file. */
export function isModuleSpecifier(spec: string): boolean {
  return /^(file|https?|jsr|npm):/i.test(spec) || /\.(m?[jt]sx?|[cm][jt]s)$/i.test(spec);
}

/** The absolute URL of a module path or URL; a relative path is read against `base` (the working directory). */
export function moduleUrl(spec: string | URL, base: string = Deno.cwd()): string {
  if (spec instanceof URL) return spec.href;
  return /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)
    ? new URL(spec).href
    : pathToFileURL(resolve(base, spec)).href;
}

// deno-lint-ignore no-explicit-any
type AnyProblem = Problem<any, any>;

type Group = "builtin" | "language";

/**
 * Every member of the contract and what it must be. The core is required; `optional` ones have
 * defaults or are extras; a `group`'s members are what one route needs, checked when a run uses it.
 */
const MEMBERS: readonly {
  readonly name: string;
  readonly what: string;
  readonly ok: (v: unknown) => boolean;
  readonly optional?: true;
  readonly group?: Group;
}[] = (() => {
  const fn = (v: unknown) => typeof v === "function";
  const text = (v: unknown) => typeof v === "string" && v.length > 0;
  const object = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  return [
    { name: "name", what: "a non-empty string", ok: text },
    { name: "direction", what: '"minimize" or "maximize"', ok: (v) => v === "minimize" || v === "maximize" },
    { name: "initialStates", what: "a function (rng, options, init) => states", ok: fn },
    { name: "evaluate", what: "a function, the exact verifier (state JSON => Evaluation)", ok: fn },
    { name: "toJSON", what: "a function (state => JSON)", ok: fn },
    { name: "fromJSON", what: "a function (JSON => state, validating)", ok: fn },
    { name: "title", what: "a non-empty string", optional: true, ok: text },
    {
      name: "quantity",
      what: "a non-empty string (the name of the value, e.g. C5)",
      optional: true,
      ok: text,
    },
    {
      name: "optionsSchema",
      what: "a zod schema (e.g. z.object({}))",
      optional: true,
      ok: (v) => object(v) && fn((v as { safeParse?: unknown }).safeParse),
    },
    {
      name: "warmStarts",
      what: "an array of strings (may be empty)",
      optional: true,
      ok: (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
    },
    { name: "stateKey", what: "a function (state => string)", optional: true, ok: fn },
    {
      name: "grammar",
      what: "a move grammar, { operators: [{ name, description, params: [{ name, choices }] }], maxMoves }",
      group: "builtin",
      ok: (v) => {
        const g = v as { operators?: unknown; maxMoves?: unknown } | null;
        return object(g) && positiveInt(g!.maxMoves) && Array.isArray(g!.operators) &&
          g!.operators.length > 0 &&
          g!.operators.every((op: { name?: unknown; params?: unknown }) =>
            text(op?.name) && Array.isArray(op.params) &&
            op.params.every((p: { name?: unknown; choices?: unknown }) =>
              text(p?.name) && Array.isArray(p.choices) && p.choices.length > 0
            )
          );
      },
    },
    {
      name: "featureNames",
      what: "a non-empty array of strings (one per feature; their count is the policy's input size)",
      group: "builtin",
      ok: (v) => Array.isArray(v) && v.length > 0 && v.every(text),
    },
    { name: "features", what: "a function (state, evaluation) => number[]", group: "builtin", ok: fn },
    { name: "apply", what: "a function (program, state, context) => state", group: "builtin", ok: fn },
    { name: "prompt", what: "a function (state, evaluation, context) => text", group: "language", ok: fn },
    { name: "parse", what: "a function (text => program)", group: "language", ok: fn },
    {
      name: "record",
      what: "{ value: number, source: string }",
      optional: true,
      ok: (v) => object(v) && Number.isFinite((v as { value: unknown }).value),
    },
    { name: "size", what: "a function (state) => number", optional: true, ok: fn },
    { name: "judge", what: "a function", optional: true, ok: fn },
    { name: "certify", what: "a function", optional: true, ok: fn },
    { name: "figures", what: "a function", optional: true, ok: fn },
    { name: "afterRun", what: "a function", optional: true, ok: fn },
    { name: "cliFlags", what: "an object of { option, description }", optional: true, ok: object },
    { name: "runDefaults", what: "an object of run settings", optional: true, ok: object },
  ];
})();

/** What each route needs, for messages. */
const ROUTES: Record<Group, { readonly who: string; readonly other: string }> = {
  builtin: {
    who: "the built-in policy needs its move grammar, feature names, features and apply",
    other: "it has prompt and parse: run it with a language-model policy (e.g. --policy openai)",
  },
  language: {
    who: "a language-model policy needs prompt and parse",
    other: "it has the built-in route's parts: run it with --policy builtin",
  },
};

const groupMembers = (group: Group) => MEMBERS.filter((m) => m.group === group).map((m) => m.name);

/** The members of a route's group that `value` lacks. */
function missingParts(value: object, group: Group): string[] {
  return groupMembers(group).filter((name) => (value as Record<string, unknown>)[name] === undefined);
}

function missingMessage(where: string, value: object, group: Group): string {
  const missing = missingParts(value, group);
  const other: Group = group === "builtin" ? "language" : "builtin";
  return `${where} has no ${missing.map((m) => `"${m}"`).join(", ")}: ${ROUTES[group].who}` +
    (missingParts(value, other).length === 0 ? `; ${ROUTES[group].other}` : "");
}

/** An export that is meant as a problem: an object with at least three of the contract's members. */
function looksLikeProblem(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return MEMBERS.filter((m) => m.name in value).length >= 3;
}

/**
 * Checks a problem against the contract and returns it with its defaults filled in (`defineProblem`);
 * throws ProblemModuleError naming `where` and the first missing or wrong member. The core is always
 * checked; with `route`, that route's parts must all be there (the run's policy needs them).
 */
export function checkProblem(value: unknown, where: string, route?: Group): AnyProblem {
  if (typeof value !== "object" || value === null) {
    throw new ProblemModuleError(`${where} is not a problem object`);
  }
  for (const member of MEMBERS) {
    const v = (value as Record<string, unknown>)[member.name];
    if (v === undefined) {
      if (member.optional || member.group) continue;
      throw new ProblemModuleError(`${where} has no "${member.name}", which must be ${member.what}`);
    }
    if (!member.ok(v)) {
      throw new ProblemModuleError(`${where}: "${member.name}" must be ${member.what}, got ${describe(v)}`);
    }
  }
  if (route && missingParts(value, route).length > 0) {
    throw new ProblemModuleError(missingMessage(where, value, route));
  }
  return defineProblem(value as ProblemDefinition<unknown, Record<string, unknown>>) as AnyProblem;
}

/** Where a problem came from, for messages: its module when it was loaded from one. */
function whereOf(problem: AnyProblem): string {
  const module = loadedFrom(problem);
  return module ? `problem module ${module} ("${problem.name}")` : `problem "${problem.name}"`;
}

/** The problem, checked to have the built-in route's parts; throws naming its module and what it lacks. */
export function requireBuiltin<S, O>(problem: Problem<S, O>): Problem<S, O> & BuiltinParts<S> {
  if (missingParts(problem, "builtin").length > 0) {
    throw new ProblemModuleError(missingMessage(whereOf(problem as AnyProblem), problem, "builtin"));
  }
  return problem as Problem<S, O> & BuiltinParts<S>;
}

/** The problem, checked to have the language route's parts; throws naming its module and what it lacks. */
export function requireLanguage<S, O>(problem: Problem<S, O>): Problem<S, O> & LanguageParts<S> {
  if (missingParts(problem, "language").length > 0) {
    throw new ProblemModuleError(missingMessage(whereOf(problem as AnyProblem), problem, "language"));
  }
  return problem as Problem<S, O> & LanguageParts<S>;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Imports are cached by the runtime; the check is cached here so a run checks its module once. */
const loaded = new Map<string, AnyProblem>();

/**
 * The problem a module exports: the one called `name` when given, else its only problem (a default
 * export wins when there are several). `url` must be absolute (see moduleUrl). Checked against the
 * core of the contract; the route's members are checked where the route is known.
 */
export async function loadProblemModule(url: string, name?: string): Promise<AnyProblem> {
  const cacheKey = `${url}#${name ?? ""}`;
  const hit = loaded.get(cacheKey);
  if (hit) return hit;
  let exports: Record<string, unknown>;
  try {
    exports = await import(url);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new ProblemModuleError(`problem module ${url} does not load: ${message}`);
  }
  // One object exported under two names (e.g. `export default problem` beside `export const problem`) is one problem.
  const byObject = new Map<unknown, string[]>();
  for (const [key, value] of Object.entries(exports)) {
    if (looksLikeProblem(value)) byObject.set(value, [...(byObject.get(value) ?? []), key]);
  }
  const found = [...byObject.entries()].map(([value, keys]) => ({ value, keys }));
  const label = (f: { keys: string[] }) => f.keys.map((k) => `export "${k}"`).join(" = ");
  const named = (f: { keys: string[]; value: unknown }) => `${JSON.stringify(nameOf(f))} as ${label(f)}`;
  const nameOf = (f: { value: unknown }) => String((f.value as { name?: unknown }).name);
  let chosen;
  if (name !== undefined) {
    chosen = found.find((f) => (f.value as { name?: unknown }).name === name);
    if (!chosen) {
      throw new ProblemModuleError(
        `problem module ${url} exports no problem named "${name}"` +
          (found.length ? ` (it exports ${found.map(nameOf).join(", ")})` : ""),
      );
    }
  } else if (found.length === 0) {
    throw new ProblemModuleError(
      `problem module ${url} exports no problem: export an object with name, direction, initialStates, ` +
        'evaluate, toJSON, fromJSON and one route\'s parts (README, "Your own problem")',
    );
  } else if (found.length === 1) {
    chosen = found[0];
  } else {
    chosen = found.find((f) => f.keys.includes("default"));
    if (!chosen) {
      throw new ProblemModuleError(
        `problem module ${url} exports ${found.length} problems (${found.map(named).join(", ")}); ` +
          "a module given to run exports one: make the one to run the default export",
      );
    }
  }
  const problem = checkProblem(chosen.value, `problem module ${url} (${label(chosen)})`);
  loaded.set(cacheKey, problem);
  if (!modules.has(problem)) modules.set(problem, url);
  return problem;
}

/** The module each loaded problem came from, so worker threads and processes can load it too. */
const modules = new WeakMap<AnyProblem, string>();

/** The URL of the module `problem` was loaded from (by name or by module), if it was; synchronous. */
export function loadedFrom(problem: AnyProblem): string | undefined {
  return modules.get(problem);
}

/**
 * The registry: the toolkit's own problems by name, each with the module that exports it, kept as
 * data beside the problems (problems/registry.json) and imported only when a problem is used. This
 * library reads the table; it imports no problem's code, so a run loads only the problem it runs.
 */
const REGISTRY_URL = new URL("../problems/registry.json", import.meta.url);

let registry: Promise<Readonly<Record<string, string>>> | undefined;

/** Every registered problem's name and the absolute URL of its module, in the registry's order. */
export function problemRegistry(): Promise<Readonly<Record<string, string>>> {
  registry ??= (async () => {
    const table = (await import(REGISTRY_URL.href, { with: { type: "json" } })).default as Record<
      string,
      string
    >;
    return Object.fromEntries(
      Object.entries(table).map(([name, path]) => [name, new URL(path, REGISTRY_URL).href]),
    );
  })();
  return registry;
}

/** The names of the registered problems. */
export async function problemNames(): Promise<string[]> {
  return Object.keys(await problemRegistry());
}

/** A registered problem by name, its module imported on first use. */
// deno-lint-ignore no-explicit-any
export async function loadProblem(name: string): Promise<Problem<any, any>> {
  const table = await problemRegistry();
  if (!Object.hasOwn(table, name)) {
    throw new Error(`unknown problem "${name}"; known problems: ${Object.keys(table).join(", ")}`);
  }
  return await loadProblemModule(table[name], name);
}

/** Every registered problem by name (imports every problem's module: for listings and help texts). */
export async function registeredProblems(): Promise<Record<string, AnyProblem>> {
  const names = await problemNames();
  const problems = await Promise.all(names.map((name) => loadProblem(name)));
  return Object.fromEntries(names.map((name, i) => [name, problems[i]]));
}

/** The problem a run's configuration names: from its module when it has one, else the registry. */
export async function problemOfConfig(
  config: { readonly problem: string; readonly problemModule?: string },
): Promise<AnyProblem> {
  return config.problemModule
    ? await loadProblemModule(config.problemModule, config.problem)
    : await loadProblem(config.problem);
}

/** True for the registry's problems (config.json names them without a module). */
export async function isRegistered(problem: AnyProblem): Promise<boolean> {
  const table = await problemRegistry();
  return Object.hasOwn(table, problem.name) && await loadProblem(problem.name) === problem;
}

/**
 * The module a worker imports to find `problem`: the one it was loaded from, else the registry's
 * module when that exports this very object (a registered problem imported directly); undefined for
 * a problem defined in code (a notebook's), which runs in-process only.
 */
export async function moduleOfProblem(problem: AnyProblem): Promise<string | undefined> {
  return loadedFrom(problem) ?? (await isRegistered(problem) ? loadedFrom(problem) : undefined);
}
