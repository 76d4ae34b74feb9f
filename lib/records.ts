/**
 * The rows a run produces. The loop fills them, the store persists them as
 * Parquet, the plots and notebooks read them back. One definition for all three.
 */

/** One rollout (attempts.parquet). */
export interface AttemptRow {
  /** The step it ran in. */
  step: number;
  /** Its group in the step (one per start state). */
  group: number;
  /** Its index in the group. */
  rollout: number;
  /** Id of the archive state it started from. */
  parentId: number;
  /** Id of the state the attempt produced if it entered the archive, else -1. */
  childId: number;
  /** The verifier accepted the result. */
  valid: boolean;
  /** The published quantity, NaN when invalid. */
  value: number;
  /** The reward the verifier gave (higher is better, whatever the direction). */
  reward: number;
  /** Sequence-level entropic advantage (before KL shaping); NaN when the group was dropped. */
  advantage: number;
  /** Why it is invalid; "" when valid. */
  error: string;
  /** Wall time of the rollout, in milliseconds. */
  durationMs: number;
  /** The program ran into its deadline (80% of the rollout time limit) and its moves returned early. */
  cutShort: boolean;
  /** The program the policy wrote, as text. */
  program: string;
  /** Tokens the policy sampled for it. */
  tokens: number;
}

/** One archive state (states.parquet). */
export interface StateRow {
  /** The state's id in the archive. */
  id: number;
  /** Id of the state it came from; -1 for an initial state. */
  parentId: number;
  /** Moves from an initial state. */
  depth: number;
  /** The published quantity. */
  value: number;
  /** Its reward. */
  reward: number;
  /** Expansions of it or of any of its descendants (PUCT's n(s)). */
  visits: number;
  /** m(s): best one-step child reward, NaN before the state was expanded. */
  bestChildReward: number;
  /** The step that created it. */
  step: number;
  /** An initial state, not produced by a rollout. */
  initial: boolean;
  /** The construction, as JSON. */
  state: string;
}

/** One step's summary (steps.parquet). */
export interface StepRow {
  /** The step (0-based). */
  step: number;
  /** Rollouts run in this step. */
  rollouts: number;
  /** Valid rollouts in this step. */
  valid: number;
  /** Best published value ever seen, after this step. */
  best: number;
  /** Best reward among this step's valid rollouts. */
  stepBestReward: number;
  /** Mean reward of this step's rollouts (invalid ones included). */
  meanReward: number;
  /** Best reward ever seen, after this step. */
  bestReward: number;
  /** Mean adaptive beta over the groups that carried signal. */
  beta: number;
  /** Mean (logp_sampler - logp_reference) per token: a sampled estimate of KL to the start. */
  kl: number;
  /** The policy update's loss; NaN when no update ran. */
  loss: number;
  /** States in the archive after this step. */
  archiveSize: number;
  /** Sampling temperature of this step (raised by the exploration control while groups are flat). */
  temperature: number;
  /** Share of this step's groups whose rewards were all equal (dropped: no signal). */
  flatGroups: number;
  /** Wall time of the step's phases, in milliseconds: choosing start states (then each phase below). */
  selectMs: number;
  /** Sampling programs from the policy. */
  sampleMs: number;
  /** Running and verifying the rollouts. */
  evaluateMs: number;
  /** Updating the policy. */
  updateMs: number;
  /** Writing the step to the run directory. */
  storeMs: number;
  /** The whole step. */
  totalMs: number;
  /** Time since the run started (resumed runs count their earlier time). */
  elapsedMs: number;
}
