import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CliError } from './context.js'

/** Refuses an output path whose folder is missing, or that is a folder itself, before anything is read or written. */
export async function checkOutput(path: string, option: string): Promise<void> {
  const folder = await stat(dirname(path)).catch(() => undefined)
  if (!folder?.isDirectory())
    throw new CliError(`${option} ${path}: the folder ${dirname(path)} does not exist`, 2)
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw new CliError(`${option} ${path} is a folder: name a file`, 2)
}
