/**
 * The built-in policy: a small network (lib/policy/program_network.ts) that writes
 * programs in a problem's move grammar, trained in-process with the same
 * importance-sampling loss and Adam step a Tinker trainer would apply to an LLM.
 */
import { z } from "zod";
import type { MoveGrammar } from "../grammar.ts";
import { Rng } from "../rng.ts";
import { type AdamState, adamStep, createAdamState } from "./adam.ts";
import { type ScaledSgdState, scaledSgdStep } from "./scaled_sgd.ts";
import { ProgramNetwork } from "./program_network.ts";
import {
  type AdamParams,
  type Datum,
  DEFAULT_ADAM,
  type ForwardBackwardResult,
  type Policy,
  type PolicyContext,
  type SampledSequence,
  type SampleParams,
} from "./policy.ts";

/**
 * Adam learning rate for the built-in network. The paper's 4e-5 is for LoRA on a
 * 120B-parameter LLM; this network has a few thousand weights and starts near
 * uniform. Calibrated on the reward-table task of tests/policy_test.ts (240
 * programs, one best, which a uniform policy writes with probability 1/324; 64
 * samples a step, lambda 0.1; `deno run -A bench/policy.ts --sweep`): over 30 seeds,
 * 5e-3 put > 0.8 probability on the best program after a median of 42 steps and
 * never collapsed; 3e-3 took 62 steps, 1e-3 176. Larger rates are faster when they
 * work but collapse onto a wrong program: 7e-3 in 1/30 runs, 1e-2 in 2/12, 3e-2 in
 * 4/12, 1e-1 in 3/3. A collapsed group has equal rewards, so it is dropped and the
 * policy never leaves.
 * Adam moves every weight by about lr per step whatever the gradient's scale, and
 * all weights move coherently, so large rates lock in the first lucky program.
 */
export const BUILTIN_LEARNING_RATE = 5e-3;
export const BUILTIN_ADAM: AdamParams = { ...DEFAULT_ADAM, learningRate: BUILTIN_LEARNING_RATE };
export const BUILTIN_HIDDEN = 32;
/** Standard deviation of the output weights at initialisation: small, so sampling starts near uniform. */
export const BUILTIN_INIT_SCALE = 0.01;

export interface BuiltinPolicyOptions {
  readonly grammar: MoveGrammar;
  /** Length of context.features (Problem.featureDim). */
  readonly featureDim: number;
  readonly hidden?: number;
  /** Seed of the initial weights. */
  readonly seed: number;
  /** Standard deviation of the output layer's initial weights (default BUILTIN_INIT_SCALE). */
  readonly initScale?: number;
  /** How optimStep moves the weights (default "adam"; lib/policy/scaled_sgd.ts for "sgd"). */
  readonly optimizer?: "adam" | "sgd";
  /**
   * Standard deviation of random initial output biases (default 0: near uniform): a prior with
   * opinions, drawn from `seed`, which the KL term then anchors to as it does to a base model.
   */
  readonly priorSkew?: number;
  /**
   * Share of every decision drawn uniformly instead of from the network (default 0): a floor under
   * each choice, so training cannot starve a move that only pays now and then. The sampled
   * log-probabilities are the mixture's, so the importance-sampling loss stays exact.
   */
  readonly uniformMix?: number;
  /**
   * Draw every operator choice (which move, or stop) uniformly and never train it (default false):
   * only the moves' parameters (budgets, step sizes) are learned, so training cannot learn to stop
   * writing a move whose pay-off comes later, as the door moves' does.
   */
  readonly uniformOperators?: boolean;
  /**
   * Operators whose parameters are all drawn uniformly and never trained (default none): with
   * `uniformOperators`, a door move's whole distribution (whether and how it is written) stays
   * out of training, and only the other moves' parameters are learned.
   */
  readonly uniformParameters?: readonly string[];
  /**
   * Operators whose joint chance of being written, at every operator choice, is held at its uniform
   * share and never trained (default none): training still learns which of them, and which of the
   * others, but not how often one of them is written. Holding the door moves' share (`--hold-share
   * resample,restart`) keeps a policy trained on polish groups from learning to stop opening doors.
   */
  readonly heldShare?: readonly string[];
  /**
   * How many networks of the same shape the policy holds (default 1). A context's `network` says
   * which one writes and is trained on its programs, so a rare kind of start state (a door) gets a
   * network the common kind's groups never move (`--door-network`).
   */
  readonly networks?: number;
}

