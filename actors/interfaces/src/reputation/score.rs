//! The reputation score: a time-decayed, stake-weighted beta model, in integer math.
//!
//! Storj rates a node with a beta distribution over audit outcomes: `α` grows with successes,
//! `β` with failures, both decay, and the score is `α / (α + β)`. Filecoin differs in three ways
//! that shape this version:
//! - outcomes arrive at irregular times (a claim completes after months, a fault on any day),
//!   so decay is by **epochs elapsed**, not by number of outcomes: `x · 2^(−Δ/H)`;
//! - the storage this registry is about runs for 180 to 540 days or more, so the half-life is
//!   of that order: 180 days for completions and faults, and 540 days for losses (a slash),
//!   so that a provider that lost data is not let back in within weeks;
//! - outcomes differ hugely in size (a 2 KiB deal vs a 64 GiB sector for years), so each one
//!   counts with its **stake** (bytes × epochs of collateral-backed storage), and a fixed prior
//!   of one 32 GiB sector for 180 days on each side keeps a new provider at the neutral 5000
//!   until it has put real stake behind its record: a thousand tiny self-dealt deals weigh
//!   less than one real one.
//!
//! ```text
//! good   = decayed Σ stake of completed outcomes           (half-life 180 days) + PRIOR
//! faults = decayed Σ stake / 4 of faults                   (half-life 180 days)
//! losses = decayed Σ 2 × stake of slashes                  (half-life 540 days)
//! score  = floor(10000 × good / (good + faults + losses + PRIOR))   ∈ [0, 10000]
//! ```
//! Losing data (a slash) costs twice what keeping it earns and is remembered three times as
//! long; a fault (a missed proof, which can be recovered) costs a quarter. A claim being
//! accepted is a promise, not an outcome: it is counted but does not move the score.
//! Properties (property-tested below): no history → 5000; a success never lowers the score
//! and a failure never raises it, at once or later; a history of one sign drifts back toward
//! 5000 as it decays (a loss outlives the successes of the same age, so a mixed history may
//! cross neutral on its way); a recent outcome moves the score more than the same outcome long
//! ago.

use fvm_shared::clock::ChainEpoch;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Half-life of completions and faults: 180 days of 30-second epochs (the shortest deal term).
pub const OUTCOME_HALF_LIFE_EPOCHS: ChainEpoch = 518_400;
/// Half-life of losses (slashes): 540 days, three times as long.
pub const LOSS_HALF_LIFE_EPOCHS: ChainEpoch = 1_555_200;
/// Pseudo-stake on each side: one 32 GiB sector for 180 days (bytes × epochs).
pub const PRIOR_STAKE: u128 = (32u128 << 30) * 518_400;
/// The top of the score range.
pub const MAX_SCORE: u16 = 10_000;
/// The score of a provider with no history.
pub const NEUTRAL_SCORE: u16 = MAX_SCORE / 2;
/// Accumulators saturate here, far above any real stake, so the decay product never overflows.
pub const STAKE_CAP: u128 = 1 << 90;

/// A decay curve: `x · 2^(−elapsed / half_life)`. `factors[k] = floor(2^64 · 2^(−2^k /
/// half_life))` is the decay over 2^k epochs, in Q64; the remainder of a half-life is decayed
/// by one factor per set bit (binary powering), so decay is multiplicative: decaying by a then
/// b equals decaying by a + b (to the last bits), and a score does not depend on how often its
/// record was touched.
#[derive(Debug)]
pub struct Curve {
    pub half_life: ChainEpoch,
    pub factors: &'static [u64],
}

/// Completions and faults (half-life 180 days; factors for 2^0 … 2^18 epochs).
pub const OUTCOME_CURVE: Curve = Curve {
    half_life: OUTCOME_HALF_LIFE_EPOCHS,
    factors: &[
        18446719408778808971,
        18446694743881045523,
        18446645414184456042,
        18446546755187025505,
        18446349438775148254,
        18445954812283250020,
        18445165584626246495,
        18443587230614354312,
        18440430927758577465,
        18434119942395490209,
        18421504450475502785,
        18396299361172127641,
        18345992595418852422,
        18245791396371861517,
        18047027830476701729,
        17655972903000484076,
        16899100345614501501,
        15481300729821394436,
        12992573178740470224,
    ],
};

