/**
 * `npm run bench -- faithfulness` (also part of `--analysis`): issue 18's goals for the
 * faithfulness diagnostics at fig1's size, 3,100 points (100 networks × 31 snapshots), printed
 * beside them:
 *   - the diagnostics of one embedding (trustworthiness/continuity at k = 5, 10, 20, rank ρ, the
 *     Shepard data, per-point stress) add ≤ 1 s;
 *   - 4 starts of SMACOF take ≤ 4× one start (the starts run in parallel threads where there are cores).
 *
 *   npm run bench -- faithfulness [--nets 100] [--snapshots 31] [--probe 200]
 *
 * The points are synthetic τ-like paths (as bench/tsne-umap.ts): each network walks from its own
 * random start towards a common trained function, fast at first, then slowly diffusing.
 */
import { euclideanDistances, xorshift } from '../src/main/analysis/index'
import { neighbourhoodScores } from '../src/main/analysis/neighbourhood'
import { shepardData } from '../src/main/analysis/shepard'
import { pointStress } from '../src/main/analysis/stress'
import { smacof } from '../src/main/analysis/smacof'
import { smacofStartsParallel } from '../src/main/analysis/embed-job'
import { defaultWorkerCount } from '../src/main/engine/pool'

const args = process.argv.slice(2)
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const N = arg('nets', 100)
const S = arg('snapshots', 31)
const P = arg('probe', 200)
const C = 10
const d = P * C
const n = N * S

const rand = xorshift(12345)
const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand())

function makePaths(): Float32Array {
  const X = new Float32Array(n * d)
  const labels = Array.from({ length: P }, () => Math.floor(rand() * C))
  const target = new Float64Array(d)
  for (let p = 0; p < P; p++)
    for (let c = 0; c < C; c++) target[p * C + c] = (labels[p] === c ? 0.9 : 0.02) + 0.05 * gauss()
  const x = new Float64Array(d)
  for (let k = 0; k < N; k++) {
    for (let t = 0; t < d; t++) x[t] = 0.5 + 0.15 * gauss()
    for (let s = 0; s < S; s++) {
      if (s > 0) {
        const pull = s <= 10 ? 0.25 : 0.02
        const noise = 0.03 / Math.sqrt(s)
        for (let t = 0; t < d; t++) x[t] = x[t]! + pull * (target[t]! - x[t]!) + noise * gauss()
      }
      const o = (k * S + s) * d
      for (let t = 0; t < d; t++) X[o + t] = Math.min(1, Math.max(0, x[t]!))
    }
  }
  return X
}

export async function benchFaithfulness(): Promise<void> {
  const cores = defaultWorkerCount()
  console.log(
    `\nfaithfulness at fig1's size: ${n.toLocaleString('en-US')} synthetic τ-like points (${N} × ${S}), ${cores} cores`,
  )
  const D = await euclideanDistances(makePaths(), n, d)
  let t = performance.now()
  const one = smacof(D, n)
  const oneSec = (performance.now() - t) / 1000
  console.log(
    `  SMACOF, one start: ${oneSec.toFixed(2)} s (stress-1 ${one.stress.toFixed(4)}, ${one.iterations} passes)`,
  )

  // Wall and CPU time (one thread: on a shared machine the CPU time is what the code costs).
  const cpu = () => {
    const c = process.cpuUsage()
    return (c.user + c.system) / 1e6
  }
  const timed = (f: () => unknown) => {
    const w = performance.now()
    const c = cpu()
    f()
    return { wall: (performance.now() - w) / 1000, cpu: cpu() - c }
  }
  const nb = timed(() => neighbourhoodScores(D, one.coords, n))
  const sh = timed(() => shepardData(D, one.coords, n))
  const ps = timed(() => pointStress(D, one.coords, n))
  const diag = nb.wall + sh.wall + ps.wall
  const diagCpu = nb.cpu + sh.cpu + ps.cpu
  const f2 = (x: number) => x.toFixed(2)
  console.log(
    `  diagnostics: ${f2(diag)} s wall, ${f2(diagCpu)} s CPU  (goal ≤ 1 s: ${diag <= 1 ? 'met' : 'NOT met'} in wall time; ` +
      `neighbourhood ${f2(nb.wall)} / ${f2(nb.cpu)} s, Shepard ${f2(sh.wall)} / ${f2(sh.cpu)} s, per-point stress ${f2(ps.wall)} / ${f2(ps.cpu)} s, wall / CPU)`,
  )

  t = performance.now()
  const four = await smacofStartsParallel(D, n, 4)
  const fourSec = (performance.now() - t) / 1000
  const ratio = fourSec / oneSec
  console.log(
    `  SMACOF, 4 starts on ${Math.min(4, cores)} threads: ${fourSec.toFixed(2)} s = ${ratio.toFixed(2)}× one start  (goal ≤ 4×: ${ratio <= 4 ? 'met' : 'NOT met'})`,
  )
  const r = four.starts!
  console.log(
    `    starts' stress-1 ${r.starts.map((s) => s.stress.toFixed(4)).join(', ')}; passes ${r.starts.map((s) => s.iterations).join(', ')}; largest disagreement ${r.disagreement.toFixed(3)}${r.notUnique ? ' (not unique)' : ''}`,
  )
}

await benchFaithfulness()
