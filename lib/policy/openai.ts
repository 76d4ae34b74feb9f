/**
 * Any OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama, OpenAI, Tinker's
 * OpenAI-compatible endpoint) as a sampling-only policy: the paper's "no TTT" search
 * baseline. Chat or completions, sampled-token log-probabilities, bounded concurrency,
 * retries with exponential backoff on 429/5xx/timeouts (honouring Retry-After), and
 * token + cost accounting that the loop's --max-cost-usd reads. The endpoint is checked
 * before step 0 (preflight), and a run of consecutive failed requests stops the run
 * instead of recording every attempt as "Connection error".
 */
import { SamplingOnlyPolicy, type UsageCounts } from "./sampling_only.ts";
import type { Policy, PolicyContext, PolicyUsage, SampledSequence, SampleParams } from "./policy.ts";

export interface OpenAIPolicyOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly api: "chat" | "completions";
  readonly maxTokens: number;
  readonly reasoningEffort?: "minimal" | "low" | "medium" | "high";
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly inputUsdPerMTok: number;
  readonly outputUsdPerMTok: number;
  /** First backoff delay; doubles per retry (with jitter), capped at 60 s. */
  readonly backoffMs?: number;
  /** Requests in a row that fail after all their retries before the run stops; default 16. */
  readonly maxConsecutiveFailures?: number;
}

/**
 * The openai SDK (13 MB), fetched on first use only: Deno installs every npm package its lockfile
 * names, so it stays out of deno.json and deno.lock, its specifier built at run time so no module
 * graph sees it (as node-llama-cpp, ./node_llama_cpp.ts). A run with the built-in policy never
 * installs it. Below, the part of its API this policy uses.
 */
const PACKAGE = ["openai", "6.9.1"];

