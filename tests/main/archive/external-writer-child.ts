/** A recording process for the concurrency tests: records nets given on the command line
 * at epochs 0..S-1 of one run (argv: projectDir runId S net...). With S = -1 it records
 * until killed, announcing each snapshot on stdout. */
import { ExternalRunWriter } from '../../../src/main/archive/external-run'

const [projectDir, id, sText, ...netArgs] = process.argv.slice(2)
const S = Number(sText)
const nets = netArgs.map(Number)
const P = 6
const labels = [0, 1, 2, 0, 1, 2]
const w = await ExternalRunWriter.createOrJoin(projectDir, {
  id,
  spec: { source: 'python', nets: 4, classes: 3, outputs: 'probabilities', probe: P },
  labels,
  metrics: ['train_loss'],
})
await w.start(nets)
for (let j = 0; S < 0 || j < S; j++) {
  for (const k of nets) {
    // Net k at epoch j puts all its mass on class (k + j) % 3: a known answer.
    const outputs = Array.from({ length: P * 3 }, (_, i) => (i % 3 === (k + j) % 3 ? 1 : 0))
    await w.record(k, j, { outputs, metrics: { train_loss: k + j / 100 }, samples: j * 10 })
    if (S < 0) process.stdout.write(`recorded ${k} ${j}\n`)
  }
  // Recording "forever" (until killed) at a pace a watcher can follow; at most 10 minutes.
  if (S < 0) await new Promise((r) => setTimeout(r, 50))
  if (S < 0 && j > 12_000) break
}
await w.close()
