import { describe, expect, it } from 'vitest'
import { paramCount } from '../../src/main/engine/mlp'
import { presetRuns, presetsNamed } from '../../src/main/experiments/reproduce'
import {
  BEYOND_PRESET_IDS,
  PAPER_PRESET_IDS,
  PRESETS,
  PRESET_IDS,
  equalParamWidth,
  mlpParams,
  pathsView,
} from '../../src/shared/presets'
import { canonicalSpec, hiddenWidths, parseSpec, type MlpSpec } from '../../src/shared/spec'

const mlp = (s: unknown) => parseSpec(s) as MlpSpec

describe('presets beyond the paper', () => {
  it('depth: equal widths at the paper network’s parameter count (hand-computed)', () => {
    // 784·100 + 100 + 100·10 + 10
    expect(mlpParams([784, 100, 10])).toBe(79_510)
    // 784·90 + 90 + 90·90 + 90 + 90·10 + 10
    expect(mlpParams([784, 90, 90, 10])).toBe(79_750)
    // 784·83 + 83 + 2·(83·83 + 83) + 83·10 + 10
    expect(mlpParams([784, 83, 83, 83, 10])).toBe(79_939)
    expect(equalParamWidth(1)).toBe(100)
    expect(equalParamWidth(2)).toBe(90) // 89 gives 78,952 (−558), 91 gives 80,550 (+1,040)
    expect(equalParamWidth(3)).toBe(83) // 82 gives 78,812 (−698), 84 gives 81,070
    const widths = PRESETS.depth.runs.map((r) => hiddenWidths(mlp(r.spec)))
    expect(widths).toEqual([[100], [90, 90], [83, 83, 83]])
    // The engine's own count of the same networks.
    for (const w of widths) {
      const n = paramCount({ inputs: 784, hidden: w[0]!, outputs: 10, deeper: w.slice(1) })
      expect(n).toBe(mlpParams([784, ...w, 10]))
      expect(Math.abs(n - 79_510) / 79_510).toBeLessThan(0.006)
    }
  })

  it('each asks one question, each variant is a valid spec differing only in what the preset varies', () => {
    const varies: Record<(typeof BEYOND_PRESET_IDS)[number], string[]> = {
      depth: ['hidden'],
      activation: ['activation'],
      'weight-decay': ['weightDecay'],
      fashion: [],
      stability: [], // one run of parents; its children are the spawn stage
    }
    for (const id of BEYOND_PRESET_IDS) {
      const p = PRESETS[id]
      expect(p.group).toBe('beyond')
      expect(p.question).toMatch(/^[A-Z].{20,120}\?$/)
      expect(p.description.length).toBeGreaterThan(20)
      const specs = p.runs.map((r) => mlp(r.spec))
      expect(new Set(p.runs.map((r) => r.label)).size).toBe(p.runs.length)
      expect(new Set(specs.map(canonicalSpec)).size).toBe(p.runs.length)
      if (p.runs.length > 1) expect(pathsView(p)?.layout).toBe('overlay')
      for (const s of specs.slice(1)) {
        const differ = Object.keys(s).filter(
          (k) =>
            !['name'].includes(k) &&
            JSON.stringify(s[k as keyof MlpSpec]) !== JSON.stringify(specs[0]![k as keyof MlpSpec]),
        )
        expect(differ, id).toEqual(varies[id])
      }
      // Scaled down (reproduce --scale quick) they stay valid, and smaller.
      for (const [i, r] of presetRuns(p, 'quick').entries()) {
        const q = mlp(r.spec)
        expect(q.nets).toBeLessThan(specs[i]!.nets)
        expect(q.epochs).toBeLessThanOrEqual(specs[i]!.epochs)
      }
    }
    expect(mlp(PRESETS['weight-decay'].runs[1]!.spec).weightDecay).toBe(1e-5)
    expect(mlp(PRESETS.activation.runs[1]!.spec).activation).toBe('relu')
  })

  it('fashion is fig1’s protocol on Fashion-MNIST, not deskewed', () => {
    const f = mlp(PRESETS.fashion.runs[0]!.spec)
    const fig1 = mlp(PRESETS.fig1.runs[0]!.spec)
    expect(f.dataset).toEqual({ source: 'fashion-mnist', deskew: false })
    expect({ ...f, dataset: fig1.dataset, name: fig1.name, preset: 'fig1' }).toEqual(fig1)
  })

  it('reproduce names groups of presets', () => {
    expect(presetsNamed('paper')).toEqual([...PAPER_PRESET_IDS])
    expect(presetsNamed('beyond')).toEqual([...BEYOND_PRESET_IDS])
    expect(presetsNamed('all')).toEqual([...PRESET_IDS])
    expect(presetsNamed('depth')).toEqual(['depth'])
    expect(presetsNamed('fig9')).toBeNull()
  })
})
