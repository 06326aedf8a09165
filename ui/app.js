// The bounty board: a single page over the node's JSON-RPC. Routes are hashes (#/bounty/3), so
// the node serves one page and a reload keeps the view. The head is polled; each new tipset
// re-reads the current view.

import { tokenAmount as tokenAmountOf } from './cbor.js'
import { CallError, COLLATERAL_CHANGE, OUTCOME_KIND, parseDeployment, Rpc, Suite } from './chain.js'
import { address, badge, bytes, days, epoch, facts, fil, filText, h, score, shortText, table } from './format.js'

const SETTINGS_KEY = 'suite-ui.deployment'
const POLL_MS = 2000
/** The score of a provider with no history (suite_interfaces::reputation::NEUTRAL_SCORE). */
const NEUTRAL_SCORE = 5000

const rpc = new Rpc(new URL('rpc/v1', document.baseURI).pathname)
const app = { suite: null, source: null, head: null, iface: null, renderSeq: 0, controlsFor: null }

const $ = (id) => document.getElementById(id)

// ---- the deployment: saved settings first, else the node's Devnet.Deployment

function savedDeployment() {
  const text = localStorage.getItem(SETTINGS_KEY)
  if (!text) return null
  try {
    return parseDeployment(JSON.parse(text))
  } catch {
    return null
  }
}

async function connect() {
  app.iface ??= await (await fetch(new URL('interface.json', document.baseURI))).json()
  const saved = savedDeployment()
  if (saved) {
    app.suite = new Suite(rpc, saved, app.iface)
    app.source = 'the page settings (this browser)'
    return
  }
  try {
    app.suite = new Suite(rpc, parseDeployment(await rpc.request('Devnet.Deployment', [])), app.iface)
    app.source = 'the node (Devnet.Deployment)'
  } catch (e) {
    app.suite = null
    app.source = `none: ${e.message}`
  }
}

// ---- status of a bounty as the board shows it

function bountyState(b, head) {
  if (b.status === 'cancelled') return 'cancelled'
  if (b.holders.length >= b.replicas) return 'claimed'
  if (head >= b.expiry) return 'expired'
  return 'open'
}

const totalReward = (b) => b.rewardPerReplica * BigInt(b.replicas)
const bountyLink = (id) => h('a', { href: `#/bounty/${id}` }, `#${id}`)
const providerLink = (id) => address(id, `#/provider/${id}`)

// ---- views: {controls?(params) → Node, content(params) → Promise<Node>}