const finiteArray = z.array(z.number());

const SnapshotSchema = z.object({
  kind: z.literal("builtin"),
  version: z.literal(1),
  shape: z.object({
    featureDim: z.number().int(),
    hidden: z.number().int(),
    maxMoves: z.number().int(),
    siteArities: z.array(z.number().int()),
    /** Networks held (absent in snapshots made before there could be more than one). */
    networks: z.number().int().positive().default(1),
  }),
  parameters: finiteArray,
  reference: finiteArray,
  adam: z.object({ step: z.number().int().nonnegative(), m: finiteArray, v: finiteArray }),
  /** The sgd optimizer's gradient norms so far (absent in snapshots of Adam-trained policies). */
  sgdNorms: z.array(z.number().positive()).default([]),
});

export type BuiltinSnapshot = z.infer<typeof SnapshotSchema>;

/** Runs synchronous work behind the async contract, turning a throw into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}

export class BuiltinPolicy implements Policy {
  readonly kind = "builtin";
  readonly trainable = true;
  readonly defaultLearningRate = BUILTIN_LEARNING_RATE;
  readonly network: ProgramNetwork;
  /** Networks held; their weights lie one after another in each flat vector. */
  readonly networks: number;
  private parameters: Float64Array;
  /** The initial weights, frozen: the KL term's reference policy. */
  private reference: Float64Array;
  private gradients: Float64Array;
  private adam: AdamState;
  private readonly optimizer: "adam" | "sgd";
  private readonly uniformMix: number;
  /** Sites drawn uniformly and never trained (undefined: none). */
  private readonly held: Uint8Array | undefined;
  /** Operators whose joint share of the operator choice is held uniform (undefined: none). */
  private readonly shared: Uint8Array | undefined;
  private sgd: ScaledSgdState = { norms: [] };
  /** Operator masks by the contexts' operator lists (a run uses one or two). */
  private readonly masks = new Map<string, Uint8Array>();

  constructor(options: BuiltinPolicyOptions) {
    this.network = new ProgramNetwork(options.grammar, options.featureDim, options.hidden ?? BUILTIN_HIDDEN);
    this.networks = options.networks ?? 1;
    if (!Number.isInteger(this.networks) || this.networks < 1) {
      throw new Error(
        `a built-in policy holds a whole number of networks, at least 1 (got ${this.networks})`,
      );
    }
    // One draw sequence for all networks, so the first network's weights are the same with or without more.
    const rng = new Rng(options.seed);
    this.parameters = new Float64Array(this.parameterCount);
    for (let k = 0; k < this.networks; k++) {
      const weights = this.network.initialParameters(
        rng,
        options.initScale ?? BUILTIN_INIT_SCALE,
        options.priorSkew ?? 0,
      );
      this.parameters.set(weights, k * this.network.parameterCount);
    }
    this.reference = this.parameters.slice();
    this.gradients = new Float64Array(this.parameterCount);
    this.adam = createAdamState(this.parameterCount);
    this.optimizer = options.optimizer ?? "adam";
    this.uniformMix = options.uniformMix ?? 0;
    const held = this.network.heldSites(options.uniformOperators ?? false, options.uniformParameters);
    this.held = held.some((h) => h === 1) ? held : undefined;
    const shared = this.network.operatorSet(options.heldShare ?? []);
    this.shared = shared.some((x) => x === 1) ? shared : undefined;
  }

  get parameterCount(): number {
    return this.network.parameterCount * this.networks;
  }

  /** The slice of a flat vector (weights, gradients) that belongs to the network writing for `context`. */
  private slice(vector: Float64Array, context: PolicyContext): Float64Array {
    const k = context.network ?? 0;
    if (!Number.isInteger(k) || k < 0 || k >= this.networks) {
      throw new Error(`context asks for network ${k}; this policy holds ${this.networks}`);
    }
    const size = this.network.parameterCount;
    return vector.subarray(k * size, (k + 1) * size);
  }

  /**
   * `maxTokens` is ignored: the grammar bounds every program's length, and a
   * truncated program could not be decoded.
   */
  sample(context: PolicyContext, n: number, params: SampleParams): Promise<SampledSequence[]> {
    return settle(() => {
      const features = this.network.checkFeatures(context.features);
      const allowed = this.allowedOperators(context);
      const rng = new Rng(params.seed);
      const sequences: SampledSequence[] = [];
      for (let i = 0; i < n; i++) {
        sequences.push(
          this.network.sample(
            this.slice(this.parameters, context),
            features,
            params.temperature,
            rng,
            this.uniformMix,
            this.held,
            allowed,
            this.shared,
          ),
        );
      }
      return sequences;
    });
  }

  referenceLogprobs(
    batch: readonly { context: PolicyContext; tokens: readonly number[] }[],
  ): Promise<number[][]> {
    return settle(() => batch.map((item) => this.scoreWith(this.reference, item.context, item.tokens)));
  }

  /**
   * loss = -sum over data and tokens of exp(logp_theta - logp_sampler) * A_t, unclipped
   * and summed rather than averaged, as Tinker's importance_sampling loss is: Adam
   * divides out the gradient's scale, so the sum only moves eps's relative size.
   * logp_theta is at temperature 1, the distribution being trained; the loop samples
   * at temperature 1 by default, and at other temperatures the sampler logprobs make
   * the ratio correct the difference. A batch with a bad datum adds no gradient at all.
   */
  forwardBackward(
    batch: readonly Datum[],
    loss: "importance_sampling" = "importance_sampling",
  ): Promise<ForwardBackwardResult> {
    return settle(() => {
      if (loss !== "importance_sampling") throw new Error(`unsupported loss ${loss}`);
      const pending = new Float64Array(this.parameterCount);
      let total = 0;
      const logprobs: number[][] = [];
      for (const datum of batch) {
        const n = datum.tokens.length;
        if (datum.samplerLogprobs.length !== n || datum.advantages.length !== n) {
          throw new Error(
            `datum has ${n} tokens, ${datum.samplerLogprobs.length} sampler logprobs, ` +
              `${datum.advantages.length} advantages`,
          );
        }
        const sequence = {
          features: this.network.checkFeatures(datum.context.features),
          tokens: datum.tokens,
          allowed: this.allowedOperators(datum.context),
          shared: this.shared,
        };
        // Choices the sampler drew uniformly are not the network's to learn.
        const frozen = this.held ? this.network.heldTokens(datum.tokens, this.held) : undefined;
        const weights = this.slice(this.parameters, datum.context);
        const current = this.network.score(weights, sequence);
        const coefficients: number[] = new Array(n);
        for (let t = 0; t < n; t++) {
          const weighted = frozen?.[t]
            ? 0
            : Math.exp(current[t] - datum.samplerLogprobs[t]) * datum.advantages[t];
          total -= weighted;
          coefficients[t] = -weighted; // d loss / d logp_t
        }
        this.network.backward(weights, sequence, coefficients, this.slice(pending, datum.context));
        logprobs.push(current);
      }
      if (!Number.isFinite(total)) throw new Error(`importance-sampling loss is ${total}`);
      for (let i = 0; i < pending.length; i++) this.gradients[i] += pending[i];
      return { loss: total, logprobs };
    });
  }

  optimStep(adam: AdamParams): Promise<{ gradNorm: number }> {
    return settle(() => {
      const gradNorm = this.optimizer === "sgd"
        ? scaledSgdStep(this.parameters, this.gradients, this.sgd, adam.learningRate)
        : adamStep(this.parameters, this.gradients, this.adam, adam);
      this.gradients.fill(0);
      return { gradNorm };
    });
  }

  /** Weights, reference weights and the optimiser's state; pending gradients are not kept. */
  checkpoint(): Promise<BuiltinSnapshot> {
    return settle(() => ({
      kind: "builtin" as const,
      version: 1 as const,
      shape: {
        ...this.network.shape,
        siteArities: [...this.network.shape.siteArities],
        networks: this.networks,
      },
      parameters: Array.from(this.parameters),
      reference: Array.from(this.reference),
      adam: { step: this.adam.step, m: Array.from(this.adam.m), v: Array.from(this.adam.v) },
      sgdNorms: [...this.sgd.norms],
    }));
  }

  /** Validates a snapshot from `checkpoint` (of a policy with the same grammar and sizes) and loads it. */
  restore(snapshot: unknown): Promise<void> {
    return settle(() => {
      const parsed = this.parseSnapshot(snapshot);
      this.parameters = Float64Array.from(parsed.parameters);
      this.reference = Float64Array.from(parsed.reference);
      this.adam = {
        step: parsed.adam.step,
        m: Float64Array.from(parsed.adam.m),
        v: Float64Array.from(parsed.adam.v),
      };
      this.sgd = { norms: [...parsed.sgdNorms] };
      this.gradients = new Float64Array(this.parameterCount);
    });
  }

  /**
   * Starts from another run's trained weights (a snapshot from `checkpoint`, same grammar and
   * sizes): they become both the weights and the KL reference, with a fresh optimiser, so the run
   * begins as if they were the initial policy (`--prior-from`).
   */
  adopt(snapshot: unknown): Promise<void> {
    return settle(() => {
      const parsed = this.parseSnapshot(snapshot);
      this.parameters = Float64Array.from(parsed.parameters);
      this.reference = Float64Array.from(parsed.parameters);
      this.adam = createAdamState(this.parameterCount);
      this.sgd = { norms: [] };
      this.gradients = new Float64Array(this.parameterCount);
    });
  }

  private parseSnapshot(snapshot: unknown): BuiltinSnapshot {
    const parsed = SnapshotSchema.parse(snapshot);
    const shape = this.network.shape;
    const same = parsed.shape.featureDim === shape.featureDim && parsed.shape.hidden === shape.hidden &&
      parsed.shape.maxMoves === shape.maxMoves && parsed.shape.networks === this.networks &&
      parsed.shape.siteArities.length === shape.siteArities.length &&
      parsed.shape.siteArities.every((a, i) => a === shape.siteArities[i]);
    if (!same) {
      throw new Error("checkpoint was made for a different grammar, network size or number of networks");
    }
    const count = this.parameterCount;
    const vectors = {
      parameters: parsed.parameters,
      reference: parsed.reference,
      m: parsed.adam.m,
      v: parsed.adam.v,
    };
    for (const [name, values] of Object.entries(vectors)) {
      if (values.length !== count) {
        throw new Error(`checkpoint ${name} has ${values.length} values, expected ${count}`);
      }
    }
    return parsed;
  }

  /** A copy of the gradients accumulated since the last optimStep (for tests and diagnostics). */
  accumulatedGradients(): Float64Array {
    return this.gradients.slice();
  }

  /** Per-token log-probabilities of a program under the current weights. */
  logprobs(context: PolicyContext, tokens: readonly number[], temperature = 1): number[] {
    return this.scoreWith(this.parameters, context, tokens, temperature);
  }

  /** Probability that sampling at `temperature` writes exactly this program. */
  programProbability(context: PolicyContext, tokens: readonly number[], temperature = 1): number {
    return Math.exp(this.logprobs(context, tokens, temperature).reduce((a, b) => a + b, 0));
  }

  /** The next decision after `prefix` and its distribution under the current weights, or null at the end. */
  probabilities(
    context: PolicyContext,
    prefix: readonly number[],
    temperature = 1,
  ): { site: number; moveIndex: number; probabilities: number[] } | null {
    const features = this.network.checkFeatures(context.features);
    return this.network.nextDistribution(
      this.slice(this.parameters, context),
      features,
      prefix,
      temperature,
      this.allowedOperators(context),
      this.shared,
    );
  }

  private scoreWith(
    weights: Float64Array,
    context: PolicyContext,
    tokens: readonly number[],
    temperature = 1,
  ): number[] {
    const features = this.network.checkFeatures(context.features);
    return this.network.score(
      this.slice(weights, context),
      { features, tokens, allowed: this.allowedOperators(context), shared: this.shared },
      temperature,
    );
  }

  /** The operator mask of a context that restricts the operators (undefined: all allowed). */
  private allowedOperators(context: PolicyContext): Uint8Array | undefined {
    if (!context.operators) return undefined;
    const key = context.operators.join(",");
    let mask = this.masks.get(key);
    if (!mask) this.masks.set(key, mask = this.network.operatorMask(context.operators));
    return mask;
  }
}
