/**
 * Checkpoint folders made by PyTorch, evaluated into runs: τ equals PyTorch's own
 * outputs on the same probe inputs within float32 round-off; bad folders get messages
 * naming the file; a cancelled evaluation leaves no run behind.
 */
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateCheckpoints, CancelledError } from '../../../src/main/checkpoints/evaluate'
import { loadProbe, type ProbeSet } from '../../../src/main/checkpoints/probe'
import { RunArchive } from '../../../src/main/archive/run'
import { loadDataset } from '../../../src/main/datasets/registry'
import { datasetProbe } from '../../../src/main/experiments/probe'
import { probeInfo } from '../../../src/main/archive/probe'
import { checkpointFixtures, torchMissing, type Fixtures, type ManifestEntry } from './fixtures'
import { tempDir } from '../../helpers/tmp'

const missing = torchMissing()
if (missing) console.warn(`skipping checkpoint evaluation against PyTorch: ${missing}`)

/** τ is stored in float32; PyTorch's logits differ from ONNX Runtime's by float32
 * round-off (different summation orders), and the softmax maps that to at most a few
 * 1e-7 in probability. */
const TAU_TOLERANCE = 1e-6

/** Softmax of PyTorch's logits, in float64. */
function softmax64(logits: Float32Array, C: number): Float64Array {
  const out = new Float64Array(logits.length)
  for (let r = 0; r < logits.length; r += C) {
    let max = -Infinity
    for (let c = 0; c < C; c++) max = Math.max(max, logits[r + c]!)
    let sum = 0
    for (let c = 0; c < C; c++) sum += Math.exp(logits[r + c]! - max)
    for (let c = 0; c < C; c++) out[r + c] = Math.exp(logits[r + c]! - max) / sum
  }
  return out
}

function argmaxError(logits: Float32Array, C: number, labels: Int32Array): number {
  let wrong = 0
  for (let i = 0; i < labels.length; i++) {
    let a = 0
    for (let c = 1; c < C; c++) if (logits[i * C + c]! > logits[i * C + a]!) a = c
    if (a !== labels[i]) wrong++
  }
  return wrong / labels.length
}

/** Checks every (net, snapshot) of a run against PyTorch; returns the largest |Δτ|. */
async function compareWithTorch(
  run: RunArchive,
  fx: Fixtures,
  entries: ManifestEntry[],
  probe: ProbeSet,
): Promise<number> {
  const nets = [...new Set(entries.map((e) => e.net))].sort((a, b) => a - b)
  const epochs = [...new Set(entries.map((e) => e.epoch))].sort((a, b) => a - b)
  expect(run.attrs.nets).toBe(nets.length)
  expect(run.attrs.snapshots).toBe(epochs.length)
  expect(Array.from((await run.readTimes()).epochs)).toEqual(epochs)
  const metrics = await run.readMetrics()
  const cols = run.attrs.metrics
  expect(cols).toEqual(['probe_error', 'probe_loss'])
  let maxAbs = 0
  for (const e of entries) {
    const k = nets.indexOf(e.net)
    const j = epochs.indexOf(e.epoch)
    const want = softmax64(fx.expected(e), 10)
    const tau = await run.readTau(k, j)
    expect(tau.length).toBe(want.length)
    for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(tau[i]! - want[i]!))
    const at = (k * epochs.length + j) * cols.length
    expect(metrics[at]).toBeCloseTo(argmaxError(fx.expected(e), 10, probe.labels), 6)
  }
  return maxAbs
}

const runsIn = (project: string) => {
  try {
    return readdirSync(path.join(project, 'runs'))
  } catch {
    return []
  }
}

