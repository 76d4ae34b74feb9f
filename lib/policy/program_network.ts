/**
 * The built-in policy's network: a one-hidden-layer MLP that writes a program in a
 * move grammar one decision at a time, with exact log-probabilities and hand-derived
 * gradients. It holds the architecture only; weights live in a flat Float64Array
 * passed to every call, so the trained and the frozen reference weights share code.
 *
 * At each decision (site s, move m, previous tokens) the input is
 *   x = [features ; onehot(m) ; bag of previous (site, choice) tokens ; onehot(s)]
 *   h = tanh(W1 x + b1),  logits = V_s h + c_s  (the rows of site s, first `arity` of them)
 * x is sparse apart from the features, so W1 x is a sum of a few columns of W1, kept
 * incrementally along the sequence.
 */
import { type MoveGrammar, siteArities } from "../grammar.ts";
import type { Rng } from "../rng.ts";
import { DecisionCursor, GrammarTables } from "./decision_cursor.ts";

/** What the network needs to know about one sequence to score it and backpropagate. */
export interface ScoredTokens {
  readonly features: readonly number[];
  readonly tokens: readonly number[];
  /** The operator choices the program could make (see operatorMask); absent: all. */
  readonly allowed?: Uint8Array;
  /** Operators whose joint chance is held at its uniform share (see operatorMask); absent: none. */
  readonly shared?: Uint8Array;
}

/** Everything that fixes the parameter layout; checkpoints record it. */
export interface NetworkShape {
  readonly featureDim: number;
  readonly hidden: number;
  readonly maxMoves: number;
  readonly siteArities: readonly number[];
}

/** The decision site of every operator choice (lib/grammar.ts: site 0). */
const OPERATOR_SITE = 0;

export class ProgramNetwork {
  readonly shape: NetworkShape;
  readonly inputDim: number;
  /** Number of (site, choice) pairs: rows of the output layer and columns of the bag input. */
  readonly vocabSize: number;
  readonly parameterCount: number;
  /** Longest possible token sequence in this grammar. */
  readonly maxTokens: number;

  private readonly siteOffsets: number[];
  private readonly moveColumn: number;
  private readonly bagColumn: number;
  private readonly siteColumn: number;
  private readonly b1Offset: number;
  private readonly vOffset: number;
  private readonly cOffset: number;

  private readonly cursor: DecisionCursor;
  // Scratch space reused across calls (the network is not re-entrant; JS is single-threaded).
  private readonly acc: Float64Array;
  private readonly logits: Float64Array;
  private readonly dh: Float64Array;
  private readonly suffix: Float64Array;
  private readonly featureGrad: Float64Array;
  private readonly traceHidden: Float64Array;
  private readonly traceProbs: Float64Array;
  private readonly traceDpre: Float64Array;
  private readonly traceSite: Int32Array;
  private readonly traceArity: Int32Array;
  private readonly traceMove: Int32Array;
  private readonly maxArity: number;

  constructor(readonly grammar: MoveGrammar, featureDim: number, hidden: number) {
    if (!(Number.isInteger(featureDim) && featureDim >= 0)) throw new Error(`bad featureDim ${featureDim}`);
    if (!(Number.isInteger(hidden) && hidden >= 1)) throw new Error(`bad hidden size ${hidden}`);
    const arities = siteArities(grammar);
    this.shape = { featureDim, hidden, maxMoves: grammar.maxMoves, siteArities: arities };
    this.siteOffsets = [];
    let vocab = 0;
    for (const a of arities) {
      this.siteOffsets.push(vocab);
      vocab += a;
    }
    this.vocabSize = vocab;
    this.maxArity = Math.max(...arities);
    this.moveColumn = featureDim;
    this.bagColumn = featureDim + grammar.maxMoves;
    this.siteColumn = this.bagColumn + vocab;
    this.inputDim = this.siteColumn + arities.length;
    this.b1Offset = this.inputDim * hidden;
    this.vOffset = this.b1Offset + hidden;
    this.cOffset = this.vOffset + vocab * hidden;
    this.parameterCount = this.cOffset + vocab;
    const longestMove = 1 + Math.max(0, ...grammar.operators.map((o) => o.params.length));
    this.maxTokens = grammar.maxMoves * longestMove + 1;

    this.cursor = new DecisionCursor(new GrammarTables(grammar));
    this.acc = new Float64Array(hidden);
    this.logits = new Float64Array(this.maxArity);
    this.dh = new Float64Array(hidden);
    this.suffix = new Float64Array(hidden);
    this.featureGrad = new Float64Array(hidden);
    this.traceHidden = new Float64Array(this.maxTokens * hidden);
    this.traceProbs = new Float64Array(this.maxTokens * this.maxArity);
    this.traceDpre = new Float64Array(this.maxTokens * hidden);
    this.traceSite = new Int32Array(this.maxTokens);
    this.traceArity = new Int32Array(this.maxTokens);
    this.traceMove = new Int32Array(this.maxTokens);
  }

