import { readFileSync } from 'node:fs'

export interface RunAs {
  uid: number
  gid: number
}

/**
 * PostgreSQL refuses to run as root. When we are root, initdb and postgres run as `nobody`
 * (present on every Unix) instead; otherwise as ourselves (undefined).
 */
export function unprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('nobody:'))
    const [, , uid, gid] = line?.split(':') ?? []
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) }
  } catch {
    // fall through to the conventional ids
  }
  return { uid: 65534, gid: 65534 }
}
