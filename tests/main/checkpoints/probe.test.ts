/** Probe sets from --probe arguments: presets, IDX pairs, .npz and .npy files. */
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
      expect(await loadProbe('fashion-mnist:3')).toMatchObject({ id: 'fashion-mnist:test[0:3]', count: 3, shape: [28, 28], classes: 10 })
    } else await expect(loadProbe('fashion-mnist:3')).rejects.toThrow(/Fashion-MNIST not found in .*apt-get install dataset-fashion-mnist/)
  })

  it('idx:IMAGES,LABELS[:N] reads an IDX pair', async () => {
    const d = mnistDataDir()
    const p = await loadProbe(`idx:${d}/t10k-images-idx3-ubyte,${d}/t10k-labels-idx1-ubyte:7`)
    expect(p).toMatchObject({ id: 'idx:t10k-images-idx3-ubyte[0:7]', count: 7, shape: [28, 28], classes: null })
    expect(Array.from(p.labels)).toEqual([7, 2, 1, 0, 4, 1, 4])
    await expect(loadProbe(`idx:${d}/t10k-images-idx3-ubyte`)).rejects.toThrow(/idx: takes IMAGES,LABELS\[:N\] \(two files\)/)
    await expect(loadProbe(`idx:${d}/t10k-labels-idx1-ubyte,${d}/t10k-images-idx3-ubyte`)).rejects.toThrow(/expected an image file with 3 dimensions/)
  })

  it('names the argument and what is wrong', async () => {
    await expect(loadProbe('mnist:0')).rejects.toThrow('--probe mnist:0: the count after ":" must be a whole number ≥ 1')
    await expect(loadProbe('mnist:20000')).rejects.toThrow('--probe mnist:20000: asks for 20000 items but the mnist test set has 10000')
    await expect(loadProbe('cifar10:100')).rejects.toThrow(/--probe cifar10:100: unknown probe set \(use mnist:N/)
  })
})
