import { describe, expect, it } from 'vitest'
import type { EChartsOption } from 'echarts'
import {
  buildBarrier,
  buildFigure,
  buildRates,
  buildWeightFunction,
  FIGURES,
  isFigureKind,
  PX_PER_IN,
  resolveStyle,
  type BarrierData,
  type RatesData,
  type WeightFunctionData,
} from '../../../src/shared/figures'
import { columnMedian, linearAxisRange, logAxisRange } from '../../../src/shared/figures/lines'

type Any = Record<string, any>
const paper = resolveStyle('paper')
const series = (o: EChartsOption) => (o.series as Any[]) ?? []
const texts = (o: EChartsOption) =>
  ((o.graphic as Any[]) ?? []).filter((g) => g.type === 'text').map((g) => g.style.text as string)
const axes = (o: EChartsOption, k: 'xAxis' | 'yAxis') => o[k] as Any[]

const rates: RatesData = {
  label: 'run',
  model: 'exponential',
  kind: 'pairs',
  unit: 'decay rate 1/τ (per epoch)',
  perNet: [
    { net: 0, rates: [100, 40, 20, 9, 5] },
    { net: 1, rates: [80, 50, 18, 10] },
    { net: 2, rates: [120, 30, 0, -1] },
  ],
  median: [100, 40, 18, 9.5, 5],
  zipf: { s: 1, anchor: 100 },
}

const barrier = (pairs: number): BarrierData => ({
  title: 'networks',
  alphas: [0, 0.25, 0.5, 0.75, 1],
  lossName: 'test loss (mse)',
  before: Array.from({ length: pairs }, (_, i) => ({
    label: `0–${i + 1}`,
    loss: [0.01, 0.03, 0.05, 0.03, 0.012],
    error: [0.02, 0.05, 0.1, 0.05, 0.021],
  })),
  after: Array.from({ length: pairs }, (_, i) => ({
    label: `0–${i + 1}`,
    loss: [0.01, 0.011, 0.012, 0.011, 0.012],
    error: [0.02, 0.021, 0.022, 0.021, 0.021],
  })),
})

const wvf: WeightFunctionData = {
  label: 'run',
  epochs: [0, 0.1, 0.5, 1, 2],
  alignment: 'final',
  pairs: [
    { a: 0, b: 1, weightRaw: [8, null, 20, null, 40], weightAligned: [7, null, 15, null, 25], tau: [30, 12, 10, 9, 8] },
    {
      a: 0,
      b: 2,
      weightRaw: [8.5, null, 21, null, 41],
      weightAligned: [7.5, null, 16, null, 27],
      tau: [31, 13, 11, 9.5, 8.2],
    },
  ],
}

describe('axis ranges', () => {
  it('linear ranges end on ticks; log ranges on decades', () => {
    expect(linearAxisRange(0.013, 0.052, 4, true)).toEqual({ min: 0, max: 0.06, step: 0.01 })
    expect(logAxisRange(3.2, 470)).toEqual({ min: 1, max: 1000 })
    expect(logAxisRange(0, 5)).toEqual({ min: 1, max: 10 })
    expect(
      columnMedian(
        [
          [1, 2, null],
          [3, null],
          [5, 6, 7],
        ],
        3,
      ),
    ).toEqual([3, 4, 7])
  })
})

describe('rates figure', () => {
  it('draws log–log rank against rate: thin lines per network, the median, the Zipf line', () => {
    const o = buildRates(rates, paper)
    expect(axes(o, 'xAxis')[0]).toMatchObject({
      type: 'log',
      min: 1,
      max: 5,
      name: 'confusion pair rank (fastest first)',
    })
    expect(axes(o, 'yAxis')[0]).toMatchObject({ type: 'log', name: 'decay rate 1/τ (per epoch)' })
    const thin = series(o).find((s) => s.type === 'lines')!
    expect(thin.data).toHaveLength(3)
    // Non-positive rates cannot be drawn on a log axis.
    expect(thin.data[2].coords).toEqual([
      [1, 120],
      [2, 30],
    ])
    const lines = series(o).filter((s) => s.type === 'line')
    expect(lines).toHaveLength(2)
    const zipf = lines[1]!
    expect(zipf.lineStyle.type).not.toBe('solid')
    for (const [r, v] of zipf.data) expect(v).toBeCloseTo(100 / r, 9)
    expect(texts(o)).toEqual(expect.arrayContaining(['each network', 'median', 'Zipf s = 1 (toy model)']))
    expect(JSON.parse(JSON.stringify(o))).toEqual(o)
  })
  it('leaves the Zipf line out when asked or without a reference, and notes empty data', () => {
    expect(series(buildRates(rates, paper, { zipf: false })).filter((s) => s.type === 'line')).toHaveLength(1)
    const { zipf: _z, ...noRef } = rates
    expect(texts(buildRates({ ...noRef, model: 'power', unit: 'power-law exponent b' }, paper))).not.toContain(
      'Zipf s = 1 (toy model)',
    )
    const empty = buildRates({ ...rates, perNet: [], median: [], zipf: undefined }, paper)
    expect(texts(empty)).toContain('no rates to show')
  })
  it('is sized by the registry: the natural height, or the style’s', () => {
    const natural = buildFigure('rates', rates, paper)
    expect(natural.heightIn).toBeGreaterThan(2)
    expect(natural.heightIn).toBeLessThan(4)
    const fixed = buildFigure('rates', rates, { ...paper, heightIn: 2 })
    const g = (fixed.option.grid as Any[])[0]
    expect(g.top + g.height).toBeLessThan(2 * PX_PER_IN)
  })
})

