// Small DOM and number helpers of the page: amounts in FIL with the exact attoFIL on hover,
// addresses with copy buttons, epochs as days.

const ATTO = 10n ** 18n
/** Epochs per day (30 s epochs). */
export const EPOCHS_PER_DAY = 2880

/** `h('a', {href: '#/'}, 'text', child)`: an element; attributes starting with `on` are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else if (k === 'class') el.className = v
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (k === 'style') el.style.cssText = v
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue
    el.append(c instanceof Node ? c : String(c))
  }
  return el
}

/** attoFIL as FIL with at most `digits` decimals ("≈" when that rounds something away). */
export function filText(atto, digits = 4) {
  const value = BigInt(atto)
  const negative = value < 0n
  const magnitude = negative ? -value : value
  const whole = magnitude / ATTO
  const fraction = (magnitude % ATTO).toString().padStart(18, '0')
  const shown = fraction.slice(0, digits).replace(/0+$/, '')
  const approximate = /[1-9]/.test(fraction.slice(digits))
  const text = `${negative ? '-' : ''}${whole}${shown ? `.${shown}` : ''} FIL`
  return approximate ? `≈ ${text}` : text
}

/** An amount: FIL shown, exact attoFIL in the tooltip and in `data-atto`. */
export function fil(atto) {
  const value = BigInt(atto)
  return h('span', { class: 'fil', title: `${value.toLocaleString('en-US')} attoFIL`, 'data-atto': value.toString() }, filText(value))
}

/** Copies `text` to the clipboard (falls back to a selection where the Clipboard API is off). */
async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    const area = h('textarea', {}, text)
    document.body.append(area)
    area.select()
    document.execCommand('copy')
    area.remove()
  }
  button.classList.add('copied')
  setTimeout(() => button.classList.remove('copied'), 1200)
}

/** Two overlapping sheets, drawn (a font may lack a copy glyph). */
function copyIcon() {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('aria-hidden', 'true')
  for (const [x, y] of [
    [5, 1],
    [1, 5],
  ]) {
    const rect = document.createElementNS(ns, 'rect')
    for (const [k, v] of Object.entries({ x, y, width: 10, height: 10, rx: 2 })) rect.setAttribute(k, v)
    svg.append(rect)
  }
  return svg
}

export function copyButton(text) {
  const button = h('button', { class: 'copy', type: 'button', title: `copy ${text}`, 'aria-label': `copy ${text}` }, copyIcon())
  button.addEventListener('click', (e) => {
    e.preventDefault()
    e.stopPropagation()
    copy(text, button)
  })
  return button
}

/** An actor (ID) as `t0…` with a copy button, linked when `href` is given. */
export function address(id, href) {
  if (id === null || id === undefined) return h('span', { class: 'none' }, '—')
  const text = typeof id === 'string' ? id : `t0${id}`
  const label = href ? h('a', { href }, text) : h('span', {}, text)
  return h('span', { class: 'addr' }, label, copyButton(text))
}

/** A long string (a CID) shortened in the middle, the whole of it on hover and in the copy button. */
export function shortText(text, keep = 10) {
  const short = text.length > 2 * keep + 1 ? `${text.slice(0, keep)}…${text.slice(-keep)}` : text
  return h('span', { class: 'addr' }, h('code', { title: text }, short), copyButton(text))
}

export function days(epochs) {
  if (Math.abs(Number(epochs)) < EPOCHS_PER_DAY) return `${epochs} epochs`
  const d = Number(epochs) / EPOCHS_PER_DAY
  return `${Number.isInteger(d) ? d : d.toFixed(1)} d`
}

/** An epoch, with how far it is from the head. */
export function epoch(at, head) {
  if (at === null || at === undefined) return h('span', { class: 'none' }, '—')
  const delta = at - head
  const when = delta === 0 ? 'now' : delta > 0 ? `in ${days(delta)}` : `${days(-delta)} ago`
  return h('span', { class: 'epoch', title: when }, `${at.toLocaleString('en-US')}`, h('small', {}, ` (${when})`))
}

export function bytes(n) {
  const value = Number(n)
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let i = 0
  let v = value
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`
}

export function badge(status) {
  return h('span', { class: `badge ${status}`, 'data-status': status }, status)
}

/** The score as the CLI prints it ("66.66%"), its 0..=10000 value in `data-score`. */
export function score(value) {
  return h('span', { class: 'score', 'data-score': value, title: `${value} / 10000` }, `${(value / 100).toFixed(2)}%`)
}

export function table(headers, rows, attrs = {}) {
  const { empty, ...rest } = attrs
  if (rows.length === 0) return h('p', { ...rest, class: 'empty' }, empty ?? 'none')
  // A header written ">Score" heads a right-aligned (numeric) column.
  const th = (t) => (t.startsWith('>') ? h('th', { class: 'num' }, t.slice(1)) : h('th', {}, t))
  return h('table', rest, h('thead', {}, h('tr', {}, headers.map(th))), h('tbody', {}, rows))
}

export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  )
}
