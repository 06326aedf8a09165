//! What users type: FIL amounts with units, byte sizes, piece CIDs; and how amounts print.

use anyhow::{bail, Result};
use cid::Cid;
use fvm_shared::bigint::BigInt;
use fvm_shared::commcid::{self, FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};
use fvm_shared::econ::TokenAmount;

/// Units a FIL amount may carry, with their power of ten in attoFIL. Matched case-insensitively.
const UNITS: [(&str, u32); 7] = [
    ("attofil", 0),
    ("femtofil", 3),
    ("picofil", 6),
    ("nanofil", 9),
    ("microfil", 12),
    ("millifil", 15),
    ("fil", 18),
];

/// Parses `1.5FIL`, `250nanoFIL`, `10attoFIL` (a space before the unit is allowed). A unit is
/// required: a bare number is ambiguous between FIL and attoFIL, and money is at stake.
pub fn parse_amount(text: &str) -> Result<TokenAmount> {
    // Spaces may separate the number from its unit, nothing else ("1 2FIL" is not 12 FIL).
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        bail!("amount {text:?} is negative");
    }
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim_start();
    let Some((_, exponent)) = UNITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)) else {
        if unit.is_empty() {
            bail!("amount {text:?} needs a unit: FIL, milliFIL, microFIL, nanoFIL, picoFIL, femtoFIL or attoFIL (e.g. 1.5FIL)");
        }
        bail!("amount {text:?}: unknown unit {unit:?} (FIL, milliFIL, microFIL, nanoFIL, picoFIL, femtoFIL, attoFIL)");
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || number.matches('.').count() > 1 {
        bail!("amount {text:?} is not a number");
    }
    if fraction.len() > *exponent as usize {
        bail!("amount {text:?} is more precise than 1 attoFIL");
    }
    let digits = format!("{whole}{fraction:0<width$}", width = *exponent as usize);
    let atto = BigInt::parse_bytes(digits.as_bytes(), 10)
        .ok_or_else(|| anyhow::anyhow!("amount {text:?} is not a number"))?;
    // What a Filecoin big integer holds (128 bytes in CBOR, the sign byte included): a larger
    // amount could not be put in a message.
    if atto.to_bytes_be().1.len() >= fvm_shared::bigint::MAX_BIGINT_SIZE {
        bail!("amount {text:?} is larger than any amount a message can carry");
    }
    Ok(TokenAmount::from_atto(atto))
}

/// An exact amount in FIL: `1.5 FIL`, `0.00000000000000001 FIL`, `0 FIL`.
pub fn fil(amount: &TokenAmount) -> String {
    let atto = amount.atto();
    let negative = atto.sign() == fvm_shared::bigint::Sign::Minus;
    let digits = atto.magnitude().to_string();
    let padded = format!("{digits:0>19}");
    let (whole, fraction) = padded.split_at(padded.len() - 18);
    let fraction = fraction.trim_end_matches('0');
    let sign = if negative { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{whole} FIL")
    } else {
        format!("{sign}{whole}.{fraction} FIL")
    }
}

/// An amount as JSON: attoFIL as a decimal string (exact; JSON numbers are not).
pub fn atto_json(amount: &TokenAmount) -> serde_json::Value {
    serde_json::Value::String(amount.atto().to_string())
}

/// Parses a byte size: `2048`, `2KiB`, `512MiB`, `32GiB`.
pub fn parse_size(text: &str) -> Result<u64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let split = compact
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(compact.len());
    let (number, unit) = compact.split_at(split);
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "kib" => 10,
        "mib" => 20,
        "gib" => 30,
        "tib" => 40,
        _ => bail!("size {text:?}: unknown unit {unit:?} (B, KiB, MiB, GiB, TiB)"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("size {text:?} is not a number of bytes"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| anyhow::anyhow!("size {text:?} is too large"))
}

