/**
 * File names of figures written by the host (the project's "export all", `sgdscope
 * figure --out DIR`): the runs' labels read from the archive, then the shared naming
 * (shared/figures/file-name.ts). Light on purpose: the service imports it.
 */
import type { Project } from '../archive/project'
import type { SavedView } from '../../shared/api/contract'
import { figureBaseName, uniqueFileName } from '../../shared/figures/file-name'
import { runLegend } from '../../shared/run-display'

type Nameable = Omit<SavedView, 'name' | 'kind'> & { kind: string; name?: string }

/** The runs' legend labels (label, else name, else id), as the figure's legend shows them. */
export async function runLabels(project: Project, ids: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const id of ids) {
    try {
      const run = await project.openRun(id)
      out.push(runLegend(id, run.attrs.spec.name, run.attrs.display))
    } catch {
      out.push(id)
    }
  }
  return out
}

/** A view's file name (shared/figures/file-name.ts): run labels, kind, τ/κ, the saved
 * view's name, and a counter when `taken` says the name is used. */
export async function viewFileName(
  project: Project,
  view: Nameable,
  format: string,
  taken: (file: string) => boolean,
): Promise<string> {
  const labels = view.query.labels ?? (await runLabels(project, view.query.runs))
  const base = figureBaseName({
    labels,
    kind: view.kind,
    ...(view.kind === 'metrics' ? {} : { view: view.query.view ?? 'tau' }),
    ...(view.name ? { name: view.name } : {}),
  })
  return uniqueFileName(base, format, taken)
}
