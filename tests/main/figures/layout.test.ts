import { describe, expect, it } from 'vitest'
import { renderFigure } from '../../../src/main/figures/export'
import { trueMinus } from '../../../src/main/figures/svg'
import { PX_PER_IN } from '../../../src/shared/figures/style'
import { FIGURE_KINDS, type FigureKind } from '../../../src/shared/figures/registry'
import type {
  BarrierData,
  MphateData,
  RatesData,
  StabilityData,
  WeightFunctionData,
} from '../../../src/shared/figures/beyond-data'
import type { PathsData } from '../../../src/shared/figures/data'
import { shepardData } from '../../../src/main/analysis/shepard'
import { rng, syntheticMetrics, syntheticPaths } from './synthetic'
import { outside, overlaps, textBoxes } from './text-boxes'

const two = syntheticPaths({ runs: ['batch 1', 'batch 100'], seed: 3, stress: 0.101 })

/** A Shepard diagram of a real embedding's distances: n points in 6-D, embedded as their first 2 coordinates. */
function shepard(n: number, limit?: number): PathsData {
  const r = rng(7)
  const X = Array.from({ length: n }, () => Array.from({ length: 6 }, (_, k) => (r() - 0.5) * (k < 2 ? 10 : 2)))
  const D = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) D[i * n + j] = Math.hypot(...X[i]!.map((v, k) => v - X[j]![k]!))
  const coords = Float64Array.from(X.flatMap((x) => [x[0]!, x[1]!]))
  const data = syntheticPaths({ nets: 4, stress: 0.214 })
  return {
    ...data,
    fit: { name: 'stress-1', value: 0.214 },
    shepard: shepardData(D, coords, n, limit === undefined ? {} : { limit }),
  }
}

/** Stability of a spawned run as the paper's network gives it: 6 spawn points, barriers falling with k. */
function stability(parents: number): StabilityData {
  const at = [0, 0.01, 0.05, 0.2, 1, 2]
  const r = rng(11)
  const perParent = Array.from({ length: parents }, () =>
    at.map((k) => Math.max(0, 0.08 / (1 + 10 * k) + (r() - 0.5) * 0.01)),
  )
  const mean = at.map((_, i) => perParent.reduce((a, p) => a + p[i]!, 0) / parents)
  return {
    title: `${parents} parents × 2 children, barriers at epoch 10`,
    at,
    siblings: mean,
    siblingsAligned: mean.map((v) => v * 0.6),
    perParent,
    strangers: at.map(() => 0.11),
    threshold: 0.02,
  }
}

/** Subproblem rates as MNIST gives them: 45 confusion pairs of 10 networks, a Zipf line. */
function rates(kind: RatesData['kind'] = 'pairs'): RatesData {
  const r = rng(11)
  const count = kind === 'classes' ? 10 : 45
  const perNet = Array.from({ length: 10 }, (_, net) => ({
    net,
    rates: Array.from({ length: count }, (_, i) => 80 * (i + 1) ** -1.1 * (0.8 + 0.4 * r())).sort((a, b) => b - a),
  }))
  const median = Array.from({ length: count }, (_, i) => {
    const v = perNet.map((p) => p.rates[i]!).sort((a, b) => a - b)
    return (v[4]! + v[5]!) / 2
  })
  return {
    label: 'fig1 batch 1',
    model: 'exponential',
    kind,
    unit: 'decay rate 1/τ (per epoch)',
    perNet,
    median,
    zipf: { s: 1, anchor: median[0]! },
  }
}

/** Barriers between network 0 and `pairs` others, before and after aligning hidden units. */
function barrier(pairs: number): BarrierData {
  const alphas = Array.from({ length: 21 }, (_, i) => i / 20)
  const bump = (h: number, base: number) => alphas.map((a) => base + h * 4 * a * (1 - a))
  const curves = (h: number) =>
    Array.from({ length: pairs }, (_, i) => ({
      label: `0–${i + 1}`,
      loss: bump(h * (1 + i / 10), 0.012),
      error: bump(h * 1.5 * (1 + i / 10), 0.021),
    }))
  return {
    title: 'networks 0 and 1–' + pairs,
    alphas,
    lossName: 'test loss (mse)',
    before: curves(0.3),
    after: curves(0.02),
  }
}

