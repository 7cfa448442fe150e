/**
 * Writes example figures from synthetic data to a folder (default /tmp/figs):
 *   npx tsx tests/main/figures/examples.ts [dir]
 * Not a test: for looking at the figures while changing the builders.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportFigure } from '../../../src/main/figures/export'
import { syntheticMetrics, syntheticPaths } from './synthetic'

const dir = process.argv[2] ?? '/tmp/figs'
mkdirSync(dir, { recursive: true })

const paths = syntheticPaths({ stress: 0.084 })
const two = syntheticPaths({ runs: ['batch 1', 'batch 100'], seed: 3, stress: 0.101 })
const metrics = syntheticMetrics()
const metrics2 = syntheticMetrics({ runs: ['batch 1', 'batch 100'] })

const hundred = syntheticPaths({ nets: 100, seed: 7, stress: 0.092 })

const jobs: [string, () => Promise<Buffer | string>][] = [
  ['paths-100.png', () => exportFigure('paths', hundred, 'paper', { format: 'png' })],
  [
    'paths-100-after-epoch-2.png',
    () => exportFigure('paths', hundred, 'paper', { format: 'png', figure: { epochWindow: [2, null] } }),
  ],
  ['paths-paper.png', () => exportFigure('paths', paths, 'paper', { format: 'png' })],
  ['paths-paper.pdf', () => exportFigure('paths', paths, 'paper', { format: 'pdf' })],
  ['paths-paper.svg', () => exportFigure('paths', paths, 'paper', { format: 'svg' })],
  ['paths-colorblind.png', () => exportFigure('paths', paths, 'colorblind', { format: 'png' })],
  [
    'paths-serif.png',
    () => exportFigure('paths', paths, 'paper-serif', { format: 'png', figure: { title: 'Paths in function space' } }),
  ],
  [
    'paths-window.png',
    () =>
      exportFigure('paths', paths, 'paper', {
        format: 'png',
        figure: { epochWindow: [2, null], nets: [0, 1, 2, 3, 4] },
      }),
  ],
  [
    'paths-bynet.png',
    () =>
      exportFigure('paths', paths, 'colorblind', { format: 'png', figure: { colorBy: 'net', nets: [0, 1, 2, 3, 4] } }),
  ],
  ['overlay.png', () => exportFigure('paths', two, 'paper', { format: 'png' })],
  [
    'overlay-byrun.png',
    () => exportFigure('paths', two, 'colorblind', { format: 'png', figure: { colorBy: 'run', lines: false } }),
  ],
  ['compare.png', () => exportFigure('compare', two, 'paper', { format: 'png', widthIn: 7.16 })],
  ['compare-single.png', () => exportFigure('compare', two, 'paper', { format: 'png' })],
  [
    'metrics.png',
    () => exportFigure('metrics', metrics, 'paper', { format: 'png', figure: { metrics: ['test_error'] } }),
  ],
  [
    'metrics-logx.png',
    () =>
      exportFigure('metrics', metrics2, 'colorblind', {
        format: 'png',
        figure: { metrics: ['test_error'], logX: true, logY: true },
      }),
  ],
  ['metrics-all.png', () => exportFigure('metrics', metrics2, 'paper', { format: 'png', widthIn: 7.16 })],
  ['metrics-all.pdf', () => exportFigure('metrics', metrics2, 'paper', { format: 'pdf', widthIn: 7.16 })],
]
for (const [name, job] of jobs) {
  const out = await job()
  writeFileSync(join(dir, name), out)
  console.log(join(dir, name))
}
