import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { main } from '../../../src/main/cli/main'
import { pngInfo } from '../../../src/main/figures/png'
import { PAPER_FIGURES } from '../../../src/shared/presets'
import { tempDir } from '../../helpers/tmp'

describe('sgdscope reproduce', () => {
  it('all eight figures at quick scale: SVG, PNG and PDF each, and a summary', async () => {
    const out = tempDir()
    const lines: string[] = []
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true))
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let code: number
    try {
      code = await main(['reproduce', 'all', '--scale', 'quick', '--out', out])
    } finally {
      o.mockRestore()
      e.mockRestore()
    }
    expect(code, lines.join('')).toBe(0)
    for (const id of PAPER_FIGURES) {
      const svg = readFileSync(`${out}/${id}.svg`, 'utf8')
      expect(svg).toMatch(/^<svg[^>]*width="336"/) // 3.5 in at 96 px/in
      expect(svg).toMatch(/MDS 1/)
      const png = readFileSync(`${out}/${id}.png`)
      expect(pngInfo(png)).toMatchObject({ width: 1050, dpiX: 300, dpiY: 300 })
      expect(readFileSync(`${out}/${id}.pdf`).subarray(0, 5).toString()).toBe('%PDF-')
    }
    const summary = readFileSync(`${out}/summary.txt`, 'utf8')
    // fig1–fig4 share one run: trained once, reused three times.
    expect(summary.match(/\(reused\)/g)?.length).toBeGreaterThanOrEqual(3)
    expect(summary).toMatch(/fig6: Batch 1 against batch 100[\s\S]*batch 1 —[\s\S]*batch 100 —/)
    expect(summary).toMatch(/final test error \d+\.\d+%/)
    expect(summary).toMatch(/Kruskal stress-1 0\.\d+/)
    expect(existsSync(`${out}/reproduce-quick.sgdscope/project.json`)).toBe(true)
  }, 900_000)
})
