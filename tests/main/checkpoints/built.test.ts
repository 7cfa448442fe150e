/** The built CLI (out/, `npm run build`) evaluates checkpoints too: the bundled worker
 * thread (checkpoint-worker.js) loads onnxruntime-web and its WebAssembly from node_modules. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RunArchive } from '../../../src/main/archive/run'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'
import { checkpointFixtures, torchMissing } from './fixtures'

const built = existsSync(path.join(ROOT, 'out/main/checkpoint-worker.js'))
const missing = torchMissing()
const sgdscope = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(ROOT, 'bin/sgdscope.js'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  })

describe.skipIf(!built || missing !== null)(
  'the built CLI evaluates checkpoints (npm run build first; needs PyTorch)',
  () => {
    it('records a run whose τ is the softmax of PyTorch’s logits, and embeds it', async () => {
      const fx = checkpointFixtures()
      const p = path.join(tempDir('sgdscope-ckpt-built-'), 'p.sgdscope')
      const out = sgdscope(
        'evaluate-checkpoints',
        path.join(fx.dir, 'cnn'),
        '--probe',
        'mnist:1000',
        '--project',
        p,
        '--json',
      )
      const r = JSON.parse(out)
      expect(r).toMatchObject({ nets: [1, 2], epochs: [0, 0.5, 2], outputs: 'logits', outputSize: 10 })
      const run = await RunArchive.open(r.runDir)
      // net 2 at epoch 2 is network 1, snapshot 2
      const logits = fx.expected(fx.manifest.layouts.cnn.find((e) => e.net === 2 && e.epoch === 2)!)
      const tau = await run.readTau(1, 2)
      let maxAbs = 0
      for (let i = 0; i < 1000; i++) {
        const row = Array.from(logits.subarray(i * 10, i * 10 + 10))
        const m = Math.max(...row)
        const s = row.reduce((a, x) => a + Math.exp(x - m), 0)
        row.forEach((x, c) => (maxAbs = Math.max(maxAbs, Math.abs(tau[i * 10 + c]! - Math.exp(x - m) / s))))
      }
      expect(maxAbs).toBeLessThan(1e-6)
      expect(sgdscope('embed', '1', '--project', p)).toMatch(/Kruskal stress-1 \d/)
    })
  },
)
