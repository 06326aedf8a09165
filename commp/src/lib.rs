//! Piece commitments (CommP) of payloads of any size up to a 64 GiB piece, streaming.
//!
//! A piece CID commits to a payload the way Filecoin deals and sectors do
//! (`docs/commp.md`):
//!
//! 1. the payload is zero-filled to the unpadded piece size `u`, the smallest `127 · 2^k` that
//!    holds it and at least 127 bytes (so an empty payload is a 127-byte zero piece);
//! 2. fr32 padding turns every 127 bytes into 128 (four 254-bit field elements), giving the
//!    padded piece size `p = u · 128 / 127`, a power of two from 128 bytes to 64 GiB;
//! 3. the padded piece's 32-byte leaves are the leaves of a binary tree whose nodes are
//!    SHA-256 of the two children with the top two bits of the last byte cleared
//!    (sha2-256-trunc254-padded);
//! 4. the root is the commitment: CID v1 with codec fil-commitment-unsealed (0xf101) and
//!    multihash sha2-256-trunc254-padded (0x1012), `baga6ea4seaq…`
//!    ([`PieceCommitment::cid`]), the form f05 deals and DDO use. FRC-0069's piece CID v2
//!    (raw codec, multihash fr32-sha256-trunc254-padbintree 0x1011 whose digest also holds the
//!    tree height and the zero padding, `bafkzcib…`) is [`PieceCommitment::cid_v2`].
//!
//! Memory is O(log n): a stack of one subtree root per level (and a few 1 MiB read buffers).
//! Full batches of `127 · 2^13` bytes (1 MiB padded, a subtree of level 15) are hashed on
//! every core; the zero fill up to the power of two is never hashed (all-zero subtrees have
//! known roots). Each tree node costs two SHA-256 compressions (the 64-byte pair and the
//! constant padding block), through `sha2`'s compression function (SHA-NI where the CPU has
//! it).

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{mpsc, Mutex};

use cid::multihash::Multihash;
use cid::Cid;
use fvm_shared::commcid::{data_commitment_v1_to_cid, FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};
use fvm_shared::piece::PaddedPieceSize;

mod fr32;
mod tree;

pub use tree::{zero_root, Node};
use tree::{NodeHasher, Stack};

/// The largest padded piece: 64 GiB (the largest sector).
pub const MAX_PADDED_SIZE: u64 = 64 << 30;
/// The most payload one piece holds: 127/128 of 64 GiB = 68,182,605,824 bytes.
pub const MAX_PAYLOAD_SIZE: u64 = MAX_PADDED_SIZE / 128 * 127;
/// The smallest piece: 127 payload bytes, 128 padded. Smaller payloads are zero-filled to it.
pub const MIN_UNPADDED_SIZE: u64 = fr32::IN as u64;

/// The raw codec of a piece CID v2 (FRC-0069).
pub const RAW: u64 = 0x55;
/// fr32-sha256-trunc254-padbintree: the multihash of a piece CID v2 (FRC-0069).
pub const FR32_SHA256_TRUNC254_PADBINTREE: u64 = 0x1011;

/// Payload bytes of a batch hashed on its own thread: 8192 quads, a subtree of level 15.
const BATCH_LEVEL: u32 = 15;
const BATCH_QUADS: usize = 1 << (BATCH_LEVEL - 2);
const BATCH_SIZE: usize = BATCH_QUADS * fr32::IN;

/// Why a piece commitment could not be computed.
#[derive(Debug)]
pub enum Error {
    /// Reading the payload failed.
    Io(io::Error),
    /// The payload does not fit in one piece. `size` is the payload's length, or for a stream
    /// the bytes read when the limit was crossed (`at_least`).
    TooLarge { size: u64, at_least: bool },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "reading the payload: {e}"),
            Error::TooLarge { size, at_least } => write!(
                f,
                "{}{} bytes is too large for one piece: a piece holds at most {} bytes of payload \
                 (the largest padded piece is 64 GiB, of which fr32 padding leaves 127/128); \
                 split the data into several pieces",
                if *at_least { "more than " } else { "" },
                thousands(if *at_least { MAX_PAYLOAD_SIZE } else { *size }),
                thousands(MAX_PAYLOAD_SIZE)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::TooLarge { .. } => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// `68182605824` → `68,182,605,824`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).expect("ASCII digits"))
        .collect();
    groups.join(",")
}

/// Refuses a payload too large for one piece.
pub fn check_payload_size(size: u64) -> Result<(), Error> {
    if size > MAX_PAYLOAD_SIZE {
        return Err(Error::TooLarge {
            size,
            at_least: false,
        });
    }
    Ok(())
}

