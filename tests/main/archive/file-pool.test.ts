/**
 * The file pool bounds the files open at once: the pool's own accounting under a burst of
 * reads, and the built CLI writing, listing, describing and embedding a 20,000-snapshot run
 * under `ulimit -n 256` (unbounded, reading its done flags alone opens 20,000 files at once);
 * the same for a 20,000-snapshot run written by the Python recorder under that limit, and the
 * workbench (the browser host, `sgdscope serve`, with its background precompute) opening it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
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
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const cli = () => `${q(process.execPath)} ${q(path.join(ROOT, 'bin/sgdscope.js'))}`

describe.skipIf(!built)('the built CLI under ulimit -n 256 (npm run build first)', () => {
  it('writes, lists, describes, embeds and opens in the workbench a run of 200 vectors × 100 snapshots', async () => {
    const dir = tempDir()
    const p = path.join(dir, 'big.sgdscope')
    const spec = path.join(dir, 'spec.json')
    writeFileSync(spec, JSON.stringify({ kind: 'stochastic', nets: 200, dim: 8, steps: 990, recordEvery: 10 }))
    // stdout goes to a file: a big --json answer on a pipe may be cut short at exit.
    const sgdscope = (...args: string[]) => {
      const out = path.join(dir, 'out.txt')
      execFileSync('bash', ['-c', `ulimit -n 256 && exec ${cli()} "$@" > ${q(out)}`, '_', ...args], {
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
    const id = /\s1\s+(\S+)\s+complete/.exec(list)![1]!

    // The workbench: what opening the project and the run asks for, under the same limit
    // (without the background precompute and the derived metrics: both build the 20,000 × 20,000
    // distance matrix today, 3.2 GB, issue 23 item 1).
    const host = await serveUnderLimit(p, path.join(dir, 'config'))
    try {
      const opened = await host.call('project.open', { dir: p })
      expect(opened.runs.map((r: { id: string }) => r.id)).toEqual([id])
      const runs = await host.call('runs.list', {})
      expect(runs[0].status).toBe('complete')
      const details = await host.call('runs.get', { runId: id })
      expect([details.done, details.total, details.epochs.length]).toEqual([20000, 20000, 100])
      const m = await host.call('runs.metrics', { runId: id, derived: false })
      expect(m.data.runs[0].series[0].perNet.length).toBe(200)
      // The paths of a selection of networks (all 20,000 points are `embed`'s above).
      const nets = Array.from({ length: 10 }, (_, k) => 20 * k)
      const paths = await host.call('paths.embed', { runs: [id], method: 'pca', nets })
      expect(paths.points).toBe(1000)
    } finally {
      await host.stop()
    }
    expect(host.output()).not.toMatch(/EMFILE/)
  }, 900_000)
})

const PY = process.env.PYTHON ?? 'python3'
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0

/** The browser host under `ulimit -n 256`, answering calls over its WebSocket. */
async function serveUnderLimit(project: string, config: string) {
  const child = spawn(
    'bash',
    ['-c', `ulimit -n 256 && exec ${cli()} serve "$1" --port 0 --no-browser --no-precompute`, '_', project],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SGDSCOPE_CONFIG: config, CI: '1' },
    },
  )
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(out)
      if (m) resolve(m[0])
    }
    child.stdout.on('data', check)
    void exited.then((code) => reject(new Error(`sgdscope serve exited (${code}):\n${out}`)))
  })
  const u = new URL(url)
  const ws = new WebSocket(`ws://127.0.0.1:${u.port}/ws?token=${u.searchParams.get('token')}`)
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve())
    ws.on('error', reject)
  })
  const waiting = new Map<number, (m: any) => void>()
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw))
    if (typeof m.id === 'number') waiting.get(m.id)?.(m)
  })
  let id = 0
  const call = (name: string, args: unknown): Promise<any> =>
    new Promise((resolve, reject) => {
      const myId = ++id
      waiting.set(myId, (m) =>
        m.ok ? resolve(m.result) : reject(new Error(`${name}: ${JSON.stringify(m.error)}\n${out}`)),
      )
      ws.send(JSON.stringify({ id: myId, name, args }))
    })
  const stop = async () => {
    ws.close()
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    await exited
    clearTimeout(timer)
  }
  return { call, stop, output: () => out }
}

describe.skipIf(!built || !hasNumpy)('a Python-recorded run under ulimit -n 256', () => {
  // 2,000 snapshots: format 2 keeps each snapshot's τ, metrics and flag in files of their own, so
  // reading it opens 6,000 (far above the limit) and a 20,000-snapshot one takes minutes.
  it('the recorder writes 40 networks × 50 snapshots; list, info and embed read it', () => {
    const dir = tempDir()
    const p = path.join(dir, 'rec.sgdscope')
    const script = [
      'import sys, numpy as np',
      `sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'python'))})`,
      'import sgdscope',
      'with sgdscope.Recorder(sys.argv[1], run="rec", nets=40, outputs="values", probe=2, output_dim=4, metrics=["train_loss"]) as rec:',
      '    for j in range(50):',
      '        for k in range(40):',
      '            rec.snapshot(net=k, epoch=j, outputs=np.full((2, 4), k + 0.01 * j, np.float32), metrics={"train_loss": 1 / (1 + j)})',
    ].join('\n')
    execFileSync('bash', ['-c', `ulimit -n 256 && exec ${q(PY)} -c "$1" "$2"`, '_', script, p], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 600_000,
    })
    const sgdscope = (...args: string[]) => {
      const out = path.join(dir, 'out.txt')
      execFileSync('bash', ['-c', `ulimit -n 256 && exec ${cli()} "$@" > ${q(out)}`, '_', ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 600_000,
      })
      return readFileSync(out, 'utf8')
    }
    const list = sgdscope('list', '--project', p)
    expect(list).not.toMatch(/unreadable/)
    expect(list).toMatch(/complete/)
    expect(sgdscope('info', 'rec', '--project', p)).toMatch(/2000\/2000 \(network, snapshot\) pairs recorded/)
    const e = JSON.parse(sgdscope('embed', 'rec', '--method', 'pca', '--json', '--project', p))
    expect(e.points).toBe(2000)
  }, 600_000)
})
