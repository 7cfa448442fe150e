// Child process of selection.test.ts, started as `node --noexpose-wasm --import tsx`:
// WebAssembly does not exist here. Prints the kernel choice and τ of a short training.
import { NetTrainer } from '../../../../src/main/engine/train'
import { chooseKernel } from '../../../../src/main/engine/wasm'
import { syntheticTrainData, SMALL_SPEC } from './fixtures'

let choice: { kernel: string; reason: string } | { error: string }
try {
  choice = chooseKernel()
} catch (e) {
  choice = { error: (e as Error).message }
}
let result: { kernel: string; tau: number[] } | null = null
if (!('error' in choice)) {
  const trainer = new NetTrainer(SMALL_SPEC, syntheticTrainData(), 1)
  trainer.advance(0, 500)
  result = { kernel: trainer.mlp.kernel, tau: Array.from(trainer.observe().tau) }
}
process.stdout.write(JSON.stringify({ choice, result }))