const board = {
  controls(params) {
    const form = h(
      'form',
      { class: 'filters', id: 'board-filters' },
      h('label', {}, 'Client ', h('input', { name: 'client', placeholder: 't0… / t1…', value: params.get('client') ?? '' })),
      h('label', {}, 'Piece ', h('input', { name: 'piece', placeholder: 'baga6ea4sea…', size: 30, value: params.get('piece') ?? '' })),
      h(
        'label',
        {},
        'Status ',
        h('select', { name: 'status' }, ['all', 'open', 'claimed', 'expired', 'cancelled'].map((s) => h('option', { value: s, selected: params.get('status') === s }, s))),
      ),
      h(
        'label',
        {},
        'Sort ',
        h(
          'select',
          { name: 'sort' },
          [
            ['reward', 'reward per replica'],
            ['total', 'total reward'],
            ['newest', 'newest'],
          ].map(([v, t]) => h('option', { value: v, selected: params.get('sort') === v }, t)),
        ),
      ),
      h('button', { type: 'submit' }, 'Apply'),
    )
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      const q = new URLSearchParams()
      for (const [k, v] of new FormData(form)) if (v && v !== 'all' && !(k === 'sort' && v === 'reward')) q.set(k, String(v).trim())
      location.hash = `#/${q.size ? `?${q}` : ''}`
    })
    for (const select of form.querySelectorAll('select')) select.addEventListener('change', () => form.requestSubmit())
    return form
  },

  async content(params) {
    const { suite } = app
    const head = app.head
    let client = null
    const clientText = params.get('client')
    if (clientText) {
      try {
        client = /^\d+$/.test(clientText) ? Number(clientText) : await suite.lookupId(clientText)
      } catch (e) {
        if (e.code === -32602) return h('p', { class: 'error' }, `Client filter: ${JSON.stringify(clientText)} is not an address (t0…, t1…, t3…).`)
        throw e
      }
      if (client === null) return h('p', { class: 'error' }, `No actor has the address ${clientText}: no bounties.`)
    }
    const piece = params.get('piece') || null
    let list
    try {
      list = await suite.bounties({ client, piece })
    } catch (e) {
      if (piece && /CID/.test(e.message)) return h('p', { class: 'error' }, e.message)
      throw e
    }
    const status = params.get('status') ?? 'all'
    const counts = { open: 0, claimed: 0, expired: 0, cancelled: 0 }
    for (const b of list) counts[bountyState(b, head)]++
    const shown = list.filter((b) => status === 'all' || bountyState(b, head) === status)
    const sort = params.get('sort') ?? 'reward'
    const key = { reward: (b) => b.rewardPerReplica, total: totalReward, newest: (b) => BigInt(b.id) }[sort] ?? ((b) => b.rewardPerReplica)
    shown.sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : b.id - a.id))
    const rows = shown.map((b) =>
      h(
        'tr',
        { 'data-bounty': b.id, 'data-state': bountyState(b, head) },
        h('td', {}, bountyLink(b.id)),
        h('td', {}, badge(bountyState(b, head))),
        h('td', {}, shortText(b.piece), h('small', {}, ` ${bytes(b.pieceSize)}`)),
        h('td', {}, address(b.client)),
        h('td', { class: 'num' }, `${b.holders.length} / ${b.replicas}`),
        h('td', { class: 'num', 'data-field': 'reward' }, fil(b.rewardPerReplica)),
        h('td', { class: 'num', 'data-field': 'total' }, fil(totalReward(b))),
        h('td', { class: 'num' }, fil(b.collateralPerReplica)),
        h('td', { class: 'num' }, days(b.minDuration)),
        h('td', {}, epoch(b.expiry, head)),
      ),
    )
    return h(
      'section',
      {},
      h('h2', {}, 'Bounties'),
      h('p', { class: 'summary' }, `${list.length} bounties: ${counts.open} open, ${counts.claimed} claimed, ${counts.expired} expired, ${counts.cancelled} cancelled.`),
      table(['Bounty', 'Status', 'Piece', 'Client', '>Replicas held', '>Reward / replica', '>Total reward', '>Collateral / replica', '>Vests over', 'Expiry'], rows, {
        id: 'bounties',
        empty: 'No bounty matches.',
      }),
    )
  },
}

/** The claims ever made on a bounty: its claimants' locks held by the market name them. */
async function claimsOfBounty(b) {
  const { suite } = app
  const perProvider = await Promise.all(b.claimants.map(async (p) => suite.claimsOfProvider(p, await suite.locks(p))))
  return perProvider.flat().filter((c) => c.bountyId === b.id).sort((x, y) => x.id - y.id)
}

function vesting(c, head) {
  const total = c.reward === 0n ? 1n : c.reward
  const percent = Number((c.vested * 10000n) / total) / 100
  const end = c.stoppedAt ?? c.vestEnd
  const label = c.status === 'slashed' ? `stopped at ${percent}% (slashed at epoch ${c.stoppedAt})` : `${percent}% · ${head >= c.vestEnd ? 'fully vested' : `until epoch ${end}`}`
  return h(
    'div',
    { class: `vesting ${c.status}`, title: `${filText(c.vested)} of ${filText(c.reward)} vested` },
    h('div', { class: 'bar' }, h('div', { class: 'fill', style: `width:${Math.min(100, percent)}%` })),
    h('small', {}, label),
  )
}

/** The `deal` of a DDO renewal's event (u64::MAX). */
const NO_DEAL_ID = 18446744073709551615n

