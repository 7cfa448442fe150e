import { describe, expect, it } from 'vitest'
import type { EChartsOption } from 'echarts'
import { buildFigure, buildStability, resolveStyle, type StabilityData } from '../../../src/shared/figures'

type Any = Record<string, any>
const paper = resolveStyle('paper')
const series = (o: EChartsOption) => (o.series as Any[]) ?? []

const data: StabilityData = {
  title: '2 parents × 2 children',
  at: [0, 0.05, 0.2, 1],
  siblings: [0.1, 0.05, 0.01, 0],
  siblingsAligned: [0.08, 0.03, 0.005, 0],
  perParent: [
    [0.12, 0.06, 0.01, 0],
    [0.08, 0.04, 0.01, 0],
  ],
  strangers: [0.12, 0.12, 0.11, 0.12],
  threshold: 0.02,
}

describe('stability figure', () => {
  it('draws siblings (mean, aligned, per parent), strangers and the threshold against k on a log axis, k = 0 at its left end labelled 0', () => {
    const o = buildStability(data, paper)
    const lines = series(o).filter((s) => s.type === 'line')
    const pts = (s: Any) => s.data as [number, number][]
    // Threshold, strangers, aligned, mean siblings; per-parent lines in one series (two lines).
    const mean = lines.find((s) => pts(s).length === 4 && pts(s)[1]![1] === 5)
    expect(mean).toBeDefined()
    const x = (o.xAxis as Any[])[0]
    expect(x.type).toBe('log')
    expect(pts(mean!)[0]![0]).toBe(x.min) // k = 0 sits at the left end…
    expect(x.axisLabel.formatter(x.min)).toBe('0') // …and is labelled 0
    expect(x.axisLabel.formatter(0.1)).toBe('0.1')
    expect(x.min).toBeLessThan(0.05)
    expect(lines.some((s) => pts(s).every((p) => p[1] === 2))).toBe(true) // 2 % threshold
    expect(lines.some((s) => pts(s)[1]![1] === 12)).toBe(true) // strangers in %
  })

  it('is a registered figure kind with a natural height', () => {
    const { option, heightIn } = buildFigure('stability', { ...data, strangers: null }, { ...paper, widthIn: 3.5 })
    expect(heightIn).toBeGreaterThan(1.5)
    expect(series(option).some((s) => s.type === 'line')).toBe(true)
  })
})
