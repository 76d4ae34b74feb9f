/**
 * `deno task new <name>`: a working skeleton problem and its test, to edit into your own.
 *
 *   deno task new my_problem             problems/my_problem/mod.ts and tests/my_problem_test.ts, registered
 *                                        in problems/registry.json: `deno task run my_problem` runs it
 *   deno task new my_problem --out DIR   DIR/my_problem.ts and DIR/my_problem_test.ts, anywhere:
 *                                        `deno task run DIR/my_problem.ts` runs it
 *
 * The skeleton (four numbers in [0, 1], as close to 0.3 as possible) gives the core of the contract
 * and both routes: a move grammar from `defineMoves` for the built-in policy, and prompt + parse for
 * a language model. Its test runs the contract's checks (codec, hostile input) and a 1-step
 * discovery; it passes as written. Nothing existing is overwritten.
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

function moduleText(name: string, kit: string): string {
  return `/**
 * ${name}: four numbers in [0, 1], as close to 0.3 as possible (a skeleton from \`deno task new\`: replace
 * the state, the verifier, the moves and the prompt with your problem's).
 */
import { defineMoves, invalid, parseConstruct, type ProblemDefinition, rewardFor, type Rng, z } from "${kit}";

type State = number[];
const StateSchema = z.array(z.number().min(0).max(1)).length(4);
const clamp = (x: number) => Math.min(1, Math.max(0, x));
/** The quantity, recomputed from the state: here the squared distance to (0.3, 0.3, 0.3, 0.3), plus 0.1. */
const distance = (xs: State) => xs.reduce((s, x) => s + (x - 0.3) ** 2, 0.1);

/** The built-in policy writes programs of these moves (budgets are counts, randomness the rollout's rng). */
const MOVES = defineMoves({
  name: "${name}",
  maxMoves: 3,
  operators: {
    nudge: {
      description: "move each number toward 0.3 by a fraction of the way",
      params: { by: { choices: [0.1, 0.3, 0.9] } },
    },
    jitter: { description: "add Gaussian noise to every number", params: { scale: { choices: [0.01, 0.1] } } },
  },
});
const nudge = (xs: State, by: number): State => xs.map((x) => x + by * (0.3 - x));
const jitter = (xs: State, scale: number, rng: Rng): State => xs.map((x) => clamp(x + scale * rng.normal()));

