import { describe, expect, it } from 'vitest'
import { renderFigure } from '../../../src/main/figures/export'
import { trueMinus } from '../../../src/main/figures/svg'
import { PX_PER_IN } from '../../../src/shared/figures/style'
import type { FigureKind } from '../../../src/shared/figures/registry'
import { syntheticMetrics, syntheticPaths } from './synthetic'
import { outside, overlaps, textBoxes } from './text-boxes'

const two = syntheticPaths({ runs: ['batch 1', 'batch 100'], seed: 3, stress: 0.101 })
const cases: [string, FigureKind, unknown][] = [
  ['paths', 'paths', syntheticPaths({ stress: 0.084 })],
  ['two runs overlaid', 'paths', two],
  ['two runs in panels', 'compare', two],
  ['metrics', 'metrics', syntheticMetrics()],
  ['metrics of two runs', 'metrics', syntheticMetrics({ runs: ['batch 1', 'batch 100'] })],
]

describe('figures drop into a paper unchanged', () => {
  for (const [name, kind, data] of cases)
    for (const widthIn of [3.5, 7.16])
      it(`${name} at ${widthIn} in: no text overlaps another or crosses the edge`, async () => {
        const r = await renderFigure(kind, data as never, 'paper', { format: 'svg', widthIn })
        const boxes = textBoxes(r.content as string)
        expect(boxes.length).toBeGreaterThan(10)
        const clash = overlaps(boxes).map(([p, q]) => `"${p.text}" × "${q.text}"`)
        expect(clash).toEqual([])
        const out = outside(boxes, r.widthIn * PX_PER_IN, r.heightIn * PX_PER_IN).map((b) => b.text)
        expect(out).toEqual([])
      })

  it('the checker sees an overlap and an edge crossing', () => {
    const t = (x: number, y: number, s: string) =>
      `<text dominant-baseline="central" text-anchor="start" style="font-size:12px;font-family:'Liberation Sans'" transform="translate(${x} ${y})">${s}</text>`
    const boxes = textBoxes(`<svg>${t(10, 10, 'epoch')}${t(20, 12, 'stress')}${t(90, 50, 'edge')}</svg>`)
    expect(overlaps(boxes).map(([p, q]) => [p.text, q.text])).toEqual([['epoch', 'stress']])
    expect(outside(boxes, 100, 100).map((b) => b.text)).toEqual(['edge'])
  })

  it('negative tick labels carry a true minus sign (U+2212), words keep their hyphens', async () => {
    const svg = (await renderFigure('paths', syntheticPaths({ stress: 0.084 }), 'paper', { format: 'svg' }))
      .content as string
    const numbers = textBoxes(svg).filter((b) => /^[−-]?[\d.]+$/.test(b.text))
    expect(numbers.some((b) => b.text.startsWith('−'))).toBe(true)
    expect(numbers.filter((b) => b.text.startsWith('-'))).toEqual([])
    expect(svg).toContain('stress-1')
    expect(trueMinus('<text x="1">-0.5</text><text>-1e-3</text><text>non-metric</text>')).toBe(
      '<text x="1">\u22120.5</text><text>\u22121e-3</text><text>non-metric</text>',
    )
  })
})
