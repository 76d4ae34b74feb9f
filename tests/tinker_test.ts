/**
 * The Tinker client and policy against a local server (127.0.0.1) that speaks the service's
 * routes: JSON bodies, a protobuf forward_backward, futures that answer try_again before
 * resolving, a 429, a malformed body and a failed future.
 */
import { TinkerClient } from "../lib/policy/tinker/client.ts";
import { TinkerPolicy, type Tokenizer } from "../lib/policy/tinker/policy.ts";
import { decodeForwardBackwardRequest, encodeForwardBackwardRequest } from "../lib/policy/tinker/protobuf.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

/** One token per character: enough to check the shifting and the padding exactly. */
const chars: Tokenizer = {
  encode: (t) => [...t].map((c) => c.charCodeAt(0)),
  decode: (ts) => String.fromCharCode(...ts),
};

function fakeTinker(
  options: {
    failForwardBackward?: boolean;
    /** A server like SkyRL tx: no prompt_logprobs, no sampling of the base model, any key. */
    selfHosted?: boolean;
  } = {},
) {
  const log: { path: string; key: string | null; body: unknown }[] = [];
  const futures = new Map<string, { polls: number; result: unknown }>();
  let n = 0, rateLimited = false, malformed = false;
  const future = (result: unknown) => {
    const id = `req-${++n}`;
    futures.set(id, { polls: 0, result });
    return Response.json({ request_id: id, model_id: "model-1" });
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const key = req.headers.get("x-api-key");
    const binary = req.headers.get("content-type") === "application/x-protobuf";
    const body = binary
      ? decodeForwardBackwardRequest(new Uint8Array(await req.arrayBuffer()))
      : await req.json();
    log.push({ path, key, body });
    if (key !== "tk-test" && !(options.selfHosted && key)) {
      return Response.json({ detail: "invalid API key" }, { status: 401 });
    }
    const b = body as Record<string, unknown>;
    switch (path) {
      case "/api/v1/create_session":
        return Response.json({ type: "create_session", session_id: "session-1" });
      case "/api/v1/session_heartbeat":
        return Response.json({ type: "session_heartbeat" });
      case "/api/v1/create_model":
        return future({ type: "create_model", model_id: "model-1" });
      case "/api/v1/create_sampling_session":
        if (options.selfHosted && !b.model_path) {
          return Response.json({ detail: "model_path is required" }, { status: 400 });
        }
        return Response.json({
          type: "create_sampling_session",
          sampling_session_id: `sampler:${b.model_path ?? b.base_model}`,
        });
      case "/api/v1/asample": {
        if (!rateLimited) {
          rateLimited = true;
          return Response.json({ detail: "rate limited" }, { status: 429, headers: { "retry-after": "0" } });
        }
        const prompt = (b.prompt as { chunks: { tokens: number[] }[] }).chunks[0].tokens;
        const params = b.sampling_params as { max_tokens: number };
        const sequences = Array.from({ length: b.num_samples as number }, (_, i) => ({
          stop_reason: "length",
          tokens: Array.from({ length: Math.min(3, params.max_tokens) }, (_, j) => 97 + ((i + j) % 26)),
          logprobs: Array.from({ length: Math.min(3, params.max_tokens) }, () => -0.5),
        }));
        const promptLogprobs = b.prompt_logprobs && !options.selfHosted
          ? [null, ...prompt.slice(1).map(() => -1.5)]
          : null;
        return future({ type: "sample", sequences, prompt_logprobs: promptLogprobs });
      }
      case "/api/v1/forward_backward": {
        if (options.failForwardBackward) {
          return future({ error: "out of memory on the trainer", category: "server" });
        }
        const fb = body as ReturnType<typeof decodeForwardBackwardRequest>;
        return future({
          loss_fn_output_type: "importance_sampling",
          loss_fn_outputs: fb.data.map((d) => ({
            logprobs: { data: d.modelInput.map(() => -0.25), dtype: "float32", shape: [d.modelInput.length] },
          })),
          metrics: { "loss:sum": 1.75 },
        });
      }
      case "/api/v1/optim_step":
        return future({ type: "optim_step", metrics: { grad_norm: 0.5 } });
      case "/api/v1/save_weights":
        return future({ type: "save_weights", path: `tinker://model-1/weights/${b.path}` });
      case "/api/v1/load_weights":
        return future({ type: "load_weights", path: b.path });
      case "/api/v1/save_weights_for_sampler":
        return future({ type: "save_weights_for_sampler", path: `tinker://model-1/sampler/${b.path}` });
      case "/api/v1/retrieve_future": {
        const f = futures.get(b.request_id as string);
        if (!f) return Response.json({ error: "unknown request", category: "user" });
        if (!malformed) {
          malformed = true;
          return new Response("<html>bad gateway", {
            status: 200,
            headers: { "content-type": "application/json" },
          });
        }
        // A slow future: two try_again answers before the result.
        if (f.polls++ < 2) {
          return Response.json({ type: "try_again", request_id: b.request_id, queue_state: "active" });
        }
        return Response.json(f.result);
      }
    }
    return Response.json({ detail: "not found" }, { status: 404 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, log, close: () => server.shutdown() };
}

const clientOptions = (url: string, apiKey = "tk-test") => ({
  baseUrl: url,
  apiKey,
  requestTimeoutMs: 5000,
  maxRetries: 3,
  backoffMs: 2,
  heartbeatMs: 20,
});

Deno.test("tinker protobuf: forward_backward requests round-trip through the wire encoding", () => {
  const request = {
    modelId: "m",
    seqId: 7,
    lossFn: "importance_sampling",
    lossFnConfig: { clip: 0.2 },
    forwardOnly: false,
    data: [{
      modelInput: [1, 2, 300000],
      lossFnInputs: {
        target_tokens: { dtype: "int64" as const, values: [2, 300000, 5], shape: [3] },
        advantages: { dtype: "float32" as const, values: [0, 0.5, -1.25], shape: [3] },
      },
    }],
  };
  assertEquals(decodeForwardBackwardRequest(encodeForwardBackwardRequest(request)), request);
});

Deno.test("tinker policy: session, LoRA model, sampling, reference logprobs, IS loss, Adam, new sampler", async () => {
  const server = fakeTinker();
  try {
    const policy = await TinkerPolicy.create({
      ...clientOptions(server.url),
      baseModel: "Qwen/Qwen3-8B",
      loraRank: 32,
      maxTokens: 16,
      tokenizer: chars,
    });
    const model = server.log.find((l) => l.path === "/api/v1/create_model")!.body as Record<string, unknown>;
    assertEquals(model.base_model, "Qwen/Qwen3-8B");
    assertEquals((model.lora_config as { rank: number }).rank, 32);
    assert(server.log.every((l) => l.key === "tk-test"));

    const seqs = await policy.sample({ prompt: "abcd" }, 2, { temperature: 1, seed: 3 });
    assertEquals(seqs.length, 2);
    assertEquals(seqs[0].text, "abc");
    assertEquals(seqs[1].logprobs, [-0.5, -0.5, -0.5]);
    const sampleBody = server.log.filter((l) => l.path === "/api/v1/asample").at(-1)!.body as Record<
      string,
      unknown
    >;
    assertEquals((sampleBody.prompt as { chunks: unknown[] }).chunks, [{
      type: "encoded_text",
      tokens: [97, 98, 99, 100],
    }]);
    assertEquals(sampleBody.sampling_session_id, "sampler:Qwen/Qwen3-8B");

    const ref = await policy.referenceLogprobs([{ context: { prompt: "abcd" }, tokens: seqs[0].tokens }]);
    assertEquals(ref, [[-1.5, -1.5, -1.5]]);

    const fb = await policy.forwardBackward([{
      context: { prompt: "abcd" },
      tokens: seqs[0].tokens,
      samplerLogprobs: seqs[0].logprobs,
      advantages: [1, 2, 3],
    }]);
    assertEquals(fb.loss, 1.75);
    assertEquals(fb.logprobs, [[-0.25, -0.25, -0.25]]);
    const sent = server.log.find((l) => l.path === "/api/v1/forward_backward")!.body as ReturnType<
      typeof decodeForwardBackwardRequest
    >;
    assertEquals(sent.lossFn, "importance_sampling");
    assertEquals(sent.modelId, "model-1");
    const d = sent.data[0];
    assertEquals(d.modelInput, [97, 98, 99, 100, 97, 98]); // (prompt + tokens)[:-1]
    assertEquals(d.lossFnInputs.target_tokens.values, [98, 99, 100, 97, 98, 99]); // shifted by one
    assertEquals(d.lossFnInputs.advantages.values, [0, 0, 0, 1, 2, 3]); // zero over the prompt
    assertEquals(d.lossFnInputs.logprobs.values, [0, 0, 0, -0.5, -0.5, -0.5]);

    const { gradNorm } = await policy.optimStep({ learningRate: 4e-5, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    assertEquals(gradNorm, 0.5);
    const adam = server.log.find((l) => l.path === "/api/v1/optim_step")!.body as Record<string, unknown>;
    assertEquals(adam.adam_params, {
      learning_rate: 4e-5,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weight_decay: 0,
      grad_clip_norm: 0,
    });
    await policy.sample({ prompt: "x" }, 1, { temperature: 1, seed: 4 });
    const last = server.log.filter((l) => l.path === "/api/v1/asample").at(-1)!.body as Record<
      string,
      unknown
    >;
    assertEquals(last.sampling_session_id, "sampler:tinker://model-1/sampler/step-1");
    const cp = await policy.checkpoint() as { samplerPath: string };
    assertEquals(cp.samplerPath, "tinker://model-1/sampler/step-1");

    await new Promise((ok) => setTimeout(ok, 60));
    assert(server.log.some((l) => l.path === "/api/v1/session_heartbeat"), "no heartbeat");
    await policy.close();
    const beats = server.log.filter((l) => l.path === "/api/v1/session_heartbeat").length;
    await new Promise((ok) => setTimeout(ok, 60));
    assertEquals(server.log.filter((l) => l.path === "/api/v1/session_heartbeat").length, beats);
    assertEquals(policy.usage().completionTokens, 9);
  } finally {
    await server.close();
  }
});

Deno.test("tinker client: a failed future and a bad key are clear errors", async () => {
  const server = fakeTinker({ failForwardBackward: true });
  try {
    const client = new TinkerClient(clientOptions(server.url));
    await client.createSession();
    await assertRejects(
      () => client.forwardBackward({ modelId: "model-1", seqId: 1, data: [], lossFn: "importance_sampling" }),
      /forward_backward: out of memory on the trainer/,
    );
    await client.close();
    const stranger = new TinkerClient(clientOptions(server.url, "wrong"));
    await assertRejects(() => stranger.createSession(), /create_session: 401/);
  } finally {
    await server.close();
  }
});

Deno.test("tinker from the command line's configuration: a GGUF tokenizer, a run through discover()", async () => {
  const server = fakeTinker();
  Deno.env.set("TINKER_TEST_KEY", "tk-test");
  try {
    const { discover } = await import("../lib/loop.ts");
    const tokenizer = new URL("./data/llama-2-tiny-random.gguf", import.meta.url).pathname;
    const reports = [];
    for await (
      const report of discover({
        config: {
          problem: "erdos",
          policy: "tinker",
          model: "Qwen/Qwen3-8B",
          tokenizer,
          baseUrl: server.url,
          apiKeyEnv: "TINKER_TEST_KEY",
          maxTokens: 8,
          steps: 1,
          groups: 1,
          groupSize: 2,
        },
      })
    ) reports.push(report);
    assertEquals(reports.length, 1);
    const attempts = reports[0].attempts;
    assertEquals(attempts.length, 2);
    // The fake service returns three fixed tokens: no program, so each attempt is a clear parse error.
    assert(
      attempts.every((a) => !a.valid && /parse error/.test(a.error)),
      attempts.map((a) => a.error).join("; "),
    );
    const model = server.log.find((l) => l.path === "/api/v1/create_model")!.body as Record<string, unknown>;
    assertEquals(model.base_model, "Qwen/Qwen3-8B");
    const sample = server.log.filter((l) => l.path === "/api/v1/asample").at(-1)!.body as {
      prompt: { chunks: { tokens: number[] }[] };
    };
    // The prompt went out as the GGUF tokenizer's ids, not characters.
    assert(sample.prompt.chunks[0].tokens.length > 10);
    assert(sample.prompt.chunks[0].tokens.some((t) => t > 255));
  } finally {
    Deno.env.delete("TINKER_TEST_KEY");
    await server.close();
  }
});

Deno.test("tinker on a self-hosted server without base-model logprobs (SkyRL tx): refused with why, unless --kl 0", async () => {
  const server = fakeTinker({ selfHosted: true });
  const options = {
    ...clientOptions(server.url, "tml-dummy"),
    baseModel: "Qwen/Qwen3-0.6B",
    loraRank: 32,
    maxTokens: 16,
    tokenizer: chars,
  };
  try {
    await assertRejects(
      () => TinkerPolicy.create({ ...options, klCoef: 0.1 }),
      /gives no base-model log-probabilities .*Rerun with --kl 0/,
    );
    const policy = await TinkerPolicy.create({ ...options, klCoef: 0 });
    // No sampling of the base model here: step 0 samples the fresh adapter's saved weights.
    const seqs = await policy.sample({ prompt: "abcd" }, 2, { temperature: 1, seed: 3 });
    const body = server.log.filter((l) => l.path === "/api/v1/asample").at(-1)!.body as Record<
      string,
      unknown
    >;
    assertEquals(body.sampling_session_id, "sampler:tinker://model-1/sampler/step-0");
    // With the KL term off the reference is the sampler itself: the shaping term is exactly zero.
    const ref = await policy.referenceLogprobs(
      seqs.map((q) => ({ context: { prompt: "abcd" }, tokens: q.tokens })),
    );
    assertEquals(ref, seqs.map((q) => q.logprobs));
    assert(server.log.every((l) => l.key === "tml-dummy"));
    await policy.close();
  } finally {
    await server.close();
  }
});

Deno.test("tinker resume: the trainer's state (adapter and Adam moments) is saved per step and loaded back", async () => {
  const server = fakeTinker();
  const options = {
    ...clientOptions(server.url),
    baseModel: "m",
    loraRank: 8,
    maxTokens: 16,
    tokenizer: chars,
  };
  try {
    const policy = await TinkerPolicy.create(options);
    const cp0 = await policy.checkpoint() as { statePath?: string };
    assertEquals(cp0.statePath, undefined); // nothing trained yet, nothing saved
    const [seq] = await policy.sample({ prompt: "ab" }, 1, { temperature: 1, seed: 1 });
    await policy.forwardBackward([{
      context: { prompt: "ab" },
      tokens: seq.tokens,
      samplerLogprobs: seq.logprobs,
      advantages: seq.tokens.map(() => 1),
    }]);
    await policy.optimStep({ learningRate: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    const cp = await policy.checkpoint() as { statePath: string; samplerPath: string };
    await policy.checkpoint(); // the same step: saved once
    assertEquals(cp.statePath, "tinker://model-1/weights/state-1");
    assertEquals(server.log.filter((l) => l.path === "/api/v1/save_weights").length, 1);
    await policy.close();

    const resumed = await TinkerPolicy.create(options);
    await resumed.restore(JSON.parse(JSON.stringify(cp)));
    const load = server.log.find((l) => l.path === "/api/v1/load_weights")!.body as Record<string, unknown>;
    assertEquals([load.path, load.optimizer], ["tinker://model-1/weights/state-1", true]);
    await resumed.sample({ prompt: "ab" }, 1, { temperature: 1, seed: 2 });
    const last = server.log.filter((l) => l.path === "/api/v1/asample").at(-1)!.body as Record<
      string,
      unknown
    >;
    assertEquals(last.sampling_session_id, `sampler:${cp.samplerPath}`);
    await resumed.close();
  } finally {
    await server.close();
  }
});

Deno.test("tinker key: a self-hosted server gets the placeholder key, the hosted service needs a real one", async () => {
  const { tinkerKey } = await import("../lib/policy/mod.ts");
  assertEquals(tinkerKey("http://127.0.0.1:8000", "TTT_NO_SUCH_KEY_VAR"), "tml-dummy");
  let message = "";
  try {
    tinkerKey("https://tinker.thinkingmachines.dev/services/tinker-prod", "TTT_NO_SUCH_KEY_VAR");
  } catch (e) {
    message = (e as Error).message;
  }
  assert(/needs an API key: set TTT_NO_SUCH_KEY_VAR/.test(message), message);
});

Deno.test("tinker through discover() on a SkyRL-like server: --kl 0 trains without the KL term", async () => {
  const server = fakeTinker({ selfHosted: true });
  try {
    const { discover } = await import("../lib/loop.ts");
    const tokenizer = new URL("./data/llama-2-tiny-random.gguf", import.meta.url).pathname;
    const config = {
      problem: "erdos",
      policy: "tinker" as const,
      model: "Qwen/Qwen3-0.6B",
      tokenizer,
      baseUrl: server.url,
      apiKeyEnv: "TTT_NO_SUCH_KEY_VAR",
      maxTokens: 8,
      steps: 1,
      groups: 1,
      groupSize: 2,
    };
    await assertRejects(async () => {
      for await (const _ of discover({ config })) { /* refused before step 0 */ }
    }, /--kl 0/);
    const reports = [];
    for await (const report of discover({ config: { ...config, klCoef: 0 } })) reports.push(report);
    assertEquals(reports.length, 1);
    assert(server.log.every((l) => l.key === "tml-dummy"));
  } finally {
    await server.close();
  }
});
