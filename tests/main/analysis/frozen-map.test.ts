import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { embedPaths, type EmbeddedPaths } from '../../../src/main/analysis/paths'
import { ApiError } from '../../../src/shared/api/errors'
import { tempDir } from '../../helpers/tmp'
import { runCli } from '../../helpers/cli-in-process'

const SMALL = { nets: 3, hidden: 16, epochs: 0.05, probe: 100, trainSubset: 1000, snapshots: { firstEpoch: 50 } }

/** (net, epoch) → [x, y] of one drawn run. */
function byPoint(run: EmbeddedPaths['runs'][number]): Map<string, [number, number]> {
  return new Map(run.nets.flatMap((n) => n.points.map((p) => [`${n.net}@${p.epoch}`, [p.x, p.y]] as const)))
}

describe('paths placed into a frozen map', async () => {
  const project = await Project.create(`${tempDir()}/frozen.sgdscope`)
  const a = await createRun(project, SMALL)
  await trainRun(project, a.id)
  const b = await createRun(project, { ...SMALL, seed: 7 })
  await trainRun(project, b.id)
  const { epochs } = await a.readTimes()
  const S = epochs.length
  const half = epochs[Math.floor(S / 2)]!
  const early: [number | null, number | null] = [null, half]

  it.each(['classical', 'smacof', 'pca', 'inpca'] as const)(
    '%s: later snapshots are placed into the map of the early ones, which never move',
    async (method) => {
      const map = await embedPaths(project, { runs: [a.id], view: 'tau', method, epochs: early })
      expect(map.key).toMatch(/^[0-9a-f]{20}$/)
      const placed = await embedPaths(project, {
        runs: [a.id],
        view: 'tau',
        method,
        into: { runs: [a.id], epochs: early },
      })
      const m = map.points
      expect(placed.frozen).toMatchObject({ runs: [a.id], key: map.key, referencePoints: m, addedPoints: 3 * S - m })
      expect(placed.points).toBe(3 * S)
      // Every point of the map is exactly where the map drew it.
      const before = byPoint(map.runs[0]!)
      const after = byPoint(placed.runs[0]!)
      expect(after.size).toBe(3 * S)
      for (const [k, xy] of before) expect(after.get(k)).toEqual(xy)
      expect(placed.fit).toEqual(map.fit)
      expect(placed.frozen!.referenceStress).toBeGreaterThanOrEqual(0)
      expect(placed.frozen!.addedStress).toBeGreaterThan(0)
      expect(placed.frozen!.badlyRepresented).toBe(placed.frozen!.addedStress > 2 * placed.frozen!.referenceStress)
      expect(placed.neighbourhood?.k.length).toBeGreaterThan(0)
      // The same map, named by its key, gives the same picture.
      const byKey = await embedPaths(project, {
        runs: [a.id],
        view: 'tau',
        method,
        into: { runs: [a.id], key: map.key },
      })
      expect(byKey.runs).toEqual(placed.runs)
    },
    120_000,
  )

  it('κ view: PCA and landmark maps take new points too', async () => {
    for (const method of ['pca', 'landmark'] as const) {
      const map = await embedPaths(project, { runs: [a.id], view: 'kappa', method, epochs: early })
      const placed = await embedPaths(project, {
        runs: [a.id],
        view: 'kappa',
        method,
        into: { runs: [a.id], key: map.key },
      })
      const before = byPoint(map.runs[0]!)
      const after = byPoint(placed.runs[0]!)
      for (const [k, xy] of before) expect(after.get(k)).toEqual(xy)
      expect(placed.frozen!.addedPoints).toBe(3 * S - map.points)
      for (const xy of after.values()) expect(xy.every(Number.isFinite)).toBe(true)
    }
  }, 120_000)

  it("projects another run into a run's map, drawing the map's run beside it", async () => {
    const map = await embedPaths(project, { runs: [a.id], view: 'tau', method: 'smacof' })
    const r = await embedPaths(project, { runs: [b.id], view: 'tau', method: 'smacof', into: { runs: [a.id] } })
    expect(r.runs).toHaveLength(2)
    expect(r.runs[0]!.nets.flatMap((n) => n.points)).toHaveLength(3 * S)
    expect(r.runs[1]).toEqual(map.runs[0]) // the map's run, exactly as its own view draws it
    // Another seed: no point of b is one of the map's, every one is added.
    expect(r.frozen).toMatchObject({ referencePoints: 3 * S, addedPoints: 3 * S, key: map.key })
    expect(r.key).toBe(map.key)
  }, 120_000)

  it('a map that is no longer cached, or of another method, asks for a re-fit', async () => {
    const missing = embedPaths(project, {
      runs: [a.id],
      view: 'tau',
      method: 'smacof',
      into: { runs: [a.id], key: '0123456789abcdef0123' },
    })
    await expect(missing).rejects.toThrow(/no longer in its cache: re-fit the map/)
    await expect(missing).rejects.toBeInstanceOf(ApiError)
    const map = await embedPaths(project, { runs: [a.id], view: 'tau', method: 'classical', epochs: early })
    await expect(
      embedPaths(project, { runs: [a.id], view: 'tau', method: 'smacof', into: { runs: [a.id], key: map.key } }),
    ).rejects.toThrow(/classical map of tau, not of this view's smacof/)
  }, 120_000)

  it('t-SNE, UMAP and PHATE maps refuse new points, saying what to do instead', async () => {
    for (const method of ['tsne', 'umap', 'phate'] as const) {
      const r = embedPaths(project, { runs: [a.id], view: 'tau', method, into: { runs: [a.id] } })
      await expect(r).rejects.toThrow(
        new RegExp(`a ${method} map cannot take new points: freeze an MDS, PCA or InPCA map`),
      )
      await expect(r).rejects.toMatchObject({ code: 'conflict', details: { reason: 'not-applicable' } })
    }
  })

  it('sgdscope embed RUN --into RUN prints the added points’ stress beside the map’s', async () => {
    const r = await runCli(['embed', b.id, '--into', a.id, '--method', 'classical', '--project', project.dir])
    expect(r.err).not.toMatch(/Error/)
    expect(r.code).toBe(0)
    expect(r.out).toMatch(
      new RegExp(
        `into the map of ${a.id} \\(${3 * S} points, stress-1 \\d\\.\\d{4}\\): ${3 * S} points added, their stress-1 \\d\\.\\d{4}`,
      ),
    )
    const bad = await runCli(['embed', b.id, '--into', '', '--project', project.dir])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--into needs a run/)
  }, 120_000)
})
