/**
 * The paper's setup as a Policy: a LoRA adapter (rank 32) trained on the Tinker service.
 * sample -> asample on the current sampler weights; referenceLogprobs -> prompt logprobs of
 * the base model; forwardBackward -> the importance_sampling loss with per-token advantages;
 * optimStep -> Adam, then save_weights_for_sampler so the next step samples the new weights.
 */
import type {
  AdamParams,
  Datum,
  ForwardBackwardResult,
  Policy,
  PolicyContext,
  PolicyUsage,
  SampledSequence,
  SampleParams,
} from "../policy.ts";
import { TinkerClient, type TinkerClientOptions } from "./client.ts";

/** Text <-> token ids of the base model (the service works in tokens). */
export interface Tokenizer {
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
}

export interface TinkerPolicyOptions extends TinkerClientOptions {
  readonly baseModel: string;
  readonly loraRank: number;
  readonly maxTokens: number;
  readonly tokenizer: Tokenizer;
}

interface Counts {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  modelMs: number;
  steps: number;
}

export class TinkerPolicy implements Policy {
  readonly kind = "tinker";
  readonly trainable = true;
  readonly defaultLearningRate = 4e-5;
  private counts: Counts = { requests: 0, promptTokens: 0, completionTokens: 0, modelMs: 0, steps: 0 };
  private samplerPath?: string;

  private constructor(
    private readonly client: TinkerClient,
    private readonly options: TinkerPolicyOptions,
    private readonly modelId: string,
    private sampler: string,
    private readonly reference: string,
  ) {}

  static async create(options: TinkerPolicyOptions): Promise<TinkerPolicy> {
    const client = new TinkerClient(options);
    await client.createSession();
    try {
      const modelId = await client.createModel(options.baseModel, options.loraRank);
      // Step 0 samples the base model, which is also the KL reference.
      const reference = await client.createSamplingSession(
        { baseModel: options.baseModel },
        client.nextSeqId(),
      );
      return new TinkerPolicy(client, options, modelId, reference, reference);
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  async sample(context: PolicyContext, n: number, params: SampleParams): Promise<SampledSequence[]> {
    if (context.prompt === undefined) throw new Error("the tinker policy needs a prompt");
    const started = performance.now();
    const prompt = this.options.tokenizer.encode(context.prompt);
    const r = await this.client.sample({
      samplingSessionId: this.sampler,
      prompt,
      numSamples: n,
      maxTokens: params.maxTokens ?? this.options.maxTokens,
      temperature: params.temperature,
      seed: params.seed,
    });
    if (!Array.isArray(r?.sequences) || r.sequences.length !== n) {
      throw new Error(`asample returned ${r?.sequences?.length ?? "no"} sequences for ${n}`);
    }
    this.counts.requests += 1;
    this.counts.promptTokens += prompt.length;
    this.counts.modelMs += performance.now() - started;
    return r.sequences.map((s) => {
      this.counts.completionTokens += s.tokens.length;
      return {
        tokens: s.tokens,
        logprobs: (s.logprobs ?? []).map((l) => l ?? NaN),
        text: this.options.tokenizer.decode(s.tokens),
        promptTokens: prompt,
        finishReason: s.stop_reason,
      };
    });
  }

  /** Base-model logprobs of each sequence's tokens: prompt logprobs of prompt + tokens. */
  async referenceLogprobs(
    batch: readonly { context: PolicyContext; tokens: readonly number[] }[],
  ): Promise<number[][]> {
    return await Promise.all(batch.map(async ({ context, tokens }) => {
      const prompt = this.options.tokenizer.encode(context.prompt ?? "");
      const r = await this.client.sample({
        samplingSessionId: this.reference,
        prompt: [...prompt, ...tokens],
        numSamples: 1,
        maxTokens: 1,
        temperature: 1,
        promptLogprobs: true,
      });
      const all = r?.prompt_logprobs;
      if (!Array.isArray(all) || all.length < tokens.length) {
        throw new Error("asample returned no prompt_logprobs for the reference");
      }
      return all.slice(all.length - tokens.length).map((l) => l ?? NaN);
    }));
  }

  /**
   * One datum per sequence, shifted as the service expects: input = (prompt + tokens)[:-1],
   * target = (prompt + tokens)[1:], sampler logprobs and advantages zero over the prompt.
   */
  async forwardBackward(batch: readonly Datum[]): Promise<ForwardBackwardResult> {
    const prompts = batch.map((d) => this.options.tokenizer.encode(d.context.prompt ?? ""));
    const data = batch.map((d, i) => {
      const full = [...prompts[i], ...d.tokens];
      const pad = new Array(prompts[i].length - 1).fill(0);
      return {
        modelInput: full.slice(0, -1),
        lossFnInputs: {
          target_tokens: { dtype: "int64" as const, values: full.slice(1) },
          logprobs: { dtype: "float32" as const, values: [...pad, ...d.samplerLogprobs] },
          advantages: { dtype: "float32" as const, values: [...pad, ...d.advantages] },
        },
      };
    });
    const out = await this.client.forwardBackward({
      modelId: this.modelId,
      seqId: this.client.nextSeqId(),
      data,
      lossFn: "importance_sampling",
    });
    const logprobs = (out?.loss_fn_outputs ?? []).map((o, i) => {
      const lp = o.logprobs?.data ?? [];
      return lp.slice(lp.length - batch[i].tokens.length);
    });
    return { loss: out?.metrics?.["loss:sum"] ?? NaN, logprobs };
  }

  async optimStep(adam: AdamParams): Promise<{ gradNorm: number }> {
    const r = await this.client.optimStep(this.modelId, adam);
    this.counts.steps += 1;
    // The next step samples the updated adapter.
    const saved = await this.client.saveWeightsForSampler(this.modelId, `step-${this.counts.steps}`);
    this.samplerPath = saved.path;
    this.sampler = saved.sampling_session_id ??
      await this.client.createSamplingSession({ modelPath: saved.path }, this.client.nextSeqId());
    const metrics = (r?.metrics ?? {}) as Record<string, number>;
    return { gradNorm: metrics["grad_norm"] ?? metrics["grad_norm:mean"] ?? NaN };
  }

  checkpoint(): Promise<unknown> {
    return Promise.resolve({
      usage: { ...this.counts },
      modelId: this.modelId,
      samplerPath: this.samplerPath,
    });
  }

  /** Resumes sampling from the saved adapter; the optimiser state stays on the service's model. */
  async restore(snapshot: unknown): Promise<void> {
    const s = snapshot as { usage?: Counts; samplerPath?: string } | undefined;
    if (s?.usage) this.counts = { ...s.usage };
    if (s?.samplerPath) {
      this.samplerPath = s.samplerPath;
      this.sampler = await this.client.createSamplingSession(
        { modelPath: s.samplerPath },
        this.client.nextSeqId(),
      );
    }
  }

  usage(): PolicyUsage {
    return { ...this.counts, costUsd: 0 };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
