//! The piece tree: its node function (sha2-256-trunc254-padded), the roots of all-zero subtrees
//! and a stack of subtree roots that folds a left-to-right stream of aligned subtrees into one
//! root in O(log n) memory.

use std::sync::OnceLock;

use sha2::digest::generic_array::GenericArray;

/// A tree node (and a leaf): 32 bytes, the last one's top two bits zero.
pub type Node = [u8; 32];

/// A SHA-256 message block.
type Block = GenericArray<u8, sha2::digest::consts::U64>;

/// The levels a piece tree can have: leaves are level 0, a 64 GiB piece's root is level 31.
pub const MAX_LEVEL: u32 = 31;

/// SHA-256's initial state.
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The second block of SHA-256 over a 64-byte message: 0x80, zeros, and the length (512 bits)
/// big-endian in the last 8 bytes. It is the same for every node.
fn padding_block() -> Block {
    let mut b = [0u8; 64];
    b[0] = 0x80;
    b[62] = 0x02; // 512 = 0x0200
    Block::from(b)
}

/// Hashes tree nodes: SHA-256 of `left ‖ right`, the top two bits of the last byte cleared.
/// Each node is exactly two compressions, the second of the constant padding block, through
/// `sha2`'s compression function (which picks its own best backend, SHA-NI where the CPU has
/// it). A hand-written SHA-NI path with the padding block's schedule precomputed measured
/// about a fifth less CPU; it was not kept, since `sha2` already meets the speed goal and
/// unsafe hand-rolled hashing is not worth that fifth.
pub struct NodeHasher {
    blocks: [Block; 2],
}

impl Default for NodeHasher {
    fn default() -> Self {
        Self {
            blocks: [Block::default(), padding_block()],
        }
    }
}

impl NodeHasher {
    /// The parent of two adjacent nodes given as one 64-byte pair (as they lie in a padded quad).
    #[inline]
    pub fn pair(&mut self, pair: &[u8; 64]) -> Node {
        self.blocks[0].copy_from_slice(pair);
        self.finish()
    }

    /// The parent of `left` and `right`.
    #[inline]
    pub fn node(&mut self, left: &Node, right: &Node) -> Node {
        let mut pair = [0u8; 64];
        pair[..32].copy_from_slice(left);
        pair[32..].copy_from_slice(right);
        self.pair(&pair)
    }

    /// Hashes one tree level in place: the `n` pairs in `level[..64 · n]` become the `n` parents
    /// in `level[..32 · n]`.
    pub fn reduce(&mut self, level: &mut [u8], n: usize) {
        assert!(level.len() >= 64 * n);
        for i in 0..n {
            let pair: [u8; 64] = level[64 * i..64 * i + 64].try_into().expect("64 bytes");
            let parent = self.pair(&pair);
            level[32 * i..32 * i + 32].copy_from_slice(&parent);
        }
    }

    #[inline]
    fn finish(&mut self) -> Node {
        let mut state = H0;
        sha2::compress256(&mut state, &self.blocks);
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out[31] &= 0x3f;
        out
    }
}

/// The root of the all-zero subtree of each level (`zero_root(0)` is the zero leaf). The
/// fr32 padding of zero bytes is zero bytes, so these are also the roots of zero-filled
/// payload, which is how a piece is filled up to its power-of-two size without hashing it.
pub fn zero_root(level: u32) -> &'static Node {
    static ZEROS: OnceLock<[Node; MAX_LEVEL as usize + 1]> = OnceLock::new();
    let zeros = ZEROS.get_or_init(|| {
        let mut h = NodeHasher::default();
        let mut zeros = [[0u8; 32]; MAX_LEVEL as usize + 1];
        for level in 1..zeros.len() {
            zeros[level] = h.node(&zeros[level - 1], &zeros[level - 1]);
        }
        zeros
    });
    &zeros[level as usize]
}

/// Subtree roots of a tree being built from left to right, with strictly decreasing levels:
/// the binary decomposition of the leaves seen so far. Pushing a subtree merges it with the
/// last one while they have the same level, like a carry. Memory: one node per level.
pub struct Stack {
    nodes: Vec<(u32, Node)>,
    hasher: NodeHasher,
}

impl Default for Stack {
    fn default() -> Self {
        Self {
            nodes: Vec::with_capacity(MAX_LEVEL as usize + 1),
            hasher: NodeHasher::default(),
        }
    }
}

