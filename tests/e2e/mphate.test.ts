/**
 * M-PHATE of hidden units in Chromium through the browser host (issue 22 item 5): the Beyond
 * tab's panel computes one network, then two side by side with units matched, recolours by
 * class without recomputing, and says what to change on a run that keeps weights only at the end.
 */
import * as path from 'node:path'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { HAS_CHROMIUM, SCREENSHOTS, smallSpec, startViewsHarness, type ViewsHarness } from './views-harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
let h: ViewsHarness

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([
    smallSpec({ name: 'units kept', keepWeights: 'all', engine: 'fused' }),
    smallSpec({ name: 'final only', engine: 'fused' }),
  ])
}, 300_000)
afterAll(async () => h?.close())

describe('the M-PHATE panel', () => {
  it('draws one network, then two with matched units, and recolours by class', async () => {
    const { page } = h
    await h.go(`#/run/${h.runIds[0]}/beyond`)
    const panel = page.locator('[data-testid="beyond-mphate"]')
    await panel.scrollIntoViewIfNeeded()
    await panel.locator('[data-testid="mphate-compute"]').click()
    const facts = panel.locator('[data-testid="mphate-facts"]')
    await facts.waitFor({ timeout: 120_000 })
    expect(await facts.innerText()).toMatch(
      /10 units × 9 snapshots \(of 9 with kept weights\).*network 0: diffusion time t = \d+/s,
    )
    await panel.locator('[data-testid="mphate-compare"]').check()
    await panel.locator('[data-testid="mphate-net-b"]').fill('1')
    await panel.locator('[data-testid="mphate-compute"]').click()
    await expect.poll(() => facts.innerText(), { timeout: 120_000 }).toMatch(/units matched by weight matching/)
    expect(await facts.innerText()).toMatch(/network 1: diffusion time t = \d+/)
    await panel.locator('[data-testid="mphate-color"]').selectOption('class')
    await panel.locator('[data-testid="beyond-chart-mphate"] canvas').first().waitFor()
    // The chart has drawn points: some of its pixels are neither white nor black.
    const coloured = await panel
      .locator('[data-testid="beyond-chart-mphate"] canvas')
      .first()
      .evaluate((c) => {
        const canvas = c as unknown as {
          width: number
          height: number
          getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
        }
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
        let n = 0
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!]
          if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++
        }
        return n
      })
    expect(coloured).toBeGreaterThan(200)
    await panel.screenshot({ path: path.join(SCREENSHOTS, 'mphate-panel.png') })
    // Export: the host's exporter renders the same figure as `sgdscope mphate --out`.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      panel.locator('[data-testid="mphate-export-svg"]').click(),
    ])
    expect(download.suggestedFilename()).toMatch(/mphate.*\.svg$/)
  })

  it('says what to change on a run whose weights are kept only at the end', async () => {
    const { page } = h
    await h.go(`#/run/${h.runIds[1]}/beyond`)
    const panel = page.locator('[data-testid="beyond-mphate"]')
    await panel.scrollIntoViewIfNeeded()
    await panel.locator('[data-testid="mphate-compute"]').click()
    const error = panel.locator('[data-testid="mphate-error"]')
    await error.waitFor({ timeout: 60_000 })
    expect(await error.innerText()).toMatch(
      /needs weights at several: start a run with Keep weights set to “every snapshot”/,
    )
  })
})