describe('barrier figure', () => {
  it('one pair: loss and error panels, before and after alignment, errors in percent', () => {
    const o = buildBarrier(barrier(1), paper)
    expect((o.grid as Any[]).length).toBe(2)
    expect(axes(o, 'xAxis').map((a) => a.name)).toEqual(['interpolation α', 'interpolation α'])
    expect(axes(o, 'yAxis').map((a) => a.name)).toEqual(['test loss (mse)', 'test error (%)'])
    const lines = series(o).filter((s) => s.type === 'line')
    expect(lines).toHaveLength(4)
    expect(lines[2]!.data[2]).toEqual([0.5, 10]) // error panel, before, α = 0.5: 10 %
    expect(lines[0]!.lineStyle.color).not.toBe(lines[1]!.lineStyle.color)
    expect(texts(o)).toEqual(expect.arrayContaining(['networks', 'before alignment', 'after alignment']))
  })
  it('several pairs: each thin, the median bold; one panel on request', () => {
    const o = buildBarrier(barrier(3), paper, { show: 'loss', title: false })
    expect((o.grid as Any[]).length).toBe(1)
    expect(
      series(o)
        .filter((s) => s.type === 'lines')
        .map((s) => s.data.length),
    ).toEqual([3, 3])
    expect(texts(o)).toEqual(expect.arrayContaining(['before alignment (median)', 'after alignment (median)']))
    expect(texts(o)).not.toContain('networks')
  })
})

describe('weight vs function figure', () => {
  it('stacks weight and τ distances on a shared epoch axis, connecting kept snapshots', () => {
    const o = buildWeightFunction(wvf, paper)
    const g = o.grid as Any[]
    expect(g).toHaveLength(2)
    expect(g[1].top).toBeGreaterThan(g[0].top + g[0].height)
    expect(axes(o, 'yAxis').map((a) => a.name)).toEqual(['weight distance', 'τ distance'])
    // Tick labels and the axis name only below.
    expect(axes(o, 'xAxis').map((a) => a.axisLabel.show)).toEqual([false, true])
    const lines = series(o).filter((s) => s.type === 'line')
    const aligned = lines[0]!
    expect(aligned.data).toEqual([
      [0, 7.25],
      [0.5, 15.5],
      [2, 26],
    ])
    expect(aligned.symbol).toBe('circle') // few kept snapshots are marked
    expect(lines[2]!.data).toHaveLength(5)
    expect(texts(o)).toEqual(
      expect.arrayContaining(['weights, aligned (median)', 'weights, as trained (median)', 'τ (median)']),
    )
  })
  it('a log epoch axis drops epoch 0; raw distances can be left out', () => {
    const o = buildWeightFunction(wvf, paper, { logX: true, raw: false })
    expect(axes(o, 'xAxis')[0]).toMatchObject({ type: 'log' })
    const lines = series(o).filter((s) => s.type === 'line')
    expect(lines).toHaveLength(2)
    expect(lines[0]!.data.map((p: number[]) => p[0])).toEqual([0.5, 2])
  })
})

describe('registry', () => {
  it('registers the beyond-the-paper figures', () => {
    for (const k of ['rates', 'barrier', 'weightVsFunction']) {
      expect(isFigureKind(k)).toBe(true)
      expect(FIGURES[k as 'rates'].description).toBeTruthy()
    }
    expect(buildFigure('barrier', barrier(2), paper).widthIn).toBe(3.5)
    expect(buildFigure('weightVsFunction', wvf, resolveStyle('colorblind')).heightIn).toBeGreaterThan(2)
  })
})
