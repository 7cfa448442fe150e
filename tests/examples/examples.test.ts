/**
 * The examples (examples/numpy_mlp.py, examples/pytorch_seeds.py), run with --quick into
 * one project: they train, record runs whose probe set is the app's (same fingerprint),
 * whose MLP weights reproduce the recorded outputs with the engine's own forward pass,
 * and which the CLI embeds, draws and compares with an in-app run.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as zarr from 'zarrita'
import FileSystemStore from '@zarrita/storage/fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli-process'
import { tempDir } from '../helpers/tmp'
import { RunArchive } from '../../src/main/archive/run'
import { loadDataset } from '../../src/main/datasets'
import { DatasetSpec } from '../../src/shared/spec'
import { FusedMlp } from '../../src/main/engine/mlp'
import { toSparse } from '../../src/main/engine/sparse'

const PY = process.env.PYTHON ?? 'python3'
const has = (mod: string) => spawnSync(PY, ['-c', `import ${mod}`]).status === 0
const numpy = has('numpy')
const torch = numpy && has('torch')
if (!numpy) console.warn(`skipping the examples: ${PY} with NumPy is not available`)
else if (!torch) console.warn('skipping examples/pytorch_seeds.py: PyTorch is not installed (pip install torch)')
const built = existsSync(path.join(ROOT, 'out/main/cli.js'))
if (numpy && !built) console.warn('examples: skipping the CLI checks: build the CLI first (npx electron-vite build)')

/** Whether this version's run archive (and so the CLI) opens recorded, format-2 runs. */
async function archiveReadsRecordedRuns(run: string): Promise<boolean> {
  try {
    await RunArchive.open(path.join(project, 'runs', run))
    return true
  } catch (e) {
    if (/newer sgdscope|malformed run attributes/.test((e as Error).message)) return false
    throw e
  }
}

const project = path.join(tempDir(), 'examples.sgdscope')
const sgdscope = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(ROOT, 'bin/sgdscope.js'), ...args, '--project', project], {
    encoding: 'utf8',
    timeout: 600_000,
  })

