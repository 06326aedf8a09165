//! Fr32 padding: every 127 bytes (1016 bits) of payload become 128 bytes, four 254-bit runs
//! each followed by two zero bits, bits taken little-endian. Each run then is a field element
//! of BLS12-381 (and a leaf of the piece tree).

/// Payload bytes in one padded quad.
pub const IN: usize = 127;
/// Bytes of a padded quad: four 32-byte leaves.
pub const OUT: usize = 128;

/// Pads one 127-byte chunk into four leaves.
#[inline]
pub fn pad(input: &[u8; IN], out: &mut [u8; OUT]) {
    // Run k starts at input bit 254·k: byte 31·k + ⌊6k/8⌋, bit 6k mod 8 (0, 6, 4, 2), and each
    // output lane of 8 bytes is the input's 64 bits from there.
    const START: [(usize, u32); 4] = [(0, 0), (31, 6), (63, 4), (95, 2)];
    for (k, &(byte, shift)) in START.iter().enumerate() {
        for lane in 0..4 {
            let at = byte + 8 * lane;
            let mut v = u64::from_le_bytes(input[at..at + 8].try_into().expect("8 bytes"));
            if shift != 0 {
                v >>= shift;
                // The next byte's low bits; past the chunk's end (the last lane of the last
                // run) there is none: those bits are the run's two zero bits.
                let next = input.get(at + 8).copied().unwrap_or(0);
                v |= u64::from(next) << (64 - shift);
            }
            if lane == 3 {
                v &= 0x3fff_ffff_ffff_ffff;
            }
            let o = 32 * k + 8 * lane;
            out[o..o + 8].copy_from_slice(&v.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit by bit: input bit i (little-endian) goes to output bit i + 2·⌊i / 254⌋.
    fn pad_bitwise(input: &[u8; IN]) -> [u8; OUT] {
        let mut out = [0u8; OUT];
        for i in 0..IN * 8 {
            if input[i / 8] >> (i % 8) & 1 == 1 {
                let j = i + 2 * (i / 254);
                out[j / 8] |= 1 << (j % 8);
            }
        }
        out
    }

    #[test]
    fn padding_moves_every_bit_where_fr32_puts_it() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let mut input = [0u8; IN];
            for b in input.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            if round == 0 {
                input = [0xff; IN];
            }
            let mut out = [0u8; OUT];
            pad(&input, &mut out);
            assert_eq!(out, pad_bitwise(&input), "round {round}");
            for k in 0..4 {
                assert_eq!(out[32 * k + 31] & 0xc0, 0, "two zero bits after run {k}");
            }
        }
    }
}