/** Weight and function distance of 6 pairs over 20 log-spaced epochs (weights kept at some). */
function weightVsFunction(): WeightFunctionData {
  const epochs = [0, ...Array.from({ length: 19 }, (_, i) => 0.01 * 10 ** (i / 6))]
  return {
    label: 'fig1 batch 1',
    epochs,
    alignment: 'final',
    pairs: Array.from({ length: 6 }, (_, p) => ({
      a: 0,
      b: p + 1,
      weightRaw: epochs.map((e, i) => (i % 3 === 1 ? null : 8 + 12 * Math.log1p(e * 10) + p)),
      weightAligned: epochs.map((e, i) => (i % 3 === 1 ? null : 7 + 6 * Math.log1p(e * 10) + p / 2)),
      tau: epochs.map((e) => 30 / (1 + e) + p / 3),
    })),
  }
}

/** M-PHATE of 50 units over 20 snapshots of `nets` networks: units drift outwards from a centre. */
export function mphateData(nets: number, layers = [50]): MphateData {
  const r = rng(13)
  const S = 20
  const unitLayers = layers.flatMap((w, l) => Array.from({ length: w }, () => l + 1))
  const U = unitLayers.length
  const net = (k: number) => {
    const x: number[] = []
    const y: number[] = []
    const topClass: number[] = []
    for (let s = 0; s < S; s++)
      for (let u = 0; u < U; u++) {
        const a = (2 * Math.PI * u) / U + k * 0.1
        x.push((1 + s) * Math.cos(a) + r() * 0.5)
        y.push((1 + s) * Math.sin(a) + r() * 0.5)
        topClass.push(u % 10)
      }
    return { label: k ? `network ${k} (units matched)` : 'network 0', x, y, topClass }
  }
  return {
    title: `M-PHATE of ${U} hidden units, epochs 0–30`,
    epochs: Array.from({ length: S }, (_, s) => (30 * s) / (S - 1)),
    layers: unitLayers,
    classes: Array.from({ length: 10 }, (_, c) => String(c)),
    networks: Array.from({ length: nets }, (_, k) => net(k)),
  }
}

const cases: [string, FigureKind, unknown, Record<string, unknown>?][] = [
  ['paths', 'paths', syntheticPaths({ stress: 0.084 })],
  ['two runs overlaid', 'paths', two],
  ['two runs in panels', 'compare', two],
  [
    'four runs in panels',
    'compare',
    syntheticPaths({ runs: ['B=1', 'B=10', 'B=100', 'B=1000'], seed: 5, stress: 0.12 }),
  ],
  ['metrics', 'metrics', syntheticMetrics()],
  ['metrics of two runs', 'metrics', syntheticMetrics({ runs: ['batch 1', 'batch 100'] })],
  ['metrics, log epoch axis', 'metrics', syntheticMetrics(), { logX: true }],
  ['Shepard diagram', 'shepard', shepard(60)],
  ['Shepard diagram, binned', 'shepard', shepard(400, 1000)],
  ['rates of confusion pairs', 'rates', rates()],
  ['rates of classes', 'rates', rates('classes')],
  ['barrier of one pair', 'barrier', barrier(1)],
  ['barriers of five pairs', 'barrier', barrier(5)],
  ['weight vs function distance', 'weightVsFunction', weightVsFunction()],
  ['weight vs function distance, log epochs', 'weightVsFunction', weightVsFunction(), { logX: true }],
  ['stability against the spawn point', 'stability', stability(10)],
  ['stability, one parent', 'stability', { ...stability(1), strangers: null }],
  ['M-PHATE of one network by epoch', 'mphate', mphateData(1)],
  ['M-PHATE of two networks by class', 'mphate', mphateData(2), { color: 'class' }],
  ['M-PHATE of a deep network by layer', 'mphate', mphateData(1, [30, 20, 10]), { color: 'layer' }],
]

describe('figures drop into a paper unchanged', () => {
  it('every kind of figure the export offers is checked here', () => {
    expect([...new Set(cases.map((c) => c[1]))].sort()).toEqual([...FIGURE_KINDS].sort())
  })

  for (const [name, kind, data, figure] of cases)
    for (const widthIn of [3.5, 7.16])
      it(`${name} at ${widthIn} in: no text overlaps another or crosses the edge`, async () => {
        const r = await renderFigure(kind, data as never, 'paper', {
          format: 'svg',
          widthIn,
          ...(figure ? { figure: figure as never } : {}),
        })
        const boxes = textBoxes(r.content as string)
        expect(boxes.length).toBeGreaterThan(6)
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
