import { base, en, Faker, type Randomizer } from '@faker-js/faker'
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
  const faker = new Faker({ locale: [en, base], randomizer })
  faker.setDefaultRefDate(DEFAULT_END)
  return faker
}
