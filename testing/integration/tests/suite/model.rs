//! Model-based random sequences on the real wasm (issue 21, part 1): a seeded generator of
//! operations over a small population, each run both on the devnet (the real escrow, market,
//! registry, stand-in miners and market) and on a pure model of the escrow and the bounty market
//! (`model/market.rs`) that predicts the exit code, the return and every tracked balance. Any
//! difference fails with the seed and the shortest sequence that still fails (the failing
//! prefix, then shrunk by dropping operations one at a time). After every operation every book
//! is checked (the escrow's, the market's and the registry's checkers, the cross-actor checker,
//! FIL conserved), the escrow's totals are compared with the model's, and so is every bounty,
//! claim and deposit the market stores and the registry's score of every provider.
//!
//! The population: three clients, two watchers, a stranger, four providers (a miner each with a
//! control address, three sectors, deals of the bounties' three pieces and a short one; the
//! first two also hold the escrow's own four deals), and a hostile notify actor
//! (`test-actor-reentrant-notify`) whose mode the sequence changes. The operations: the escrow's
//! locks (sector, deal or both as evidence, valid and invalid), top-ups, fault reports with true
//! and false proofs and stale locations, releases early and on time; the market's posts (valid
//! and breaking each rule), claims (valid, and with every kind of bad deal, caller, collateral
//! or bounty), withdrawals, cancels, reclaims, contributions and sponsor refunds; renewal
//! (terms funded at post and with `FundRenewals`, `ReclaimRenewals`, `RenewClaim` and the DDO
//! renewal, valid and breaking each rule, with advances into the renewal windows); reports and
//! releases aimed at claims' locks, every term's (whose slashes and releases call the market
//! back); epochs advancing; and the operator faulting, recovering and terminating sectors and
//! terminating deals.
//!
//! `MODEL_SEEDS` (default 200) and `MODEL_OPS` (default 50) set the size; `MODEL_SEED_BASE`
//! the first seed; `MODEL_TRACE=1` prints every operation as resolved with the model's
//! outcome; `scripts/soak.sh` runs any number.

use std::collections::BTreeMap;
use std::rc::Rc;

use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::escrow as esc;
use integration_tests::invariants::{self, Books};
use integration_tests::ledger::message_fee;
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{
    bounty as bm, Account, BountyMarketClient, EscrowClient, Harness, Receipt, ReputationClient, Snapshot,
};
use suite_interfaces::bounty::{
    ddo_payload, ddo_renewal_payload, ClaimBountyReturn, PostBountyParams, RenewClaimParams,
    RenewClaimReturn, SponsorRefundReturn, WithdrawCollateralReturn, WithdrawReturn, EVENT_DDO_REFUSED,
    MAX_RENEWALS_PER_CLAIM,
};
use suite_interfaces::escrow::{
    EvidenceParams, FaultProof, LockParams, Policy, ReportFaultReturn, SectorLocation, Totals,
};
use suite_interfaces::reputation::score::{self as registry_score, Effect, NEUTRAL_SCORE};
use test_actor_reentrant_notify as hostile;

use market::{
    BountyModel, MarketModel, FORBIDDEN, ILLEGAL_ARGUMENT, ILLEGAL_STATE, INSUFFICIENT_FUNDS, NOT_FOUND,
};

/// The market's slice of the model.
mod market;

use super::common::{fil, milli};

const FAULT_FEE_BPS: u64 = 1_000;
const REWARD_BPS: u64 = 500;
const COOLDOWN: ChainEpoch = 2_880;
const MAX_LOCK: ChainEpoch = 100_000;
const SECTOR_EXPIRATION: ChainEpoch = 2_000_000;
const DEAL_END: ChainEpoch = 1_000_000;

fn policy() -> Policy {
    Policy {
        reporter_reward_bps: REWARD_BPS,
        fault_fee_bps: FAULT_FEE_BPS,
        fault_cooldown: COOLDOWN,
        min_collateral: milli(1),
        max_lock_duration: MAX_LOCK,
    }
}

/// splitmix64: a seeded generator with no dependency, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    Sector(SectorNumber),
    Deal(usize),
    DealAndSector(usize, SectorNumber),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// No location: the escrow asks the miner.
    Ask,
    Right,
    /// Another deadline: where the sector is not.
    Stale,
    /// (-1, -1): "removed", while the sector is still in the miner's AMT.
    Removed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Deal,
    Faulty,
    Dead,
}

/// One operation. Accounts are indexes into the population; a lock is an index into the locks
/// made so far (modulo their count), or an id nobody made.
#[derive(Debug, Clone, Copy)]
enum Op {
    Lock {
        locker: usize,
        provider: usize,
        evidence: Evidence,
        location: Where,
        beneficiary: usize,
        end_in: ChainEpoch,
        atto: u64,
        hostile: bool,
    },
    TopUp {
        lock: Option<u64>,
        from: usize,
        atto: u64,
    },
    Report {
        lock: Option<u64>,
        from: usize,
        kind: Kind,
        location: Where,
    },
    Release {
        lock: Option<u64>,
        from: usize,
    },
    Advance(ChainEpoch),
    FaultSector(usize, SectorNumber),
    RecoverSector(usize, SectorNumber),
    TerminateSector(usize, SectorNumber),
    TerminateDeal(usize),
    HostileMode(hostile::Mode),
    /// `PostBounty` by an account; every argument but `piece`, `allowed` and `exact_value`
    /// as sent (invalid ones included).
    Post {
        from: usize,
        piece: PieceArg,
        replicas: u64,
        reward: u64,
        collateral: u64,
        min_duration: ChainEpoch,
        expiry_in: ChainEpoch,
        min_reputation: Option<u16>,
        allowed: Allow,
        exact_value: bool,
        /// Renewal terms funded at post (the value is (replicas + renewals) × reward).
        renewals: u64,
    },
    /// `FundRenewals` of `renewals` terms, the exact value or 1 atto more.
    FundRenewals {
        bounty: Option<u64>,
        from: usize,
        renewals: u64,
        exact_value: bool,
    },
    ReclaimRenewals {
        bounty: Option<u64>,
        from: usize,
    },
    /// `RenewClaim` of claim `claim` (modulo the claims made; with `aim`, among the claims
    /// that renew now, when there is one) with a deal of the claim's provider.
    Renew {
        claim: u64,
        aim: bool,
        caller: Caller,
        deal: DealPick,
        location: Where,
        exact_collateral: bool,
    },
    /// The operator has a claim's miner (or the next one) notify the market of a piece in
    /// `sector` whose payload names `[bounty, claim]` (the claim's bounty, or the next id):
    /// a DDO renewal from the miner's deposit. With `aim`, of a claim that renews now.
    DdoRenew {
        claim: u64,
        aim: bool,
        other_miner: bool,
        wrong_bounty: bool,
        sector: SectorNumber,
        piece: DdoPiece,
        short: bool,
    },
    /// An advance to a point of a claim's renewal window (modulo the claims that can still
    /// renew, when one can): resolved to `Advance`.
    ToRenewal {
        claim: u64,
        at: Phase,
    },
    /// `ClaimBounty` for miner `provider`, by its control address or the stranger.
    Claim {
        bounty: Option<u64>,
        provider: usize,
        stranger: bool,
        deal: DealPick,
        location: Where,
        exact_collateral: bool,
    },
    Withdraw {
        provider: usize,
        stranger: bool,
    },
    Cancel {
        bounty: Option<u64>,
        from: usize,
    },
    Reclaim {
        bounty: Option<u64>,
        from: usize,
    },
    Fund {
        bounty: Option<u64>,
        from: usize,
        atto: u64,
    },
    RefundSponsor {
        bounty: Option<u64>,
        from: usize,
    },
    /// A `Report` of the lock of claim `claim` (modulo the claims made).
    ReportClaim {
        claim: u64,
        from: usize,
        kind: Kind,
        location: Where,
    },
    /// A `Release` of the lock of claim `claim`.
    ReleaseClaim {
        claim: u64,
        from: usize,
    },
    /// `DepositCollateral` of `atto` for miner `provider`.
    Deposit {
        provider: usize,
        stranger: bool,
        atto: u64,
    },
    /// `WithdrawCollateral` from miner `provider`'s deposit.
    WithdrawDeposit {
        provider: usize,
        stranger: bool,
        amount: Amount,
    },
    /// The operator has miner `provider` notify the market of one piece activated in `sector`
    /// (DDO), its payload naming `bounty` (or not a bounty id at all).
    Ddo {
        provider: usize,
        bounty: Option<u64>,
        sector: SectorNumber,
        piece: DdoPiece,
        /// Committed for 2,000 epochs only, not until the sector's expiration.
        short: bool,
        payload_ok: bool,
    },
    /// The operator's step on the storage behind claim `claim` (recovering sector 1 of
    /// provider 0 while there is no claim).
    ClaimStorage {
        claim: u64,
        step: Storage,
    },
}

/// Where in a claim's renewal window [vest_end − min_duration/4, vest_end + min_duration] an
/// advance lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The window's first epoch: an early renewal, the term's lock still open.
    Lead,
    /// The term's last epoch.
    BeforeEnd,
    /// The term's end: its lock releases.
    End,
    Middle,
    /// The window's last epoch.
    Last,
    /// One past the window.
    TooLate,
}

