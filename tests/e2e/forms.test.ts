/**
 * Forms that catch mistakes (issue 17, items 3, 8 and 9b), in Chromium through the browser
 * host: creating a project whose folder already holds one asks before opening it; the
 * new-run form checks IDX files on the host and puts each problem by its field, offers
 * Start only without problems, shows time, disk and memory and asks again above an hour;
 * keeping weights per snapshot is a field with its disk cost, and the weights-vs-function
 * panel follows the kept weights over training (and says what to change when it cannot).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { HAS_CHROMIUM, openWorkbench, type Workbench } from './harness'
import { idxBytes } from '../main/datasets/helpers'
import { Rng } from '../../src/main/engine/rng'
import type { RunSummary } from '../../src/shared/api/contract'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
const text = async (l: Locator) => ((await l.textContent()) ?? '').trim()

let wb: Workbench
let page: Page
let files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string; badLabels: string }

/** A small learnable dataset: 8×8 images of class c light up row c. */
function dataset(dir: string) {
  mkdirSync(dir, { recursive: true })
  const rng = new Rng(3)
  const make = (n: number) => {
    const labels = Array.from({ length: n }, () => rng.int(8))
    const pixels = labels.flatMap((c) => Array.from({ length: 64 }, (_, p) => (Math.floor(p / 8) === c ? 200 : 0)))
    return { images: idxBytes([n, 8, 8], pixels), labels: idxBytes([n], labels) }
  }
  const train = make(200)
  const test = make(50)
  const put = (name: string, b: Uint8Array) => (writeFileSync(path.join(dir, name), b), path.join(dir, name))
  return {
    trainImages: put('train-images', train.images),
    trainLabels: put('train-labels', train.labels),
    testImages: put('test-images', test.images),
    testLabels: put('test-labels', test.labels),
    badLabels: put('test-labels-49', idxBytes([49], new Array<number>(49).fill(1))),
  }
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  wb = await openWorkbench()
  page = wb.page
  files = dataset(path.join(wb.root, 'data'))
}, 120_000)
afterAll(async () => wb?.close())

describe('creating a project', () => {
  it('asks whether to open a project that already exists instead of opening it silently', async () => {
    await page.goto(wb.host.url)
    await page.getByTestId('start-page').waitFor()
    await page.getByLabel('Location').fill(path.join(wb.root, 'projects'))
    await page.getByLabel('Name', { exact: true }).fill('study')
    await page.getByTestId('create-project').click()
    await page.getByTestId('project-home').waitFor()
    await page.getByTestId('close-project').click()
    await page.getByTestId('start-page').waitFor()
    await page.getByLabel('Location').fill(path.join(wb.root, 'projects'))
    await page.getByLabel('Name', { exact: true }).fill('study')
    await page.getByTestId('create-project').click()
    const ask = page.getByTestId('project-exists')
    await ask.waitFor()
    expect(await text(ask)).toContain(path.join(wb.root, 'projects', 'study.sgdscope'))
    expect(await page.getByTestId('project-home').count()).toBe(0)
    expect(await page.getByTestId('toast').count()).toBe(0)
    await wb.screenshot('forms-01-project-exists')
    await page.getByTestId('exists-open').click()
    await page.getByTestId('project-home').waitFor()
    expect(await text(page.getByTestId('project-name'))).toBe('study')
  })
})

