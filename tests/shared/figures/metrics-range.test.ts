import { describe, expect, it } from 'vitest'
import { buildMetrics, resolveStyle, type MetricsData } from '../../../src/shared/figures'

describe('metrics axis ranges', () => {
  it('end on round numbers (6 × 0.05 is 0.3, not 0.30000000000000004)', () => {
    const data: MetricsData = {
      runs: [{ label: 'r', epochs: [0, 1, 2], series: [{ name: 'test_loss', perNet: [[0.26, 0.1, 0.05]] }] }],
    }
    const o = buildMetrics(data, resolveStyle('paper'), { metrics: ['test_loss'] }) as {
      yAxis: { max: number; min: number }[]
    }
    expect(o.yAxis[0]!.max).toBe(0.3)
    expect(String(o.yAxis[0]!.max)).toBe('0.3')
    expect(o.yAxis[0]!.min).toBe(0)
  })
})
