/**
 * A problem with only the language route (examples/language_only.ts: prompt, parse and the verifier,
 * no move grammar, under 40 lines) runs from the command line with `--policy openai` against a local
 * OpenAI-compatible server whose scripted model answers with fixed programs; the built-in policy is
 * refused for it with one line that names what it lacks.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startScriptedModel } from "../tools/scripted_model.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals } from "./assert.ts";

const cli = fileURLToPath(new URL("../lib/cli.ts", import.meta.url));
const example = fileURLToPath(new URL("../examples/language_only.ts", import.meta.url));
const fence = (code: string) => "Here it is.\n\n```typescript\n" + code + "\n```\n";

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("a language-only problem in 40 lines or fewer runs with --policy openai against a local server", async () => {
  const lines = Deno.readTextFileSync(example).trimEnd().split("\n").length;
  assert(lines <= 40, `the example is ${lines} lines`);
  const model = startScriptedModel({
    replies: {
      construct: [
        {
          label: "even",
          text: fence(
            "export function construct(parent: number[]): number[] {\n  return parent.map((_, i) => i / 7);\n}",
          ),
        },
        {
          label: "too few",
          text: fence("export function construct(parent: number[]): number[] {\n  return [0, 1];\n}"),
        },
      ],
    },
  });
  try {
    const out = join(tempDir(), "runs");
    const { code, stderr } = await run(
      example,
      "--policy",
      "openai",
      "--model",
      "scripted",
      "--base-url",
      model.url,
      "--steps",
      "1",
      "--groups",
      "1",
      "--group-size",
      "2",
      "--out",
      out,
      "--quiet",
    );
    assertEquals(code, 0, stderr);
    const [runDir] = [...Deno.readDirSync(join(out, "spread"))].map((e) => join(out, "spread", e.name));
    const best = JSON.parse(Deno.readTextFileSync(join(runDir, "best.json")));
    assert(Math.abs(best.value - 1 / 7) < 1e-12, `best ${best.value}`);
    assert(
      model.prompts[0].includes("Place 8 numbers in [0, 1]"),
      "the problem's own prompt reached the model",
    );
    assertEquals(model.given.map((g) => g.label), ["even", "too few"]);
  } finally {
    await model.close();
  }
  // The built-in policy needs a grammar: refused before anything is written, naming what is missing.
  const out = join(tempDir(), "runs");
  const { code, stderr } = await run(example, "--steps", "1", "--out", out);
  assertEquals(code, 2, stderr);
  assert(
    stderr.includes('has no "grammar", "featureNames", "features", "apply": the built-in policy needs') &&
      stderr.includes("run it with a language-model policy"),
    stderr,
  );
  assertEquals(stderr.trim().split("\n").length, 1, stderr);
});
