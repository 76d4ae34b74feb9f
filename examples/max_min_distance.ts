/** 12 points in the unit square, as far apart as possible: maximise the smallest pairwise distance. */
import { type Problem, rewardFor, type Rng, z } from "ttt-discover/kit";

type Points = [number, number][];
const Points = z.array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])).length(12);
const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** The smallest pairwise distance and the pair at that distance. */
const PAIRS = Array.from({ length: 144 }, (_, k) => [Math.floor(k / 12), k % 12]).filter(([i, j]) => i < j);
const closest = (p: Points) =>
  PAIRS.map(([i, j]) => ({ d: Math.hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]), i, j }))
    .reduce((min, pair) => pair.d < min.d ? pair : min);

/** The moves: push the closest pair apart (each point by s), or move every point at random. */
const MOVES: Record<string, (p: Points, s: number, rng: Rng) => Points> = {
  push(p, s) {
    const { i, j, d } = closest(p), u = [(p[i][0] - p[j][0]) / d || 0, (p[i][1] - p[j][1]) / d || 0];
    const by = (k: number) => k === i ? s : k === j ? -s : 0;
    return p.map(([x, y], k) => [clamp(x + by(k) * u[0]), clamp(y + by(k) * u[1])]);
  },
  jitter: (p, s, rng) => p.map(([x, y]) => [clamp(x + s * rng.normal()), clamp(y + s * rng.normal())]),
};
const SIZE = { name: "size", choices: [0.001, 0.003, 0.01, 0.03, 0.1] };
const TIMES = { name: "times", choices: [10, 100, 1000] };

export const maxMinDistance: Problem<Points> = {
  name: "max-min-distance",
  title: "12 points in the unit square, max-min distance",
  direction: "maximize",
  quantity: "d",
  optionsSchema: z.object({}),
  warmStarts: [],
  initialStates: (rng) => [Array.from({ length: 12 }, (): [number, number] => [rng.next(), rng.next()])],
  evaluate(json) { // the verifier: recomputes d from the points, never trusts a reported value
    const parsed = Points.safeParse(json);
    if (!parsed.success) return { valid: false, value: null, reward: 0, error: parsed.error.message };
    const d = closest(parsed.data).d;
    return { valid: true, value: d, reward: rewardFor("maximize", d) };
  },
  grammar: { // what the built-in policy writes: up to 3 moves, one choice per parameter
    maxMoves: 3,
    operators: [
      { name: "push", description: "push the closest pair apart, `times` times", params: [SIZE, TIMES] },
      { name: "jitter", description: "move every point at random", params: [SIZE] },
    ],
  },
  featureDim: 2,
  features: (_points, evaluation) => [evaluation.value ?? 0, 1],
  apply(program, start, { rng }) { // each move `times` times; returns the best state it passed through
    let p = start, best = start;
    for (const { op, params } of program.flatMap((m) => Array(Number(m.params.times ?? 1)).fill(m))) {
      p = MOVES[op](p, Number(params.size) * rng.next(), rng);
      if (closest(p).d > closest(best).d) best = p;
    }
    return best;
  },
  toJSON: (points) => points,
  fromJSON: (json) => Points.parse(json) as Points,
  stateKey: (points) => JSON.stringify(points),
};
