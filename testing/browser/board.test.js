// The bounty board page in Debian's Chromium (headless, driven by playwright-core), against a
// `suite node` serving the demo's devnet. Started by cli/tests/browser.rs, which passes:
// SUITE_NODE_URL, SUITE_MARKET (the market's t0 address), SUITE_POST_BOUNTY (its method number),
// SUITE_EXPECT (what the page must show, read with the suite's Rust types), SUITE_SCREENSHOTS
// (a directory for one PNG per view) and CHROMIUM (the browser's path).

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { join } from 'node:path'

import { Message } from 'iso-filecoin/message'
import { RPC } from 'iso-filecoin/rpc'
import * as Wallet from 'iso-filecoin/wallet'
import { chromium } from 'playwright-core'

import { Cid, decode, encode, fromBase64, toBase64, tokenAmountBytes } from '../../ui/cbor.js'
import { filText } from '../../ui/format.js'

const url = process.env.SUITE_NODE_URL
const market = process.env.SUITE_MARKET
const POST_BOUNTY = Number(process.env.SUITE_POST_BOUNTY)
const shots = process.env.SUITE_SCREENSHOTS
assert.ok(url && market && POST_BOUNTY && shots && process.env.SUITE_EXPECT, 'run me from cli/tests/browser.rs')
const expected = JSON.parse(process.env.SUITE_EXPECT)

const FIL = 10n ** 18n
const PIECE = 'baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy'
const origin = new URL(url).origin

let browser
let page
/** Requests the page made to anywhere but the node: there must be none. */
const foreign = []
const pageErrors = []

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-default-apps', '--disable-sync'],
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.route('**/*', (route) => {
    const target = route.request().url()
    if (new URL(target).origin === origin || target.startsWith('data:')) return route.continue()
    foreign.push(target)
    return route.abort()
  })
})

after(async () => {
  await browser?.close()
})

/** Opens a view and waits until its content (not the "Loading…" placeholder) is drawn. */
async function open(hash, ready) {
  await page.goto(`${url}/${hash}`)
  // A hash change keeps the previous view's content until the new one is drawn.
  await page.locator(`body[data-view="${hash}"]`).waitFor({ state: 'attached', timeout: 20_000 })
  await page.locator(ready).first().waitFor({ timeout: 5_000 })
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
}

async function lotus(method, params) {
  const r = await fetch(`${url}/rpc/v1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
  })
  const body = await r.json()
  assert.equal(body.error, undefined, `${method}: ${JSON.stringify(body.error)}`)
  return body.result
}

test('the board lists the three bounties with their rewards, highest first', async () => {
  await open('#/', '#bounties')
  const rows = page.locator('#bounties tbody tr')
  assert.equal(await rows.count(), expected.bounties.length)
  for (const b of expected.bounties) {
    const reward = page.locator(`#bounties tr[data-bounty="${b.id}"] [data-field=reward] .fil`)
    assert.equal(await reward.getAttribute('data-atto'), b.reward, `bounty ${b.id}'s reward`)
    assert.equal(await reward.innerText(), filText(BigInt(b.reward)))
    assert.match(await reward.getAttribute('title'), /attoFIL$/)
    const total = page.locator(`#bounties tr[data-bounty="${b.id}"] [data-field=total] .fil`)
    assert.equal(await total.getAttribute('data-atto'), (BigInt(b.reward) * BigInt(b.replicas)).toString())
  }
  const order = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.bounty)))
  const byReward = [...expected.bounties].sort((a, b) => Number(BigInt(b.reward) - BigInt(a.reward))).map((b) => b.id)
  assert.deepEqual(order, byReward)
  // Every address has its copy button.
  assert.ok((await page.locator('#bounties .addr button.copy').count()) >= 2 * expected.bounties.length)
  await shot('board')
})

