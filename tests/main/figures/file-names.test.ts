/**
 * Exported figures' file names: run labels, figure kind and view, with a counter when the
 * name is taken (issue 17 item 7). The shared naming, `sgdscope figure --out DIR/` and the
 * project's "export all".
 */
import { existsSync, promises as fs } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { figureBaseName, fileSafe, uniqueFileName } from '../../../src/shared/figures/file-name'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { runCli } from '../../helpers/cli-in-process'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'

const cli = (...argv: string[]) => runCli(argv)

describe('figure file names', () => {
  it('name the runs, the kind and the view, in characters safe everywhere', () => {
    expect(figureBaseName({ labels: ['B=1', 'B=10'], kind: 'compare', view: 'tau' })).toBe('B_1_vs_B_10-compare-tau')
    expect(figureBaseName({ labels: ['fig6 batch 1'], kind: 'paths', view: 'kappa', name: 'late epochs' })).toBe(
      'fig6_batch_1-paths-kappa-late_epochs',
    )
    expect(figureBaseName({ labels: ['run'], kind: 'metrics' })).toBe('run-metrics')
    // A saved view named like the kind adds nothing; five runs are summarised.
    expect(figureBaseName({ labels: ['a'], kind: 'paths', view: 'tau', name: 'paths' })).toBe('a-paths-tau')
    expect(figureBaseName({ labels: ['a', 'b', 'c', 'd', 'e'], kind: 'compare' })).toBe(
      'a_vs_b_vs_c_and_2_more-compare',
    )
    expect(fileSafe('réseau τ / κ: 1')).toBe('reseau_tau_kappa_1')
    expect(figureBaseName({ labels: ['///'], kind: '' })).toBe('figure')
    expect(figureBaseName({ labels: ['x'.repeat(300)], kind: 'paths' }).length).toBeLessThanOrEqual(120)
  })

  it('count up when the name is taken', () => {
    const taken = new Set(['a-paths-tau.pdf', 'a-paths-tau-2.pdf'])
    expect(uniqueFileName('a-paths-tau', 'pdf', (f) => taken.has(f))).toBe('a-paths-tau-3.pdf')
    expect(uniqueFileName('a-paths-tau', '.svg', (f) => taken.has(f))).toBe('a-paths-tau.svg')
  })
})

describe('sgdscope figure --out DIR/ and export all', () => {
  const root = tempDir()
  const p = `${root}/names.sgdscope`

  it('write two exports of one run and kind to two files named from the label, kind and view', async () => {
    await writeTestExternalRun(p, { id: 'seeds', nets: 3, snapshots: 4, probe: 20, classes: 3 })
    expect((await cli('rename', 'seeds', '--label', 'B=1', '--project', p)).code).toBe(0)
    const dir = path.join(root, 'figs')
    const first = await cli('figure', 'seeds', '--kind', 'paths', '--out', `${dir}/`, '--project', p)
    expect(first.code).toBe(0)
    const second = await cli('figure', 'seeds', '--kind', 'paths', '--out', dir, '--project', p)
    expect(second.code).toBe(0)
    const kappa = await cli('figure', 'seeds', '--view', 'kappa', '--format', 'svg', '--out', dir, '--project', p)
    expect(kappa.code).toBe(0)
    expect((await fs.readdir(dir)).sort()).toEqual(['B_1-paths-kappa.svg', 'B_1-paths-tau-2.pdf', 'B_1-paths-tau.pdf'])
    expect(first.out).toContain(path.join(dir, 'B_1-paths-tau.pdf'))
    expect(second.out).toContain(path.join(dir, 'B_1-paths-tau-2.pdf'))
    expect((await fs.readFile(path.join(dir, 'B_1-paths-tau.pdf'))).subarray(0, 5).toString()).toBe('%PDF-')
    // A file name still works as before.
    const file = path.join(root, 'mine.svg')
    expect((await cli('figure', 'seeds', '--out', file, '--project', p)).code).toBe(0)
    expect(existsSync(file)).toBe(true)
  })

  it('export all gives two saved views that would share a name two files', async () => {
    const s = new Service({ host: 'browser', settings: new FileSettingsStore(path.join(root, 'config')) })
    try {
      await s.request('project.open', { dir: p })
      const q = { runs: ['seeds'], view: 'tau' as const, method: 'classical' as const }
      await s.request('views.save', { name: 'late: all', kind: 'paths', query: q, look: {} })
      await s.request('views.save', { name: 'late all', kind: 'paths', query: q, look: {} })
      await s.request('views.save', { name: 'curves', kind: 'metrics', query: q, look: {} })
      const dir = path.join(p, 'figures')
      const { written } = await s.request('figures.exportAll', { dir, format: 'svg' })
      expect(written.map((f) => path.basename(f))).toEqual([
        'B_1-paths-tau-late_all.svg',
        'B_1-paths-tau-late_all-2.svg',
        'B_1-metrics-curves.svg',
      ])
      expect((await fs.readdir(dir)).length).toBe(3)
    } finally {
      await s.close()
    }
  })
})