/// The padded size of the smallest piece that holds `payload` bytes (at least 128).
pub fn padded_size_for(payload: u64) -> Result<u64, Error> {
    check_payload_size(payload)?;
    let quads = payload.div_ceil(fr32::IN as u64).max(1);
    Ok(quads.next_power_of_two() * fr32::OUT as u64)
}

/// A piece commitment: the tree root and the sizes it was computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PieceCommitment {
    root: Node,
    payload_size: u64,
    padded_size: u64,
}

impl PieceCommitment {
    /// A commitment from its parts, e.g. a deal's piece CID and size with the payload length
    /// known from elsewhere (to name it as a v2 CID). `None` unless `padded_size` is a piece
    /// size (a power of two from 128 B to 64 GiB) that holds `payload_size` bytes.
    pub fn from_parts(root: Node, padded_size: u64, payload_size: u64) -> Option<PieceCommitment> {
        let valid = padded_size.is_power_of_two()
            && (128..=MAX_PADDED_SIZE).contains(&padded_size)
            && payload_size <= padded_size / 128 * 127;
        valid.then_some(PieceCommitment {
            root,
            payload_size,
            padded_size,
        })
    }

    /// The root of the piece tree (the data commitment, CommD of a one-piece sector).
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The payload's length in bytes.
    pub fn payload_size(&self) -> u64 {
        self.payload_size
    }

    /// The padded piece size, as deals and the bounty market take it.
    pub fn padded_size(&self) -> u64 {
        self.padded_size
    }

    /// The padded piece size as `fvm_shared` types it.
    pub fn piece_size(&self) -> PaddedPieceSize {
        PaddedPieceSize(self.padded_size)
    }

    /// The unpadded piece size: the payload and its zero fill.
    pub fn unpadded_size(&self) -> u64 {
        self.padded_size / 128 * 127
    }

    /// The tree's height: log2 of its leaves (2 for the smallest piece, 31 for 64 GiB).
    pub fn height(&self) -> u8 {
        (self.padded_size / 32).trailing_zeros() as u8
    }

    /// The zero bytes added to the payload to fill the piece (FRC-0069's padding).
    pub fn padding(&self) -> u64 {
        self.unpadded_size() - self.payload_size
    }

    /// Piece CID v1: fil-commitment-unsealed, sha2-256-trunc254-padded (`baga6ea4seaq…`).
    pub fn cid(&self) -> Cid {
        data_commitment_v1_to_cid(&self.root).expect("a 32-byte digest with the CommP codes")
    }

    /// Piece CID v2 of FRC-0069: raw codec, fr32-sha256-trunc254-padbintree multihash whose
    /// digest is `uvarint(padding) ‖ height ‖ root` (`bafkzcib…`), as Filecoin Onchain Cloud
    /// (PDP) names pieces. It carries the size, so it needs no separate size field.
    pub fn cid_v2(&self) -> Cid {
        let mut digest = Vec::with_capacity(10 + 1 + 32);
        let mut padding = self.padding();
        loop {
            let byte = (padding & 0x7f) as u8;
            padding >>= 7;
            if padding == 0 {
                digest.push(byte);
                break;
            }
            digest.push(byte | 0x80);
        }
        digest.push(self.height());
        digest.extend_from_slice(&self.root);
        let mh =
            Multihash::wrap(FR32_SHA256_TRUNC254_PADBINTREE, &digest).expect("digest of 43 bytes or less");
        Cid::new_v1(RAW, mh)
    }

    /// The same payload in a larger piece (zero-filled to `padded_size`), as a client may
    /// publish a deal for a larger piece than the payload needs.
    pub fn padded_to(&self, padded_size: u64) -> Option<PieceCommitment> {
        if !padded_size.is_power_of_two() || padded_size < self.padded_size || padded_size > MAX_PADDED_SIZE {
            return None;
        }
        let to = (padded_size / 32).trailing_zeros();
        Some(PieceCommitment {
            root: tree::extend_with_zeros(self.root, u32::from(self.height()), to),
            payload_size: self.payload_size,
            padded_size,
        })
    }
}

/// Whether a CID is a piece CID v1 (what [`PieceCommitment::cid`] returns).
pub fn is_piece_cid_v1(cid: &Cid) -> bool {
    cid.codec() == FIL_COMMITMENT_UNSEALED
        && cid.hash().code() == SHA2_256_TRUNC254_PADDED
        && cid.hash().size() == 32
}

