// The suite read through a node's public JSON-RPC only: `Filecoin.StateCall` of the actors'
// getters (tuple-encoded CBOR, field order = the Rust structs' in suite-interfaces) and
// `Filecoin.GetActorEventsRaw` (FIP-0049 events). Nothing here writes.

import { Cid, decode, encode, fromBase64, idAddressBytes, stake, toBase64, tokenAmount } from './cbor.js'

/** The entries' codec of the suite's events: plain CBOR (multicodec 0x51). */
const CBOR_CODEC = 0x51
/** Largest listing page the actors accept (market policy and escrow/registry MAX_PAGE). */
const PAGE = 100
/** The system actor: StateCall needs an existing sender and every node has this one. */
const CALLER = 't00'

export class RpcError extends Error {}

export class Rpc {
  /** @param {string} url the JSON-RPC endpoint, e.g. `/rpc/v1` */
  constructor(url) {
    this.url = url
    this.nextId = 1
  }

  async request(method, params) {
    let response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id: this.nextId++ }),
      })
    } catch (e) {
      throw new RpcError(`${method}: the node at ${this.url} cannot be reached (${e.message})`)
    }
    const body = await response.json().catch(() => null)
    if (!body) throw new RpcError(`${method}: HTTP ${response.status} with no JSON-RPC answer`)
    if (body.error) {
      const e = new RpcError(`${method}: ${body.error.message}`)
      e.code = body.error.code
      throw e
    }
    return body.result
  }
}

/** A getter that aborted (an actor exit code, e.g. 17 "not found"). */
export class CallError extends Error {
  constructor(method, exitCode, message) {
    super(`${method} exited ${exitCode}${message ? `: ${message}` : ''}`)
    this.exitCode = exitCode
  }
}

const BOUNTY_STATUS = ['open', 'cancelled']
const CLAIM_STATUS = ['active', 'slashed', 'completed']
const LOCK_STATUS = ['open', 'slashed', 'released']
export const OUTCOME_KIND = ['claim-accepted', 'completed', 'fault', 'slashed']
export const COLLATERAL_CHANGE = ['fault-fee', 'slashed', 'released']

const big = (n) => (n === null || n === undefined ? null : BigInt(n))

function bounty([id, b]) {
  return {
    id,
    client: b[0],
    piece: b[1].toString(),
    pieceSize: big(b[2]),
    replicas: b[3],
    rewardPerReplica: tokenAmount(b[4]),
    collateralPerReplica: tokenAmount(b[5]),
    minDuration: b[6],
    expiry: b[7],
    minReputation: b[8],
    allowedProviders: b[9],
    postedAt: b[10],
    status: BOUNTY_STATUS[b[11]] ?? `status ${b[11]}`,
    openSlots: b[12],
    pool: tokenAmount(b[13]),
    holders: b[14].map(([claimId, provider]) => ({ claimId, provider })),
    claimants: b[15],
    refundable: tokenAmount(b[16]),
    reclaimed: tokenAmount(b[17]),
    distinctOwners: b[18],
    maxPerRegion: b[19],
    sponsored: tokenAmount(b[20]),
    sponsors: b[21],
    sponsorRefunded: tokenAmount(b[23]),
    // Renewal money, the client's alone (appended fields: absent on an older market).
    renewalPool: b[24] === undefined ? 0n : tokenAmount(b[24]),
    renewalsLeft: b[25] ?? 0,
  }
}

/** The `deal_id` of a DDO claim's receipt (u64::MAX): no deal, the sector is the evidence. */
const NO_DEAL = 18446744073709551615n

function claim([id, c, vested]) {
  const [rawDealId, start, end, activated, sector] = c[3]
  const dealId = rawDealId === NO_DEAL ? 'DDO' : rawDealId
  // A renewed claim's earlier terms (appended fields); `reward` is every term's, as `vested`.
  const history = (c[13] ?? []).map(([deal, lockId, collateral, termStart, termEnd, reward]) => ({
    dealId: deal[0] === NO_DEAL ? 'DDO' : deal[0],
    sector: deal[4],
    lockId,
    collateral: tokenAmount(collateral),
    start: termStart,
    end: termEnd,
    reward: tokenAmount(reward),
  }))
  const termReward = tokenAmount(c[6])
  return {
    id,
    bountyId: c[0],
    provider: c[1],
    claimedBy: c[2],
    deal: { dealId, start, end, activated, sector },
    claimedAt: c[4],
    vestEnd: c[5],
    reward: history.reduce((sum, t) => sum + t.reward, termReward),
    termReward,
    termStart: c[12] ?? c[4],
    history,
    paid: tokenAmount(c[7]),
    collateral: tokenAmount(c[8]),
    lockId: c[9],
    status: CLAIM_STATUS[c[10]] ?? `status ${c[10]}`,
    stoppedAt: c[11],
    vested: tokenAmount(vested),
  }
}

