/**
 * File names of the figures this window exports (downloads, or the desktop app's save
 * dialog's suggestion): run labels, figure kind and view (shared/figures/file-name.ts),
 * with a counter when this session already used the name, so a second export of the same
 * run and kind does not collide with (or, in a downloads folder, silently replace) the first.
 */
import type { SavedView } from '../../../shared/api/contract'
import { figureBaseName, uniqueFileName, type FigureNameParts } from '../../../shared/figures/file-name'

const used = new Set<string>()

/** The name the next export of these parts would get (not yet taken). */
export function nextFileName(parts: FigureNameParts, format: string): string {
  return uniqueFileName(figureBaseName(parts), format, (f) => used.has(f))
}

/** Records a name as used (after the file was written or downloaded). */
export function claimFileName(file: string): void {
  used.add(file)
}

/** The name parts of a view: its runs' labels, its kind, τ/κ (not for metrics), a saved view's name. */
export function viewNameParts(
  view: Omit<SavedView, 'name'>,
  labelOf: (runId: string) => string,
  savedName?: string,
): FigureNameParts {
  return {
    labels: view.query.labels ?? view.query.runs.map(labelOf),
    kind: view.kind,
    ...(view.kind === 'metrics' ? {} : { view: view.query.view ?? 'tau' }),
    ...(savedName ? { name: savedName } : {}),
  }
}

/** Forgets the names used (tests). */
export function resetFileNames(): void {
  used.clear()
}
