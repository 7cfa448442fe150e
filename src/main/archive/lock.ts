/**
 * A lock file stops two processes from training the same networks of a run. It holds
 * the owner's pid and host; a lock whose process is gone (same host, pid not alive)
 * is stale and is taken over.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'

/** Someone else holds the lock `file` (owner: who, when it is known). */
export class LockedError extends Error {
  override name = 'LockedError'
  constructor(
    message: string,
    readonly file: string,
    /** Other lock files (snapshots.lock) record no start time. */
    readonly owner?: Omit<LockInfo, 'started'> & { started?: string },
  ) {
    super(message)
  }
}

export interface LockInfo {
  pid: number
  host: string
  started: string
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function readLock(file: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo
  } catch {
    return null
  }
}

/** True when the lock file exists and its owner is (as far as we can tell) alive. */
export async function isLockHeld(file: string): Promise<boolean> {
  const info = await readLock(file)
  if (!info) return false
  if (info.host !== os.hostname()) return true // cannot check another machine's pids
  return pidAlive(info.pid)
}

/** Takes the lock or throws LockedError naming the owner. Returns the release function. */
export async function acquireLock(file: string, what: string): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(mine), { flag: 'wx' })
      return async () => {
        const info = await readLock(file)
        if (info && info.pid === mine.pid && info.host === mine.host) await fs.rm(file, { force: true })
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const owner = await readLock(file)
      if (owner && (owner.host !== mine.host || pidAlive(owner.pid)))
        throw new LockedError(
          `${what} is being trained by process ${owner.pid} on ${owner.host} (since ${owner.started}); lock file ${file}`,
          file,
          owner,
        )
      await fs.rm(file, { force: true }) // stale: its process is gone
    }
  }
  throw new LockedError(`could not take the lock ${file}`, file)
}