describe.skipIf(missing !== null)('evaluate-checkpoints against PyTorch', () => {
  it('a CNN folder (net{N}/epoch{E}, zero-padded and decimal epochs) gives τ = softmax of PyTorch’s logits', async () => {
    const fx = checkpointFixtures()
    const project = path.join(tempDir('sgdscope-ckpt-eval-'), 'p.sgdscope')
    const probe = await loadProbe('mnist:1000')
    const seen: number[] = []
    const r = await evaluateCheckpoints({
      dir: path.join(fx.dir, 'cnn'),
      probe,
      projectDir: project,
      name: 'cnn-seeds',
      workers: 2,
      onProgress: (p) => p.stage === 'evaluating' && seen.push(p.done),
    })
    expect(seen).toEqual([1, 2, 3, 4, 5, 6])
    const run = await RunArchive.open(r.runDir)
    const a = run.attrs
    expect(a.sgdscope).toEqual({ kind: 'run', format: 2 })
    expect(a.status).toBe('complete')
    expect(a.spec).toMatchObject({
      kind: 'external',
      source: 'checkpoints',
      name: 'cnn-seeds',
      nets: 2,
      classes: 10,
      outputs: 'logits',
      probe: 1000,
    })
    expect((a.spec as { meta: Record<string, unknown> }).meta).toMatchObject({
      netNumbers: [1, 2],
      input: { name: 'input', shape: ['batch', 1, 28, 28] },
    })
    expect(a.pointShape).toEqual([1000, 10])
    expect(a.versions['onnxruntime-web']).toMatch(/^\d+\.\d+/)
    // The fingerprint is the in-app runs' one for the same images: compare works.
    const inApp = datasetProbe(await loadDataset({ source: 'mnist', deskew: false }, { shared: false }), 1000)
    expect(a.probe).toEqual(inApp)
    expect(Array.from((await run.readLabels())!)).toEqual(Array.from(probe.labels))
    const inputs = (await run.readProbeInputs())!
    expect(inputs.shape).toEqual([1000, 28, 28])
    expect(inputs.data).toEqual(probe.inputs.slice())
    const maxAbs = await compareWithTorch(run, fx, fx.manifest.layouts.cnn, probe)
    console.log(`CNN: max |τ − softmax(PyTorch logits)| = ${maxAbs.toExponential(2)} (tolerance ${TAU_TOLERANCE})`)
    expect(maxAbs).toBeLessThan(TAU_TOLERANCE)
  })

  it('an MLP folder (net{N}_epoch{E}, fixed batch of one) on a .npz probe set, and on a .npy pair', async () => {
    const fx = checkpointFixtures()
    const project = path.join(tempDir('sgdscope-ckpt-npz-'), 'p.sgdscope')
    const viaNpz = await loadProbe(path.join(fx.dir, 'probe.npz'))
    expect(viaNpz.shape).toEqual([1, 28, 28])
    const r = await evaluateCheckpoints({
      dir: path.join(fx.dir, 'mlp'),
      probe: viaNpz,
      projectDir: project,
      workers: 2,
    })
    const run = await RunArchive.open(r.runDir)
    expect((run.attrs.spec as { meta: Record<string, unknown> }).meta).toMatchObject({
      netNumbers: [0, 1],
      input: { shape: [1, 784] },
    })
    const maxAbs = await compareWithTorch(run, fx, fx.manifest.layouts.mlp, viaNpz)
    console.log(`MLP: max |τ − softmax(PyTorch logits)| = ${maxAbs.toExponential(2)} (tolerance ${TAU_TOLERANCE})`)
    expect(maxAbs).toBeLessThan(TAU_TOLERANCE)
    // The same pixels and labels as mnist:1000: the same fingerprint, so the runs compare.
    const mnist = await loadProbe('mnist:1000')
    expect(run.attrs.probe).toMatchObject({
      labelsSha256: probeInfo(mnist.labels).labelsSha256,
      inputsSha256: probeInfo(mnist.labels, mnist.inputs.slice()).inputsSha256,
    })
    const pair = await loadProbe(
      `npy:${path.join(fx.dir, 'probe-inputs.npy')},${path.join(fx.dir, 'probe-labels.npy')}:300`,
    )
    const r2 = await evaluateCheckpoints({
      dir: path.join(fx.dir, 'mlp'),
      probe: pair,
      projectDir: project,
      workers: 1,
    })
    const run2 = await RunArchive.open(r2.runDir)
    expect((await run2.readProbeInputs())!.shape).toEqual([300, 784])
    for (let k = 0; k < 2; k++)
      for (let s = 0; s < 3; s++) expect(await run2.readTau(k, s)).toEqual((await run.readTau(k, s)).subarray(0, 3000))
  })

  it('reports gaps naming the net and epoch, and records them as not done with allowGaps', async () => {
    const fx = checkpointFixtures()
    const root = tempDir('sgdscope-ckpt-gap-')
    const dir = path.join(root, 'cnn')
    cpSync(path.join(fx.dir, 'cnn'), dir, { recursive: true })
    rmSync(path.join(dir, 'net2/epoch0.5.onnx'))
    writeFileSync(path.join(dir, 'notes.txt'), 'stray')
    const project = path.join(root, 'p.sgdscope')
    const probe = await loadProbe('mnist:200')
    await expect(evaluateCheckpoints({ dir, probe, projectDir: project, workers: 1 })).rejects.toThrow(
      /1 checkpoint\(s\) missing: net 2 at epoch 0\.5 \(every net needs a checkpoint at every epoch found: 0, 0\.5, 2\).*--allow-gaps/,
    )
    expect(runsIn(project)).toEqual([])
    const log: string[] = []
    const r = await evaluateCheckpoints({
      dir,
      probe,
      projectDir: project,
      workers: 1,
      allowGaps: true,
      onLog: (l) => log.push(l),
    })
    expect(log.join('\n')).toMatch(/1 file\(s\) in .* match no pattern .*: notes\.txt/)
    expect(log.join('\n')).toMatch(/net 2 at epoch 0\.5; left unrecorded/)
    const run = await RunArchive.open(r.runDir)
    expect(Array.from(await run.readDone())).toEqual([1, 1, 1, 1, 0, 1])
  })

  it('a corrupt .onnx fails with a message naming the file and leaves no run', async () => {
    const fx = checkpointFixtures()
    const root = tempDir('sgdscope-ckpt-corrupt-')
    const dir = path.join(root, 'cnn')
    cpSync(path.join(fx.dir, 'cnn'), dir, { recursive: true })
    const bad = path.join(dir, 'net2/epoch002.onnx')
    writeFileSync(bad, Buffer.from('this is not protobuf'))
    const project = path.join(root, 'p.sgdscope')
    await expect(
      evaluateCheckpoints({ dir, probe: await loadProbe('mnist:100'), projectDir: project, workers: 2 }),
    ).rejects.toThrow(`${bad} is not a loadable ONNX model (20 bytes)`)
    expect(runsIn(project)).toEqual([])
  })

  it('a probe set that does not fit the model is named with both shapes', async () => {
    const fx = checkpointFixtures()
    const project = path.join(tempDir('sgdscope-ckpt-shape-'), 'p.sgdscope')
    const probe: ProbeSet = {
      id: 'synthetic',
      count: 4,
      shape: [32, 32],
      inputs: new Float32Array(new SharedArrayBuffer(4 * 4 * 1024)),
      labels: new Int32Array(4),
      classes: 10,
    }
    await expect(
      evaluateCheckpoints({ dir: path.join(fx.dir, 'mlp'), probe, projectDir: project, workers: 1 }),
    ).rejects.toThrow(
      /net0_epoch0\.onnx: model input "input" has shape \[1, 784\] but the probe items have shape \[32, 32\] \(1024 values each\)/,
    )
  })

  it('cancel mid-way: the workers stop and no run, not even a hidden half-built one, is left', async () => {
    const fx = checkpointFixtures()
    const root = tempDir('sgdscope-ckpt-cancel-')
    const dir = path.join(root, 'many')
    for (let n = 0; n < 4; n++) cpSync(path.join(fx.dir, 'cnn/net1'), path.join(dir, `net${n}`), { recursive: true })
    const project = path.join(root, 'p.sgdscope')
    const ac = new AbortController()
    let progress = 0
    const p = evaluateCheckpoints({
      dir,
      probe: await loadProbe('mnist:1000'),
      projectDir: project,
      workers: 2,
      signal: ac.signal,
      onProgress: () => {
        if (++progress === 2) ac.abort()
      },
    })
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(progress).toBeLessThan(12)
    expect(runsIn(project)).toEqual([])
  })

  it('cancel while the run is written: the half-built run is removed, the project keeps no trace of it', async () => {
    const fx = checkpointFixtures()
    const project = path.join(tempDir('sgdscope-ckpt-cancel-write-'), 'p.sgdscope')
    const ac = new AbortController()
    const stages: string[] = []
    const p = evaluateCheckpoints({
      dir: path.join(fx.dir, 'mlp'),
      probe: await loadProbe('mnist:100'),
      projectDir: project,
      workers: 1,
      signal: ac.signal,
      onProgress: (x) => {
        stages.push(`${x.stage} ${x.done}/${x.total}`)
        if (x.stage === 'writing') ac.abort()
      },
    })
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(stages.slice(-2)).toEqual(['evaluating 6/6', 'writing 1/6'])
    expect(readdirSync(path.join(project, 'runs'))).toEqual([])
  })
})