/// A streaming piece hasher on the calling thread. Feed it the payload with [`Hasher::update`]
/// (or as an `io::Write`), then [`Hasher::finish`]. For files and readers,
/// [`piece_commitment`] also hashes on every core.
pub struct Hasher {
    /// The start of a block of `BLOCK_SIZE` bytes not yet complete.
    partial: Box<[u8; BLOCK_SIZE]>,
    partial_len: usize,
    payload: u64,
    stack: Stack,
    /// The padded block being hashed, one tree level at a time.
    level: Box<[u8; BLOCK_QUADS * fr32::OUT]>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self {
            partial: Box::new([0; BLOCK_SIZE]),
            partial_len: 0,
            payload: 0,
            stack: Stack::default(),
            level: Box::new([0; BLOCK_QUADS * fr32::OUT]),
        }
    }
}

/// Payload hashed as one unit: 64 chunks of 127 bytes, 8 KiB padded, a subtree of level 8
/// whose levels are hashed in place, many independent nodes at a time.
const BLOCK_LEVEL: u32 = 8;
const BLOCK_QUADS: usize = 1 << (BLOCK_LEVEL - 2);
const BLOCK_SIZE: usize = BLOCK_QUADS * fr32::IN;

/// The root of `BLOCK_SIZE` payload bytes, using `level` (8 KiB) as the padded tree's rows.
fn block_root(h: &mut NodeHasher, block: &[u8], level: &mut [u8; BLOCK_QUADS * fr32::OUT]) -> Node {
    debug_assert_eq!(block.len(), BLOCK_SIZE);
    for (chunk, quad) in block
        .chunks_exact(fr32::IN)
        .zip(level.chunks_exact_mut(fr32::OUT))
    {
        fr32::pad(
            chunk.try_into().expect("127 bytes"),
            quad.try_into().expect("128 bytes"),
        );
    }
    let mut nodes = level.len() / 32;
    while nodes > 1 {
        nodes /= 2;
        h.reduce(&mut level[..], nodes);
    }
    level[..32].try_into().expect("32 bytes")
}

/// The root of one fr32-padded chunk: a subtree of level 2 (four leaves).
fn quad_root(h: &mut NodeHasher, chunk: &[u8; fr32::IN]) -> Node {
    let mut quad = [0u8; fr32::OUT];
    fr32::pad(chunk, &mut quad);
    h.reduce(&mut quad, 2);
    h.pair(quad[..64].try_into().expect("64 bytes"))
}

/// The root of a full batch (`BATCH_SIZE` bytes): a subtree of level `BATCH_LEVEL`.
fn batch_root(batch: &[u8], level: &mut [u8; BLOCK_QUADS * fr32::OUT]) -> Node {
    debug_assert_eq!(batch.len(), BATCH_SIZE);
    let mut stack = Stack::default();
    let mut h = NodeHasher::default();
    for block in batch.chunks_exact(BLOCK_SIZE) {
        stack.push(BLOCK_LEVEL, block_root(&mut h, block, level));
    }
    stack.finish(BATCH_LEVEL)
}

impl Hasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// The payload bytes fed so far.
    pub fn payload_size(&self) -> u64 {
        self.payload
    }

    /// Feeds payload bytes. Refuses (and ignores) bytes that would take the payload past
    /// [`MAX_PAYLOAD_SIZE`].
    pub fn update(&mut self, mut data: &[u8]) -> Result<(), Error> {
        let after = self.payload.saturating_add(data.len() as u64);
        if after > MAX_PAYLOAD_SIZE {
            return Err(Error::TooLarge {
                size: after,
                at_least: false,
            });
        }
        self.payload = after;
        if self.partial_len > 0 {
            let take = (BLOCK_SIZE - self.partial_len).min(data.len());
            self.partial[self.partial_len..self.partial_len + take].copy_from_slice(&data[..take]);
            self.partial_len += take;
            data = &data[take..];
            if self.partial_len < BLOCK_SIZE {
                return Ok(());
            }
            let root = block_root(self.stack.hasher(), &self.partial[..], &mut self.level);
            self.stack.push(BLOCK_LEVEL, root);
            self.partial_len = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK_SIZE);
        for block in &mut blocks {
            let root = block_root(self.stack.hasher(), block, &mut self.level);
            self.stack.push(BLOCK_LEVEL, root);
        }
        let rest = blocks.remainder();
        self.partial[..rest.len()].copy_from_slice(rest);
        self.partial_len = rest.len();
        Ok(())
    }

    /// Appends the root of a full batch hashed elsewhere; the payload so far must be whole
    /// batches.
    fn push_batch(&mut self, root: Node) {
        debug_assert_eq!(self.partial_len, 0);
        debug_assert_eq!(self.payload % BATCH_SIZE as u64, 0);
        self.payload += BATCH_SIZE as u64;
        self.stack.push(BATCH_LEVEL, root);
    }

    /// Zero-fills the payload to its piece and returns the commitment.
    pub fn finish(mut self) -> PieceCommitment {
        // The last, partial block: chunk by chunk, the last chunk zero-filled (and one zero
        // chunk for an empty payload).
        let quads = self
            .partial_len
            .div_ceil(fr32::IN)
            .max(usize::from(self.payload == 0));
        self.partial[self.partial_len..].fill(0);
        for chunk in self.partial.chunks_exact(fr32::IN).take(quads) {
            let root = quad_root(self.stack.hasher(), chunk.try_into().expect("127 bytes"));
            self.stack.push(2, root);
        }
        let padded_size = padded_size_for(self.payload).expect("update refused larger payloads");
        let level = (padded_size / 32).trailing_zeros();
        PieceCommitment {
            root: self.stack.finish(level),
            payload_size: self.payload,
            padded_size,
        }
    }
}