  /**
   * Fresh weights. W1 ~ N(0, 1 / (active inputs)) keeps pre-activations near unit
   * scale; the output layer V ~ N(0, outputScale^2) with zero biases makes every
   * site's distribution nearly uniform, so the search starts by exploring broadly. Biases
   * c ~ N(0, biasScale^2) instead give every choice a random preference (drawn last, so a
   * biasScale of 0 leaves the weights of a seed as they were).
   */
  initialParameters(rng: Rng, outputScale: number, biasScale = 0): Float64Array {
    const { featureDim, maxMoves } = this.shape;
    const params = new Float64Array(this.parameterCount);
    const inputScale = 1 / Math.sqrt(featureDim + 2 + maxMoves);
    for (let i = 0; i < this.b1Offset; i++) params[i] = rng.normal() * inputScale;
    for (let i = this.vOffset; i < this.cOffset; i++) params[i] = rng.normal() * outputScale;
    if (biasScale > 0) {
      for (let i = this.cOffset; i < this.parameterCount; i++) params[i] = rng.normal() * biasScale;
    }
    return params;
  }

  /** Global vocabulary index of a (site, choice) pair. */
  vocabIndex(site: number, choice: number): number {
    return this.siteOffsets[site] + choice;
  }

  checkFeatures(features: readonly number[] | undefined): readonly number[] {
    const f = features ?? [];
    if (f.length !== this.shape.featureDim) {
      throw new Error(`policy expects ${this.shape.featureDim} features, got ${f.length}`);
    }
    for (const x of f) if (!Number.isFinite(x)) throw new Error(`feature ${x} is not finite`);
    return f;
  }

