/**
 * The OpenAI-compatible policy against a local server (127.0.0.1, started here) that speaks
 * the chat and completions wire formats, including 429s, 5xx, malformed bodies and slow replies.
 */
import { FatalRequestError, OpenAIPolicy, type OpenAIPolicyOptions } from "../lib/policy/openai.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import { runToEnd } from "./runs.ts";

type Handler = (body: Record<string, unknown>, path: string) => Response | Promise<Response>;

/** A server whose replies a test scripts; it records every request body and the peak concurrency. */
function fakeServer(handler: Handler) {
  const bodies: Record<string, unknown>[] = [];
  let inFlight = 0, peak = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    bodies.push(body);
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      return await handler(body, new URL(req.url).pathname);
    } finally {
      inFlight--;
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    bodies,
    peak: () => peak,
    close: () => server.shutdown(),
  };
}

const json = (x: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(x), { status, headers: { "content-type": "application/json", ...headers } });

/** A chat completion shaped like OpenAI's (and vLLM's) responses. */
function chatCompletion(text: string, tokens: [string, number][], promptTokens = 100) {
  return json({
    id: "chatcmpl-abc123",
    object: "chat.completion",
    created: 1764450000,
    model: "test-model",
    choices: [{
      index: 0,
      message: { role: "assistant", content: text, refusal: null },
      logprobs: {
        content: tokens.map(([token, logprob]) => ({ token, logprob, bytes: [], top_logprobs: [] })),
      },
      finish_reason: "stop",
    }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: tokens.length,
      total_tokens: promptTokens + tokens.length,
    },
  });
}

function textCompletion(text: string, tokens: [string, number][]) {
  return json({
    id: "cmpl-xyz",
    object: "text_completion",
    created: 1764450000,
    model: "test-model",
    choices: [{
      index: 0,
      text,
      logprobs: {
        tokens: tokens.map(([t]) => t),
        token_logprobs: tokens.map(([, l]) => l),
        top_logprobs: tokens.map(([t, l]) => ({ [t]: l })),
        text_offset: tokens.map((_, i) => i),
      },
      finish_reason: "length",
    }],
    usage: { prompt_tokens: 40, completion_tokens: tokens.length, total_tokens: 40 + tokens.length },
  });
}

function policy(url: string, extra: Partial<OpenAIPolicyOptions> = {}) {
  return new OpenAIPolicy({
    baseUrl: url,
    apiKey: "test-key",
    model: "test-model",
    api: "chat",
    maxTokens: 256,
    concurrency: 4,
    requestTimeoutMs: 5000,
    maxRetries: 3,
    inputUsdPerMTok: 2,
    outputUsdPerMTok: 10,
    backoffMs: 5,
    ...extra,
  });
}

Deno.test("openai chat: text, token logprobs, the request body, and token and cost accounting", async () => {
  const server = fakeServer(() => chatCompletion("hello world", [["hello", -0.5], [" world", -1.25]]));
  try {
    const p = policy(server.url);
    const out = await p.sample({ prompt: "say hello" }, 3, { temperature: 0.7, seed: 5, maxTokens: 32 });
    assertEquals(out.length, 3);
    assertEquals(out[0].text, "hello world");
    assertEquals(out[0].logprobs, [-0.5, -1.25]);
    assertEquals(out[0].tokens, [-1, -1]);
    const body = server.bodies[0];
    assertEquals(body.model, "test-model");
    assertEquals(body.logprobs, true);
    assertEquals(body.max_tokens, 32);
    assertEquals(body.temperature, 0.7);
    assertEquals(body.messages, [{ role: "user", content: "say hello" }]);
    assertEquals(server.bodies.map((b) => b.seed).sort(), [5, 6, 7]);
    const u = p.usage();
    assertEquals([u.requests, u.promptTokens, u.completionTokens], [3, 300, 6]);
    assertAlmostEquals(u.costUsd, (300 * 2 + 6 * 10) / 1e6, 1e-15);
    assert(!p.trainable);
    // Usage survives a checkpoint round trip (resume keeps counting the money).
    const q = policy(server.url);
    await q.restore(await p.checkpoint());
    assertEquals(q.usage().costUsd, u.costUsd);
  } finally {
    await server.close();
  }
});

