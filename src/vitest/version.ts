/** The Vitest majors dsta-db runs on; `peerDependencies.vitest` in package.json says the same. */
export const SUPPORTED_VITEST = '^4.1.0 || ^5.0.0'

/** Refuses a Vitest outside the supported range with one line, before any test or fixture runs. */
export function checkVitestVersion(version: string): void {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10))
  if (major === 5 || (major === 4 && minor >= 1)) return
  const error = new Error(
    `dsta-db supports Vitest ${SUPPORTED_VITEST}; this project runs Vitest ${version}. Upgrade with: npm install -D vitest@5`,
  )
  error.stack = error.message // a version mismatch is not our bug: no stack of our frames
  throw error
}
