/**
 * Move grammars: the small typed language the built-in policy writes in.
 *
 * A program is a short list of moves; each move is an operator with one discrete
 * choice per parameter. The policy writes it token by token: at every decision the
 * grammar says which *site* is being decided (the operator of move m, or parameter
 * p of operator o) and how many choices it has. Token = index of the chosen option.
 */
import { z } from "zod";

/** One choice of a parameter: what a move carries. */
export type ParamValue = number | string | boolean;

/** A parameter of an operator: its name and its choices (one token each). */
export interface ParamSpec {
  /** The parameter's name (a key of a move's params). */
  readonly name: string;
  /** Its choices, in token order. */
  readonly choices: readonly ParamValue[];
  /** What it sets, for prompts and readers. */
  readonly description?: string;
}

/** An operator of a move grammar: its name, what it does, its parameters in token order. */
export interface OperatorSpec {
  /** The operator's name (a move's op). */
  readonly name: string;
  /** What it does. */
  readonly description: string;
  /** Its parameters, in token order. */
  readonly params: readonly ParamSpec[];
}

/** The small typed language the built-in policy writes programs in (see `defineMoves`). */
export interface MoveGrammar {
  /** The operators, in token order. */
  readonly operators: readonly OperatorSpec[];
  /** Longest program; the policy may stop earlier (never before the first move). */
  readonly maxMoves: number;
}