  /** acc = b1 + W1[:, features] f: the part of the pre-activation fixed for the whole sequence. */
  private startSequence(params: Float64Array, features: readonly number[]): void {
    const H = this.shape.hidden, acc = this.acc;
    for (let k = 0; k < H; k++) acc[k] = params[this.b1Offset + k];
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      if (f === 0) continue;
      const col = j * H;
      for (let k = 0; k < H; k++) acc[k] += f * params[col + k];
    }
  }

  /** Adds a chosen token to the bag part of the running pre-activation. */
  private addToBag(params: Float64Array, site: number, choice: number): void {
    const H = this.shape.hidden, col = (this.bagColumn + this.vocabIndex(site, choice)) * H;
    for (let k = 0; k < H; k++) this.acc[k] += params[col + k];
  }

  /**
   * Hidden activations into `hiddenOut` and softmax(logits / temperature) into
   * `probsOut` for one decision; returns log of the normaliser of logits / temperature.
   */
  private decide(
    params: Float64Array,
    site: number,
    arity: number,
    move: number,
    temperature: number,
    hiddenOut: Float64Array,
    hiddenAt: number,
    probsOut: Float64Array,
    probsAt: number,
    allowed?: Uint8Array,
    shared?: Uint8Array,
  ): number {
    const H = this.shape.hidden, acc = this.acc, logits = this.logits;
    const mask = site === OPERATOR_SITE ? allowed : undefined;
    const moveCol = (this.moveColumn + move) * H, siteCol = (this.siteColumn + site) * H;
    for (let k = 0; k < H; k++) {
      hiddenOut[hiddenAt + k] = Math.tanh(acc[k] + params[moveCol + k] + params[siteCol + k]);
    }
    const first = this.siteOffsets[site];
    let max = -Infinity;
    for (let j = 0; j < arity; j++) {
      const row = this.vOffset + (first + j) * H;
      let z = params[this.cOffset + first + j];
      for (let k = 0; k < H; k++) z += params[row + k] * hiddenOut[hiddenAt + k];
      z /= temperature;
      if (mask?.[j] === 0) z = -Infinity; // a choice it may not make has probability 0
      logits[j] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let j = 0; j < arity; j++) {
      const e = Math.exp(logits[j] - max);
      probsOut[probsAt + j] = e;
      sum += e;
    }
    for (let j = 0; j < arity; j++) probsOut[probsAt + j] /= sum;
    if (site === OPERATOR_SITE && shared) holdShare(probsOut, probsAt, arity, shared, mask);
    return max + Math.log(sum);
  }

  /**
   * Samples one complete program; `logprobs` are under softmax(logits / temperature), or with
   * `uniformMix` m > 0 under what was sampled from: (1 - m) softmax + m uniform at every decision.
   * Every decision at a site `held` marks (see heldSites) is drawn uniformly. With `allowed` (see
   * operatorMask) the operator choice is renormalised over the allowed choices, the uniform part too.
   */
  sample(
    params: Float64Array,
    features: readonly number[],
    temperature: number,
    rng: Rng,
    uniformMix = 0,
    held?: Uint8Array,
    allowed?: Uint8Array,
    shared?: Uint8Array,
  ): { tokens: number[]; logprobs: number[] } {
    if (!(temperature > 0)) throw new Error(`temperature must be positive, got ${temperature}`);
    if (!(uniformMix >= 0 && uniformMix < 1)) {
      throw new Error(`uniform mix must be in [0, 1), got ${uniformMix}`);
    }
    this.startSequence(params, features);
    const tokens: number[] = [], logprobs: number[] = [];
    const hidden = this.traceHidden, probs = this.traceProbs, cursor = this.cursor;
    for (cursor.reset(); !cursor.done; cursor.advance(tokens[tokens.length - 1])) {
      const { site, arity } = cursor;
      const logNorm = this.decide(
        params,
        site,
        arity,
        cursor.moveIndex,
        temperature,
        hidden,
        0,
        probs,
        0,
        allowed,
        shared,
      );
      const mix = held?.[site] ? 1 : uniformMix;
      if (mix > 0) {
        const mask = site === OPERATOR_SITE ? allowed : undefined;
        let open = arity; // choices the uniform part spreads over (stop is not one at the first move)
        if (mask) { for (let j = 0; j < arity; j++) open -= mask[j] === 0 ? 1 : 0; }
        for (let j = 0; j < arity; j++) {
          probs[j] = (1 - mix) * probs[j] + (mask?.[j] === 0 ? 0 : mix / open);
        }
      }
      let u = rng.next(), choice = arity - 1;
      for (let j = 0; j < arity; j++) {
        u -= probs[j];
        if (u < 0) {
          choice = j;
          break;
        }
      }
      tokens.push(choice);
      const reshaped = mix > 0 || (site === OPERATOR_SITE && shared !== undefined);
      logprobs.push(reshaped ? Math.log(probs[choice]) : this.logits[choice] - logNorm);
      this.addToBag(params, site, choice);
    }
    return { tokens, logprobs };
  }

  /**
   * Decision sites held uniform (1) and never trained: the operator site (which move, or stop)
   * when `operators`, and every parameter site of the operators named in `parametersOf`.
   * Throws on a name the grammar does not have.
   */
  heldSites(operators: boolean, parametersOf: readonly string[] = []): Uint8Array {
    const held = new Uint8Array(this.shape.siteArities.length);
    if (operators) held[OPERATOR_SITE] = 1;
    const tables = new GrammarTables(this.grammar);
    for (const name of parametersOf) {
      for (const site of tables.paramSites[this.operatorIndex(name)]) held[site] = 1;
    }
    return held;
  }

  /** Whether each token of a program was decided at a site `held` marks. */
  heldTokens(tokens: readonly number[], held: Uint8Array): boolean[] {
    const cursor = this.cursor, out: boolean[] = [];
    cursor.reset();
    for (const token of tokens) {
      if (cursor.done) throw new Error("token after the end of the program");
      out.push(held[cursor.site] === 1);
      cursor.advance(token);
    }
    return out;
  }

  /**
   * The operator choices a program may make when only `operators` may be written: 1 for each named
   * operator and for stop, 0 for the rest. Throws on a name the grammar does not have.
   */
  operatorMask(operators: readonly string[]): Uint8Array {
    const mask = this.operatorSet(operators);
    mask[this.grammar.operators.length] = 1; // stop
    return mask;
  }

  /** 1 at the operator choice of each named operator, 0 elsewhere (stop included). Throws on an unknown name. */
  operatorSet(operators: readonly string[]): Uint8Array {
    const set = new Uint8Array(this.grammar.operators.length + 1);
    for (const name of operators) set[this.operatorIndex(name)] = 1;
    return set;
  }

  private operatorIndex(name: string): number {
    const op = this.grammar.operators.findIndex((o) => o.name === name);
    if (op < 0) {
      const known = this.grammar.operators.map((o) => o.name).join(", ");
      throw new Error(`no operator "${name}" in this grammar (it has ${known})`);
    }
    return op;
  }

  /**
   * Log-probability of each token of a recorded sequence. Leaves a trace (hidden
   * activations and probabilities per decision) that `backward` reads.
   */
  score(params: Float64Array, sequence: ScoredTokens, temperature = 1): number[] {
    const H = this.shape.hidden, A = this.maxArity;
    const { features, tokens, allowed, shared } = sequence;
    if (tokens.length > this.maxTokens) throw new Error(`sequence of ${tokens.length} tokens is too long`);
    this.startSequence(params, features);
    const logprobs: number[] = new Array(tokens.length);
    const cursor = this.cursor;
    cursor.reset();
    for (let t = 0; t < tokens.length; t++) {
      if (cursor.done) throw new Error(`token ${t} comes after the end of the program`);
      const { site, arity, moveIndex } = cursor;
      const choice = tokens[t];
      cursor.advance(choice); // validates the token before anything uses it
      const logNorm = this.decide(
        params,
        site,
        arity,
        moveIndex,
        temperature,
        this.traceHidden,
        t * H,
        this.traceProbs,
        t * A,
        allowed,
        shared,
      );
      if (site === OPERATOR_SITE && shared) {
        logprobs[t] = Math.log(this.traceProbs[t * A + choice]);
        withinChosenShare(this.traceProbs, t * A, arity, shared, choice);
      } else {
        logprobs[t] = this.logits[choice] - logNorm;
      }
      this.traceSite[t] = site;
      this.traceArity[t] = arity;
      this.traceMove[t] = moveIndex;
      this.addToBag(params, site, choice);
    }
    if (!cursor.done) throw new Error("sequence is not a complete program");
    return logprobs;
  }

  /**
   * Accumulates into `grads` the gradient of sum_t coefficient[t] * logp_t for the
   * sequence `score` (at temperature 1) last traced. Backprop: softmax -> V, c ->
   * tanh -> W1 columns (features, move, site, and the bag of earlier tokens), b1.
   */
  backward(
    params: Float64Array,
    sequence: ScoredTokens,
    coefficients: readonly number[],
    grads: Float64Array,
  ): void {
    const H = this.shape.hidden, A = this.maxArity;
    const { features, tokens } = sequence;
    const dh = this.dh, dpreAll = this.traceDpre, featureGrad = this.featureGrad;
    featureGrad.fill(0);
    for (let t = 0; t < tokens.length; t++) {
      const g = coefficients[t];
      const dpreAt = t * H;
      if (g === 0) {
        dpreAll.fill(0, dpreAt, dpreAt + H);
        continue;
      }
      const site = this.traceSite[t], arity = this.traceArity[t], hAt = t * H, pAt = t * A;
      const first = this.siteOffsets[site];
      dh.fill(0);
      for (let j = 0; j < arity; j++) {
        // d logp_t / d logit_j = [j = chosen] - p_j
        const dz = g * ((j === tokens[t] ? 1 : 0) - this.traceProbs[pAt + j]);
        grads[this.cOffset + first + j] += dz;
        const row = this.vOffset + (first + j) * H;
        for (let k = 0; k < H; k++) {
          grads[row + k] += dz * this.traceHidden[hAt + k];
          dh[k] += dz * params[row + k];
        }
      }
      const moveCol = (this.moveColumn + this.traceMove[t]) * H, siteCol = (this.siteColumn + site) * H;
      for (let k = 0; k < H; k++) {
        const h = this.traceHidden[hAt + k];
        const dpre = dh[k] * (1 - h * h);
        dpreAll[dpreAt + k] = dpre;
        grads[this.b1Offset + k] += dpre;
        grads[moveCol + k] += dpre;
        grads[siteCol + k] += dpre;
        featureGrad[k] += dpre;
      }
    }
    // Token t is in the bag of every later decision: its column gets the sum of their dpre.
    const suffix = this.suffix;
    suffix.fill(0);
    for (let t = tokens.length - 1; t >= 0; t--) {
      const col = (this.bagColumn + this.vocabIndex(this.traceSite[t], tokens[t])) * H;
      for (let k = 0; k < H; k++) {
        grads[col + k] += suffix[k];
        suffix[k] += dpreAll[t * H + k];
      }
    }
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      if (f === 0) continue;
      for (let k = 0; k < H; k++) grads[j * H + k] += f * featureGrad[k];
    }
  }

  /** The next decision after `prefix` and its distribution, or null when the program is complete. */
  nextDistribution(
    params: Float64Array,
    features: readonly number[],
    prefix: readonly number[],
    temperature = 1,
    allowed?: Uint8Array,
    shared?: Uint8Array,
  ): { site: number; moveIndex: number; probabilities: number[] } | null {
    const cursor = this.cursor;
    this.startSequence(params, features);
    cursor.reset();
    for (const token of prefix) {
      if (cursor.done) throw new Error("prefix runs past the end of the program");
      const site = cursor.site;
      cursor.advance(token);
      this.addToBag(params, site, token);
    }
    if (cursor.done) return null;
    const decision = { site: cursor.site, arity: cursor.arity, moveIndex: cursor.moveIndex };
    const scratchHidden = new Float64Array(this.shape.hidden), probs = new Float64Array(decision.arity);
    this.decide(
      params,
      decision.site,
      decision.arity,
      decision.moveIndex,
      temperature,
      scratchHidden,
      0,
      probs,
      0,
      allowed,
      shared,
    );
    return { site: decision.site, moveIndex: decision.moveIndex, probabilities: Array.from(probs) };
  }
}

