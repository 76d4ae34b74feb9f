/**
 * The Policy contract. It mirrors the Tinker training API (sample with
 * log-probabilities, forward_backward with an importance-sampling loss, optim_step
 * with Adam, checkpoints), so the loop is the same code whether the policy is the
 * built-in network or a language model on a remote trainer.
 */

/** What the policy conditions on. The built-in policy reads features; LLMs read a prompt. */
export interface PolicyContext {
  readonly features?: readonly number[];
  readonly prompt?: string;
  /**
   * Built-in policy: the only operators this program may write (the operator choice renormalised
   * over them and stop, in sampling and in training alike); absent: all (`--follow-through`).
   */
  readonly operators?: readonly string[];
  /** Built-in policy: which of its networks writes this program (default 0; `--door-network`). */
  readonly network?: number;
}

export interface SampleParams {
  readonly temperature: number;
  /** Seed for this call's sampling; the same seed gives the same samples. */
  readonly seed: number;
  readonly maxTokens?: number;
}

export interface SampledSequence {
  readonly tokens: readonly number[];
  /** Log-probability of each token under the sampling distribution (after temperature). */
  readonly logprobs: readonly number[];
  /** Decoded text, for language-model policies. */
  readonly text?: string;
  /** The prompt's tokens, for language-model policies that train on them. */
  readonly promptTokens?: readonly number[];
  /** Why sampling stopped ("stop", "length", ...), when the backend says. */
  readonly finishReason?: string;
  /** Set when the backend could not sample (after its retries); the attempt is then invalid. */
  readonly error?: string;
}

/** Tokens and money a backend has spent so far (carried across resume in its checkpoint). */
export interface PolicyUsage {
  /** Requests the model answered (a request retried after a failure counts once). */
  readonly requests: number;
  /** Prompt tokens (as an OpenAI-compatible server reports them; llamacpp and tinker count their own). */
  readonly promptTokens: number;
  /** Sampled tokens, counted as promptTokens are. */
  readonly completionTokens: number;
  /** USD spent at the configured prices (inputUsdPerMTok, outputUsdPerMTok); 0 for llamacpp and tinker. */
  readonly costUsd: number;
  /** Wall time spent waiting on the model, in milliseconds. */
  readonly modelMs: number;
}

/** One training example: a sampled sequence with a per-token advantage. */
export interface Datum {
  readonly context: PolicyContext;
  readonly tokens: readonly number[];
  /** Log-probabilities recorded when the sequence was sampled (importance weights). */
  readonly samplerLogprobs: readonly number[];
  readonly advantages: readonly number[];
}

export interface AdamParams {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export const DEFAULT_ADAM: AdamParams = { learningRate: 4e-5, beta1: 0.9, beta2: 0.95, eps: 1e-8 };

export interface ForwardBackwardResult {
  /** The importance-sampling loss -sum_t exp(logp_theta - logp_sampler) A_t, summed over the batch. */
  readonly loss: number;
  /** Log-probabilities of the batch's tokens under the current weights. */
  readonly logprobs: readonly (readonly number[])[];
}

export interface Policy {
  readonly kind: string;
  /** False for search-only backends (no trainer): the loop skips the update. */
  readonly trainable: boolean;
  /** The Adam learning rate that suits this backend when the user sets none. */
  readonly defaultLearningRate?: number;
  sample(context: PolicyContext, n: number, params: SampleParams): Promise<SampledSequence[]>;
  /** Log-probabilities of the tokens under the initial (reference) weights, for the KL term. */
  referenceLogprobs(
    batch: readonly { context: PolicyContext; tokens: readonly number[] }[],
  ): Promise<number[][]>;
  /** Accumulates gradients of the importance-sampling loss over the batch. */
  forwardBackward(batch: readonly Datum[], loss?: "importance_sampling"): Promise<ForwardBackwardResult>;
  /** One Adam step with the accumulated gradients, which it then clears. */
  optimStep(adam: AdamParams): Promise<{ gradNorm: number }>;
  /** JSON snapshot of everything needed to continue (weights, optimiser moments). */
  checkpoint(): Promise<unknown>;
  restore(snapshot: unknown): Promise<void>;
  /** What the backend has spent so far; absent for backends that spend nothing (built-in). */
  usage?(): PolicyUsage;
  /** Releases connections, sessions and native resources. */
  close?(): Promise<void>;
}
