import { describe, expect, it } from 'vitest'
import {
  classCounts,
  confusionCounts,
  predictions,
  subproblemDefs,
  subproblemErrors,
} from '../../../../src/main/analysis/beyond/confusion'
import { medianSpectrum, analyseSubproblems, rateCorrelation } from '../../../../src/main/analysis/beyond/subproblems'
import { ranks, spearman, summarise } from '../../../../src/main/analysis/beyond/stats'
import { Rng } from '../../../../src/main/engine/rng'

describe('per-class and per-pair errors', () => {
  const C = 10
  const P = 500
  const rng = new Rng(21)
  const tau = Float32Array.from({ length: P * C }, () => rng.next())
  const labels = Uint8Array.from({ length: P }, () => rng.int(C))

  it('argmax takes the first maximum on ties', () => {
    expect(Array.from(predictions([0.1, 0.5, 0.5, 0.2, 0.9, 0.9], 2, 3))).toEqual([1, 1])
  })

  it('match a naive count', () => {
    const pred = predictions(tau, P, C)
    const perClass = classCounts(labels, C)
    const e = subproblemErrors(confusionCounts(pred, labels, C), perClass, C)
    const defs = subproblemDefs(C)
    expect(defs).toHaveLength(C * C)
    expect(defs[0]).toEqual({ id: 'class 0', kind: 'class', trueClass: 0, predicted: null })
    expect(defs[C]).toEqual({ id: '0→1', kind: 'pair', trueClass: 0, predicted: 1 })
    defs.forEach((d, k) => {
      let n = 0
      let wrong = 0
      for (let i = 0; i < P; i++) {
        if (labels[i] !== d.trueClass) continue
        n++
        let best = 0
        for (let c = 1; c < C; c++) if (tau[i * C + c] > tau[i * C + best]) best = c
        if (d.kind === 'class' ? best !== d.trueClass : best === d.predicted) wrong++
      }
      expect(e[k]).toBeCloseTo(wrong / n, 12)
    })
    // A class's error is the sum of its pairs' errors.
    for (let c = 0; c < C; c++) {
      const pairs = defs.map((d, k) => (d.kind === 'pair' && d.trueClass === c ? e[k] : 0)).reduce((a, b) => a + b, 0)
      expect(pairs).toBeCloseTo(e[c], 12)
    }
  })
})

describe('rank correlation', () => {
  it('is ±1 for monotone relations and averages ties', () => {
    expect(spearman([1, 2, 3, 4, 5], [10, 20, 25, 100, 1000])).toBeCloseTo(1, 12)
    expect(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])).toBeCloseTo(-1, 12)
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1])
    // Hand-computed: ranks x = [1,2,3,4], y = [1,4,2,3] → Σd² = 0+4+1+1 = 6 → 1 − 6·6/(4·15) = 0.4
    expect(spearman([1, 2, 3, 4], [1, 4, 2, 3])).toBeCloseTo(0.4, 12)
  })
  it('over networks: same order everywhere → 1; a reversed network pulls the mean down', () => {
    const base = [5, 1, 3, 0.2, 8, 2]
    const same = [
      Float64Array.from(base),
      Float64Array.from(base.map((r) => r * 2)),
      Float64Array.from(base.map((r) => r ** 1.5)),
    ]
    const rc = rateCorrelation(same)
    expect(rc.mean).toBeCloseTo(1, 12)
    expect(rc.pairs).toBe(3)
    expect(rc.meanCommon).toBe(6)
    const mixed = rateCorrelation([...same, Float64Array.from(base.map((r) => 1 / r))])
    expect(mixed.min).toBeCloseTo(-1, 12)
    expect(mixed.max).toBeCloseTo(1, 12)
    expect(mixed.pairs).toBe(6)
    expect(mixed.mean).toBeCloseTo(0, 12) // three +1 and three −1
  })
  it('uses only the subproblems both networks have (NaN = missing)', () => {
    const rc = rateCorrelation([Float64Array.from([1, 2, NaN, 4, 5]), Float64Array.from([1, NaN, 3, 4, 5])])
    expect(rc.meanCommon).toBe(3)
    expect(rc.mean).toBeCloseTo(1, 12)
  })
  it('summarises and takes rank-wise medians', () => {
    expect(summarise([3, 1, NaN, 2])).toEqual({ mean: 2, median: 2, min: 1, max: 3, count: 3 })
    expect(medianSpectrum([[9, 4, 1], [7, 3], [8]])).toEqual([8, 3.5, 1])
  })
})

