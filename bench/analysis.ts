/**
 * Analysis benchmark: distances and embeddings of synthetic path-like ensembles.
 *
 *   npx tsx bench/analysis.ts [--nets 100] [--snapshots 31] [--probe 1000] [--quick]
 *
 * Points are τ-like: `nets` networks × `snapshots` snapshots, each the outputs on P probe images ×
 * 10 classes (d = 10P). Every network walks from its own random start towards a common
 * "trained" function (one-hot labels plus noise) with shrinking random steps, so that the set
 * looks like fig1: fast initial phase, slow diffusion later. κ points are the argmax classes.
 */
import { neighbourhoodScores } from '../src/main/analysis/neighbourhood'
import { shepardData } from '../src/main/analysis/shepard'
import {
  bhattacharyyaDistances,
  classesOf,
  classicalMds,
  ensembleSpread,
  euclideanDistances,
  euclideanRows,
  gemmABtJs,
  getGemm,
  hammingDistances,
  inpca,
  kruskalStress,
  landmarkMds,
  pca,
  procrustes,
  smacof,
  xorshift,
  type EmbeddingResult,
  type GemmPreference,
} from '../src/main/analysis/index'

const args = process.argv.slice(2)
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const quick = args.includes('--quick')
const N = arg('nets', quick ? 30 : 100)
const S = arg('snapshots', 31)
const P = arg('probe', 1000)
const C = 10
const d = P * C
const n = N * S

