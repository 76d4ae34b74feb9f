/**
 * What every sampling-only backend (an OpenAI-compatible server, a local GGUF model)
 * shares: it cannot be trained, so the training half of the Policy contract rejects
 * with a sentence that says so, and its checkpoint is the usage counters, so a resumed
 * run keeps counting tokens and cost from where it stopped.
 */
import type { AdamParams, Datum, ForwardBackwardResult, PolicyUsage } from "./policy.ts";

export interface UsageCounts {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  modelMs: number;
}

export abstract class SamplingOnlyPolicy<C extends UsageCounts = UsageCounts> {
  readonly trainable = false;
  abstract readonly kind: string;

  protected constructor(protected counts: C, private readonly cannotTrain: string) {}

  referenceLogprobs(): Promise<number[][]> {
    return Promise.reject(new Error(this.cannotTrain));
  }

  forwardBackward(_batch: readonly Datum[]): Promise<ForwardBackwardResult> {
    return Promise.reject(new Error(this.cannotTrain));
  }

  optimStep(_adam: AdamParams): Promise<{ gradNorm: number }> {
    return Promise.reject(new Error(this.cannotTrain));
  }

  checkpoint(): Promise<unknown> {
    return Promise.resolve({ usage: { ...this.counts } });
  }

  restore(snapshot: unknown): Promise<void> {
    const usage = (snapshot as { usage?: Partial<C> } | undefined)?.usage;
    if (usage) this.counts = { ...this.counts, ...usage };
    return Promise.resolve();
  }

  /** Token and time counters; backends with prices add the cost. */
  usage(): PolicyUsage {
    return { ...this.counts, costUsd: 0 };
  }
}
