import { readFileSync } from 'node:fs'

export interface RunAs {
  uid: number
  gid: number
}

/** The entries of /etc/passwd as `[name, password, uid, gid, …]` fields; none when it cannot be read. */
function passwdEntries(): string[][] {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
  } catch {
    return []
  }
}

/**
 * PostgreSQL refuses to run as root. When we are root, initdb and postgres run as `nobody`
 * (present on every Unix) instead; otherwise as ourselves (undefined).
 */
export function unprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  const [, , uid, gid] = passwdEntries().find((fields) => fields[0] === 'nobody') ?? []
  if (uid && gid) return { uid: Number(uid), gid: Number(gid) }
  return { uid: 65534, gid: 65534 } // the conventional ids
}

/** `uid 65534 (nobody)`: the uid, and its name when /etc/passwd has one. */
export function userName(uid: number): string {
  const name = passwdEntries().find((fields) => fields[2] === String(uid))?.[0]
  return name ? `uid ${uid} (${name})` : `uid ${uid}`
}
