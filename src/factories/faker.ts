import { createRequire } from 'node:module'
import type { Faker, Randomizer } from '@faker-js/faker'
import { keyedRandom, type Random } from '../generate/random.js'
import { DEFAULT_END } from '../generate/time.js'

/**
 * A faker randomizer drawing from our keyed alea streams instead of faker's Mersenne Twister, so
 * faker values follow the same seed as every other value of dsta-db. `use()` swaps the stream,
 * which lets the factories key each row's free text on that row alone.
 */
export class KeyedRandomizer implements Randomizer {
  #source: Random

  constructor(seed: number | string) {
    this.#source = keyedRandom(seed, 'faker')
  }

  // Faker calls these detached from the object: arrow functions keep `this`.
  readonly next = (): number => this.#source()

  readonly seed = (seed: number | number[]): void => {
    this.#source = keyedRandom(Array.isArray(seed) ? seed.join(',') : seed, 'faker')
  }

  use(source: Random): void {
    this.#source = source
  }
}

/**
 * A Faker in English whose randomizer is seeded with `seed` and whose reference date is pinned to
 * the generators' reference instant (2026-01-01), so `faker.date.recent()` never reads the clock.
 */
export function createSeededFaker(seed: number | string): Faker {
  return withRandomizer(new KeyedRandomizer(seed))
}

export function withRandomizer(randomizer: KeyedRandomizer): Faker {
  const english = englishFaker()
  const EnglishFaker = english.constructor as typeof Faker
  const faker = new EnglishFaker({ locale: english.rawDefinitions, randomizer })
  faker.setDefaultRefDate(DEFAULT_END)
  return faker
}

// Faker's root module loads all ~70 locales (~0.4 s); its English entry loads English alone (~70 ms).
// That entry exports only a ready instance: its class and merged definitions make ours. Loaded on
// the first factory made, synchronously (Node 24 requires ES modules), since factories are made
// synchronously: `import('dsta-db')` and files that never make a factory pay nothing for Faker.
let english: Faker | undefined
function englishFaker(): Faker {
  english ??= (createRequire(import.meta.url)('@faker-js/faker/locale/en') as { faker: Faker }).faker
  return english
}
