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
import { TinkerClient, type TinkerClientOptions, TinkerError } from "./client.ts";

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
  /**
   * The KL penalty's weight (the run's --kl). Above 0 the server must give the base model's
   * log-probabilities of sampled tokens (prompt_logprobs); at 0 they are never asked for.
   */
  readonly klCoef?: number;
}

/** Said when a server gives no base-model log-probabilities and the KL term needs them. */
export function missingReferenceMessage(baseUrl: string): string {
  return `${baseUrl} gives no base-model log-probabilities (asample with prompt_logprobs returned none), ` +
    "which the KL penalty toward the initial policy needs. Some self-hosted Tinker servers (e.g. SkyRL tx) " +
    "do not return them. Rerun with --kl 0 to train without the KL term (steps.parquet then records kl = 0: " +
    "the term is off, not measured).";
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
  /** The training state (weights and Adam's moments) saved for resume, and the step it is of. */
  private statePath?: string;
  private stateStep = 0;
  /** Whether the server can save the training state at all (save_weights); learnt on first try. */
  private canSaveState = true;
  /** Sampler log-probabilities of this step's sequences: the reference when the KL term is off. */
  private sampled = new Map<string, number[]>();

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
      // Step 0 samples the base model, which is also the KL reference. A server that samples only
      // saved weights gets the fresh adapter's (LoRA starts as the identity: the base model).
      let reference: string;
      try {
        reference = await client.createSamplingSession({ baseModel: options.baseModel }, client.nextSeqId());
      } catch (e) {
        if (!(e instanceof TinkerError) || e.status === undefined || e.status >= 500) throw e;
        const saved = await client.saveWeightsForSampler(modelId, "step-0");
        reference = saved.sampling_session_id ??
          await client.createSamplingSession({ modelPath: saved.path }, client.nextSeqId());
      }
      if ((options.klCoef ?? 0.1) > 0) {
        // Before step 0: a server without base-model log-probabilities would fail the first update.
        const probe = await client.sample({
          samplingSessionId: reference,
          prompt: options.tokenizer.encode("The reference model"),
          numSamples: 1,
          maxTokens: 1,
          temperature: 1,
          promptLogprobs: true,
        });
        if (!hasPromptLogprobs(probe?.prompt_logprobs)) {
          throw new TinkerError(missingReferenceMessage(options.baseUrl));
        }
      }
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
      if ((this.options.klCoef ?? 0.1) === 0) {
        this.sampled.set(sequenceKey(context.prompt!, s.tokens), (s.logprobs ?? []).map((l) => l ?? NaN));
        // A run that never updates (--no-train) never asks for them back: keep the latest only.
        if (this.sampled.size > 4096) this.sampled.delete(this.sampled.keys().next().value!);
      }
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
    if ((this.options.klCoef ?? 0.1) === 0) {
      // The KL term is off (--kl 0): the sampler's own log-probabilities make its shaping exactly zero.
      const out = batch.map(({ context, tokens }) =>
        this.sampled.get(sequenceKey(context.prompt ?? "", tokens))
      );
      this.sampled.clear();
      if (out.some((l) => l === undefined)) {
        throw new Error("referenceLogprobs: a sequence this policy did not sample");
      }
      return out as number[][];
    }
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
      if (!hasPromptLogprobs(all) || all.length < tokens.length) {
        throw new TinkerError(missingReferenceMessage(this.options.baseUrl));
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

  /**
   * What a resume needs: the sampler weights and, where the server can save it (save_weights), the
   * training state with Adam's moments, saved once per optimiser step.
   */
  async checkpoint(): Promise<unknown> {
    if (this.counts.steps > this.stateStep && this.canSaveState) {
      try {
        this.statePath = await this.client.saveState(this.modelId, `state-${this.counts.steps}`);
        this.stateStep = this.counts.steps;
      } catch (e) {
        if (!(e instanceof TinkerError) || e.status === undefined || e.status >= 500) throw e;
        this.canSaveState = false;
        console.warn(
          `${this.options.baseUrl} cannot save the trainer's state (save_weights: ${
            e.message.slice(0, 200)
          }); ` +
            "a resumed run samples the saved adapter but restarts the optimiser",
        );
      }
    }
    return {
      usage: { ...this.counts },
      modelId: this.modelId,
      samplerPath: this.samplerPath,
      statePath: this.statePath,
      stateStep: this.stateStep,
    };
  }

  /**
   * Resumes from a checkpoint: the trainer loads the saved training state (adapter and optimiser
   * moments) when there is one, and sampling continues from the saved sampler weights.
   */
  async restore(snapshot: unknown): Promise<void> {
    const s = snapshot as
      | { usage?: Counts; samplerPath?: string; statePath?: string; stateStep?: number }
      | undefined;
    if (s?.usage) this.counts = { ...s.usage };
    if (typeof s?.statePath === "string") {
      await this.client.loadState(this.modelId, s.statePath);
      this.statePath = s.statePath;
      this.stateStep = s.stateStep ?? this.counts.steps;
    }
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

/** A prompt_logprobs array with numbers (the first token never has one). */
function hasPromptLogprobs(value: unknown): value is (number | null)[] {
  return Array.isArray(value) && value.some((l) => typeof l === "number" && Number.isFinite(l));
}

function sequenceKey(prompt: string, tokens: readonly number[]): string {
  return `${prompt.length}:${prompt}\u0000${tokens.join(",")}`;
}