function lock([id, l]) {
  const deal = l[4] && {
    dealId: l[4][0],
    piece: l[4][1].toString(),
    pieceSize: big(l[4][2]),
    start: l[4][3],
    end: l[4][4],
    activated: l[4][5],
  }
  const sector = l[5] && { number: l[5][0], size: big(l[5][1]), expiration: l[5][2] }
  return {
    id,
    locker: l[0],
    provider: l[1],
    beneficiary: l[2],
    refundTo: l[3],
    deal,
    sector,
    createdAt: l[6],
    endEpoch: l[7],
    notify: l[8],
    reference: l[9],
    original: tokenAmount(l[10]),
    remaining: tokenAmount(l[11]),
    slashed: tokenAmount(l[12]),
    released: tokenAmount(l[13]),
    faultsCharged: l[14],
    lastFaultFeeAt: l[15],
    status: LOCK_STATUS[l[16]] ?? `status ${l[16]}`,
  }
}

const counts = ([claimsAccepted, completed, faults, slashes]) => ({ claimsAccepted, completed, faults, slashes })

function reputation([provider, score, epoch, r, registration]) {
  const [claimed, completed, faulted, lost] = r[2].map(stake)
  const [good, faults, losses, asOf] = r[5]
  return {
    provider,
    score,
    epoch,
    registeredAt: r[0],
    counts: counts(r[1]),
    bytes: { claimed, completed, faulted, lost },
    stakeCompleted: stake(r[3]),
    stakeFailed: stake(r[4]),
    evidence: { good: stake(good), faults: stake(faults), losses: stake(losses), asOf },
    firstOutcome: r[6],
    lastOutcome: r[7],
    registration: registration && {
      registeredAt: registration[0],
      updatedAt: registration[1],
      registeredBy: registration[2],
      metadata: {
        name: registration[3][0],
        region: registration[3][1],
        peerId: registration[3][2],
        links: registration[3][3],
      },
    },
  }
}

/** The actors' FIP-0049 events, each as `{type, height, msgCid, emitter, fields}`. */
function event(raw) {
  const fields = {}
  let type = null
  for (const entry of raw.entries) {
    const value = entry.Codec === CBOR_CODEC ? decode(fromBase64(entry.Value)) : entry.Value
    if (entry.Key === '$type') type = value
    else fields[entry.Key] = value
  }
  return { type, height: raw.height, msgCid: raw.msgCid?.['/'], emitter: raw.emitter, fields }
}

/** Where the suite is: `{network, admin, actors: {name: {address, id}}}` (suite.json's shape). */
export function parseDeployment(value) {
  const actors = value?.actors
  const names = ['bounty-market', 'collateral-escrow', 'provider-reputation']
  if (!actors) throw new Error('a deployment has "actors" with bounty-market, collateral-escrow and provider-reputation')
  const out = {}
  for (const name of names) {
    const address = actors[name]?.address ?? actors[name]
    if (typeof address !== 'string' || !/^[ft]0\d+$/.test(address)) {
      throw new Error(`actors.${name}: expected an ID address like t0104, got ${JSON.stringify(address ?? null)}`)
    }
    out[name] = `t${address.slice(1)}`
  }
  return { network: value.network ?? 'unknown', market: out['bounty-market'], escrow: out['collateral-escrow'], registry: out['provider-reputation'] }
}

export const actorId = (address) => Number(address.replace(/^[ft]0/, ''))

export class Suite {
  /**
   * @param {Rpc} rpc
   * @param {{market: string, escrow: string, registry: string}} deployment
   * @param {{methods: Record<string, number>}} iface method numbers, from the node's /interface.json
   */
  constructor(rpc, deployment, iface) {
    this.rpc = rpc
    this.deployment = deployment
    this.methods = iface.methods
  }

