/**
 * SMACOF from several starts (issue 18 item 4): on data with one answer the starts agree; on
 * data with many equivalent answers (or a planted bad start) the picture is flagged as not
 * unique; the result depends on the seed alone, not on the number of threads.
 */
import { describe, expect, it } from 'vitest'
import { bestOfStarts, smacofStarts, startPlan, STARTS_DISAGREE } from '../../../src/main/analysis/smacof-starts'
import { smacofStartsParallel } from '../../../src/main/analysis/embed-job'
import { smacof, startConfiguration } from '../../../src/main/analysis/smacof'
import { landmarkMdsFromMatrix } from '../../../src/main/analysis/landmark'
import { Rng } from '../../../src/main/engine/rng'

function planeCase(n: number, seed = 3) {
  const rng = new Rng(seed)
  const P = Array.from({ length: n }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)] as const)
  const D = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) D[i * n + j] = Math.hypot(P[i]![0] - P[j]![0], P[i]![1] - P[j]![1])
  return D
}

/** n points all at distance 1: a regular simplex, which the plane cannot hold; every
 * arrangement of the points is as good as any other, so random starts end in different ones. */
function simplexCase(n: number) {
  const D = new Float64Array(n * n).fill(1)
  for (let i = 0; i < n; i++) D[i * n + i] = 0
  return D
}

describe('SMACOF from several starts', () => {
  it('plans a classical start, a landmark start and seeded random ones', () => {
    expect(startPlan(4, { seed: 10 })).toEqual([
      { init: 'classical' },
      { init: 'landmark' },
      { init: 'random', seed: 12 },
      { init: 'random', seed: 13 },
    ])
    expect(startPlan(1)).toEqual([{ init: 'classical' }])
    expect(startPlan(3, { start: 'landmark' })).toEqual([
      { init: 'landmark' },
      { init: 'classical' },
      { init: 'random', seed: 2 },
    ])
    expect(startPlan(2, { start: 'random' })).toEqual([
      { init: 'random', seed: 0 },
      { init: 'random', seed: 1 },
    ])
    expect(() => startPlan(0)).toThrow(/starts must be a whole number from 1 to 32/)
  })

  it('agrees on data with one answer (points of a plane): disagreement ≈ 0, not flagged', () => {
    const n = 30
    const r = smacofStarts(planeCase(n), n, 4)
    const s = r.starts!
    expect(s.starts).toHaveLength(4)
    for (const x of s.starts) expect(x.stress).toBeLessThan(1e-3)
    expect(s.disagreement).toBeLessThan(1e-2)
    expect(s.notUnique).toBe(false)
    expect(s.threshold).toBe(STARTS_DISAGREE)
    // The best start's picture is what is drawn.
    expect(r.stress).toBe(s.starts[s.best]!.stress)
    expect(r.stress).toBe(Math.min(...s.starts.map((x) => x.stress)))
  })

  it('flags data with many equivalent answers (a regular simplex)', () => {
    const n = 12
    const s = smacofStarts(simplexCase(n), n, 4, { seed: 1 }).starts!
    // The stresses are alike (the same kind of minimum), the pictures are not.
    const stresses = s.starts.map((x) => x.stress)
    expect(Math.max(...stresses) - Math.min(...stresses)).toBeLessThan(0.05)
    expect(s.disagreement).toBeGreaterThan(STARTS_DISAGREE)
    expect(s.notUnique).toBe(true)
  })

  it('flags a planted bad start, and keeps the best', () => {
    const n = 30
    const D = planeCase(n)
    const good = smacof(D, n)
    // A start stopped after one pass from a random configuration: another, worse picture.
    const bad = smacof(D, n, { start: 'random', seed: 5, maxIter: 1 })
    const plan = startPlan(2)
    const r = bestOfStarts(plan, [bad, good], n)
    expect(r.starts!.best).toBe(1)
    expect(r.coords).toEqual(good.coords)
    expect(r.starts!.starts[0]!.disagreement).toBeGreaterThan(0.2)
    expect(r.starts!.notUnique).toBe(true)
  })

  it('starts from landmark MDS: its picture, then SMACOF from it to the same minimum on a plane', () => {
    const n = 30
    const D = planeCase(n)
    const init = smacof(D, n, { start: 'landmark', maxIter: 0 })
    expect(Array.from(init.coords)).toEqual(Array.from(landmarkMdsFromMatrix(D, n).coords))
    expect(Array.from(startConfiguration(D, n, 'landmark'))).toEqual(Array.from(init.coords))
    const r = smacof(D, n, { start: 'landmark' })
    expect(r.stress).toBeLessThan(1e-3)
    const s = smacofStarts(D, n, 2).starts!
    expect(s.starts.map((x) => x.init)).toEqual(['classical', 'landmark'])
    expect(s.disagreement).toBeLessThan(1e-2)
  })

  it('is deterministic by seed, whether the starts run in one thread or several', async () => {
    const n = 40
    const D = simplexCase(n)
    const one = await smacofStartsParallel(D, n, 3, { seed: 7 }, undefined, 1)
    const seen: number[] = []
    const two = await smacofStartsParallel(D, n, 3, { seed: 7 }, (done) => seen.push(done), 2)
    expect(Array.from(two.coords)).toEqual(Array.from(one.coords))
    expect(two.starts).toEqual(one.starts)
    expect(one.starts).toEqual(smacofStarts(D, n, 3, { seed: 7 }).starts)
    expect(seen.at(-1)).toBe(3 * 300)
    const other = await smacofStartsParallel(D, n, 3, { seed: 8 }, undefined, 1)
    expect(other.starts!.starts[2]!.stress).not.toBe(one.starts!.starts[2]!.stress)
    // The deterministic starts do not depend on the seed.
    const { disagreement: _a, ...landmarkOther } = other.starts!.starts[1]!
    const { disagreement: _b, ...landmarkOne } = one.starts!.starts[1]!
    expect(landmarkOther).toEqual(landmarkOne)
  }, 60_000)
})