describe('subproblem analysis on constructed curves', () => {
  // 4 classes → 12 confusion pairs. Pair k of every network decays exponentially with a
  // known rate ∝ 1/(k+1) (a Zipf spectrum, s = 1), jittered per network; the classes'
  // errors decay at their own rates.
  const C = 4
  const defs = subproblemDefs(C)
  const images = [100, 100, 100, 100]
  const trainCount = 10_000
  const samples = Array.from({ length: 40 }, (_, j) => j * 2_000)
  const epochs = samples.map((s) => s / trainCount)
  const pairRate = (k: number) => 4 / (k + 1) // per epoch
  const makeNet = (net: number, jitter: number) => {
    const S = samples.length
    const errors = new Float64Array(defs.length * S)
    let pk = 0
    defs.forEach((d, k) => {
      const ratePerEpoch = d.kind === 'pair' ? pairRate(pk++) * (1 + jitter * (((net + k) % 3) - 1)) : 3 + d.trueClass
      for (let j = 0; j < S; j++) errors[k * S + j] = 0.01 + 0.3 * Math.exp(-(samples[j] / trainCount) * ratePerEpoch)
    })
    return { net, errors }
  }
  const input = { defs, images, samples, epochs, trainCount, nets: [makeNet(0, 0), makeNet(1, 0.01), makeNet(2, 0.02)] }

  it('recovers the rates, sorted, and their Zipf slope', () => {
    const r = analyseSubproblems(input, { kind: 'pairs' })
    expect(r.counts.tracked).toBe(36)
    expect(r.counts.inSpectrum).toBe(36)
    const rates = r.rates.perNet[0]!.rates
    expect(rates).toHaveLength(12)
    rates.forEach((v, i) => expect(v / pairRate(i)).toBeCloseTo(1, 3))
    expect(r.spectrumSlope).toBeCloseTo(-1, 2)
    expect(r.rates.zipf).toEqual({ s: 1, anchor: r.rates.median[0] })
    expect(r.fitQuality.exponential.medianR2).toBeGreaterThan(0.99999)
    expect(r.fitQuality.exponential.good).toBe(1)
    expect(r.rankCorrelation.mean).toBeCloseTo(1, 6)
    expect(r.rankCorrelation.pairs).toBe(3)
    // Slowest pair first: the last of the 12.
    expect(r.slowest[0]!.id).toBe(defs.filter((d) => d.kind === 'pair')[11]!.id)
    // 12 pairs: the 6 slowest and the 6 fastest, two disjoint sets (not one list reversed).
    const pairs = defs.filter((d) => d.kind === 'pair').map((d) => d.id)
    expect(r.slowest.map((x) => x.id)).toEqual(pairs.slice(6).reverse())
    expect(r.fastest.map((x) => x.id)).toEqual(pairs.slice(0, 6))
    expect(r.subproblems).toHaveLength(16)
  })

  it('classes only, and the power-law exponent as the rate', () => {
    const classes = analyseSubproblems(input, { kind: 'classes' })
    expect(classes.rates.perNet[0]!.rates.map((v) => Number(v.toFixed(4)))).toEqual([6, 5, 4, 3])
    const power = analyseSubproblems(input, { kind: 'classes', model: 'power' })
    expect(power.rates.unit).toMatch(/exponent/)
    expect(power.rates.zipf).toBeUndefined()
    expect(power.counts.inSpectrum).toBe(12)
  })

  it('leaves out subproblems too rare to track', () => {
    // Peak 0.0016 of 100 images.
    const rare = { ...input, nets: input.nets.map((n) => ({ net: n.net, errors: n.errors.map((v) => v / 200) })) }
    const r = analyseSubproblems(rare, { minImages: 3 })
    expect(r.counts.tracked).toBe(0)
    expect(r.rates.median).toEqual([])
    expect(Number.isNaN(r.rankCorrelation.mean)).toBe(true)
  })
})