test('a bounty page shows its replicas with deal ids and marks the slashed claim', async () => {
  const slashed = expected.claims.find((c) => c.slashed)
  assert.ok(slashed, 'the demo slashes a claim')
  const claims = expected.claims.filter((c) => c.bounty === slashed.bounty)
  await open(`#/bounty/${slashed.bounty}`, '#replicas')
  assert.equal(await page.locator('#replicas tbody tr').count(), claims.length)
  for (const c of claims) {
    const row = page.locator(`#replicas tr[data-claim="${c.id}"]`)
    assert.equal(await row.locator('[data-field=deal]').innerText(), String(c.deal))
    assert.equal(await row.locator('[data-field=sector]').innerText(), String(c.sector))
    assert.equal(await row.getAttribute('data-status') === 'slashed', c.slashed, `claim ${c.id}`)
    assert.ok((await row.innerText()).includes(`t0${c.provider}`))
  }
  const row = page.locator(`#replicas tr[data-claim="${slashed.id}"]`)
  assert.equal(await row.locator('.badge[data-status=slashed]').first().innerText(), 'slashed')
  assert.match(await row.locator('.vesting').innerText(), /stopped at .*slashed at epoch \d+/)
  await shot('bounty')
})

test("a crowdfunded bounty's page lists its sponsors with what each gave and took back", async () => {
  const funded = expected.bounties.find((b) => b.sponsors > 0)
  assert.ok(funded, 'the demo crowdfunds a bounty')
  await open(`#/bounty/${funded.id}`, '#sponsors')
  const rows = page.locator('#sponsors tbody tr')
  assert.equal(await rows.count(), funded.sponsors)
  let contributed = 0n
  let refunded = 0n
  for (let i = 0; i < funded.sponsors; i++) {
    contributed += BigInt(await rows.nth(i).locator('[data-field=contributed] .fil').getAttribute('data-atto'))
    refunded += BigInt(await rows.nth(i).locator('[data-field=refunded] .fil').getAttribute('data-atto'))
  }
  // What the rows add up to is what the market's record of the bounty says.
  assert.equal(contributed, BigInt(funded.sponsored))
  assert.equal(refunded, BigInt(funded.sponsor_refunded))
  assert.ok(refunded > 0n, 'the demo cancels the crowdfunded bounty and its sponsors take their share back')
  await shot('bounty-sponsors')
})

test("the provider page's score is the registry's (what suite reputation show prints)", async () => {
  const { id, score } = expected.provider
  await open(`#/provider/${id}`, '#provider-score')
  const shown = page.locator('#provider-score [data-score]')
  assert.equal(Number(await shown.getAttribute('data-score')), score)
  assert.equal(await shown.innerText(), `${(score / 100).toFixed(2)}%`)
  assert.equal(Number(await page.locator('.chart').getAttribute('data-current')), score)
  const locks = page.locator('#provider-locks tbody tr')
  assert.ok((await locks.count()) >= 1)
  // Registry events read as sentences, not raw fields.
  const registered = page.locator('.timeline li[data-event=provider-registered]')
  assert.match(await registered.innerText(), new RegExp(`t0${id}\\s*registered by t0\\d+`))
  await shot('provider')
})

test('the score chart draws the reputation-updated events up to the current score', async () => {
  const { id, score, updates } = expected.charted
  await open(`#/provider/${id}`, '#provider-score')
  const chart = page.locator('.chart')
  assert.equal(Number(await chart.getAttribute('data-updates')), updates)
  assert.equal(Number(await chart.getAttribute('data-current')), score)
  // A point per update after the starting one, the last at the current score.
  const points = await chart.locator('circle title').allTextContents()
  assert.equal(points.length, updates + 2)
  assert.match(points[0], /: 50\.00%$/)
  assert.match(points.at(-1), new RegExp(`: ${(score / 100).toFixed(2).replace('.', '\\.')}%$`))
  await shot('provider-chart')
})

