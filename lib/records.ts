/**
 * The rows a run produces. The loop fills them, the store persists them as
 * Parquet, the plots and notebooks read them back. One definition for all three.
 */

/** One rollout (attempts.parquet). */
export interface AttemptRow {
  step: number;
  group: number;
  rollout: number;
  parentId: number;
  /** Id of the state the attempt produced if it entered the archive, else -1. */
  childId: number;
  valid: boolean;
  /** The published quantity, NaN when invalid. */
  value: number;
  reward: number;
  /** Sequence-level entropic advantage (before KL shaping); NaN when the group was dropped. */
  advantage: number;
  error: string;
  durationMs: number;
  /** The program ran into its deadline (80% of the rollout time limit) and its moves returned early. */
  cutShort: boolean;
  program: string;
  tokens: number;
}

/** One archive state (states.parquet). */
export interface StateRow {
  id: number;
  parentId: number;
  depth: number;
  value: number;
  reward: number;
  visits: number;
  /** m(s): best one-step child reward, NaN before the state was expanded. */
  bestChildReward: number;
  step: number;
  initial: boolean;
  /** The construction, as JSON. */
  state: string;
}

/** One step's summary (steps.parquet). */
export interface StepRow {
  step: number;
  rollouts: number;
  valid: number;
  /** Best published value ever seen, after this step. */
  best: number;
  /** Best and mean reward among this step's valid rollouts. */
  stepBestReward: number;
  meanReward: number;
  bestReward: number;
  /** Mean adaptive beta over the groups that carried signal. */
  beta: number;
  /** Mean (logp_sampler - logp_reference) per token: a sampled estimate of KL to the start. */
  kl: number;
  loss: number;
  archiveSize: number;
  /** Sampling temperature of this step (raised by the exploration control while groups are flat). */
  temperature: number;
  /** Share of this step's groups whose rewards were all equal (dropped: no signal). */
  flatGroups: number;
  /** Wall times of the step's phases, in milliseconds. */
  selectMs: number;
  sampleMs: number;
  evaluateMs: number;
  updateMs: number;
  storeMs: number;
  totalMs: number;
  elapsedMs: number;
}
