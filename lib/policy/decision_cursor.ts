/**
 * An incremental walk over a grammar's token language: the same decisions as
 * `nextDecision(grammar, prefix)`, one token at a time in O(1), so the policy does
 * not re-walk the prefix at every token. tests/policy_test.ts checks that the two
 * agree on every prefix; `nextDecision` stays the definition.
 */
import { type MoveGrammar, stopToken } from "../grammar.ts";

/** Per-grammar tables the cursor reads; build once per policy. */
export class GrammarTables {
  readonly operatorCount: number;
  readonly maxMoves: number;
  /** paramSites[op][p]: site id of parameter p of operator op. */
  readonly paramSites: readonly (readonly number[])[];
  readonly paramArities: readonly (readonly number[])[];

  constructor(grammar: MoveGrammar) {
    this.operatorCount = grammar.operators.length;
    this.maxMoves = grammar.maxMoves;
    let next = 1;
    this.paramSites = grammar.operators.map((op) => op.params.map(() => next++));
    this.paramArities = grammar.operators.map((op) => op.params.map((p) => p.choices.length));
    if (stopToken(grammar) !== this.operatorCount) throw new Error("stop must follow the operators");
  }
}

export class DecisionCursor {
  /** The decision to make now; meaningless once `done`. */
  site = 0;
  arity = 0;
  moveIndex = 0;
  done = false;
  private operator = -1;
  private param = 0;

  constructor(private readonly tables: GrammarTables) {
    this.reset();
  }

  reset(): void {
    this.moveIndex = 0;
    this.done = this.tables.maxMoves <= 0;
    this.atOperator();
  }

  /** Consumes one token, which must be in [0, arity). */
  advance(token: number): void {
    if (this.done) throw new Error("token after the end of the program");
    if (!(Number.isInteger(token) && token >= 0 && token < this.arity)) {
      throw new Error(`token ${token} out of range (arity ${this.arity}) at site ${this.site}`);
    }
    const tables = this.tables;
    if (this.operator < 0) {
      if (token === tables.operatorCount) {
        this.done = true;
        return;
      }
      this.operator = token;
      this.param = 0;
    } else {
      this.param++;
    }
    if (this.param < tables.paramSites[this.operator].length) {
      this.site = tables.paramSites[this.operator][this.param];
      this.arity = tables.paramArities[this.operator][this.param];
      return;
    }
    this.moveIndex++;
    if (this.moveIndex >= tables.maxMoves) this.done = true;
    else this.atOperator();
  }

  private atOperator(): void {
    this.operator = -1;
    this.site = 0;
    // The first move may not be "stop".
    this.arity = this.tables.operatorCount + (this.moveIndex === 0 ? 0 : 1);
  }
}