impl Stack {
    /// Appends the root of a subtree of `2^level` leaves. The leaves pushed before must be a
    /// multiple of `2^level` (the subtree is aligned), which holds when subtrees are pushed in
    /// non-increasing size, as every caller does.
    pub fn push(&mut self, level: u32, mut node: Node) {
        let mut level = level;
        while let Some(&(top, ref left)) = self.nodes.last() {
            debug_assert!(top >= level, "unaligned subtree: level {level} after {top}");
            if top != level {
                break;
            }
            node = self.hasher.node(left, &node);
            self.nodes.pop();
            level += 1;
        }
        self.nodes.push((level, node));
    }

    /// The hasher, for callers that hash below the stack's smallest subtree.
    pub fn hasher(&mut self) -> &mut NodeHasher {
        &mut self.hasher
    }

    /// Fills the tree with zero subtrees up to one root at `level` and returns it. At least one
    /// subtree must have been pushed, and no more than `2^level` leaves.
    pub fn finish(mut self, level: u32) -> Node {
        loop {
            match self.nodes.as_slice() {
                [] => panic!("an empty tree has no root"),
                [(top, root)] if *top == level => return *root,
                [.., (top, _)] => {
                    assert!(*top < level, "the tree holds more than 2^{level} leaves");
                    let top = *top;
                    self.push(top, *zero_root(top));
                }
            }
        }
    }
}

/// Extends the root of a piece at `level` to a larger piece at `to_level` whose extra leaves
/// are zero: the piece it roots is the larger piece's first subtree.
pub fn extend_with_zeros(mut root: Node, level: u32, to_level: u32) -> Node {
    let mut h = NodeHasher::default();
    for l in level..to_level {
        root = h.node(&root, zero_root(l));
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn reference_node(left: &Node, right: &Node) -> Node {
        let mut out: Node = Sha256::new()
            .chain_update(left)
            .chain_update(right)
            .finalize()
            .into();
        out[31] &= 0x3f;
        out
    }

    #[test]
    fn a_node_is_truncated_sha256_of_the_pair() {
        let left = [0xabu8; 32];
        let mut right = [0u8; 32];
        right.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let mut h = NodeHasher::default();
        assert_eq!(h.node(&left, &right), reference_node(&left, &right));
        let mut pair = [0u8; 64];
        pair[..32].copy_from_slice(&left);
        pair[32..].copy_from_slice(&right);
        assert_eq!(h.pair(&pair), reference_node(&left, &right));
        assert_eq!(h.node(&left, &right)[31] & 0xc0, 0);
    }

    #[test]
    fn a_level_reduced_in_place_is_its_nodes_one_by_one() {
        let mut level: Vec<u8> = (0..64 * 11).map(|i| (i * 31 % 251) as u8).collect();
        let expected: Vec<Node> = level
            .chunks_exact(64)
            .map(|p| reference_node(p[..32].try_into().unwrap(), p[32..].try_into().unwrap()))
            .collect();
        let mut h = NodeHasher::default();
        h.reduce(&mut level, 11);
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(&level[32 * i..32 * i + 32], e, "node {i}");
        }
    }

    #[test]
    fn the_stack_folds_any_leaf_count_like_a_full_tree() {
        let leaf = |i: u32| -> Node {
            let mut n = [0u8; 32];
            n[..4].copy_from_slice(&i.to_le_bytes());
            n
        };
        // A naive level-by-level tree over `count` leaves followed by zero leaves.
        let naive = |count: u32, level: u32| -> Node {
            let mut row: Vec<Node> = (0..1u32 << level)
                .map(|i| if i < count { leaf(i) } else { [0; 32] })
                .collect();
            while row.len() > 1 {
                row = row.chunks(2).map(|p| reference_node(&p[0], &p[1])).collect();
            }
            row[0]
        };
        for level in 0..6 {
            for count in 1..=(1u32 << level) {
                let mut s = Stack::default();
                (0..count).for_each(|i| s.push(0, leaf(i)));
                assert_eq!(
                    s.finish(level),
                    naive(count, level),
                    "{count} leaves, level {level}"
                );
            }
        }
        assert_eq!(extend_with_zeros(naive(3, 2), 2, 5), naive(3, 5));
    }
}
