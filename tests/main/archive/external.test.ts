import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ExternalRunWriter, writeExternalRun } from '../../../src/main/archive/external-run'
import { RunArchive } from '../../../src/main/archive/run'
import { Project } from '../../../src/main/archive/project'
import { liveStatus } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'
import { ROOT } from '../../helpers/cli-process'
import { syntheticRun, writeTestExternalRun } from '../../helpers/external'

const root = tempDir()
const CHILD = path.join(ROOT, 'tests/main/archive/external-writer-child.ts')

function numpySha(dtype: string, values: number[]): string {
  const code = `import hashlib, json, sys, numpy as np; v = json.load(sys.stdin); print(hashlib.sha256(np.array(v, dtype='${dtype}').tobytes()).hexdigest())`
  const r = spawnSync('python3', ['-c', code], { input: JSON.stringify(values), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return r.stdout.trim()
}

describe('format 2: runs recorded outside sgdscope', () => {
  it('writes a whole run that reads back with softmaxed logits, labels, inputs and fingerprints', async () => {
    const dir = `${root}/p1.sgdscope`
    const whole = syntheticRun({ id: 'logits', nets: 2, snapshots: 3, probe: 5, classes: 3 })
    const run = await writeExternalRun(dir, whole)
    expect(run.attrs).toMatchObject({
      sgdscope: { kind: 'run', format: 2 },
      status: 'complete',
      snapshots: 3,
      nets: 2,
      pointShape: [5, 3],
    })
    const again = await RunArchive.open(run.dir)
    // net 1, snapshot 2: softmax of the raw logits, computed here in float64.
    const raw = Array.from(whole.outputs as Float32Array).slice((1 * 3 + 2) * 15, (1 * 3 + 2) * 15 + 15)
    const tau = await again.readTau(1, 2)
    for (let p = 0; p < 5; p++) {
      const e = raw.slice(p * 3, p * 3 + 3).map(Math.exp)
      const s = e.reduce((a, b) => a + b, 0)
      for (let c = 0; c < 3; c++) expect(tau[p * 3 + c]).toBeCloseTo(e[c] / s, 6)
    }
    const tauMeta = JSON.parse(await fs.readFile(`${run.dir}/tau/zarr.json`, 'utf8'))
    expect(tauMeta.attributes).toEqual({ transform: 'softmax' })
    expect(Array.from((await again.readLabels())!)).toEqual(whole.labels)
    expect(Array.from(await again.readDone())).toEqual([1, 1, 1, 1, 1, 1])
    expect(Array.from((await again.readTimes()).epochs)).toEqual([0, 1, 2])
    const m = await again.readMetrics()
    expect(m[(1 * 3 + 2) * 2]).toBeCloseTo(1 / 6, 6) // train_loss of net 1 at snapshot 2 (index 5)
    expect(again.attrs.probe!.labelsSha256).toBe(numpySha('<i4', whole.labels as number[]))
    // No hidden temporary folder is left behind; project.json lists the run by its folder.
    expect((await fs.readdir(`${dir}/runs`)).sort()).toEqual(['logits'])
    expect(await (await Project.open(dir)).runIds()).toEqual(['logits'])
  })

  it('fingerprints probe inputs as NumPy does', async () => {
    const { run, whole } = await writeTestExternalRun(`${root}/p2.sgdscope`, {
      id: 'mlp',
      nets: 2,
      snapshots: 2,
      probe: 4,
      mlp: { inputs: 3, hidden: 2 },
    })
    const inputs = await run.readProbeInputs()
    expect(inputs!.shape).toEqual([4, 3])
    expect(Array.from(inputs!.data)).toEqual(Array.from(whole.probeInputs!.data))
    expect(run.attrs.probe!.inputsSha256).toBe(numpySha('<f4', Array.from(whole.probeInputs!.data)))
    expect(await run.weightSnapshotsAvailable()).toEqual([0, 1])
    expect(Array.from((await run.readWeights(1, 1))!)).toEqual(
      Array.from((whole.weightValues as Float32Array).subarray(3 * 17, 4 * 17)),
    )
    expect((await run.weightsAttributes())!.architecture).toMatchObject({
      kind: 'mlp',
      inputs: 3,
      hidden: 2,
      outputs: 3,
    })
  })

  it('refuses bad input with a message naming the array and the expected shape, writing nothing', async () => {
    const dir = `${root}/p3.sgdscope`
    const bad = syntheticRun({ id: 'bad', nets: 2, snapshots: 3, probe: 5 })
    await expect(writeExternalRun(dir, { ...bad, outputs: new Float32Array(7) })).rejects.toThrow(
      /outputs has 7 values, expected \[2, 3, 5, 3\] = 90/,
    )
    await expect(writeExternalRun(dir, { ...bad, labels: [0, 1] })).rejects.toThrow(
      /labels has shape \[2\], expected \[5\]/,
    )
    await expect(writeExternalRun(dir, { ...bad, epochs: [0, 2, 1] })).rejects.toThrow(/epochs must increase strictly/)
    const nan = Float32Array.from(bad.outputs as Float32Array)
    nan[20] = NaN
    await expect(writeExternalRun(dir, { ...bad, outputs: nan })).rejects.toThrow(
      /net 0, snapshot 1 \(epoch 1\): outputs holds NaN at \[1, 2\]/,
    )
    await expect(writeExternalRun(dir, { ...bad, spec: { ...bad.spec, classes: null } })).rejects.toThrow(
      /classes: outputs "logits" need classes/,
    )
    expect(await fs.readdir(`${dir}/runs`)).toEqual([])
    await writeExternalRun(dir, bad)
    await expect(writeExternalRun(dir, bad)).rejects.toThrow(/run bad already exists/)
  })

  it('grows the snapshot axis; a reader mid-growth sees only the first `snapshots`', async () => {
    const dir = `${root}/p4.sgdscope`
    const w = await ExternalRunWriter.createOrJoin(dir, {
      id: 'grow',
      spec: { source: 'python', nets: 2, classes: 2, outputs: 'probabilities', probe: 3 },
      labels: [0, 1, -1],
      metrics: ['test_error'],
    })
    const empty = await RunArchive.open(w.dir)
    expect(empty.attrs.snapshots).toBe(0)
    expect(await empty.readDone()).toEqual(new Uint8Array(0))
    await w.start()
    expect(await w.record(0, 0, { outputs: [1, 0, 0, 1, 0.5, 0.5], metrics: { test_error: 0.5 } })).toBe(0)
    expect(await w.record(1, 0.5, { outputs: [0, 1, 0, 1, 0.5, 0.5] })).toBe(1)
    expect(await w.record(0, 0.5, { outputs: [1, 0, 1, 0, 0.5, 0.5] })).toBe(1)
    await expect(w.record(0, 0.25, { outputs: [1, 0, 1, 0, 0.5, 0.5] })).rejects.toThrow(
      /epoch 0.25 is earlier than the last recorded epoch 0.5/,
    )
    // What a reader sees while a writer is between growing the arrays and setting the
    // group's count: arrays longer than `snapshots`, the axis chunk with an extra entry.
    await w.addSnapshot(2)
    const group = JSON.parse(await fs.readFile(`${w.dir}/zarr.json`, 'utf8'))
    group.attributes.snapshots = 2
    await fs.writeFile(`${w.dir}/zarr.json`, JSON.stringify(group))
    const mid = await RunArchive.open(w.dir)
    expect(mid.attrs.snapshots).toBe(2)
    expect(Array.from((await mid.readTimes()).epochs)).toEqual([0, 0.5])
    expect(Array.from(await mid.readDone())).toEqual([1, 1, 0, 1])
    expect(Array.from(await mid.readTau(1, 1))).toEqual([0, 1, 0, 1, 0.5, 0.5])
    expect((await mid.readMetrics()).length).toBe(2 * 2 * 1)
    expect(await liveStatus(mid)).toBe('running') // this process holds the recorder lock
    await w.close({ status: 'interrupted' })
    expect(await liveStatus(await RunArchive.open(w.dir))).toBe('interrupted')
  })

  it('a recording whose process died is interrupted; a joining writer must agree', async () => {
    const dir = `${root}/p5.sgdscope`
    const init = {
      id: 'dead',
      spec: { source: 'python' as const, nets: 1, classes: 2, outputs: 'probabilities' as const, probe: 2 },
      labels: [0, 1],
    }
    const w = await ExternalRunWriter.createOrJoin(dir, init)
    await w.start()
    await w.record(0, 0, { outputs: [1, 0, 0, 1] })
    // Its lock now names a process that is gone.
    const lock = (await fs.readdir(w.dir)).find((f) => f.startsWith('lock-recorder-'))!
    const info = JSON.parse(await fs.readFile(path.join(w.dir, lock), 'utf8'))
    await fs.writeFile(path.join(w.dir, lock), JSON.stringify({ ...info, pid: 2 ** 22 + 12345 }))
    expect(await liveStatus(await RunArchive.open(w.dir))).toBe('interrupted')
    await expect(ExternalRunWriter.createOrJoin(dir, { ...init, labels: [1, 1] })).rejects.toThrow(
      /run dead already exists and differs: its probe labels differ/,
    )
    await expect(ExternalRunWriter.createOrJoin(dir, { ...init, spec: { ...init.spec, nets: 2 } })).rejects.toThrow(
      /it has 1 nets, this writer says 2/,
    )
    const joined = await ExternalRunWriter.createOrJoin(dir, init)
    expect(joined.attrs.snapshots).toBe(1)
  })

  it('refuses a newer format and names what is malformed', async () => {
    const { run } = await writeTestExternalRun(`${root}/p6.sgdscope`, { id: 'm', nets: 1, snapshots: 2, probe: 3 })
    const meta = `${run.dir}/zarr.json`
    const good = await fs.readFile(meta, 'utf8')
    const g = JSON.parse(good)
    await fs.writeFile(
      meta,
      JSON.stringify({ ...g, attributes: { ...g.attributes, sgdscope: { kind: 'run', format: 5 } } }),
    )
    await expect(RunArchive.open(run.dir)).rejects.toThrow(
      /newer sgdscope \(run format 5, this version reads up to 4\); update sgdscope/,
    )
    await fs.writeFile(meta, JSON.stringify({ ...g, attributes: { ...g.attributes, snapshots: 3 } }))
    await expect(RunArchive.open(run.dir)).rejects.toThrow(
      /tau has shape \[1, 2, 3, 3\], the attributes say \[1, ≥3, 3, 3\]/,
    )
    await fs.writeFile(
      meta,
      JSON.stringify({ ...g, attributes: { ...g.attributes, probe: { size: 3, labelsSha256: 'abc' } } }),
    )
    await expect(RunArchive.open(run.dir)).rejects.toThrow(/probe.labelsSha256: a SHA-256/)
    await fs.writeFile(meta, good)
    await fs.rm(`${run.dir}/labels`, { recursive: true })
    await expect(RunArchive.open(run.dir)).rejects.toThrow(/damaged: the labels array is missing/)
  })

  it('four processes recording different networks of one run lose nothing', async () => {
    const dir = `${root}/p7.sgdscope`
    const S = 6
    const children = [0, 1, 2, 3].map((k) =>
      spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'shared', String(S), String(k)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    )
    const results = await Promise.all(
      children.map(
        (c) =>
          new Promise<string>((r) => {
            let err = ''
            c.stderr!.on('data', (d) => (err += d))
            c.on('exit', (code) => r(`exit ${code}${err ? `: ${err}` : ''}`))
          }),
      ),
    )
    expect(results).toEqual(['exit 0', 'exit 0', 'exit 0', 'exit 0'])
    const run = await RunArchive.open(`${dir}/runs/shared`)
    expect(run.attrs.snapshots).toBe(S)
    expect(run.attrs.status).toBe('complete')
    expect(Array.from((await run.readTimes()).epochs)).toEqual([0, 1, 2, 3, 4, 5])
    expect(Array.from(await run.readDone()).every((d) => d === 1)).toBe(true)
    const m = await run.readMetrics()
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < S; j++) {
        expect(m[k * S + j]).toBeCloseTo(k + j / 100, 5)
        expect((await run.readTau(k, j))[(k + j) % 3]).toBe(1)
      }
    expect((await fs.readdir(run.dir)).filter((f) => f.startsWith('lock') || f.endsWith('.lock'))).toEqual([])
  })
})