/// Who sends a `RenewClaim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// The claim's provider's control address.
    Own,
    /// The next provider's control address.
    OtherProvider,
    Stranger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amount {
    Zero,
    OneAtto,
    All,
    /// One atto more than is available.
    TooMuch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DdoPiece {
    /// The bounty's piece and size.
    Right,
    /// Another bounty piece.
    Other,
    /// The bounty's piece at twice its size.
    BadSize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    FaultSector,
    TerminateSector,
    TerminateDeal,
}

impl Op {
    /// The market method a market operation calls.
    fn method(&self) -> &'static str {
        match self {
            Op::Post { .. } => "Post",
            Op::Claim { .. } => "Claim",
            Op::Withdraw { .. } => "Withdraw",
            Op::Cancel { .. } => "Cancel",
            Op::Reclaim { .. } => "Reclaim",
            Op::Fund { .. } => "Fund",
            Op::RefundSponsor { .. } => "RefundSponsor",
            Op::Deposit { .. } => "DepositCollateral",
            Op::WithdrawDeposit { .. } => "WithdrawCollateral",
            Op::Ddo { .. } => "SectorContentChanged",
            Op::DdoRenew { .. } => "SectorContentChanged (renewal)",
            Op::FundRenewals { .. } => "FundRenewals",
            Op::ReclaimRenewals { .. } => "ReclaimRenewals",
            Op::Renew { .. } => "RenewClaim",
            _ => "escrow or operator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceArg {
    /// Index into [`PIECES`].
    Piece(usize),
    /// A CID that is not a piece commitment.
    NotCommP,
    /// A size that is not a power of two.
    BadSize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Allow {
    Anyone,
    /// Two distinct providers.
    Two(usize, usize),
    Empty,
    Repeated,
    /// Only the stranger's account: no miner can claim.
    Stranger,
}

/// Which deal a claim names, chosen against the model's state when the claim runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DealPick {
    /// The provider's first deal of the bounty's piece that backs no claim.
    Fresh,
    /// A deal of the provider that already backs a claim (else a fresh one).
    Used,
    /// The provider's deal of another piece.
    WrongPiece,
    /// The provider's short deal (piece 1, ending at [`SHORT_DEAL_END`]).
    Short,
    /// Another provider's fresh deal of the piece.
    OtherMiners,
}

const FIL_ATTO: u64 = 1_000_000_000_000_000_000;
/// Accounts that send: clients 0, 1 and 2, watchers 3 and 4, the stranger 5.
const SENDERS: usize = 6;
const CLIENTS: [usize; 3] = [0, 1, 2];
const WATCHERS: [usize; 2] = [3, 4];
const STRANGER: usize = 5;
/// In a cancel or reclaim: the bounty's client; in a sponsor's refund: its first sponsor (the
/// stranger when there is none).
const PARTY: usize = usize::MAX;
/// In a contribution, cancel or reclaim of the sponsors' group: the bounty sponsors funded
/// last (see `Model::sponsored`).
const SPONSORED: u64 = u64::MAX;
/// In a claim: the last bounty with renewal terms funded that some provider can claim now,
/// claimed by the first such provider from the one named (see `Model::resolve`).
const RENEWABLE: u64 = u64::MAX - 1;
/// In a `FundRenewals`: the bounty of the last claim made that is not slashed.
const CLAIMED: u64 = u64::MAX - 2;
const PROVIDERS: usize = 4;
const SECTORS: [SectorNumber; 3] = [1, 2, 3];
/// The bounties' pieces (CommP seeds); the escrow's own deals store pieces 10 to 13.
const PIECES: [u8; 3] = [1, 2, 3];
const PIECE_SIZE: u64 = 2048;
/// The end of each provider's short deal (of piece 1, in sector 3).
const SHORT_DEAL_END: ChainEpoch = 30_000;

/// A deal of the base state: whose, in which sector, storing which piece, until when.
#[derive(Debug, Clone, Copy)]
struct DealInfo {
    provider: usize,
    sector: SectorNumber,
    seed: u8,
    end: ChainEpoch,
}

/// Every deal of the base state. 0–3: the escrow's (deal i of provider i / 2, in sector
/// 1 + i % 2, pieces 10–13); then, for each provider and piece, two deals storing it (in
/// sectors 1–3, [`COPIES`] of each: a claim and its renewals need fresh ones); then each
/// provider's short deal of piece 1.
fn deal_table() -> Vec<DealInfo> {
    let mut deals: Vec<DealInfo> = (0..4)
        .map(|d| DealInfo {
            provider: d / 2,
            sector: 1 + (d % 2) as SectorNumber,
            seed: 10 + d as u8,
            end: DEAL_END,
        })
        .collect();
    for provider in 0..PROVIDERS {
        for (k, seed) in PIECES.iter().enumerate() {
            for copy in 0..COPIES {
                deals.push(DealInfo {
                    provider,
                    sector: 1 + ((k + copy) % 3) as SectorNumber,
                    seed: *seed,
                    end: DEAL_END,
                });
            }
        }
    }
    for provider in 0..PROVIDERS {
        deals.push(DealInfo {
            provider,
            sector: 3,
            seed: PIECES[0],
            end: SHORT_DEAL_END,
        });
    }
    deals
}

/// Deals of each bounty piece per provider.
const COPIES: usize = 3;
const DEALS: usize = 4 + PROVIDERS * PIECES.len() * COPIES + PROVIDERS;

fn generate(rng: &mut Rng, ops: usize) -> Vec<Op> {
    let lock_ref = |rng: &mut Rng| (rng.below(12) != 0).then(|| rng.below(1_000));
    let mut sequence = Vec::with_capacity(ops + 6);
    // A third of the sequences open with a bounty funding renewals and a claim of it, so that
    // renewal windows come within 50 operations.
    if rng.below(3) == 0 {
        sequence.push(Op::Post {
            from: rng.pick(&CLIENTS),
            piece: PieceArg::Piece(rng.below(PIECES.len() as u64) as usize),
            replicas: rng.pick(&[1, 2]),
            reward: rng.pick(&[FIL_ATTO, 2 * FIL_ATTO + 1, 1_001]),
            collateral: FIL_ATTO,
            min_duration: rng.pick(&[1_000, 4_000, 4_000, 4_000]),
            expiry_in: 10_000,
            min_reputation: None,
            allowed: Allow::Anyone,
            exact_value: true,
            renewals: rng.pick(&[1, 2, 3]),
        });
        sequence.push(Op::Claim {
            bounty: Some(RENEWABLE),
            provider: rng.below(PROVIDERS as u64) as usize,
            stranger: false,
            deal: DealPick::Fresh,
            location: Where::Right,
            exact_collateral: true,
        });
    }
    while sequence.len() < ops {
        let op = match rng.below(100) {
            // A sequence opens with bounties more often than not.
            _ if sequence.len() < 4 && rng.below(2) == 0 => post_op(rng),
            0..=54 => market_op(rng),
            _ => escrow_op(rng, lock_ref),
        };
        sequence.push(op);
        // An advance into a renewal window is followed by a renewal three times in four.
        if matches!(op, Op::ToRenewal { .. }) && rng.below(4) != 0 {
            // One in four by DDO, from the miner's deposit (topped up first two times in three).
            let ddo = rng.below(4) == 0;
            if ddo && rng.below(3) != 0 {
                sequence.push(Op::Deposit {
                    provider: PARTY,
                    stranger: false,
                    atto: 3 * FIL_ATTO,
                });
            }
            sequence.push(match ddo {
                true => Op::DdoRenew {
                    claim: rng.below(1_000),
                    aim: true,
                    other_miner: rng.below(12) == 0,
                    wrong_bounty: rng.below(12) == 0,
                    sector: rng.pick(&SECTORS),
                    piece: match rng.below(10) {
                        0 => DdoPiece::Other,
                        1 => DdoPiece::BadSize,
                        _ => DdoPiece::Right,
                    },
                    short: rng.below(8) == 0,
                },
                false => renew_op(rng, true),
            });
            // A third of those: the storage of a renewed claim fails (an earlier term's or
            // the current one's) and a watcher reports it.
            if rng.below(3) == 0 {
                let claim = 4 * rng.below(250) + 2 * rng.below(2);
                sequence.push(Op::ClaimStorage {
                    claim,
                    step: rng.pick(&[
                        Storage::FaultSector,
                        Storage::TerminateSector,
                        Storage::TerminateDeal,
                    ]),
                });
                let report = Op::ReportClaim {
                    claim: rng.below(1_000),
                    from: rng.pick(&WATCHERS),
                    kind: rng.pick(&[Kind::Deal, Kind::Faulty, Kind::Dead]),
                    location: Where::Right,
                };
                sequence.push(report);
                // Half of the time the report comes again: within the fault
                // cooldown (34) after a fee, or a lock already slashed (20).
                if rng.below(2) == 0 {
                    sequence.push(report);
                }
            }
        }
    }
    sequence.truncate(ops);
    sequence
}

/// A `RenewClaim`: by the claim's provider mostly, with a fresh deal of the piece mostly.
fn renew_op(rng: &mut Rng, aim: bool) -> Op {
    Op::Renew {
        claim: rng.below(1_000),
        aim,
        caller: match rng.below(12) {
            0 => Caller::Stranger,
            1 => Caller::OtherProvider,
            _ => Caller::Own,
        },
        deal: match rng.below(14) {
            0 => DealPick::Used,
            1 => DealPick::WrongPiece,
            2 => DealPick::Short,
            3 => DealPick::OtherMiners,
            _ => DealPick::Fresh,
        },
        location: rng.pick(&[Where::Ask, Where::Ask, Where::Right, Where::Right, Where::Stale]),
        exact_collateral: rng.below(15) != 0,
    }
}

/// A `PostBounty`: valid, or (a third of the time) breaking one rule.
fn post_op(rng: &mut Rng) -> Op {
    let a = rng.below(PROVIDERS as u64) as usize;
    let mut from = rng.pick(&CLIENTS);
    let mut piece = PieceArg::Piece(rng.below(PIECES.len() as u64) as usize);
    let mut replicas = rng.pick(&[1, 2, 2, 3, 4]);
    let mut collateral = rng.pick(&[1_000_000_000_000_000, FIL_ATTO, FIL_ATTO]);
    let mut min_duration = rng.pick(&[1_000, 1_000, 4_000, 20_000, MAX_LOCK]);
    let mut expiry_in = rng.pick(&[1_500, 3_000, 5_000, 10_000, MAX_LOCK]);
    let mut min_reputation = rng.pick(&[
        None,
        None,
        None,
        None,
        None,
        None,
        Some(4_900),
        Some(5_000),
        Some(5_001),
        Some(9_500),
    ]);
    let mut allowed = match rng.below(10) {
        0 => Allow::Stranger,
        1..=2 => Allow::Two(a, (a + 1 + rng.below(3) as usize) % PROVIDERS),
        _ => Allow::Anyone,
    };
    let mut exact_value = true;
    // Three posts in five fund renewal terms.
    let mut renewals = rng.pick(&[0, 0, 1, 2, 3]);
    // A third of the posts break one rule.
    if rng.below(3) == 0 {
        match rng.below(11) {
            // One more than replicas × MAX_RENEWALS_PER_CLAIM.
            10 => renewals = replicas * MAX_RENEWALS_PER_CLAIM + 1,
            0 => piece = PieceArg::NotCommP,
            1 => piece = PieceArg::BadSize,
            2 => replicas = rng.pick(&[0, 5]),
            3 => collateral = 1,
            4 => min_duration = rng.pick(&[999, MAX_LOCK + 1]),
            5 => expiry_in = rng.pick(&[0, MAX_LOCK + 1]),
            6 => min_reputation = Some(10_001),
            7 => allowed = rng.pick(&[Allow::Empty, Allow::Repeated]),
            8 => exact_value = false,
            // Anyone may post, the stranger too.
            _ => from = STRANGER,
        }
    }
    Op::Post {
        from,
        piece,
        replicas,
        reward: rng.pick(&[FIL_ATTO, 2 * FIL_ATTO + 1, 1_001]),
        collateral,
        min_duration,
        expiry_in,
        min_reputation,
        allowed,
        exact_value,
        renewals,
    }
}

/// A market operation: posts, claims, withdrawals, cancels, reclaims, contributions and
/// sponsor refunds, valid and invalid.
fn market_op(rng: &mut Rng) -> Op {
    let bounty_ref = |rng: &mut Rng| (rng.below(15) != 0).then(|| rng.below(1_000));
    match rng.below(108) {
        88..=94 => {
            let aim = rng.below(5) != 0;
            renew_op(rng, aim)
        }
        95..=97 => Op::FundRenewals {
            // Half for a bounty someone claimed: its claims may renew.
            bounty: if rng.below(2) == 0 {
                Some(CLAIMED)
            } else {
                bounty_ref(rng)
            },
            from: rng.pick(&[PARTY, PARTY, PARTY, PARTY, 0, STRANGER]),
            renewals: rng.pick(&[1, 1, 2, 0, 9]),
            exact_value: rng.below(10) != 0,
        },
        100..=107 => Op::ToRenewal {
            claim: rng.below(1_000),
            at: rng.pick(&[
                Phase::Lead,
                Phase::Lead,
                Phase::BeforeEnd,
                Phase::End,
                Phase::End,
                Phase::Middle,
                Phase::Last,
                Phase::TooLate,
            ]),
        },
        98..=99 => Op::ReclaimRenewals {
            bounty: bounty_ref(rng),
            from: rng.pick(&[PARTY, PARTY, PARTY, STRANGER]),
        },
        82..=83 => Op::Cancel {
            bounty: Some(SPONSORED),
            from: PARTY,
        },
        84..=87 => Op::RefundSponsor {
            bounty: bounty_ref(rng),
            from: PARTY,
        },
        // The client's reclaim after its sponsors' refunds: the pro-rata dust.
        78..=81 => Op::Reclaim {
            bounty: Some(SPONSORED),
            from: PARTY,
        },
        72..=74 => Op::ReportClaim {
            claim: rng.below(1_000),
            from: rng.pick(&[WATCHERS[0], WATCHERS[1], STRANGER]),
            kind: rng.pick(&[Kind::Deal, Kind::Faulty, Kind::Dead]),
            location: rng.pick(&[Where::Right, Where::Right, Where::Stale]),
        },
        75..=77 => Op::ClaimStorage {
            claim: rng.below(1_000),
            step: rng.pick(&[Storage::TerminateSector, Storage::TerminateDeal]),
        },
        // Sponsors: contributions, a cancel by the client, their refunds.
        64..=66 => Op::Fund {
            bounty: if rng.below(2) == 0 {
                Some(SPONSORED)
            } else {
                bounty_ref(rng)
            },
            from: rng.below(SENDERS as u64) as usize,
            atto: rng.pick(&[FIL_ATTO, 3 * FIL_ATTO + 7, 1]),
        },
        67 => Op::Cancel {
            bounty: Some(SPONSORED),
            from: PARTY,
        },
        68..=71 => Op::RefundSponsor {
            bounty: bounty_ref(rng),
            from: PARTY,
        },
        0..=8 => post_op(rng),
        9..=24 => Op::Claim {
            // Half aimed at a bounty that takes the claim (one with renewals first), so that
            // claims renew.
            bounty: if rng.below(2) == 0 {
                Some(RENEWABLE)
            } else {
                bounty_ref(rng)
            },
            provider: rng.below(PROVIDERS as u64) as usize,
            stranger: rng.below(15) == 0,
            deal: match rng.below(16) {
                0 => DealPick::Used,
                1 => DealPick::WrongPiece,
                2 => DealPick::Short,
                3 => DealPick::OtherMiners,
                _ => DealPick::Fresh,
            },
            location: rng.pick(&[Where::Ask, Where::Ask, Where::Right, Where::Right, Where::Stale]),
            exact_collateral: rng.below(15) != 0,
        },
        25..=30 => Op::Withdraw {
            provider: rng.below(PROVIDERS as u64) as usize,
            stranger: rng.below(10) == 0,
        },
        31..=32 => Op::Cancel {
            bounty: bounty_ref(rng),
            from: rng.pick(&[PARTY, PARTY, PARTY, 0, 1, STRANGER]),
        },
        33..=35 => Op::Reclaim {
            bounty: bounty_ref(rng),
            from: rng.pick(&[PARTY, PARTY, PARTY, 0, 1, STRANGER]),
        },
        36..=38 => Op::Fund {
            bounty: bounty_ref(rng),
            from: rng.below(SENDERS as u64) as usize,
            atto: rng.pick(&[0, 1, FIL_ATTO, 3 * FIL_ATTO + 7]),
        },
        39..=40 => Op::RefundSponsor {
            bounty: bounty_ref(rng),
            from: rng.pick(&[PARTY, PARTY, PARTY, 0, 3, STRANGER]),
        },
        // The escrow's reports and releases aimed at claims' locks (the generic ones pick
        // among every lock, most of them the escrow's own).
        41..=44 => Op::ReportClaim {
            claim: rng.below(1_000),
            from: rng.pick(&[WATCHERS[0], WATCHERS[1], STRANGER]),
            kind: rng.pick(&[Kind::Deal, Kind::Faulty, Kind::Dead]),
            location: rng.pick(&[Where::Right, Where::Right, Where::Stale]),
        },
        45..=46 => Op::ReleaseClaim {
            claim: rng.below(1_000),
            from: rng.below(SENDERS as u64) as usize,
        },
        47..=50 => Op::ClaimStorage {
            claim: rng.below(1_000),
            step: rng.pick(&[
                Storage::FaultSector,
                Storage::FaultSector,
                Storage::TerminateSector,
                Storage::TerminateDeal,
            ]),
        },
        51..=55 => Op::Advance(rng.pick(&[1_000, 3_000, 5_000])),
        56..=58 => Op::Deposit {
            provider: rng.below(PROVIDERS as u64) as usize,
            stranger: rng.below(10) == 0,
            atto: rng.pick(&[0, FIL_ATTO, 3 * FIL_ATTO]),
        },
        59..=60 => Op::WithdrawDeposit {
            provider: rng.below(PROVIDERS as u64) as usize,
            stranger: rng.below(10) == 0,
            amount: rng.pick(&[Amount::Zero, Amount::OneAtto, Amount::All, Amount::TooMuch]),
        },
        _ => Op::Ddo {
            provider: rng.below(PROVIDERS as u64) as usize,
            // A third aimed at a bounty the notifying miner can claim from its deposit.
            bounty: if rng.below(3) == 0 {
                Some(RENEWABLE)
            } else {
                bounty_ref(rng)
            },
            sector: rng.pick(&SECTORS),
            piece: match rng.below(10) {
                0 => DdoPiece::Other,
                1 => DdoPiece::BadSize,
                _ => DdoPiece::Right,
            },
            short: rng.below(8) == 0,
            payload_ok: rng.below(12) != 0,
        },
    }
}

/// An escrow operation or an operator's step (the escrow's slice, whose reports and releases
/// also reach the market's claims).
fn escrow_op(rng: &mut Rng, lock_ref: impl Fn(&mut Rng) -> Option<u64>) -> Op {
    {
        match rng.below(100) {
            0..=24 => {
                let provider = rng.below(2) as usize;
                let hostile = rng.below(4) == 0;
                let sector = rng.pick(&SECTORS);
                let deal = provider * 2 + rng.below(2) as usize;
                // Another provider's deal now and then.
                let deal = if rng.below(10) == 0 { (deal + 2) % 4 } else { deal };
                let evidence = match (hostile, rng.below(3)) {
                    (true, _) | (_, 0) => Evidence::Sector(sector),
                    (_, 1) => Evidence::Deal(deal),
                    _ => Evidence::DealAndSector(
                        deal,
                        if rng.below(3) == 0 {
                            sector
                        } else {
                            deal_sector(deal)
                        },
                    ),
                };
                Op::Lock {
                    locker: rng.pick(&[0, 1, STRANGER]),
                    provider,
                    evidence,
                    location: rng.pick(&[Where::Ask, Where::Ask, Where::Right, Where::Stale]),
                    beneficiary: rng.below(2) as usize,
                    end_in: rng.pick(&[0, 1, 500, 3_000, 6_000, MAX_LOCK, MAX_LOCK + 1]),
                    atto: rng.pick(&[0, 1, FIL_ATTO, 5 * FIL_ATTO, 7 * FIL_ATTO + 3]),
                    hostile,
                }
            }
            25..=31 => Op::TopUp {
                lock: lock_ref(rng),
                from: rng.below(SENDERS as u64) as usize,
                atto: rng.pick(&[0, FIL_ATTO, 3]),
            },
            32..=56 => Op::Report {
                lock: lock_ref(rng),
                from: rng.pick(&[WATCHERS[0], WATCHERS[1], STRANGER]),
                kind: rng.pick(&[Kind::Deal, Kind::Faulty, Kind::Faulty, Kind::Dead]),
                location: rng.pick(&[
                    Where::Right,
                    Where::Right,
                    Where::Right,
                    Where::Stale,
                    Where::Removed,
                ]),
            },
            57..=66 => Op::Release {
                lock: lock_ref(rng),
                from: rng.below(SENDERS as u64) as usize,
            },
            67..=79 => Op::Advance(rng.pick(&[1, 100, 1_000, 2_880, 3_000])),
            80..=87 => Op::FaultSector(rng.below(PROVIDERS as u64) as usize, rng.pick(&SECTORS)),
            88..=91 => Op::RecoverSector(rng.below(PROVIDERS as u64) as usize, rng.pick(&SECTORS)),
            92..=94 => Op::TerminateSector(rng.below(PROVIDERS as u64) as usize, rng.pick(&SECTORS)),
            95..=97 => Op::TerminateDeal(rng.below(DEALS as u64) as usize),
            _ => Op::HostileMode(rng.pick(&[
                hostile::Mode::Record,
                hostile::Mode::ReenterReport,
                hostile::Mode::ReenterRelease,
                hostile::Mode::ReenterBoth,
                hostile::Mode::Abort,
                hostile::Mode::BurnGas,
            ])),
        }
    }
}

/// Deal `i` (0..4) belongs to provider i / 2 and lives in sector 1 or 2.
fn deal_sector(deal: usize) -> SectorNumber {
    1 + (deal % 2) as SectorNumber
}

/// Sector n of every miner sits at deadline n, partition 0.
fn deadline_of(n: SectorNumber) -> i64 {
    n as i64
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct SectorModel {
    faulty: bool,
    terminated: bool,
}

#[derive(Debug, Clone)]
struct LockModel {
    id: u64,
    provider: usize,
    deal: Option<usize>,
    sector: Option<SectorNumber>,
    beneficiary: ActorID,
    refund_to: ActorID,
    end: ChainEpoch,
    original: u128,
    remaining: u128,
    last_fee: Option<ChainEpoch>,
    open: bool,
    settled_by_slash: bool,
    /// The market's claim whose collateral this is (its callbacks go to the market).
    claim: Option<u64>,
    created: ChainEpoch,
}

/// What the model predicts of one operation: the exit code, the return it can check, and the
/// FIL each account gains (the sender's fee apart).
#[derive(Debug, Default, PartialEq, Eq)]
struct Outcome {
    exit: u32,
    lock_id: Option<u64>,
    report: Option<(u128, u128, u128, u128)>,
    market: Option<MarketReturn>,
    gains: BTreeMap<ActorID, i128>,
}

/// A market method's return, as the model predicts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarketReturn {
    Posted(u64),
    /// Claim id, lock id, reward.
    Claimed(u64, u64, u128),
    /// Paid, to whom.
    Withdrawn(u128, ActorID),
    Reclaimed(u128),
    Refunded(u128, bool),
    /// WithdrawCollateral: paid, to whom, what stays available.
    Collateral(u128, ActorID, u128),
    /// A DDO piece: accepted, or refused with this exit code.
    Ddo(Result<(), u32>),
    /// RenewClaim: claim id, lock id, reward, term start and end.
    Renewed(u64, u64, u128, ChainEpoch, ChainEpoch),
}

/// What a `FundRenewals` sends: renewals × the bounty's reward, or 1 atto more.
fn fund_renewals_value(m: &MarketModel, b: Option<usize>, renewals: u64, exact: bool) -> u128 {
    b.map_or(FIL_ATTO as u128, |b| m.bounties[b].reward_per_replica) * renewals as u128 + u128::from(!exact)
}

struct Model {
    epoch: ChainEpoch,
    next_lock: u64,
    locks: Vec<LockModel>,
    /// (provider, sector) → state.
    sectors: BTreeMap<(usize, SectorNumber), SectorModel>,
    deal_info: Vec<DealInfo>,
    /// deal index → live.
    deals: Vec<bool>,
    totals: TotalsModel,
    market: MarketModel,
    /// The registry's evidence per provider index, and the weight it counted per (subject,
    /// outcome): an outcome counts once per subject, with the largest weight reported.
    evidence: BTreeMap<usize, registry_score::Evidence>,
    counted: BTreeMap<(usize, Subject, u8), u64>,
}

/// What a registry outcome is about: a deal (by index) or a sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Deal(usize),
    Sector(SectorNumber),
}

/// The registry's outcome kinds, as the escrow reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegistryOutcome {
    Completed,
    Fault,
    Slashed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TotalsModel {
    held: u128,
    locked: u128,
    slashed: u128,
    rewards: u128,
    released: u128,
    created: u64,
    open: u64,
}

fn bps(amount: u128, bps: u64) -> u128 {
    amount * bps as u128 / 10_000
}

impl Model {
    /// The base state: no lock, bounty or claim yet, every sector active, every deal live.
    fn new(base: &Base) -> Self {
        Self {
            epoch: base.epoch,
            next_lock: base.first_lock,
            locks: Vec::new(),
            sectors: (0..PROVIDERS)
                .flat_map(|p| SECTORS.map(|n| ((p, n), SectorModel::default())))
                .collect(),
            deal_info: deal_table(),
            deals: vec![true; DEALS],
            totals: TotalsModel::default(),
            market: MarketModel::new(base.first_bounty, base.first_claim),
            evidence: BTreeMap::new(),
            counted: BTreeMap::new(),
        }
    }

    /// The registry's score of provider `p` now.
    fn score(&self, p: usize) -> u16 {
        self.evidence
            .get(&p)
            .map_or(NEUTRAL_SCORE, |e| e.score(self.epoch))
    }

    /// The escrow's report to the registry of lock `i`'s outcome (`outcome_for`): on its
    /// sector for a sector proof, else on its deal, else its sector; weighted by bytes × the
    /// lock's epochs; counted once per subject with the largest weight (`record_outcome`).
    fn record_outcome(&mut self, i: usize, kind: RegistryOutcome, on_sector: bool) {
        let l = &self.locks[i];
        let subject = match (l.deal, l.sector) {
            (_, Some(n)) if on_sector => Subject::Sector(n),
            (Some(d), _) => Subject::Deal(d),
            (None, Some(n)) => Subject::Sector(n),
            (None, None) => return,
        };
        let bytes: u64 = if l.deal.is_some() { PIECE_SIZE } else { 32 << 30 };
        let weight = bytes * (l.end - l.created).max(1) as u64;
        let key = (l.provider, subject, kind as u8);
        let before = self.counted.get(&key).copied().unwrap_or(0);
        let added = weight - before.min(weight);
        if added == 0 {
            return;
        }
        self.counted.insert(key, weight);
        let (effect, stake) = match kind {
            RegistryOutcome::Completed => (Effect::Success, added as u128),
            RegistryOutcome::Fault => (Effect::Fault, added as u128 / 4),
            RegistryOutcome::Slashed => (Effect::Loss, 2 * added as u128),
        };
        let e = self.evidence.entry(l.provider).or_default();
        *e = e.add(self.epoch, effect, stake);
    }

    /// The escrow's checks of a lock, in its order: the deal (live, the provider's), the
    /// sector's location (33 for a place it is not), the sector (active, holding the deal),
    /// the amount and the end.
    fn lock_check(
        &self,
        provider: usize,
        deal: Option<usize>,
        sector: Option<SectorNumber>,
        location: Where,
        end_in: ChainEpoch,
        atto: u128,
    ) -> Result<(), u32> {
        if let Some(d) = deal {
            if !self.deals[d] || self.deal_info[d].provider != provider {
                return Err(16);
            }
        }
        if let Some(n) = sector {
            let s = self.sector(provider, n);
            match location {
                // The miner's 17 for a place the sector is not: the escrow's 33.
                Where::Stale | Where::Removed => return Err(33),
                Where::Ask | Where::Right => {
                    if s.terminated || s.faulty {
                        return Err(16);
                    }
                }
            }
            if let Some(d) = deal {
                if self.deal_info[d].sector != n {
                    return Err(16);
                }
            }
        }
        let end = self.epoch + end_in;
        if atto < 1_000_000_000_000_000 || !(1..=MAX_LOCK).contains(&end_in) {
            return Err(16);
        }
        if deal.is_some_and(|d| end > self.deal_info[d].end) || (sector.is_some() && end > SECTOR_EXPIRATION)
        {
            return Err(16);
        }
        Ok(())
    }

    /// Records a lock the escrow accepted: its id.
    #[allow(clippy::too_many_arguments)]
    fn add_lock(
        &mut self,
        provider: usize,
        deal: Option<usize>,
        sector: Option<SectorNumber>,
        beneficiary: ActorID,
        refund_to: ActorID,
        end: ChainEpoch,
        atto: u128,
        claim: Option<u64>,
    ) -> u64 {
        let id = self.next_lock;
        self.next_lock += 1;
        self.locks.push(LockModel {
            id,
            provider,
            deal,
            sector,
            beneficiary,
            refund_to,
            end,
            original: atto,
            remaining: atto,
            last_fee: None,
            open: true,
            settled_by_slash: false,
            claim,
            created: self.epoch,
        });
        self.totals.held += atto;
        self.totals.locked += atto;
        self.totals.created += 1;
        self.totals.open += 1;
        id
    }

    /// The deal a claim names (the same choice on the devnet and in the model).
    fn claim_deal(&self, provider: usize, bounty: Option<usize>, pick: DealPick) -> usize {
        let seed = PIECES[bounty.map_or(0, |b| self.market.bounties[b].piece)];
        let used = &self.market.used_deals;
        let find = |p: usize, f: &dyn Fn(usize, &DealInfo) -> bool| {
            (4..DEALS).find(|&d| self.deal_info[d].provider == p && f(d, &self.deal_info[d]))
        };
        let fresh = |p: usize| {
            find(p, &|d, i| {
                i.seed == seed && i.end == DEAL_END && !used.contains(&d)
            })
        };
        match pick {
            DealPick::Fresh => fresh(provider),
            DealPick::Used => find(provider, &|d, _| used.contains(&d)).or_else(|| fresh(provider)),
            DealPick::WrongPiece => find(provider, &|_, i| i.seed != seed && i.end == DEAL_END),
            DealPick::Short => find(provider, &|_, i| i.end == SHORT_DEAL_END),
            DealPick::OtherMiners => fresh((provider + 1) % PROVIDERS),
        }
        // Every fresh deal of the piece used: the provider's first market deal.
        .unwrap_or(4 + provider * PIECES.len() * COPIES)
    }

    fn lock_index(&self, r: Option<u64>) -> Option<usize> {
        let r = r?;
        (!self.locks.is_empty()).then(|| (r % self.locks.len() as u64) as usize)
    }

    fn lock_id(&self, r: Option<u64>) -> u64 {
        match self.lock_index(r) {
            Some(i) => self.locks[i].id,
            None => 1_000_000,
        }
    }

    fn sector(&self, p: usize, n: SectorNumber) -> &SectorModel {
        &self.sectors[&(p, n)]
    }

    /// [`SPONSORED`] as the bounty it stands for: the last one sponsors funded (else the last
    /// posted), so that bounties get several sponsors and their pro-rata dust.
    fn sponsored(&self, bounty: Option<u64>) -> Option<u64> {
        if bounty != Some(SPONSORED) {
            return bounty;
        }
        let last_posted = self.market.bounties.len().saturating_sub(1);
        Some(
            self.market
                .contributions
                .keys()
                .last()
                .map_or(last_posted, |(b, _)| *b) as u64,
        )
    }

    /// The bounty an operation names or acts on through a claim's lock, if any.
    fn touched_bounty(&self, op: &Op, w: &Population) -> Option<usize> {
        let claim_of_lock = |lock: Option<u64>| {
            let l = &self.locks[self.lock_index(lock)?];
            let c = l.claim?;
            self.market.claims.iter().find(|m| m.id == c).map(|m| m.bounty)
        };
        match self.resolve(op, w) {
            Op::Claim { bounty, .. }
            | Op::Cancel { bounty, .. }
            | Op::Reclaim { bounty, .. }
            | Op::Fund { bounty, .. }
            | Op::RefundSponsor { bounty, .. }
            | Op::Ddo { bounty, .. }
            | Op::FundRenewals { bounty, .. }
            | Op::ReclaimRenewals { bounty, .. } => self.market.bounty_index(bounty),
            Op::Renew { claim, .. } | Op::DdoRenew { claim, .. } => {
                let claims = &self.market.claims;
                (!claims.is_empty()).then(|| claims[(claim % claims.len() as u64) as usize].bounty)
            }
            Op::Report { lock, .. } | Op::Release { lock, .. } | Op::TopUp { lock, .. } => {
                claim_of_lock(lock)
            }
            Op::Post { .. } => self.market.bounties.len().checked_sub(1),
            _ => None,
        }
    }

    /// A claim-aimed report or release as the escrow operation it is.
    fn resolve(&self, op: &Op, w: &Population) -> Op {
        let account = |id: ActorID| w.ids.iter().position(|a| *a == id).unwrap();
        let party = |bounty: Option<u64>, from: usize, sponsor: bool| {
            if from != PARTY {
                return from;
            }
            let Some(b) = self.market.bounty_index(bounty) else {
                return STRANGER;
            };
            if !sponsor {
                return account(self.market.bounties[b].client);
            }
            self.market
                .contributions
                .keys()
                .find(|(k, _)| *k == b)
                .map_or(STRANGER, |(_, id)| account(*id))
        };
        let lock_of = |claim: u64| {
            let claims = &self.market.claims;
            (!claims.is_empty()).then(|| {
                let id = claims[(claim % claims.len() as u64) as usize].lock_id;
                self.locks.iter().position(|l| l.id == id).unwrap() as u64
            })
        };
        match *op {
            Op::ReportClaim {
                claim,
                from,
                kind,
                location,
            } => {
                // Aimed at a claim whose storage failed, when there is one.
                // A claim's lock whose storage failed; else (one time in two) any lock's.
                let failed_where = |claims_only: bool| -> Vec<u64> {
                    self.locks
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| {
                            (l.claim.is_some() || !claims_only)
                                && l.open
                                && l.sector.is_some_and(|n| {
                                    let s = self.sector(l.provider, n);
                                    s.faulty || s.terminated || l.deal.is_some_and(|d| !self.deals[d])
                                })
                        })
                        .map(|(i, _)| i as u64)
                        .collect()
                };
                let mut failed = failed_where(true);
                if failed.is_empty() && claim % 2 == 0 {
                    failed = failed_where(false);
                }
                if failed.is_empty() {
                    return Op::Report {
                        lock: lock_of(claim),
                        from,
                        kind,
                        location,
                    };
                }
                let i = failed[(claim % failed.len() as u64) as usize];
                let l = &self.locks[i as usize];
                let s = self.sector(l.provider, l.sector.unwrap());
                // Two times in three, the proof of what failed (a sector-only lock has no deal
                // to prove ended: its sector's).
                let kind = match (claim % 3, s.terminated, l.deal.is_none_or(|d| self.deals[d])) {
                    (0, ..) => kind,
                    (_, true, _) => Kind::Dead,
                    (_, false, false) => Kind::Deal,
                    _ => Kind::Faulty,
                };
                Op::Report {
                    lock: Some(i),
                    from,
                    kind,
                    location,
                }
            }
            // A renewed claim's oldest open lock: an earlier term's first.
            Op::ReleaseClaim { claim, from } => Op::Release {
                lock: {
                    let claims = &self.market.claims;
                    (!claims.is_empty()).then(|| {
                        let c = &claims[(claim % claims.len() as u64) as usize];
                        let id = c
                            .locks()
                            .find(|id| self.locks.iter().any(|l| l.id == *id && l.open))
                            .unwrap_or(c.lock_id);
                        self.locks.iter().position(|l| l.id == id).unwrap() as u64
                    })
                },
                from,
            },
            Op::FundRenewals {
                bounty,
                from,
                renewals,
                exact_value,
            } => {
                let bounty = match bounty {
                    Some(CLAIMED) => self
                        .market
                        .claims
                        .iter()
                        .rev()
                        .find(|c| c.status != market::Status::Slashed)
                        .map_or(bounty, |c| Some(c.bounty as u64)),
                    _ => bounty,
                };
                Op::FundRenewals {
                    bounty,
                    from: party(bounty, from, false),
                    renewals,
                    exact_value,
                }
            }
            Op::ReclaimRenewals { bounty, from } => Op::ReclaimRenewals {
                bounty,
                from: party(bounty, from, false),
            },
            // Aimed at a claim that renews now (its miner's deposit holding the collateral
            // first), when one does.
            Op::DdoRenew {
                claim,
                aim,
                other_miner,
                wrong_bounty,
                sector,
                piece,
                short,
            } => {
                let m = &self.market;
                let renewable = |funded: bool| -> Vec<u64> {
                    (0..m.claims.len())
                        .filter(|&k| m.check_renewable(k, self.epoch).is_ok())
                        .filter(|&k| {
                            let c = &m.claims[k];
                            !funded
                                || m.deposits
                                    .get(&c.provider)
                                    .is_some_and(|d| d.0 >= m.bounties[c.bounty].collateral)
                        })
                        .map(|k| k as u64)
                        .collect()
                };
                let funded = renewable(true);
                let renewable = if funded.is_empty() {
                    renewable(false)
                } else {
                    funded
                };
                let claim = match (aim, renewable.is_empty()) {
                    (true, false) => renewable[(claim % renewable.len() as u64) as usize],
                    _ => claim,
                };
                Op::DdoRenew {
                    claim,
                    aim: false,
                    other_miner,
                    wrong_bounty,
                    sector,
                    piece,
                    short,
                }
            }
            // Aimed at a claim that renews now, when one does.
            Op::Renew {
                claim,
                aim,
                caller,
                deal,
                location,
                exact_collateral,
            } => {
                let renewable: Vec<u64> = (0..self.market.claims.len())
                    .filter(|&k| self.market.check_renewable(k, self.epoch).is_ok())
                    .map(|k| k as u64)
                    .collect();
                let claim = match (aim, renewable.is_empty()) {
                    (true, false) => renewable[(claim % renewable.len() as u64) as usize],
                    _ => claim,
                };
                Op::Renew {
                    claim,
                    aim: false,
                    caller,
                    deal,
                    location,
                    exact_collateral,
                }
            }
            Op::Cancel { bounty, from } => {
                let bounty = self.sponsored(bounty);
                Op::Cancel {
                    bounty,
                    from: party(bounty, from, false),
                }
            }
            Op::Reclaim { bounty, from } => {
                let bounty = self.sponsored(bounty);
                Op::Reclaim {
                    bounty,
                    from: party(bounty, from, false),
                }
            }
            Op::Fund { bounty, from, atto } => Op::Fund {
                bounty: self.sponsored(bounty),
                from,
                atto,
            },
            // A notification comes from a provider that has deposited, when one has, half of
            // the time.
            Op::Ddo {
                provider,
                bounty,
                sector,
                piece,
                short,
                payload_ok,
            } if sector != 3 => {
                let m = &self.market;
                let provider = m
                    .deposits
                    .iter()
                    .find(|(_, d)| d.0 > 0)
                    .map_or(provider, |(p, _)| *p);
                let bounty = match bounty {
                    Some(RENEWABLE) => (0..m.bounties.len())
                        .rev()
                        .find(|&b| {
                            let bounty = &m.bounties[b];
                            m.check_claimable(b, w.miners[provider], self.epoch).is_ok()
                                && bounty.min_reputation.is_none_or(|r| self.score(provider) >= r)
                                && m.deposits
                                    .get(&provider)
                                    .is_some_and(|d| d.0 >= bounty.collateral)
                        })
                        .map_or(bounty, |b| Some(b as u64)),
                    _ => bounty,
                };
                Op::Ddo {
                    provider,
                    bounty,
                    sector,
                    piece,
                    short,
                    payload_ok,
                }
            }
            // [`PARTY`]'s deposit: the miner of the first claim that renews now (else miner 0).
            Op::Deposit {
                provider: PARTY,
                stranger,
                atto,
            } => Op::Deposit {
                provider: (0..self.market.claims.len())
                    .find(|&k| self.market.check_renewable(k, self.epoch).is_ok())
                    .map_or(0, |k| self.market.claims[k].provider),
                stranger,
                atto,
            },
            // A sponsor's own refund is aimed at a bounty that has sponsors, when one has.
            Op::RefundSponsor { bounty, from } if from == PARTY => {
                // Unsettled sponsors of bounties that refund now first.
                let open: Vec<&(usize, ActorID)> = self
                    .market
                    .contributions
                    .iter()
                    .filter(|((b, _), c)| {
                        let b = &self.market.bounties[*b];
                        !c.settled && (b.cancelled || self.epoch >= b.expiry)
                    })
                    .map(|(k, _)| k)
                    .collect();
                let keys: Vec<&(usize, ActorID)> = if open.is_empty() {
                    self.market.contributions.keys().collect()
                } else {
                    open
                };
                match (bounty, keys.is_empty()) {
                    (Some(r), false) => {
                        let (b, sponsor) = *keys[(r % keys.len() as u64) as usize];
                        Op::RefundSponsor {
                            bounty: Some(b as u64),
                            from: account(sponsor),
                        }
                    }
                    _ => Op::RefundSponsor {
                        bounty,
                        from: party(bounty, from, true),
                    },
                }
            }
            Op::Claim {
                bounty: Some(RENEWABLE),
                provider,
                stranger,
                deal,
                location,
                exact_collateral,
            } => {
                let m = &self.market;
                let claimable = |b: usize, p: usize| {
                    m.check_claimable(b, w.miners[p], self.epoch).is_ok()
                        && m.bounties[b].min_reputation.is_none_or(|r| self.score(p) >= r)
                };
                let find = |funded: bool| {
                    (0..m.bounties.len()).rev().find_map(|b| {
                        (!funded || m.bounties[b].renewals_left > 0)
                            .then(|| {
                                (0..PROVIDERS)
                                    .map(|k| (provider + k) % PROVIDERS)
                                    .find(|&p| claimable(b, p))
                            })
                            .flatten()
                            .map(|p| (b, p))
                    })
                };
                // A bounty with renewals funded first, else any (its client may fund later).
                let found = find(true).or_else(|| find(false));
                let (bounty, provider) =
                    found.map_or((Some(RENEWABLE), provider), |(b, p)| (Some(b as u64), p));
                Op::Claim {
                    bounty,
                    provider,
                    stranger,
                    deal,
                    location,
                    exact_collateral,
                }
            }
            Op::ToRenewal { claim, at } => {
                let m = &self.market;
                let target = |c: &market::ClaimModel| {
                    let md = m.bounties[c.bounty].min_duration;
                    match at {
                        Phase::Lead => c.vest_end - md / 4,
                        Phase::BeforeEnd => c.vest_end - 1,
                        Phase::End => c.vest_end,
                        Phase::Middle => c.vest_end + md / 2,
                        Phase::Last => c.vest_end + md,
                        Phase::TooLate => c.vest_end + md + 1,
                    }
                };
                // Claims that may renew there: not slashed, their bounty open (and funded, when
                // one is), at most 25,000 epochs on (further jumps would expire every bounty).
                let ahead = |funded: bool| -> Vec<ChainEpoch> {
                    m.claims
                        .iter()
                        .filter(|c| {
                            let b = &m.bounties[c.bounty];
                            c.status != market::Status::Slashed
                                && !b.cancelled
                                && (!funded || b.renewals_left > 0)
                        })
                        .map(target)
                        .filter(|t| *t > self.epoch && *t - self.epoch <= 25_000)
                        .collect()
                };
                let funded = ahead(true);
                let ahead = if funded.is_empty() { ahead(false) } else { funded };
                match ahead.is_empty() {
                    true => Op::Advance(1),
                    false => Op::Advance(ahead[(claim % ahead.len() as u64) as usize] - self.epoch),
                }
            }
            Op::ClaimStorage { claim, step } => {
                let claims = &self.market.claims;
                if claims.is_empty() {
                    return Op::RecoverSector(0, 1);
                }
                // Half of the time a renewed claim that is still active, when there is one, at
                // its current term's storage or (one time in two) an earlier term's.
                let renewed: Vec<&market::ClaimModel> = claims
                    .iter()
                    .filter(|c| !c.history.is_empty() && c.status == market::Status::Active)
                    .collect();
                let lock_id = match (claim % 4, renewed.is_empty()) {
                    (0, false) => renewed[(claim / 4 % renewed.len() as u64) as usize].history[0].lock_id,
                    (2, false) => renewed[(claim / 4 % renewed.len() as u64) as usize].lock_id,
                    _ => claims[(claim % claims.len() as u64) as usize].lock_id,
                };
                let lock = self.locks.iter().find(|l| l.id == lock_id).unwrap();
                let (p, n) = (lock.provider, lock.sector.unwrap());
                match step {
                    Storage::FaultSector => Op::FaultSector(p, n),
                    Storage::TerminateSector => Op::TerminateSector(p, n),
                    Storage::TerminateDeal => match lock.deal {
                        Some(d) => Op::TerminateDeal(d),
                        // A DDO claim has no deal: its sector ends instead.
                        None => Op::TerminateSector(p, n),
                    },
                }
            }
            other => other,
        }
    }

    fn apply(&mut self, op: &Op, w: &Population) -> Outcome {
        let op = &self.resolve(op, w);
        let mut out = Outcome::default();
        let refuse = |code: u32| Outcome {
            exit: code,
            ..Outcome::default()
        };
        match *op {
            Op::Lock {
                provider,
                evidence,
                location,
                beneficiary,
                end_in,
                atto,
                ..
            } => {
                let (deal, sector) = match evidence {
                    Evidence::Sector(n) => (None, Some(n)),
                    Evidence::Deal(d) => (Some(d), None),
                    Evidence::DealAndSector(d, n) => (Some(d), Some(n)),
                };
                if let Err(code) = self.lock_check(provider, deal, sector, location, end_in, atto as u128) {
                    return refuse(code);
                }
                let id = self.add_lock(
                    provider,
                    deal,
                    sector,
                    w.ids[beneficiary],
                    w.owners[provider],
                    self.epoch + end_in,
                    atto as u128,
                    None,
                );
                out.lock_id = Some(id);
                *out.gains.entry(w.escrow).or_default() += atto as i128;
                *out.gains.entry(w.ids_of_locker(op)).or_default() -= atto as i128;
            }
            Op::TopUp { lock, from, atto } => {
                if atto == 0 {
                    return refuse(16);
                }
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = &mut self.locks[i];
                if !l.open || self.epoch >= l.end {
                    return refuse(20);
                }
                l.original += atto as u128;
                l.remaining += atto as u128;
                self.totals.held += atto as u128;
                self.totals.locked += atto as u128;
                *out.gains.entry(w.escrow).or_default() += atto as i128;
                *out.gains.entry(w.ids[from]).or_default() -= atto as i128;
            }
            Op::Report {
                lock,
                from,
                kind,
                location,
            } => {
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = self.locks[i].clone();
                if !l.open {
                    return refuse(20);
                }
                if self.epoch >= l.end {
                    return refuse(32);
                }
                match kind {
                    Kind::Deal if l.deal.is_none() => return refuse(16),
                    Kind::Faulty | Kind::Dead if l.sector.is_none() => return refuse(16),
                    _ => {}
                }
                if let (Kind::Faulty, Some(last)) = (kind, l.last_fee) {
                    if self.epoch < last + COOLDOWN {
                        return refuse(34);
                    }
                }
                let all = match kind {
                    Kind::Deal => {
                        if self.deals[l.deal.unwrap()] {
                            return refuse(32);
                        }
                        true
                    }
                    Kind::Faulty | Kind::Dead => {
                        if location != Where::Right {
                            // A wrong place, or "removed" while the sector is still listed.
                            return refuse(33);
                        }
                        let s = self.sector(l.provider, l.sector.unwrap());
                        let proven = if kind == Kind::Faulty {
                            s.faulty
                        } else {
                            s.terminated
                        };
                        if !proven {
                            return refuse(32);
                        }
                        kind == Kind::Dead
                    }
                };
                let amount = if all {
                    l.remaining
                } else {
                    bps(l.original, FAULT_FEE_BPS).min(l.remaining)
                };
                let reward = bps(amount, REWARD_BPS);
                let compensation = amount - reward;
                let m = &mut self.locks[i];
                m.remaining -= amount;
                if !all {
                    m.last_fee = Some(self.epoch);
                }
                if m.remaining == 0 {
                    m.open = false;
                    m.settled_by_slash = true;
                    self.totals.open -= 1;
                }
                // The escrow tells the market: a slash (or a fee that emptied the lock)
                // stops the claim; a fee alone changes nothing there.
                if let (Some(claim), true) = (l.claim, m.remaining == 0 || all) {
                    self.market.on_slashed(claim, self.epoch);
                }
                self.totals.held -= amount;
                self.totals.slashed += amount;
                self.totals.rewards += reward;
                out.report = Some((amount, reward, compensation, m.remaining));
                *out.gains.entry(w.escrow).or_default() -= amount as i128;
                *out.gains.entry(w.ids[from]).or_default() += reward as i128;
                *out.gains.entry(l.beneficiary).or_default() += compensation as i128;
                let outcome = match kind {
                    Kind::Faulty => RegistryOutcome::Fault,
                    Kind::Deal | Kind::Dead => RegistryOutcome::Slashed,
                };
                self.record_outcome(i, outcome, kind != Kind::Deal);
            }
            Op::Release { lock, .. } => {
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = &mut self.locks[i];
                if !l.open || self.epoch < l.end {
                    return refuse(20);
                }
                let amount = l.remaining;
                l.remaining = 0;
                l.open = false;
                self.totals.open -= 1;
                self.totals.held -= amount;
                self.totals.released += amount;
                *out.gains.entry(w.escrow).or_default() -= amount as i128;
                *out.gains.entry(l.refund_to).or_default() += amount as i128;
                let (claim, deal, provider, sector, id) = (l.claim, l.deal, l.provider, l.sector, l.id);
                // Credited when the storage is still there: the deal still activated, or
                // for a sector-only lock the sector not dead (`storage_at_release`).
                let live = match deal {
                    Some(d) => self.deals[d],
                    None => !self.sector(provider, sector.unwrap()).terminated,
                };
                if let Some(claim) = claim {
                    self.market.on_released(claim, id);
                }
                if live {
                    self.record_outcome(i, RegistryOutcome::Completed, false);
                }
            }
            Op::Advance(n) => self.epoch += n,
            Op::FaultSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                if !s.terminated {
                    s.faulty = true;
                }
            }
            Op::RecoverSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                if !s.terminated {
                    s.faulty = false;
                }
            }
            Op::TerminateSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                s.terminated = true;
                s.faulty = false;
                for d in 0..DEALS {
                    if self.deal_info[d].provider == p && self.deal_info[d].sector == n {
                        self.deals[d] = false;
                    }
                }
            }
            Op::TerminateDeal(d) => self.deals[d] = false,
            Op::HostileMode(_) => {}
            Op::Post { .. }
            | Op::Claim { .. }
            | Op::Withdraw { .. }
            | Op::Cancel { .. }
            | Op::Reclaim { .. }
            | Op::Fund { .. }
            | Op::RefundSponsor { .. }
            | Op::Deposit { .. }
            | Op::WithdrawDeposit { .. }
            | Op::Ddo { .. }
            | Op::FundRenewals { .. }
            | Op::ReclaimRenewals { .. }
            | Op::Renew { .. }
            | Op::DdoRenew { .. } => return self.apply_market(op, w),
            Op::ReportClaim { .. }
            | Op::ReleaseClaim { .. }
            | Op::ClaimStorage { .. }
            | Op::ToRenewal { .. } => {
                unreachable!("resolved above")
            }
        }
        out
    }
}

