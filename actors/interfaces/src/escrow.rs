//! CollateralEscrow's interface: method numbers, parameters, returns, callbacks and events.
//!
//! Anyone may lock collateral against a provider's market deal and/or sector. The escrow
//! verifies the evidence with the builtin market and miner when the lock is made (so a lock
//! can never describe a deal or sector that does not exist), keeps a durable snapshot of it,
//! and later judges failure reports against that snapshot: the market forgets a deal the
//! moment it is terminated.

use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};

use crate::method_hash;

pub const METHOD_CONSTRUCTOR: MethodNum = crate::METHOD_CONSTRUCTOR;
pub const METHOD_LOCK: MethodNum = method_hash!("Lock");
pub const METHOD_TOP_UP: MethodNum = method_hash!("TopUp");
pub const METHOD_REPORT_FAULT: MethodNum = method_hash!("ReportFault");
pub const METHOD_RELEASE: MethodNum = method_hash!("Release");
pub const METHOD_GET_LOCK: MethodNum = method_hash!("GetLock");
pub const METHOD_LIST_LOCKS: MethodNum = method_hash!("ListLocks");
pub const METHOD_GET_TOTALS: MethodNum = method_hash!("GetTotals");
/// Returns the [`Policy`] (fixed at construction): what a lock must satisfy.
pub const METHOD_GET_POLICY: MethodNum = method_hash!("GetPolicy");

/// Whether the storage a lock relied on was still there when the lock was released: only then
/// is the release reported to the registry as a completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageAtRelease {
    /// The deal is still activated in the market, or it was settled after its end while the
    /// lock's sector lives; for a sector-only lock, the sector is not dead.
    Live,
    /// The market no longer knows the deal (terminated; or settled, with no live sector to tell
    /// a completion from a termination), or the sector is dead: nothing proves the storage
    /// lasted the lock's term, so no completion is reported.
    Gone,
}

/// Called on a lock's `notify` actor after a slash or a release (with a bounded gas budget,
/// and never able to undo the settlement: see `NOTIFY_GAS_LIMIT`).
pub const METHOD_ON_COLLATERAL_CHANGED: MethodNum = method_hash!("OnCollateralChanged");
/// Gas a notify callback may use. A callback that fails or runs out is recorded in an event
/// and does not stop the slash or release (a locker cannot make its own lock unslashable).
pub const NOTIFY_GAS_LIMIT: u64 = 100_000_000;

/// Escrow-specific exit codes.
/// The evidence shows no failure (deal alive, sector in the claimed status is false, lock ended).
pub const EX_NOT_PROVEN: u32 = 32;
/// The miner does not find the sector at the given location (compaction moved it): resubmit
/// with a fresh location from `GenerateSectorLocation`. Never evidence of a fault.
pub const EX_STALE_LOCATION: u32 = 33;
/// A fault fee was already charged on this lock within the cooldown.
pub const EX_FAULT_COOLDOWN: u32 = 34;

/// Event names (FIP-0049 `$type`).
pub const EVENT_LOCKED: &str = "collateral-locked";
pub const EVENT_TOPPED_UP: &str = "collateral-topped-up";
pub const EVENT_SLASHED: &str = "collateral-slashed";
pub const EVENT_RELEASED: &str = "collateral-released";
pub const EVENT_NOTIFY_FAILED: &str = "lock-notify-failed";
pub const EVENT_REPUTATION_FAILED: &str = "reputation-report-failed";

/// Fixed at construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Policy {
    /// Share of each slash paid to whoever proved the failure (0 to 10000 bps).
    pub reporter_reward_bps: u64,
    /// Share of the lock's original collateral charged per proven sector fault (1 to 10000).
    pub fault_fee_bps: u64,
    /// At most one fault fee per lock per this many epochs (default: a proving period).
    pub fault_cooldown: ChainEpoch,
    /// Smallest collateral a lock may hold.
    pub min_collateral: TokenAmount,
    /// Longest a lock may run, from its creation to `end_epoch`.
    pub max_lock_duration: ChainEpoch,
}

/// One proving period (48 deadlines × 60 epochs).
pub const DEFAULT_FAULT_COOLDOWN: ChainEpoch = 2880;
/// Five years of epochs.
pub const MAX_LOCK_DURATION_LIMIT: ChainEpoch = 5 * 1_051_200;

