import { readdir, readFile, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { embedPaths, runMetrics } from '../../../src/main/analysis/paths'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'

describe('derived metrics are cached in the run', () => {
  it('a second reading gives the same numbers (NaN included) from the cache, keyed by the complete snapshots', async () => {
    const dir = path.join(tempDir(), 'p.sgdscope')
    await Project.openOrCreate(dir)
    await writeTestExternalRun(dir, { id: 'r', nets: 3, snapshots: 5, probe: 20 })
    const p = await Project.open(dir)
    const first = await runMetrics(p, 'r', 'tau')
    expect(first.derived.meanStep.some(Number.isNaN)).toBe(true) // no step before the first snapshot
    const files = await readdir(path.join(dir, 'runs', 'r', 'cache'))
    expect(files).toEqual(['derived-tau-3x5-5.json'])
    expect(await runMetrics(p, 'r', 'tau')).toEqual(first)
    // The cache is what is read: a changed file shows through.
    const file = path.join(dir, 'runs', 'r', 'cache', files[0])
    const cached = JSON.parse(await readFile(file, 'utf8'))
    cached.meanPairwise = cached.meanPairwise.map(() => 42)
    await writeFile(file, JSON.stringify(cached))
    expect((await runMetrics(p, 'r', 'tau')).derived.meanPairwise).toEqual([42, 42, 42, 42, 42])
    // A damaged entry is recomputed, not fatal.
    await writeFile(file, '{ not json')
    expect(await runMetrics(p, 'r', 'tau')).toEqual(first)
  })

  it('an embedding of the whole run writes the same entry from its own distances (no second pass over τ)', async () => {
    const dir = path.join(tempDir(), 'p.sgdscope')
    await Project.openOrCreate(dir)
    await writeTestExternalRun(dir, { id: 'r', nets: 3, snapshots: 5, probe: 20 })
    const p = await Project.open(dir)
    const cache = path.join(dir, 'runs', 'r', 'cache')
    const reference = await runMetrics(p, 'r', 'tau')
    await writeFile(path.join(cache, 'derived-tau-3x5-5.json'), '{ not json') // forgotten
    // A part of the run is not the run: nothing written.
    await embedPaths(p, { runs: ['r'], view: 'tau', method: 'classical', nets: [0, 1] })
    expect(await readFile(path.join(cache, 'derived-tau-3x5-5.json'), 'utf8')).toBe('{ not json')
    await embedPaths(p, { runs: ['r'], view: 'tau', method: 'classical' })
    const written = JSON.parse(await readFile(path.join(cache, 'derived-tau-3x5-5.json'), 'utf8'))
    expect(written).toEqual(JSON.parse(JSON.stringify(reference.derived)))
    expect(await runMetrics(p, 'r', 'tau')).toEqual(reference)
  })
})