impl Model {
    /// A market operation: the market's checks in its order, and for a claim the escrow's.
    fn apply_market(&mut self, op: &Op, w: &Population) -> Outcome {
        let mut out = Outcome::default();
        let refuse = |code: u32| Outcome {
            exit: code,
            ..Outcome::default()
        };
        let epoch = self.epoch;
        match *op {
            Op::Post {
                from,
                piece,
                replicas,
                reward,
                collateral,
                min_duration,
                expiry_in,
                min_reputation,
                allowed,
                exact_value,
                renewals,
            } => {
                let allowed = allowlist(w, allowed);
                let allowlist_ok = allowed.as_ref().is_none_or(|a| {
                    let mut sorted = a.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    !a.is_empty() && sorted.len() == a.len() && a.len() <= 3
                });
                let PieceArg::Piece(piece) = piece else {
                    return refuse(ILLEGAL_ARGUMENT);
                };
                let valid = (1..=4).contains(&replicas)
                    && collateral >= 1_000_000_000_000_000
                    && (1_000..=MAX_LOCK).contains(&min_duration)
                    && (1..=MAX_LOCK).contains(&expiry_in)
                    && min_reputation.is_none_or(|m| m <= 10_000)
                    && allowlist_ok
                    && renewals <= replicas * MAX_RENEWALS_PER_CLAIM
                    && exact_value;
                if !valid {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let id = self.market.next_bounty;
                self.market.next_bounty += 1;
                let total = reward as u128 * replicas as u128;
                let renewal_pool = reward as u128 * renewals as u128;
                self.market.bounties.push(BountyModel {
                    id,
                    client: w.ids[from],
                    piece,
                    replicas,
                    reward_per_replica: reward as u128,
                    collateral: collateral as u128,
                    min_duration,
                    expiry: epoch + expiry_in,
                    min_reputation,
                    allowed,
                    cancelled: false,
                    open_slots: replicas,
                    pool: total,
                    holders: vec![],
                    claimants: vec![],
                    refundable: 0,
                    reclaimed: 0,
                    sponsored: 0,
                    sponsors: 0,
                    sponsors_unsettled: 0,
                    sponsor_refunded: 0,
                    renewal_pool,
                    renewals_left: renewals,
                    renewals_funded: renewal_pool,
                    renewals_reclaimed: 0,
                });
                out.market = Some(MarketReturn::Posted(id));
                let value = (total + renewal_pool) as i128;
                *out.gains.entry(w.ids[from]).or_default() -= value;
                *out.gains.entry(w.market).or_default() += value;
            }
            Op::Claim {
                bounty,
                provider,
                stranger,
                deal,
                location,
                exact_collateral,
            } => {
                if stranger {
                    return refuse(FORBIDDEN);
                }
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                let miner = w.miners[provider];
                if let Err(code) = self.market.check_claimable(b, miner, epoch) {
                    return refuse(code);
                }
                if !exact_collateral {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let d = self.claim_deal(provider, Some(b), deal);
                if self.market.used_deals.contains(&d) {
                    return refuse(ILLEGAL_STATE);
                }
                let bounty = self.market.bounties[b].clone();
                if bounty.min_reputation.is_some_and(|m| self.score(provider) < m) {
                    return refuse(FORBIDDEN);
                }
                let info = self.deal_info[d];
                if let Err(code) = self.lock_check(
                    provider,
                    Some(d),
                    Some(info.sector),
                    location,
                    bounty.min_duration,
                    bounty.collateral,
                ) {
                    return refuse(code);
                }
                if info.seed != PIECES[bounty.piece] || info.end - epoch < bounty.min_duration {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let claim_id = self.market.next_claim;
                let lock_id = self.add_lock(
                    provider,
                    Some(d),
                    Some(info.sector),
                    bounty.client,
                    w.owners[provider],
                    epoch + bounty.min_duration,
                    bounty.collateral,
                    Some(claim_id),
                );
                let (id, reward) = self
                    .market
                    .record_claim(b, provider, miner, Some(d), lock_id, epoch);
                debug_assert_eq!(id, claim_id);
                out.market = Some(MarketReturn::Claimed(id, lock_id, reward));
                *out.gains.entry(w.controls[provider].id).or_default() -= bounty.collateral as i128;
                *out.gains.entry(w.escrow).or_default() += bounty.collateral as i128;
            }
            Op::Withdraw { provider, stranger } => {
                if stranger {
                    return refuse(FORBIDDEN);
                }
                let paid = match self.market.withdraw(provider, epoch) {
                    Ok(paid) => paid,
                    Err(code) => return refuse(code),
                };
                out.market = Some(MarketReturn::Withdrawn(paid, w.owners[provider]));
                *out.gains.entry(w.owners[provider]).or_default() += paid as i128;
                *out.gains.entry(w.market).or_default() -= paid as i128;
            }
            Op::Cancel { bounty, from } => {
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                if let Err(code) = self.market.cancel(b, w.ids[from], epoch) {
                    return refuse(code);
                }
            }
            Op::Reclaim { bounty, from } => {
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                let amount = match self.market.reclaim(b, w.ids[from], epoch) {
                    Ok(amount) => amount,
                    Err(code) => return refuse(code),
                };
                out.market = Some(MarketReturn::Reclaimed(amount));
                *out.gains.entry(w.ids[from]).or_default() += amount as i128;
                *out.gains.entry(w.market).or_default() -= amount as i128;
            }
            Op::Fund { bounty, from, atto } => {
                if atto == 0 {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                if let Err(code) = self.market.fund(b, w.ids[from], atto as u128, epoch) {
                    return refuse(code);
                }
                *out.gains.entry(w.ids[from]).or_default() -= atto as i128;
                *out.gains.entry(w.market).or_default() += atto as i128;
            }
            Op::RefundSponsor { bounty, from } => {
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                let (amount, last) = match self.market.refund_sponsor(b, w.ids[from], epoch) {
                    Ok(r) => r,
                    Err(code) => return refuse(code),
                };
                out.market = Some(MarketReturn::Refunded(amount, last));
                *out.gains.entry(w.ids[from]).or_default() += amount as i128;
                *out.gains.entry(w.market).or_default() -= amount as i128;
            }
            Op::Deposit {
                provider,
                stranger,
                atto,
            } => {
                if stranger {
                    return refuse(FORBIDDEN);
                }
                if atto == 0 {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                self.market.deposits.entry(provider).or_default().0 += atto as u128;
                *out.gains.entry(w.controls[provider].id).or_default() -= atto as i128;
                *out.gains.entry(w.market).or_default() += atto as i128;
            }
            Op::WithdrawDeposit {
                provider,
                stranger,
                amount,
            } => {
                if stranger {
                    return refuse(FORBIDDEN);
                }
                let available = self.market.deposits.get(&provider).map_or(0, |d| d.0);
                let amount = self.deposit_amount(provider, amount);
                if amount == 0 {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                if amount > available {
                    return refuse(INSUFFICIENT_FUNDS);
                }
                self.market.deposits.get_mut(&provider).unwrap().0 -= amount;
                out.market = Some(MarketReturn::Collateral(
                    amount,
                    w.owners[provider],
                    available - amount,
                ));
                *out.gains.entry(w.owners[provider]).or_default() += amount as i128;
                *out.gains.entry(w.market).or_default() -= amount as i128;
            }
            Op::Ddo {
                provider,
                bounty,
                sector,
                piece,
                short,
                payload_ok,
            } => {
                // The notification never aborts: each piece is accepted or refused.
                let checked = self.ddo_check(w, provider, bounty, sector, piece, short, payload_ok);
                out.market = Some(MarketReturn::Ddo(checked.map(|_| ())));
                let Ok(b) = checked else {
                    return out;
                };
                let bounty = self.market.bounties[b].clone();
                let claim_id = self.market.next_claim;
                let lock_id = self.add_lock(
                    provider,
                    None,
                    Some(sector),
                    bounty.client,
                    w.owners[provider],
                    epoch + bounty.min_duration,
                    bounty.collateral,
                    Some(claim_id),
                );
                self.market
                    .record_claim(b, provider, w.miners[provider], None, lock_id, epoch);
                *out.gains.entry(w.market).or_default() -= bounty.collateral as i128;
                *out.gains.entry(w.escrow).or_default() += bounty.collateral as i128;
            }
            Op::FundRenewals {
                bounty,
                from,
                renewals,
                exact_value,
            } => {
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                let value = fund_renewals_value(&self.market, Some(b), renewals, exact_value);
                if let Err(code) = self.market.fund_renewals(b, w.ids[from], renewals, value) {
                    return refuse(code);
                }
                *out.gains.entry(w.ids[from]).or_default() -= value as i128;
                *out.gains.entry(w.market).or_default() += value as i128;
            }
            Op::ReclaimRenewals { bounty, from } => {
                let Some(b) = self.market.bounty_index(bounty) else {
                    return refuse(NOT_FOUND);
                };
                let amount = match self.market.reclaim_renewals(b, w.ids[from]) {
                    Ok(amount) => amount,
                    Err(code) => return refuse(code),
                };
                out.market = Some(MarketReturn::Reclaimed(amount));
                *out.gains.entry(w.ids[from]).or_default() += amount as i128;
                *out.gains.entry(w.market).or_default() -= amount as i128;
            }
            Op::Renew {
                claim,
                caller,
                deal,
                location,
                exact_collateral,
                ..
            } => {
                let claims = &self.market.claims;
                if claims.is_empty() {
                    return refuse(NOT_FOUND);
                }
                let k = (claim % claims.len() as u64) as usize;
                let c = claims[k].clone();
                if caller != Caller::Own {
                    return refuse(FORBIDDEN);
                }
                if let Err(code) = self.market.check_renewable(k, epoch) {
                    return refuse(code);
                }
                if !exact_collateral {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let bounty = self.market.bounties[c.bounty].clone();
                let d = self.claim_deal(c.provider, Some(c.bounty), deal);
                if self.market.used_deals.contains(&d) {
                    return refuse(ILLEGAL_STATE);
                }
                let (_, term_end) = self.market.renewal_term(k, epoch);
                let info = self.deal_info[d];
                if let Err(code) = self.lock_check(
                    c.provider,
                    Some(d),
                    Some(info.sector),
                    location,
                    term_end - epoch,
                    bounty.collateral,
                ) {
                    return refuse(code);
                }
                if info.seed != PIECES[bounty.piece] || info.end < term_end {
                    return refuse(ILLEGAL_ARGUMENT);
                }
                let lock_id = self.add_lock(
                    c.provider,
                    Some(d),
                    Some(info.sector),
                    bounty.client,
                    w.owners[c.provider],
                    term_end,
                    bounty.collateral,
                    Some(c.id),
                );
                let (reward, start, end) = self.market.record_renewal(k, Some(d), lock_id, epoch);
                out.market = Some(MarketReturn::Renewed(c.id, lock_id, reward, start, end));
                *out.gains.entry(w.controls[c.provider].id).or_default() -= bounty.collateral as i128;
                *out.gains.entry(w.escrow).or_default() += bounty.collateral as i128;
            }
            Op::DdoRenew {
                claim,
                other_miner,
                wrong_bounty,
                sector,
                piece,
                short,
                ..
            } => {
                let checked = self.ddo_renewal_check(claim, other_miner, wrong_bounty, sector, piece, short);
                out.market = Some(MarketReturn::Ddo(checked.map(|_| ())));
                let Ok(k) = checked else {
                    return out;
                };
                let c = self.market.claims[k].clone();
                let bounty = self.market.bounties[c.bounty].clone();
                let (_, term_end) = self.market.renewal_term(k, epoch);
                let lock_id = self.add_lock(
                    c.provider,
                    None,
                    Some(sector),
                    bounty.client,
                    w.owners[c.provider],
                    term_end,
                    bounty.collateral,
                    Some(c.id),
                );
                self.market.record_renewal(k, None, lock_id, epoch);
                *out.gains.entry(w.market).or_default() -= bounty.collateral as i128;
                *out.gains.entry(w.escrow).or_default() += bounty.collateral as i128;
            }
            _ => unreachable!("not a market operation"),
        }
        out
    }
}

impl Model {
    /// What a `WithdrawCollateral` asks for (the same on the devnet and in the model).
    fn deposit_amount(&self, provider: usize, amount: Amount) -> u128 {
        let available = self.market.deposits.get(&provider).map_or(0, |d| d.0);
        match amount {
            Amount::Zero => 0,
            Amount::OneAtto => 1,
            Amount::All => available,
            Amount::TooMuch => available + 1,
        }
    }

    /// A DDO renewal's checks in the market's order (`precheck_ddo_renewal`, then the escrow's
    /// lock on the sector until the new term's end): the claim's index, or the refusal's code.
    fn ddo_renewal_check(
        &self,
        claim: u64,
        other_miner: bool,
        wrong_bounty: bool,
        sector: SectorNumber,
        piece: DdoPiece,
        short: bool,
    ) -> Result<usize, u32> {
        let m = &self.market;
        if m.claims.is_empty() {
            return Err(NOT_FOUND);
        }
        let k = (claim % m.claims.len() as u64) as usize;
        let c = &m.claims[k];
        if other_miner {
            return Err(FORBIDDEN);
        }
        if wrong_bounty {
            return Err(ILLEGAL_ARGUMENT);
        }
        m.check_renewable(k, self.epoch)?;
        let bounty = &m.bounties[c.bounty];
        let (_, term_end) = m.renewal_term(k, self.epoch);
        let committed = ddo_commitment(self.epoch, short).min(SECTOR_EXPIRATION);
        if piece != DdoPiece::Right || committed < term_end {
            return Err(ILLEGAL_ARGUMENT);
        }
        if m.deposits.get(&c.provider).map_or(0, |d| d.0) < bounty.collateral {
            return Err(INSUFFICIENT_FUNDS);
        }
        self.lock_check(
            c.provider,
            None,
            Some(sector),
            Where::Ask,
            term_end - self.epoch,
            bounty.collateral,
        )?;
        Ok(k)
    }

    /// A notified piece's checks in the market's order (`precheck_ddo_piece`, the reputation,
    /// then the escrow's lock on the sector): the bounty's index, or the refusal's exit code.
    #[allow(clippy::too_many_arguments)]
    fn ddo_check(
        &self,
        w: &Population,
        provider: usize,
        bounty: Option<u64>,
        sector: SectorNumber,
        piece: DdoPiece,
        short: bool,
        payload_ok: bool,
    ) -> Result<usize, u32> {
        if !payload_ok {
            return Err(ILLEGAL_ARGUMENT);
        }
        let b = self.market.bounty_index(bounty).ok_or(NOT_FOUND)?;
        self.market.check_claimable(b, w.miners[provider], self.epoch)?;
        let bounty = &self.market.bounties[b];
        // The stand-in miner's nominal expiration is the sector's: the lower of it and the
        // notified commitment bounds the claim.
        let committed = ddo_commitment(self.epoch, short).min(SECTOR_EXPIRATION);
        if piece != DdoPiece::Right || committed - self.epoch < bounty.min_duration {
            return Err(ILLEGAL_ARGUMENT);
        }
        if self.market.deposits.get(&provider).map_or(0, |d| d.0) < bounty.collateral {
            return Err(INSUFFICIENT_FUNDS);
        }
        if bounty.min_reputation.is_some_and(|m| self.score(provider) < m) {
            return Err(FORBIDDEN);
        }
        self.lock_check(
            provider,
            None,
            Some(sector),
            Where::Ask,
            bounty.min_duration,
            bounty.collateral,
        )?;
        Ok(b)
    }
}

/// The `minimum_commitment_epoch` a DDO notification names.
fn ddo_commitment(epoch: ChainEpoch, short: bool) -> ChainEpoch {
    if short {
        epoch + 2_000
    } else {
        SECTOR_EXPIRATION
    }
}

fn allowlist(w: &Population, allowed: Allow) -> Option<Vec<ActorID>> {
    match allowed {
        Allow::Anyone => None,
        Allow::Two(a, b) => Some(vec![w.miners[a], w.miners[b]]),
        Allow::Empty => Some(vec![]),
        Allow::Repeated => Some(vec![w.miners[0], w.miners[0]]),
        Allow::Stranger => Some(vec![w.ids[STRANGER]]),
    }
}

// ---------------------------------------------------------------------------------------------
// The devnet side
// ---------------------------------------------------------------------------------------------

/// Who is who in the base state every seed starts from.
#[derive(Clone)]
struct Population {
    accounts: Vec<Account>,
    ids: Vec<ActorID>,
    owners: [ActorID; PROVIDERS],
    /// Each miner's control address: it claims and withdraws.
    controls: Vec<Account>,
    miners: [ActorID; PROVIDERS],
    deals: Vec<DealID>,
    escrow: ActorID,
    market: ActorID,
    hostile: ActorID,
    books: Books,
    tracked: Vec<ActorID>,
}

impl Population {
    fn ids_of_locker(&self, op: &Op) -> ActorID {
        match op {
            Op::Lock { locker, .. } => self.ids[*locker],
            _ => unreachable!(),
        }
    }
}

struct Base {
    store: MemoryBlockstore,
    snapshot: Snapshot,
    w: Population,
    epoch: ChainEpoch,
    first_lock: u64,
    first_bounty: u64,
    first_claim: u64,
}

fn base() -> Base {
    let mut h = Harness::new().unwrap();
    let accounts: Vec<Account> = (0..SENDERS)
        .map(|_| h.create_account(fil(10_000)).unwrap())
        .collect();
    let admin = h.create_account(fil(1_000)).unwrap();
    let mut owners = [0; PROVIDERS];
    let mut miners = [0; PROVIDERS];
    let mut controls = Vec::new();
    for p in 0..PROVIDERS {
        let owner = h.create_account(fil(1_000)).unwrap();
        let worker = h.create_bls_account(fil(1_000)).unwrap();
        let control = h.create_account(fil(1_000)).unwrap();
        let m = create_miner(
            &mut h,
            &owner,
            owner.address(),
            worker.address(),
            vec![control.address()],
            SECTOR_SIZE_32GIB,
        )
        .unwrap();
        for n in SECTORS {
            let r = miner::add_sector(&mut h, m, n, deadline_of(n) as u64, 0, SECTOR_EXPIRATION).unwrap();
            assert!(r.exit_code.is_success());
        }
        owners[p] = owner.id;
        miners[p] = m;
        controls.push(control);
    }
    // Proposals differ by client where provider and piece are the same (a market refuses a
    // proposal published twice).
    let mut deals = Vec::new();
    for (d, info) in deal_table().iter().enumerate() {
        let client = accounts[if d < 4 {
            d % 2
        } else if info.end == SHORT_DEAL_END {
            COPIES
        } else {
            (d - 4) % COPIES
        }]
        .id;
        let proposal = deal_proposal(client, miners[info.provider], 0, info.end, info.seed);
        let deal = h.publish_deal(&proposal).unwrap();
        h.activate_deal(deal, info.sector).unwrap();
        deals.push(deal);
    }
    let market_policy = suite_interfaces::bounty::MarketPolicy {
        max_replicas: 4,
        max_allowlist: 3,
        max_page: 10,
        min_duration_floor: 1_000,
        max_duration: MAX_LOCK,
        max_claims_per_withdraw: 32,
    };
    let suite = bm::deploy(&mut h, &admin, &admin, policy(), market_policy).unwrap();
    let hostile = h
        .deploy(
            &admin,
            "test-actor-reentrant-notify",
            &hostile::ConstructorParams {
                escrow: suite.escrow,
                mode: hostile::Mode::Record,
                proof: Some(FaultProof::DealTerminated),
            },
        )
        .unwrap();
    let books = Books {
        market: Some(suite.market),
        escrow: Some(suite.escrow),
        registry: Some(suite.reputation),
    };
    invariants::assert_books(&mut h, &books);
    let ids: Vec<ActorID> = accounts.iter().map(|a| a.id).collect();
    let mut tracked = ids.clone();
    tracked.extend(owners);
    tracked.extend(controls.iter().map(|c| c.id));
    tracked.extend([suite.escrow, suite.market, hostile]);
    let first_lock = esc::state(&h, suite.escrow).unwrap().next_lock_id;
    let market_state = bm::state(&h, suite.market).unwrap();
    let snapshot = h.snapshot().unwrap();
    Base {
        store: (**h.store()).clone(),
        snapshot,
        epoch: h.epoch(),
        w: Population {
            accounts,
            ids,
            owners,
            controls,
            miners,
            deals,
            escrow: suite.escrow,
            market: suite.market,
            hostile,
            books,
            tracked,
        },
        first_lock,
        first_bounty: market_state.next_bounty_id,
        first_claim: market_state.next_claim_id,
    }
}

fn location_for(n: SectorNumber, at: Where) -> Option<SectorLocation> {
    match at {
        Where::Ask => None,
        Where::Right => Some(SectorLocation {
            deadline: deadline_of(n),
            partition: 0,
        }),
        Where::Stale => Some(SectorLocation {
            deadline: deadline_of(n) + 10,
            partition: 0,
        }),
        Where::Removed => Some(SectorLocation {
            deadline: -1,
            partition: -1,
        }),
    }
}

/// Runs `op` on the devnet: the receipt of the user's message (None for the operator's steps).
fn run(h: &mut Harness, w: &Population, model: &Model, op: &Op) -> Option<(ActorID, Receipt)> {
    let op = &model.resolve(op, w);
    let escrow = EscrowClient::at(w.escrow);
    let market = BountyMarketClient::at(w.market);
    let operator_step = |r: anyhow::Result<Receipt>| {
        r.unwrap();
        None
    };
    match *op {
        Op::Lock {
            locker,
            provider,
            evidence,
            location,
            beneficiary,
            end_in,
            atto,
            hostile,
        } => {
            let (deal, sector) = match evidence {
                Evidence::Sector(n) => (None, Some(n)),
                Evidence::Deal(d) => (Some(w.deals[d]), None),
                Evidence::DealAndSector(d, n) => (Some(w.deals[d]), Some(n)),
            };
            let p = LockParams {
                provider: Address::new_id(w.miners[provider]),
                beneficiary: Address::new_id(w.ids[beneficiary]),
                refund_to: Address::new_id(w.owners[provider]),
                evidence: EvidenceParams {
                    deal,
                    sector,
                    sector_location: sector.and_then(|n| location_for(n, location)),
                },
                end_epoch: model.epoch + end_in,
                notify: hostile.then(|| Address::new_id(w.hostile)),
                reference: None,
            };
            let from = w.accounts[locker];
            Some((
                from.id,
                escrow.lock(h, &from, &p, TokenAmount::from_atto(atto)).unwrap(),
            ))
        }
        Op::TopUp { lock, from, atto } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            Some((
                from.id,
                escrow.top_up(h, &from, id, TokenAmount::from_atto(atto)).unwrap(),
            ))
        }
        Op::Report {
            lock,
            from,
            kind,
            location,
        } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            let n = model
                .lock_index(lock)
                .and_then(|i| model.locks[i].sector)
                .unwrap_or(1);
            let at = location_for(n, location).unwrap_or(SectorLocation {
                deadline: 0,
                partition: 0,
            });
            let proof = match kind {
                Kind::Deal => FaultProof::DealTerminated,
                Kind::Faulty => FaultProof::SectorFaulty(at),
                Kind::Dead => FaultProof::SectorDead(at),
            };
            Some((from.id, escrow.report_fault(h, &from, id, proof).unwrap()))
        }
        Op::Release { lock, from } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            Some((from.id, escrow.release(h, &from, id).unwrap()))
        }
        Op::Advance(n) => {
            h.advance(n).unwrap();
            None
        }
        Op::FaultSector(p, n) => {
            // The operator's steps may be refused (a terminated sector cannot fault, a deal
            // ends once): the model makes those no-ops, and the next check compares states.
            let _ = miner::fault_sector(h, w.miners[p], n);
            None
        }
        Op::RecoverSector(p, n) => {
            let _ = miner::recover_sector(h, w.miners[p], n);
            None
        }
        Op::TerminateSector(p, n) => {
            let _ = miner::terminate_sector(h, w.miners[p], n);
            None
        }
        Op::TerminateDeal(d) => {
            let _ = h.terminate_deal(w.deals[d]);
            None
        }
        Op::HostileMode(mode) => {
            let operator = h.operator();
            operator_step(h.call(
                &operator,
                w.hostile,
                hostile::METHOD_SET_MODE,
                &hostile::SetModeParams {
                    mode,
                    proof: Some(FaultProof::DealTerminated),
                },
                TokenAmount::default(),
            ))
        }
        Op::Post {
            from,
            piece,
            replicas,
            reward,
            collateral,
            min_duration,
            expiry_in,
            min_reputation,
            allowed,
            exact_value,
            renewals,
        } => {
            let (piece_cid, piece_size) = match piece {
                PieceArg::Piece(k) => (stand_in_market::piece_cid([PIECES[k]; 32]), PIECE_SIZE),
                PieceArg::NotCommP => (
                    // A raw sha2-256 CID: not fil-commitment-unsealed.
                    cid::Cid::new_v1(0x55, cid::multihash::Multihash::wrap(0x12, &[7; 32]).unwrap()),
                    PIECE_SIZE,
                ),
                PieceArg::BadSize => (stand_in_market::piece_cid([PIECES[0]; 32]), 3_000),
            };
            let p = PostBountyParams {
                piece_cid,
                piece_size,
                replicas,
                reward_per_replica: TokenAmount::from_atto(reward),
                collateral_per_replica: TokenAmount::from_atto(collateral),
                min_duration,
                expiry: model.epoch + expiry_in,
                min_reputation,
                allowed_providers: allowlist(w, allowed),
                distinct_owners: false,
                max_per_region: None,
                renewals,
            };
            let value = reward as u128 * (replicas + renewals) as u128 + u128::from(!exact_value);
            let from = w.accounts[from];
            Some((
                from.id,
                market.post(h, &from, &p, TokenAmount::from_atto(value)).unwrap(),
            ))
        }
        Op::Claim {
            bounty,
            provider,
            stranger,
            deal,
            location,
            exact_collateral,
        } => {
            let b = model.market.bounty_index(bounty);
            let d = model.claim_deal(provider, b, deal);
            let sector = model.deal_info[d].sector;
            let collateral = b.map_or(FIL_ATTO as u128, |b| model.market.bounties[b].collateral)
                + u128::from(!exact_collateral);
            let p = bm::claim_params(
                model.market.bounty_id(bounty),
                w.miners[provider],
                w.deals[d],
                sector,
                location_for(sector, location),
            );
            let from = if stranger {
                w.accounts[STRANGER]
            } else {
                w.controls[provider]
            };
            Some((
                from.id,
                market
                    .claim(h, &from, &p, TokenAmount::from_atto(collateral))
                    .unwrap(),
            ))
        }
        Op::Withdraw { provider, stranger } => {
            let from = if stranger {
                w.accounts[STRANGER]
            } else {
                w.controls[provider]
            };
            Some((
                from.id,
                market
                    .withdraw(h, &from, Address::new_id(w.miners[provider]))
                    .unwrap(),
            ))
        }
        Op::Cancel { bounty, from } => {
            let from = w.accounts[from];
            let id = model.market.bounty_id(bounty);
            Some((from.id, market.cancel(h, &from, id).unwrap()))
        }
        Op::Reclaim { bounty, from } => {
            let from = w.accounts[from];
            let id = model.market.bounty_id(bounty);
            Some((from.id, market.reclaim(h, &from, id).unwrap()))
        }
        Op::Fund { bounty, from, atto } => {
            let from = w.accounts[from];
            let id = model.market.bounty_id(bounty);
            Some((
                from.id,
                market.fund(h, &from, id, TokenAmount::from_atto(atto)).unwrap(),
            ))
        }
        Op::RefundSponsor { bounty, from } => {
            let from = w.accounts[from];
            let id = model.market.bounty_id(bounty);
            Some((from.id, market.refund_sponsor(h, &from, id).unwrap()))
        }
        Op::ReportClaim { .. } | Op::ReleaseClaim { .. } | Op::ClaimStorage { .. } | Op::ToRenewal { .. } => {
            unreachable!("resolved above")
        }
        Op::FundRenewals {
            bounty,
            from,
            renewals,
            exact_value,
        } => {
            let from = w.accounts[from];
            let b = model.market.bounty_index(bounty);
            let value = fund_renewals_value(&model.market, b, renewals, exact_value);
            let id = model.market.bounty_id(bounty);
            Some((
                from.id,
                market
                    .fund_renewals(h, &from, id, renewals, TokenAmount::from_atto(value))
                    .unwrap(),
            ))
        }
        Op::ReclaimRenewals { bounty, from } => {
            let from = w.accounts[from];
            let id = model.market.bounty_id(bounty);
            Some((from.id, market.reclaim_renewals(h, &from, id).unwrap()))
        }
        Op::Renew {
            claim,
            caller,
            deal,
            location,
            exact_collateral,
            ..
        } => {
            let claims = &model.market.claims;
            let c = (!claims.is_empty()).then(|| &claims[(claim % claims.len() as u64) as usize]);
            let provider = c.map_or(0, |c| c.provider);
            let d = model.claim_deal(provider, c.map(|c| c.bounty), deal);
            let sector = model.deal_info[d].sector;
            let collateral = c.map_or(FIL_ATTO as u128, |c| model.market.bounties[c.bounty].collateral)
                + u128::from(!exact_collateral);
            let p = RenewClaimParams {
                claim_id: c.map_or(1_000_000, |c| c.id),
                deal_id: w.deals[d],
                sector,
                sector_location: location_for(sector, location),
            };
            let from = match caller {
                Caller::Own => w.controls[provider],
                Caller::OtherProvider => w.controls[(provider + 1) % PROVIDERS],
                Caller::Stranger => w.accounts[STRANGER],
            };
            Some((
                from.id,
                market
                    .renew(h, &from, &p, TokenAmount::from_atto(collateral))
                    .unwrap(),
            ))
        }
        Op::Deposit {
            provider,
            stranger,
            atto,
        } => {
            let from = if stranger {
                w.accounts[STRANGER]
            } else {
                w.controls[provider]
            };
            let miner = Address::new_id(w.miners[provider]);
            Some((
                from.id,
                market
                    .deposit_collateral(h, &from, miner, TokenAmount::from_atto(atto))
                    .unwrap(),
            ))
        }
        Op::WithdrawDeposit {
            provider,
            stranger,
            amount,
        } => {
            let from = if stranger {
                w.accounts[STRANGER]
            } else {
                w.controls[provider]
            };
            let miner = Address::new_id(w.miners[provider]);
            let amount = TokenAmount::from_atto(model.deposit_amount(provider, amount));
            Some((
                from.id,
                market.withdraw_collateral(h, &from, miner, amount).unwrap(),
            ))
        }
        Op::DdoRenew {
            claim,
            other_miner,
            wrong_bounty,
            sector,
            piece,
            short,
            ..
        } => {
            let claims = &model.market.claims;
            let c = (!claims.is_empty()).then(|| &claims[(claim % claims.len() as u64) as usize]);
            let k = c.map_or(0, |c| model.market.bounties[c.bounty].piece);
            let (seed, size) = match piece {
                DdoPiece::Right => (PIECES[k], PIECE_SIZE),
                DdoPiece::Other => (PIECES[(k + 1) % PIECES.len()], PIECE_SIZE),
                DdoPiece::BadSize => (PIECES[k], 2 * PIECE_SIZE),
            };
            let bounty_id =
                c.map_or(1_000_000, |c| model.market.bounties[c.bounty].id) + u64::from(wrong_bounty);
            let payload = ddo_renewal_payload(bounty_id, c.map_or(1_000_000, |c| c.id));
            let provider = (c.map_or(0, |c| c.provider) + usize::from(other_miner)) % PROVIDERS;
            let control = miner::Control::Notify(miner::HarnessNotifyParams {
                receiver: Address::new_id(w.market),
                sectors: miner::SectorContentChangedParams {
                    sectors: vec![miner::SectorChanges {
                        sector,
                        minimum_commitment_epoch: ddo_commitment(model.epoch, short),
                        added: vec![miner::PieceChange {
                            data: stand_in_market::piece_cid([seed; 32]),
                            size: PaddedPieceSize(size),
                            payload,
                        }],
                    }],
                },
            });
            let operator = h.operator();
            Some((
                operator.id,
                miner::control_from(h, &operator, w.miners[provider], &control).unwrap(),
            ))
        }
        Op::Ddo {
            provider,
            bounty,
            sector,
            piece,
            short,
            payload_ok,
        } => {
            let k = model
                .market
                .bounty_index(bounty)
                .map_or(0, |b| model.market.bounties[b].piece);
            let (seed, size) = match piece {
                DdoPiece::Right => (PIECES[k], PIECE_SIZE),
                DdoPiece::Other => (PIECES[(k + 1) % PIECES.len()], PIECE_SIZE),
                DdoPiece::BadSize => (PIECES[k], 2 * PIECE_SIZE),
            };
            let payload = if payload_ok {
                ddo_payload(model.market.bounty_id(bounty))
            } else {
                RawBytes::new(fvm_ipld_encoding::to_vec("no bounty").unwrap())
            };
            let control = miner::Control::Notify(miner::HarnessNotifyParams {
                receiver: Address::new_id(w.market),
                sectors: miner::SectorContentChangedParams {
                    sectors: vec![miner::SectorChanges {
                        sector,
                        minimum_commitment_epoch: ddo_commitment(model.epoch, short),
                        added: vec![miner::PieceChange {
                            data: stand_in_market::piece_cid([seed; 32]),
                            size: PaddedPieceSize(size),
                            payload,
                        }],
                    }],
                },
            });
            let operator = h.operator();
            Some((
                operator.id,
                miner::control_from(h, &operator, w.miners[provider], &control).unwrap(),
            ))
        }
    }
}

/// The exit code a `ddo-piece-refused` event gives (0 when there is none).
fn ddo_refusal(r: &Receipt) -> u32 {
    r.events_of(EVENT_DDO_REFUSED)
        .first()
        .and_then(|e| e.event.entries.iter().find(|x| x.key == "exit"))
        .map_or(0, |x| fvm_ipld_encoding::from_slice(&x.value).unwrap())
}

fn totals_of(t: &Totals) -> TotalsModel {
    let atto = |a: &TokenAmount| u128::try_from(a.atto().clone()).unwrap();
    TotalsModel {
        held: atto(&t.held),
        locked: atto(&t.locked_total),
        slashed: atto(&t.slashed_total),
        rewards: atto(&t.reporter_rewards_total),
        released: atto(&t.released_total),
        created: t.locks_created,
        open: t.locks_open,
    }
}

/// Runs `ops` from the base state; the first difference between the devnet and the model, as
/// (operation index, what differed).
fn check_sequence(base: &Base, ops: &[Op]) -> Result<(), (usize, String)> {
    let store = Rc::new(base.store.clone());
    let mut h = Harness::resume(store, &base.snapshot).unwrap();
    let w = &base.w;
    let mut model = Model::new(base);
    for (i, op) in ops.iter().enumerate() {
        let before: Vec<TokenAmount> = w.tracked.iter().map(|id| h.balance(*id).unwrap()).collect();
        let sent = run(&mut h, w, &model, op);
        let want = model.apply(op, w);
        // After the operation: a post's bounty is the last one.
        let touched = model.touched_bounty(op, w);
        let fail = |what: String| Err((i, what));
        if let Some((sender, r)) = &sent {
            let got_exit = r.exit_code.value();
            if got_exit != want.exit {
                return fail(format!(
                    "exit {got_exit} ({}), the model says {}",
                    r.failure.as_deref().unwrap_or("").lines().next().unwrap_or(""),
                    want.exit
                ));
            }
            if let Some(id) = want.lock_id {
                let got = esc::lock_id(r).unwrap();
                if got != id {
                    return fail(format!("lock id {got}, the model says {id}"));
                }
            }
            if let Some((slashed, reward, compensation, remaining)) = want.report {
                let ret: Option<ReportFaultReturn> = r.ret().unwrap();
                let ret = ret.unwrap();
                let got = (
                    u128::try_from(ret.slashed.atto().clone()).unwrap(),
                    u128::try_from(ret.reporter_reward.atto().clone()).unwrap(),
                    u128::try_from(ret.compensation.atto().clone()).unwrap(),
                    u128::try_from(ret.remaining.atto().clone()).unwrap(),
                );
                if got != (slashed, reward, compensation, remaining) {
                    return fail(format!(
                        "report returned {got:?}, the model says {:?}",
                        (slashed, reward, compensation, remaining)
                    ));
                }
            }
            if let Some(ret) = want.market {
                let atto = |a: &TokenAmount| u128::try_from(a.atto().clone()).unwrap();
                let got = match ret {
                    MarketReturn::Posted(_) => MarketReturn::Posted(bm::bounty_id(r).unwrap()),
                    MarketReturn::Claimed(..) => {
                        let c: ClaimBountyReturn = r.ret().unwrap();
                        MarketReturn::Claimed(c.claim_id, c.lock_id, atto(&c.reward))
                    }
                    MarketReturn::Withdrawn(..) => {
                        let c: WithdrawReturn = r.ret().unwrap();
                        assert!(!c.more, "a withdrawal left claims for the next page");
                        MarketReturn::Withdrawn(atto(&c.paid), c.to)
                    }
                    MarketReturn::Reclaimed(_) => MarketReturn::Reclaimed(atto(&r.ret().unwrap())),
                    MarketReturn::Renewed(..) => {
                        let c: RenewClaimReturn = r.ret().unwrap();
                        MarketReturn::Renewed(
                            c.claim_id,
                            c.lock_id,
                            atto(&c.reward),
                            c.term_start,
                            c.term_end,
                        )
                    }
                    MarketReturn::Refunded(..) => {
                        let c: SponsorRefundReturn = r.ret().unwrap();
                        MarketReturn::Refunded(atto(&c.amount), c.settled)
                    }
                    MarketReturn::Collateral(..) => {
                        let c: WithdrawCollateralReturn = r.ret().unwrap();
                        MarketReturn::Collateral(atto(&c.paid), c.to, atto(&c.available))
                    }
                    MarketReturn::Ddo(_) => {
                        let relayed: miner::HarnessNotifyReturn = r.ret().unwrap();
                        if !relayed.exit_code.is_success() {
                            return fail(format!("the market aborted a notification: {r:?}"));
                        }
                        let answer: Vec<Vec<bool>> =
                            fvm_ipld_encoding::from_slice(relayed.return_data.bytes()).unwrap();
                        MarketReturn::Ddo(if answer == [[true]] {
                            Ok(())
                        } else {
                            Err(ddo_refusal(r))
                        })
                    }
                };
                if got != ret {
                    return fail(format!("the market returned {got:?}, the model says {ret:?}"));
                }
            }
            for (k, id) in w.tracked.iter().enumerate() {
                let mut expected = i128::try_from(before[k].atto().clone()).unwrap();
                expected += want.gains.get(id).copied().unwrap_or(0);
                if id == sender {
                    expected -= i128::try_from(message_fee().atto().clone()).unwrap();
                }
                let got = i128::try_from(h.balance(*id).unwrap().atto().clone()).unwrap();
                if got != expected {
                    return fail(format!("balance of f0{id} is {got}, the model says {expected}"));
                }
            }
        } else {
            for (k, id) in w.tracked.iter().enumerate() {
                if h.balance(*id).unwrap() != before[k] {
                    return fail(format!("an operator step moved the FIL of f0{id}"));
                }
            }
        }
        if let Err(failures) = invariants::check(&mut h, &w.books) {
            return fail(format!("books: {}", failures.join("; ")));
        }
        let totals = EscrowClient::at(w.escrow).totals(&mut h).unwrap().unwrap();
        if totals_of(&totals) != model.totals {
            return fail(format!(
                "escrow totals {:?}, the model says {:?}",
                totals_of(&totals),
                model.totals
            ));
        }
        if let Err(what) = model.market.compare(&mut h, w.market, &w.miners, touched) {
            return fail(what);
        }
        let scores = ReputationClient::at(w.books.registry.unwrap())
            .scores(&mut h, w.miners.to_vec())
            .unwrap()
            .unwrap();
        let want: Vec<u16> = (0..PROVIDERS).map(|p| model.score(p)).collect();
        if scores != want {
            return fail(format!(
                "the registry's scores are {scores:?}, the model says {want:?}"
            ));
        }
    }
    Ok(())
}

/// The shortest sequence found that still fails: the failing prefix, then every operation
/// whose removal keeps it failing removed.
fn shrink(base: &Base, ops: &[Op], failed_at: usize) -> Vec<Op> {
    let mut ops = ops[..=failed_at].to_vec();
    let mut i = 0;
    while i < ops.len() {
        let mut fewer = ops.clone();
        fewer.remove(i);
        match check_sequence(base, &fewer) {
            Err((at, _)) => ops = fewer[..=at].to_vec(),
            Ok(()) => i += 1,
        }
    }
    ops
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_sequences_match_the_model_on_the_real_wasm() {
    let seeds = env_or("MODEL_SEEDS", 200);
    let ops_per_seed = env_or("MODEL_OPS", 50) as usize;
    let first = env_or("MODEL_SEED_BASE", 1);
    let base = base();
    let started = std::time::Instant::now();
    let mut counts = BTreeMap::<u32, u64>::new();
    let mut market_counts = BTreeMap::<u32, u64>::new();
    let mut by_method = BTreeMap::<(&str, u32), u64>::new();
    let (mut slashed_claims, mut completed_claims) = (0, 0);
    let (mut multi_sponsored, mut all_settled) = (0, 0);
    let (mut moved_scores, mut lowest_score, mut highest_score) = (0, u16::MAX, 0);
    let (mut renewed, mut renewed_slashed, mut renewed_completed) = (0, 0, 0);
    let (mut term_releases, mut renewal_returns) = (0, 0);
    for seed in first..first + seeds {
        let ops = generate(&mut Rng(seed), ops_per_seed);
        if let Err((at, what)) = check_sequence(&base, &ops) {
            let shortest = shrink(&base, &ops, at);
            let replay = check_sequence(&base, &shortest).unwrap_err();
            panic!(
                "seed {seed}: operation {at} ({:?}): {what}\nshortest failing sequence ({} operations, fails at {}: {}):\n  {}",
                ops[at],
                shortest.len(),
                replay.0,
                replay.1,
                shortest.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join("\n  ")
            );
        }
        // What the seeds exercised, so that a generator that stopped reaching the escrow shows.
        let mut model_only = Model::new(&base);
        for op in &ops {
            let resolved = model_only.resolve(op, &base.w);
            let epoch = model_only.epoch;
            let out = model_only.apply(op, &base.w);
            if std::env::var("MODEL_TRACE").is_ok() {
                println!(
                    "seed {seed} @{epoch}: {resolved:?} -> {} {:?}",
                    out.exit, out.market
                );
            }
            let exit = out.exit;
            if let Some(MarketReturn::Ddo(answer)) = out.market {
                let code = answer.err().unwrap_or(0);
                *by_method.entry((op.method(), code)).or_default() += 1;
            }
            match op {
                Op::Lock { .. }
                | Op::TopUp { .. }
                | Op::Report { .. }
                | Op::Release { .. }
                | Op::ReportClaim { .. }
                | Op::ReleaseClaim { .. } => *counts.entry(exit).or_default() += 1,
                Op::Post { .. }
                | Op::Claim { .. }
                | Op::Withdraw { .. }
                | Op::Cancel { .. }
                | Op::Reclaim { .. }
                | Op::Fund { .. }
                | Op::RefundSponsor { .. }
                | Op::Deposit { .. }
                | Op::WithdrawDeposit { .. }
                | Op::FundRenewals { .. }
                | Op::ReclaimRenewals { .. }
                | Op::Renew { .. } => {
                    *market_counts.entry(exit).or_default() += 1;
                    *by_method.entry((op.method(), exit)).or_default() += 1;
                }
                _ => {}
            }
        }
        for p in 0..PROVIDERS {
            let score = model_only.score(p);
            moved_scores += u64::from(score != NEUTRAL_SCORE);
            lowest_score = lowest_score.min(score);
            highest_score = highest_score.max(score);
        }
        for b in &model_only.market.bounties {
            multi_sponsored += u64::from(b.sponsors >= 2);
            all_settled += u64::from(b.sponsors >= 2 && b.sponsors_unsettled == 0);
        }
        term_releases += model_only.market.term_releases;
        renewal_returns += model_only.market.renewal_returns;
        for c in model_only.market.claims.iter().filter(|c| !c.history.is_empty()) {
            renewed += 1;
            renewed_slashed += u64::from(c.status == market::Status::Slashed);
            renewed_completed += u64::from(c.status == market::Status::Completed);
        }
        for c in &model_only.market.claims {
            slashed_claims += u64::from(c.status == market::Status::Slashed);
            completed_claims += u64::from(c.status == market::Status::Completed);
        }
    }
    let messages: u64 = counts.values().sum();
    let market_messages: u64 = market_counts.values().sum();
    println!(
        "{seeds} seeds × {ops_per_seed} operations in {:.1} s; {messages} escrow messages by exit code: {counts:?}; {market_messages} market messages: {market_counts:?}; claims slashed {slashed_claims}, completed {completed_claims}",
        started.elapsed().as_secs_f64()
    );
    println!("market messages by method and exit code: {by_method:?}");
    println!(
        "bounties with two sponsors or more: {multi_sponsored}, of which every sponsor settled: {all_settled}; providers whose score moved by the end: {moved_scores} (scores {lowest_score} to {highest_score})"
    );
    println!(
        "renewed claims: {renewed}, of which slashed {renewed_slashed}, completed {renewed_completed}; earlier terms' locks released: {term_releases}; slashes returning renewal money: {renewal_returns}"
    );
    assert!(
        (renewed_slashed > 0 && term_releases > 0 && renewal_returns > 0) || seeds < 200,
        "no renewed claim was slashed ({renewed_slashed}), no earlier term's lock released ({term_releases}) or no renewal money returned ({renewal_returns}): the callbacks on renewed claims are not exercised"
    );
    // Every market method succeeds somewhere, and is refused somewhere.
    for method in [
        "Post",
        "Claim",
        "Withdraw",
        "Cancel",
        "Reclaim",
        "Fund",
        "RefundSponsor",
        "DepositCollateral",
        "WithdrawCollateral",
        "SectorContentChanged",
        "FundRenewals",
        "ReclaimRenewals",
        "RenewClaim",
    ] {
        let ok = by_method.get(&(method, 0)).copied().unwrap_or(0);
        let refused: u64 = by_method
            .iter()
            .filter(|((m, code), _)| *m == method && *code != 0)
            .map(|(_, n)| n)
            .sum();
        assert!(
            (ok > 0 && refused > 0) || seeds < 200,
            "{method}: {ok} succeeded, {refused} refused: the generator no longer reaches both"
        );
    }
    for code in [0, 16, 17, 18, 20] {
        assert!(
            market_counts.get(&code).copied().unwrap_or(0) > 0 || seeds < 200,
            "no market message ended with exit {code}: the generator no longer reaches it"
        );
    }
    assert!(
        (slashed_claims > 0 && completed_claims > 0) || seeds < 200,
        "no claim was slashed ({slashed_claims}) or completed ({completed_claims}): the escrow's callbacks are not exercised"
    );
    // The sequences reach every outcome the model knows, not only refusals.
    for code in [0, 16, 17, 20, 32, 33, 34] {
        assert!(
            counts.get(&code).copied().unwrap_or(0) > 0 || seeds < 200,
            "no escrow message ended with exit {code}: the generator no longer reaches it"
        );
    }
}
