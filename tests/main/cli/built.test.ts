/**
 * The built `sgdscope` (out/, made by `npm run build`, which `npm test` runs first):
 * every code path that loads lazily (workers, the tfjs engine, the analysis GEMM,
 * figure export) must also work from the bundle, not only from the sources.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'
import { isNativeInstalled } from '../../../src/main/engine/tfjs/backend'

const bin = path.join(ROOT, 'bin/sgdscope.js')
const built = existsSync(path.join(ROOT, 'out/main/cli.js'))
const sgdscope = (...args: string[]) =>
  execFileSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
    maxBuffer: 1 << 28,
  })

describe.skipIf(!built)('the built CLI (npm run build first)', () => {
  it('trains with both engines, embeds and exports a figure', () => {
    const p = `${tempDir()}/built.sgdscope`
    const small = [
      '--nets',
      '2',
      '--hidden',
      '10',
      '--epochs',
      '0.01',
      '--probe',
      '50',
      '--set',
      'trainSubset=500',
      '--project',
      p,
    ]
    expect(sgdscope('run', ...small)).toMatch(/complete/)
    expect(sgdscope('run', ...small, '--engine', 'tfjs', '--batch', '10')).toMatch(/complete/)
    expect(sgdscope('info', '1', '--project', p)).toMatch(/engine\s+fused \(wasm-simd\)/)
    const backend = isNativeInstalled() ? 'tensorflow' : 'wasm'
    expect(sgdscope('info', '2', '--project', p)).toMatch(new RegExp(`engine\\s+tfjs \\(${backend}\\)`))
    expect(sgdscope('embed', '1', '--view', 'kappa', '--project', p)).toMatch(/Kruskal stress-1 \d/)
    const out = `${path.dirname(p)}/f.pdf`
    expect(sgdscope('figure', '1', '2', '--kind', 'compare', '--out', out, '--project', p)).toMatch(/wrote/)
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('writes a long --json output whole into a pipe', () => {
    // Megabytes of JSON: process.exit with a pipe's write still queued once cut it at 64 KiB.
    const p = `${tempDir()}/json.sgdscope`
    sgdscope('run', '--preset', 'fig7', '--project', p)
    const out = sgdscope('embed', '1', '--json', '--project', p)
    expect(out.length).toBeGreaterThan(1 << 20)
    const parsed = JSON.parse(out) as { runs: unknown[] }
    expect(parsed.runs).toHaveLength(1)
  })
})
