/** Renaming a run: its display name, legend label and colour (the `display` attribute). */
import { ApiError, describeIssues, inputIssues } from '../../shared/api/errors'
import { RunDisplay } from '../../shared/run-display'
import { patchGroup } from './external-run'
import type { RunArchive } from './run'

/** A change of a run's display: a string sets a field, null clears it, absent leaves it. */
export interface DisplayPatch {
  name?: string | null
  label?: string | null
  color?: string | null
}

/** Validates the patch (bad-input naming the field) and writes it into the run's attributes. */
export async function setRunDisplay(run: RunArchive, patch: DisplayPatch): Promise<RunDisplay> {
  const next: Record<string, string | undefined> = { ...run.attrs.display }
  for (const key of ['name', 'label', 'color'] as const) {
    const v = patch[key]
    if (v === null) delete next[key]
    else if (v !== undefined) next[key] = v
  }
  const r = RunDisplay.safeParse(next)
  if (!r.success) {
    const issues = inputIssues(r.error.issues, next)
    throw new ApiError('bad-input', `cannot rename run ${run.id}: ${describeIssues(issues)}`, { issues })
  }
  const display = r.data
  const value = Object.keys(display).length ? display : undefined
  // Recorded runs (format 2) may be written by another process right now: patch under its lock.
  if (run.attrs.sgdscope.format >= 2) run.attrs = await patchGroup(run.dir, { display: value })
  else await run.update({ display: value })
  return display
}