Deno.test("openai chat: reasoning models get max_completion_tokens and reasoning_effort", async () => {
  const server = fakeServer(() => chatCompletion("ok", [["ok", -0.1]]));
  try {
    await policy(server.url, { reasoningEffort: "high" }).sample({ prompt: "p" }, 1, {
      temperature: 1,
      seed: 0,
    });
    assertEquals(server.bodies[0].max_completion_tokens, 256);
    assertEquals(server.bodies[0].max_tokens, undefined);
    assertEquals(server.bodies[0].reasoning_effort, "high");
  } finally {
    await server.close();
  }
});

Deno.test("openai completions: logprobs 1, token ids when the server gives them", async () => {
  const server = fakeServer((_, path) => {
    assertEquals(path, "/v1/completions");
    return textCompletion("ab", [["token_id:17", -0.2], ["token_id:4", -0.3]]);
  });
  try {
    const out = await policy(server.url, { api: "completions" }).sample({ prompt: "x" }, 1, {
      temperature: 1,
      seed: 1,
    });
    assertEquals(server.bodies[0].logprobs, 1);
    assertEquals(server.bodies[0].prompt, "x");
    assertEquals(out[0].text, "ab");
    assertEquals(out[0].tokens, [17, 4]);
    assertEquals(out[0].logprobs, [-0.2, -0.3]);
  } finally {
    await server.close();
  }
});

