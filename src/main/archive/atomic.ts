/**
 * Atomic file writes: write a temporary file beside the target, then rename it over
 * the target. A reader (or a process killed mid-write) sees the old file or the new
 * one, never a torn one.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import FileSystemStore from '@zarrita/storage/fs'
import type { AbsolutePath } from '@zarrita/storage'

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

/** zarrita's file-system store with every write made atomic. */
export class AtomicFsStore extends FileSystemStore {
  override async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    await writeFileAtomic(path.join(this.root, key.slice(1)), value)
  }
}
