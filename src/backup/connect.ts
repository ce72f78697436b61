import type pg from 'pg'
import { openSession } from '../migrate/session.js'

/** One session of our own for a backup or restore (see `openSession`). */
export function connectTo(url: string): Promise<pg.Client> {
  return openSession(url, 'dsta-db backup')
}
