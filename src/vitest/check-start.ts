import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DstaOptionError } from './check-options.js'
import type { DstaDbOptions } from './options.js'

/**
 * What the config-time check cannot see, checked once at the run's start (main process, before
 * the server starts): folders and files exist, and `testData` follows the generator's own rules.
 */
export async function checkOptionsAtStart(options: DstaDbOptions, root: string): Promise<void> {
  for (const [index, dir] of (options.migrations ?? []).entries()) {
    const path = resolve(root, dir)
    if (
      !(await stat(path).then(
        (found) => found.isDirectory(),
        () => false,
      ))
    )
      throw new DstaOptionError(`migrations[${index}]: no folder at ${path} ("${dir}" from the project root)`)
  }
  if (typeof options.sampleData === 'string') {
    const path = resolve(root, options.sampleData)
    if (
      !(await stat(path).then(
        (found) => found.isFile(),
        () => false,
      ))
    )
      throw new DstaOptionError(`sampleData: no fixture file at ${path}`)
  }
  if (options.binDir !== undefined && options.provider !== 'external' && options.provider !== 'container') {
    const path = resolve(options.binDir) // as the embedded provider reads it: from the working folder
    for (const binary of ['postgres', 'initdb'])
      if (
        !(await stat(resolve(path, binary)).then(
          (found) => found.isFile(),
          () => false,
        ))
      )
        throw new DstaOptionError(`binDir: no ${binary} binary in ${path}`)
  }
  if (options.testData) {
    const { resolveOptions } = await import('../generate/options.js') // zod and the market model: only here
    try {
      resolveOptions(options.testData)
    } catch (error) {
      throw new DstaOptionError(`testData: ${(error as Error).message}`)
    }
  }
}