// Wall-clock time can be inflated by other processes on a shared machine; the CPU time of this
// (single-threaded) process is printed next to it as the fairer figure.
interface Timing {
  wall: number
  cpu: number
}
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
async function timed<T>(fn: () => T | Promise<T>): Promise<[T, Timing]> {
  const w = performance.now()
  const c = cpuMs()
  const value = await fn()
  return [value, { wall: performance.now() - w, cpu: cpuMs() - c }]
}
const plus = (...ts: Timing[]): Timing => ({
  wall: ts.reduce((a, t) => a + t.wall, 0),
  cpu: ts.reduce((a, t) => a + t.cpu, 0),
})
const secs = (t: Timing): string => `${(t.wall / 1000).toFixed(2)} s (cpu ${(t.cpu / 1000).toFixed(2)} s)`

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
        const pull = s <= 10 ? 0.25 : 0.02 // fast phase, then slow
        const noise = 0.03 / Math.sqrt(s)
        for (let t = 0; t < d; t++) x[t] = x[t]! + pull * (target[t]! - x[t]!) + noise * gauss()
      }
      const o = (k * S + s) * d
      for (let t = 0; t < d; t++) X[o + t] = Math.min(1, Math.max(0, x[t]!))
    }
  }
  return X
}

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(44)} ${value}`)
}

function report(r: EmbeddingResult, t: Timing): string {
  const extra = r.iterations !== undefined ? `, ${r.iterations} iterations` : ''
  return `${secs(t)}, stress-1 ${r.stress.toFixed(4)}${extra}`
}

async function gemmComparison(): Promise<void> {
  console.log('\nGEMM backends, A (512×10 000) · Bᵀ (10 000×512):')
  const m = 512
  const k = 10_000
  const A = new Float32Array(m * k).map(() => rand())
  const B = new Float32Array(m * k).map(() => rand())
  const flops = 2 * m * m * k
  for (const name of ['wasm', 'cpu'] as GemmPreference[]) {
    try {
      const g = await getGemm(name)
      await g.activate()
      const a = g.left(A, m, k)
      const b = g.right(B, m, k)
      g.multiply(a, b) // warm-up
      const reps = name === 'cpu' ? 1 : 3
      const t0 = performance.now()
      for (let r = 0; r < reps; r++) g.multiply(a, b)
      const ms = (performance.now() - t0) / reps
      a.dispose()
      b.dispose()
      line(`tfjs ${name}`, `${ms.toFixed(0)} ms  (${(flops / ms / 1e6).toFixed(1)} GFLOPS)`)
    } catch (e) {
      line(`tfjs ${name}`, `unavailable (${(e as Error).message})`)
    }
  }
  const t0 = performance.now()
  gemmABtJs(A, m, k, B, m)
  const ms = performance.now() - t0
  line('plain JS (4×4 blocked, float64 sums)', `${ms.toFixed(0)} ms  (${(flops / ms / 1e6).toFixed(1)} GFLOPS)`)
  const auto = await getGemm('auto')
  await auto.activate()
  line('auto picks', auto.name)
}

function sampleAccuracy(X: Float32Array, D: Float64Array): string {
  let maxRel = 0
  let sumRel = 0
  const pairs = 20_000
  for (let t = 0; t < pairs; t++) {
    // half the sample from consecutive snapshots of one net (the near-identical pairs)
    let i = Math.floor(rand() * n)
    let j = t % 2 ? Math.floor(rand() * n) : i + 1 < n ? i + 1 : i - 1
    if (i === j) j = (i + 1) % n
    if (i > j) [i, j] = [j, i]
    let s = 0
    for (let q = 0; q < d; q++) {
      const u = X[i * d + q]! - X[j * d + q]!
      s += u * u
    }
    const exact = Math.sqrt(s)
    const rel = Math.abs(D[i * n + j]! - exact) / exact
    maxRel = Math.max(maxRel, rel)
    sumRel += rel
  }
  return `max rel. error ${maxRel.toExponential(1)}, mean ${(sumRel / pairs).toExponential(1)} (20 000 pairs vs float64)`
}

async function main(): Promise<void> {
  console.log(`sgdscope analysis bench: ${N} nets × ${S} snapshots = ${n} points, P = ${P} (d = ${d})`)
  const [X, tGen] = await timed(makePaths)
  line('synthetic paths', secs(tGen))

  if (!quick) await gemmComparison()

  console.log('\nτ (Euclidean):')
  const gemm = await getGemm()
  const [D, tDist] = await timed(() => euclideanDistances(X, n, d))
  line(`distances (${gemm.name})`, secs(tDist))
  line('accuracy', sampleAccuracy(X, D))
  const [cl, tCl] = await timed(() => classicalMds(D, n))
  line('classical MDS', report(cl, tCl))
  const [sm, tSm] = await timed(() => smacof(D, n, { init: cl.coords }))
  line('SMACOF (accelerated, from classical)', report(sm, tSm))
  line('distances + classical + SMACOF', secs(plus(tDist, tCl, tSm)))
  const [nbh, tNb] = await timed(() => neighbourhoodScores(D, sm.coords, n))
  const [, tSh] = await timed(() => shepardData(D, sm.coords, n))
  line(
    'diagnostics: neighbourhood scores + Shepard',
    `${secs(plus(tNb, tSh))} (goal ≤ 1 s), T₁₀ ${nbh.trustworthiness[1]!.toFixed(3)}, ρ ${nbh.rankCorrelation.toFixed(3)}`,
  )
  if (!quick) {
    const [plain, tPlain] = await timed(() => smacof(D, n, { init: cl.coords, accelerate: false, eps: 0 }))
    line('SMACOF (plain Guttman, all 300 iterations)', report(plain, tPlain))
    const [js, tJs] = await timed(() => smacof(D, n, { init: cl.coords, kernel: 'js' }))
    line('SMACOF (accelerated, JS pass kernel)', report(js, tJs))
  }
  const [pc, tPc] = await timed(() => pca(X, n, d, { D }))
  line(
    'PCA of the points (equals classical for τ)',
    `${report(pc, tPc)}, Procrustes residual vs classical ${procrustes(cl.coords, pc.coords, n).residual.toExponential(1)}`,
  )
  const spread = ensembleSpread(D, n, { nets: N, snapshots: S })
  line(
    'mean pairwise distance, first/last snapshot',
    `${spread.meanPairwise[0]!.toFixed(2)} / ${spread.meanPairwise[S - 1]!.toFixed(2)}`,
  )

  const [lm, tLm] = await timed(async () => {
    const source = await euclideanRows(X, n, d)
    try {
      return landmarkMds(n, (rows) => source.rows(rows), { landmarks: 100 })
    } finally {
      source.dispose()
    }
  })
  const lmStress = kruskalStress(D, lm.coords, n)
  const aligned = procrustes(cl.coords, lm.coords, n)
  line(
    'landmark MDS (100 landmarks, rows on demand)',
    `${secs(tLm)}, stress-1 ${lmStress.toFixed(4)} (classical ${cl.stress.toFixed(4)}), Procrustes residual vs classical ${aligned.residual.toFixed(4)}`,
  )

  console.log('\nκ (Hamming):')
  const [K, tK] = await timed(() => classesOf(X, P, C))
  line('classes (argmax)', secs(tK))
  const [H, tH] = await timed(() => hammingDistances(K, n, P, C))
  line('distances', secs(tH))
  const [clK, tClK] = await timed(() => classicalMds(H, n))
  line('classical MDS', report(clK, tClK))
  const [smK, tSmK] = await timed(() => smacof(H, n, { init: clK.coords }))
  line('SMACOF (accelerated, from classical)', report(smK, tSmK))
  line('distances + classical + SMACOF', secs(plus(tH, tClK, tSmK)))
  if (!quick) {
    const [plainK, tPlainK] = await timed(() => smacof(H, n, { init: clK.coords, accelerate: false, eps: 0 }))
    line('SMACOF (plain Guttman, all 300 iterations)', report(plainK, tPlainK))
  }

  console.log('\nBhattacharyya / InPCA:')
  const nb = quick ? Math.min(n, 300) : Math.min(n, 620)
  const scale = (n / nb) ** 2
  const [B, tB] = await timed(() => bhattacharyyaDistances(X.subarray(0, nb * d), nb, P, C))
  line(
    `distances, first ${nb} points (SIMD)`,
    `${secs(tB)} (≈ ${secs({ wall: tB.wall * scale, cpu: tB.cpu * scale })} for all ${n})`,
  )
  if (!quick) {
    const [, tBj] = await timed(() => bhattacharyyaDistances(X.subarray(0, nb * d), nb, P, C, { kernel: 'js' }))
    line(
      `distances, first ${nb} points (JS)`,
      `${secs(tBj)} (≈ ${secs({ wall: tBj.wall * scale, cpu: tBj.cpu * scale })} for all ${n})`,
    )
  }
  const [ip, tIp] = await timed(() => inpca(B, nb))
  line('InPCA', `${report(ip, tIp)}, eigenvalues ${ip.eigenvalues!.map((v) => v.toExponential(2)).join(', ')}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