function eventSummary(e) {
  const f = e.fields
  const amount = (x) => (x instanceof Uint8Array ? fil(tokenAmountOf(x)) : x)
  switch (e.type) {
    case 'bounty-posted':
      return [
        'client ', address(f.client), ` posted ${f.replicas} × `, amount(f.reward), ` until epoch ${f.expiry}`,
        f.renewals ? `, ${f.renewals} renewal(s) funded` : '',
        f.distinct_owners ? ', distinct owners' : '',
        f.max_per_region != null ? `, at most ${f.max_per_region} per region` : '',
      ]
    case 'bounty-claimed':
      return ['claim ', f.claim, ' by ', providerLink(f.provider), `, deal ${f.deal}, reward `, amount(f.reward)]
    case 'bounty-claimed-ddo':
      return ['claim ', f.claim, ' by ', providerLink(f.provider), `, DDO sector ${f.sector}, reward `, amount(f.reward)]
    case 'ddo-piece-refused':
      return ['DDO piece of ', providerLink(f.provider), ` in sector ${f.sector} refused (exit ${f.exit}): ${f.reason}`]
    case 'collateral-deposited':
      return [providerLink(f.provider), ' deposited ', amount(f.amount), ' of collateral, ', amount(f.available), ' available']
    case 'collateral-withdrawn':
      return [providerLink(f.provider), ' withdrew ', amount(f.amount), ' of collateral, ', amount(f.available), ' available']
    case 'claim-slashed':
      return ['claim ', f.claim, ' of ', providerLink(f.provider), ': ', amount(f.returned), ' returned to the bounty, collateral ', amount(f.collateral_slashed), ' slashed', ...(f.renewal_returned === undefined ? [] : ['; ', amount(f.renewal_returned), ' back to the client\'s renewal pool'])]
    case 'claim-renewed':
      return ['claim ', f.claim, ' of ', providerLink(f.provider), ' renewed', f.deal === NO_DEAL_ID ? ' by DDO' : ` with deal ${f.deal}`, ', reward ', amount(f.reward), ` over epochs ${f.term_start} to ${f.term_end} (lock ${f.lock})`]
    case 'claim-term-completed':
      return ['claim ', f.claim, ' of ', providerLink(f.provider), `: an earlier term's lock ${f.lock} was released; the claim goes on`]
    case 'renewals-funded':
      return ['client ', address(f.client), ` funded ${f.renewals} renewal term(s): `, amount(f.amount)]
    case 'renewals-reclaimed':
      return ['client ', address(f.client), ' took back ', amount(f.amount), ' of renewal money']
    case 'claim-completed':
      return ['claim ', f.claim, ' of ', providerLink(f.provider), ' completed, reward ', amount(f.reward)]
    case 'reward-withdrawn':
      return [providerLink(f.provider), ' withdrew ', amount(f.amount)]
    case 'bounty-cancelled':
      return [`${f.slots} open slots cancelled, `, amount(f.freed), ' freed']
    case 'bounty-reclaimed':
      return ['client reclaimed ', amount(f.amount)]
    case 'bounty-funded':
      return [address(f.sponsor), ' added ', amount(f.amount), ' (', amount(f.contributed), ' in all); open slots now hold ', amount(f.pool)]
    case 'sponsor-refunded':
      return ['sponsor ', address(f.sponsor), ' took back ', amount(f.amount), f.settled ? ' (settled)' : '']
    case 'collateral-locked':
      return ['lock ', f.lock, ' of ', providerLink(f.provider), ': ', amount(f.amount), ` until epoch ${f.end}`]
    case 'collateral-topped-up':
      return ['lock ', f.lock, ' topped up by ', amount(f.amount)]
    case 'collateral-slashed':
      return ['lock ', f.lock, ` ${COLLATERAL_CHANGE[f.kind] ?? f.kind}: `, amount(f.amount), ' slashed; reporter ', address(f.reporter), ' paid ', amount(f.reward), ', the rest to ', address(f.beneficiary)]
    case 'collateral-released':
      return ['lock ', f.lock, ' released: ', amount(f.amount), ' to ', address(f.to), f.completed ? ' (completed)' : ' (storage gone: no completion)']
    case 'reputation-updated':
      return [`${OUTCOME_KIND[f.kind] ?? f.kind}: score ${f.previous} → ${f.score}`]
    case 'provider-registered':
      return [providerLink(f.provider), ' registered by ', address(f.by)]
    case 'provider-metadata-updated':
      return [providerLink(f.provider), ' metadata updated by ', address(f.by)]
    case 'lock-notify-failed':
      return ['lock ', f.lock, ': the notify actor ', address(f.notify), ` failed (exit ${f.exit}); the lock changed anyway`]
    case 'reputation-report-failed':
      return ['the registry refused the outcome of ', providerLink(f.provider), ` (exit ${f.exit}); the lock changed anyway`]
    default:
      return [JSON.stringify(f, (_, v) => (typeof v === 'bigint' ? v.toString() : v))]
  }
}