/// Losses (half-life 540 days; factors for 2^0 … 2^20 epochs).
pub const LOSS_CURVE: Curve = Curve {
    half_life: LOSS_HALF_LIFE_EPOCHS,
    factors: &[
        18446735852062306376,
        18446727630418725495,
        18446711187142556802,
        18446678300634191645,
        18446612527793349887,
        18446480982815217663,
        18446217895673134970,
        18445691732645509301,
        18444639451614918453,
        18442535069640392314,
        18438327025942081299,
        18429913818781540682,
        18413098919272340243,
        18379515130483862358,
        18312531202356186224,
        18179294822830589367,
        17915723172329769836,
        17399988610727644574,
        16412631001096132454,
        14602818540864156190,
        11559888752472075668,
    ],
};

const _: () = assert!(
    OUTCOME_CURVE.half_life < 1 << OUTCOME_CURVE.factors.len()
        && LOSS_CURVE.half_life < 1 << LOSS_CURVE.factors.len(),
    "one factor per bit of the remainder"
);

/// `floor(x · c / 2^64)` for x < 2^90 and c < 2^64, without overflowing u128.
fn mul_q64(x: u128, c: u64) -> u128 {
    let (hi, lo) = (x >> 64, x & u64::MAX as u128);
    hi * c as u128 + ((lo * c as u128) >> 64)
}

/// `x · 2^(−elapsed / half_life)`, rounded down: whole half-lives are shifts, the rest a
/// product of at most 21 per-bit factors, each exact to 2^-64 and rounded down once, so the
/// result is within `x / 2^59 + 21` of the exact value.
pub fn decay(x: u128, elapsed: ChainEpoch, curve: &Curve) -> u128 {
    if elapsed <= 0 || x == 0 {
        return x;
    }
    let halvings = elapsed / curve.half_life;
    if halvings >= 128 {
        return 0;
    }
    let mut x = x.min(STAKE_CAP) >> halvings;
    let rest = elapsed % curve.half_life;
    for (bit, factor) in curve.factors.iter().enumerate() {
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
    /// Adds to `faults` (a recoverable failure).
    Fault,
    /// Adds to `losses` (data lost).
    Loss,
}

/// The decayed evidence of one provider, as of `as_of`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde_tuple::Serialize_tuple, serde_tuple::Deserialize_tuple,
)]
pub struct Evidence {
    pub good: Stake,
    pub faults: Stake,
    pub losses: Stake,
    pub as_of: ChainEpoch,
}

impl Evidence {
    /// The evidence decayed to `epoch` (never backwards in time).
    pub fn at(&self, epoch: ChainEpoch) -> Evidence {
        let elapsed = epoch.saturating_sub(self.as_of).max(0);
        Evidence {
            good: Stake(decay(self.good.0, elapsed, &OUTCOME_CURVE)),
            faults: Stake(decay(self.faults.0, elapsed, &OUTCOME_CURVE)),
            losses: Stake(decay(self.losses.0, elapsed, &LOSS_CURVE)),
            as_of: epoch.max(self.as_of),
        }
    }

    /// Adds `weighted` stake to one side at `epoch`.
    pub fn add(&self, epoch: ChainEpoch, effect: Effect, weighted: u128) -> Evidence {
        let mut next = self.at(epoch);
        let w = weighted.min(STAKE_CAP);
        let bump = |s: Stake| Stake(s.0.saturating_add(w).min(STAKE_CAP));
        match effect {
            Effect::Neutral => {}
            Effect::Success => next.good = bump(next.good),
            Effect::Fault => next.faults = bump(next.faults),
            Effect::Loss => next.losses = bump(next.losses),
        }
        next
    }

