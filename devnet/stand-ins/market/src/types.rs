//! Wire and state types of the stand-in market, usable on the host by the harness.
//!
//! Every exported getter's params and return mirror the builtin market v18
//! (docs/builtin-actors-interface.md §2.1): one-field structs are CBOR-transparent, the others are
//! tuples in field order.

use std::fmt;

use actor_runtime::map::split_varint;
use actor_runtime::{method_hash, ActorError, ActorResult, MapKey};
use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

// ---------------------------------------------------------------------------------------------
// Method numbers.

/// Called by the system actor at genesis; params: [`ConstructorParams`] (the operator and the
/// deal duration policy).
pub const METHOD_CONSTRUCTOR: MethodNum = actor_runtime::METHOD_CONSTRUCTOR;
/// Legacy internal method, miners only: tuple `[epoch, sectors: Vec<u64>]`, no return.
pub const METHOD_ON_MINER_SECTORS_TERMINATE: MethodNum = 7;
/// Legacy internal method, the cron actor (f03) only, no params: the end-of-epoch crons of
/// every epoch before the current one (deal timeouts, and the miners' deadline crons, which
/// the builtin's power actor would run).
pub const METHOD_CRON_TICK: MethodNum = 9;
/// Miners only: params [`EnrollCronEventParams`] (the miner's next deadline event), no return.
pub const METHOD_HARNESS_ENROLL_CRON_EVENT: MethodNum = method_hash!("HarnessEnrollCronEvent");
/// What the cron sends a due miner (its legacy `OnDeferredCronEvent`): params
/// [`DeferredCronEventParams`].
pub const METHOD_MINER_ON_DEFERRED_CRON_EVENT: MethodNum = 12;

pub const METHOD_ADD_BALANCE: MethodNum = method_hash!("AddBalance");
pub const METHOD_GET_BALANCE: MethodNum = method_hash!("GetBalance");
pub const METHOD_GET_DEAL_DATA_COMMITMENT: MethodNum = method_hash!("GetDealDataCommitment");
pub const METHOD_GET_DEAL_CLIENT: MethodNum = method_hash!("GetDealClient");
pub const METHOD_GET_DEAL_PROVIDER: MethodNum = method_hash!("GetDealProvider");
pub const METHOD_GET_DEAL_LABEL: MethodNum = method_hash!("GetDealLabel");
pub const METHOD_GET_DEAL_TERM: MethodNum = method_hash!("GetDealTerm");
pub const METHOD_GET_DEAL_TOTAL_PRICE: MethodNum = method_hash!("GetDealTotalPrice");
pub const METHOD_GET_DEAL_CLIENT_COLLATERAL: MethodNum = method_hash!("GetDealClientCollateral");
pub const METHOD_GET_DEAL_PROVIDER_COLLATERAL: MethodNum = method_hash!("GetDealProviderCollateral");
pub const METHOD_GET_DEAL_VERIFIED: MethodNum = method_hash!("GetDealVerified");
pub const METHOD_GET_DEAL_ACTIVATION: MethodNum = method_hash!("GetDealActivation");
pub const METHOD_GET_DEAL_SECTOR: MethodNum = method_hash!("GetDealSector");

/// Harness control (operator only): params [`HarnessPublishDealParams`], returns the DealID.
pub const METHOD_HARNESS_PUBLISH_DEAL: MethodNum = method_hash!("HarnessPublishDeal");
/// Harness control (operator only): params [`HarnessActivateDealParams`], no return.
pub const METHOD_HARNESS_ACTIVATE_DEAL: MethodNum = method_hash!("HarnessActivateDeal");
/// Harness control (operator only): params [`DealQueryParams`], no return.
pub const METHOD_HARNESS_TERMINATE_DEAL: MethodNum = method_hash!("HarnessTerminateDeal");
/// Harness control (operator only): params [`DealQueryParams`], no return.
pub const METHOD_HARNESS_SETTLE_DEAL: MethodNum = method_hash!("HarnessSettleDeal");
/// Harness control (operator only): params [`DealQueryParams`], no return.
pub const METHOD_HARNESS_TIMEOUT_DEAL: MethodNum = method_hash!("HarnessTimeoutDeal");
/// Any caller, no params: returns the operator as a transparent `ActorID`.
pub const METHOD_HARNESS_OPERATOR: MethodNum = method_hash!("HarnessOperator");

