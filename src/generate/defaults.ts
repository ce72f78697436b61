/** The seed of every generator, factory set and test run when none is given: same seed, same rows. */
export const DEFAULT_SEED = 42