function timeline(events) {
  if (events.length === 0) return h('p', { class: 'empty' }, 'No events on this node for it (a devnet made outside the node keeps state but no event history).')
  const sorted = [...events].sort((a, b) => a.height - b.height)
  return h(
    'ol',
    { class: 'timeline' },
    sorted.map((e) => h('li', { 'data-event': e.type }, h('span', { class: 'when' }, `epoch ${e.height}`), ' ', h('b', {}, e.type), ' ', eventSummary(e))),
  )
}

function slashesOf(lock, events) {
  const own = events.filter((e) => e.type === 'collateral-slashed' && e.fields.lock === lock.id)
  if (own.length)
    return h(
      'ul',
      { class: 'slashes' },
      own.map((e) => h('li', {}, eventSummary(e))),
    )
  // Without the event only the lock's totals are known: not the reporter's share.
  if (lock.slashed > 0n) return h('span', {}, fil(lock.slashed), ' slashed: to the beneficiary ', address(lock.beneficiary), ' less the reporter\'s reward')
  return h('span', { class: 'none' }, 'no slash')
}

const bountyView = {
  async content(params, [id]) {
    const { suite } = app
    const head = app.head
    let b
    try {
      b = await suite.bounty(Number(id))
    } catch (e) {
      if (e instanceof CallError && e.exitCode === 17) return h('p', { class: 'error' }, `There is no bounty #${id}.`)
      throw e
    }
    const claims = await claimsOfBounty(b)
    const locks = new Map()
    await Promise.all(claims.filter((c) => c.lockId !== null).map(async (c) => locks.set(c.lockId, await suite.lock(c.lockId))))
    const [marketEvents, escrowEvents] = await Promise.all([
      suite.events(suite.deployment.market, 'bounty', [b.id]),
      locks.size ? suite.events(suite.deployment.escrow, 'lock', [...locks.keys()]) : [],
    ])
    const state = bountyState(b, head)
    const replicaRows = claims.map((c) => {
      const l = locks.get(c.lockId)
      return h(
        'tr',
        { 'data-claim': c.id, 'data-status': c.status, class: c.status },
        h('td', {}, `#${c.id}`),
        h('td', {}, providerLink(c.provider)),
        h('td', { class: 'num', 'data-field': 'deal' }, c.deal.dealId),
        h('td', { class: 'num', 'data-field': 'sector' }, c.deal.sector),
        h('td', {}, badge(c.status)),
        h('td', {}, vesting(c, head), h('small', {}, 'paid ', fil(c.paid), ' of ', fil(c.reward))),
        h(
          'td',
          {},
          l
            ? [h('div', {}, `lock #${l.id} `, badge(l.status)), h('small', {}, fil(l.remaining), ' held of ', fil(l.original))]
            : h('span', { class: 'none' }, '—'),
        ),
        h('td', {}, l ? slashesOf(l, escrowEvents) : '—'),
      )
    })
    return h(
      'section',
      {},
      h('h2', {}, `Bounty #${b.id} `, badge(state)),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('h3', {}, 'Terms'),
          facts([
            ['Piece', shortText(b.piece, 16)],
            ['Piece size', bytes(b.pieceSize)],
            ['Replicas', `${b.replicas} (${b.holders.length} held, ${b.openSlots} open)`],
            ['Reward / replica', fil(b.rewardPerReplica)],
            ['Collateral / replica', fil(b.collateralPerReplica)],
            ['Vests over', `${b.minDuration.toLocaleString('en-US')} epochs (${days(b.minDuration)})`],
            ['Posted', epoch(b.postedAt, head)],
            ['Expiry', epoch(b.expiry, head)],
            ['Min reputation', b.minReputation === null ? 'none' : score(b.minReputation)],
            ['Allowed providers', b.allowedProviders === null ? 'anyone' : h('span', {}, b.allowedProviders.map((p) => providerLink(p)))],
            ['Distinct owners', b.distinctOwners ? 'yes: one replica per miner owner' : 'no'],
            ['Max per region', b.maxPerRegion === null ? 'no limit' : `${b.maxPerRegion} replica(s) per registry region`],
          ]),
        ),
        h(
          'div',
          {},
          h('h3', {}, 'Sponsors'),
          facts([
            ['Client', address(b.client)],
            ['Escrowed by the client', fil(totalReward(b))],
            ['Added by sponsors', h('span', {}, fil(b.sponsored), ` (${b.sponsors} sponsor${b.sponsors === 1 ? '' : 's'})`)],
            ['Pool (open slots)', fil(b.pool)],
            ['Refundable', fil(b.refundable)],
            ['Reclaimed', fil(b.reclaimed)],
            ['Refunded to sponsors', fil(b.sponsorRefunded)],
          ]),
          sponsorTable(marketEvents),
        ),
      ),
      h('h3', {}, 'Replicas'),
      table(['Claim', 'Provider', '>Deal', '>Sector', 'Status', 'Vesting', 'Collateral lock', 'Slashes'], replicaRows, {
        id: 'replicas',
        empty: 'No claim yet.',
      }),
      h('h3', {}, 'Events'),
      timeline([...marketEvents, ...escrowEvents]),
    )
  },
}