function example(script: string): string {
  const r = spawnSync(PY, [path.join(ROOT, 'examples', script), '--quick', '--project', project], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 900_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  if (r.status !== 0) throw new Error(`${script} --quick failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

async function read(run: string, name: string) {
  const a = await zarr.open(zarr.root(new FileSystemStore(path.join(project, 'runs', run))).resolve(name), {
    kind: 'array',
  })
  return { attrs: a.attrs as Record<string, unknown>, ...(await zarr.get(a)) }
}
const group = async (run: string) =>
  JSON.parse(await fs.readFile(path.join(project, 'runs', run, 'zarr.json'), 'utf8')).attributes
const sha = (b: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex')

describe.skipIf(!numpy)('the examples', () => {
  const runs: string[] = []
  beforeAll(() => {
    expect(example('numpy_mlp.py')).toMatch(/recorded run numpy-mlp/)
    runs.push('numpy-mlp')
    if (torch) {
      expect(example('pytorch_seeds.py')).toMatch(/recorded run pytorch-cnn-seeds/)
      runs.push('pytorch-cnn-seeds')
    }
  }, 1_800_000)

  it('record complete runs whose networks learn', async () => {
    for (const run of runs) {
      const a = await group(run)
      expect(a).toMatchObject({
        status: 'complete',
        nets: 3,
        snapshots: 5,
        pointShape: [500, 10],
        sgdscope: { format: 2 },
      })
      const done = (await read(run, 'done')).data as Uint8Array
      expect(Array.from(done).every((d) => d === 1)).toBe(true)
      const m = (await read(run, 'metrics')).data as Float32Array
      const M = a.metrics.length
      const err = a.metrics.indexOf('test_error')
      for (let k = 0; k < 3; k++) {
        const first = m[(k * 5 + 0) * M + err]
        const last = m[(k * 5 + 4) * M + err]
        expect(first).toBeGreaterThan(0.7) // chance level at initialisation
        expect(last).toBeLessThan(0.25)
      }
      expect(Array.from((await read(run, 'epoch')).data as Float64Array)).toEqual([0, 0.25, 0.5, 0.75, 1])
    }
  })

  it('record the app’s probe set: the fingerprints equal those of MNIST’s first 500 test images', async () => {
    const mnist = await loadDataset(DatasetSpec.parse({ deskew: false }))
    const P = 500
    const pixels = mnist.test.pixels.subarray(0, P * 28 * 28)
    const labels = Int32Array.from(mnist.test.labels.subarray(0, P))
    for (const run of runs) {
      const { probe } = await group(run)
      expect(probe).toEqual({ size: P, labelsSha256: sha(labels), inputsSha256: sha(pixels), id: 'mnist:test[0:500]' })
    }
  })

  it('record MLP weights in the engine’s layout: the engine’s forward pass reproduces the recorded outputs', async () => {
    const w = await read('numpy-mlp', 'weights')
    const arch = w.attrs.architecture as { inputs: number; hidden: number; outputs: number }
    expect(arch).toMatchObject({ kind: 'mlp', inputs: 784, hidden: 32, outputs: 10, output: 'softmax' })
    const inputs = (await read('numpy-mlp', 'probe_inputs')).data as Float32Array
    const tau = (await read('numpy-mlp', 'tau')).data as Float32Array
    const n = w.shape[2]
    const P = 500
    const images = toSparse(inputs, P, 784)
    const out = new Float32Array(10)
    for (const [k, j] of [
      [0, 0],
      [1, 4],
      [2, 2],
    ]) {
      const params = (w.data as Float32Array).slice((k * 5 + j) * n, (k * 5 + j + 1) * n)
      const net = new FusedMlp(arch, 'cross-entropy', params)
      let worst = 0
      for (let i = 0; i < P; i++) {
        net.forward(images, i, out)
        for (let c = 0; c < 10; c++) worst = Math.max(worst, Math.abs(out[c] - tau[((k * 5 + j) * P + i) * 10 + c]))
      }
      expect(worst).toBeLessThan(1e-5) // NumPy float32 matmuls vs the engine's float64 sums
    }
  })

  describe.skipIf(!built)('from the CLI (needs `npx electron-vite build`)', () => {
    it('embeds the recorded runs, draws a figure and compares them with an in-app run of the same probe set', async (ctx) => {
      if (!(await archiveReadsRecordedRuns(runs[0]))) {
        console.warn('examples: the CLI checks wait on support for recorded (format 2) runs in the run archive')
        ctx.skip()
      }
      const dir = path.dirname(project)
      for (const run of runs) {
        expect(sgdscope('embed', run)).toMatch(/Kruskal stress-1 \d/)
        const png = path.join(dir, `${run}.png`)
        expect(sgdscope('figure', run, '--out', png)).toMatch(/wrote/)
        expect((await fs.readFile(png)).subarray(1, 4).toString()).toBe('PNG')
      }
      const inApp = [
        '--nets',
        '2',
        '--hidden',
        '10',
        '--epochs',
        '0.01',
        '--probe',
        '500',
        '--no-deskew',
        '--set',
        'trainSubset=500',
      ]
      expect(sgdscope('run', ...inApp)).toMatch(/complete/)
      const ids = JSON.parse(await fs.readFile(path.join(project, 'project.json'), 'utf8')).runs.map(
        (r: { id: string }) => r.id,
      )
      const appRun = ids.find((id: string) => !runs.includes(id))
      for (const run of runs) {
        const png = path.join(dir, `compare-${run}.png`)
        expect(sgdscope('figure', appRun, run, '--kind', 'compare', '--out', png)).toMatch(/wrote/)
        expect((await fs.readFile(png)).subarray(1, 4).toString()).toBe('PNG')
      }
    })
  })
})
