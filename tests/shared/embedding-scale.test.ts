import { describe, expect, it } from 'vitest'
import {
  QUADRATIC_WARN_ABOVE,
  STREAM_ABOVE,
  defaultMethod,
  defaultSwitchNote,
  embeddingCost,
  scaleWarning,
} from '../../src/shared/embedding-scale'
import { fitText } from '../../src/shared/figures/diagnostics'

describe('embedding at scale', () => {
  it('switches the default method to landmark above STREAM_ABOVE points', () => {
    expect(defaultMethod(STREAM_ABOVE)).toBe('smacof')
    expect(defaultMethod(STREAM_ABOVE + 1)).toBe('landmark')
    expect(defaultSwitchNote(100_000)).toContain('100,000 points is above 12,000')
  })

  it('warns before an O(n²) method on a large n, with time and memory', () => {
    expect(scaleWarning('smacof', QUADRATIC_WARN_ABOVE, 10_000)).toBeUndefined()
    expect(scaleWarning('landmark', 100_000, 10_000)).toBeUndefined()
    const w = scaleWarning('smacof', 100_000, 10_000)!
    expect(w).toMatch(
      /^smacof on 100,000 points needs all 5,000 million pairwise distances: about \d+\.\d GB of memory and \d/,
    )
    expect(w).toContain('Landmark MDS or PCA')
    // 100,000² doubles are 80 GB: the estimate is at least that.
    expect(embeddingCost('smacof', 100_000, 10_000).bytes).toBeGreaterThan(80e9)
    // Streamed landmark is bounded: well under 4 GB at 100,000 points.
    expect(embeddingCost('landmark', 100_000, 10_000).bytes).toBeLessThan(4 * 1024 ** 3)
  })
})

describe('estimated stress in text', () => {
  it('is marked as estimated with its interval (CLI, app, captions)', () => {
    const estimate = { value: 0.1261, low: 0.1157, high: 0.1364, pairs: 1_999_000, points: 2000 }
    expect(fitText({ name: 'stress-1', value: 0.1261, estimate }, 4)).toBe(
      'stress-1 ≈ 0.1261 (estimated, 95 % CI 0.1157–0.1364)',
    )
    expect(fitText({ name: 'stress-1', value: 0.1261 }, 4)).toBe('stress-1 0.1261')
  })
})