    /// The score at `epoch`, in `0..=10000`.
    pub fn score(&self, epoch: ChainEpoch) -> u16 {
        let now = self.at(epoch);
        let good = now.good.0 + PRIOR_STAKE;
        let bad = now.faults.0 + now.losses.0 + PRIOR_STAKE;
        // good + bad < 2^93, × 10000 < 2^107: no overflow.
        ((good * MAX_SCORE as u128) / (good + bad)) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CURVES: [&Curve; 2] = [&OUTCOME_CURVE, &LOSS_CURVE];

    #[test]
    fn decay_factors_are_the_exact_curve() {
        for curve in CURVES {
            for (k, c) in curve.factors.iter().enumerate() {
                let exact = 2f64.powf(-((1u64 << k) as f64) / curve.half_life as f64) * 2f64.powi(64);
                assert!((*c as f64 / exact - 1.0).abs() < 1e-12, "factor {k} of {curve:?}");
            }
            assert!(
                curve.half_life >= 1 << (curve.factors.len() - 1),
                "no unused factor"
            );
        }
    }

    #[test]
    fn decay_halves_every_half_life() {
        let x = 1u128 << 80;
        for curve in CURVES {
            let h = curve.half_life;
            assert_eq!(decay(x, 0, curve), x);
            assert_eq!(decay(x, h, curve), x >> 1);
            assert_eq!(decay(x, 3 * h, curve), x >> 3);
            assert_eq!(decay(x, 200 * h, curve), 0);
            let mid = decay(x, h / 2, curve) as f64 / x as f64;
            assert!((mid - 0.5f64.sqrt()).abs() < 1e-9, "{mid}");
        }
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
            e.score(OUTCOME_HALF_LIFE_EPOCHS),
            6666,
            "one half-life later the success weighs P"
        );
        let e = Evidence::default().add(0, Effect::Fault, 2 * p);
        assert_eq!(e.score(2 * OUTCOME_HALF_LIFE_EPOCHS), 4000); // P / (P + P + P/2)
        let e = Evidence::default().add(0, Effect::Loss, 2 * p);
        assert_eq!(e.score(LOSS_HALF_LIFE_EPOCHS), 3333); // P / (P + P + P)
        assert_eq!(e.score(2 * LOSS_HALF_LIFE_EPOCHS), 4000); // P / (P + P + P/2)
    }

    #[test]
    fn stake_saturates_at_the_cap() {
        let e = Evidence::default()
            .add(0, Effect::Success, STAKE_CAP)
            .add(0, Effect::Success, STAKE_CAP);
        assert_eq!(e.good.0, STAKE_CAP);
        assert_eq!(e.score(0), 9999);
        let e = e.add(0, Effect::Loss, u128::MAX);
        assert_eq!(e.losses.0, STAKE_CAP);
        assert_eq!(e.score(0), NEUTRAL_SCORE);
        let e = e.add(0, Effect::Fault, u128::MAX);
        assert_eq!(e.faults.0, STAKE_CAP);
        assert_eq!(e.score(0), 3333);
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
        e = e.add(0, Effect::Loss, 2 * big * year);
        // …against a thousand completed 2 KiB × 1 year deals.
        for _ in 0..1000 {
            e = e.add(0, Effect::Success, 2048 * year);
        }
        assert!(e.score(0) < 2_000, "{}", e.score(0));
    }