/// Parses a piece CID and checks it is a CommP, as the market will.
pub fn parse_piece_cid(text: &str) -> Result<Cid> {
    let cid =
        Cid::try_from(text.trim()).map_err(|e| anyhow::anyhow!("piece CID {text:?} is not a CID: {e}"))?;
    if commcid::cid_to_piece_commitment_v1(&cid).is_err() {
        let hash = cid.hash();
        bail!(
            "piece CID {text:?} is not a piece commitment: want codec fil-commitment-unsealed \
             ({FIL_COMMITMENT_UNSEALED:#x}) with a 32-byte sha2-256-trunc254-padded ({SHA2_256_TRUNC254_PADDED:#x}) \
             digest, got codec {:#x}, multihash {:#x}, {} bytes",
            cid.codec(),
            hash.code(),
            hash.size()
        );
    }
    Ok(cid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_in_every_unit() {
        assert_eq!(
            parse_amount("1.5FIL").unwrap(),
            TokenAmount::from_nano(1_500_000_000)
        );
        assert_eq!(parse_amount("250nanoFIL").unwrap(), TokenAmount::from_nano(250));
        assert_eq!(parse_amount("10attoFIL").unwrap(), TokenAmount::from_atto(10));
        assert_eq!(parse_amount("3 fil").unwrap(), TokenAmount::from_whole(3));
        assert_eq!(
            parse_amount("0.001FIL").unwrap(),
            parse_amount("1milliFIL").unwrap()
        );
        assert_eq!(
            parse_amount(".5FIL").unwrap(),
            TokenAmount::from_nano(500_000_000)
        );
        assert_eq!(
            parse_amount("0.000000000000000001FIL").unwrap(),
            TokenAmount::from_atto(1)
        );
    }

    #[test]
    fn bad_amounts_are_refused_with_the_reason() {
        for (text, why) in [
            ("12", "needs a unit"),
            ("1.5", "needs a unit"),
            ("1.5 FOO", "unknown unit"),
            ("-1FIL", "negative"),
            ("1.2.3FIL", "not a number"),
            ("FIL", "not a number"),
            ("1 2attoFIL", "unknown unit"),
            ("0.5attoFIL", "more precise"),
            ("0.0000000000000000001FIL", "more precise"),
        ] {
            let err = parse_amount(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn amounts_print_exactly() {
        assert_eq!(fil(&TokenAmount::from_whole(12)), "12 FIL");
        assert_eq!(fil(&TokenAmount::from_nano(1_500_000_000)), "1.5 FIL");
        assert_eq!(fil(&TokenAmount::from_atto(1)), "0.000000000000000001 FIL");
        assert_eq!(fil(&TokenAmount::default()), "0 FIL");
        assert_eq!(fil(&-TokenAmount::from_whole(2)), "-2 FIL");
        for text in [
            "1.5FIL",
            "250nanoFIL",
            "10attoFIL",
            "123456789.000000000000000001FIL",
        ] {
            let a = parse_amount(text).unwrap();
            assert_eq!(parse_amount(&fil(&a)).unwrap(), a, "{text}");
        }
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("2048").unwrap(), 2048);
        assert_eq!(parse_size("2KiB").unwrap(), 2048);
        assert_eq!(parse_size("32GiB").unwrap(), 32 << 30);
        assert!(parse_size("2KB")
            .unwrap_err()
            .to_string()
            .contains("unknown unit"));
        assert!(parse_size("KiB")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert!(parse_size("99999999999TiB")
            .unwrap_err()
            .to_string()
            .contains("too large"));
    }

    #[test]
    fn piece_cids_must_be_commitments() {
        let good = stand_in_market::piece_cid([7; 32]).to_string();
        assert_eq!(parse_piece_cid(&good).unwrap().to_string(), good);
        let err = parse_piece_cid("hello").unwrap_err().to_string();
        assert!(err.contains("is not a CID"), "{err}");
        // A valid CID of another kind (a raw blake2b block) is refused with what was wanted.
        let raw = "bafk2bzacebiwzqocjahzhvpk34ommfpsdi5g5px6lckffp6pfutmbfpab32r6";
        let err = parse_piece_cid(raw).unwrap_err().to_string();
        assert!(err.contains("not a piece commitment"), "{err}");
    }
}