/**
 * The sponsors of a bounty from its `bounty-funded` events (each carries the sponsor's running
 * total) and `sponsor-refunded` events: one row per sponsor.
 */
function sponsorTable(events) {
  const sponsors = new Map()
  for (const e of [...events].sort((a, b) => a.height - b.height)) {
    if (e.type !== 'bounty-funded' && e.type !== 'sponsor-refunded') continue
    const id = e.fields.sponsor
    const s = sponsors.get(id) ?? { id, contributed: 0n, refunded: 0n, settled: false }
    if (e.type === 'bounty-funded') s.contributed = tokenAmountOf(e.fields.contributed)
    else {
      s.refunded += tokenAmountOf(e.fields.amount)
      s.settled = Boolean(e.fields.settled)
    }
    sponsors.set(id, s)
  }
  if (sponsors.size === 0) return h('p', { class: 'note' }, 'No sponsor besides the client: anyone may add FIL to an open bounty (FundBounty).')
  const rows = [...sponsors.values()].map((s) =>
    h(
      'tr',
      { 'data-sponsor': String(s.id) },
      h('td', {}, address(s.id)),
      h('td', { class: 'num', 'data-field': 'contributed' }, fil(s.contributed)),
      h('td', { class: 'num', 'data-field': 'refunded' }, fil(s.refunded), s.settled ? ' (settled)' : ''),
    ),
  )
  return table(['Sponsor', '>Contributed', '>Refunded'], rows, { id: 'sponsors', empty: '' })
}