test("a released lock's events are in its bounty's timeline", async () => {
  const { lock, claim } = expected.released
  const { bounty } = expected.claims.find((c) => c.id === claim)
  await open(`#/bounty/${bounty}`, '#replicas')
  // The demo releases other locks of the same bounty too: pick this lock's and this claim's lines.
  const released = page.locator('.timeline li[data-event=collateral-released]').filter({ hasText: `lock ${lock} released` })
  assert.match(await released.innerText(), new RegExp(`lock ${lock} released: .* \\(completed\\)`))
  const completed = page.locator('.timeline li[data-event=claim-completed]').filter({ hasText: `claim ${claim} of` })
  assert.match(await completed.innerText(), new RegExp(`claim ${claim} of t0\\d+ completed`))
  assert.equal(await page.locator(`#replicas tr[data-claim="${claim}"]`).getAttribute('data-status'), 'completed')
  await shot('bounty-released')
})

test('the leaderboard ranks every provider by score; the escrow view lists its locks', async () => {
  await open('#/providers', '#leaderboard')
  const scores = await page.locator('#leaderboard tbody [data-score]').evaluateAll((els) => els.map((e) => Number(e.dataset.score)))
  assert.ok(scores.length >= 4, `four demo providers, got ${scores.length}`)
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a))
  assert.ok(scores.includes(expected.provider.score))
  await shot('providers')
  await open('#/escrow', '#open-locks')
  assert.ok((await page.locator('#open-locks tbody tr').count()) >= 1)
  assert.ok((await page.locator('#slashes tbody tr').count()) >= 1, 'the demo slashed a lock')
  await shot('escrow')
})

test('a bounty posted over RPC appears on the open board without a reload', async () => {
  await open('#/', '#bounties')
  const before = await page.locator('#bounties tbody tr').count()
  const headBefore = Number(await page.locator('#head-height').getAttribute('data-height'))
  // A mark on the window: a reload would lose it.
  await page.evaluate(() => {
    window.stillTheSamePage = true
  })

  const rpc = new RPC({ api: `${url}/rpc/v1`, network: 'testnet' })
  const account = Wallet.create('SECP256K1', 'testnet')
  const client = account.address.toString()
  await lotus('Devnet.Faucet', [client, (50n * FIL).toString()])
  const head = await lotus('Filecoin.ChainHead', [])
  const reward = 7n * FIL + 123n // not a round FIL amount: the tooltip must show every attoFIL
  const params = encode([Cid.parse(PIECE), 128, 1, tokenAmountBytes(reward), tokenAmountBytes(FIL), 3_000, head.Height + 10_000, null, null, false, null, 0])
  const message = await new Message({ to: market, from: client, value: reward.toString(), method: POST_BOUNTY, params: toBase64(params) }).prepare(rpc)
  const pushed = await rpc.pushMessage({ msg: message, signature: Wallet.signMessage(account.privateKey, 'SECP256K1', message) })
  assert.equal(pushed.error, undefined, String(pushed.error))
  const waited = await rpc.waitMsg({ cid: pushed.result })
  assert.equal(waited.error, undefined, String(waited.error))
  assert.equal(waited.result.Receipt.ExitCode, 0)
  const id = decode(fromBase64(waited.result.Receipt.Return))

  const row = page.locator(`#bounties tr[data-bounty="${id}"]`)
  await row.waitFor({ timeout: 15_000 })
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was not reloaded')
  assert.equal(await page.locator('#bounties tbody tr').count(), before + 1)
  assert.equal(await row.getAttribute('data-state'), 'open')
  const shownReward = row.locator('[data-field=reward] .fil')
  assert.equal(await shownReward.getAttribute('data-atto'), reward.toString())
  assert.equal(await shownReward.getAttribute('title'), `${reward.toLocaleString('en-US')} attoFIL`)
  assert.equal(await shownReward.innerText(), '≈ 7 FIL')
  assert.ok(Number(await page.locator('#head-height').getAttribute('data-height')) > headBefore, 'the head moved on')
  await shot('board-live')

  // The bounty was posted through the node, so its event is in the timeline.
  await open(`#/bounty/${id}`, '#replicas')
  await page.locator('.timeline li[data-event=bounty-posted]').waitFor({ timeout: 10_000 })
  assert.match(await page.locator('.timeline li[data-event=bounty-posted]').innerText(), /posted 1 × ≈ 7 FIL until epoch \d+/)
  await shot('bounty-new')
})