interface ChatResponse {
  choices?: {
    message?: { content?: string | null };
    logprobs?: { content?: { token: string; logprob: number }[] | null } | null;
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

interface CompletionResponse {
  choices?: {
    text?: string;
    logprobs?: { tokens?: string[]; token_logprobs?: (number | null)[] } | null;
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

interface OpenAIClient {
  chat: { completions: { create(body: Record<string, unknown>): Promise<ChatResponse> } };
  completions: { create(body: Record<string, unknown>): Promise<CompletionResponse> };
}

// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error & { status?: number; headers?: unknown };

interface OpenAISdk {
  new (options: { baseURL: string; apiKey: string; timeout: number; maxRetries: number }): OpenAIClient;
  readonly APIError: ErrorClass;
  readonly APIConnectionError: ErrorClass;
}

let sdk: Promise<OpenAISdk> | undefined;

/** The SDK's client class, imported (and on first use downloaded) once. */
function loadSdk(): Promise<OpenAISdk> {
  sdk ??= import(`npm:${PACKAGE.join("@")}`).then((m) => m.default as OpenAISdk);
  return sdk;
}

/** How long preflight waits for the server to answer at all. */
const PREFLIGHT_TIMEOUT_MS = 10_000;

/** Errors no retry can fix: the run stops with the server's message rather than record junk. */
const FATAL_STATUS = new Set([401, 403, 404]);

/** Models that take max_completion_tokens (and reject max_tokens) on OpenAI's API. */
const REASONING_MODEL = /^(o\d|gpt-5)/;

/** A counting semaphore: at most `limit` requests in flight across all sample() calls. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((ok) => this.waiting.push(ok));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface Counts extends UsageCounts {
  retries: number;
}

export class OpenAIPolicy extends SamplingOnlyPolicy<Counts> implements Policy {
  readonly kind = "openai";
  private client?: Promise<{ client: OpenAIClient; OpenAI: OpenAISdk }>;
  private readonly gate: Gate;
  private consecutiveFailures = 0;

  constructor(private readonly options: OpenAIPolicyOptions) {
    super(
      { requests: 0, promptTokens: 0, completionTokens: 0, modelMs: 0, retries: 0 },
      "the openai policy samples only; use --policy tinker to train",
    );
    this.gate = new Gate(options.concurrency);
  }

  /** The SDK client, made on the first request. */
  private sdk(): Promise<{ client: OpenAIClient; OpenAI: OpenAISdk }> {
    const o = this.options;
    // Retries are ours (so they are counted, logged and testable); the SDK makes one attempt.
    this.client ??= loadSdk().then((OpenAI) => ({
      OpenAI,
      client: new OpenAI({
        baseURL: o.baseUrl,
        apiKey: o.apiKey,
        timeout: o.requestTimeoutMs,
        maxRetries: 0,
      }),
    }));
    return this.client;
  }

  async sample(context: PolicyContext, n: number, params: SampleParams): Promise<SampledSequence[]> {
    if (context.prompt === undefined) throw new Error("the openai policy needs a prompt");
    const prompt = context.prompt;
    return await Promise.all(
      Array.from(
        { length: n },
        (_, i) =>
          this.gate.run(() =>
            this.withRetries(() => this.once(prompt, params, (params.seed + i) % 2 ** 31))
              .then((sequence) => {
                this.consecutiveFailures = 0;
                return sequence;
              })
              .catch((e) => {
                if (e instanceof FatalRequestError) throw e;
                this.countFailure(e);
                return failed(e);
              })
          ),
      ),
    );
  }

  /** A failure after every retry; too many in a row means the server is gone, so the run stops. */
  private countFailure(e: unknown): void {
    const limit = this.options.maxConsecutiveFailures ?? 16;
    if (++this.consecutiveFailures >= limit) {
      throw new FatalRequestError(
        `${this.options.baseUrl}: ${this.consecutiveFailures} requests in a row failed after their retries ` +
          `(last: ${e instanceof Error ? e.message : String(e)}); stopping the run`,
      );
    }
  }

  /**
   * Before step 0: the server must answer at all (any HTTP status will do, since servers differ
   * in what they serve at /models), and must not refuse the key. Fails in seconds, not after every
   * rollout's retries.
   */
  async preflight(): Promise<void> {
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}/models`;
    const timeout = Math.min(PREFLIGHT_TIMEOUT_MS, this.options.requestTimeoutMs);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${this.options.apiKey}` },
          signal: AbortSignal.timeout(timeout),
        });
        await response.body?.cancel();
        if (response.status === 401 || response.status === 403) {
          throw new FatalRequestError(
            `${this.options.baseUrl}: ${response.status}: the server refused the API key`,
          );
        }
        return;
      } catch (e) {
        if (e instanceof FatalRequestError) throw e;
        lastError = e;
        await new Promise((ok) => setTimeout(ok, 250 * 2 ** attempt));
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new FatalRequestError(`cannot reach ${this.options.baseUrl} (${why}); is the server running?`);
  }

  private async once(prompt: string, params: SampleParams, seed: number): Promise<SampledSequence> {
    const o = this.options;
    const maxTokens = params.maxTokens ?? o.maxTokens;
    const { client } = await this.sdk();
    const started = performance.now();
    let sequence: SampledSequence;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    if (o.api === "chat") {
      const reasoning = o.reasoningEffort !== undefined || REASONING_MODEL.test(o.model);
      const response = await client.chat.completions.create({
        model: o.model,
        messages: [{ role: "user", content: prompt }],
        temperature: params.temperature,
        seed,
        logprobs: true,
        ...(reasoning ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }),
        ...(o.reasoningEffort ? { reasoning_effort: o.reasoningEffort } : {}),
      });
      const choice = response.choices?.[0];
      if (!choice || typeof choice.message?.content !== "string") {
        throw new MalformedResponse("the chat response has no choices[0].message.content");
      }
      const content = choice.logprobs?.content ?? [];
      sequence = {
        text: choice.message.content,
        tokens: content.map((t) => tokenId(t.token)),
        logprobs: content.map((t) => t.logprob),
        finishReason: choice.finish_reason ?? undefined,
      };
      usage = response.usage;
    } else {
      const response = await client.completions.create({
        model: o.model,
        prompt,
        temperature: params.temperature,
        seed,
        max_tokens: maxTokens,
        logprobs: 1,
      });
      const choice = response.choices?.[0];
      if (!choice || typeof choice.text !== "string") {
        throw new MalformedResponse("the completion response has no choices[0].text");
      }
      const tokens = choice.logprobs?.tokens ?? [];
      sequence = {
        text: choice.text,
        tokens: tokens.map(tokenId),
        logprobs: (choice.logprobs?.token_logprobs ?? []).map((l) => l ?? NaN),
        finishReason: choice.finish_reason ?? undefined,
      };
      usage = response.usage;
    }
    this.counts.requests += 1;
    this.counts.promptTokens += usage?.prompt_tokens ?? 0;
    // Servers that omit usage still tell us the sampled length through the logprobs.
    this.counts.completionTokens += usage?.completion_tokens ?? sequence.tokens.length;
    this.counts.modelMs += performance.now() - started;
    return sequence;
  }

  private async withRetries<T>(request: () => Promise<T>): Promise<T> {
    const base = this.options.backoffMs ?? 1000;
    for (let attempt = 0;; attempt++) {
      try {
        return await request();
      } catch (e) {
        const { OpenAI } = await this.sdk();
        const status = e instanceof OpenAI.APIError ? e.status : undefined;
        if (status !== undefined && FATAL_STATUS.has(status)) {
          throw new FatalRequestError(
            `${this.options.baseUrl}: ${status} ${e instanceof Error ? e.message : e}`,
          );
        }
        const retryable = e instanceof MalformedResponse || e instanceof SyntaxError ||
          e instanceof OpenAI.APIConnectionError || // includes timeouts
          status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500) ||
          (e instanceof OpenAI.APIError && status === undefined);
        if (!retryable || attempt >= this.options.maxRetries) throw e;
        this.counts.retries += 1;
        const after = retryAfterMs(e, OpenAI);
        const backoff = Math.min(60_000, base * 2 ** attempt) * (0.75 + 0.5 * Math.random());
        await new Promise((ok) => setTimeout(ok, after ?? backoff));
      }
    }
  }

  override usage(): PolicyUsage & { retries: number } {
    const o = this.options;
    const costUsd =
      (this.counts.promptTokens * o.inputUsdPerMTok + this.counts.completionTokens * o.outputUsdPerMTok) /
      1e6;
    return { ...this.counts, costUsd };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class MalformedResponse extends Error {}

/** Raised for misconfiguration (bad key, unknown model or route): retrying cannot help. */
export class FatalRequestError extends Error {}

/** A sequence that records why sampling failed; the loop turns it into an invalid attempt. */
function failed(e: unknown): SampledSequence {
  const message = e instanceof Error ? e.message : String(e);
  return { text: "", tokens: [], logprobs: [], finishReason: "error", error: `sampling failed: ${message}` };
}

/** vLLM's `return_tokens_as_token_ids` writes tokens as "token_id:123"; other servers give no ids (-1). */
function tokenId(token: string): number {
  const m = /^token_id:(\d+)$/.exec(token);
  return m ? Number(m[1]) : -1;
}

/** Retry-After in seconds or as an HTTP date, or retry-after-ms; undefined when absent. */
function retryAfterMs(e: unknown, OpenAI: OpenAISdk): number | undefined {
  if (!(e instanceof OpenAI.APIError) || !e.headers) return undefined;
  const headers = e.headers as Headers;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") && Number.isFinite(ms)) return Math.max(0, ms);
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
