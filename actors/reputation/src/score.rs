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

/// 2^(32 − i/16) for i in 0..=16: the decay curve within one half-life, in Q32.
const DECAY_Q32: [u64; 17] = [
    4294967296, 4112874773, 3938502376, 3771522796, 3611622603, 3458501653, 3311872529, 3171459999,
    3037000500, 2908241642, 2784941738, 2666869345, 2553802834, 2445529972, 2341847524, 2242560872,
    2147483648,
];

/// `x · 2^(−elapsed / HALF_LIFE_EPOCHS)`, rounded down: whole half-lives are shifts, the rest is
/// a piecewise-linear interpolation of the exact curve in 16 steps (error below 0.05%).
/// Monotone: more elapsed time never gives a larger result.
pub fn decay(x: u128, elapsed: ChainEpoch) -> u128 {
    if elapsed <= 0 || x == 0 {
        return x;
    }
    let halvings = elapsed / HALF_LIFE_EPOCHS;
    if halvings >= 128 {
        return 0;
    }
    let x = x >> halvings;
    let rest = (elapsed % HALF_LIFE_EPOCHS) as u128;
    let step = HALF_LIFE_EPOCHS as u128 / 16;
    let i = (rest / step) as usize;
    let (hi, lo) = (DECAY_Q32[i] as u128, DECAY_Q32[i + 1] as u128);
    let factor = hi - (hi - lo) * (rest % step) / step;
    // x < 2^90 and factor ≤ 2^32: the product fits in u128.
    (x.min(STAKE_CAP) * factor) >> 32
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
    fn decay_table_is_the_exact_curve() {
        for (i, v) in DECAY_Q32.iter().enumerate() {
            let exact = 2f64.powf(32.0 - i as f64 / 16.0);
            assert!((*v as f64 - exact).abs() <= 1.0, "entry {i}");
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
        assert!((mid - 0.5f64.sqrt()).abs() < 0.0005, "{mid}");
    }

    #[test]
    fn no_history_is_neutral() {
        assert_eq!(Evidence::default().score(0), NEUTRAL_SCORE);
        assert_eq!(Evidence::default().score(1_000_000), NEUTRAL_SCORE);
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

    fn history() -> impl Strategy<Value = Vec<(ChainEpoch, Effect, u128)>> {
        prop::collection::vec((0i64..200_000, effect(), 0u128..(1u128 << 70)), 0..40)
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
        fn score_stays_in_range(h in history(), later in 0i64..10_000_000) {
            let (e, t) = replay(&h);
            prop_assert!(e.score(t + later) <= MAX_SCORE);
        }

        #[test]
        fn a_success_never_lowers_and_a_failure_never_raises(h in history(), dt in 0i64..500_000, w in 0u128..(1u128 << 72)) {
            let (e, t) = replay(&h);
            let now = t + dt;
            let before = e.score(now);
            prop_assert!(e.add(now, Effect::Success, w).score(now) >= before);
            prop_assert!(e.add(now, Effect::Failure, w).score(now) <= before);
            prop_assert_eq!(e.add(now, Effect::Neutral, w).score(now), before);
        }

        #[test]
        fn idle_time_moves_the_score_toward_neutral(h in history(), a in 0i64..1_000_000, b in 0i64..1_000_000) {
            let (e, t) = replay(&h);
            let (near, far) = (t + a.min(b), t + a.max(b));
            let dist = |s: u16| (s as i32 - NEUTRAL_SCORE as i32).abs();
            // Rounding of the decay can move a score by one point.
            prop_assert!(dist(e.score(far)) <= dist(e.score(near)) + 1);
        }

        #[test]
        fn recent_outcomes_count_more_than_old_ones(w in (1u128 << 40)..(1u128 << 70), gap in 1_000i64..2_000_000) {
            // Success then failure (failure recent) vs failure then success (success recent).
            let bad_recent = Evidence::default().add(0, Effect::Success, w).add(gap, Effect::Failure, w);
            let good_recent = Evidence::default().add(0, Effect::Failure, w).add(gap, Effect::Success, w);
            prop_assert!(good_recent.score(gap) >= bad_recent.score(gap));
        }

        #[test]
        fn more_stake_moves_the_score_more(h in history(), w1 in 0u128..(1u128 << 70), w2 in 0u128..(1u128 << 70)) {
            let (e, t) = replay(&h);
            let (small, large) = (w1.min(w2), w1.max(w2));
            prop_assert!(e.add(t, Effect::Success, large).score(t) >= e.add(t, Effect::Success, small).score(t));
            prop_assert!(e.add(t, Effect::Failure, large).score(t) <= e.add(t, Effect::Failure, small).score(t));
        }

        #[test]
        fn decay_is_monotone(x in 0u128..(1u128 << 90), a in 0i64..3_000_000, b in 0i64..3_000_000) {
            prop_assert!(decay(x, a.max(b)) <= decay(x, a.min(b)));
            prop_assert!(decay(x, a) <= x);
        }
    }
}