impl Policy {
    pub fn validate(&self) -> Result<(), String> {
        if self.reporter_reward_bps > 10_000 {
            return Err(format!(
                "reporter_reward_bps {} exceeds 10000",
                self.reporter_reward_bps
            ));
        }
        if !(1..=10_000).contains(&self.fault_fee_bps) {
            return Err(format!("fault_fee_bps {} must be 1 to 10000", self.fault_fee_bps));
        }
        if self.fault_cooldown < 1 {
            return Err(format!(
                "fault_cooldown {} must be at least 1 epoch",
                self.fault_cooldown
            ));
        }
        if self.min_collateral.is_negative() {
            return Err("min_collateral must not be negative".into());
        }
        if !(1..=MAX_LOCK_DURATION_LIMIT).contains(&self.max_lock_duration) {
            return Err(format!(
                "max_lock_duration must be 1 to {MAX_LOCK_DURATION_LIMIT} epochs"
            ));
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            reporter_reward_bps: 500,
            fault_fee_bps: 1_000,
            fault_cooldown: DEFAULT_FAULT_COOLDOWN,
            min_collateral: TokenAmount::from_atto(1),
            max_lock_duration: 3 * 1_051_200,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The ProviderReputation actor outcomes are reported to.
    pub reputation: Address,
    pub policy: Policy,
}

/// What backs a lock, as the caller names it. At least one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EvidenceParams {
    /// A market deal of the provider, activated and live.
    pub deal: Option<DealID>,
    /// A sector of the provider's miner, Active now and not expiring before the lock's end.
    /// With a deal too, it must be the deal's sector.
    pub sector: Option<SectorNumber>,
    /// Where the sector is (from the miner's `GenerateSectorLocation`, off chain): the escrow
    /// checks `ValidateSectorStatus(Active)` there, which is cheap. Without it the escrow asks
    /// the miner to search (`GenerateSectorLocation`), which costs more gas.
    pub sector_location: Option<SectorLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct LockParams {
    /// The miner whose storage backs the lock.
    pub provider: Address,
    /// Who is compensated from slashed collateral (the client).
    pub beneficiary: Address,
    /// Who gets the remaining collateral back at release (the provider side).
    pub refund_to: Address,
    pub evidence: EvidenceParams,
    /// From this epoch on the lock can be released, and no longer slashed.
    pub end_epoch: ChainEpoch,
    /// An actor called back (`OnCollateralChanged`) after a slash or the release.
    pub notify: Option<Address>,
    /// The locker's own id for this lock (the market's claim id), kept and echoed in every
    /// callback, so that the locker needs no index from lock ids to its records.
    pub reference: Option<u64>,
}

/// What `Lock` answers: the new lock's id and the evidence as the escrow verified it, so that a
/// locker that trusts this escrow checks the snapshot instead of asking the builtins again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct LockReturn {
    pub lock_id: u64,
    pub deal: Option<DealSnapshot>,
    pub sector: Option<SectorSnapshot>,
}

/// The deal terms as the market reported them when the lock was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealSnapshot {
    pub deal_id: DealID,
    pub piece_cid: Cid,
    pub piece_size: u64,
    pub start_epoch: ChainEpoch,
    /// start + duration: a deal gone before this epoch was terminated early.
    pub end_epoch: ChainEpoch,
    pub activated: ChainEpoch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorSnapshot {
    pub sector_number: SectorNumber,
    pub sector_size: u64,
    /// The miner's nominal expiration when the lock was made.
    pub expiration: ChainEpoch,
}

crate::u8_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LockStatus("lock status") {
        /// Holding collateral.
        Open = 0,
        /// Settled: everything was slashed.
        Slashed = 1,
        /// Settled: the remainder went back to `refund_to`.
        Released = 2,
    }
}

/// A lock as stored. Every FIL amount satisfies `original = remaining + slashed + released`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Lock {
    pub locker: ActorID,
    pub provider: ActorID,
    pub beneficiary: ActorID,
    pub refund_to: ActorID,
    pub deal: Option<DealSnapshot>,
    pub sector: Option<SectorSnapshot>,
    pub created_at: ChainEpoch,
    pub end_epoch: ChainEpoch,
    pub notify: Option<ActorID>,
    /// The locker's reference (`LockParams::reference`), echoed in callbacks.
    pub reference: Option<u64>,
    /// Collateral put in: the lock amount plus top-ups.
    pub original: TokenAmount,
    pub remaining: TokenAmount,
    pub slashed: TokenAmount,
    pub released: TokenAmount,
    pub faults_charged: u64,
    pub last_fault_fee_at: Option<ChainEpoch>,
    pub status: LockStatus,
}