/** One move of a program: an operator and a choice for each of its parameters. */
export interface Move {
  /** The operator's name. */
  readonly op: string;
  /** Each parameter's chosen value, by name. */
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** A program of the built-in route: a short list of moves. */
export type Program = readonly Move[];

/** A decision point: which site, how many options, and its position in the program. */
export interface Decision {
  /** Stable id of the site: 0 = operator choice; 1 + k = k-th parameter over all operators. */
  readonly site: number;
  readonly arity: number;
  readonly moveIndex: number;
}

/** The index of "stop" among operator choices (operators come first). */
export function stopToken(grammar: MoveGrammar): number {
  return grammar.operators.length;
}

/** Number of distinct sites: the operator site plus one per (operator, parameter). */
export function siteCount(grammar: MoveGrammar): number {
  return 1 + grammar.operators.reduce((n, op) => n + op.params.length, 0);
}

/** Site id of every operator's first parameter. */
function paramSiteOffsets(grammar: MoveGrammar): number[] {
  const offsets: number[] = [];
  let next = 1;
  for (const op of grammar.operators) {
    offsets.push(next);
    next += op.params.length;
  }
  return offsets;
}

/**
 * Walks a (possibly partial) token sequence and returns the next decision, or null
 * when the program is complete. This one function defines the token language, so
 * sampling, scoring and decoding can never disagree about it.
 */
export function nextDecision(grammar: MoveGrammar, tokens: readonly number[]): Decision | null {
  const offsets = paramSiteOffsets(grammar);
  let i = 0;
  for (let move = 0; move < grammar.maxMoves; move++) {
    if (i === tokens.length) {
      // The first move may not be "stop": arity excludes it.
      const arity = grammar.operators.length + (move === 0 ? 0 : 1);
      return { site: 0, arity, moveIndex: move };
    }
    const opIndex = tokens[i++];
    if (opIndex === stopToken(grammar)) return null;
    const op = grammar.operators[opIndex];
    if (!op) throw new Error(`token ${opIndex} is not an operator of this grammar`);
    for (let p = 0; p < op.params.length; p++) {
      if (i === tokens.length) {
        return { site: offsets[opIndex] + p, arity: op.params[p].choices.length, moveIndex: move };
      }
      const choice = tokens[i++];
      if (!(choice >= 0 && choice < op.params[p].choices.length)) {
        throw new Error(`token ${choice} out of range for ${op.name}.${op.params[p].name}`);
      }
    }
  }
  return null;
}

/** The arity of every site, indexed by site id. */
export function siteArities(grammar: MoveGrammar): number[] {
  const arities = [grammar.operators.length + 1];
  for (const op of grammar.operators) for (const p of op.params) arities.push(p.choices.length);
  return arities;
}

/** Turns a complete token sequence into moves. */
export function decodeProgram(grammar: MoveGrammar, tokens: readonly number[]): Program {
  if (nextDecision(grammar, tokens) !== null) throw new Error("incomplete program");
  const moves: Move[] = [];
  let i = 0;
  while (i < tokens.length) {
    const opIndex = tokens[i++];
    if (opIndex === stopToken(grammar)) break;
    const op = grammar.operators[opIndex];
    const params: Record<string, ParamValue> = {};
    for (const p of op.params) params[p.name] = p.choices[tokens[i++]];
    moves.push({ op: op.name, params });
  }
  return moves;
}

/** Turns moves back into tokens (for tests, warm programs and replay). */
export function encodeProgram(grammar: MoveGrammar, program: Program): number[] {
  const tokens: number[] = [];
  for (const move of program) {
    const opIndex = grammar.operators.findIndex((o) => o.name === move.op);
    if (opIndex < 0) throw new Error(`unknown operator ${move.op}`);
    tokens.push(opIndex);
    for (const p of grammar.operators[opIndex].params) {
      const choice = p.choices.indexOf(move.params[p.name]);
      if (choice < 0) throw new Error(`${move.op}.${p.name} = ${move.params[p.name]} is not a choice`);
      tokens.push(choice);
    }
  }
  if (program.length < grammar.maxMoves) tokens.push(stopToken(grammar));
  return tokens;
}

/**
 * A move's parameter value, checked against the grammar: moves reach apply() from
 * files and other processes too, so an unknown operator or a value that is not one of
 * the choices is an error, never a silent default.
 */
export function moveParam(grammar: MoveGrammar, move: Move, name: string): ParamValue {
  const op = grammar.operators.find((o) => o.name === move.op);
  if (!op) throw new Error(`unknown operator "${move.op}"`);
  const spec = op.params.find((p) => p.name === name);
  const value = move.params[name];
  if (!spec || !spec.choices.includes(value)) {
    throw new Error(`${move.op}.${name} = ${value} is not one of ${spec?.choices.join(", ")}`);
  }
  return value;
}

/**
 * Scale-like parameter choices on the 1-3-10 series from `lo` to `hi` (both powers of ten times
 * 1 or 3), e.g. 1e-4, 3e-4, 1e-3. A grammar that exposes a step size over its whole plausible
 * range leaves the policy to learn where it pays, as a researcher who does not know it would.
 */
export function logChoices(lo: number, hi: number): number[] {
  if (!(lo > 0 && hi >= lo)) throw new Error(`logChoices: need 0 < lo <= hi, got ${lo}, ${hi}`);
  const values: number[] = [];
  for (let decade = Math.floor(Math.log10(lo)) - 1;; decade++) {
    for (const mantissa of [1, 3]) {
      const value = Number((mantissa * 10 ** decade).toPrecision(1));
      if (value > hi * (1 + 1e-9)) return values;
      if (value >= lo * (1 - 1e-9)) values.push(value);
    }
  }
}

/**
 * A continuous value inside the choice's bin of the 1-3-10 series (log-uniform over about a
 * factor of 1.8 either way), drawn from the rollout's own rng: the token picks the scale, the
 * rollout's seed the exact value, so rollouts of one program differ.
 */
export function withinLogBin(value: number, rng: { next(): number }): number {
  return value * Math.sqrt(10) ** (rng.next() - 0.5);
}

/** Human-readable form, e.g. `smooth(iters=400, temp=0.001); lp(k=32)`. */
export function formatProgram(program: Program): string {
  return program.map((m) => `${m.op}(${Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(", ")})`)
    .join("; ");
}

/**
 * The inverse of `formatProgram`: `hop(tries=8, scale=0.001); slp(iters=64, radius=0.1)` back into
 * moves. Every operator and parameter must be the grammar's and every value one of its choices,
 * written as `formatProgram` writes it; an error names what was expected.
 */
export function parseProgram(grammar: MoveGrammar, text: string): Program {
  const moves = text.split(";").map((part) => part.trim()).filter((part) => part !== "");
  if (moves.length === 0) throw new Error(`"${text}" has no move`);
  if (moves.length > grammar.maxMoves) {
    throw new Error(`"${text}" has ${moves.length} moves; this grammar allows at most ${grammar.maxMoves}`);
  }
  return moves.map((part) => {
    const match = /^(\w+)\((.*)\)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not a move; write it as op(name=value, ...)`);
    const [, name, list] = match;
    const op = grammar.operators.find((o) => o.name === name);
    if (!op) {
      throw new Error(
        `unknown operator "${name}"; this grammar has ${grammar.operators.map((o) => o.name).join(", ")}`,
      );
    }
    const given = new Map<string, string>();
    for (const pair of list.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
      const [key, value, ...rest] = pair.split("=").map((s) => s.trim());
      if (value === undefined || rest.length > 0) throw new Error(`"${pair}" in ${part}: write name=value`);
      given.set(key, value);
    }
    const params: Record<string, ParamValue> = {};
    for (const spec of op.params) {
      const written = given.get(spec.name);
      if (written === undefined) {
        throw new Error(`${name} needs ${spec.name} (one of ${spec.choices.join(", ")})`);
      }
      const choice = spec.choices.find((c) => String(c) === written);
      if (choice === undefined) {
        throw new Error(`${name}.${spec.name} = ${written} is not one of ${spec.choices.join(", ")}`);
      }
      params[spec.name] = choice;
      given.delete(spec.name);
    }
    if (given.size > 0) throw new Error(`${name} has no parameter ${[...given.keys()].join(", ")}`);
    return { op: op.name, params };
  });
}

/** zod schema for programs handed in from outside (files, workers, users). */
export const ProgramSchema = z.array(z.object({
  op: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
}));

/** A parameter of an operator, as `defineMoves` takes it: its choices (one token each), optionally described. */
export interface ParamDef {
  /** The parameter's choices, in token order. */
  readonly choices: readonly ParamValue[];
  /** What it sets. */
  readonly description?: string;
}

/** An operator, as `defineMoves` takes it: its parameters by name, in token order. */
export interface OperatorDef {
  /** What the operator does. */
  readonly description: string;
  /** Its parameters by name, in token order (none: a move without parameters). */
  readonly params?: Readonly<Record<string, ParamDef>>;
}

/** The parameter values a move of operator `O` carries, typed from their choices. */
export type ParamValues<O extends OperatorDef> = O["params"] extends Readonly<Record<string, ParamDef>>
  ? { readonly [K in keyof O["params"]]: O["params"][K]["choices"][number] }
  : Record<never, never>;

/** One handler per operator: it gets the move's checked, typed parameter values. */
export type MoveHandlers<Ops extends Readonly<Record<string, OperatorDef>>, R> = {
  readonly [K in keyof Ops]: (params: ParamValues<Ops[K]>) => R;
};

/** A move grammar with its typed dispatch (see `defineMoves`). */
export interface Moves<Ops extends Readonly<Record<string, OperatorDef>>> {
  /** The grammar, for the problem's `grammar`. */
  readonly grammar: MoveGrammar;
  /** Checks every move of a program against the grammar before any work is spent on it; throws otherwise. */
  check(program: Program): void;
  /**
   * Calls the handler of the move's operator with the move's parameter values, each checked to be one of
   * its choices: an unknown operator or a value that is not a choice throws (moves reach `apply` from files
   * and other processes too), never a silent default.
   */
  dispatch<R>(move: Move, handlers: MoveHandlers<Ops, R>): R;
}

/**
 * A move grammar and its typed dispatch from one table: operators in token order, each with its
 * parameters (in token order) and their choices. `name` labels errors (`unknown erdos operator "x"`);
 * `omit` leaves operators out of this grammar (a variant without them) while handlers stay typed.
 *
 * ```ts
 * const MOVES = defineMoves({
 *   name: "points",
 *   maxMoves: 3,
 *   operators: {
 *     push: { description: "push the closest pair apart", params: { size: { choices: [0.01, 0.1] } } },
 *     jitter: { description: "move every point at random", params: { size: { choices: [0.01, 0.1] } } },
 *   },
 * });
 * // MOVES.grammar is the problem's grammar; in apply, for each move:
 * // state = MOVES.dispatch(move, { push: (p) => push(state, p.size), jitter: (p) => jitter(state, p.size, rng) });
 * ```
 */
export function defineMoves<const Ops extends Readonly<Record<string, OperatorDef>>>(spec: {
  readonly name: string;
  readonly maxMoves: number;
  readonly operators: Ops;
  readonly omit?: readonly (keyof Ops & string)[];
}): Moves<Ops> {
  const grammar: MoveGrammar = {
    maxMoves: spec.maxMoves,
    operators: Object.entries(spec.operators)
      .filter(([name]) => !spec.omit?.includes(name))
      .map(([name, op]) => ({
        name,
        description: op.description,
        params: Object.entries(op.params ?? {}).map(([param, p]) =>
          p.description === undefined
            ? { name: param, choices: p.choices }
            : { name: param, choices: p.choices, description: p.description }
        ),
      })),
  };
  const operatorOf = (move: Move): OperatorSpec => {
    const op = grammar.operators.find((o) => o.name === move.op);
    if (!op) throw new Error(`unknown ${spec.name} operator "${move.op}"`);
    return op;
  };
  const valuesOf = (move: Move): Record<string, ParamValue> => {
    const values: Record<string, ParamValue> = {};
    for (const p of operatorOf(move).params) values[p.name] = moveParam(grammar, move, p.name);
    return values;
  };
  return {
    grammar,
    check(program) {
      for (const move of program) valuesOf(move);
    },
    dispatch(move, handlers) {
      const values = valuesOf(move);
      return (handlers[move.op] as (params: Record<string, ParamValue>) => never)(values);
    },
  };
}
