/** 12 points in the unit square, as far apart as possible: maximise the smallest pairwise distance. */
import { defineMoves, type ProblemDefinition, rewardFor, type Rng, z } from "ttt-discover/kit";

type Points = [number, number][];
const Points = z.array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])).length(12);
const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** The smallest pairwise distance and the pair at that distance. */
const PAIRS = Array.from({ length: 144 }, (_, k) => [Math.floor(k / 12), k % 12]).filter(([i, j]) => i < j);
const closest = (p: Points) =>
  PAIRS.map(([i, j]) => ({ d: Math.hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]), i, j }))
    .reduce((min, pair) => pair.d < min.d ? pair : min);
/** The moves: push the closest pair apart (each point by s), or move every point at random. */
function push(p: Points, s: number): Points {
  const { i, j, d } = closest(p), u = [(p[i][0] - p[j][0]) / d || 0, (p[i][1] - p[j][1]) / d || 0];
  const by = (k: number) => k === i ? s : k === j ? -s : 0;
  return p.map(([x, y], k) => [clamp(x + by(k) * u[0]), clamp(y + by(k) * u[1])]);
}
const jitter = (p: Points, s: number, rng: Rng): Points =>
  p.map(([x, y]) => [clamp(x + s * rng.normal()), clamp(y + s * rng.normal())]);
/** What the built-in policy writes: up to 3 moves, one choice per parameter. */
const SIZE = { choices: [0.001, 0.003, 0.01, 0.03, 0.1] }, TIMES = { choices: [10, 100, 1000] };
const MOVES = defineMoves({
  name: "max-min-distance",
  maxMoves: 3,
  operators: {
    push: { description: "push the closest pair apart, `times` times", params: { size: SIZE, times: TIMES } },
    jitter: { description: "move every point at random", params: { size: SIZE } },
  },
});

export const maxMinDistance: ProblemDefinition<Points> = {
  name: "max-min-distance",
  direction: "maximize",
  quantity: "d",
  initialStates: (rng) => [Array.from({ length: 12 }, (): [number, number] => [rng.next(), rng.next()])],
  evaluate(json) { // the verifier: recomputes d from the points, never trusts a reported value
    const parsed = Points.safeParse(json);
    if (!parsed.success) return { valid: false, value: null, reward: 0, error: parsed.error.message };
    const d = closest(parsed.data).d;
    return { valid: true, value: d, reward: rewardFor("maximize", d) };
  },
  toJSON: (points) => points, // the state codec: JSON for workers and the run store; fromJSON validates
  fromJSON: (json) => Points.parse(json) as Points,
  grammar: MOVES.grammar, // the built-in route: grammar, feature names and features, apply
  featureNames: ["d", "bias"],
  features: (_points, evaluation) => [evaluation.value ?? 0, 1],
  apply(program, start, { rng }) { // each move `times` times; returns the best state it passed through
    let p = start, best = start;
    for (const move of program.flatMap((m) => Array(Number(m.params.times ?? 1)).fill(m))) {
      const r = rng.next();
      p = MOVES.dispatch(move, {
        push: (v) => push(p, v.size * r),
        jitter: (v) => jitter(p, v.size * r, rng),
      });
      if (closest(p).d > closest(best).d) best = p;
    }
    return best;
  },
};
