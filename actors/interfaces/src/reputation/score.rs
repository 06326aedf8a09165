//! The reputation score: a time-decayed, stake-weighted beta model, in integer math.
//!
//! Storj rates a node with a beta distribution over audit outcomes: `α` grows with successes,
//! `β` with failures, both decay, and the score is `α / (α + β)`. Filecoin differs in two ways
//! that shape this version:
//! - outcomes arrive at irregular times (a claim completes after months, a fault on any day),
//!   so decay is by **epochs elapsed**, not by number of outcomes: `x · 2^(−Δ/H)` with a
//!   half-life `H` of 30 days;
//! - outcomes differ hugely in size (a 2 KiB deal vs a 64 GiB sector for years), so each one
//!   counts with its **stake** (bytes × epochs), and a fixed prior of one 32 GiB sector for
//!   180 days on each side keeps a new provider at the neutral 5000 until it has put real
//!   stake behind its record: a thousand tiny self-dealt deals weigh less than one real one.
//!
//! ```text
//! good  = decayed Σ stake of completed outcomes              + PRIOR
//! bad   = decayed Σ (2 × stake of slashes + stake / 4 of faults) + PRIOR
//! score = floor(10000 × good / (good + bad))                       ∈ [0, 10000]
//! ```
//! Losing data (a slash) costs twice what keeping it earns; a fault (a missed proof, which can
//! be recovered) costs a quarter. A claim being accepted is a promise, not an outcome: it is
//! counted but does not move the score. Properties (property-tested below): no history →
//! 5000; a success never lowers the score and a failure never raises it; with no new outcomes
//! the score drifts back toward 5000 as the past decays; a recent outcome moves the score
//! more than the same outcome long ago.

use fvm_shared::clock::ChainEpoch;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Half-life of an outcome's weight: 30 days of 30-second epochs.
pub const HALF_LIFE_EPOCHS: ChainEpoch = 86_400;
/// Pseudo-stake on each side: one 32 GiB sector for 180 days (bytes × epochs).
pub const PRIOR_STAKE: u128 = (32u128 << 30) * 518_400;
/// The top of the score range.
pub const MAX_SCORE: u16 = 10_000;
/// The score of a provider with no history.
pub const NEUTRAL_SCORE: u16 = MAX_SCORE / 2;
/// Accumulators saturate here, far above any real stake, so the decay product never overflows.
pub const STAKE_CAP: u128 = 1 << 90;

/// `floor(2^64 · 2^(−2^k / HALF_LIFE_EPOCHS))` for k in 0..=16: the decay over 2^k epochs, in
/// Q64. The remainder of a half-life is decayed by one factor per set bit (binary powering), so
/// decay is multiplicative: decaying by a then b equals decaying by a + b (to the last bit), and
/// a score does not depend on how often its record was touched.
const DECAY_BIT_Q64: [u64; 17] = [
    18446596084619782820,
    18446448096717257183,
    18446152124473897284,
    18445560194233676304,
    18444376390737096189,
    18442009011662316995,
    18437275165049768386,
    18427811116880858184,
    18408897592037172233,
    18371128758548627046,
    18295823399218608963,
    18146137471081699764,
    17850429528574158639,
    17273391612166261364,
    16174673242878409414,
    14182451573486606349,
    10903926017001657242,
];

const _: () = assert!(HALF_LIFE_EPOCHS < 1 << 17, "one factor per bit of the remainder");

/// `floor(x · c / 2^64)` for x < 2^90 and c < 2^64, without overflowing u128.
fn mul_q64(x: u128, c: u64) -> u128 {
    let (hi, lo) = (x >> 64, x & u64::MAX as u128);
    hi * c as u128 + ((lo * c as u128) >> 64)
}

/// `x · 2^(−elapsed / HALF_LIFE_EPOCHS)`, rounded down: whole half-lives are shifts, the rest a
/// product of at most 17 per-bit factors, each exact to 2^-64 and rounded down once, so the
/// result is within `x / 2^59 + 17` of the exact value.
pub fn decay(x: u128, elapsed: ChainEpoch) -> u128 {
    if elapsed <= 0 || x == 0 {
        return x;
    }
    let halvings = elapsed / HALF_LIFE_EPOCHS;
    if halvings >= 128 {
        return 0;
    }
    let mut x = x.min(STAKE_CAP) >> halvings;
    let rest = elapsed % HALF_LIFE_EPOCHS;
    for (bit, factor) in DECAY_BIT_Q64.iter().enumerate() {
        if rest & (1 << bit) != 0 {
            x = mul_q64(x, *factor);
        }
    }
    x
}

/// A u128 on the wire as a 2-tuple `[high u64, low u64]` (CBOR integers stop at 64 bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stake(pub u128);

impl Serialize for Stake {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ((self.0 >> 64) as u64, self.0 as u64).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Stake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (hi, lo) = <(u64, u64)>::deserialize(d)?;
        Ok(Stake(((hi as u128) << 64) | lo as u128))
    }
}