Deno.test("openai: 429 with Retry-After, then 503, then a malformed body are retried until a reply", async () => {
  let calls = 0;
  const server = fakeServer(() => {
    calls++;
    if (calls === 1) {
      return json(
        { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
        429,
        {
          "retry-after": "0.05",
        },
      );
    }
    if (calls === 2) {
      return json({ error: { message: "The server is overloaded", type: "server_error" } }, 503);
    }
    if (calls === 3) {
      return new Response("{ this is not json", { headers: { "content-type": "application/json" } });
    }
    if (calls === 4) return json({ id: "x", object: "chat.completion", choices: [] });
    return chatCompletion("fine", [["fine", -0.01]]);
  });
  try {
    const p = policy(server.url, { maxRetries: 6 });
    const t0 = performance.now();
    const [seq] = await p.sample({ prompt: "p" }, 1, { temperature: 1, seed: 0 });
    assertEquals(seq.text, "fine");
    assertEquals(calls, 5);
    assertEquals(p.usage().retries, 4);
    assert(performance.now() - t0 >= 50, "Retry-After was not honoured");
  } finally {
    await server.close();
  }
});

Deno.test("openai: retries run out into a recorded sampling error; a bad key stops the run", async () => {
  const server = fakeServer((body) => {
    if (body.model === "forbidden") return json({ error: { message: "Incorrect API key provided" } }, 401);
    return json({ error: { message: "internal error" } }, 500);
  });
  try {
    const [seq] = await policy(server.url, { maxRetries: 2 }).sample({ prompt: "p" }, 1, {
      temperature: 1,
      seed: 0,
    });
    assert(seq.error!.startsWith("sampling failed: 500"), seq.error);
    assertEquals(server.bodies.length, 3);
    const fatal = await assertRejects(
      () =>
        policy(server.url, { model: "forbidden" }).sample({ prompt: "p" }, 1, { temperature: 1, seed: 0 }),
      /401 .*Incorrect API key/,
    );
    assert(fatal instanceof FatalRequestError);
  } finally {
    await server.close();
  }
});

Deno.test("openai: a reply slower than the request timeout is abandoned and retried", async () => {
  let calls = 0;
  const server = fakeServer(async () => {
    if (++calls === 1) await new Promise((ok) => setTimeout(ok, 1500));
    return chatCompletion("late but fine", [["x", -1]]);
  });
  try {
    const p = policy(server.url, { requestTimeoutMs: 300 });
    const [seq] = await p.sample({ prompt: "p" }, 1, { temperature: 1, seed: 0 });
    assertEquals(seq.text, "late but fine");
    assertEquals(p.usage().retries, 1);
  } finally {
    await server.close();
  }
});

Deno.test("openai: requests in flight never exceed the concurrency bound", async () => {
  const server = fakeServer(async () => {
    await new Promise((ok) => setTimeout(ok, 30));
    return chatCompletion("x", [["x", -1]]);
  });
  try {
    const p = policy(server.url, { concurrency: 3 });
    await Promise.all([0, 1].map((g) => p.sample({ prompt: "p" }, 5, { temperature: 1, seed: g * 100 })));
    assertEquals(server.bodies.length, 10);
    assertEquals(server.peak(), 3);
  } finally {
    await server.close();
  }
});

Deno.test("openai route end to end: programs run in the sandbox, the parent re-verifies, the cost cap stops cleanly", async () => {
  // Rollouts alternate: a real improvement attempt, a liar that claims C5 = 0.1, prose, a crash.
  const replies = [
    "Here:\n```typescript\nexport function construct(p: { heights: number[] }) {\n" +
    "  const h = p.heights.map((x, i) => 0.5 * x + 0.25 + 0.0 * i);\n  console.log('smoothed');\n" +
    "  return { heights: h };\n}\n```",
    "```ts\nexport function construct(p: { heights: number[] }) { return { heights: p.heights, C5: 0.1 }; }\n```",
    "I cannot help with that.",
    "```typescript\nexport function construct() { throw new Error('boom'); }\n```",
  ];
  let i = 0;
  const server = fakeServer((body) => {
    assert(typeof (body.messages as { content: string }[])[0].content === "string");
    return chatCompletion(replies[i++ % replies.length], [["t", -0.5]], 1000);
  });
  try {
    const out = tempDir();
    const { reports, summary } = await runToEnd({
      out,
      config: {
        problem: "erdos",
        policy: "openai",
        reuse: "greedy",
        problemOptions: { initialCount: 1 },
        model: "test-model",
        baseUrl: server.url,
        steps: 5,
        groups: 1,
        groupSize: 4,
        workers: 2,
        inputUsdPerMTok: 1,
        outputUsdPerMTok: 1,
        // 4 requests x 1001 tokens x 1 USD/MTok per step: two steps fit, a third would not.
        maxCostUsd: 0.0085,
        rolloutTimeoutSeconds: 20,
      },
    });
    assertEquals(summary.stoppedBy, "cost");
    assertEquals(reports.length, 2);
    assert(summary.usage!.costUsd <= 0.0085);
    const attempts = reports[0].attempts;
    assertEquals(attempts.map((a) => a.valid), [true, true, false, false]);
    assert(attempts[1].value > 0.3, "the liar's claimed C5 was believed");
    assertEquals(attempts[2].error, "parse error: no ```typescript code block in the reply (24 characters)");
    assertEquals(attempts[3].error, "program failed: Error: boom");
    for (const f of ["config.json", "attempts.parquet", "states.parquet", "steps.parquet", "best.json"]) {
      assert(Deno.statSync(`${summary.runDir}/${f}`).isFile, `${f} missing`);
    }
    // The second step's prompts show the first step's program, its output and its values.
    // (greedy reuse from a single initial state: step 2 starts from step 1's better child).
    assertEquals(reports[1].attempts[0].parentId, attempts[0].childId);
    const prompts = server.bodies.slice(4).map((b) => (b.messages as { content: string }[])[0].content);
    assert(prompts.every((p) => p.includes("smoothed") && p.includes("before that program ran")));
  } finally {
    await server.close();
  }
});
