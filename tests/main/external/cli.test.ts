/** Every CLI command on runs recorded outside sgdscope. */
import { promises as fs } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ExternalRunWriter } from '../../../src/main/archive/external-run'
import { tempDir } from '../../helpers/tmp'
import { writeTestExternalRun } from '../../helpers/external'
import { runCli } from '../../helpers/cli-in-process'

const cli = (...argv: string[]) => runCli(argv)

describe('sgdscope CLI on recorded runs', () => {
  const root = tempDir()
  const p = `${root}/cli.sgdscope`

  it('lists, shows, embeds, draws and analyses them', async () => {
    await writeTestExternalRun(p, {
      id: 'seeds',
      nets: 3,
      snapshots: 4,
      probe: 20,
      classes: 3,
      source: 'python',
      meta: { model: 'resnet18' },
    })
    await writeTestExternalRun(p, { id: 'mlp', nets: 2, snapshots: 3, probe: 15, mlp: { inputs: 4, hidden: 3 } })
    await writeTestExternalRun(p, { id: 'vals', nets: 2, snapshots: 2, probe: 5, outputs: 'values', dim: 2 })
    const l = await cli('list', '--project', p)
    expect(l.code).toBe(0)
    expect(l.out).toMatch(
      /seeds\s+complete\s+12\/12 snapshots .*recorded externally \(python\): 3 nets, probe 20, logits over 3 classes/,
    )
    const i = await cli('info', 'seeds', '--project', p)
    expect(i.code).toBe(0)
    expect(i.out).toMatch(/recorded\s+externally \(python\)\nmeta\s+model = resnet18\n/)
    expect(i.out).toMatch(/outputs\s+logits, stored after a softmax, 3 classes/)
    expect(i.out).toMatch(/weights\s+none recorded/)
    expect(i.out).toMatch(/^\s+3\.000\s+300\s/m) // epoch 3, 300 samples
    expect((await cli('info', 'mlp', '--project', p)).out).toMatch(
      /weights\s+MLP 4-3-3 \(softmax output\), recorded for every network at 3 of 3 snapshots/,
    )
    const json = JSON.parse((await cli('info', 'seeds', '--project', p, '--json')).out)
    expect(json.external).toEqual({ source: 'python', meta: { model: 'resnet18' } })
    expect(json.metricsPerSnapshot.train_loss).toHaveLength(4)

    const e = await cli('embed', 'seeds', '--view', 'kappa', '--method', 'classical', '--project', p)
    expect(e.code).toBe(0)
    expect(e.out).toMatch(/seeds: kappa view, classical: Kruskal stress-1 \d\.\d{4} over 12 points/)
    expect(e.out).toMatch(/step\/spread \d/)
    // 12 points: k = 5 is defined, k = 10 and 20 (≥ n/2) are not.
    expect(e.out).toMatch(/trustworthiness \d\.\d{3}\/—\/—, continuity \d\.\d{3}\/—\/— \(k = 5\/10\/20\), rank ρ -?\d/)
    // --max-iter stops SMACOF early: a new embedding (not the cached one), never better than the converged.
    const stressOf = (out: string) => Number(/Kruskal stress-1 (\d\.\d+)/.exec(out)![1])
    const full = await cli('embed', 'seeds', '--view', 'kappa', '--method', 'smacof', '--project', p)
    const early = await cli(
      'embed',
      'seeds',
      '--view',
      'kappa',
      '--method',
      'smacof',
      '--max-iter',
      '1',
      '--project',
      p,
    )
    expect(early.out).toMatch(/computed in/)
    expect(stressOf(early.out)).toBeGreaterThanOrEqual(stressOf(full.out))
    const bad = await cli('embed', 'seeds', '--max-iter', '0', '--project', p)
    expect(bad.code).not.toBe(0)
    expect(bad.err).toMatch(/--max-iter must be a whole number of iterations from 1 to 100000, not "0"/)
    // --iterations is the same option: the same embedding, so it comes from the cache.
    const alias = await cli(
      'embed',
      'seeds',
      '--view',
      'kappa',
      '--method',
      'smacof',
      '--iterations',
      '1',
      '--project',
      p,
    )
    expect(alias.out).toMatch(/from the cache/)
    expect(stressOf(alias.out)).toBe(stressOf(early.out))
    const badAlias = await cli('embed', 'seeds', '--iterations', 'ten', '--project', p)
    expect(badAlias.err).toMatch(/--iterations must be a whole number of iterations from 1 to 100000, not "ten"/)
    for (const method of ['tsne', 'umap', 'phate']) {
      const r = await cli('embed', 'seeds', '--method', method, '--project', p)
      expect(r.code).toBe(0)
      expect(r.out).toMatch(new RegExp(`seeds: tau view, ${method}: .*not its goal\\) over 12 points`))
      expect(r.out).toMatch(/trustworthiness \d\.\d{3}\//)
    }
    // PHATE's kernel can be set; another kernel is another embedding (not the cached one).
    const kernel = await cli('embed', 'seeds', '--method', 'phate', '--knn', '3', '--decay', '20', '--project', p)
    expect(kernel.code).toBe(0)
    expect(kernel.out).toMatch(/phate: .* over 12 points \(computed in/)
    const notPhate = await cli('embed', 'seeds', '--knn', '3', '--project', p)
    expect(notPhate.err).toMatch(/--knn and --decay set PHATE's kernel: give --method phate/)
    const badKnn = await cli('embed', 'seeds', '--method', 'phate', '--knn', '0', '--project', p)
    expect(badKnn.err).toMatch(/--knn must be a whole number of neighbours from 1 to 200, not "0"/)
    const ev = await cli('embed', 'vals', '--view', 'kappa', '--project', p)
    expect(ev.code).not.toBe(0)
    expect(ev.err).toMatch(/the κ view needs class outputs; run vals records values/)

    for (const kind of ['paths', 'metrics']) {
      const out = `${root}/${kind}.svg`
      const f = await cli('figure', 'seeds', '--kind', kind, '--out', out, '--project', p)
      expect(f.code).toBe(0)
      expect(await fs.readFile(out, 'utf8')).toMatch(/^<svg/)
    }
    const cmp = await cli('figure', 'seeds', 'mlp', '--kind', 'compare', '--out', `${root}/c.svg`, '--project', p)
    expect(cmp.code).not.toBe(0)
    expect(cmp.err).toMatch(/cannot be compared: the probe sets have 20 and 15 items/)

    const s = await cli('subproblems', 'seeds', '--kind', 'classes', '--json', '--project', p)
    expect(s.code).toBe(0)
    expect(JSON.parse(s.out)).toMatchObject({ probe: 20, classes: 3 })
    const b = await cli('barrier', 'mlp', '--nets', '0,1', '--points', '3', '--json', '--project', p)
    expect(b.code).toBe(0)
    expect(JSON.parse(b.out).evaluatedOn).toEqual({ set: 'test', count: 15 })
    const nb = await cli('barrier', 'seeds', '--nets', '0,1', '--project', p)
    expect(nb.code).not.toBe(0)
    expect(nb.err).toMatch(
      /records no weights; barriers, weight matching and weight vs function need recorded weights of the MLP family/,
    )
    const d = await cli('distances', 'mlp', '--json', '--project', p)
    expect(d.code).toBe(0)
    expect(JSON.parse(d.out).kept).toEqual([0, 1, 2])

    const r = await cli('resume', 'seeds', '--project', p)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/recorded outside sgdscope \(python\); there is nothing for sgdscope to resume/)
  })

  it('status names the recording process of a live run', async () => {
    const w = await ExternalRunWriter.createOrJoin(p, {
      id: 'live',
      spec: { source: 'python', nets: 2, classes: 2, outputs: 'probabilities', probe: 2 },
      labels: [0, 1],
    })
    const empty = await cli('status', 'live', '--project', p)
    expect(empty.out).toMatch(/live: created, 0\/0 \(network, snapshot\) pairs recorded\n/)
    await w.start([0])
    await w.record(0, 0, { outputs: [1, 0, 0, 1] })
    const st = await cli('status', 'live', '--project', p)
    expect(st.code).toBe(0)
    expect(st.out).toMatch(/live: running, 1\/2 \(network, snapshot\) pairs recorded \(50 %\)/)
    expect(st.out).toMatch(new RegExp(`recording: lock-recorder-\\S+-${process.pid} by process ${process.pid}`))
    await w.close()
    expect((await cli('status', 'live', '--project', p)).out).toMatch(/live: complete/)
  })
})