/**
 * Holds the joint chance of the `shared` operators at their uniform share of the open choices
 * (those `allowed` permits), keeping the network's odds within the shared ones and within the rest:
 * q_j = s_C p_j / P_C for j in class C. Training then moves only the odds within a class.
 */
function holdShare(
  probs: Float64Array,
  at: number,
  arity: number,
  shared: Uint8Array,
  allowed: Uint8Array | undefined,
): void {
  let open = 0, inShare = 0, massShared = 0, massRest = 0;
  for (let j = 0; j < arity; j++) {
    if (allowed?.[j] === 0) continue;
    open++;
    if (shared[j] === 1) {
      inShare++;
      massShared += probs[at + j];
    } else massRest += probs[at + j];
  }
  if (inShare === 0 || inShare === open) return; // one class: nothing to hold
  const share = inShare / open;
  for (let j = 0; j < arity; j++) {
    if (allowed?.[j] === 0) continue;
    const [target, mass, size] = shared[j] === 1
      ? [share, massShared, inShare]
      : [1 - share, massRest, open - inShare];
    // A class the softmax underflowed to nothing is spread evenly.
    probs[at + j] = mass > 0 ? target * probs[at + j] / mass : target / size;
  }
}

/**
 * Turns held-share probabilities q into what the gradient of log q_choice needs: the odds within
 * the chosen choice's class (q_j / s_C), and 0 outside it, whose logits it does not depend on.
 */
function withinChosenShare(
  probs: Float64Array,
  at: number,
  arity: number,
  shared: Uint8Array,
  choice: number,
): void {
  const chosenClass = shared[choice];
  let mass = 0;
  for (let j = 0; j < arity; j++) if (shared[j] === chosenClass) mass += probs[at + j];
  for (let j = 0; j < arity; j++) {
    probs[at + j] = shared[j] === chosenClass && mass > 0 ? probs[at + j] / mass : 0;
  }
}
