// `suite node` used by JS clients nobody here wrote, unchanged: iso-filecoin makes a secp256k1
// wallet, signs and pushes a PostBounty (params CBOR-encoded with cborg), waits for it and reads
// the bounty back with StateCall GetBounty; @glif/filecoin-rpc-client finds the message with
// StateSearchMsg on /rpc/v0 (glif's one-param form).
//
// Started by the Rust test `js_clients_use_the_node_unchanged` (cli/tests/node.rs), which runs a
// node on a free port and passes: SUITE_NODE_URL (http://127.0.0.1:PORT), SUITE_MARKET (the
// bounty market's t0 address), SUITE_POST_BOUNTY and SUITE_GET_BOUNTY (method numbers).

import assert from 'node:assert/strict'
import { test } from 'node:test'

import glif from '@glif/filecoin-rpc-client'
import { decode, encode, Token, Type } from 'cborg'
import { Message } from 'iso-filecoin/message'
import { RPC } from 'iso-filecoin/rpc'
import * as Wallet from 'iso-filecoin/wallet'

const url = process.env.SUITE_NODE_URL
const market = process.env.SUITE_MARKET
const POST_BOUNTY = Number(process.env.SUITE_POST_BOUNTY)
const GET_BOUNTY = Number(process.env.SUITE_GET_BOUNTY)
assert.ok(url && market && POST_BOUNTY && GET_BOUNTY, 'run me from cli/tests/node.rs')

const FIL = 10n ** 18n
const PIECE = 'baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy'

/** A CID as the FVM's CBOR holds it: tag 42 over 0x00 ‖ the CID's bytes. */
class Link {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes
  }
}

/** Multibase `b` (RFC 4648 base32, lower case, no padding) to bytes. */
function base32(text) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  assert.equal(text[0], 'b')
  let bits = 0
  let value = 0
  const out = []
  for (const c of text.slice(1)) {
    value = (value << 5) | alphabet.indexOf(c)
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Uint8Array.from(out)
}

/** A TokenAmount as the FVM's CBOR holds it: bytes of sign ‖ big-endian magnitude, empty for 0. */
function tokenAmount(atto) {
  if (atto === 0n) return new Uint8Array()
  const hex = atto.toString(16).padStart(2 * Math.ceil(atto.toString(16).length / 2), '0')
  return Uint8Array.from([0, ...hex.match(/../g).map((h) => Number.parseInt(h, 16))])
}

function fromTokenAmount(bytes) {
  if (bytes.length === 0) return 0n
  assert.equal(bytes[0], 0, 'a positive amount')
  return BigInt(`0x${Buffer.from(bytes.slice(1)).toString('hex')}`)
}

const typeEncoders = {
  Object: (obj) =>
    obj instanceof Link
      ? [new Token(Type.tag, 42), new Token(Type.bytes, Uint8Array.from([0, ...obj.bytes]))]
      : null,
}
const tags = []
tags[42] = (bytes) => new Link(bytes.slice(1))

const cbor = (value) => encode(value, { typeEncoders })
const uncbor = (bytes) => decode(bytes, { tags, useMaps: false })
const b64 = (bytes) => Buffer.from(bytes).toString('base64')
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64'))

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

test('iso-filecoin posts a bounty and reads it back; glif finds the message on v0', async () => {
  const rpc = new RPC({ api: `${url}/rpc/v1`, network: 'testnet' })

  const version = await rpc.version()
  assert.equal(version.error, undefined)
  assert.equal(version.result.APIVersion, 131840)

  const account = Wallet.create('SECP256K1', 'testnet')
  const address = account.address.toString()
  assert.ok(address.startsWith('t1'))
  await lotus('Devnet.Faucet', [address, (50n * FIL).toString()])
  const before = BigInt((await rpc.balance(address)).result)
  assert.equal(before, 50n * FIL)

  const head = await rpc.chainHead()
  assert.equal(head.error, undefined)
  const expiry = head.result.Height + 10_000
  const reward = 3n * FIL
  const params = cbor([
    new Link(base32(PIECE)),
    128, // piece size
    2, // replicas
    tokenAmount(reward),
    tokenAmount(1n * FIL), // collateral per replica
    3_000, // min duration
    expiry,
    null, // min reputation
    null, // allowed providers
    false, // distinct owners
    null, // max per region
    0, // renewals funded now
  ])

  const value = 2n * reward
  const message = await new Message({
    to: market,
    from: address,
    value: value.toString(),
    method: POST_BOUNTY,
    params: b64(params),
  }).prepare(rpc)
  assert.ok(message.gasLimit > 0, 'gas estimated by the node')
  const signature = Wallet.signMessage(account.privateKey, 'SECP256K1', message)
  const pushed = await rpc.pushMessage({ msg: message, signature })
  assert.equal(pushed.error, undefined, String(pushed.error))
  const cid = pushed.result

  const waited = await rpc.waitMsg({ cid })
  assert.equal(waited.error, undefined, String(waited.error))
  assert.equal(waited.result.Receipt.ExitCode, 0)
  assert.deepEqual(waited.result.Message, cid)
  const bountyId = uncbor(unb64(waited.result.Receipt.Return))
  assert.equal(typeof bountyId, 'number')

  // The client paid the escrowed rewards and a little gas.
  const after = BigInt((await rpc.balance(address)).result)
  const fee = before - after - value
  assert.ok(fee > 0n && fee < FIL / 1000n, `gas fee ${fee}`)

  // GetBounty through StateCall, decoded.
  const call = await lotus('Filecoin.StateCall', [
    {
      To: market,
      From: address,
      Value: '0',
      Method: GET_BOUNTY,
      Params: b64(cbor(bountyId)), // IdParams is transparent: the id alone
    },
    null,
  ])
  assert.equal(call.MsgRct.ExitCode, 0, call.Error)
  assert.equal(call.ExecutionTrace.MsgRct.ExitCode, 0)
  const [id, bounty] = uncbor(unb64(call.MsgRct.Return))
  assert.equal(id, bountyId)
  const [, pieceCid, pieceSize, replicas, rewardPerReplica, collateral, minDuration, bountyExpiry] =
    bounty
  assert.ok(pieceCid instanceof Link)
  assert.deepEqual(pieceCid.bytes, base32(PIECE))
  assert.equal(pieceSize, 128)
  assert.equal(replicas, 2)
  assert.equal(fromTokenAmount(rewardPerReplica), reward)
  assert.equal(fromTokenAmount(collateral), FIL)
  assert.equal(minDuration, 3_000)
  assert.equal(bountyExpiry, expiry)

  // glif's engine on /rpc/v0: StateSearchMsg with the one-param (v0) form.
  const LotusRpcEngine = glif.default ?? glif
  const engine = new LotusRpcEngine({ apiAddress: `${url}/rpc/v0` })
  const found = await engine.request('StateSearchMsg', cid)
  assert.deepEqual(found.Message, cid)
  assert.equal(found.Receipt.ExitCode, 0)
  assert.equal(found.Height, waited.result.Height)
  const nonce = await engine.request('MpoolGetNonce', address)
  assert.equal(nonce, 1)
})
