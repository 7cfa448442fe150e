/**
 * One small pool of open files for the whole process. Reading a whole Zarr array asks for
 * every chunk at once (zarrita starts them all together), and a big run has tens of
 * thousands: unbounded, that fails with EMFILE under an ordinary descriptor limit
 * (`ulimit -n 256`). Every archive, project and cache file operation goes through `fs`
 * here, so at most MAX_OPEN_FILES are in flight, whatever the caller asks for.
 */
import { promises as nodeFs } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/** Operations in flight at once; `SGDSCOPE_OPEN_FILES` overrides it (at least 1). */
export const MAX_OPEN_FILES = Math.max(1, Number(process.env.SGDSCOPE_OPEN_FILES) || 64)

let active = 0
const waiting: Array<() => void> = []

function acquire(): Promise<void> {
  if (active < MAX_OPEN_FILES) {
    active++
    return Promise.resolve()
  }
  return new Promise((resolve) => waiting.push(resolve))
}

function release(): void {
  const next = waiting.shift()
  // The slot passes straight to the next waiter, so `active` stays the same.
  if (next) next()
  else active--
}

/** Runs one file operation holding a slot of the pool. `fn` must not itself wait for a slot. */
export async function withFileSlot<T>(fn: () => Promise<T>): Promise<T> {
  await acquire()
  try {
    return await fn()
  } finally {
    release()
  }
}

/** Slots held now and callers waiting (for tests). */
export function filePoolState(): { active: number; waiting: number } {
  return { active, waiting: waiting.length }
}

/** An opened file holds its slot until it is closed. */
async function openPooled(...args: Parameters<typeof nodeFs.open>): Promise<FileHandle> {
  await acquire()
  let fh: FileHandle
  try {
    fh = await nodeFs.open(...args)
  } catch (e) {
    release()
    throw e
  }
  const close = fh.close.bind(fh)
  let released = false
  fh.close = async () => {
    try {
      await close()
    } finally {
      if (!released) {
        released = true
        release()
      }
    }
  }
  return fh
}

/** `fs.promises` with every operation taking a slot of the pool. */
export const fs: typeof nodeFs = new Proxy(nodeFs, {
  get(target, key, receiver) {
    const value = Reflect.get(target, key, receiver) as unknown
    if (key === 'open') return openPooled
    if (key === 'watch') return value // an async iterator, not one operation
    if (typeof value !== 'function' || key === 'constants') return value
    return (...args: unknown[]) => withFileSlot(() => (value as (...a: unknown[]) => Promise<unknown>)(...args))
  },
})