/** The score over time: a step line through each reputation-updated event to the head. */
function scoreChart(events, current, head, since) {
  const points = []
  const sorted = [...events].sort((a, b) => a.height - b.height)
  if (sorted.length) {
    // Before its first outcome a provider is neutral: that stretch starts at its registration.
    const first = sorted[0]
    const start = first.fields.previous === NEUTRAL_SCORE && since !== null && since < first.height ? since : first.height
    points.push([start, first.fields.previous])
  }
  for (const e of sorted) points.push([e.height, e.fields.score])
  points.push([head, current])
  // No history: the current score across the whole width, not a lone dot.
  if (points.length === 1) points.unshift([head - 1, current])
  const width = 640
  const height = 180
  const pad = 36
  const x0 = points[0][0]
  const x1 = Math.max(head, x0 + 1)
  const x = (v) => pad + ((v - x0) / (x1 - x0)) * (width - 2 * pad)
  const y = (s) => height - pad / 2 - (s / 10000) * (height - pad)
  let d = `M${x(points[0][0])},${y(points[0][1])}`
  for (let i = 1; i < points.length; i++) d += ` H${x(points[i][0])} V${y(points[i][1])}`
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="score history">
    <line x1="${pad}" x2="${width - pad}" y1="${y(NEUTRAL_SCORE)}" y2="${y(NEUTRAL_SCORE)}" class="neutral"/>
    <text x="4" y="${y(10000) + 4}">100%</text><text x="4" y="${y(5000) + 4}">50%</text><text x="4" y="${y(0) + 4}">0%</text>
    <text x="${pad}" y="${height - 2}">epoch ${x0}</text><text x="${width - pad}" y="${height - 2}" text-anchor="end">epoch ${head}</text>
    <path d="${d}" class="line"/>
    ${points.map(([px, s]) => `<circle cx="${x(px)}" cy="${y(s)}" r="3"><title>epoch ${px}: ${(s / 100).toFixed(2)}%</title></circle>`).join('')}
  </svg>`
  const box = h('div', { class: 'chart', 'data-updates': sorted.length, 'data-current': current })
  box.innerHTML = svg
  return box
}

const providerView = {
  async content(params, [idText]) {
    const { suite } = app
    const head = app.head
    const id = Number(idText)
    const [rep, locks, balance, events] = await Promise.all([
      suite.reputation(id),
      suite.locks(id),
      suite.providerBalance(id),
      suite.events(suite.deployment.registry, 'provider', [id]),
    ])
    const claims = await suite.claimsOfProvider(id, locks)
    const updates = events.filter((e) => e.type === 'reputation-updated')
    const meta = rep.registration?.metadata
    const claimRows = claims.map((c) =>
      h(
        'tr',
        { 'data-claim': c.id, 'data-status': c.status },
        h('td', {}, `#${c.id}`),
        h('td', {}, bountyLink(c.bountyId)),
        h('td', { class: 'num' }, c.deal.dealId),
        h('td', { class: 'num' }, c.deal.sector),
        h('td', {}, badge(c.status)),
        h('td', {}, vesting(c, head)),
        h('td', { class: 'num' }, fil(c.paid)),
      ),
    )
    const lockRows = locks.map((l) =>
      h(
        'tr',
        { 'data-lock': l.id, 'data-status': l.status },
        h('td', {}, `#${l.id}`),
        h('td', {}, badge(l.status)),
        h('td', {}, l.deal ? `deal ${l.deal.dealId}` : '', l.deal && l.sector ? ', ' : '', l.sector ? `sector ${l.sector.number}` : ''),
        h('td', { class: 'num' }, fil(l.original)),
        h('td', { class: 'num' }, fil(l.remaining)),
        h('td', { class: 'num' }, fil(l.slashed)),
        h('td', { class: 'num' }, fil(l.released)),
        h('td', {}, epoch(l.endEpoch, head)),
      ),
    )
    return h(
      'section',
      {},
      h('h2', {}, meta?.name ?? `Provider t0${id}`, ' ', h('small', {}, address(id))),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'big', id: 'provider-score' }, score(rep.score)),
          h('p', { class: 'note' }, `at epoch ${rep.epoch}; a provider with no history scores 50%`),
          h('h3', {}, 'Score history'),
          scoreChart(updates, rep.score, head, rep.registration?.registeredAt ?? null),
          updates.length ? null : h('p', { class: 'note' }, 'No reputation-updated events on this node: the line is the current score.'),
        ),
        h(
          'div',
          {},
          h('h3', {}, 'Record'),
          facts([
            ['Completed', rep.counts.completed],
            ['Faults', rep.counts.faults],
            ['Slashes', rep.counts.slashes],
            ['Claims accepted', rep.counts.claimsAccepted],
            ['Bytes completed', bytes(rep.bytes.completed)],
            ['Bytes faulted', bytes(rep.bytes.faulted)],
            ['Bytes lost', bytes(rep.bytes.lost)],
            ['First / last outcome', `${rep.firstOutcome ?? '—'} / ${rep.lastOutcome ?? '—'}`],
          ]),
          h('h3', {}, 'Metadata'),
          meta
            ? facts([
                ['Name', meta.name],
                ['Region', meta.region || '—'],
                ['Links', meta.links.length ? h('span', {}, meta.links.map((l) => h('div', {}, l))) : '—'],
                ['Registered', epoch(rep.registration.registeredAt, head)],
                ['Registered by', address(rep.registration.registeredBy)],
              ])
            : h('p', { class: 'empty' }, 'Not registered.'),
          h('h3', {}, 'Rewards'),
          facts([
            ['Withdrawable', fil(balance.withdrawable)],
            ['Vested', fil(balance.vested)],
            ['Pending', fil(balance.pending)],
            ['Open claims', balance.openClaims],
          ]),
        ),
      ),
      h('h3', {}, 'Claims'),
      table(['Claim', 'Bounty', '>Deal', '>Sector', 'Status', 'Vesting', '>Paid'], claimRows, { id: 'provider-claims', empty: 'No claims.' }),
      h('h3', {}, 'Collateral locks'),
      table(['Lock', 'Status', 'Evidence', '>Original', '>Held', '>Slashed', '>Released', 'End'], lockRows, { id: 'provider-locks', empty: 'No locks.' }),
      h('h3', {}, 'Registry events'),
      timeline(events),
    )
  },
}

