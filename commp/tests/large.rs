//! Large inputs through the file and threaded paths (this crate is built optimised in the dev
//! profile too, so these take seconds): a 1 GiB sparse file, and a random stream of 256 MiB on
//! one thread and on several.

use std::io::Read;

use suite_commp::{piece_commitment_of_file, piece_commitment_with, zero_root};

#[test]
fn a_one_gib_sparse_file_is_the_zero_piece_of_two_gib() {
    let path = std::env::temp_dir().join(format!("suite-commp-sparse-{}", std::process::id()));
    std::fs::File::create(&path).unwrap().set_len(1 << 30).unwrap();
    let mut calls = 0;
    let mut last = 0;
    let c = piece_commitment_of_file(&path, &mut |n| {
        assert!(n >= last, "progress goes forward");
        last = n;
        calls += 1;
    });
    let _ = std::fs::remove_file(&path);
    let c = c.unwrap();
    // 2^30 bytes need 127 · 2^24 unpadded: a 2 GiB piece, level 26, all zeros after fr32.
    assert_eq!(c.payload_size(), 1 << 30);
    assert_eq!(c.padded_size(), 2 << 30);
    assert_eq!(c.root(), zero_root(26));
    assert_eq!(last, 1 << 30);
    assert!(calls > 1000, "progress after every 1 MiB batch: {calls} calls");
}

/// Endless pseudo-random bytes, `left` of them.
struct Stream {
    state: u64,
    left: u64,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Odd lengths, so batches are assembled from several reads.
        let n = buf.len().min(self.left as usize).min(100_003);
        for b in &mut buf[..n] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *b = (self.state >> 32) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn threads_agree_on_a_random_stream_of_256_mib() {
    let len = (256 << 20) + 12_345;
    let one = piece_commitment_with(Stream { state: 42, left: len }, 1, &mut |_| {}).unwrap();
    let many = piece_commitment_with(Stream { state: 42, left: len }, 3, &mut |_| {}).unwrap();
    assert_eq!(one, many);
    assert_eq!(one.payload_size(), len);
    assert_eq!(one.padded_size(), 512 << 20);
}