impl io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The piece commitment of a payload in memory, on the calling thread.
pub fn piece_commitment_of_bytes(payload: &[u8]) -> Result<PieceCommitment, Error> {
    let mut h = Hasher::new();
    h.update(payload)?;
    Ok(h.finish())
}

/// The piece commitment of everything `reader` yields, hashed on every core.
pub fn piece_commitment(reader: impl Read) -> Result<PieceCommitment, Error> {
    piece_commitment_with(reader, 0, &mut |_| {})
}

/// The piece commitment of a file. A file too large for one piece is refused before reading.
/// `progress` is called with the bytes read so far, after every batch.
pub fn piece_commitment_of_file(
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<PieceCommitment, Error> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        check_payload_size(meta.len())?;
    }
    piece_commitment_with(file, 0, progress)
}

/// The number of hashing threads `threads = 0` stands for: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The piece commitment of everything `reader` yields, with `threads` hashing threads (0: one
/// per core; 1: on the calling thread). The calling thread reads; full batches go to the
/// threads and their roots come back in any order, to be stacked in order. `progress` is
/// called with the bytes read so far. Memory: `2 · threads + 1` batch buffers of 1 MiB.
pub fn piece_commitment_with(
    mut reader: impl Read,
    threads: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<PieceCommitment, Error> {
    let threads = if threads == 0 { default_threads() } else { threads };
    if threads == 1 {
        let mut hasher = Hasher::new();
        let mut buf = vec![0u8; BATCH_SIZE];
        loop {
            let n = read_full(&mut reader, &mut buf)?;
            hasher.update(&buf[..n]).map_err(|_| too_large_stream())?;
            progress(hasher.payload_size());
            if n < buf.len() {
                return Ok(hasher.finish());
            }
        }
    }
    let (job_tx, job_rx) = mpsc::channel::<(u64, Vec<u8>)>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<(u64, Node, Vec<u8>)>();
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                let mut level = Box::new([0u8; BLOCK_QUADS * fr32::OUT]);
                loop {
                    let job = job_rx.lock().expect("job queue").recv();
                    let Ok((index, batch)) = job else { break };
                    let root = batch_root(&batch, &mut level);
                    if done_tx.send((index, root, batch)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);

        let mut order = InOrder {
            hasher: Hasher::new(),
            next: 0,
            pending: BTreeMap::new(),
        };
        let read = read_batches(&mut reader, threads, &job_tx, &done_rx, &mut order, progress);
        // Let the threads finish what was sent (also after an error, so that they stop).
        drop(job_tx);
        for done in done_rx.iter() {
            order.accept(done);
        }
        let tail = read?;
        debug_assert!(order.pending.is_empty());
        let mut hasher = order.hasher;
        hasher.update(&tail)?;
        Ok(hasher.finish())
    })
}

/// Batch roots put back in payload order.
struct InOrder {
    hasher: Hasher,
    next: u64,
    pending: BTreeMap<u64, Node>,
}

impl InOrder {
    /// Takes a finished batch; returns its buffer for reuse.
    fn accept(&mut self, (index, root, batch): (u64, Node, Vec<u8>)) -> Vec<u8> {
        self.pending.insert(index, root);
        while let Some(root) = self.pending.remove(&self.next) {
            self.hasher.push_batch(root);
            self.next += 1;
        }
        batch
    }
}

