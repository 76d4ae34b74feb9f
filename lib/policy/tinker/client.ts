/**
 * A TypeScript client for the Tinker API (routes under /api/v1, as the public Python SDK
 * uses them): sessions with a heartbeat, LoRA training models, sampling sessions, and the
 * future-returning calls (create_model, asample, forward_backward, optim_step,
 * save_weights_for_sampler) resolved by polling retrieve_future with back-off.
 * JSON everywhere except forward_backward, which the service takes as protobuf.
 * Self-hosted servers that speak these routes work by base URL alone.
 */
import { encodeForwardBackwardRequest, type ForwardBackwardRequestProto } from "./protobuf.ts";

export interface TinkerClientOptions {
  /** Service root, e.g. https://tinker.example.com (routes are under /api/v1). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  /** First back-off delay for retries and future polls; doubles up to 5 s. */
  readonly backoffMs?: number;
  /** Give up on a future after this long. */
  readonly futureTimeoutMs?: number;
  /** Heartbeat period; the SDK uses 10 s. */
  readonly heartbeatMs?: number;
}

export class TinkerError extends Error {
  constructor(message: string, readonly status?: number, readonly category?: string) {
    super(message);
  }
}

const SDK_VERSION = "ttt-discover-ts/0.1.0";

export interface ModelInputJSON {
  chunks: { type: "encoded_text"; tokens: number[] }[];
}

export function modelInput(tokens: readonly number[]): ModelInputJSON {
  return { chunks: [{ type: "encoded_text", tokens: [...tokens] }] };
}

export interface SampleResult {
  sequences: { tokens: number[]; logprobs?: (number | null)[]; stop_reason: string }[];
  prompt_logprobs?: (number | null)[] | null;
}

export interface TensorJSON {
  data: number[];
  dtype: string;
  shape?: number[] | null;
}

export interface ForwardBackwardOutputJSON {
  loss_fn_output_type: string;
  loss_fn_outputs: Record<string, TensorJSON>[];
  metrics: Record<string, number>;
}

export class TinkerClient {
  private heartbeat?: ReturnType<typeof setInterval>;
  /** The beat in flight, if any: close() waits for it, so no beat reaches the service after close(). */
  private beat?: Promise<void>;
  private seq = 0;
  sessionId?: string;

  constructor(private readonly options: TinkerClientOptions) {}

  /** Next per-session sequence id (the service orders a model's requests by it). */
  nextSeqId(): number {
    return ++this.seq;
  }

