/**
 * A lock file stops two processes from training the same networks of a run. It holds
 * the owner's pid and host; a lock whose process is gone (same host, pid not alive)
 * is stale and is taken over. `withLock` waits for a lock instead, for short critical
 * sections that several processes take in turn (the settings file).
 */
import { randomBytes } from 'node:crypto'
import { fs } from './file-pool'
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

export interface WaitOptions {
  /** Give up (LockedError) after waiting this long for the holder. */
  timeoutMs?: number
  /** A lock file older than this is broken even when its owner cannot be checked (another host,
   * or a process killed between creating the file and writing its pid). */
  staleMs?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Removes the lock file when it is stale: its process is gone, or it is older than `staleMs`.
 * True when the caller should try to take the lock again. */
async function breakIfStale(file: string, staleMs: number): Promise<boolean> {
  const st = await fs.stat(file).catch(() => null)
  if (!st) return true
  const info = await readLock(file)
  const dead = info !== null && info.host === os.hostname() && !pidAlive(info.pid)
  if (!dead && Date.now() - st.mtimeMs < staleMs) return false
  // Moved aside under a name of our own, so of two processes breaking the same lock one does.
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await fs.rename(file, aside)
  } catch {
    return true
  }
  // Between our look and the move another process may have broken it and taken a fresh one.
  const moved = await fs.stat(aside).catch(() => null)
  if (moved && moved.ino !== st.ino) await fs.link(aside, file).catch(() => {})
  await fs.rm(aside, { force: true })
  return true
}

/**
 * Runs `fn` holding the lock file, waiting (with backoff) while another live process holds
 * it, for short critical sections such as a read → change → atomic rename of a settings file.
 */
export async function withLock<T>(
  file: string,
  what: string,
  fn: () => Promise<T>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000
  const staleMs = opts.staleMs ?? 30_000
  const mine = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  }
  const deadline = Date.now() + timeoutMs
  let delay = 2
  for (;;) {
    try {
      await fs.writeFile(file, JSON.stringify(mine), { flag: 'wx' })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    if (await breakIfStale(file, staleMs)) continue
    if (Date.now() > deadline) {
      const owner = await readLock(file)
      const by = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.started})` : 'another process'
      throw new LockedError(
        `${what}: waited ${timeoutMs / 1000} s for ${by} to release the lock file ${file}`,
        file,
        owner ?? undefined,
      )
    }
    await sleep(delay * (1 + Math.random()))
    delay = Math.min(delay * 2, 50)
  }
  try {
    return await fn()
  } finally {
    const info = (await readLock(file)) as (LockInfo & { token?: string }) | null
    if (info?.token === mine.token) await fs.rm(file, { force: true })
  }
}
