/**
 * t-SNE, UMAP and PHATE in the path explorer, in Chromium through the browser host: selectable in the
 * method list, judged by their neighbourhoods (trustworthiness at k = 10 is their fit) with a
 * note that their distances are not metric, which MDS does not show.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import {
  HAS_CHROMIUM,
  chartFacts,
  idle,
  smallSpec,
  startViewsHarness,
  waitForRender,
  type ViewsHarness,
} from './views-harness'

const PATHS = '[data-testid="paths-view"]'
const PANEL = `${PATHS} [data-testid="faithfulness"]`
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let run: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'small batch 1' })])
  run = h.runIds[0]!
}, 300_000)
afterAll(async () => h?.close())

describe('neighbourhood methods', () => {
  it('t-SNE, UMAP and PHATE are in the method list, with their note and neighbourhood scores first', async () => {
    await h.go(`#/run/${run}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    expect(await h.page.locator(`${PANEL} [data-testid="not-metric"]`).count()).toBe(0)
    const caption = async () => (await chartFacts(h.page, PATHS)).caption.join(' | ')
    for (const [method, name] of [
      ['tsne', 't-SNE'],
      ['umap', 'UMAP'],
      ['phate', 'PHATE'],
    ] as const) {
      await h.page.selectOption(`${PATHS} [data-testid="method"]`, method)
      await expect
        .poll(caption, { timeout: 120_000 })
        .toMatch(new RegExp(`τ · ${name} · T₁₀ \\d\\.\\d{3} · C₁₀ \\d\\.\\d{3} · ρ -?\\d\\.\\d{3}`))
      await idle(h.page, PATHS)
      expect(await h.page.locator(`${PATHS} [data-testid="embed-stats"]`).innerText()).toMatch(
        /trustworthiness \(k = 10\) \d\.\d{3}/,
      )
      const note = await h.page.locator(`${PANEL} [data-testid="not-metric"]`).innerText()
      expect(note).toContain(
        method === 'phate'
          ? 'PHATE draws the distances between diffusion potentials'
          : `${name} keeps each point's neighbours, not the distances`,
      )
      expect(await h.page.locator(`${PANEL} [data-testid="secondary-stress"]`).innerText()).toMatch(
        /stress-1 \d\.\d{3}/,
      )
      await h.screenshot(`paths-${method}`)
    }
  })
})