export const problem: ProblemDefinition<State> = {
  name: "${name}",
  direction: "minimize",
  quantity: "distance",
  initialStates: (rng) => [Array.from({ length: 4 }, () => rng.next())],
  evaluate(json) { // the exact verifier: recomputes the value from the state, never throws
    const parsed = StateSchema.safeParse(json);
    if (!parsed.success) return invalid(parsed.error.message);
    const value = distance(parsed.data);
    return { valid: true, value, reward: rewardFor("minimize", value) };
  },
  toJSON: (xs) => xs,
  fromJSON: (json) => StateSchema.parse(json),

  // The built-in route.
  grammar: MOVES.grammar,
  featureNames: ["distance", "bias"],
  features: (xs) => [distance(xs), 1],
  apply(program, xs, { rng }) {
    for (const move of program) {
      xs = MOVES.dispatch(move, { nudge: (p) => nudge(xs, p.by), jitter: (p) => jitter(xs, p.scale, rng) });
    }
    return xs;
  },

  // The language route.
  prompt: (xs, evaluation) =>
    [
      "Find four numbers in [0, 1] whose squared distance to (0.3, 0.3, 0.3, 0.3), plus 0.1, is as small as possible.",
      \`The current numbers: \${JSON.stringify(xs)} (value \${evaluation.value}).\`,
      "Answer with one \`\`\`typescript code block that defines",
      "\`export function construct(parent: number[]): number[]\`, which returns four new numbers.",
    ].join("\\n"),
  parse: parseConstruct,
};
`;
}

function testText(name: string, module: string, conformance: string, discovery: string): string {
  return `/** ${name}: the problem contract's checks and a 1-step discovery (from \`deno task new\`). */
import { checkCodec, checkHostile } from "${conformance}";
import { defineProblem } from "${conformance.replace(/conformance\.ts$/, "problem.ts")}";
import { runDiscovery } from "${discovery}";
import { problem } from "${module}";

const MODULE = new URL("${module}", import.meta.url).href;

Deno.test("${name}: the initial states survive the codec; hostile input is invalid, never a throw", async () => {
  await checkCodec(defineProblem(problem));
  const faults = await checkHostile(defineProblem(problem));
  if (faults.length > 0) throw new Error(faults.join("\\n"));
});

Deno.test("${name}: a 1-step discovery with the built-in policy, its rollouts in a worker thread", async () => {
  const summary = await runDiscovery({
    config: { problem: "${name}", steps: 1, groups: 1, groupSize: 4, workers: 1, seed: 1 },
    problemModule: MODULE,
  });
  if (!(summary.best.value >= 0.1)) throw new Error(\`best \${summary.best.value}\`);
});
`;
}

/** Writes the skeleton; returns the paths written (relative to the working directory given). */
export function writeSkeleton(name: string, options: { out?: string; root?: string } = {}): string[] {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) {
    throw new Error(
      `"${name}" is not a problem name: lowercase letters, digits, - and _, starting with a letter`,
    );
  }
  const root = options.root ?? ROOT;
  const toolkit = (file: string) => pathToFileURL(join(ROOT, file)).href;
  let files: [string, string][];
  let registry: string | undefined;
  if (options.out !== undefined) {
    const dir = resolve(options.out);
    files = [
      [join(dir, `${name}.ts`), moduleText(name, "ttt-discover/kit")],
      [
        join(dir, `${name}_test.ts`),
        testText(name, `./${name}.ts`, toolkit("lib/conformance.ts"), toolkit("lib/discovery.ts")),
      ],
    ];
  } else {
    registry = join(root, "problems", "registry.json");
    const table = JSON.parse(Deno.readTextFileSync(registry)) as Record<string, string>;
    if (Object.hasOwn(table, name)) {
      throw new Error(`"${name}" is already a registered problem (${registry})`);
    }
    files = [
      [join(root, "problems", name, "mod.ts"), moduleText(name, "../../lib/kit.ts")],
      [
        join(root, "tests", `${name}_test.ts`),
        testText(name, `../problems/${name}/mod.ts`, "../lib/conformance.ts", "../lib/discovery.ts"),
      ],
    ];
  }
  for (const [path] of files) {
    try {
      Deno.statSync(path);
      throw new Error(`${path} exists; nothing was written`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  for (const [path, text] of files) {
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.writeTextFileSync(path, text);
  }
  // Formatted as this repository formats its code, so the files pass `deno task check` as written.
  new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", "--config", join(ROOT, "deno.json"), ...files.map(([path]) => path)],
  }).outputSync();
  if (registry) {
    const table = JSON.parse(Deno.readTextFileSync(registry)) as Record<string, string>;
    Deno.writeTextFileSync(
      registry,
      JSON.stringify({ ...table, [name]: `./${name}/mod.ts` }, null, 2) + "\n",
    );
    files.push([registry, ""]);
  }
  return files.map(([path]) => path);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string" }, help: { type: "boolean" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length !== 1) {
    console.log(
      "Usage: deno task new <name> [--out DIR]   (a skeleton problem and its test; see tools/new.ts)",
    );
    Deno.exit(values.help ? 0 : 2);
  }
  // `deno task` runs in the repository; a relative --out means the directory the command was typed in.
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  try {
    const written = writeSkeleton(positionals[0], {
      out: values.out === undefined ? undefined : resolve(cwd, values.out),
    });
    for (const path of written) console.log(`wrote ${relative(cwd, path)}`);
    const [module, test] = written;
    console.log(
      values.out === undefined
        ? `\nnext: deno task run ${positionals[0]} --steps 5; deno test -A ${relative(ROOT, test)}`
        : `\nnext: deno task run ${relative(cwd, module)} --steps 5; ` +
          `deno test -A --config ${join(ROOT, "deno.json")} ${relative(cwd, test)}`,
    );
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
