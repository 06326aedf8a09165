// The CBOR the suite's actors speak (RFC 8949, the subset the FVM's encoding uses) and the
// Filecoin values inside it: CIDs (tag 42), token amounts (sign byte ‖ big-endian magnitude),
// ID addresses. No dependency: the page works offline and the browser test imports this file.

/** A CID as the FVM's CBOR holds it (tag 42 over 0x00 ‖ the CID's bytes). */
export class Cid {
  /** @param {Uint8Array} bytes the binary CID */
  constructor(bytes) {
    this.bytes = bytes
  }

  /** Multibase base32 (`b…`), the form Lotus and the CLI print. */
  toString() {
    return `b${base32Encode(this.bytes)}`
  }

  /** @param {string} text a `b…` base32 CIDv1 */
  static parse(text) {
    const t = text.trim()
    if (!/^b[a-z2-7]+$/.test(t)) throw new Error(`not a base32 CIDv1 (b…): ${JSON.stringify(text)}`)
    return new Cid(base32Decode(t.slice(1)))
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

function base32Encode(bytes) {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31]
  return out
}

function base32Decode(text) {
  const out = []
  let bits = 0
  let value = 0
  for (const c of text) {
    const v = ALPHABET.indexOf(c)
    if (v < 0) throw new Error(`not base32: ${c}`)
    value = ((value << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Uint8Array.from(out)
}

// ---- decoding

/** Decodes one CBOR item; integers beyond 2^53 come back as BigInt. */
export function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 0
  const need = (n) => {
    if (at + n > bytes.length) throw new Error('truncated CBOR')
  }
  const argument = (info) => {
    if (info < 24) return info
    if (info === 24) {
      need(1)
      return bytes[at++]
    }
    if (info === 25) {
      need(2)
      const v = view.getUint16(at)
      at += 2
      return v
    }
    if (info === 26) {
      need(4)
      const v = view.getUint32(at)
      at += 4
      return v
    }
    if (info === 27) {
      need(8)
      const v = view.getBigUint64(at)
      at += 8
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
    }
    throw new Error(`unsupported CBOR length ${info}`)
  }
  const item = () => {
    need(1)
    const first = bytes[at++]
    const major = first >> 5
    const info = first & 31
    if (major === 7) {
      if (info === 20) return false
      if (info === 21) return true
      if (info === 22 || info === 23) return null
      throw new Error(`unsupported CBOR simple value ${info}`)
    }
    const n = argument(info)
    switch (major) {
      case 0:
        return n
      case 1:
        return typeof n === 'bigint' ? -1n - n : -1 - n
      case 2:
      case 3: {
        need(Number(n))
        const slice = bytes.slice(at, at + Number(n))
        at += Number(n)
        return major === 2 ? slice : new TextDecoder().decode(slice)
      }
      case 4: {
        const list = []
        for (let i = 0; i < n; i++) list.push(item())
        return list
      }
      case 5: {
        const map = {}
        for (let i = 0; i < n; i++) {
          const key = item()
          map[String(key)] = item()
        }
        return map
      }
      case 6: {
        const inner = item()
        if (n === 42 && inner instanceof Uint8Array && inner[0] === 0) return new Cid(inner.slice(1))
        throw new Error(`unsupported CBOR tag ${n}`)
      }
    }
    throw new Error(`bad CBOR major type ${major}`)
  }
  const value = item()
  if (at !== bytes.length) throw new Error(`${bytes.length - at} trailing bytes after CBOR`)
  return value
}

// ---- encoding

/** Encodes numbers (non-negative integers), BigInt, strings, bytes, arrays, null, booleans, Cids. */
export function encode(value) {
  const out = []
  const head = (major, n) => {
    const big = BigInt(n)
    if (big < 24n) out.push((major << 5) | Number(big))
    else if (big < 0x100n) out.push((major << 5) | 24, Number(big))
    else if (big < 0x10000n) out.push((major << 5) | 25, Number(big >> 8n), Number(big & 0xffn))
    else if (big < 0x100000000n) {
      out.push((major << 5) | 26)
      for (let s = 24n; s >= 0n; s -= 8n) out.push(Number((big >> s) & 0xffn))
    } else {
      out.push((major << 5) | 27)
      for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((big >> s) & 0xffn))
    }
  }
  const item = (v) => {
    if (v === null || v === undefined) out.push(0xf6)
    else if (v === false) out.push(0xf4)
    else if (v === true) out.push(0xf5)
    else if (typeof v === 'number' || typeof v === 'bigint') {
      if (typeof v === 'number' && !Number.isInteger(v)) throw new Error(`not an integer: ${v}`)
      if (v < 0) head(1, -1n - BigInt(v))
      else head(0, v)
    } else if (typeof v === 'string') {
      const b = new TextEncoder().encode(v)
      head(3, b.length)
      out.push(...b)
    } else if (v instanceof Uint8Array) {
      head(2, v.length)
      out.push(...v)
    } else if (v instanceof Cid) {
      head(6, 42)
      item(Uint8Array.from([0, ...v.bytes]))
    } else if (Array.isArray(v)) {
      head(4, v.length)
      for (const x of v) item(x)
    } else throw new Error(`cannot encode ${typeof v}`)
  }
  item(value)
  return Uint8Array.from(out)
}

// ---- Filecoin values

/** A TokenAmount's bytes (empty for zero; first byte 0 positive, 1 negative) to attoFIL. */
export function tokenAmount(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new Error('a token amount is CBOR bytes')
  if (bytes.length === 0) return 0n
  let magnitude = 0n
  for (const b of bytes.slice(1)) magnitude = (magnitude << 8n) | BigInt(b)
  if (bytes[0] === 0) return magnitude
  if (bytes[0] === 1) return -magnitude
  throw new Error(`bad token amount sign byte ${bytes[0]}`)
}

/** attoFIL to a TokenAmount's bytes. */
export function tokenAmountBytes(atto) {
  const value = BigInt(atto)
  if (value === 0n) return new Uint8Array()
  const magnitude = value < 0n ? -value : value
  let hex = magnitude.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  const digits = hex.match(/../g).map((h) => Number.parseInt(h, 16))
  return Uint8Array.from([value < 0n ? 1 : 0, ...digits])
}

/** An ID address (`t0…`) as the FVM's CBOR holds it: protocol 0 ‖ LEB128 id. */
export function idAddressBytes(id) {
  let n = BigInt(id)
  const out = [0]
  do {
    let byte = Number(n & 0x7fn)
    n >>= 7n
    if (n > 0n) byte |= 0x80
    out.push(byte)
  } while (n > 0n)
  return Uint8Array.from(out)
}

/** A 128-bit stake as the registry encodes it: `[hi, lo]` u64s. */
export function stake(pair) {
  const [hi, lo] = pair
  return (BigInt(hi) << 64n) | BigInt(lo)
}

export function toBase64(bytes) {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

export function fromBase64(text) {
  const s = atob(text ?? '')
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}
