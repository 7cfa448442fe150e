import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { main } from '../../../src/main/cli/main'
import { pngInfo } from '../../../src/main/figures/png'
import { BEYOND_PRESET_IDS, PRESETS, pathsView } from '../../../src/shared/presets'
import { tempDir } from '../../helpers/tmp'

// The presets beyond the paper that draw a map of variants (stability's two stages and its
// figure have their own test, tests/main/experiments/stability-preset.test.ts).
const MAPS = BEYOND_PRESET_IDS.filter((id) => pathsView(PRESETS[id]))

describe('sgdscope reproduce beyond', () => {
  it('each preset beyond the paper at quick scale: one map of every variant, test error and τ spread per variant', async () => {
    const out = tempDir()
    const lines: string[] = []
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true))
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let code: number
    try {
      code = await main(['reproduce', ...MAPS, '--scale', 'quick', '--out', out])
    } finally {
      o.mockRestore()
      e.mockRestore()
    }
    expect(code, lines.join('')).toBe(0)
    const summary = readFileSync(`${out}/summary.txt`, 'utf8')
    expect(MAPS).toHaveLength(4)
    for (const id of MAPS) {
      const p = PRESETS[id]
      const svg = readFileSync(`${out}/${id}.svg`, 'utf8')
      expect(svg).toMatch(/MDS 1/)
      // One map with a legend entry per variant.
      if (p.runs.length > 1) for (const r of p.runs) expect(svg, id).toContain(r.label)
      expect(pngInfo(readFileSync(`${out}/${id}.png`))).toMatchObject({ width: 1050 })
      expect(readFileSync(`${out}/${id}.pdf`).subarray(0, 5).toString()).toBe('%PDF-')
      const section = summary.slice(summary.indexOf(`${id}: ${p.title}`))
      expect(section).toContain(`question: ${p.question}`)
      for (const r of p.runs) {
        const block = section.slice(section.indexOf(`  ${r.label} — run`))
        expect(block, `${id} ${r.label}`).toMatch(/^ {2}\S.* — run \S+: .*\n {2}final test error \d+\.\d+% \(range/)
        expect(block).toMatch(/pairwise distance \d+\.\d+/)
      }
    }
    // The variants' specs reached the engine: 2 and 3 hidden layers, ReLU, weight decay, Fashion-MNIST.
    expect(summary).toMatch(/2 hidden layers — run \S+: 4 nets 90-90 hidden/)
    expect(summary).toMatch(/3 hidden layers — run \S+: 4 nets 83-83-83 hidden/)
    expect(summary).toMatch(/ReLU — run \S+: .*relu/)
    expect(summary).toMatch(/weight decay 1e-5 — run \S+: .*wd=0\.00001/)
  }, 1_800_000) // 2 min of CPU; 13 min of wall clock measured under a load of 20 on 2 cores
})