const leaderboard = {
  async content() {
    const { suite } = app
    const list = await suite.providers()
    const names = await Promise.all(list.map((p) => suite.reputation(p.provider).then((r) => r.registration?.metadata.name ?? '')))
    const rows = list
      .map((p, i) => ({ ...p, name: names[i] }))
      .sort((a, b) => b.score - a.score || a.provider - b.provider)
      .map((p, rank) =>
        h(
          'tr',
          { 'data-provider': p.provider },
          h('td', { class: 'num' }, rank + 1),
          h('td', {}, providerLink(p.provider)),
          h('td', {}, p.name || h('span', { class: 'none' }, 'unregistered')),
          h('td', { class: 'num' }, score(p.score), h('div', { class: 'bar small' }, h('div', { class: 'fill', style: `width:${p.score / 100}%` }))),
          h('td', { class: 'num' }, p.counts.completed),
          h('td', { class: 'num' }, p.counts.faults),
          h('td', { class: 'num' }, p.counts.slashes),
        ),
      )
    return h(
      'section',
      {},
      h('h2', {}, 'Provider leaderboard'),
      table(['>#', 'Provider', 'Name', '>Score', '>Completed', '>Faults', '>Slashes'], rows, { id: 'leaderboard', empty: 'No providers.' }),
    )
  },
}

const escrowView = {
  async content() {
    const { suite } = app
    const head = app.head
    const [totals, providers, events] = await Promise.all([suite.totals(), suite.providers(), suite.events(suite.deployment.escrow)])
    const locks = (await Promise.all(providers.map((p) => suite.locks(p.provider)))).flat().sort((a, b) => a.id - b.id)
    const open = locks.filter((l) => l.status === 'open')
    const slashed = locks.filter((l) => l.slashed > 0n)
    const lockRow = (l) =>
      h(
        'tr',
        { 'data-lock': l.id, 'data-status': l.status },
        h('td', {}, `#${l.id}`),
        h('td', {}, providerLink(l.provider)),
        h('td', {}, l.deal ? `deal ${l.deal.dealId}` : '', l.deal && l.sector ? ', ' : '', l.sector ? `sector ${l.sector.number}` : ''),
        h('td', { class: 'num' }, fil(l.remaining)),
        h('td', {}, address(l.beneficiary)),
        h('td', {}, epoch(l.endEpoch, head)),
      )
    return h(
      'section',
      {},
      h('h2', {}, 'Collateral escrow ', h('small', {}, address(suite.deployment.escrow))),
      facts([
        ['Held now', fil(totals.held)],
        ['Locked in total', fil(totals.locked)],
        ['Slashed in total', fil(totals.slashed)],
        ['Paid to reporters', fil(totals.reporterRewards)],
        ['Released', fil(totals.released)],
        ['Locks', `${totals.locksOpen} open of ${totals.locksCreated}`],
      ]),
      h('h3', {}, 'Open locks'),
      table(['Lock', 'Provider', 'Evidence', '>Held', 'Beneficiary', 'End'], open.map(lockRow), { id: 'open-locks', empty: 'No open lock.' }),
      h('h3', {}, 'Slashes and who was paid'),
      table(
        ['Lock', 'Provider', 'Status', '>Slashed', 'Paid'],
        slashed.map((l) =>
          h(
            'tr',
            { 'data-lock': l.id },
            h('td', {}, `#${l.id}`),
            h('td', {}, providerLink(l.provider)),
            h('td', {}, badge(l.status)),
            h('td', { class: 'num' }, fil(l.slashed)),
            h('td', {}, slashesOf(l, events)),
          ),
        ),
        { id: 'slashes', empty: 'Nothing slashed.' },
      ),
    )
  },
}

