/**
 * Learning-rate schedules (lrAt) against values computed by hand and printed by PyTorch
 * 2.x for the same run (η = 0.1, 1 000 training images, batch 100, 10 epochs: 100 steps;
 * the schedulers stepped once per batch): CosineAnnealingLR(T_max = 100, eta_min),
 * LinearLR(start_factor = 0.25, total_iters = 20) and ChainedScheduler([LinearLR, StepLR]).
 */
import { describe, expect, it } from 'vitest'
import { lrAt } from '../../../src/main/engine/train'
import { checkSpec, parseSpec, type MlpSpec } from '../../../src/shared/spec'

const N = 1000
const spec = (over: Record<string, unknown>) => parseSpec({ lr: 0.1, epochs: 10, ...over }) as MlpSpec
/** lr of step t (batch 100) */
const at = (s: MlpSpec, step: number) => lrAt(s, step * 100, N)

describe('lrAt', () => {
  it('constant and step are as before', () => {
    expect(at(spec({}), 57)).toBe(0.1)
    const s = spec({ lrSchedule: { kind: 'step', every: 1, gamma: 0.5 } })
    expect([at(s, 0), at(s, 9), at(s, 10), at(s, 25)]).toEqual([0.1, 0.1, 0.05, 0.025])
  })

  it('cosine: η_min + (η − η_min)(1 + cos(π·epoch/epochs))/2, as CosineAnnealingLR', () => {
    const s = spec({ lrSchedule: { kind: 'cosine' } })
    expect(s.lrSchedule).toEqual({ kind: 'cosine', to: 0 })
    expect(at(s, 0)).toBe(0.1)
    // PyTorch: 0.0853553390593274 (step 25), 0.05000000000000004 (step 50), 0.0 (step 100)
    expect(at(s, 25)).toBeCloseTo((0.1 * (1 + Math.SQRT1_2)) / 2, 15)
    expect(at(s, 25)).toBeCloseTo(0.0853553390593274, 15)
    expect(at(s, 50)).toBeCloseTo(0.05, 15)
    expect(at(s, 100)).toBeCloseTo(0, 15)
    const to = spec({ lrSchedule: { kind: 'cosine', to: 0.1 } })
    // PyTorch (eta_min = 0.01): 0.055000000000000014 (step 50), 0.01 (step 100)
    expect(at(to, 50)).toBeCloseTo(0.055, 15)
    expect(at(to, 100)).toBeCloseTo(0.01, 15)
  })

  it('linear warm-up: start + (1 − start)·epoch/epochs, as LinearLR; then the schedule alone', () => {
    const s = spec({ lrWarmup: { epochs: 2, startFactor: 0.25 } })
    // PyTorch: 0.025, 0.0625, 0.1, 0.1 at steps 0, 10, 20, 30
    expect(at(s, 0)).toBeCloseTo(0.025, 15)
    expect(at(s, 10)).toBeCloseTo(0.0625, 15)
    expect(at(s, 20)).toBe(0.1)
    expect(at(s, 30)).toBe(0.1)
  })

  it('warm-up multiplies the schedule, as ChainedScheduler([LinearLR, StepLR])', () => {
    const s = spec({ lrWarmup: { epochs: 2, startFactor: 0.25 }, lrSchedule: { kind: 'step', every: 1, gamma: 0.5 } })
    // PyTorch: 0.025, 0.03125, 0.040625, 0.025, 0.0125 at steps 0, 10, 15, 20, 30
    const want = [0.025, 0.03125, 0.040625, 0.025, 0.0125]
    ;[0, 10, 15, 20, 30].forEach((t, i) => expect(at(s, t)).toBeCloseTo(want[i]!, 15))
  })

  it('defaults: no warm-up (start factor PyTorch’s 1/3); bad values are refused with their field', () => {
    expect(spec({}).lrWarmup).toEqual({ epochs: 0, startFactor: 1 / 3 })
    const bad = checkSpec({ lrWarmup: { epochs: 1, startFactor: 0 }, lrSchedule: { kind: 'cosine', to: 2 } })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.problems.some((p) => p.startsWith('lrWarmup.startFactor'))).toBe(true)
      expect(bad.problems.some((p) => p.startsWith('lrSchedule.to'))).toBe(true)
    }
  })
})
