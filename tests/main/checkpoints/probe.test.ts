/** Probe sets from --probe arguments: presets, IDX pairs, .npz and .npy files. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadProbe } from '../../../src/main/checkpoints/probe'
import { probeInfo } from '../../../src/main/archive/probe'
import { loadDataset } from '../../../src/main/datasets/registry'
import { readImages } from '../../../src/main/datasets/idx'
import { datasetProbe } from '../../../src/main/experiments/probe'
import { FASHION_MNIST_DIR } from '../../../src/main/datasets/mnist'
import { mnistDataDir } from './fixtures'
import { tempDir } from '../../helpers/tmp'

const dir = tempDir('sgdscope-ckpt-probe-')
/** Runs a NumPy snippet in `dir` (np imported). */
const numpy = (code: string) => execFileSync('python3', ['-c', `import numpy as np\n${code}`], { cwd: dir })

describe('probe sets', () => {
  it('mnist:N is the first N test images, pixels / 255, with the in-app runs’ fingerprint', async () => {
    const p = await loadProbe('mnist:5')
    expect(p).toMatchObject({ id: 'mnist:test[0:5]', count: 5, shape: [28, 28], classes: 10 })
    expect(Array.from(p.labels)).toEqual([7, 2, 1, 0, 4])
    const raw = readImages(path.join(mnistDataDir(), 't10k-images-idx3-ubyte'))
    expect(p.inputs).toEqual(Float32Array.from(raw.pixels.subarray(0, 5 * 784), (v) => v / 255))
    expect(p.inputs.buffer).toBeInstanceOf(SharedArrayBuffer)
    const inApp = datasetProbe(await loadDataset({ source: 'mnist', deskew: false }, { shared: false }), 5)
    expect(probeInfo(p.labels, p.inputs.slice(), p.id)).toEqual(inApp)
    expect((await loadProbe('mnist')).count).toBe(1000)
  })

  it('mnist-deskewed:N matches the in-app deskewed probe set', async () => {
    const p = await loadProbe('mnist-deskewed:20')
    expect(p.id).toBe('mnist-deskewed:test[0:20]')
    const inApp = datasetProbe(await loadDataset({ source: 'mnist', deskew: true }, { shared: false }), 20)
    expect(probeInfo(p.labels, p.inputs.slice(), p.id)).toEqual(inApp)
  })

  it('fashion-mnist:N comes from the installed dataset, or says how to install it', async () => {
    if (existsSync(FASHION_MNIST_DIR)) {
      expect(await loadProbe('fashion-mnist:3')).toMatchObject({
        id: 'fashion-mnist:test[0:3]',
        count: 3,
        shape: [28, 28],
        classes: 10,
      })
    } else
      await expect(loadProbe('fashion-mnist:3')).rejects.toThrow(
        /Fashion-MNIST not found in .*apt-get install dataset-fashion-mnist/,
      )
  })

  it('idx:IMAGES,LABELS[:N] reads an IDX pair', async () => {
    const d = mnistDataDir()
    const p = await loadProbe(`idx:${d}/t10k-images-idx3-ubyte,${d}/t10k-labels-idx1-ubyte:7`)
    expect(p).toMatchObject({ id: 'idx:t10k-images-idx3-ubyte[0:7]', count: 7, shape: [28, 28], classes: null })
    expect(Array.from(p.labels)).toEqual([7, 2, 1, 0, 4, 1, 4])
    await expect(loadProbe(`idx:${d}/t10k-images-idx3-ubyte`)).rejects.toThrow(
      /idx: takes IMAGES,LABELS\[:N\] \(two files\)/,
    )
    await expect(loadProbe(`idx:${d}/t10k-labels-idx1-ubyte,${d}/t10k-images-idx3-ubyte`)).rejects.toThrow(
      /expected an image file with 3 dimensions/,
    )
  })

  it('FILE.npz[:N] and npy:INPUTS,LABELS read arrays; uint8 pixels are divided by 255', async () => {
    numpy(`x = np.arange(24, dtype=np.uint8).reshape(4, 2, 3)
np.savez('u8.npz', inputs=x, labels=np.array([3, -1, 0, 2]))
np.savez_compressed('f64.npz', inputs=x.astype(np.float64) / 7, labels=np.array([1, 2, 3, 4], dtype=np.int64))
np.save('in.npy', x.astype(np.float32).reshape(4, 6)); np.save('lab.npy', np.array([0, 1, 0, 1], dtype=np.uint8))`)
    const u8 = await loadProbe(path.join(dir, 'u8.npz'))
    expect(u8).toMatchObject({ count: 4, shape: [2, 3], classes: null, id: 'npz:u8.npz[0:4]' })
    expect(u8.inputs).toEqual(Float32Array.from({ length: 24 }, (_, i) => i / 255))
    expect(Array.from(u8.labels)).toEqual([3, -1, 0, 2])
    const f = await loadProbe(`${path.join(dir, 'f64.npz')}:3`)
    expect(f.count).toBe(3)
    expect(f.inputs).toEqual(Float32Array.from({ length: 18 }, (_, i) => i / 7))
    const pair = await loadProbe(`npy:${path.join(dir, 'in.npy')},${path.join(dir, 'lab.npy')}`)
    expect(pair).toMatchObject({ id: 'npy:in.npy[0:4]', count: 4, shape: [6] })
    expect(Array.from(pair.labels)).toEqual([0, 1, 0, 1])
  })

  it('names the file, array, shape and what was expected when arrays are wrong', async () => {
    numpy(`np.savez('nolabels.npz', inputs=np.zeros((3, 4), np.float32))
np.savez('short.npz', inputs=np.zeros((3, 4), np.float32), labels=np.zeros(2, np.int64))
np.savez('flat.npz', inputs=np.zeros(3, np.float32), labels=np.zeros(3, np.int64))
np.savez('nan.npz', inputs=np.array([[0, np.nan]], np.float32), labels=np.zeros(1, np.int64))
np.savez('frac.npz', inputs=np.zeros((2, 2), np.float32), labels=np.array([0.5, 1]))
np.savez('cplx.npz', inputs=np.zeros((2, 2), np.complex64), labels=np.zeros(2, np.int64))`)
    const at = (f: string) => path.join(dir, f)
    await expect(loadProbe(at('nolabels.npz'))).rejects.toThrow(
      `${at('nolabels.npz')} has no array labels (it has inputs)`,
    )
    await expect(loadProbe(at('short.npz'))).rejects.toThrow(
      `${at('short.npz')}: labels has shape [2] but ${at('short.npz')}: inputs has 3 items: expected [3]`,
    )
    await expect(loadProbe(at('flat.npz'))).rejects.toThrow(
      `${at('flat.npz')}: inputs has shape [3]: expected [P, ...]`,
    )
    await expect(loadProbe(at('nan.npz'))).rejects.toThrow(
      /inputs holds NaN at flat index 1: probe inputs must be finite/,
    )
    await expect(loadProbe(at('frac.npz'))).rejects.toThrow(/labels\[0\] is 0\.5: labels are class indices/)
    await expect(loadProbe(at('cplx.npz'))).rejects.toThrow(/complex/)
    await expect(loadProbe(`${at('short.npz')}:9`)).rejects.toThrow(/labels has shape \[2\]/)
    await expect(loadProbe(at('in.npy'))).rejects.toThrow(
      /one \.npy file holds one array; give inputs and labels as npy:INPUTS\.npy,LABELS\.npy or as a \.npz/,
    )
    await expect(loadProbe('mnist:0')).rejects.toThrow(
      '--probe mnist:0: the count after ":" must be a whole number ≥ 1',
    )
    await expect(loadProbe('mnist:20000')).rejects.toThrow(
      '--probe mnist:20000: asks for 20000 items but the mnist test set has 10000',
    )
    await expect(loadProbe('cifar10:100')).rejects.toThrow(/--probe cifar10:100: unknown probe set \(use mnist:N/)
  })
})
