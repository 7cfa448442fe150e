import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CheckpointError,
  compilePattern,
  describeGaps,
  findCheckpoints,
  matchCheckpoints,
  DEFAULT_PATTERNS,
} from '../../../src/main/checkpoints/pattern'
import { tempDir } from '../../helpers/tmp'

function folder(files: string[]): string {
  const dir = tempDir('sgdscope-ckpt-pattern-')
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    writeFileSync(path.join(dir, f), 'x')
  }
  return dir
}

describe('checkpoint patterns', () => {
  it('reads whole, zero-padded and decimal epochs in both default layouts', () => {
    const { checkpoints, unmatched } = matchCheckpoints(
      ['net3/epoch012.onnx', 'net3/epoch0.5.onnx', 'net10_epoch2.onnx', 'net3/epoch1.onnx.bak', 'notes.txt'],
      DEFAULT_PATTERNS,
    )
    expect(checkpoints).toEqual([
      { net: 3, epoch: 0.5, file: 'net3/epoch0.5.onnx' },
      { net: 3, epoch: 12, file: 'net3/epoch012.onnx' },
      { net: 10, epoch: 2, file: 'net10_epoch2.onnx' },
    ])
    expect(unmatched).toEqual(['net3/epoch1.onnx.bak', 'notes.txt'])
  })

  it('takes a custom pattern with the placeholders in any order and escapes the rest', () => {
    const c = compilePattern('ep{epoch}/seed-{net}.model.onnx')
    expect(c.regex.test('ep3/seed-1.model.onnx')).toBe(true)
    expect(c.regex.test('ep3/seed-1xmodel.onnx')).toBe(false) // "." is literal
    const { checkpoints } = matchCheckpoints(
      ['ep3/seed-1.model.onnx', 'ep0.25/seed-0.model.onnx'],
      ['ep{epoch}/seed-{net}.model.onnx'],
    )
    expect(checkpoints).toEqual([
      { net: 0, epoch: 0.25, file: 'ep0.25/seed-0.model.onnx' },
      { net: 1, epoch: 3, file: 'ep3/seed-1.model.onnx' },
    ])
  })

  it('refuses patterns without both placeholders, with unknown ones, or leaving the folder', () => {
    expect(() => compilePattern('net{net}.onnx')).toThrow(/must contain \{net\} and \{epoch\} exactly once/)
    expect(() => compilePattern('{net}/{epoch}/{net}.onnx')).toThrow(/exactly once/)
    expect(() => compilePattern('{net}/{step}_{epoch}.onnx')).toThrow(/unknown placeholder in "\/\{step\}_"/)
    expect(() => compilePattern('../{net}/{epoch}.onnx')).toThrow(/relative to the folder/)
  })

  it('names both files when two give the same net and epoch', () => {
    expect(() => matchCheckpoints(['net1/epoch012.onnx', 'net1/epoch12.onnx'], DEFAULT_PATTERNS)).toThrow(
      'net1/epoch012.onnx and net1/epoch12.onnx are both net 1 at epoch 12',
    )
  })

  it('finds checkpoints in a folder, maps net numbers to networks and reports gaps and stray files', async () => {
    const dir = folder([
      'net1/epoch0.onnx',
      'net1/epoch1.onnx',
      'net1/epoch2.onnx',
      'net4/epoch0.onnx',
      'net4/epoch2.onnx',
      'README.md',
      '.hidden/net2/epoch0.onnx',
    ])
    const l = await findCheckpoints(dir)
    expect(l.nets).toEqual([1, 4])
    expect(l.epochs).toEqual([0, 1, 2])
    expect(l.checkpoints.map((c) => c.file)).toEqual([
      'net1/epoch0.onnx',
      'net1/epoch1.onnx',
      'net1/epoch2.onnx',
      'net4/epoch0.onnx',
      'net4/epoch2.onnx',
    ])
    expect(l.unmatched).toEqual(['README.md'])
    expect(l.gaps).toEqual([{ net: 4, epoch: 1 }])
    expect(
      describeGaps([
        { net: 4, epoch: 1 },
        { net: 4, epoch: 3 },
        { net: 5, epoch: 0.5 },
      ]),
    ).toBe('net 4 at epochs 1, 3; net 5 at epoch 0.5')
  })

  it('says what it looked for when nothing matches, and when the folder is missing', async () => {
    const dir = folder(['model-a.onnx'])
    await expect(findCheckpoints(dir)).rejects.toThrow(
      `no checkpoints in ${dir} match net{net}/epoch{epoch}.onnx or net{net}_epoch{epoch}.onnx (it holds 1 file(s), e.g. model-a.onnx); use --pattern`,
    )
    await expect(findCheckpoints(path.join(dir, 'nope'))).rejects.toThrow(CheckpointError)
    await expect(findCheckpoints(path.join(dir, 'nope'))).rejects.toThrow(/cannot read the checkpoint folder .*nope/)
  })
})