impl Lock {
    /// What the lock put at stake, for the reputation registry: the bytes its evidence names
    /// (the deal's piece, else the sector) and bytes × the epochs its collateral backed them
    /// (from the lock's creation to its end). A deal that outlives its lock earns nothing for
    /// the epochs after the lock: no collateral stood behind them.
    pub fn stake(&self) -> (u64, u64) {
        let bytes = match (&self.deal, &self.sector) {
            (Some(d), _) => d.piece_size,
            (None, Some(s)) => s.sector_size,
            (None, None) => 0,
        };
        let epochs = (self.end_epoch - self.created_at).max(1) as u64;
        (bytes, bytes.saturating_mul(epochs))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LockIdParams {
    pub lock_id: u64,
}

/// Where a sector is, as the miner's `GenerateSectorLocation` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorLocation {
    pub deadline: i64,
    pub partition: i64,
}

/// The failure being proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultProof {
    /// The market no longer knows the deal (exit 32) before its snapshotted end: it was
    /// terminated early. Slashes everything that remains.
    DealTerminated,
    /// The miner says the sector is faulty at this location. Slashes `fault_fee_bps` of the
    /// original collateral, at most once per cooldown.
    SectorFaulty(SectorLocation),
    /// The miner says the sector is dead at this location (or at (-1,-1) once removed)
    /// before the lock's end. Slashes everything that remains.
    SectorDead(SectorLocation),
}

/// On the wire: `[0]`, `[1, [deadline, partition]]` or `[2, [deadline, partition]]`.
impl Serialize for FaultProof {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FaultProof::DealTerminated => (0u8,).serialize(s),
            FaultProof::SectorFaulty(l) => (1u8, l).serialize(s),
            FaultProof::SectorDead(l) => (2u8, l).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for FaultProof {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = ProofWire::deserialize(d)?;
        match (value.0, value.1) {
            (0, None) => Ok(FaultProof::DealTerminated),
            (1, Some(l)) => Ok(FaultProof::SectorFaulty(l)),
            (2, Some(l)) => Ok(FaultProof::SectorDead(l)),
            (k, _) => Err(D::Error::custom(format!("malformed fault proof of kind {k}"))),
        }
    }
}

/// `[kind]` or `[kind, location]`.
struct ProofWire(u8, Option<SectorLocation>);

impl<'de> Deserialize<'de> for ProofWire {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ProofWire;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("[kind] or [kind, [deadline, partition]]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ProofWire, A::Error> {
                use serde::de::Error;
                let kind: u8 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::custom("missing proof kind"))?;
                let location: Option<SectorLocation> = seq.next_element()?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom("trailing elements in fault proof"));
                }
                Ok(ProofWire(kind, location))
            }
        }
        d.deserialize_seq(Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ReportFaultParams {
    pub lock_id: u64,
    pub proof: FaultProof,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ReportFaultReturn {
    /// Taken from the lock.
    pub slashed: TokenAmount,
    /// Of which paid to the reporter.
    pub reporter_reward: TokenAmount,
    /// Of which paid to the beneficiary.
    pub compensation: TokenAmount,
    /// What the lock still holds.
    pub remaining: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetLockReturn {
    pub lock_id: u64,
    pub lock: Lock,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListLocksParams {
    pub provider: ActorID,
    /// Resume at this lock id (the previous page's `next`).
    pub cursor: Option<u64>,
    /// 1 to `MAX_PAGE`.
    pub limit: u32,
}

pub const MAX_PAGE: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListLocksReturn {
    pub locks: Vec<GetLockReturn>,
    pub next: Option<u64>,
}

/// Running totals. The escrow's balance is at least `held`: it equals it unless someone pushed
/// FIL in with a plain method-0 transfer, which runs no code and cannot be refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Totals {
    pub held: TokenAmount,
    pub locked_total: TokenAmount,
    pub slashed_total: TokenAmount,
    pub reporter_rewards_total: TokenAmount,
    pub released_total: TokenAmount,
    pub locks_created: u64,
    pub locks_open: u64,
}

crate::u8_enum! {
    /// What changed, in the `OnCollateralChanged` callback.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CollateralChange("lock change") {
        /// A fault fee was charged; the lock stays open.
        FaultFee = 0,
        /// Everything was slashed: the lock is settled (deal terminated, sector dead).
        Slashed = 1,
        /// The remainder went back to `refund_to`: the lock is settled, the storage completed.
        Released = 2,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OnCollateralChangedParams {
    pub lock_id: u64,
    /// The locker's reference given at `Lock`.
    pub reference: Option<u64>,
    pub change: CollateralChange,
    /// FIL that left the lock in this change.
    pub amount: TokenAmount,
    pub remaining: TokenAmount,
    pub epoch: ChainEpoch,
}