    /// The README's table of what the score says for a few histories. The expected values were
    /// computed apart from this code (exact arithmetic: `(g + P) / (g + f + l + 2P)` with
    /// `2^(−t/H)` decay), so the table, the formula and the integer code agree.
    #[test]
    fn the_readme_histories() {
        const DAY: i64 = 2880;
        const MONTH: i64 = 30 * DAY;
        let sector = 32u128 << 30;
        let completed =
            |days: i64| Evidence::default().add(0, Effect::Success, sector * (days * DAY) as u128);
        // New provider.
        assert_eq!(Evidence::default().score(0), 5000);
        // One 32 GiB sector kept for 180 days, at its release and 6 and 12 months later.
        assert_eq!(completed(180).score(0), 6666);
        assert_eq!(completed(180).score(6 * MONTH), 6000);
        assert_eq!(completed(180).score(12 * MONTH), 5555);
        // One 32 GiB sector kept for 540 days.
        assert_eq!(completed(540).score(0), 8000);
        // One 32 GiB × 180-day lock slashed, then N months of silence.
        let slashed = Evidence::default().add(0, Effect::Loss, 2 * sector * (180 * DAY) as u128);
        let after: Vec<u16> = [0, 1, 6, 12, 24]
            .iter()
            .map(|m| slashed.score(m * MONTH))
            .collect();
        assert_eq!(after, [2500, 2548, 2787, 3067, 3579]);
        // The same slash after a completed 540-day sector of the same size.
        let both = completed(540).add(0, Effect::Loss, 2 * sector * (180 * DAY) as u128);
        assert_eq!([both.score(0), both.score(12 * MONTH)], [5714, 4364]);
        // A missed proof (fault) on that sector.
        let fault = Evidence::default().add(0, Effect::Fault, sector * (180 * DAY) as u128 / 4);
        assert_eq!(fault.score(0), 4444);
        // Self-dealt 2 KiB completions, each locked for the longest lock (3 years).
        let tiny = 2048 * 3 * 1_051_200u128;
        let many = |n: u128| Evidence::default().add(0, Effect::Success, n * tiny);
        assert_eq!(many(1_000).score(0), 5000);
        assert_eq!(many(100_000).score(0), 5089);
        assert_eq!(many(1_000_000).score(0), 5767);
    }

    fn effect() -> impl Strategy<Value = Effect> {
        prop_oneof![
            Just(Effect::Neutral),
            Just(Effect::Success),
            Just(Effect::Fault),
            Just(Effect::Loss)
        ]
    }

    fn failure() -> impl Strategy<Value = Effect> {
        prop_oneof![Just(Effect::Fault), Just(Effect::Loss)]
    }

    /// Log-uniform stakes from 1 to 2^95: below, around and far above the prior, and past the cap.
    fn stake() -> impl Strategy<Value = u128> {
        (0u32..96).prop_flat_map(|bits| 0u128..=(1u128 << bits))
    }

    fn history() -> impl Strategy<Value = Vec<(ChainEpoch, Effect, u128)>> {
        prop::collection::vec((0i64..600_000, effect(), stake()), 0..40)
    }

