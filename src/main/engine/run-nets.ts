/** The body of a training worker, callable in-process too (tests, single-thread runs). */
import { NetTrainer } from './train'
import { kernelRuntime, type KernelMemory } from './wasm/runtime'
import type { WorkerInput, WorkerMessage } from './protocol'

/** Trains every listed network to the last snapshot. Returns true if cancelled. */
export function runNets(input: WorkerInput, emit: (m: WorkerMessage) => void): boolean {
  const { spec, data, samples, cancel } = input
  // A worker's kernel instance on the memory the dataset lives in (shared, not copied).
  if (data.train.memory) kernelRuntime(data.train.memory as KernelMemory)
  const S = samples.length
  const nets = input.nets.map((n) => ({
    trainer: new NetTrainer(spec, data, n.net, n.state),
    at: n.state ? n.snapshot : -1,
  }))
  const cancelled = () => Atomics.load(cancel, 0) !== 0
  const tick = (n: number) => {
    emit({ type: 'tick', samples: n })
    return !cancelled()
  }
  const observe = (n: (typeof nets)[number], snapshot: number) => {
    n.trainer.perturbAt(samples[snapshot]!) // a spawned child perturbed at its spawn point
    const t0 = performance.now()
    const { tau, metrics } = n.trainer.observe()
    const seconds = (performance.now() - t0) / 1000
    emit({ type: 'snapshot', net: n.trainer.net, snapshot, tau, metrics, state: n.trainer.state(), seconds })
    n.at = snapshot
  }
  for (const n of nets) {
    if (n.at >= 0) continue
    if (cancelled()) return true
    observe(n, 0)
  }
  // Lockstep: every network reaches snapshot j before any goes on to j + 1, so that
  // progress is even and a live view sees the whole ensemble move together.
  for (let j = 1; j < S; j++) {
    for (const n of nets) {
      if (n.at !== j - 1) continue
      if (cancelled()) return true
      if (!n.trainer.advance(samples[j - 1], samples[j], tick)) return true
      observe(n, j)
    }
  }
  return false
}
