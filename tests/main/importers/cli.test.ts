import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/tmp'
import { readBack, runsLeft, writeFixtures } from './helpers'
import { runCli } from '../../helpers/cli-in-process'

const cli = runCli

describe('sgdscope import', () => {
  const root = tempDir('sgdscope-import-cli-')
  const fx = path.join(root, 'fixtures')
  beforeAll(() => {
    writeFixtures(fx)
  })

  it('imports a file, says what it found and how outputs were read, and keeps --name and --meta', async () => {
    const p = path.join(root, 'a.sgdscope')
    const r = await cli([
      'import',
      path.join(fx, 'savez.npz'),
      '--project',
      p,
      '--name',
      'resnet seeds',
      '--meta',
      'lr=0.1',
      '--meta',
      'model=resnet18',
    ])
    expect(r.code).toBe(0)
    const lines = r.out.trim().split('\n')
    const id = /as run (\S+) in /.exec(lines[0])![1]
    expect(lines).toEqual([
      `imported resnet seeds (NumPy .npz) as run ${id} in ${p}`,
      '  3 network(s) × 4 snapshot(s), probe set of 7, 5 classes',
      '  outputs: logits (guessed: row [0, 0, 0, :] has a negative entry, so not probabilities; --outputs overrides)',
      '  metrics: train_loss, test_error; weights: yes; probe inputs: yes',
      '  not imported (unknown arrays): notes',
    ])
    expect(id).toMatch(/-resnet-seeds-[0-9a-f]{4}$/)
    const run = await readBack(p, id)
    expect(run.attrs.spec).toMatchObject({
      name: 'resnet seeds',
      source: 'import',
      meta: { lr: 0.1, model: 'resnet18' },
    })
  })

  it('--json prints the result; --outputs is checked against the data', async () => {
    const p = path.join(root, 'b.sgdscope')
    const r = await cli([
      'import',
      path.join(fx, 'compressed.npz'),
      '--project',
      p,
      '--outputs',
      'probabilities',
      '--json',
    ])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({
      outputs: 'probabilities',
      outputsReason: 'given',
      nets: 3,
      snapshots: 4,
      probe: 7,
      classes: 5,
    })
    const bad = await cli(['import', path.join(fx, 'savez.npz'), '--project', p, '--outputs', 'probabilities'])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(
      /^sgdscope import: .*savez\.npz: array "outputs" \[3, 4, 7, 5\]: row \[0, 0, 0, :\] has a negative entry/,
    )
  })

  it('bad usage exits 2 with the usage; a bad file exits 1 naming the array and leaves no project behind', async () => {
    const p = path.join(root, 'c.sgdscope')
    const none = await cli(['import', '--project', p])
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/import needs a file \(\.npz, \.npy, \.h5 or a Zarr folder\)\nusage: sgdscope import FILE/)
    const kind = await cli(['import', path.join(fx, 'savez.npz'), '--project', p, '--outputs', 'softmax'])
    expect(kind.code).toBe(2)
    expect(kind.err).toMatch(/--outputs is probabilities, logits, values, not "softmax"/)
    const meta = await cli(['import', path.join(fx, 'savez.npz'), '--project', p, '--meta', 'lr'])
    expect(meta.code).toBe(2)
    expect(meta.err).toMatch(/--meta takes key=value \(e\.g\. --meta lr=0\.1\), not "lr"/)
    const bad = await cli(['import', path.join(fx, 'short_labels.npz'), '--project', p])
    expect(bad.code).toBe(1)
    expect(bad.err).toBe(
      `sgdscope import: ${path.join(fx, 'short_labels.npz')}: array "labels" has shape [6], expected [probe] = [7] (outputs is [3, 4, 7, 5])\n`,
    )
    expect(await runsLeft(p)).toEqual([])
  })

  it('Ctrl-C (the abort signal) cancels with exit code 130 and writes nothing', async () => {
    const p = path.join(root, 'd.sgdscope')
    const ac = new AbortController()
    ac.abort()
    const r = await cli(['import', path.join(fx, 'run.h5'), '--project', p], ac.signal)
    expect(r.code).toBe(130)
    expect(r.err).toBe('import cancelled; nothing was written\n')
    expect(await runsLeft(p)).toEqual([])
  })
})