describe('the new-run form', () => {
  const dialog = () => page.getByRole('dialog', { name: 'New run' })
  const problemOf = (field: string) => dialog().locator(`[data-field="${field}"] [data-testid="field-problem"]`)
  const start = () => dialog().getByTestId('start-run')

  it('checks IDX files on the host and shows each problem once, by its field, with Start disabled', async () => {
    await page.getByTestId('new-run').click()
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    await dialog().getByLabel('Dataset').selectOption('idx')
    await dialog().getByLabel('Deskew images').uncheck()
    await dialog()
      .getByLabel('Training images (IDX)')
      .fill(path.join(wb.root, 'data', 'missing-images'))
    await dialog().getByLabel('Training labels (IDX)').fill(files.trainLabels)
    await dialog().getByLabel('Test images (IDX)').fill(files.testImages)
    await dialog().getByLabel('Test labels (IDX)').fill(files.testLabels)
    await problemOf('dataset.trainImages').filter({ hasText: 'no such file' }).waitFor()
    expect(await start().isDisabled()).toBe(true)
    // A label file given as images says so.
    await dialog().getByLabel('Training images (IDX)').fill(files.trainLabels)
    await problemOf('dataset.trainImages').filter({ hasText: 'is this a label file?' }).waitFor()
    // Images and labels that do not match.
    await dialog().getByLabel('Training images (IDX)').fill(files.trainImages)
    await dialog().getByLabel('Test labels (IDX)').fill(files.badLabels)
    await problemOf('dataset.testLabels').filter({ hasText: 'has 50 images but' }).waitFor()
    expect(await text(problemOf('dataset.testLabels'))).toContain('has 49 labels')
    expect(await problemOf('dataset.trainImages').count()).toBe(0)
    // Each problem once: by its field, not again in a list or as a toast behind the modal.
    await dialog().getByLabel('Learning rate η').fill('-1')
    await problemOf('lr').waitFor()
    expect(await dialog().getByTestId('field-problem').count()).toBe(2)
    expect(await dialog().getByRole('alert').filter({ hasText: 'label count' }).count()).toBe(1)
    expect(await text(dialog().getByTestId('spec-status'))).toContain('2 problems')
    expect(await page.getByTestId('toast').count()).toBe(0)
    expect(await start().isDisabled()).toBe(true)
    await dialog().locator('[data-group="data"]').scrollIntoViewIfNeeded()
    await wb.screenshot('forms-02-idx-problems')
    await dialog().getByLabel('Learning rate η').fill('1')
    await dialog().getByLabel('Test labels (IDX)').fill(files.testLabels)
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    expect(await start().isEnabled()).toBe(true)
  })

  it('estimates time, disk and memory, and asks before starting above an hour', async () => {
    const est = dialog().getByTestId('estimate')
    await est.waitFor()
    await dialog().getByLabel('Networks', { exact: true }).fill('2')
    await dialog().getByLabel('Probe images').fill('50')
    await dialog().getByLabel('Epochs', { exact: true }).fill('1')
    await dialog().getByLabel('Points in epoch 1').fill('4')
    await dialog().getByLabel('Hidden units').fill('10')
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    // Snapshots 0, ¼, ½, ¾, 1: τ = 2 nets × 5 × 50 probe × 8 classes × 4 bytes = 16 kB.
    await est.filter({ hasText: 'τ 16 kB' }).waitFor()
    expect(await text(est)).toContain('5 snapshots')
    // A huge spec: hours, and Start asks first.
    await dialog().getByLabel('Dataset').selectOption('mnist')
    await dialog().getByLabel('Networks', { exact: true }).fill('5000')
    await dialog().getByLabel('Hidden units').fill('1000')
    await dialog().getByLabel('Epochs', { exact: true }).fill('100')
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    await dialog().getByTestId('estimate-time').filter({ hasText: ' h ' }).waitFor()
    expect(await text(est)).not.toContain('τ 16 kB')
    await start().click()
    const confirm = dialog().getByTestId('confirm')
    await confirm.waitFor()
    expect(await text(confirm)).toContain('more than an hour of training')
    await wb.screenshot('forms-03-confirm')
    await dialog().getByTestId('confirm-back').click()
    await confirm.waitFor({ state: 'detached' })
    expect(await wb.host.service.call('runs.list', {})).toEqual([])
  })

  it('keeps weights per snapshot as a field with its disk cost; weights vs function then follows training', async () => {
    await dialog().getByLabel('Dataset').selectOption('idx')
    await dialog().getByLabel('Training images (IDX)').fill(files.trainImages)
    await dialog().getByLabel('Training labels (IDX)').fill(files.trainLabels)
    await dialog().getByLabel('Test images (IDX)').fill(files.testImages)
    await dialog().getByLabel('Test labels (IDX)').fill(files.testLabels)
    await dialog().getByLabel('Networks', { exact: true }).fill('3')
    await dialog().getByLabel('Hidden units').fill('10')
    await dialog().getByLabel('Epochs', { exact: true }).fill('2')
    await dialog().getByLabel('Train-metric subset').fill('100')
    await dialog().getByLabel('Run name').fill('weights over time')
    const note = dialog().locator('[data-field="keepWeights"] [data-testid="field-note"]')
    // 64·10 + 10 + 10·8 + 8 = 738 parameters × 4 bytes = 2 952 bytes per network and snapshot.
    await note.filter({ hasText: 'Adds 9 kB on disk: 1 snapshot' }).waitFor()
    await dialog().getByLabel('Keep weights').selectOption('all')
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    // Snapshots 0, ¼, ½, ¾, 1, 2: 6 of them × 3 networks × 2 952 bytes = 53 kB.
    await note.filter({ hasText: 'Adds 53 kB on disk: 6 snapshots × 9 kB (3 networks)' }).waitFor()
    await dialog().getByLabel('Keep weights').selectOption('epochs')
    await dialog().getByLabel('Weights at epochs').waitFor()
    expect(await dialog().getByLabel('Weights at epochs').inputValue()).toBe('0, 2')
    await dialog().getByLabel('Weights at epochs').fill('0, 0.5, 1, 2')
    await note.filter({ hasText: '4 snapshots' }).waitFor()
    await dialog().locator('[data-field="keepWeights"]').scrollIntoViewIfNeeded()
    await wb.screenshot('forms-04-keep-weights')
    await dialog().getByLabel('Keep weights').selectOption('all')
    await dialog().getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    await start().click()
    await dialog().waitFor({ state: 'hidden' })
    await page.locator('[data-testid="run-workspace"][data-status="complete"]').waitFor({ timeout: 120_000 })
    const [run] = (await wb.host.service.call('runs.list', {})) as RunSummary[]
    await page.goto(`${wb.host.url}#/run/${run!.id}/beyond`)
    const facts = page.getByTestId('beyond-wvf-facts')
    await facts.waitFor({ timeout: 120_000 })
    expect(await text(facts)).toContain('weights kept at 6 snapshot(s)')
    expect(await page.getByTestId('wvf-hint').count()).toBe(0)
    await page.getByTestId('beyond-wvf-facts').scrollIntoViewIfNeeded()
    await wb.screenshot('forms-05-weights-vs-function')
  })
})
