/** Distances between whole paths on real runs: through the service (as the hosts call it) and the CLI. */
import { describe, expect, it } from 'vitest'
import * as path from 'node:path'
import { Service } from '../../../../src/main/service'
import { FileSettingsStore } from '../../../../src/main/settings'
import { Project } from '../../../../src/main/archive/project'
import { createRun, trainRun } from '../../../../src/main/experiments/runner'
import { runCli } from '../../../helpers/cli-in-process'
import { tempDir } from '../../../helpers/tmp'
import type { PathDistancesReport } from '../../../../src/shared/figures/beyond-data'

const SPEC = { nets: 3, hidden: 8, epochs: 0.05, probe: 100, trainSubset: 500, snapshots: { firstEpoch: 200 } }

describe('path distances', () => {
  it('compare whole paths within and across runs, pairing networks that start alike', async () => {
    const root = tempDir()
    const dir = path.join(root, 'paths.sgdscope')
    const project = await Project.create(dir)
    // The same seeds at two learning rates: each network starts alike in both runs.
    const a = await createRun(project, { ...SPEC, name: 'lr 0.1', lr: 0.1 })
    const b = await createRun(project, { ...SPEC, name: 'lr 0.3', lr: 0.3 })
    await trainRun(project, a.id, { workers: 1 })
    await trainRun(project, b.id, { workers: 1 })
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), watch: false })
    await service.call('project.open', { dir })
    const pathDistances = (args: object) => service.call('beyond.pathDistances', args) as Promise<PathDistancesReport>
    try {
      const r = await pathDistances({ runs: [a.id, b.id] })
      const P = 6
      expect(r.paths.map((p) => `${p.runId === a.id ? 'a' : 'b'}${p.net}`)).toEqual([
        'a0',
        'a1',
        'a2',
        'b0',
        'b1',
        'b2',
      ])
      for (const M of [r.frechet, r.aligned]) {
        expect(M).toHaveLength(P)
        for (let i = 0; i < P; i++) {
          expect(M[i][i]).toBe(0)
          for (let j = 0; j < P; j++) expect(M[i][j]).toBe(M[j][i])
        }
      }
      // The Fréchet leash is at least as long as the distance between the starts and between the ends.
      expect(r.frechet[0][1]).toBeGreaterThan(0)
      expect(r.embedding.coords).toHaveLength(P)
      expect(r.embedding.of).toBe('aligned')
      const [c] = r.comparisons
      expect(c.runs).toEqual([a.id, b.id])
      expect(c.sameStart.pairs).toBe(3)
      expect(c.differentStart.pairs).toBe(6)
      expect(c.ratio).toBeCloseTo(c.sameStart.aligned / c.differentStart.aligned, 12)
      expect(r.spread.map((s) => s.pairs)).toEqual([3, 3])

      // A run against itself: every network's path coincides with its copy.
      const self = await pathDistances({ runs: [a.id, a.id], progress: 'error' })
      expect(self.comparisons[0].sameStart.aligned).toBe(0)
      expect(self.comparisons[0].sameStart.frechet).toBe(0)
      expect(self.comparisons[0].verdict).toBe('the same path, at its own speed')
      const kappa = await pathDistances({ runs: [a.id], view: 'kappa' })
      expect(kappa.frechet[0][1]).toBeGreaterThanOrEqual(0)
      expect(kappa.frechet[0][1]).toBeLessThanOrEqual(1) // a disagreement fraction

      await expect(service.call('beyond.pathDistances', { runs: [a.id], nets: [0] })).rejects.toMatchObject({
        code: 'bad-input',
        message: expect.stringContaining('at least two networks'),
      })
    } finally {
      await service.close()
    }

    const out = await runCli(['path-distances', a.id, b.id, '--project', dir])
    expect(out.code).toBe(0)
    expect(out.out).toContain('6 paths (tau): discrete Fréchet distance and mean τ distance at equal progress')
    expect(out.out).toMatch(/vs .*same start .* aligned \(3 pairs\), different starts .* \(6 pairs\); ratio/)
    const bad = await runCli(['path-distances', a.id, '--progress', 'speed', '--project', dir])
    expect(bad.code).not.toBe(0)
    expect(bad.err).toContain('--progress must be length or error, not "speed"')
  })
})
