/**
 * Atomic file writes: write a temporary file beside the target, then rename it over
 * the target. A reader (or a process killed mid-write) sees the old file or the new
 * one, never a torn one.
 */
import { randomBytes } from 'node:crypto'
import { fs, withFileSlot } from './file-pool'
import * as path from 'node:path'
import FileSystemStore from '@zarrita/storage/fs'
import type { AbsolutePath, RangeQuery } from '@zarrita/storage'

/** Temporary files end with this, so that a cleanup can recognise leftovers. */
export const TMP_SUFFIX = '.sgdscope-tmp'

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}${TMP_SUFFIX}`
  try {
    await fs.writeFile(tmp, data)
    await fs.rename(tmp, file)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n')
}

/** zarrita's file-system store with every file operation taking a slot of the file pool
 * (zarrita reads all of an array's chunks at once). */
export class PooledFsStore extends FileSystemStore {
  override get(key: AbsolutePath, opts?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    return withFileSlot(() => super.get(key, opts))
  }

  override getRange(key: AbsolutePath, range: RangeQuery, opts?: { signal?: AbortSignal }) {
    return withFileSlot(() => super.getRange(key, range, opts))
  }

  override has(key: AbsolutePath): Promise<boolean> {
    return withFileSlot(() => super.has(key))
  }

  override delete(key: AbsolutePath): Promise<boolean> {
    return withFileSlot(() => super.delete(key))
  }
}

/** The pooled store with every write made atomic. */
export class AtomicFsStore extends PooledFsStore {
  override async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    await writeFileAtomic(path.join(this.root, key.slice(1)), value)
  }
}