  /** POST with retries on 408/429/5xx and network errors; Retry-After is honoured. */
  async post<T>(path: string, body: unknown): Promise<T> {
    const binary = body instanceof Uint8Array;
    const base = this.options.backoffMs ?? 500;
    for (let attempt = 0;; attempt++) {
      let response: Response;
      try {
        response = await fetch(new URL(path, this.options.baseUrl.replace(/\/?$/, "/")), {
          method: "POST",
          headers: {
            "Content-Type": binary ? "application/x-protobuf" : "application/json",
            Accept: "application/json",
            ...(this.options.apiKey ? { "X-API-Key": this.options.apiKey } : {}),
          },
          body: binary ? body as Uint8Array<ArrayBuffer> : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
      } catch (e) {
        if (attempt >= this.options.maxRetries) {
          throw new TinkerError(`${path}: ${(e as Error).message} (after ${attempt + 1} attempts)`);
        }
        await sleep(backoff(base, attempt));
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text) as T;
        } catch {
          if (attempt >= this.options.maxRetries) {
            throw new TinkerError(`${path}: malformed JSON response: ${text.slice(0, 200)}`);
          }
          await sleep(backoff(base, attempt));
          continue;
        }
      }
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.options.maxRetries) {
        throw new TinkerError(`${path}: ${response.status} ${text.slice(0, 500)}`, response.status);
      }
      const after = Number(response.headers.get("retry-after"));
      await sleep(
        Number.isFinite(after) && response.headers.has("retry-after") ? after * 1000 : backoff(base, attempt),
      );
    }
  }

  /** Posts a future-returning request and polls retrieve_future until it resolves. */
  async call<T>(path: string, body: unknown): Promise<T> {
    const future = await this.post<{ request_id: string }>(path, body);
    if (typeof future?.request_id !== "string") {
      throw new TinkerError(
        `${path}: the response carries no request_id: ${JSON.stringify(future).slice(0, 200)}`,
      );
    }
    return await this.retrieve<T>(future.request_id, path);
  }

  private async retrieve<T>(requestId: string, path: string): Promise<T> {
    const started = performance.now();
    const limit = this.options.futureTimeoutMs ?? 3_600_000;
    for (let poll = 0;; poll++) {
      const r = await this.post<Record<string, unknown>>("api/v1/retrieve_future", {
        request_id: requestId,
        allow_metadata_only: false,
      });
      if (r?.type === "try_again") {
        if (performance.now() - started > limit) {
          throw new TinkerError(`${path}: future ${requestId} not done after ${(limit / 1000).toFixed(0)} s`);
        }
        await sleep(Math.min(5000, (this.options.backoffMs ?? 500) * 1.5 ** Math.min(poll, 10)));
        continue;
      }
      if (typeof r?.error === "string") {
        throw new TinkerError(`${path}: ${r.error}`, undefined, String(r.category ?? "unknown"));
      }
      return r as T;
    }
  }

  /** Opens a session and keeps it alive with a heartbeat until close(). */
  async createSession(tags: string[] = ["ttt-discover"]): Promise<string> {
    const r = await this.post<{ session_id: string; error_message?: string | null }>(
      "api/v1/create_session",
      {
        tags,
        user_metadata: null,
        sdk_version: SDK_VERSION,
        type: "create_session",
      },
    );
    if (typeof r?.session_id !== "string") {
      throw new TinkerError(`create_session: ${r?.error_message ?? "no session_id in the response"}`);
    }
    this.sessionId = r.session_id;
    const timer = setInterval(() => {
      if (this.beat !== undefined) return; // one beat at a time
      this.beat = this.sendBeat(r.session_id).finally(() => this.beat = undefined);
    }, this.options.heartbeatMs ?? 10_000);
    Deno.unrefTimer(timer as unknown as number);
    this.heartbeat = timer;
    return r.session_id;
  }

  async createModel(baseModel: string, rank: number): Promise<string> {
    const r = await this.call<{ model_id: string }>("api/v1/create_model", {
      session_id: this.sessionId,
      model_seq_id: 0,
      base_model: baseModel,
      user_metadata: null,
      lora_config: { rank, train_unembed: true, train_mlp: true, train_attn: true },
      type: "create_model",
    });
    if (typeof r?.model_id !== "string") throw new TinkerError("create_model: no model_id in the result");
    return r.model_id;
  }

  async createSamplingSession(
    source: { baseModel?: string; modelPath?: string },
    seqId: number,
  ): Promise<string> {
    const r = await this.post<{ sampling_session_id: string }>("api/v1/create_sampling_session", {
      session_id: this.sessionId,
      sampling_session_seq_id: seqId,
      base_model: source.baseModel ?? null,
      model_path: source.modelPath ?? null,
      type: "create_sampling_session",
    });
    if (typeof r?.sampling_session_id !== "string") {
      throw new TinkerError("create_sampling_session: no sampling_session_id in the response");
    }
    return r.sampling_session_id;
  }

  sample(request: {
    samplingSessionId: string;
    prompt: readonly number[];
    numSamples: number;
    maxTokens: number;
    temperature: number;
    seed?: number;
    promptLogprobs?: boolean;
  }): Promise<SampleResult> {
    return this.call<SampleResult>("api/v1/asample", {
      sampling_session_id: request.samplingSessionId,
      seq_id: this.nextSeqId(),
      num_samples: request.numSamples,
      prompt: modelInput(request.prompt),
      sampling_params: {
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
      },
      prompt_logprobs: request.promptLogprobs ?? false,
      topk_prompt_logprobs: 0,
      type: "sample",
    });
  }

  forwardBackward(request: ForwardBackwardRequestProto): Promise<ForwardBackwardOutputJSON> {
    return this.call("api/v1/forward_backward", encodeForwardBackwardRequest(request));
  }

  optimStep(modelId: string, adam: { learningRate: number; beta1: number; beta2: number; eps: number }) {
    return this.call<Record<string, unknown>>("api/v1/optim_step", {
      model_id: modelId,
      seq_id: this.nextSeqId(),
      adam_params: {
        learning_rate: adam.learningRate,
        beta1: adam.beta1,
        beta2: adam.beta2,
        eps: adam.eps,
        weight_decay: 0,
        grad_clip_norm: 0,
      },
      type: "optim_step",
    });
  }

  saveWeightsForSampler(modelId: string, name: string) {
    return this.call<{ path: string; sampling_session_id?: string | null }>(
      "api/v1/save_weights_for_sampler",
      {
        model_id: modelId,
        path: name,
        seq_id: this.nextSeqId(),
        type: "save_weights_for_sampler",
      },
    );
  }

  /** Saves the training state (adapter weights and optimiser moments) under `name`; returns its path. */
  async saveState(modelId: string, name: string): Promise<string> {
    const r = await this.call<{ path?: string }>("api/v1/save_weights", {
      model_id: modelId,
      path: name,
      seq_id: this.nextSeqId(),
      type: "save_weights",
    });
    if (typeof r?.path !== "string") throw new TinkerError("save_weights: no path in the result");
    return r.path;
  }

  /** Loads a saved training state into `modelId`, the optimiser's moments included. */
  async loadState(modelId: string, path: string): Promise<void> {
    await this.call<unknown>("api/v1/load_weights", {
      model_id: modelId,
      path,
      optimizer: true,
      seq_id: this.nextSeqId(),
      type: "load_weights",
    });
  }

  /**
   * One heartbeat, one request, no retries: a missed beat is retried by the next tick, and a beat
   * that kept retrying could reach the service after close().
   */
  private async sendBeat(sessionId: string): Promise<void> {
    try {
      const response = await fetch(
        new URL("api/v1/session_heartbeat", this.options.baseUrl.replace(/\/?$/, "/")),
        {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            ...(this.options.apiKey ? { "X-API-Key": this.options.apiKey } : {}),
          },
          body: JSON.stringify({ session_id: sessionId, type: "session_heartbeat" }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        },
      );
      await response.body?.cancel();
    } catch {
      // the next tick beats again
    }
  }

  /** Stops the heartbeat; resolves once a beat already sent has been answered (none follows). */
  async close(): Promise<void> {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.beat;
  }
}

function backoff(base: number, attempt: number): number {
  return Math.min(5000, base * 2 ** attempt) * (0.75 + 0.5 * Math.random());
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}
