/**
 * Every construction problem speaks to a language model the same way: the statement,
 * the verifier, the current construction, the parent's program and a target, cut to the
 * budget, and a parser that finds the `construct` function in the reply.
 */
import { registeredProblems } from "../lib/problem_module.ts";

const PROBLEMS = await registeredProblems();
import { Rng } from "../lib/rng.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

const CONSTRUCTION_PROBLEMS = ["erdos", "ac1", "ac2", "ac3", "circles26", "circles32"];

for (const name of CONSTRUCTION_PROBLEMS) {
  Deno.test(`${name}: the prompt has the statement, the construction and the task, within its budget`, async () => {
    const problem = PROBLEMS[name];
    assert(problem.prompt && problem.parse, `${name} has no language-model route`);
    const [state] = problem.initialStates(new Rng(1), problem.optionsSchema.parse({}));
    const evaluation = await problem.evaluate(problem.toJSON(state));
    const context = {
      maxChars: 20_000,
      timeoutSeconds: 60,
      parentProgram: "export function construct(p) { return p; }",
      valueBefore: evaluation.value! * 1.01,
      parentOutput: "tried a thing",
      target: problem.record?.value,
    };
    const prompt = problem.prompt(state, evaluation, context);
    assert(prompt.length <= 20_000 + 500, `${prompt.length} characters`);
    assert(prompt.includes(problem.quantity), "names the quantity");
    assert(prompt.includes("export function construct("), "says which function to define");
    assert(
      prompt.includes("The program that produced the current construction"),
      "shows the parent's program",
    );
    assert(prompt.includes("tried a thing"), "shows the parent's output");
    assert(prompt.includes("meaningfully different"), "asks for something different");
    assert(prompt.includes("## The verifier"), "shows the verifier when it fits");
    // A small budget cuts the verifier, never the task.
    const short = problem.prompt(state, evaluation, { ...context, maxChars: 1500 });
    assert(short.includes("export function construct("));
    assert(short.length < prompt.length);
  });

  Deno.test(`${name}: the parser takes the code block that defines construct`, () => {
    const problem = PROBLEMS[name];
    const reply = "Idea first.\n```typescript\nconst helper = 1;\n```\n" +
      "```typescript\nexport function construct(parent) { return parent; }\n```\n";
    const parsed = problem.parse!(reply);
    assertEquals(parsed.entry, "construct");
    assert(parsed.source.includes("return parent"));
    assertThrows(() => problem.parse!("no code here"), /no ```typescript code block/);
  });
}
