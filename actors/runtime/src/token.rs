//! Checked arithmetic on FIL amounts. `TokenAmount` cannot overflow (it is a big integer), so
//! the checks here are about meaning: amounts that must not be negative, subtractions that
//! must not go below zero, and basis-point shares that never round up.

use fvm_shared::econ::TokenAmount;

use crate::{ActorError, ActorResult};

/// 100% in basis points.
pub const BPS_DENOMINATOR: u64 = 10_000;

/// Fails unless `amount >= 0`; `what` names it in the error.
pub fn non_negative(amount: &TokenAmount, what: &str) -> ActorResult<()> {
    if amount.is_negative() {
        return Err(ActorError::illegal_argument(format!(
            "{what} must not be negative, got {amount}"
        )));
    }
    Ok(())
}

/// Fails unless `amount > 0`.
pub fn positive(amount: &TokenAmount, what: &str) -> ActorResult<()> {
    if !amount.is_positive() {
        return Err(ActorError::illegal_argument(format!(
            "{what} must be positive, got {amount}"
        )));
    }
    Ok(())
}

/// `a + b` for amounts that are both non-negative.
pub fn add(a: &TokenAmount, b: &TokenAmount) -> ActorResult<TokenAmount> {
    if a.is_negative() || b.is_negative() {
        return Err(ActorError::illegal_state(format!("negative amount in {a} + {b}")));
    }
    Ok(a + b)
}

/// `a - b`, refusing to go below zero: an underflow means the books are wrong.
pub fn sub(a: &TokenAmount, b: &TokenAmount) -> ActorResult<TokenAmount> {
    if b.is_negative() || b > a {
        return Err(ActorError::illegal_state(format!("cannot take {b} from {a}")));
    }
    Ok(a - b)
}

/// `amount × n` for a non-negative amount.
pub fn mul(amount: &TokenAmount, n: u64) -> ActorResult<TokenAmount> {
    if amount.is_negative() {
        return Err(ActorError::illegal_state(format!(
            "negative amount {amount} × {n}"
        )));
    }
    Ok(amount * n)
}

/// `floor(amount × bps / 10000)`; bps above 10000 is refused.
pub fn share_bps(amount: &TokenAmount, bps: u64) -> ActorResult<TokenAmount> {
    if bps > BPS_DENOMINATOR {
        return Err(ActorError::illegal_argument(format!(
            "{bps} bps exceeds {BPS_DENOMINATOR}"
        )));
    }
    Ok(mul(amount, bps)?.div_floor(BPS_DENOMINATOR))
}

/// `floor(amount × num / den)` with `num <= den`: the share of something vested or used.
pub fn pro_rata(amount: &TokenAmount, num: u64, den: u64) -> ActorResult<TokenAmount> {
    if den == 0 || num > den {
        return Err(ActorError::illegal_state(format!("bad ratio {num}/{den}")));
    }
    Ok(mul(amount, num)?.div_floor(den))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn atto(v: u128) -> TokenAmount {
        TokenAmount::from_atto(v)
    }

    #[test]
    fn sub_refuses_underflow() {
        assert_eq!(sub(&atto(5), &atto(3)).unwrap(), atto(2));
        assert!(sub(&atto(3), &atto(5)).is_err());
        assert!(add(&atto(3), &TokenAmount::from_atto(-1)).is_err());
        assert!(positive(&atto(0), "x").is_err());
        assert!(non_negative(&atto(0), "x").is_ok());
    }

    proptest! {
        #[test]
        fn share_never_exceeds_whole_and_shares_add_up(v in 0u128..u128::MAX / 20_000, bps in 0u64..=10_000) {
            let whole = atto(v);
            let part = share_bps(&whole, bps).unwrap();
            let rest = sub(&whole, &part).unwrap();
            prop_assert!(part <= whole);
            prop_assert_eq!(add(&part, &rest).unwrap(), whole);
        }

        #[test]
        fn pro_rata_is_monotone(v in 0u128..u128::MAX / 1_000_000, den in 1u64..1_000_000, a in 0u64..1_000_000, b in 0u64..1_000_000) {
            let (lo, hi) = (a.min(b).min(den), a.max(b).min(den));
            let whole = atto(v);
            prop_assert!(pro_rata(&whole, lo, den).unwrap() <= pro_rata(&whole, hi, den).unwrap());
            prop_assert_eq!(pro_rata(&whole, den, den).unwrap(), whole);
        }
    }
}
