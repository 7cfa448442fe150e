/**
 * The file pool bounds the files open at once: the pool's own accounting under a burst of
 * reads, and the built CLI writing, listing, describing and embedding a 20,000-snapshot run
 * under `ulimit -n 256` (unbounded, reading its done flags alone opens 20,000 files at once).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { fs, filePoolState, MAX_OPEN_FILES } from '../../../src/main/archive/file-pool'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

describe('the file pool', () => {
  it('never has more than MAX_OPEN_FILES operations in flight, and every one completes', async () => {
    const dir = tempDir()
    await Promise.all(Array.from({ length: 300 }, (_, i) => fs.writeFile(path.join(dir, `f${i}`), String(i))))
    let peak = 0
    const reads = Array.from({ length: 1000 }, (_, i) =>
      fs.readFile(path.join(dir, `f${i % 300}`), 'utf8').then((s) => {
        peak = Math.max(peak, filePoolState().active)
        return s
      }),
    )
    peak = Math.max(peak, filePoolState().active)
    expect(filePoolState().waiting).toBeGreaterThan(0)
    const got = await Promise.all(reads)
    expect(got.every((s, i) => s === String(i % 300))).toBe(true)
    expect(peak).toBe(MAX_OPEN_FILES)
    expect(filePoolState()).toEqual({ active: 0, waiting: 0 })
  })

  it('an opened file holds its slot until closed; a failed open gives it back', async () => {
    const dir = tempDir()
    writeFileSync(path.join(dir, 'a'), 'abc')
    const fh = await fs.open(path.join(dir, 'a'), 'r')
    expect(filePoolState().active).toBe(1)
    await fh.close()
    expect(filePoolState().active).toBe(0)
    await expect(fs.open(path.join(dir, 'missing'), 'r')).rejects.toThrow(/ENOENT/)
    expect(filePoolState().active).toBe(0)
  })
})

const built = existsSync(path.join(ROOT, 'out/main/cli.js'))

describe.skipIf(!built)('the built CLI under ulimit -n 256 (npm run build first)', () => {
  it('writes, lists, describes and embeds a run of 200 vectors × 100 snapshots', () => {
    const dir = tempDir()
    const p = path.join(dir, 'big.sgdscope')
    const spec = path.join(dir, 'spec.json')
    writeFileSync(spec, JSON.stringify({ kind: 'stochastic', nets: 200, dim: 8, steps: 990, recordEvery: 10 }))
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    // stdout goes to a file: a big --json answer on a pipe may be cut short at exit.
    const sgdscope = (...args: string[]) => {
      const out = path.join(dir, 'out.txt')
      const cli = `${q(process.execPath)} ${q(path.join(ROOT, 'bin/sgdscope.js'))}`
      execFileSync('bash', ['-c', `ulimit -n 256 && exec ${cli} "$@" > ${q(out)}`, '_', ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 600_000,
      })
      return readFileSync(out, 'utf8')
    }
    expect(sgdscope('run', spec, '--project', p)).toMatch(/complete/)
    const list = sgdscope('list', '--project', p)
    expect(list).not.toMatch(/unreadable/)
    expect(list).toMatch(/complete/)
    expect(sgdscope('info', '1', '--project', p)).toMatch(/20000\/20000 \(network, snapshot\) pairs recorded/)
    // --json: the embedding alone (the derived metrics printed without it are another matter).
    const r = JSON.parse(sgdscope('embed', '1', '--method', 'landmark', '--json', '--project', p))
    expect(r.points).toBe(20000)
    expect(Number.isFinite(r.stress)).toBe(true)
  })
})
