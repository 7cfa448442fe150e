/**
 * Seeded runs of today's specs stay byte-identical: SHA-256 digests of τ, metrics and the
 * saved state after training, for both fused kernels (TypeScript and WebAssembly) and the
 * tfjs engine (cpu backend, both programs), recorded before the architecture options of
 * issue 19 (activations, weight decay, Nesterov, schedules, depth) were added. A change
 * of any number, even in the last bit, fails here. Regenerate (only for a deliberate,
 * documented change of summation order) with GOLDEN_WRITE=1.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkerMessage } from '../../../src/main/engine/protocol'
import { runTfjs } from '../../../src/main/engine/tfjs/engine'
import type { MatmulStrategy } from '../../../src/main/engine/tfjs/group'
import { NetTrainer } from '../../../src/main/engine/train'
import { KERNEL_ENV } from '../../../src/main/engine/wasm'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { syntheticTrainData } from './wasm/fixtures'

const FILE = path.join(__dirname, 'golden.json')
const write = process.env.GOLDEN_WRITE === '1'
const golden: Record<string, string> = write ? {} : JSON.parse(readFileSync(FILE, 'utf8'))
const found: Record<string, string> = {}

const CASES: Record<string, Record<string, unknown>> = {
  'mse batch 1': {},
  'cross-entropy batch 1': { loss: 'cross-entropy', lr: 0.1 },
  'mse batch 7 momentum': { batch: 7, momentum: 0.9, lr: 0.2 },
  'cross-entropy batch 5 step schedule': {
    loss: 'cross-entropy',
    batch: 5,
    lr: 0.3,
    lrSchedule: { kind: 'step', every: 0.5, gamma: 0.5 },
  },
  'mse linear schedule xavier': { lrSchedule: { kind: 'linear', to: 0.1 }, init: 'xavier', hidden: 8 },
  'mse batch 1 momentum normal init': { momentum: 0.5, init: 'normal', initSigma: 0.1, lr: 0.2 },
}

const spec = (over: Record<string, unknown>): MlpSpec =>
  parseSpec({ hidden: 13, lr: 0.5, probe: 50, trainSubset: 300, epochs: 1.5, seed: 5, nets: 2, ...over }) as MlpSpec

function digest(parts: Float32Array[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))
  return h.digest('hex')
}

function check(key: string, value: string) {
  found[key] = value
  if (!write) expect(value, key).toBe(golden[key])
}

const saved = process.env[KERNEL_ENV]
afterEach(() => {
  if (saved === undefined) delete process.env[KERNEL_ENV]
  else process.env[KERNEL_ENV] = saved
  if (write) writeFileSync(FILE, JSON.stringify(found, null, 2) + '\n')
})

const data = syntheticTrainData()

describe('seeded runs of the paper-style specs are byte-identical to the recorded ones', () => {
  for (const kernel of ['ts', 'wasm'] as const)
    for (const [name, over] of Object.entries(CASES))
      it(`fused ${kernel}: ${name}`, () => {
        process.env[KERNEL_ENV] = kernel
        const s = spec(over)
        const parts: Float32Array[] = []
        for (let net = 0; net < s.nets; net++) {
          const t = new NetTrainer(s, data, net)
          t.advance(0, 500)
          const a = t.observe()
          t.advance(500, 900)
          const b = t.observe()
          parts.push(a.tau, a.metrics, b.tau, b.metrics, t.state())
        }
        check(`fused ${kernel}: ${name}`, digest(parts))
      })

  for (const strategy of ['batched', 'per-net'] as MatmulStrategy[])
    for (const name of ['mse batch 7 momentum', 'cross-entropy batch 5 step schedule'])
      it(`tfjs cpu ${strategy}: ${name}`, async () => {
        const s = spec({ ...CASES[name], engine: 'tfjs' })
        const parts: Float32Array[] = []
        const emit = (m: WorkerMessage) => {
          if (m.type === 'snapshot') parts.push(Float32Array.of(m.net, m.snapshot), m.tau, m.metrics, m.state)
        }
        const cancel = new Int32Array(new SharedArrayBuffer(4))
        const nets = Array.from({ length: s.nets }, (_, net) => ({ net, snapshot: -1 }))
        await runTfjs({ spec: s, data, samples: [0, 300, 700], nets, cancel }, emit, {
          backend: 'cpu',
          strategy,
          onLog: () => {},
        })
        check(`tfjs cpu ${strategy}: ${name}`, digest(parts))
      })
})
