/**
 * NumPy .npz archives (np.savez, np.savez_compressed): a zip of .npy members, one per
 * array. `metrics/NAME.npy` and `metrics_NAME.npy` are the metric NAME.
 */
import type { ArrayInfo } from './ndarray'
import { decodeNpyBody, MAX_HEADER, parseNpyHeader, type NpyHeader } from './npy'
import { normaliseName, type ArraySource } from './source'
import { ZipReader, type ZipMember } from './zip'

export async function openNpz(file: string): Promise<ArraySource> {
  const zip = await ZipReader.open(file)
  try {
    const arrays = new Map<string, { member: ZipMember; header: NpyHeader; where: string }>()
    for (const m of zip.members) {
      if (m.name.endsWith('/') || !m.name.endsWith('.npy')) continue
      const where = `${file}: member ${m.name}`
      const header = parseNpyHeader(await zip.head(m, MAX_HEADER), where)
      arrays.set(normaliseName(m.name.slice(0, -4)), { member: m, header, where })
    }
    const get = (name: string) => {
      const a = arrays.get(name)
      if (!a) throw new Error(`no array ${name}`)
      return a
    }
    return {
      file,
      format: 'NumPy .npz',
      names: () => [...arrays.keys()],
      info: (name): ArrayInfo => ({ dtype: get(name).header.dtype, shape: get(name).header.shape }),
      async read(name, opts) {
        const a = get(name)
        const bytes = await zip.read(a.member, opts)
        return decodeNpyBody(bytes.subarray(a.header.dataOffset), a.header, a.where)
      },
      close: () => zip.close(),
    }
  } catch (e) {
    await zip.close()
    throw e
  }
}
