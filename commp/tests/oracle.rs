//! Differential test against the reference implementation, `filecoin-proofs-api` (what Lotus
//! and the proofs use; it builds the whole tree in memory): random payloads of 1 byte to
//! 4 MiB, at and around every `127 · 2^k` boundary and at random lengths between.

use std::io::Read;

use filecoin_proofs_api::seal::generate_piece_commitment;
use filecoin_proofs_api::{RegisteredSealProof, UnpaddedBytesAmount};
use suite_commp::{piece_commitment_of_bytes, piece_commitment_with, Hasher, PieceCommitment};

/// xorshift64*: deterministic, so a failure names a reproducible size.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// The reference: the payload zero-filled to its unpadded piece size, as Lotus does.
fn oracle(payload: &[u8]) -> ([u8; 32], u64) {
    let quads = (payload.len() as u64).div_ceil(127).max(1).next_power_of_two();
    let unpadded = quads * 127;
    let source = payload.chain(std::io::repeat(0).take(unpadded - payload.len() as u64));
    let info = generate_piece_commitment(
        RegisteredSealProof::StackedDrg2KiBV1,
        source,
        UnpaddedBytesAmount(unpadded),
    )
    .expect("the reference computes it");
    (info.commitment, quads * 128)
}

fn check(payload: &[u8], label: &str) {
    let (root, padded) = oracle(payload);
    let ours = piece_commitment_of_bytes(payload).unwrap();
    assert_eq!(ours.root(), &root, "{label}: {} bytes", payload.len());
    assert_eq!(ours.padded_size(), padded, "{label}: {} bytes", payload.len());
    // The threaded path, and the streaming one fed in uneven writes.
    let threaded = piece_commitment_with(payload, 2, &mut |_| {}).unwrap();
    assert_eq!(threaded, ours, "{label}: {} bytes on 2 threads", payload.len());
    let mut h = Hasher::new();
    let mut rest = payload;
    let mut step = 1;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        h.update(&rest[..n]).unwrap();
        rest = &rest[n..];
        step = step * 3 + 1;
    }
    let streamed: PieceCommitment = h.finish();
    assert_eq!(streamed, ours, "{label}: {} bytes streamed", payload.len());
}

#[test]
fn matches_filecoin_proofs_at_every_boundary_and_random_sizes() {
    let mut rng = Rng(0x5eed_c0de_2024_0015);
    let mut sizes: Vec<(usize, &str)> = vec![(1, "one byte"), (2, "two bytes"), (65, "65 bytes")];
    // 127 · 2^k − 1, 127 · 2^k and 127 · 2^k + 1 for k = 0 … 15 (the last: 4,161,536 bytes,
    // four of the threaded batches).
    for k in 0..=15 {
        let b = 127usize << k;
        sizes.extend([(b - 1, "boundary − 1"), (b, "boundary"), (b + 1, "boundary + 1")]);
    }
    // Log-uniform random lengths from 1 byte to 4 MiB.
    for _ in 0..24 {
        let bits = 1 + rng.next() % 22;
        let n = 1 + (rng.next() % (1 << bits)) as usize;
        sizes.push((n, "random"));
    }
    assert!(sizes.len() >= 50);
    for (n, label) in sizes {
        let payload = rng.bytes(n);
        check(&payload, label);
    }
}

#[test]
fn matches_filecoin_proofs_on_structured_payloads() {
    // Runs of one byte (where an fr32 shift error would show), and all-ones (every top bit).
    for (len, byte) in [(127 * 64, 0xffu8), (1_000_000, 0x80), (3 * 127 * 8192 + 5, 0x01)] {
        check(&vec![byte; len], "one byte repeated");
    }
}
