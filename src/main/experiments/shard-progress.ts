/** How far each shard of a sharded run has come, and what a shard says when it stops. */
import type { RunArchive } from '../archive/run'
import { liveLocks, shardNets, type Shard } from './runner'

export interface ShardState {
  /** 0-based, like Shard.index. */
  index: number
  count: number
  nets: number
  /** (network, snapshot) pairs recorded of the shard's networks, of `total`. */
  done: number
  total: number
  /** A process holds the shard's lock: it is training now. */
  live: boolean
}

export async function shardStates(run: RunArchive, count: number): Promise<ShardState[]> {
  const prog = await run.progress()
  const locks = await liveLocks(run)
  return Array.from({ length: count }, (_, index) => {
    const nets = shardNets(run.attrs.nets, { index, count })
    const done = nets.reduce((acc, k) => acc + prog.perNet[k], 0)
    return {
      index,
      count,
      nets: nets.length,
      done,
      total: nets.length * run.attrs.snapshots,
      live: locks.includes(`lock-shard-${index}-of-${count}.json`),
    }
  })
}

const name = (s: { index: number; count: number }) => `shard ${s.index + 1}/${s.count}`

/**
 * What a shard process says at the end: its part done and how the other shards stand
 * ("shard 2/4 done; 3 of 4 shards finished (shard 4/4 not running)"), or, when it was
 * stopped before its part was done, how to go on with it.
 */
export async function shardEndLine(
  run: RunArchive,
  shard: Shard,
  projectDir: string,
): Promise<{ line: string; done: boolean }> {
  const states = await shardStates(run, shard.count)
  const me = states[shard.index]
  if (me.done < me.total)
    return {
      done: false,
      line:
        `${run.attrs.id}: ${name(shard)} interrupted at ${me.done}/${me.total} snapshots ` +
        `(resume with: sgdscope resume ${run.attrs.id} --shard ${shard.index + 1}/${shard.count} --project ${projectDir})`,
    }
  const finished = states.filter((s) => s.done === s.total).length
  const others = states.filter((s) => s.done < s.total).map((s) => `${name(s)} ${s.live ? 'training' : 'not running'}`)
  const rest = finished === shard.count ? ': the run is complete' : ` (${others.join(', ')})`
  return {
    done: true,
    line: `${run.attrs.id}: ${name(shard)} done; ${finished} of ${shard.count} shards finished${rest}`,
  }
}