/// Reads full batches and sends them to the threads; returns the last, partial one.
fn read_batches(
    reader: &mut impl Read,
    threads: usize,
    jobs: &mpsc::Sender<(u64, Vec<u8>)>,
    done: &mpsc::Receiver<(u64, Node, Vec<u8>)>,
    order: &mut InOrder,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<u8>, Error> {
    let max_buffers = 2 * threads + 1;
    let mut free: Vec<Vec<u8>> = Vec::new();
    let mut allocated = 0;
    let mut sent = 0u64;
    let mut total = 0u64;
    loop {
        while let Ok(finished) = done.try_recv() {
            free.push(order.accept(finished));
        }
        let mut buf = match free.pop() {
            Some(buf) => buf,
            None if allocated < max_buffers => {
                allocated += 1;
                vec![0u8; BATCH_SIZE]
            }
            None => order.accept(done.recv().expect("a hashing thread ended early")),
        };
        let n = read_full(reader, &mut buf)?;
        total += n as u64;
        if total > MAX_PAYLOAD_SIZE {
            return Err(too_large_stream());
        }
        progress(total);
        if n < BATCH_SIZE {
            buf.truncate(n);
            return Ok(buf);
        }
        jobs.send((sent, buf))
            .expect("the hashing threads run until the queue closes");
        sent += 1;
    }
}

fn too_large_stream() -> Error {
    Error::TooLarge {
        size: MAX_PAYLOAD_SIZE + 1,
        at_least: true,
    }
}

/// Fills `buf` from `reader`; fewer bytes only at the end of the stream.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_minimum_and_the_powers_of_two() {
        assert_eq!(padded_size_for(0).unwrap(), 128);
        assert_eq!(padded_size_for(1).unwrap(), 128);
        assert_eq!(padded_size_for(127).unwrap(), 128);
        assert_eq!(padded_size_for(128).unwrap(), 256);
        assert_eq!(padded_size_for(254).unwrap(), 256);
        assert_eq!(padded_size_for(255).unwrap(), 512);
        assert_eq!(padded_size_for(1 << 30).unwrap(), 2 << 30);
        assert_eq!(MAX_PAYLOAD_SIZE, 68_182_605_824);
        assert_eq!(padded_size_for(MAX_PAYLOAD_SIZE).unwrap(), MAX_PADDED_SIZE);
        let err = padded_size_for(MAX_PAYLOAD_SIZE + 1).unwrap_err().to_string();
        assert!(err.contains("68,182,605,825 bytes is too large"), "{err}");
        assert!(err.contains("at most 68,182,605,824 bytes"), "{err}");
        assert!(err.contains("64 GiB"), "{err}");
    }

    #[test]
    fn a_stream_past_the_limit_is_refused() {
        let mut h = Hasher::new();
        h.payload = MAX_PAYLOAD_SIZE - 1;
        assert!(h.update(&[0]).is_ok());
        assert!(matches!(h.update(&[0]), Err(Error::TooLarge { .. })));
        assert_eq!(h.payload_size(), MAX_PAYLOAD_SIZE);
    }

    #[test]
    fn every_thread_count_and_split_gives_the_same_root() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let data: Vec<u8> = (0..3 * BATCH_SIZE + 1000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        for len in [
            0,
            1,
            126,
            127,
            128,
            BATCH_SIZE - 1,
            BATCH_SIZE,
            BATCH_SIZE + 1,
            2 * BATCH_SIZE,
            data.len(),
        ] {
            let payload = &data[..len];
            let one = piece_commitment_of_bytes(payload).unwrap();
            for threads in [1, 2, 3, 5] {
                let many = piece_commitment_with(payload, threads, &mut |_| {}).unwrap();
                assert_eq!(many, one, "{len} bytes on {threads} threads");
            }
            // Fed in odd pieces.
            let mut h = Hasher::new();
            for piece in payload.chunks(1000) {
                h.update(piece).unwrap();
            }
            assert_eq!(h.finish(), one, "{len} bytes in pieces");
            assert_eq!(one.payload_size(), len as u64);
        }
    }

    #[test]
    fn a_larger_piece_of_the_same_payload_is_its_zero_filled_tree() {
        let payload = vec![0xcc; 300];
        let natural = piece_commitment_of_bytes(&payload).unwrap();
        assert_eq!(natural.padded_size(), 512);
        let mut filled = payload.clone();
        filled.resize(127 * 16, 0);
        let big = piece_commitment_of_bytes(&filled).unwrap();
        let padded = natural.padded_to(2048).unwrap();
        assert_eq!(padded.root(), big.root());
        assert_eq!(padded.padded_size(), 2048);
        assert_eq!(natural.padded_to(256), None);
        assert_eq!(natural.padded_to(1000), None);
    }
}
