/**
 * Which importer reads a file: by its content (zip, NumPy, HDF5 magic bytes; a folder
 * with Zarr metadata), else by its extension. A new format is one entry here.
 */
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import { hasHdf5Signature, openHdf5 } from './hdf5'
import { isNpy, openNpy } from './npy'
import { openNpz } from './npz'
import { ImportError, type ArraySource } from './source'
import { isZip } from './zip'
import { openZarr, zarrVersion } from './zarr'

export interface Importer {
  id: string
  /** What the user reads in help and errors. */
  label: string
  extensions: string[]
  /** Reads folders rather than files. */
  directory?: boolean
  /** True if the content is this format (`head` is the file's first bytes). */
  sniff(file: string, head: Uint8Array): Promise<boolean>
  open(file: string): Promise<ArraySource>
}

export const IMPORTERS: Importer[] = [
  {
    id: 'npz',
    label: 'NumPy .npz (np.savez, np.savez_compressed)',
    extensions: ['.npz'],
    sniff: async (_f, h) => isZip(h),
    open: openNpz,
  },
  {
    id: 'npy',
    label: 'NumPy .npy (outputs only)',
    extensions: ['.npy'],
    sniff: async (_f, h) => isNpy(h),
    open: openNpy,
  },
  {
    id: 'hdf5',
    label: 'HDF5 (h5py)',
    extensions: ['.h5', '.hdf5', '.hdf', '.he5'],
    sniff: (f) => hasHdf5Signature(f),
    open: openHdf5,
  },
  {
    id: 'zarr',
    label: 'Zarr v2 or v3 group (a folder)',
    extensions: ['.zarr'],
    directory: true,
    sniff: async (f) => (await zarrVersion(f)) !== null,
    open: openZarr,
  },
]

/** Opens a file with the importer its content (or failing that, its name) says. */
/** What a path names: a Zarr group's metadata file stands for its folder (for file dialogs that pick only files). */
export const importTarget = (file: string): string =>
  ['zarr.json', '.zgroup'].includes(path.basename(file)) ? path.dirname(file) : file

export async function openSource(given: string): Promise<ArraySource> {
  const file = importTarget(given)
  let stat
  try {
    stat = await fs.stat(file)
  } catch {
    throw new ImportError(`${file} does not exist`)
  }
  const dir = stat.isDirectory()
  const candidates = IMPORTERS.filter((i) => !!i.directory === dir)
  let head = new Uint8Array(0)
  if (!dir) {
    const fh = await fs.open(file, 'r')
    try {
      head = new Uint8Array(16)
      const { bytesRead } = await fh.read(head, 0, 16, 0)
      head = head.subarray(0, bytesRead)
    } finally {
      await fh.close()
    }
  }
  for (const i of candidates) if (await i.sniff(file, head)) return i.open(file)
  // Not recognised by content: the extension's importer explains what is wrong.
  const ext = path.extname(file).toLowerCase()
  const byName = candidates.find((i) => i.extensions.includes(ext))
  if (byName) return byName.open(file)
  const known = IMPORTERS.map((i) => `${i.label}`).join('; ')
  throw new ImportError(
    `${file} is not a format sgdscope imports (${dir ? 'a folder without Zarr metadata' : 'unrecognised content'}); it reads: ${known}`,
  )
}
