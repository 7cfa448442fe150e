import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'

describe('real data', () => {
  it('the paper’s network learns deskewed MNIST: 2 networks, 1 epoch, η = 1, batch 1 → test error below 5 %', async () => {
    // An independent PyTorch implementation of this spec, 100 networks: 3.6 % mean
    // after one epoch, range 3.2–4.5 %.
    const project = await Project.create(`${tempDir()}/mnist.sgdscope`)
    const run = await createRun(project, { nets: 2, epochs: 1, snapshots: { firstEpoch: 1 } })
    expect(await trainRun(project, run.id)).toBe('complete')
    const m = await (await project.openRun(run.id)).readMetrics()
    const S = run.attrs.snapshots
    for (let k = 0; k < 2; k++) {
      const initial = m[(k * S + 0) * 4 + 3]
      const final = m[(k * S + S - 1) * 4 + 3]
      expect(initial).toBeGreaterThan(0.8) // untrained: about chance
      expect(final).toBeLessThan(0.05)
      expect(final).toBeGreaterThan(0.02)
      expect(m[(k * S + S - 1) * 4 + 1]).toBeLessThan(0.05) // train error on the subset
    }
  })
})
