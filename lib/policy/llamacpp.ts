/**
 * A GGUF model sampled in this process on CPU with node-llama-cpp (its prebuilt llama.cpp
 * binaries ship inside npm packages; nothing is downloaded at run time). Sampling only:
 * it has no trainer, so with it the loop is test-time search.
 *
 * The prompt is evaluated once per group; every rollout of the group then restarts from
 * the cached prompt state (adaptStateToTokens), so a group costs one prompt evaluation.
 */
import type { Policy, PolicyContext, SampledSequence, SampleParams } from "./policy.ts";
import { SamplingOnlyPolicy } from "./sampling_only.ts";
import { type LlamaContext, type LlamaModel, loadLlama } from "./node_llama_cpp.ts";

export interface LlamaCppOptions {
  readonly modelPath: string;
  /** Prompt + completion tokens; long prompts keep their end (where the task is). */
  readonly contextSize: number;
  readonly threads?: number;
  /** Completion tokens per sample when the loop does not say. */
  readonly maxTokens: number;
}

/**
 * llama.cpp's worker threads spin while they wait for each other: on a machine whose cores are
 * all busy, two threads on two cores measured 25x slower than one. Half the cores leaves room.
 */
function defaultThreads(): number {
  return Math.max(1, Math.min(8, Math.floor((navigator.hardwareConcurrency ?? 2) / 2)));
}

export class LlamaCppPolicy extends SamplingOnlyPolicy implements Policy {
  readonly kind = "llamacpp";

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly options: LlamaCppOptions,
  ) {
    super(
      { requests: 0, promptTokens: 0, completionTokens: 0, modelMs: 0 },
      "the llamacpp policy samples only; it cannot be trained",
    );
  }

  static async create(options: LlamaCppOptions): Promise<LlamaCppPolicy> {
    try {
      if (!Deno.statSync(options.modelPath).isFile) throw new Error("not a file");
    } catch (e) {
      throw new Error(`cannot read the GGUF model ${options.modelPath}: ${(e as Error).message}`);
    }
    const llama = await loadLlama();
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const contextSize = Math.min(options.contextSize, model.trainContextSize);
    const context = await model.createContext({
      contextSize,
      sequences: 1,
      threads: options.threads ?? defaultThreads(),
    });
    return new LlamaCppPolicy(model, context, { ...options, contextSize });
  }

  async sample(context: PolicyContext, n: number, params: SampleParams): Promise<SampledSequence[]> {
    if (context.prompt === undefined) throw new Error("the llamacpp policy needs a prompt");
    const started = performance.now();
    const maxTokens = Math.max(
      1,
      Math.min(params.maxTokens ?? this.options.maxTokens, this.options.contextSize - 8),
    );
    const promptTokens = this.promptTokens(context.prompt, this.options.contextSize - maxTokens);
    const sequence = this.context.getSequence();
    const out: SampledSequence[] = [];
    try {
      for (let i = 0; i < n; i++) {
        // Keep the prompt's state and drop the last sample; the last prompt token is fed again to sample.
        await sequence.adaptStateToTokens(promptTokens.slice(0, -1), false);
        const tokens: number[] = [];
        const logprobs: number[] = [];
        let finishReason = "length";
        const generator = sequence.evaluateWithMetadata(
          promptTokens.slice(sequence.nextTokenIndex),
          { confidence: true },
          { temperature: params.temperature, seed: (params.seed + i * 0x9e3779b1) >>> 0 },
        );
        for await (const { token, confidence } of generator) {
          if (this.model.isEogToken(token)) {
            finishReason = "stop";
            break;
          }
          tokens.push(token);
          logprobs.push(Math.log(Math.max(confidence, Number.MIN_VALUE)));
          if (tokens.length >= maxTokens) break;
        }
        out.push({
          tokens,
          logprobs,
          text: this.model.detokenize(tokens),
          promptTokens,
          finishReason,
        });
        this.counts.completionTokens += tokens.length;
      }
    } finally {
      sequence.dispose();
    }
    this.counts.requests += 1;
    this.counts.promptTokens += promptTokens.length;
    this.counts.modelMs += performance.now() - started;
    return out;
  }

  /** BOS (when the model wants one) + the prompt's last `room - 1` tokens. */
  private promptTokens(prompt: string, room: number): number[] {
    const tokens = this.model.tokenize(prompt);
    const bos = this.model.tokens.shouldPrependBosToken && this.model.tokens.bos !== null
      ? [this.model.tokens.bos]
      : [];
    const keep = Math.max(1, room - bos.length);
    return [...bos, ...(tokens.length > keep ? tokens.slice(tokens.length - keep) : tokens)];
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
