/**
 * Run settings for `deno task run denoise`: 40 steps of 4 groups x 16 rollouts
 * (2,560 pipelines at ~0.1-0.3 s each on pbmc_sctransform), capped at 10 minutes so
 * the default run fits a 2-core machine.
 */
export const DENOISE_DEFAULTS = {
  steps: 40,
  groups: 4,
  groupSize: 16,
  minutes: 10,
} as const;