/// Exported (FRC-42) method numbers start here; lower numbers are for builtin callers.
pub const FIRST_EXPORTED_METHOD: MethodNum = 1 << 24;

/// What the market sends a deal's client at publish, read-only, as the builtin market does
/// (docs/builtin-actors-interface.md §2.4): params [`AuthenticateMessageParams`], expected return
/// `true`.
pub const METHOD_AUTHENTICATE_MESSAGE: MethodNum = method_hash!("AuthenticateMessage");

/// The provider's exported miner getters the market reads at activation
/// (docs/builtin-actors-interface.md §3.1, §3.3): `GetSectorSize` (no params, transparent u64),
/// `GenerateSectorLocation` (1-tuple sector number, `[status, aux_data]`),
/// `GetNominalSectorExpiration` (bare u64, bare epoch; 17 for a sector the miner does not have).
pub use actor_runtime::builtin::miner::{
    GENERATE_SECTOR_LOCATION as METHOD_MINER_GENERATE_SECTOR_LOCATION,
    GET_NOMINAL_SECTOR_EXPIRATION as METHOD_MINER_GET_NOMINAL_SECTOR_EXPIRATION,
    GET_SECTOR_SIZE as METHOD_MINER_GET_SECTOR_SIZE,
};

// ---------------------------------------------------------------------------------------------
// Limits and market exit codes.

/// Longest label the builtin market accepts, in bytes.
pub const DEAL_MAX_LABEL_SIZE: usize = 256;
/// Smallest padded piece.
pub const MIN_PIECE_SIZE: u64 = 128;
/// Epochs in a day (30-second epochs).
pub const EPOCHS_IN_DAY: ChainEpoch = 2880;
/// The builtin market's cron visits each deal once per this many epochs (its policy
/// `deal_updates_interval`, 30 days), at an epoch offset by the deal's id.
pub const DEAL_UPDATES_INTERVAL: ChainEpoch = 30 * EPOCHS_IN_DAY;
/// At most this many miners' deadline crons run in one `CronTick`; the rest stay due for the
/// next (the devnet sends ticks until nothing is due), so no tick runs out of gas.
pub const MAX_MINER_CRONS_PER_TICK: usize = 100;
/// Upper bound of every price and collateral the builtin market accepts (its
/// `deal_price_per_epoch_bounds` and collateral bounds): all the FIL there will ever be,
/// 2·10⁹ FIL.
pub fn total_filecoin() -> TokenAmount {
    TokenAmount::from_whole(2_000_000_000)
}

/// The deal duration bounds the market enforces at publish, inclusive, in epochs. Fixed at
/// construction (genesis).
///
/// The builtin market hard-codes its bounds (`deal_duration_bounds` in
/// `actors/market/src/policy.rs`, the same for every network build): 180 and 1,278 days since
/// FIP-0052 ([`StorageMarketPolicy::MAINNET`]; builtin-actors' integration test
/// `psd_deal_duration_too_long` publishes 1,278 days and is refused 1,279). The devnet
/// shortens the minimum so that tests and demos need not span half a year
/// ([`StorageMarketPolicy::DEVNET`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct StorageMarketPolicy {
    pub min_deal_duration: ChainEpoch,
    pub max_deal_duration: ChainEpoch,
}

impl StorageMarketPolicy {
    /// builtin-actors v18 on every network: 180 days (518,400 epochs) to 1,278 days
    /// (3,680,640 epochs).
    pub const MAINNET: StorageMarketPolicy = StorageMarketPolicy {
        min_deal_duration: 180 * EPOCHS_IN_DAY,
        max_deal_duration: 1278 * EPOCHS_IN_DAY,
    };

    /// The harness devnet: at least one day (2,880 epochs, the bounty market's default
    /// `min_duration_floor`, so every bounty's shortest acceptable deal can be published) and
    /// at most mainnet's 1,278 days.
    pub const DEVNET: StorageMarketPolicy = StorageMarketPolicy {
        min_deal_duration: EPOCHS_IN_DAY,
        max_deal_duration: 1278 * EPOCHS_IN_DAY,
    };

    /// 16 unless 1 ≤ min ≤ max.
    pub fn validate(&self) -> ActorResult<()> {
        let (min, max) = (self.min_deal_duration, self.max_deal_duration);
        if min < 1 || max < min {
            return Err(ActorError::illegal_argument(format!(
                "deal duration bounds must satisfy 1 <= min <= max, got [{min}, {max}]"
            )));
        }
        Ok(())
    }
}

