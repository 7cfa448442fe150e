/**
 * Upgrading an engine-trained run from format 1 or 3 to format 4 (docs/run-format.md): `done`
 * and `metrics` become one chunk each (format 3), τ one shard file per network (format 4,
 * written whole under its new key `c.K.0.0.0`, which the old metadata never names). Each array is rewritten in three steps, each leaving it
 * readable: the consolidated chunk under its new key (`c.0.0`, which the old metadata never
 * names), then the array's zarr.json (atomically), then the old `c/` folder is removed. The
 * group's format changes last. A run interrupted at any point reads right (readers go by
 * each array's own metadata) and the next upgrade finishes it.
 */
import * as path from 'node:path'
import { writeFileAtomic, writeJsonAtomic } from './atomic'
import { leBytes } from './bytes'
import { fs } from './file-pool'
import { isLockHeld, withLock } from './lock'
import { ArchiveError } from './errors'
import { CONSOLIDATED_LOCK, RUN_FORMAT, RunArchive } from './run'
import { shardedTauMeta, shardLayout, TauShards } from './tau-shards'
import type { Project } from './project'

export type UpgradeResult = 'upgraded' | 'current' | 'external'

/** Rewrites one array as a single chunk holding `data` (its whole content, C order). */
export async function consolidateArray(dir: string, data: Float32Array | Uint8Array): Promise<void> {
  const metaFile = path.join(dir, 'zarr.json')
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8'))
  const shape: number[] = meta.shape
  const key = `c.${shape.map(() => 0).join('.')}`
  if (data.length > 0) await writeFileAtomic(path.join(dir, key), leBytes(data))
  await writeJsonAtomic(metaFile, {
    ...meta,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: shape.map((n) => Math.max(n, 1)) } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '.' } },
  })
  await fs.rm(path.join(dir, 'c'), { recursive: true, force: true })
}

/** Rewrites a run's τ (one chunk file per point) as one shard per network (format 4). A point
 * whose chunk file exists keeps its value (done or not); the others stay empty. */
async function shardTau(run: RunArchive): Promise<void> {
  const dir = path.join(run.dir, 'tau')
  const metaFile = path.join(dir, 'zarr.json')
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8'))
  const { nets, snapshots: S, pointShape } = run.attrs
  if (shardLayout(meta, pointShape)) return
  const target = shardedTauMeta(
    nets,
    S,
    pointShape,
    meta.dimension_names ?? ['net', 'snapshot', ...pointShape.map((_, i) => `dim${i}`)],
    Math.max(S, 1),
    meta.attributes ?? {},
  )
  const shards = new TauShards(dir, shardLayout(target, pointShape)!)
  const B = shards.pointBytes
  const Sb = Math.max(S, 1)
  const sep = (meta.chunk_key_encoding?.configuration?.separator as string | undefined) ?? '/'
  for (let k = 0; k < nets; k++) {
    const file = new Uint8Array(Sb * B + 16 * Sb)
    const index = new DataView(file.buffer, Sb * B)
    for (let j = 0; j < Sb; j++) {
      index.setBigUint64(16 * j, 0xffff_ffff_ffff_ffffn, true)
      index.setBigUint64(16 * j + 8, 0xffff_ffff_ffff_ffffn, true)
    }
    const rows = Array.from({ length: S }, (_, j) => ({ net: k, snapshot: j }))
    await run.readTauBlock(rows, new Float32Array(file.buffer, 0, (S * B) / 4))
    const chunk = (j: number) =>
      sep === '.'
        ? path.join(dir, ['c', k, j, ...pointShape.map(() => 0)].join('.'))
        : path.join(dir, 'c', String(k), String(j), ...pointShape.map(() => '0'))
    const present = await Promise.all(
      rows.map(({ snapshot: j }) =>
        fs.stat(chunk(j)).then(
          () => true,
          () => false,
        ),
      ),
    )
    present.forEach((there, j) => {
      if (!there) return
      index.setBigUint64(16 * j, BigInt(j * B), true)
      index.setBigUint64(16 * j + 8, BigInt(B), true)
    })
    await writeFileAtomic(shards.where(k, 0).file, file)
  }
  await writeJsonAtomic(metaFile, target)
  await fs.rm(path.join(dir, 'c'), { recursive: true, force: true })
}

/** Upgrades the run in `dir` to format 4 (external runs keep format 2: see docs/run-format.md).
 * Refuses a run being trained (an older sgdscope would go on writing format 1 into it),
 * unless the caller is its trainer (`trainer`). */
export async function upgradeRun(dir: string, opts: { trainer?: boolean } = {}): Promise<UpgradeResult> {
  const run = await RunArchive.open(dir)
  if (run.isExternal) return 'external'
  if (run.consolidated && run.attrs.sgdscope.format === RUN_FORMAT) return 'current'
  if (!opts.trainer)
    for (const f of await fs.readdir(dir))
      if (/^lock.*\.json$/.test(f) && (await isLockHeld(path.join(dir, f))))
        throw new ArchiveError(
          `run ${run.id} is being trained (lock file ${path.join(dir, f)}); upgrade it when training stops`,
          dir,
        )
  // Under the writers' lock: a format-3 writer of this run merges into the new arrays only.
  await withLock(path.join(dir, CONSOLIDATED_LOCK), `the upgrade of run ${run.id}`, async () => {
    const again = await RunArchive.open(dir)
    if (!again.consolidated) {
      const metrics = await again.readMetrics()
      const done = await again.readDone()
      await consolidateArray(path.join(dir, 'metrics'), metrics)
      await consolidateArray(path.join(dir, 'done'), done)
    }
    await shardTau(again)
    await again.update({ sgdscope: { kind: 'run', format: RUN_FORMAT } })
  })
  return 'upgraded'
}

export interface UpgradeProgress {
  done: number
  total: number
  runId: string
  result: UpgradeResult | 'unreadable'
  error?: string
}

/** Upgrades every run of a project, one at a time; a run that cannot be read is reported and skipped. */
export async function upgradeProject(
  project: Project,
  opts: { signal?: AbortSignal; onProgress?: (p: UpgradeProgress) => void } = {},
): Promise<UpgradeProgress[]> {
  const ids = await project.runIds()
  const out: UpgradeProgress[] = []
  for (const [i, runId] of ids.entries()) {
    opts.signal?.throwIfAborted()
    let step: UpgradeProgress
    try {
      step = { done: i + 1, total: ids.length, runId, result: await upgradeRun(project.runDir(runId)) }
    } catch (e) {
      step = { done: i + 1, total: ids.length, runId, result: 'unreadable', error: (e as Error).message }
    }
    out.push(step)
    opts.onProgress?.(step)
  }
  return out
}
