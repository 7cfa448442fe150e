import { describe, expect, it } from 'vitest'
import { checkSpec, parseSpec } from '../../src/shared/spec'
import { PRESETS, PRESET_IDS } from '../../src/shared/presets'

describe('experiment spec', () => {
  it('fills the documented defaults', () => {
    const s = parseSpec({})
    expect(s.kind).toBe('mlp')
    if (s.kind !== 'mlp') throw new Error('kind')
    expect(s).toMatchObject({
      hidden: 100,
      lr: 1,
      loss: 'mse',
      init: 'torch7',
      batch: 1,
      probe: 1000,
      order: 'per-network',
      trainSubset: 10_000,
    })
    expect(s.dataset).toEqual({ source: 'mnist', deskew: true })
  })
  it('names each problem with its field', () => {
    const r = checkSpec({ lr: -1, batch: 0.5 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems.join('\n')).toMatch(/^lr: /m)
    expect(r.problems.join('\n')).toMatch(/^batch: /m)
  })
  it('idx datasets need their four files', () => {
    const r = checkSpec({ dataset: { source: 'idx', trainImages: 'a' } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problems.some((p) => p.startsWith('dataset.testLabels'))).toBe(true)
  })
  it('every preset parses', () => {
    for (const id of PRESET_IDS) for (const r of PRESETS[id].runs) expect(() => parseSpec(r.spec)).not.toThrow()
  })
})

describe('external spec', () => {
  it('is accepted in archives, and needs classes unless the outputs are values', async () => {
    const { RunSpec, ExperimentSpec } = await import('../../src/shared/spec')
    const s = RunSpec.parse({ kind: 'external', source: 'python', nets: 2, classes: 10, outputs: 'logits', probe: 100 })
    expect(s).toMatchObject({ kind: 'external', meta: {} })
    expect(
      RunSpec.safeParse({ kind: 'external', source: 'python', nets: 2, classes: 10, outputs: 'values', probe: 100 })
        .success,
    ).toBe(false)
    expect(
      RunSpec.safeParse({ kind: 'external', source: 'import', nets: 2, classes: null, outputs: 'values', probe: 100 })
        .success,
    ).toBe(true)
    // What sgdscope trains does not include it.
    expect(ExperimentSpec.safeParse(s).success).toBe(false)
    expect(checkSpec(s).ok).toBe(false)
  })
})