pub use actor_runtime::builtin::{EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED};

/// The CommP codes: fil-commitment-unsealed (codec) and sha2-256-trunc254-padded (multihash).
pub use fvm_shared::commcid::{FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};

/// Whether `cid` is a piece commitment CID (v1, fil-commitment-unsealed, 32-byte
/// sha2-256-trunc254-padded), as the builtin market requires of `piece_cid`. (A CIDv0 is
/// always dag-pb, so the codec check also makes it a v1.)
pub fn is_piece_cid(cid: &Cid) -> bool {
    fvm_shared::commcid::cid_to_piece_commitment_v1(cid).is_ok()
}

/// The piece CID of a 32-byte CommP digest. The top two bits of the last byte should be 0
/// for a real commitment; the market does not check it.
pub fn piece_cid(digest: [u8; 32]) -> Cid {
    // The codes are the CommP pair and the digest 32 bytes: this cannot fail.
    fvm_shared::commcid::piece_commitment_v1_to_cid(&digest).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Label.

/// A deal label: untagged, a CBOR text string or a CBOR byte string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Label {
    String(String),
    Bytes(Vec<u8>),
}

impl Label {
    /// Length in bytes (the limit is on this).
    pub fn len(&self) -> usize {
        match self {
            Label::String(s) => s.len(),
            Label::Bytes(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Label {
    fn default() -> Self {
        Label::String(String::new())
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label::String(s.to_owned())
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Label::String(s) => serializer.serialize_str(s),
            Label::Bytes(b) => serializer.serialize_bytes(b),
        }
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelVisitor;

        impl de::Visitor<'_> for LabelVisitor {
            type Value = Label;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text or byte string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Label, E> {
                Ok(Label::String(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Label, E> {
                Ok(Label::String(v))
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Label, E> {
                Ok(Label::Bytes(v.to_vec()))
            }

            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Label, E> {
                Ok(Label::Bytes(v))
            }
        }

        deserializer.deserialize_any(LabelVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Deals.

/// A deal proposal in the builtin field order. Stored with client and provider normalised to
/// ID addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealProposal {
    pub piece_cid: Cid,
    pub piece_size: PaddedPieceSize,
    pub verified_deal: bool,
    pub client: Address,
    pub provider: Address,
    pub label: Label,
    pub start_epoch: ChainEpoch,
    pub end_epoch: ChainEpoch,
    pub storage_price_per_epoch: TokenAmount,
    pub provider_collateral: TokenAmount,
    pub client_collateral: TokenAmount,
}

impl DealProposal {
    pub fn duration(&self) -> ChainEpoch {
        self.end_epoch - self.start_epoch
    }
}

/// `HarnessPublishDeal` takes a proposal exactly as `DealProposal` is laid out (no
/// signature: the operator vouches for it). The label may be text or bytes.
pub type HarnessPublishDealParams = DealProposal;

/// `HarnessPublishDeal` returns the new deal's ID as a bare u64.
pub type HarnessPublishDealReturn = DealID;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct HarnessActivateDealParams {
    pub deal_id: DealID,
    pub sector_number: SectorNumber,
}

/// `HarnessOperator` returns the operator as a bare u64.
pub type HarnessOperatorReturn = ActorID;

/// Constructor params: `[operator, [min_deal_duration, max_deal_duration]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    pub operator: ActorID,
    pub policy: StorageMarketPolicy,
}

/// `AuthenticateMessage` params (docs/builtin-actors-interface.md §2.4): the client's signature
/// without its type byte, and the CBOR of the proposal as submitted. The stand-in has no signature
/// to pass (the operator vouches for the proposal), so `signature` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AuthenticateMessageParams {
    pub signature: RawBytes,
    pub message: RawBytes,
}

/// `GenerateSectorLocation` params: a 1-tuple, not transparent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorNumberTuple {
    pub sector_number: SectorNumber,
}

/// `OnMinerSectorsTerminate` params. The builtin carries the sectors as an RLE+ BitField;
/// the stand-in takes a plain CBOR list of sector numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OnMinerSectorsTerminateParams {
    pub epoch: ChainEpoch,
    pub sectors: Vec<SectorNumber>,
}

// ---------------------------------------------------------------------------------------------
// Getters (docs/builtin-actors-interface.md §2.1).

/// Params of every deal getter and of the harness terminate/settle/timeout methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DealQueryParams {
    pub id: DealID,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealDataCommitmentReturn {
    pub data: Cid,
    pub size: PaddedPieceSize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealClientReturn {
    pub client: ActorID,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealProviderReturn {
    pub provider: ActorID,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealLabelReturn {
    pub label: Label,
}

/// end_epoch = start + duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealTermReturn {
    pub start: ChainEpoch,
    pub duration: ChainEpoch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealTotalPriceReturn {
    pub total_price: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealClientCollateralReturn {
    pub collateral: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealProviderCollateralReturn {
    pub collateral: TokenAmount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealVerifiedReturn {
    pub verified: bool,
}

/// `[activated, terminated]`: `[-1, -1]` while published but not activated; since v13 a
/// successful answer always has `terminated = -1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealActivationReturn {
    pub activated: ChainEpoch,
    pub terminated: ChainEpoch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetDealSectorReturn {
    pub sector: SectorNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddBalanceParams {
    pub provider_or_client: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetBalanceParams {
    pub account: Address,
}

/// A miner's next deadline event (`None`: none until a sector changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EnrollCronEventParams {
    pub epoch: Option<ChainEpoch>,
}

/// Sent to a due miner: run the deadline crons through the end of `epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeferredCronEventParams {
    pub epoch: ChainEpoch,
}

/// The epoch at whose end the builtin market's cron first visits deal `id` starting at
/// `start` (its `gen_rand_next_epoch`): the first epoch at or after `start` that is congruent
/// to `id` modulo [`DEAL_UPDATES_INTERVAL`].
/// None where that epoch is beyond `ChainEpoch`.
pub fn deal_update_epoch(start: ChainEpoch, id: DealID) -> Option<ChainEpoch> {
    let offset = (id % DEAL_UPDATES_INTERVAL as u64) as ChainEpoch;
    let day = start.div_euclid(DEAL_UPDATES_INTERVAL) * DEAL_UPDATES_INTERVAL;
    let same_day = day.checked_add(offset)?;
    if same_day >= start {
        Some(same_day)
    } else {
        same_day.checked_add(DEAL_UPDATES_INTERVAL)
    }
}

/// `[balance, locked]`. The stand-in does not lock funds for deals: `locked` is always 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBalanceReturn {
    pub balance: TokenAmount,
    pub locked: TokenAmount,
}

// ---------------------------------------------------------------------------------------------
// State.

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The harness account allowed to drive deal lifecycles.
    pub operator: ActorID,
    /// The next DealID to hand out; every id below it was published once.
    pub next_id: DealID,
    /// HAMT DealID → [`DealRecord`] of live deals. Deleted deals (terminated, settled, timed
    /// out) are removed, which is what makes the getters answer 32.
    pub deals: Cid,
    /// HAMT ActorID → escrow `TokenAmount`.
    pub balances: Cid,
    /// HAMT [`SectorKey`] → `Vec<DealID>` of the activated deals in that provider's sector.
    pub sector_deals: Cid,
    /// Deal duration bounds, fixed at construction.
    pub policy: StorageMarketPolicy,
    /// HAMT DealID → the epoch of its cron visit, for published deals not activated yet: at
    /// the end of that epoch a deal still not activated times out.
    pub pending_deals: Cid,
    /// HAMT miner ActorID → the epoch of its next deadline event.
    pub cron_queue: Cid,
    /// The earliest epoch at whose end a cron has work (a pending deal's visit or a miner's
    /// event), `None` when there is none: the devnet sends `CronTick` only when it is due.
    pub next_cron: Option<ChainEpoch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealRecord {
    pub proposal: DealProposal,
    /// `None` while published but not activated.
    pub activation: Option<DealActivation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealActivation {
    pub epoch: ChainEpoch,
    pub sector: SectorNumber,
}

/// Key of the sector index: a provider's sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectorKey {
    pub provider: ActorID,
    pub sector: SectorNumber,
}

/// Two unsigned varints back to back (each is self-delimiting).
impl MapKey for SectorKey {
    fn to_key_bytes(&self) -> Vec<u8> {
        let mut bytes = self.provider.to_key_bytes();
        bytes.extend(self.sector.to_key_bytes());
        bytes
    }

    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self> {
        let (provider, sector) = split_varint(bytes).map_err(|e| e.wrap("sector key"))?;
        Ok(Self {
            provider,
            sector: u64::from_key_bytes(sector)?,
        })
    }
}