    fn one_sided(
        effects: impl Strategy<Value = Effect>,
    ) -> impl Strategy<Value = Vec<(ChainEpoch, Effect, u128)>> {
        prop::collection::vec((0i64..600_000, effects, stake()), 0..40)
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
        fn a_success_never_lowers_and_a_failure_never_raises(h in history(), dt in 0i64..2_000_000, w in stake(), bad in failure()) {
            let (e, t) = replay(&h);
            let now = t + dt;
            let before = e.score(now);
            prop_assert!(e.add(now, Effect::Success, w).score(now) >= before);
            prop_assert!(e.add(now, bad, w).score(now) <= before);
            prop_assert_eq!(e.add(now, Effect::Neutral, w).score(now), before);
        }

        #[test]
        fn nor_does_it_later(h in history(), dt in 0i64..2_000_000, later in 0i64..8_000_000, w in stake(), bad in failure()) {
            // Decay is multiplicative: an outcome's effect keeps its sign as time passes
            // (rounding may move a score by one point).
            let (e, t) = replay(&h);
            let (now, then) = (t + dt, t + dt + later);
            let base = e.score(then) as i32;
            prop_assert!(e.add(now, Effect::Success, w).score(then) as i32 >= base - 1);
            prop_assert!(e.add(now, bad, w).score(then) as i32 <= base + 1);
        }

        #[test]
        fn touching_a_record_does_not_change_its_future(h in history(), a in 0i64..4_000_000, b in 0i64..4_000_000) {
            let (e, t) = replay(&h);
            let touched = e.add(t + a, Effect::Neutral, 0);
            let diff = touched.score(t + a + b) as i32 - e.score(t + a + b) as i32;
            prop_assert!(diff.abs() <= 1, "{}", diff);
        }

        #[test]
        fn decay_is_multiplicative(x in 0u128..(1u128 << 90), a in 0i64..12_000_000, b in 0i64..12_000_000, loss in any::<bool>()) {
            let curve = if loss { &LOSS_CURVE } else { &OUTCOME_CURVE };
            let stepwise = decay(decay(x, a, curve), b, curve) as i128;
            let direct = decay(x, a + b, curve) as i128;
            let tolerance = (x >> 58) as i128 + 50;
            prop_assert!((stepwise - direct).abs() <= tolerance, "{} vs {}", stepwise, direct);
        }

        #[test]
        fn idle_time_moves_a_one_sided_record_toward_neutral(good in one_sided(Just(Effect::Success)), bad in one_sided(failure()), a in 0i64..4_000_000, b in 0i64..4_000_000) {
            let (near, far) = (a.min(b), a.max(b));
            let (e, t) = replay(&good);
            prop_assert!(e.score(t + far) <= e.score(t + near) + 1);
            prop_assert!(e.score(t + far) >= NEUTRAL_SCORE);
            let (e, t) = replay(&bad);
            prop_assert!(e.score(t + far) + 1 >= e.score(t + near));
            prop_assert!(e.score(t + far) <= NEUTRAL_SCORE);
        }

        #[test]
        fn every_history_fades_to_neutral(h in history()) {
            let (e, t) = replay(&h);
            prop_assert_eq!(e.score(t + 128 * LOSS_HALF_LIFE_EPOCHS), NEUTRAL_SCORE);
        }

        #[test]
        fn recent_outcomes_count_more_than_old_ones(w in (1u128 << 40)..(1u128 << 70), gap in 1_000i64..8_000_000, bad in failure()) {
            // Success then failure (failure recent) vs failure then success (success recent).
            let bad_recent = Evidence::default().add(0, Effect::Success, w).add(gap, bad, w);
            let good_recent = Evidence::default().add(0, bad, w).add(gap, Effect::Success, w);
            prop_assert!(good_recent.score(gap) > bad_recent.score(gap));
        }

        #[test]
        fn a_loss_is_remembered_longer_than_a_fault(w in (1u128 << 50)..(1u128 << 70), later in 100_000i64..8_000_000) {
            let fault = Evidence::default().add(0, Effect::Fault, w);
            let loss = Evidence::default().add(0, Effect::Loss, w);
            prop_assert_eq!(fault.score(0), loss.score(0));
            prop_assert!(loss.score(later) <= fault.score(later));
        }

        #[test]
        fn more_stake_moves_the_score_more(h in history(), w1 in stake(), w2 in stake(), bad in failure()) {
            let (e, t) = replay(&h);
            let (small, large) = (w1.min(w2), w1.max(w2));
            prop_assert!(e.add(t, Effect::Success, large).score(t) >= e.add(t, Effect::Success, small).score(t));
            prop_assert!(e.add(t, bad, large).score(t) <= e.add(t, bad, small).score(t));
        }

        #[test]
        fn decay_never_grows_and_is_monotone_up_to_rounding(x in 0u128..(1u128 << 90), a in 0i64..12_000_000, b in 0i64..12_000_000, loss in any::<bool>()) {
            let curve = if loss { &LOSS_CURVE } else { &OUTCOME_CURVE };
            prop_assert!(decay(x, a, curve) <= x);
            prop_assert!(decay(x, a.max(b), curve) <= decay(x, a.min(b), curve) + (x >> 58) + 22);
        }
    }
}