  async call(to, method, params) {
    const number = this.methods[method]
    if (number === undefined) throw new Error(`unknown method ${method}`)
    const message = {
      Version: 0,
      To: to,
      From: CALLER,
      Nonce: 0,
      Value: '0',
      GasLimit: 0,
      GasFeeCap: '0',
      GasPremium: '0',
      Method: number,
      Params: params === undefined ? '' : toBase64(encode(params)),
    }
    const result = await this.rpc.request('Filecoin.StateCall', [message, null])
    if (result.MsgRct.ExitCode !== 0) throw new CallError(method, result.MsgRct.ExitCode, result.Error)
    return result.MsgRct.Return ? decode(fromBase64(result.MsgRct.Return)) : null
  }

  head() {
    return this.rpc.request('Filecoin.ChainHead', [])
  }

  /** Every bounty (all pages), optionally only one client's (an ActorID) or one piece's. */
  async bounties({ client = null, piece = null } = {}) {
    const out = []
    let cursor = null
    do {
      const [page, next] = await this.call(this.deployment.market, 'ListBounties', [
        client,
        piece ? Cid.parse(piece) : null,
        cursor,
        PAGE,
      ])
      out.push(...page.map(bounty))
      cursor = next
    } while (cursor !== null)
    return out
  }

  async bounty(id) {
    return bounty(await this.call(this.deployment.market, 'GetBounty', id))
  }

  async claim(id) {
    return claim(await this.call(this.deployment.market, 'GetClaim', id))
  }

  async providerBalance(provider) {
    const [vested, paid, withdrawable, pending, openClaims] = await this.call(
      this.deployment.market,
      'GetProviderBalance',
      idAddressBytes(provider),
    )
    return {
      vested: tokenAmount(vested),
      paid: tokenAmount(paid),
      withdrawable: tokenAmount(withdrawable),
      pending: tokenAmount(pending),
      openClaims,
    }
  }

  async lock(id) {
    return lock(await this.call(this.deployment.escrow, 'GetLock', id))
  }

  /** Every lock of one provider (all pages). */
  async locks(provider) {
    const out = []
    let cursor = null
    do {
      const [page, next] = await this.call(this.deployment.escrow, 'ListLocks', [provider, cursor, PAGE])
      out.push(...page.map(lock))
      cursor = next
    } while (cursor !== null)
    return out
  }

  async totals() {
    const t = await this.call(this.deployment.escrow, 'GetTotals')
    return {
      held: tokenAmount(t[0]),
      locked: tokenAmount(t[1]),
      slashed: tokenAmount(t[2]),
      reporterRewards: tokenAmount(t[3]),
      released: tokenAmount(t[4]),
      locksCreated: t[5],
      locksOpen: t[6],
    }
  }

  async reputation(provider) {
    return reputation(await this.call(this.deployment.registry, 'GetReputation', idAddressBytes(provider)))
  }

  /** Every provider the registry knows (all pages), with its score and counts. */
  async providers() {
    const out = []
    let cursor = null
    do {
      const [page, next] = await this.call(this.deployment.registry, 'ListProviders', [cursor, PAGE])
      for (const [provider, registered, score, c] of page) out.push({ provider, registered, score, counts: counts(c) })
      cursor = next
    } while (cursor !== null)
    return out
  }

  /** The claims of one provider: the market's locks of it name their claim (`reference`). */
  async claimsOfProvider(provider, locks) {
    const marketId = actorId(this.deployment.market)
    const ids = locks.filter((l) => l.locker === marketId && l.reference !== null).map((l) => l.reference)
    return Promise.all(ids.map((id) => this.claim(id)))
  }

  /** Resolves any address form to its actor ID (null when no actor has it). */
  async lookupId(address) {
    try {
      return actorId(await this.rpc.request('Filecoin.StateLookupID', [address, null]))
    } catch (e) {
      if (e instanceof RpcError && /not found/.test(e.message)) return null
      throw e
    }
  }

  /**
   * Events of one actor since genesis, optionally only those whose indexed `key` is one of
   * `values` (CBOR-encoded as the actors emit them).
   */
  async events(actor, key, values) {
    const filter = { fromHeight: 0, toHeight: 'latest', addresses: [actor] }
    if (key) filter.fields = { [key]: values.map((v) => ({ Codec: CBOR_CODEC, Value: toBase64(encode(v)) })) }
    const raw = await this.rpc.request('Filecoin.GetActorEventsRaw', [filter])
    return (raw ?? []).map(event)
  }
}
