/**
 * A scripted model behind a local OpenAI-compatible server: it reads which domain a prompt is
 * about and answers with the next of that domain's fixed programs (tools/scripted_replies.ts), in
 * turn, so a whole run through the language route can be tested, or shown, without a model:
 *
 *   deno run --allow-net --allow-read tools/scripted_model.ts --port 8089
 *   deno task run ahc058 --policy openai --model scripted --base-url http://127.0.0.1:8089/v1 --steps 3
 *
 * It serves GET /v1/models, POST /v1/chat/completions and POST /v1/completions, with token
 * log-probabilities (one token per whitespace-separated word, log-probability -1) and usage.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Domain, domainOf, scriptedReplies, type ScriptedReply } from "./scripted_replies.ts";

export interface ScriptedModel {
  readonly url: string;
  /** Replies given so far, in order, with the domain each prompt was read as. */
  readonly given: { domain: Domain; label: string }[];
  /** Every prompt received. */
  readonly prompts: string[];
  close(): Promise<void>;
}

const ChatBody = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content: z.string() }).passthrough()).min(1),
}).passthrough();
const CompletionBody = z.object({ model: z.string(), prompt: z.string() }).passthrough();

const json = (x: unknown, status = 200) =>
  new Response(JSON.stringify(x), { status, headers: { "content-type": "application/json" } });

function tokens(text: string): { token: string; logprob: number }[] {
  return (text.match(/\S+\s*/g) ?? []).map((token) => ({ token, logprob: -1 }));
}

/**
 * Starts the server on 127.0.0.1 (`port` 0: any free port). `replies` overrides the script of a
 * domain; each domain's replies are given in turn, starting again after the last.
 */
export function startScriptedModel(
  options: { port?: number; replies?: Partial<Record<Domain, ScriptedReply[]>> } = {},
): ScriptedModel {
  const next = new Map<Domain, number>();
  const given: { domain: Domain; label: string }[] = [];
  const prompts: string[] = [];
  const reply = (prompt: string): ScriptedReply => {
    prompts.push(prompt);
    const domain = domainOf(prompt);
    const script = options.replies?.[domain] ?? scriptedReplies(domain);
    const i = next.get(domain) ?? 0;
    next.set(domain, i + 1);
    const r = script[i % script.length];
    given.push({ domain, label: r.label });
    return r;
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname.replace(/\/+$/, "");
      if (req.method === "GET" && path.endsWith("/models")) {
        return json({
          object: "list",
          data: [{ id: "scripted", object: "model", owned_by: "ttt-discover" }],
        });
      }
      if (req.method !== "POST") return json({ error: { message: `no route ${req.method} ${path}` } }, 404);
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        return json({ error: { message: "the body is not JSON" } }, 400);
      }
      const created = Math.floor(Date.now() / 1000);
      if (path.endsWith("/chat/completions")) {
        const parsed = ChatBody.safeParse(body);
        if (!parsed.success) return json({ error: { message: z.prettifyError(parsed.error) } }, 400);
        const prompt = parsed.data.messages.map((m) => m.content).join("\n");
        const text = reply(prompt).text;
        const t = tokens(text);
        return json({
          id: `chatcmpl-${given.length}`,
          object: "chat.completion",
          created,
          model: parsed.data.model,
          choices: [{
            index: 0,
            message: { role: "assistant", content: text },
            logprobs: { content: t.map((x) => ({ ...x, bytes: [], top_logprobs: [] })) },
            finish_reason: "stop",
          }],
          usage: { prompt_tokens: tokens(prompt).length, completion_tokens: t.length, total_tokens: 0 },
        });
      }
      if (path.endsWith("/completions")) {
        const parsed = CompletionBody.safeParse(body);
        if (!parsed.success) return json({ error: { message: z.prettifyError(parsed.error) } }, 400);
        const text = reply(parsed.data.prompt).text;
        const t = tokens(text);
        return json({
          id: `cmpl-${given.length}`,
          object: "text_completion",
          created,
          model: parsed.data.model,
          choices: [{
            index: 0,
            text,
            logprobs: { tokens: t.map((x) => x.token), token_logprobs: t.map((x) => x.logprob) },
            finish_reason: "stop",
          }],
          usage: {
            prompt_tokens: tokens(parsed.data.prompt).length,
            completion_tokens: t.length,
            total_tokens: 0,
          },
        });
      }
      return json({ error: { message: `no route ${path}` } }, 404);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    given,
    prompts,
    close: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string", default: "8089" } } });
  const port = z.coerce.number().int().min(0).max(65535).safeParse(values.port);
  if (!port.success) {
    console.error(`--port must be a port number, got "${values.port}"`);
    Deno.exit(2);
  }
  const model = startScriptedModel({ port: port.data });
  console.log(`scripted model at ${model.url} (Ctrl-C to stop)`);
}
