import { describe, expect, it } from 'vitest'
import { buildFigure, resolveStyle } from '../../../src/shared/figures'
import type { PathsData } from '../../../src/shared/figures/data'

type Any = Record<string, any>

const base: PathsData = { runs: [], view: 'tau', method: 'smacof', stress: 0.1, fit: { name: 'stress-1', value: 0.1 } }

describe('shepard figure', () => {
  it('draws every pair and the isotonic fit, titled by view, method and fit', () => {
    const data: PathsData = {
      ...base,
      shepard: { pairs: 3, points: [1, 1.1, 2, 1.8, 3, 3.2], fit: [1, 1.1, 2, 1.8, 3, 3.2] },
    }
    const { option } = buildFigure('shepard', data, resolveStyle('paper', { widthIn: 3.5 }))
    const series = option.series as Any[]
    const scatter = series.find((s) => s.type === 'scatter')!
    expect(scatter.data).toEqual([
      [1, 1.1],
      [2, 1.8],
      [3, 3.2],
    ])
    const texts = JSON.stringify(option.graphic)
    expect(texts).toContain('τ · smacof · stress-1 0.100')
    expect(texts).toContain('isotonic fit')
  })

  it('draws the non-empty bins of a binned diagram', () => {
    const counts = [5, 0, 0, 7]
    const data: PathsData = {
      ...base,
      shepard: { pairs: 12, bins: { nx: 2, ny: 2, xMax: 2, yMax: 4, counts }, fit: [0, 0, 2, 4] },
    }
    const { option } = buildFigure('shepard', data, resolveStyle('paper', { widthIn: 3.5 }))
    const scatter = (option.series as Any[]).find((s) => s.type === 'scatter')!
    expect(scatter.data.map((d: Any) => d.value)).toEqual([
      [0.5, 1],
      [1.5, 3],
    ])
  })
})
