/**
 * `deno task new <name>` (tools/new.ts): the skeleton problem and its test, written anywhere with
 * --out, pass as written (type check, format, the test itself); written into a repository, the
 * problem is registered by name. Nothing existing is overwritten.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSkeleton } from "../tools/new.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

const config = fileURLToPath(new URL("../deno.json", import.meta.url));

async function deno(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    cwd: tempDir(),
  })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, output: text(out.stdout) + text(out.stderr) };
}

Deno.test("deno task new --out DIR: a skeleton problem and its test that pass as written", async () => {
  const dir = tempDir();
  const written = writeSkeleton("my_problem", { out: dir });
  assertEquals(written, [join(dir, "my_problem.ts"), join(dir, "my_problem_test.ts")]);
  for (
    const [what, args] of [
      ["type check", ["check", "--config", config, ...written]],
      ["format", ["fmt", "--check", "--config", config, ...written]],
      ["its test", ["test", "-A", "--config", config, written[1]]],
    ] as const
  ) {
    const { code, output } = await deno(...args);
    assertEquals(code, 0, `${what}: ${output}`);
  }
  assertThrows(() => writeSkeleton("my_problem", { out: dir }), /exists; nothing was written/);
  assertThrows(() => writeSkeleton("My Problem", { out: dir }), /is not a problem name/);
});

Deno.test("deno task new <name>: the problem goes under problems/ with its test, registered by name", () => {
  const root = tempDir();
  Deno.mkdirSync(join(root, "problems"));
  Deno.writeTextFileSync(
    join(root, "problems", "registry.json"),
    JSON.stringify({ erdos: "./erdos/mod.ts" }),
  );
  const written = writeSkeleton("walk", { root });
  assertEquals(written, [
    join(root, "problems", "walk", "mod.ts"),
    join(root, "tests", "walk_test.ts"),
    join(root, "problems", "registry.json"),
  ]);
  const registry = JSON.parse(Deno.readTextFileSync(join(root, "problems", "registry.json")));
  assertEquals(registry, { erdos: "./erdos/mod.ts", walk: "./walk/mod.ts" });
  assert(Deno.readTextFileSync(written[0]).includes('from "../../lib/kit.ts"'));
  assert(Deno.readTextFileSync(written[1]).includes('from "../problems/walk/mod.ts"'));
  assertThrows(() => writeSkeleton("erdos", { root }), /already a registered problem/);
});
