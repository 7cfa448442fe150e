import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll } from 'vitest'

/** A temporary folder removed after the test file. */
export function tempDir(prefix = 'sgdscope-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
