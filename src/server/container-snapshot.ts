import { createHash } from 'node:crypto'
import type { Dockerode } from './docker.js'
import { checkSnapshotName } from './snapshot.js'

/** Warm images kept per image repository (all its tags and builds); the oldest go first. */
const KEEP = 3
const REPOSITORY = 'dsta-db-warm'
const WARM_FOR = 'dsta-db.warm-for'

/**
 * What a warm image grew from: the base image (by id, so a re-pulled or rebuilt tag is another
 * base) and how its cluster was made. A change of either starts cold again.
 */
export function warmKey(baseImageId: string, recipe: unknown): string {
  return createHash('sha256').update(baseImageId).update(JSON.stringify(recipe)).digest('hex').slice(0, 12)
}

/**
 * The container provider's snapshot: an image committed from a cleanly stopped container whose data
 * folder (outside the image's volumes, so that the commit holds it) had, e.g., the template built.
 * `dsta-db-warm:<snapshot name>-<key>`; a start from it skips initdb and the migrations.
 */
export function warmTag(name: string, key: string): string {
  return `${REPOSITORY}:${checkSnapshotName(name)}-${key}`
}

/** The warm image's environment (its data folder and superuser password live there), when it exists. */
export async function findWarmImage(docker: Dockerode, tag: string): Promise<string[] | undefined> {
  try {
    return (await docker.getImage(tag).inspect()).Config?.Env ?? []
  } catch {
    return undefined
  }
}

/** `registry:5000/team/postgres` of `registry:5000/team/postgres:18-alpine` (or `…@sha256:…`). */
export function repositoryOf(image: string): string {
  const name = image.split('@')[0] as string
  const colon = name.lastIndexOf(':')
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name
}

/**
 * Commits a stopped container as the warm image `tag` (replacing an older one of that tag), then
 * removes the warm images of the same repository beyond the most recent three: those of a rebuilt or
 * re-pulled base go too, as newer ones come.
 */
export async function saveWarmImage(docker: Dockerode, containerId: string, tag: string, base: string) {
  const repository = repositoryOf(base)
  const previous = await docker
    .getImage(tag)
    .inspect()
    .then((image) => image.Id)
    .catch(() => undefined)
  const [repo, version] = tag.split(':') as [string, string]
  await docker.getContainer(containerId).commit({
    repo,
    tag: version,
    // Its containers get their own owner labels; the image keeps none of the run that made it.
    changes: `LABEL ${WARM_FOR}=${JSON.stringify(repository)} dsta-db.start="" dsta-db.pid="" dsta-db.host=""`,
  })
  if (previous)
    await docker
      .getImage(previous)
      .remove()
      .catch(() => {}) // in use: it goes later
  const warm = await docker.listImages({ filters: { label: [`${WARM_FOR}=${repository}`] } })
  const stale = warm.sort((a, b) => b.Created - a.Created).slice(KEEP)
  await Promise.all(
    stale.map((image) =>
      docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  )
}
