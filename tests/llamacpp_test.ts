/**
 * The in-process llama.cpp backend end to end with a real (random-weight) GGUF model: the CLI
 * run completes, every attempt is invalid with a clear parse or run error, and all files land.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { LlamaCppPolicy } from "../lib/policy/llamacpp.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals } from "./assert.ts";

const MODEL = new URL("./data/llama-2-tiny-random.gguf", import.meta.url).pathname;

Deno.test("llamacpp: samples with per-token logprobs, reproducibly for a seed, and keeps the prompt's end", async () => {
  const policy = await LlamaCppPolicy.create({
    modelPath: MODEL,
    contextSize: 256,
    maxTokens: 16,
    threads: 1,
  });
  try {
    const long = "word ".repeat(2000) + "the end";
    const a = await policy.sample({ prompt: long }, 2, { temperature: 1, seed: 9, maxTokens: 16 });
    const b = await policy.sample({ prompt: long }, 2, { temperature: 1, seed: 9, maxTokens: 16 });
    assertEquals(a.length, 2);
    for (const s of a) {
      assert(s.tokens.length > 0 && s.tokens.length <= 16);
      assertEquals(s.logprobs.length, s.tokens.length);
      assert(s.logprobs.every((l) => l <= 0 && Number.isFinite(l)));
      assert(s.promptTokens!.length <= 256 - 16, `prompt of ${s.promptTokens!.length} tokens`);
    }
    assertEquals(a.map((s) => s.tokens), b.map((s) => s.tokens));
    assert(!policy.trainable);
  } finally {
    await policy.close();
  }
});

Deno.test("llamacpp: `deno task run erdos --policy llamacpp` completes and records every attempt as invalid", async () => {
  const out = tempDir();
  const cli = new URL("../lib/cli.ts", import.meta.url).pathname;
  const args = [
    "run",
    "-A",
    cli,
    "erdos",
    "--policy",
    "llamacpp",
    "--model",
    MODEL,
    "--steps",
    "1",
    "--groups",
    "1",
  ];
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...args, "--group-size", "2", "--max-tokens", "64", "--threads", "1", "--out", out, "--quiet"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const [dir] = [...Deno.readDirSync(join(out, "erdos"))].map((e) => join(out, "erdos", e.name));
  for (
    const f of [
      "config.json",
      "attempts.parquet",
      "states.parquet",
      "steps.parquet",
      "best.json",
      "report.svg",
    ]
  ) {
    assert(Deno.statSync(join(dir, f)).isFile, `${f} missing`);
  }
  const attempts = pl.readParquet(join(dir, "attempts.parquet")).toRecords();
  assertEquals(attempts.length, 2);
  for (const a of attempts) {
    assertEquals(a.valid, false);
    assert(/^(parse error|program failed): /.test(a.error as string), a.error as string);
    assert((a.tokens as number) > 0);
  }
  assertEquals(JSON.parse(Deno.readTextFileSync(join(dir, "config.json"))).policy, "llamacpp");
});