const settings = {
  // A new tipset must not wipe what the user is typing.
  live: false,
  async content() {
    const d = app.suite?.deployment
    const area = h('textarea', { name: 'deployment', rows: 8, cols: 70, placeholder: '{"actors":{"bounty-market":{"address":"t0…"},"collateral-escrow":{…},"provider-reputation":{…}}}' })
    const inputs = ['bounty-market', 'collateral-escrow', 'provider-reputation'].map((name) =>
      h('label', {}, `${name} `, h('input', { name, placeholder: 't0…', value: d ? { 'bounty-market': d.market, 'collateral-escrow': d.escrow, 'provider-reputation': d.registry }[name] : '' })),
    )
    const message = h('p', { class: 'note', id: 'settings-message' })
    const save = (value) => {
      try {
        parseDeployment(value)
        localStorage.setItem(SETTINGS_KEY, JSON.stringify(value))
        message.textContent = 'Saved.'
        reconnect()
      } catch (e) {
        message.textContent = e.message
        message.className = 'error'
      }
    }
    return h(
      'section',
      {},
      h('h2', {}, 'Settings'),
      h('p', {}, 'The suite\'s addresses come from ', h('b', { id: 'deployment-source' }, app.source), '.'),
      d ? facts([['Market', address(d.market)], ['Escrow', address(d.escrow)], ['Registry', address(d.registry)], ['Network', d.network]]) : null,
      h('h3', {}, 'Paste a deployment file (suite.json)'),
      area,
      h('div', {}, h('button', { type: 'button', onclick: () => { try { save(JSON.parse(area.value)) } catch (e) { message.textContent = `not JSON: ${e.message}`; message.className = 'error' } } }, 'Use this deployment')),
      h('h3', {}, 'Or the three addresses'),
      h('div', { class: 'filters' }, inputs),
      h(
        'div',
        {},
        h('button', { type: 'button', onclick: () => save({ actors: Object.fromEntries(inputs.map((l) => [l.querySelector('input').name, { address: l.querySelector('input').value.trim() }])) }) }, 'Use these addresses'),
        ' ',
        h('button', { type: 'button', onclick: () => { localStorage.removeItem(SETTINGS_KEY); message.textContent = 'Cleared: the node\'s deployment is used.'; reconnect() } }, 'Forget saved addresses'),
      ),
      message,
    )
  },
}

const ROUTES = [
  [/^$/, board, 'board'],
  [/^bounty\/(\d+)$/, bountyView, 'board'],
  [/^provider\/(\d+)$/, providerView, 'providers'],
  [/^providers$/, leaderboard, 'providers'],
  [/^escrow$/, escrowView, 'escrow'],
  [/^settings$/, settings, 'settings'],
]

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?')
  for (const [pattern, view, tab] of ROUTES) {
    const m = path.match(pattern)
    if (m) return { view, tab, args: m.slice(1), params: new URLSearchParams(query ?? ''), key: location.hash }
  }
  return null
}

/** Draws the current route: its controls once per route, its content on every call. */
async function render() {
  const seq = ++app.renderSeq
  const r = route()
  const controls = $('controls')
  const content = $('content')
  for (const a of document.querySelectorAll('nav a[data-tab]')) a.classList.toggle('active', r?.tab === a.dataset.tab)
  if (!r) {
    controls.replaceChildren()
    content.replaceChildren(h('p', { class: 'error' }, 'No such page. ', h('a', { href: '#/' }, 'The board')))
    return
  }
  if (app.controlsFor !== r.key) {
    app.controlsFor = r.key
    controls.replaceChildren(r.view.controls ? r.view.controls(r.params) : '')
    content.replaceChildren(h('p', { class: 'loading' }, 'Loading…'))
  }
  if (!app.suite && r.view !== settings) {
    content.replaceChildren(h('p', { class: 'error' }, 'The suite\'s addresses are unknown (', app.source, '). ', h('a', { href: '#/settings' }, 'Set them in the settings.')))
    return
  }
  try {
    const node = await r.view.content(r.params, r.args)
    if (seq === app.renderSeq) {
      content.replaceChildren(node)
      // Which view is drawn, at which head: what a test (or a script) can wait for.
      document.body.dataset.view = r.key
      document.body.dataset.head = String(app.head)
    }
  } catch (e) {
    if (seq === app.renderSeq) {
      content.replaceChildren(h('p', { class: 'error' }, e.message))
      document.body.dataset.view = r.key
    }
  }
}

async function reconnect() {
  await connect()
  app.controlsFor = null
  render()
}

/** Polls the head; a new tipset re-reads the view. */
async function poll() {
  try {
    const head = await rpc.request('Filecoin.ChainHead', [])
    const live = $('head')
    live.classList.remove('offline')
    if (head.Height !== app.head) {
      app.head = head.Height
      const time = new Date(head.Blocks[0].Timestamp * 1000)
      $('head-height').textContent = head.Height.toLocaleString('en-US')
      $('head-height').dataset.height = head.Height
      $('head-time').textContent = time.toLocaleTimeString()
      $('head-time').title = time.toISOString()
      if (route()?.view.live !== false) await render()
    }
  } catch (e) {
    $('head').classList.add('offline')
    $('head-time').textContent = 'node unreachable'
  } finally {
    setTimeout(poll, POLL_MS)
  }
}

window.addEventListener('hashchange', () => render())

await connect()
poll()
