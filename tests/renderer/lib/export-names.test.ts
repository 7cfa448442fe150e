import { beforeEach, describe, expect, it } from 'vitest'
import { claimFileName, nextFileName, resetFileNames, viewNameParts } from '../../../src/renderer/src/lib/export-names'
import { defaultPathsState, toSavedView } from '../../../src/renderer/src/lib/view-state'

beforeEach(() => resetFileNames())

describe('export file names in the app', () => {
  it('name a view by its runs’ labels, kind and view (and a saved view’s name)', () => {
    const labels: Record<string, string> = { r1: 'B=1', r2: 'fig6 batch 10' }
    const paths = toSavedView({ ...defaultPathsState(['r1'], 'paths'), view: 'kappa' })
    expect(
      nextFileName(
        viewNameParts(paths, (id) => labels[id]!),
        'pdf',
      ),
    ).toBe('B_1-paths-kappa.pdf')
    const cmp = toSavedView(defaultPathsState(['r1', 'r2'], 'compare'))
    expect(
      nextFileName(
        viewNameParts(cmp, (id) => labels[id]!, 'fig 6'),
        'svg',
      ),
    ).toBe('B_1_vs_fig6_batch_10-compare-tau-fig_6.svg')
  })

  it('count up when this window already exported the name', () => {
    const parts = { labels: ['B=1'], kind: 'paths', view: 'tau' }
    const first = nextFileName(parts, 'pdf')
    expect(nextFileName(parts, 'pdf')).toBe(first) // not taken until written
    claimFileName(first)
    expect(nextFileName(parts, 'pdf')).toBe('B_1-paths-tau-2.pdf')
    expect(nextFileName(parts, 'svg')).toBe('B_1-paths-tau.svg')
  })
})
