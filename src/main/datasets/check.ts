/**
 * A dataset's files checked before a run is started (the new-run form, `sgdscope run`):
 * each exists and is an IDX file of the right kind, image and label counts agree, and
 * training and test images have one size. Headers only (label files are read whole: they
 * are small, and their largest label gives the class count), so it answers at once.
 */
import type { InputIssue } from '../../shared/api/errors'
import type { DatasetSpec } from '../../shared/spec'
import { DatasetError, inspectIdxFile, readIdxFile } from './idx'
import { fashionMnistPaths, mnistPaths, type IdxPaths } from './mnist'

/** What the estimate needs to know of a dataset. */
export interface DatasetShape {
  trainCount: number
  testCount: number
  /** Pixels per image. */
  inputs: number
  classes: number
}

export interface DatasetCheck {
  issues: InputIssue[]
  /** Known when every file is fine. */
  shape?: DatasetShape
}

const FIELDS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const
type Field = (typeof FIELDS)[number]

const issue = (path: string, message: string): InputIssue => ({ path, problem: { kind: 'invalid' }, message })

/** Checks the files of `spec`; issue paths are the spec's ("dataset.trainImages"). */
export function checkDatasetFiles(spec: DatasetSpec): DatasetCheck {
  let paths: IdxPaths
  try {
    paths =
      spec.source === 'idx'
        ? (Object.fromEntries(FIELDS.map((f) => [f, spec[f] ?? ''])) as unknown as IdxPaths)
        : spec.source === 'mnist'
          ? mnistPaths()
          : fashionMnistPaths()
  } catch (e) {
    return { issues: [issue('dataset.source', (e as Error).message)] }
  }
  // Built-in datasets' files are not the user's to fix: their problems go on the source.
  const at = (f: Field) => (spec.source === 'idx' ? `dataset.${f}` : 'dataset.source')
  const issues: InputIssue[] = []
  const dims: Partial<Record<Field, number[]>> = {}
  let classes = 0
  for (const f of FIELDS) {
    const p = paths[f]
    if (!p) continue // the spec's own check says it is required
    try {
      if (f.endsWith('Labels')) {
        const a = readIdxFile(p)
        dims[f] = a.dims
        if (a.dims.length === 1) for (const l of a.data) if (l + 1 > classes) classes = l + 1
      } else dims[f] = inspectIdxFile(p).dims
    } catch (e) {
      if (!(e instanceof DatasetError)) throw e
      issues.push(issue(at(f), e.message))
      continue
    }
    const d = dims[f]!
    const images = f.endsWith('Images')
    if (images && d.length !== 3)
      issues.push(
        issue(
          at(f),
          `${p}: expected an image file with 3 dimensions (count, rows, cols), found ${d.length} (${d.join('×')})` +
            (d.length === 1 ? ': is this a label file?' : ''),
        ),
      )
    if (!images && d.length !== 1)
      issues.push(
        issue(
          at(f),
          `${p}: expected a label file with 1 dimension, found ${d.length} (${d.join('×')})` +
            (d.length === 3 ? ': is this an image file?' : ''),
        ),
      )
  }
  if (issues.length) return { issues }
  for (const part of ['train', 'test'] as const) {
    const im = dims[`${part}Images`]
    const lab = dims[`${part}Labels`]
    if (im && lab && im[0] !== lab[0])
      issues.push(
        issue(
          at(`${part}Labels`),
          `image count ≠ label count: ${paths[`${part}Images`]} has ${im[0]} images but ${paths[`${part}Labels`]} has ${lab[0]} labels`,
        ),
      )
  }
  const tr = dims.trainImages
  const te = dims.testImages
  if (tr && te && (tr[1] !== te[1] || tr[2] !== te[2]))
    issues.push(issue(at('testImages'), `test images are ${te[1]}×${te[2]} but training images are ${tr[1]}×${tr[2]}`))
  if (issues.length || !tr || !te) return { issues }
  return {
    issues,
    shape: {
      trainCount: tr[0]!,
      testCount: te[0]!,
      inputs: tr[1]! * tr[2]!,
      classes: spec.source === 'idx' ? Math.max(classes, 2) : 10,
    },
  }
}
