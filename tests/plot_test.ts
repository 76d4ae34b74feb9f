import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import type { StateRow, StepRow } from "../lib/records.ts";
import { archiveTreePlot, display, progressPlot, stackFigures } from "../lib/plot.ts";
import { rowsToFrame, STATE_COLUMNS, STEP_COLUMNS } from "../lib/tables.ts";
import { overlapPlot, stepFunctionPlot } from "../problems/erdos/figures.ts";

/**
 * A strict well-formedness check (balanced tags, quoted and unique attributes, escaped ampersands,
 * one <svg> root with the SVG namespace): what a browser or rsvg needs from a standalone .svg file.
 */
function assertStandaloneSvg(xml: string): void {
  assert.ok(xml.startsWith("<svg"), `starts with ${xml.slice(0, 20)}`);
  const tag = /<(\/)?([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/)?>/y;
  const badAmpersand = /&(?!(?:[a-zA-Z]+|#\d+|#x[\da-fA-F]+);)/;
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf("<", at);
    const text = xml.slice(at, lt === -1 ? undefined : lt);
    assert.ok(!badAmpersand.test(text), `unescaped & in text near ${at}`);
    if (lt === -1) break;
    assert.ok(open.length > 0 || text.trim() === "", "text outside the root element");
    tag.lastIndex = lt;
    const match = tag.exec(xml);
    assert.ok(match, `malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, closing, name, attributes, selfClosing] = match;
    const names = [...attributes.matchAll(/([\w:.-]+)="([^"]*)"/g)].map(([, key, value]) => {
      assert.ok(!badAmpersand.test(value), `unescaped & in attribute ${key}`);
      return key;
    });
    assert.equal(new Set(names).size, names.length, `duplicate attribute in <${name}${attributes}>`);
    if (closing) {
      assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (open.length === 0) {
        roots++;
        assert.equal(name, "svg");
        assert.ok(
          names.includes("xmlns") && attributes.includes('xmlns="http://www.w3.org/2000/svg"'),
          "xmlns",
        );
      }
      if (!selfClosing) open.push(name);
    }
    at = tag.lastIndex;
  }
  assert.deepEqual(open, [], "unclosed elements");
  assert.equal(roots, 1, "exactly one root element");
}

/** The slice of the DOM the tests query (linkedom's types assume lib.dom, which Deno lacks). */
interface QueryNode {
  querySelector(selector: string): QueryNode | null;
  querySelectorAll(selector: string): ArrayLike<QueryNode>;
  getAttribute(name: string): string | null;
}

function dom(svg: string): QueryNode {
  return (parseHTML(`<html><body>${svg}</body></html>`) as unknown as { document: QueryNode }).document;
}

/** The elements drawn by the marks with this aria-label (Plot labels each mark's <g>). */
function marks(svg: string, label: string, element: string): number {
  return dom(svg).querySelectorAll(`g[aria-label="${label}"] > ${element}`).length;
}

function step(step: number, best: number): StepRow {
  return {
    step,
    rollouts: 8,
    valid: 6,
    best,
    stepBestReward: -best,
    meanReward: -best - 0.1,
    bestReward: -best,
    beta: 2,
    kl: 0,
    loss: 0,
    archiveSize: 3,
    temperature: 1,
    flatGroups: 0,
    selectMs: 1,
    sampleMs: 1,
    evaluateMs: 1,
    updateMs: 1,
    storeMs: 1,
    totalMs: 5,
    elapsedMs: 5 * (step + 1),
  };
}

function state(id: number, parentId: number, depth: number, reward: number, initial = false): StateRow {
  return {
    id,
    parentId,
    depth,
    value: -reward,
    reward,
    visits: 1,
    bestChildReward: NaN,
    step: depth,
    initial,
    state: "[]",
  };
}

Deno.test("progressPlot: a point per finite best, three lines, and the record as a rule", () => {
  const steps = [step(0, NaN), step(1, 0.45), step(2, 0.41), step(3, 0.4), step(4, 0.39)];
  const svg = progressPlot(steps, {
    direction: "minimize",
    quantity: "C5",
    record: 0.3809,
    title: "Run <1> & co",
  });
  assertStandaloneSvg(svg);
  assert.equal(marks(svg, "dot", "circle"), 4);
  assert.equal(marks(svg, "line", "path"), 3); // best so far, mean reward, best reward of the step
  assert.equal(marks(svg, "rule", "line"), 1);
  assert.match(svg, /C5 \(best so far, lower is better\)/);
  assert.match(svg, /record 0\.3809/);
  assert.match(svg, /Run &#60;1&#62; &#38; co/);
  assert.equal(marks(progressPlot(steps), "rule", "line"), 0);
});

Deno.test("archiveTreePlot: a dot per state, a link per parent in the archive, rings for initial and best", () => {
  const states = [
    state(0, -1, 0, 0.1, true),
    state(1, 0, 1, 0.2),
    state(2, 1, 2, 0.5),
    state(3, 99, 4, 0.3), // its parent was pruned from the archive
    state(4, 0, 1, NaN),
  ];
  const svg = archiveTreePlot(states, { title: "Archive" });
  assertStandaloneSvg(svg);
  const dotGroups = dom(svg).querySelectorAll('g[aria-label="dot"]');
  assert.equal(dotGroups[0].querySelectorAll("circle").length, 4); // NaN reward cannot be coloured: skipped
  assert.equal(dotGroups[1].querySelectorAll("circle").length, 1); // initial-state ring
  assert.equal(dotGroups[2].querySelectorAll("circle").length, 1); // best-state ring
  assert.equal(marks(svg, "link", "path"), 3);
  assert.match(svg, /state 2 \(step 2\)/);
  assert.ok(svg.includes(">best<"));
});

Deno.test("archiveTreePlot survives a parent cycle in corrupt input", () => {
  const svg = archiveTreePlot([state(0, 1, 1, 0.1), state(1, 0, 1, 0.2), state(2, 2, 0, 0.3, true)]);
  assertStandaloneSvg(svg);
  assert.equal(dom(svg).querySelector('g[aria-label="dot"]')?.querySelectorAll("circle").length, 3);
});

Deno.test("stepFunctionPlot: one area and one step line spanning [0, 2]", () => {
  const svg = stepFunctionPlot([0.2, 0.9, 0.5, 0.4], "h");
  assertStandaloneSvg(svg);
  assert.equal(marks(svg, "area", "path"), 1);
  assert.equal(marks(svg, "line", "path"), 1);
  const line = dom(svg).querySelector('g[aria-label="line"] > path')?.getAttribute("d") ?? "";
  assert.equal(line.split("L").length, 9); // 5 points, step-after doubles each interior corner
});

Deno.test("overlapPlot: the curve with its maximum at the right shift", () => {
  const overlap = [1, 3, 5, 9, 2]; // n = 3 pieces: shifts -2..2 pieces of width 2/3
  const svg = overlapPlot(overlap, { title: "M" });
  assertStandaloneSvg(svg);
  assert.equal(marks(svg, "line", "path"), 1);
  assert.equal(marks(svg, "dot", "circle"), 1);
  assert.equal(marks(svg, "rule", "line"), 1);
  assert.match(svg, /max 9 at x = 0\.666667/);
});

Deno.test("every plot accepts empty input and still gives a well-formed SVG", () => {
  for (
    const svg of [
      progressPlot([]),
      progressPlot([], { record: 0.38 }),
      archiveTreePlot([]),
      stepFunctionPlot([]),
      overlapPlot([]),
      overlapPlot([NaN, NaN]),
      stackFigures([]),
    ]
  ) {
    assertStandaloneSvg(svg);
  }
  assert.match(progressPlot([]), /no steps yet/);
});

Deno.test("stackFigures stacks its parts into one standalone SVG", () => {
  const parts = [stepFunctionPlot([0.5, 0.5]), overlapPlot([1, 2, 1])];
  const svg = stackFigures(parts);
  assertStandaloneSvg(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="530"/); // 260 + 10 + 260
  assert.equal(marks(svg, "area", "path"), 1);
  assert.match(svg, /<svg x="0" y="270"/);
  assert.throws(() => stackFigures(["<figure></figure>"]), /not an SVG/);
});

Deno.test("progressPlot and archiveTreePlot take a run's tables as read, and draw what the rows draw", () => {
  const steps = [step(0, 0.5), step(1, 0.45), step(2, 0.42)];
  const states = [state(0, 0, 0, 0.1, true), state(1, 0, 1, 0.3), state(2, 1, 2, 0.4)];
  assert.equal(progressPlot(rowsToFrame(STEP_COLUMNS, steps)), progressPlot(steps));
  assert.equal(archiveTreePlot(rowsToFrame(STATE_COLUMNS, states)), archiveTreePlot(states));
});

Deno.test("stackFigures puts a title above its parts", () => {
  const svg = stackFigures([stepFunctionPlot([0.5, 0.5])], "a <title>");
  assertStandaloneSvg(svg);
  assert.match(svg, /font-weight="bold"[^>]*>a &#60;title&#62;<\/text>/);
});

Deno.test("display returns the SVG string outside Jupyter", () => {
  assert.equal(display("<svg/>"), "<svg/>");
});

Deno.test("ablation curves: the scale leaves out the far-off start and its ticks tell the finals apart", async () => {
  const { ablationPlot } = await import("../lib/plot.ts");
  const rows = ["a", "b"].flatMap((variant, v) =>
    Array.from({ length: 20 }, (_, step) => ({
      variant,
      seed: 0,
      step,
      rollouts: 16 * (step + 1),
      // Random starts are far off (0.45); the variants settle 6e-5 apart.
      best: step === 0 ? 0.45 : 0.38114 + v * 6e-5 - step * 1e-6,
    }))
  );
  const labels = dom(ablationPlot(rows, { quantity: "C5" })).querySelectorAll(
    '[aria-label="y-axis tick label"] text',
  );
  const ticks = Array.from(labels, (t) => (t as unknown as { textContent: string }).textContent);
  assert.ok(ticks.length >= 3, `ticks: ${ticks}`);
  assert.equal(new Set(ticks).size, ticks.length, `repeated tick labels: ${ticks}`);
  assert.ok(
    ticks.every((t) => Number(t) > 0.38 && Number(t) < 0.382),
    `ticks span the settled values: ${ticks}`,
  );
});

Deno.test("ablation curves: variants that end equal get their names apart, not on top of each other", async () => {
  const { ablationPlot } = await import("../lib/plot.ts");
  const rows = ["ttt-discover", "no-ttt", "best-of-n"].flatMap((variant, v) =>
    Array.from({ length: 20 }, (_, step) => ({
      variant,
      seed: 0,
      step,
      rollouts: 16 * (step + 1),
      // The first two end equal; the third ends well above them.
      best: 0.38114 - step * 1e-6 + (v === 2 ? 4e-5 : 0),
    }))
  );
  const names = Array.from(
    dom(ablationPlot(rows, { quantity: "C5" })).querySelectorAll('[aria-label="text"] text'),
    (t) => t as unknown as { textContent: string; getAttribute(name: string): string | null },
  );
  assert.deepEqual(names.map((t) => t.textContent).sort(), ["best-of-n", "no-ttt", "ttt-discover"]);
  // Each name is placed by a transform translate(x, y); y in pixels.
  const ys = names.map((t) =>
    Number(/translate\([^,]+,([^)]+)\)/.exec(t.getAttribute("transform") ?? "")?.[1])
  );
  assert.ok(ys.every(Number.isFinite), `label positions: ${ys}`);
  const sorted = [...ys].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i] - sorted[i - 1] >= 10, `names ${sorted[i] - sorted[i - 1]} px apart: ${sorted}`);
  }
});