test('the board filters by client and by piece; a bad filter says what is wrong', async () => {
  const newest = expected.bounties.reduce((a, b) => (a.id > b.id ? a : b))
  await open('#/', '#bounties')
  const clientOf = async (id) => (await page.locator(`#bounties tr[data-bounty="${id}"] td:nth-child(4) .addr span`).innerText()).trim()
  const owner = await clientOf(newest.id)
  await open(`#/?client=${owner}`, '#bounties')
  const ids = await page.locator('#bounties tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.bounty)))
  // Every bounty of that client (the demo's newest, crowdfunded one is alice's second).
  const ofClient = expected.bounties.filter((b) => b.client === newest.client).map((b) => b.id)
  assert.deepEqual([...ids].sort((a, b) => a - b), ofClient.sort((a, b) => a - b))
  await open(`#/?piece=${PIECE}`, '#bounties')
  const pieces = await page.locator('#bounties tbody tr').count()
  assert.ok(pieces >= 1)
  for (const code of await page.locator('#bounties tbody td:nth-child(3) code').all()) assert.equal(await code.getAttribute('title'), PIECE)
  await open('#/?piece=Qm-not-a-cid', '.error')
  assert.match(await page.locator('#content .error').innerText(), /not a base32 CIDv1/)
  await open('#/?client=nonsense', '.error')
  assert.match(await page.locator('#content .error').innerText(), /Client filter: "nonsense" is not an address/)
  // An ID no actor has: no bounty (StateLookupID answers an ID address as it is, as Lotus does).
  await open('#/?client=t09999999', '#bounties')
  assert.equal(await page.locator('#bounties').innerText(), 'No bounty matches.')
  await open('#/bounty/9999', '.error')
  assert.equal(await page.locator('#content .error').innerText(), 'There is no bounty #9999.')
})

test('on a node without Devnet.*, the settings take the addresses and keep them', async () => {
  const context = await browser.newContext()
  const other = await context.newPage()
  other.on('pageerror', (e) => pageErrors.push(e.message))
  // A node where the suite is deployed but that is not a devnet: Devnet.Deployment is unknown.
  await other.route(`${url}/rpc/v1`, async (route) => {
    if (!route.request().postData().includes('"Devnet.Deployment"')) return route.continue()
    const { id } = JSON.parse(route.request().postData())
    return route.fulfill({ json: { jsonrpc: '2.0', id, error: { code: -32601, message: "method 'Devnet.Deployment' not found" } } })
  })
  await other.goto(`${url}/#/`)
  await other.locator('#content .error a[href="#/settings"]').waitFor({ timeout: 20_000 })
  await other.goto(`${url}/#/settings`)
  await other.locator('body[data-view="#/settings"]').waitFor({ state: 'attached' })
  await other.locator('textarea').fill('{"actors": {"bounty-market": "x"}}')
  await other.getByRole('button', { name: 'Use this deployment' }).click()
  assert.match(await other.locator('#content .error').innerText(), /actors.bounty-market: expected an ID address/)
  const deployment = await lotus('Devnet.Deployment', [])
  await other.locator('textarea').fill(JSON.stringify(deployment))
  await other.getByRole('button', { name: 'Use this deployment' }).click()
  await other.locator('#deployment-source', { hasText: 'the page settings' }).waitFor({ timeout: 10_000 })
  // Kept in localStorage: a reload reads the board with them.
  await other.goto(`${url}/#/`)
  await other.reload()
  await other.locator('#bounties').waitFor({ timeout: 20_000 })
  assert.ok((await other.locator('#bounties tbody tr').count()) >= expected.bounties.length)
  await other.screenshot({ path: join(shots, 'settings.png'), fullPage: true })
  await context.close()
})

test('the page loaded nothing from beyond the node and threw no error', () => {
  assert.deepEqual(foreign, [])
  assert.deepEqual(pageErrors, [])
})
