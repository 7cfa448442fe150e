/** `sgdscope evaluate-checkpoints` from the command line: a run, --pattern, usage errors, Ctrl-C. */
import { cpSync, mkdirSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { RunArchive } from '../../../src/main/archive/run'
import { spawnCli } from '../../helpers/cli-process'
import { checkpointFixtures, torchMissing } from './fixtures'
import { tempDir } from '../../helpers/tmp'
import { runCli } from '../../helpers/cli-in-process'

const cli = (...argv: string[]) => runCli(argv)

const missing = torchMissing()
if (missing) console.warn(`skipping evaluate-checkpoints CLI tests: ${missing}`)

describe('sgdscope evaluate-checkpoints: usage', () => {
  it('needs a folder and --probe, and names bad options', async () => {
    const none = await cli('evaluate-checkpoints', '--probe', 'mnist:10')
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/needs the checkpoint folder DIR/)
    const noProbe = await cli('evaluate-checkpoints', '/tmp')
    expect(noProbe.code).toBe(2)
    expect(noProbe.err).toMatch(/needs --probe \(mnist:N, fashion-mnist:N/)
    const outputs = await cli('evaluate-checkpoints', '/tmp', '--probe', 'mnist:10', '--outputs', 'scores')
    expect(outputs.code).toBe(2)
    expect(outputs.err).toMatch(/--outputs must be probabilities or logits or values, not "scores"/)
    const probe = await cli('evaluate-checkpoints', '/tmp', '--probe', 'cifar:10')
    expect(probe.code).toBe(1)
    expect(probe.err).toMatch(/--probe cifar:10: unknown probe set/)
  })
})

describe.skipIf(missing !== null)('sgdscope evaluate-checkpoints', () => {
  it('records a flat folder as a run and finds it again with a custom --pattern', async () => {
    const fx = checkpointFixtures()
    const root = tempDir('sgdscope-ckpt-cli-')
    const project = path.join(root, 'p.sgdscope')
    const r = await cli(
      'evaluate-checkpoints',
      path.join(fx.dir, 'mlp'),
      '--probe',
      'mnist:300',
      '--project',
      project,
      '--name',
      'mlp-seeds',
      '--workers',
      '2',
    )
    expect(r.err).toMatch(/found 6 checkpoint\(s\) in .*: 2 net\(s\) \(numbers 0, 1\) × 3 epoch\(s\) \(0, 1, 2\)/)
    expect(r.code).toBe(0)
    expect(r.out).toMatch(
      /^run (\S+) in .*p\.sgdscope: 2 net\(s\) × 3 snapshot\(s\), logits \(τ = softmax\), 10 output\(s\) per probe item/m,
    )
    expect(r.out).toMatch(/probe error \(mean over nets\): \d+\.\d+% at epoch 0, \d+\.\d+% at epoch 2/)
    const id = /^run (\S+)/m.exec(r.out)![1]!
    const list = await cli('list', '--project', project, '--json')
    expect(JSON.parse(list.out).map((x: { id: string }) => x.id)).toEqual([id])

    // The same checkpoints under other names: seed{net}/step-{epoch}.onnx
    const renamed = path.join(root, 'renamed')
    for (const f of readdirSync(path.join(fx.dir, 'mlp'))) {
      const [, net, epoch] = /^net(\d+)_epoch(\d+)\.onnx$/.exec(f)!
      mkdirSync(path.join(renamed, `seed${net}`), { recursive: true })
      cpSync(path.join(fx.dir, 'mlp', f), path.join(renamed, `seed${net}`, `step-${epoch}.onnx`))
    }
    const d = await cli(
      'evaluate-checkpoints',
      renamed,
      '--probe',
      'mnist:300',
      '--project',
      project,
      '--pattern',
      'seed{net}/step-{epoch}.onnx',
      '--json',
    )
    expect(d.code).toBe(0)
    const j = JSON.parse(d.out)
    expect(j).toMatchObject({ nets: [0, 1], epochs: [0, 1, 2], unmatched: [], gaps: [] })
    const [a, b] = [await RunArchive.open(path.join(project, 'runs', id)), await RunArchive.open(j.runDir)]
    for (let k = 0; k < 2; k++) for (let s = 0; s < 3; s++) expect(await b.readTau(k, s)).toEqual(await a.readTau(k, s))
    expect(b.attrs.probe).toEqual(a.attrs.probe)
  })

  it('Ctrl-C stops the evaluation, exits 130 and writes no run', async () => {
    const fx = checkpointFixtures()
    const root = tempDir('sgdscope-ckpt-sigint-')
    const dir = path.join(root, 'many')
    // 90 checkpoints: once the first is done, the rest take far longer than a signal's delivery.
    for (let n = 0; n < 30; n++) cpSync(path.join(fx.dir, 'cnn/net1'), path.join(dir, `net${n}`), { recursive: true })
    const project = path.join(root, 'p.sgdscope')
    const child = spawnCli([
      'evaluate-checkpoints',
      dir,
      '--probe',
      'mnist:1000',
      '--project',
      project,
      '--workers',
      '2',
    ])
    // Interrupt once the first checkpoint is done (the progress line says so).
    await vi.waitFor(() => expect(child.output()).toMatch(/evaluating: 1\/90 checkpoints/), {
      timeout: 120_000,
      interval: 50,
    })
    child.kill('SIGINT')
    expect(await child.exited).toBe(130)
    expect(child.output()).toMatch(/cancelled: no run was written/)
    let runs: string[] = []
    try {
      runs = readdirSync(path.join(project, 'runs'))
    } catch {
      /* the project was never created: nothing was written */
    }
    expect(runs).toEqual([])
  })
})