/// What an outcome does to the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Counted, no score change (a claim accepted).
    Neutral,
    /// Adds to `good`.
    Success,
    /// Adds to `bad`.
    Failure,
}

/// The decayed evidence of one provider, as of `as_of`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde_tuple::Serialize_tuple, serde_tuple::Deserialize_tuple,
)]
pub struct Evidence {
    pub good: Stake,
    pub bad: Stake,
    pub as_of: ChainEpoch,
}

impl Evidence {
    /// The evidence decayed to `epoch` (never backwards in time).
    pub fn at(&self, epoch: ChainEpoch) -> Evidence {
        let elapsed = epoch.saturating_sub(self.as_of).max(0);
        Evidence {
            good: Stake(decay(self.good.0, elapsed)),
            bad: Stake(decay(self.bad.0, elapsed)),
            as_of: epoch.max(self.as_of),
        }
    }

    /// Adds `weighted` stake to one side at `epoch`.
    pub fn add(&self, epoch: ChainEpoch, effect: Effect, weighted: u128) -> Evidence {
        let mut next = self.at(epoch);
        let w = weighted.min(STAKE_CAP);
        match effect {
            Effect::Neutral => {}
            Effect::Success => next.good = Stake(next.good.0.saturating_add(w).min(STAKE_CAP)),
            Effect::Failure => next.bad = Stake(next.bad.0.saturating_add(w).min(STAKE_CAP)),
        }
        next
    }

    /// The score at `epoch`, in `0..=10000`.
    pub fn score(&self, epoch: ChainEpoch) -> u16 {
        let now = self.at(epoch);
        let good = now.good.0 + PRIOR_STAKE;
        let bad = now.bad.0 + PRIOR_STAKE;
        // good + bad < 2^92, × 10000 < 2^106: no overflow.
        ((good * MAX_SCORE as u128) / (good + bad)) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decay_factors_are_the_exact_curve() {
        for (k, c) in DECAY_BIT_Q64.iter().enumerate() {
            let exact = 2f64.powf(-((1u64 << k) as f64) / HALF_LIFE_EPOCHS as f64) * 2f64.powi(64);
            assert!((*c as f64 / exact - 1.0).abs() < 1e-12, "factor {k}");
        }
    }

    #[test]
    fn decay_halves_every_half_life() {
        let x = 1u128 << 80;
        assert_eq!(decay(x, 0), x);
        assert_eq!(decay(x, HALF_LIFE_EPOCHS), x >> 1);
        assert_eq!(decay(x, 3 * HALF_LIFE_EPOCHS), x >> 3);
        assert_eq!(decay(x, 200 * HALF_LIFE_EPOCHS), 0);
        let mid = decay(x, HALF_LIFE_EPOCHS / 2) as f64 / x as f64;
        assert!((mid - 0.5f64.sqrt()).abs() < 1e-9, "{mid}");
    }

    #[test]
    fn no_history_is_neutral() {
        assert_eq!(Evidence::default().score(0), NEUTRAL_SCORE);
        assert_eq!(Evidence::default().score(1_000_000), NEUTRAL_SCORE);
    }

    #[test]
    fn scores_follow_the_formula_exactly() {
        let p = PRIOR_STAKE;
        let e = Evidence::default().add(0, Effect::Success, p);
        assert_eq!(e.score(0), 6666); // (P + P) / (P + P + P)
        let e = Evidence::default().add(0, Effect::Success, 2 * p);
        assert_eq!(e.score(0), 7500); // 3P / 4P
        assert_eq!(
            e.score(HALF_LIFE_EPOCHS),
            6666,
            "one half-life later the success weighs P"
        );
        let e = Evidence::default().add(0, Effect::Failure, 2 * p);
        assert_eq!(e.score(2 * HALF_LIFE_EPOCHS), 4000); // P / (P + P + P/2)
    }

    #[test]
    fn stake_saturates_at_the_cap() {
        let e = Evidence::default()
            .add(0, Effect::Success, STAKE_CAP)
            .add(0, Effect::Success, STAKE_CAP);
        assert_eq!(e.good.0, STAKE_CAP);
        assert_eq!(e.score(0), 9999);
        let e = e.add(0, Effect::Failure, u128::MAX);
        assert_eq!(e.bad.0, STAKE_CAP);
        assert_eq!(e.score(0), NEUTRAL_SCORE);
    }

    #[test]
    fn stake_round_trips_through_cbor() {
        let s = Stake(u128::MAX - 5);
        let bytes = fvm_ipld_encoding::to_vec(&s).unwrap();
        assert_eq!(fvm_ipld_encoding::from_slice::<Stake>(&bytes).unwrap(), s);
    }

    #[test]
    fn tiny_outcomes_cannot_outweigh_a_large_one() {
        let big = 32u128 << 30; // 32 GiB
        let year = 1_051_200u128;
        let mut e = Evidence::default();
        // One slashed 32 GiB × 1 year deal…
        e = e.add(0, Effect::Failure, 2 * big * year);
        // …against a thousand completed 2 KiB × 1 year deals.
        for _ in 0..1000 {
            e = e.add(0, Effect::Success, 2048 * year);
        }
        assert!(e.score(0) < 2_000, "{}", e.score(0));
    }

    fn effect() -> impl Strategy<Value = Effect> {
        prop_oneof![
            Just(Effect::Neutral),
            Just(Effect::Success),
            Just(Effect::Failure)
        ]
    }

    /// Log-uniform stakes from 1 to 2^95: below, around and far above the prior, and past the cap.
    fn stake() -> impl Strategy<Value = u128> {
        (0u32..96).prop_flat_map(|bits| 0u128..=(1u128 << bits))
    }

    fn history() -> impl Strategy<Value = Vec<(ChainEpoch, Effect, u128)>> {
        prop::collection::vec((0i64..200_000, effect(), stake()), 0..40)
    }

    fn replay(h: &[(ChainEpoch, Effect, u128)]) -> (Evidence, ChainEpoch) {
        let mut e = Evidence::default();
        let mut t = 0;
        for (dt, effect, w) in h {
            t += dt;
            e = e.add(t, *effect, *w);
        }
        (e, t)
    }

    proptest! {
        #[test]
        fn a_success_never_lowers_and_a_failure_never_raises(h in history(), dt in 0i64..500_000, w in stake()) {
            let (e, t) = replay(&h);
            let now = t + dt;
            let before = e.score(now);
            prop_assert!(e.add(now, Effect::Success, w).score(now) >= before);
            prop_assert!(e.add(now, Effect::Failure, w).score(now) <= before);
            prop_assert_eq!(e.add(now, Effect::Neutral, w).score(now), before);
        }

        #[test]
        fn nor_does_it_later(h in history(), dt in 0i64..500_000, later in 0i64..2_000_000, w in stake()) {
            // Decay is multiplicative: an outcome's effect keeps its sign as time passes
            // (rounding may move a score by one point).
            let (e, t) = replay(&h);
            let (now, then) = (t + dt, t + dt + later);
            let base = e.score(then) as i32;
            prop_assert!(e.add(now, Effect::Success, w).score(then) as i32 >= base - 1);
            prop_assert!(e.add(now, Effect::Failure, w).score(then) as i32 <= base + 1);
        }

        #[test]
        fn touching_a_record_does_not_change_its_future(h in history(), a in 0i64..1_000_000, b in 0i64..1_000_000) {
            let (e, t) = replay(&h);
            let touched = e.add(t + a, Effect::Neutral, 0);
            let diff = touched.score(t + a + b) as i32 - e.score(t + a + b) as i32;
            prop_assert!(diff.abs() <= 1, "{}", diff);
        }

        #[test]
        fn decay_is_multiplicative(x in 0u128..(1u128 << 90), a in 0i64..3_000_000, b in 0i64..3_000_000) {
            let stepwise = decay(decay(x, a), b) as i128;
            let direct = decay(x, a + b) as i128;
            let tolerance = (x >> 58) as i128 + 40;
            prop_assert!((stepwise - direct).abs() <= tolerance, "{} vs {}", stepwise, direct);
        }

        #[test]
        fn idle_time_moves_the_score_toward_neutral(h in history(), a in 0i64..1_000_000, b in 0i64..1_000_000) {
            let (e, t) = replay(&h);
            let (near, far) = (t + a.min(b), t + a.max(b));
            let dist = |s: u16| (s as i32 - NEUTRAL_SCORE as i32).abs();
            prop_assert!(dist(e.score(far)) <= dist(e.score(near)) + 1);
        }

        #[test]
        fn recent_outcomes_count_more_than_old_ones(w in (1u128 << 40)..(1u128 << 70), gap in 1_000i64..2_000_000) {
            // Success then failure (failure recent) vs failure then success (success recent).
            let bad_recent = Evidence::default().add(0, Effect::Success, w).add(gap, Effect::Failure, w);
            let good_recent = Evidence::default().add(0, Effect::Failure, w).add(gap, Effect::Success, w);
            prop_assert!(good_recent.score(gap) > bad_recent.score(gap));
        }

        #[test]
        fn more_stake_moves_the_score_more(h in history(), w1 in stake(), w2 in stake()) {
            let (e, t) = replay(&h);
            let (small, large) = (w1.min(w2), w1.max(w2));
            prop_assert!(e.add(t, Effect::Success, large).score(t) >= e.add(t, Effect::Success, small).score(t));
            prop_assert!(e.add(t, Effect::Failure, large).score(t) <= e.add(t, Effect::Failure, small).score(t));
        }

        #[test]
        fn decay_never_grows_and_is_monotone_up_to_rounding(x in 0u128..(1u128 << 90), a in 0i64..3_000_000, b in 0i64..3_000_000) {
            prop_assert!(decay(x, a) <= x);
            prop_assert!(decay(x, a.max(b)) <= decay(x, a.min(b)) + (x >> 58) + 18);
        }
    }
}
