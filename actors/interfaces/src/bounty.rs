//! BountyMarket's interface: method numbers, parameters, returns and events.
//!
//! A client escrows `replicas × reward_per_replica` for a piece; a storage provider claims one
//! replica by proving (through the builtin market) an active deal that stores the piece for at
//! least `min_duration` more epochs, and locks `collateral_per_replica` in the CollateralEscrow.
//! The claim's reward vests linearly over `min_duration` and is pulled with `Withdraw`. When the
//! escrow slashes the claim's collateral (the storage failed), vesting stops, the unvested
//! reward returns to the bounty and the slot reopens until the bounty expires.
//!
//! Renewal: a client may fund renewal terms (`renewals` at post, `FundRenewals` later), its
//! money alone (sponsors never fund nor share it). The provider of a claim that completed, or
//! whose deal is about to end, continues it for another `min_duration` with a new deal
//! (`RenewClaim`) or DDO activation (payload `[bounty_id, claim_id]`) of the same piece; the
//! claim keeps every earlier term in its `history`.

use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};

use crate::escrow::SectorLocation;
use crate::method_hash;

pub const METHOD_CONSTRUCTOR: MethodNum = crate::METHOD_CONSTRUCTOR;
pub const METHOD_POST_BOUNTY: MethodNum = method_hash!("PostBounty");
pub const METHOD_CLAIM_BOUNTY: MethodNum = method_hash!("ClaimBounty");
pub const METHOD_WITHDRAW: MethodNum = method_hash!("Withdraw");
pub const METHOD_CANCEL_BOUNTY: MethodNum = method_hash!("CancelBounty");
pub const METHOD_RECLAIM: MethodNum = method_hash!("Reclaim");
pub const METHOD_GET_BOUNTY: MethodNum = method_hash!("GetBounty");
pub const METHOD_LIST_BOUNTIES: MethodNum = method_hash!("ListBounties");
pub const METHOD_GET_CLAIM: MethodNum = method_hash!("GetClaim");
pub const METHOD_GET_PROVIDER_BALANCE: MethodNum = method_hash!("GetProviderBalance");
/// Returns [`GetPolicyReturn`]: the policy and what the market took from its escrow.
pub const METHOD_GET_POLICY: MethodNum = method_hash!("GetPolicy");
/// Anyone adds value to an open bounty's unclaimed slots ([`IdParams`] + value).
pub const METHOD_FUND_BOUNTY: MethodNum = method_hash!("FundBounty");
/// A sponsor pulls its pro-rata share of what a cancelled or expired bounty returned
/// ([`IdParams`]; returns [`SponsorRefundReturn`]).
pub const METHOD_REFUND_SPONSOR: MethodNum = method_hash!("RefundSponsor");
/// A sponsor's contribution and what it can pull now ([`GetContributionParams`]).
pub const METHOD_GET_CONTRIBUTION: MethodNum = method_hash!("GetContribution");
/// The client adds renewal terms to a bounty ([`FundRenewalsParams`] + value = renewals ×
/// reward_per_replica): money only a renewed claim takes, never shared with sponsors.
pub const METHOD_FUND_RENEWALS: MethodNum = method_hash!("FundRenewals");
/// The client takes back the whole `renewal_pool` and withdraws the offer ([`IdParams`];
/// returns the amount).
pub const METHOD_RECLAIM_RENEWALS: MethodNum = method_hash!("ReclaimRenewals");
/// A claim's provider continues it for another `min_duration` with a new deal
/// ([`RenewClaimParams`] + value = collateral_per_replica; returns [`RenewClaimReturn`]).
pub const METHOD_RENEW_CLAIM: MethodNum = method_hash!("RenewClaim");
/// The escrow's callback (accepted only from the configured escrow).
pub const METHOD_ON_COLLATERAL_CHANGED: MethodNum = crate::escrow::METHOD_ON_COLLATERAL_CHANGED;

/// The CommP codes: fil-commitment-unsealed (codec) and sha2-256-trunc254-padded (multihash).
pub use fvm_shared::commcid::{FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};
/// Smallest padded piece size.
pub const MIN_PIECE_SIZE: u64 = 128;

/// Claims a bounty takes over its life, per replica: a slashed claim reopens its slot until a
/// bounty has taken this many, after that its unvested reward becomes refundable. It bounds
/// the claimants list every claim reads and writes.
pub const MAX_CLAIMS_PER_REPLICA: u64 = 4;

/// Renewal terms one claim takes over its life (its `history` holds at most this many earlier
/// terms); a bounty's `renewals_left` is at most `replicas × MAX_RENEWALS_PER_CLAIM`.
pub const MAX_RENEWALS_PER_CLAIM: u64 = 8;

/// Event names (FIP-0049 `$type`).
pub const EVENT_POSTED: &str = "bounty-posted";
pub const EVENT_CLAIMED: &str = "bounty-claimed";
pub const EVENT_CANCELLED: &str = "bounty-cancelled";
pub const EVENT_RECLAIMED: &str = "bounty-reclaimed";
pub const EVENT_WITHDRAWN: &str = "reward-withdrawn";
pub const EVENT_CLAIM_SLASHED: &str = "claim-slashed";
pub const EVENT_CLAIM_COMPLETED: &str = "claim-completed";
pub const EVENT_FUNDED: &str = "bounty-funded";
pub const EVENT_SPONSOR_REFUNDED: &str = "sponsor-refunded";
/// {bounty, client indexed; renewals, amount}.
pub const EVENT_RENEWALS_FUNDED: &str = "renewals-funded";
/// {bounty, client indexed; amount}.
pub const EVENT_RENEWALS_RECLAIMED: &str = "renewals-reclaimed";
/// {bounty, claim, provider indexed; deal, lock, reward, term_start, term_end} (`deal` is
/// [`NO_DEAL`] for a DDO renewal).
pub const EVENT_CLAIM_RENEWED: &str = "claim-renewed";
/// An earlier term's lock was released: that term delivered {bounty, claim, provider; lock}.
pub const EVENT_CLAIM_TERM_COMPLETED: &str = "claim-term-completed";

/// The region of a provider the registry has no region for (unregistered, or registered with
/// an empty region): all such providers count as one region for `max_per_region`.
pub const UNKNOWN_REGION: &str = "unknown";

/// Fixed at construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MarketPolicy {
    /// Most replicas one bounty may ask for.
    pub max_replicas: u64,
    /// Most providers in an allowlist.
    pub max_allowlist: u64,
    /// Most entries in a listing page.
    pub max_page: u32,
    /// Shortest and longest `min_duration` a bounty may ask for.
    pub min_duration_floor: ChainEpoch,
    pub max_duration: ChainEpoch,
    /// Most claims one `Withdraw` settles (the rest on the next call).
    pub max_claims_per_withdraw: u32,
}

impl Default for MarketPolicy {
    fn default() -> Self {
        Self {
            max_replicas: 16,
            max_allowlist: 32,
            max_page: 100,
            min_duration_floor: 2880,
            max_duration: 3 * 1_051_200,
            max_claims_per_withdraw: 32,
        }
    }
}

impl MarketPolicy {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=256).contains(&self.max_replicas) {
            return Err("max_replicas must be 1 to 256".into());
        }
        if self.max_allowlist > 256 {
            return Err("max_allowlist must be at most 256".into());
        }
        if !(1..=1000).contains(&self.max_page) {
            return Err("max_page must be 1 to 1000".into());
        }
        if self.min_duration_floor < 1 || self.max_duration < self.min_duration_floor {
            return Err("durations must satisfy 1 ≤ min_duration_floor ≤ max_duration".into());
        }
        if !(1..=256).contains(&self.max_claims_per_withdraw) {
            return Err("max_claims_per_withdraw must be 1 to 256".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    pub escrow: Address,
    pub reputation: Address,
    pub policy: MarketPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PostBountyParams {
    /// A piece commitment (CommP): fil-commitment-unsealed, sha2-256-trunc254-padded.
    pub piece_cid: Cid,
    /// Padded size: a power of two ≥ 128.
    pub piece_size: u64,
    pub replicas: u64,
    pub reward_per_replica: TokenAmount,
    pub collateral_per_replica: TokenAmount,
    /// Each claim's deal must have at least this many epochs left; rewards vest over it.
    pub min_duration: ChainEpoch,
    /// No claim at or after this epoch; unclaimed rewards are reclaimable from then on.
    pub expiry: ChainEpoch,
    /// Providers below this reputation score (0..=10000) cannot claim.
    pub min_reputation: Option<u16>,
    /// Only these providers (miner IDs) may claim.
    pub allowed_providers: Option<Vec<ActorID>>,
    /// No two slot holders whose miners report the same owner address (one operator with ten
    /// miners is one replica). Needs at least 2 replicas.
    pub distinct_owners: bool,
    /// At most this many slot holders whose providers have the same registry region
    /// ([`UNKNOWN_REGION`] for providers without one): 1 to replicas − 1.
    pub max_per_region: Option<u32>,
    /// Renewal terms the client funds now (each `reward_per_replica`, see `RenewClaim`): the
    /// post's value is `(replicas + renewals) × reward_per_replica`. At most
    /// `replicas × MAX_RENEWALS_PER_CLAIM`.
    pub renewals: u64,
}

/// Whether a piece CID is a well-formed piece commitment.
/// (A CIDv0 is always dag-pb, so the codec check also makes it a v1.)
pub fn is_piece_cid(cid: &Cid) -> bool {
    fvm_shared::commcid::cid_to_piece_commitment_v1(cid).is_ok()
}

crate::u8_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum BountyStatus("bounty status") {
        Open = 0,
        Cancelled = 1,
    }
}

/// A live claim on a bounty's slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SlotHolder {
    pub claim_id: u64,
    pub provider: ActorID,
    /// The miner's owner at claim time, kept when the bounty has `distinct_owners`.
    pub owner: Option<ActorID>,
    /// The provider's registry region at claim time, kept when the bounty has `max_per_region`.
    pub region: Option<String>,
}

/// A bounty as stored. FIL it owes: `pool` (rewards of open slots) + `refundable` +
/// `renewal_pool`.
///
/// Slot funds: the client's `replicas × reward_per_replica` plus `sponsored` (what sponsors
/// added with `FundBounty`) = pool + refundable + reclaimed + sponsor_refunded + Σ what its
/// claims' slot terms are entitled to. What is returned (refundable + reclaimed +
/// sponsor_refunded) is shared pro rata to what each put in (see [`refund_share`]).
///
/// Renewal funds are the client's alone: `renewals_funded` = renewal_pool +
/// renewals_reclaimed + Σ what its claims' renewal terms are entitled to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Bounty {
    pub client: ActorID,
    pub piece_cid: Cid,
    pub piece_size: u64,
    pub replicas: u64,
    pub reward_per_replica: TokenAmount,
    pub collateral_per_replica: TokenAmount,
    pub min_duration: ChainEpoch,
    pub expiry: ChainEpoch,
    pub min_reputation: Option<u16>,
    pub allowed_providers: Option<Vec<ActorID>>,
    pub posted_at: ChainEpoch,
    pub status: BountyStatus,
    /// Slots that accept a claim now.
    pub open_slots: u64,
    /// Reward held for the open slots; a claim takes `pool / open_slots`.
    pub pool: TokenAmount,
    /// Claims holding a slot (at most `replicas`).
    pub holders: Vec<SlotHolder>,
    /// Every provider that ever took a slot, in order (a provider claims a bounty once, and a
    /// slashed one does not come back): at most `MAX_CLAIMS_PER_REPLICA × replicas`.
    pub claimants: Vec<ActorID>,
    /// Reward the client can take back (cancelled slots, or returned after expiry/cancel).
    pub refundable: TokenAmount,
    /// Everything the client already took back.
    pub reclaimed: TokenAmount,
    pub distinct_owners: bool,
    pub max_per_region: Option<u32>,
    /// Σ of the sponsors' contributions (all added to `pool`).
    pub sponsored: TokenAmount,
    /// How many sponsors contributed.
    pub sponsors: u64,
    /// Sponsors that have not yet taken their final refund (the dust of the pro-rata split
    /// goes to the client once this is 0 and the returns are final).
    pub sponsors_unsettled: u64,
    /// Everything the sponsors already took back.
    pub sponsor_refunded: TokenAmount,
    /// Funds for renewal terms not yet taken, plus the unvested reward of slashed renewal
    /// terms: a renewal takes `renewal_pool / renewals_left` (the last the rest).
    pub renewal_pool: TokenAmount,
    /// Renewal terms funded and not yet taken.
    pub renewals_left: u64,
    /// Σ the client paid for renewals (at post and with `FundRenewals`).
    pub renewals_funded: TokenAmount,
    /// Σ the client took back with `ReclaimRenewals`.
    pub renewals_reclaimed: TokenAmount,
}

impl Bounty {
    /// What the client put in at post.
    pub fn client_funded(&self) -> TokenAmount {
        &self.reward_per_replica * self.replicas
    }

    /// The most renewal terms it may hold funded at once.
    pub fn renewal_cap(&self) -> u64 {
        self.replicas.saturating_mul(MAX_RENEWALS_PER_CLAIM)
    }

    /// Everything the bounty's slots were funded with (renewal money is apart).
    pub fn raised(&self) -> TokenAmount {
        self.client_funded() + &self.sponsored
    }

    /// Everything returned so far to be shared (taken back or not).
    pub fn returned(&self) -> TokenAmount {
        &self.refundable + &self.reclaimed + &self.sponsor_refunded
    }

    /// Whether nothing more can ever be returned: the bounty takes no claim (cancelled, or at
    /// or past its expiry with its open slots' reward moved to `refundable`) and no claim
    /// holds a slot (only a slash of a held slot returns reward later).
    pub fn returns_final(&self, epoch: ChainEpoch) -> bool {
        (self.status == BountyStatus::Cancelled || epoch >= self.expiry)
            && self.pool.is_zero()
            && self.holders.is_empty()
    }

    /// What the client is entitled to of the returns: its pro-rata share rounded up (the
    /// sponsors' shares are rounded down), and once the returns are final and every sponsor
    /// took its final share, everything the sponsors did not take (the rounding dust).
    pub fn client_refund_entitlement(&self, epoch: ChainEpoch) -> TokenAmount {
        let returned = self.returned();
        if self.returns_final(epoch) && self.sponsors_unsettled == 0 {
            return &returned - &self.sponsor_refunded;
        }
        &returned - refund_share(&returned, &self.sponsored, &self.raised())
    }
}

/// A contributor's share of `returned`: floor(returned × part / whole), exact big-integer
/// arithmetic (0 when `whole` is 0).
pub fn refund_share(returned: &TokenAmount, part: &TokenAmount, whole: &TokenAmount) -> TokenAmount {
    if whole.is_zero() {
        return TokenAmount::default();
    }
    TokenAmount::from_atto((returned.atto() * part.atto()) / whole.atto())
}

/// A sponsor's record on a bounty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Contribution {
    /// Σ of what it sent with `FundBounty`.
    pub amount: TokenAmount,
    /// Σ of what it took back with `RefundSponsor`.
    pub refunded: TokenAmount,
    /// It took its share of the final returns: nothing more is due to it.
    pub settled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetContributionParams {
    pub bounty_id: u64,
    pub sponsor: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetContributionReturn {
    pub bounty_id: u64,
    pub sponsor: ActorID,
    pub contribution: Contribution,
    /// What `RefundSponsor` would pay now (0 before a cancel or the expiry).
    pub refundable_now: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SponsorRefundReturn {
    pub amount: TokenAmount,
    /// The returns were final: this was the sponsor's last refund.
    pub settled: bool,
}

crate::u8_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ClaimStatus("claim status") {
        /// Vesting while the storage lives.
        Active = 0,
        /// The collateral was slashed: vesting stopped at `stopped_at`.
        Slashed = 1,
        /// The collateral was released at the end: the storage was kept.
        Completed = 2,
    }
}

/// The durable receipt of a claim: the deal as the market reported it at claim time (the
/// market deletes deal state when a deal ends or is slashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealReceipt {
    pub deal_id: DealID,
    pub start_epoch: ChainEpoch,
    pub end_epoch: ChainEpoch,
    pub activated: ChainEpoch,
    pub sector: SectorNumber,
}

/// An earlier term of a renewed claim: its evidence, lock, collateral, and the reward that
/// vested linearly over [start, end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimTerm {
    pub deal: DealReceipt,
    pub lock_id: Option<u64>,
    pub collateral: TokenAmount,
    pub start: ChainEpoch,
    pub end: ChainEpoch,
    pub reward: TokenAmount,
}

/// A claim: its first term takes a bounty slot; each renewal (`RenewClaim`, or a DDO piece
/// naming `[bounty, claim]`) pushes the current term onto `history` and starts a new one.
/// `deal`, `lock_id`, `collateral`, `reward`, `term_start` and `vest_end` are the CURRENT
/// term's; [`Claim::total_reward`] and [`Claim::vested`] cover every term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Claim {
    pub bounty_id: u64,
    pub provider: ActorID,
    /// The controlling address that claimed.
    pub claimed_by: ActorID,
    pub deal: DealReceipt,
    pub claimed_at: ChainEpoch,
    /// The current term vests from `term_start` to `vest_end` (= term_start + min_duration;
    /// for the first term term_start = claimed_at).
    pub vest_end: ChainEpoch,
    /// The current term's reward.
    pub reward: TokenAmount,
    pub paid: TokenAmount,
    pub collateral: TokenAmount,
    /// The escrow lock holding the collateral.
    pub lock_id: Option<u64>,
    pub status: ClaimStatus,
    /// When vesting stopped (slash), if it did.
    pub stopped_at: Option<ChainEpoch>,
    /// Where the current term's vesting starts (`claimed_at` for the first term; for a renewal
    /// the later of the renewal and the previous term's end).
    pub term_start: ChainEpoch,
    /// Every earlier term, oldest first: `history[0]` is the slot term once renewed (while it
    /// is empty the current term is the slot term). At most [`MAX_RENEWALS_PER_CLAIM`].
    pub history: Vec<ClaimTerm>,
}

/// Linear vesting of `reward` over [start, end) by `until`.
fn vest_linear(reward: &TokenAmount, start: ChainEpoch, end: ChainEpoch, until: ChainEpoch) -> TokenAmount {
    let duration = (end - start).max(1);
    let elapsed = (until - start).clamp(0, duration);
    (reward * elapsed as u64).div_floor(duration as u64)
}

impl Claim {
    /// Every term as (start, end, reward), oldest first, the current one last.
    pub fn terms(&self) -> impl Iterator<Item = (ChainEpoch, ChainEpoch, &TokenAmount)> {
        self.history
            .iter()
            .map(|t| (t.start, t.end, &t.reward))
            .chain(std::iter::once((self.term_start, self.vest_end, &self.reward)))
    }

    /// Σ of every term's reward.
    pub fn total_reward(&self) -> TokenAmount {
        self.terms().map(|(_, _, r)| r.clone()).sum()
    }

    fn until(&self, epoch: ChainEpoch) -> ChainEpoch {
        match self.stopped_at {
            Some(stop) => stop.min(epoch),
            None => epoch,
        }
    }

    /// Reward vested by `epoch`: each term's linearly over its [start, end), frozen at a slash.
    pub fn vested(&self, epoch: ChainEpoch) -> TokenAmount {
        let until = self.until(epoch);
        self.terms().map(|(s, e, r)| vest_linear(r, s, e, until)).sum()
    }

    /// The slot term's (start, end, reward): the first term.
    pub fn slot_term(&self) -> (ChainEpoch, ChainEpoch, &TokenAmount) {
        match self.history.first() {
            Some(t) => (t.start, t.end, &t.reward),
            None => (self.term_start, self.vest_end, &self.reward),
        }
    }

    /// What the slot term vested by `epoch` (frozen at a slash).
    pub fn slot_vested(&self, epoch: ChainEpoch) -> TokenAmount {
        let (start, end, reward) = self.slot_term();
        vest_linear(reward, start, end, self.until(epoch))
    }

    /// What the claim's provider can still ever be paid.
    pub fn entitled(&self) -> TokenAmount {
        match self.status {
            ClaimStatus::Slashed => self.vested(self.stopped_at.unwrap_or(self.claimed_at)),
            ClaimStatus::Active | ClaimStatus::Completed => self.total_reward(),
        }
    }

    /// The part of [`Claim::entitled`] the slot term pays (the bounty's slot money).
    pub fn slot_entitled(&self) -> TokenAmount {
        match self.status {
            ClaimStatus::Slashed => self.slot_vested(self.stopped_at.unwrap_or(self.claimed_at)),
            ClaimStatus::Active | ClaimStatus::Completed => self.slot_term().2.clone(),
        }
    }

    /// The part of [`Claim::entitled`] renewal terms pay (the client's renewal money).
    pub fn renewal_entitled(&self) -> TokenAmount {
        self.entitled() - self.slot_entitled()
    }

    /// Every lock the claim's terms used, oldest first, the current one last.
    pub fn locks(&self) -> impl Iterator<Item = u64> + '_ {
        self.history.iter().filter_map(|t| t.lock_id).chain(self.lock_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimBountyParams {
    pub bounty_id: u64,
    /// The miner claiming.
    pub provider: Address,
    /// An activated deal of that miner storing the piece.
    pub deal_id: DealID,
    /// The sector holding the deal (the market's `GetDealSector`, off chain): the escrow checks
    /// the deal is in it and that it is active, and the claim's collateral answers for both.
    pub sector: SectorNumber,
    /// Where the deal's sector is (from the miner's `GenerateSectorLocation`, off chain): lets
    /// the escrow check it cheaply. Without it the escrow asks the miner to search.
    pub sector_location: Option<SectorLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimBountyReturn {
    pub claim_id: u64,
    pub lock_id: u64,
    pub reward: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FundRenewalsParams {
    pub bounty_id: u64,
    /// Renewal terms to add (≥ 1); the value sent is exactly renewals × reward_per_replica.
    pub renewals: u64,
}

/// `RenewClaim`: the claim's provider (the caller must control it) continues `claim_id` with
/// a new deal of the same piece lasting until the new term's end. Accepted from
/// `vest_end − min_duration/4` (the deal is about to end) until `vest_end + min_duration` (the
/// claim completed); the new term runs from max(now, vest_end) for `min_duration` and takes
/// `renewal_pool / renewals_left` (the last renewal the rest). Refused (16) when the client
/// funded no renewal, the claim is slashed, the bounty cancelled or the history full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RenewClaimParams {
    pub claim_id: u64,
    /// A new activated deal of the claim's provider storing the bounty's piece.
    pub deal_id: DealID,
    /// The sector holding it (as for [`ClaimBountyParams`]).
    pub sector: SectorNumber,
    pub sector_location: Option<SectorLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RenewClaimReturn {
    pub claim_id: u64,
    pub lock_id: u64,
    pub reward: TokenAmount,
    pub term_start: ChainEpoch,
    pub term_end: ChainEpoch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdParams {
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderParams {
    pub provider: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawReturn {
    pub paid: TokenAmount,
    /// The miner's owner, who received it.
    pub to: ActorID,
    /// True when more claims remain to settle: call again.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBountyReturn {
    pub bounty_id: u64,
    pub bounty: Bounty,
}

/// Which bounties to list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListBountiesParams {
    /// Only this client's bounties.
    pub client: Option<ActorID>,
    /// Only bounties for this piece.
    pub piece_cid: Option<Cid>,
    /// Resume at this bounty id (the previous page's `next`).
    pub cursor: Option<u64>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListBountiesReturn {
    pub bounties: Vec<GetBountyReturn>,
    pub next: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetClaimReturn {
    pub claim_id: u64,
    pub claim: Claim,
    /// Vested at the current epoch.
    pub vested: TokenAmount,
}

/// The market's fixed configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetPolicyReturn {
    pub escrow: ActorID,
    pub reputation: ActorID,
    pub policy: MarketPolicy,
    /// The escrow's `min_collateral`, read from it at construction (the escrow's policy never
    /// changes): `collateral_per_replica` must reach it or no claim could ever lock.
    pub min_collateral: TokenAmount,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProviderBalance {
    /// Vested across the provider's unsettled claims (at the current epoch).
    pub vested: TokenAmount,
    /// Paid so far across those claims.
    pub paid: TokenAmount,
    /// Vested and not yet paid: what `Withdraw` would pay now.
    pub withdrawable: TokenAmount,
    /// Not yet vested (and still vesting).
    pub pending: TokenAmount,
    /// Claims not yet fully paid.
    pub open_claims: u64,
}

// ---------------------------------------------------------------------------------------------
// DDO claims (direct data onboarding, FIP-0109): a miner's `SectorContentChanged` notification
// claims a bounty with sector evidence, its collateral taken from the provider's deposit.
// ---------------------------------------------------------------------------------------------

/// The DDO notification a builtin miner sends after ProveCommitSectors3 / ProveReplicaUpdates3
/// (docs/builtin-actors-interface.md §5.2); accepted only from a builtin miner (type 6), 18
/// otherwise.
pub const METHOD_SECTOR_CONTENT_CHANGED: MethodNum = method_hash!("SectorContentChanged");
/// `DepositCollateral{provider}` + value: collateral a DDO claim of that miner locks from.
pub const METHOD_DEPOSIT_COLLATERAL: MethodNum = method_hash!("DepositCollateral");
/// `WithdrawCollateral{provider, amount}`: what no claim has locked, paid to the miner's owner.
pub const METHOD_WITHDRAW_COLLATERAL: MethodNum = method_hash!("WithdrawCollateral");
/// `GetCollateral{provider}` (the bare address): the provider's [`CollateralDeposit`].
pub const METHOD_GET_COLLATERAL: MethodNum = method_hash!("GetCollateral");

pub const EVENT_COLLATERAL_DEPOSITED: &str = "collateral-deposited";
pub const EVENT_COLLATERAL_WITHDRAWN: &str = "collateral-withdrawn";
/// A DDO claim was made (as `bounty-claimed`, with the sector in place of the deal).
pub const EVENT_DDO_CLAIMED: &str = "bounty-claimed-ddo";
/// A notified piece was answered `accepted: false`, with the reason and its exit code.
pub const EVENT_DDO_REFUSED: &str = "ddo-piece-refused";

/// The `deal_id` of a DDO claim's receipt: there is no deal, the receipt's `sector` and
/// `end_epoch` (the sector's commitment epoch) are the evidence.
pub const NO_DEAL: DealID = u64::MAX;

/// `SectorContentChangedParams`, transparent: on the wire, the array of sectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectorContentChangedParams {
    pub sectors: Vec<SectorChanges>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorChanges {
    pub sector: SectorNumber,
    /// The sector's expiration when the notification was sent.
    pub minimum_commitment_epoch: ChainEpoch,
    pub added: Vec<PieceChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceChange {
    /// The piece CID (CommP).
    pub data: Cid,
    /// Padded size.
    pub size: u64,
    /// Chosen by the provider for this receiver. The market reads the CBOR of a bounty id (a
    /// bare u64, e.g. `0x18 0x2a` for bounty 42: a new claim on it, see [`ddo_payload`]) or
    /// the CBOR array `[bounty_id, claim_id]` (e.g. `0x82 0x18 0x2a 0x07`: a renewal of claim 7
    /// of bounty 42 from the provider's deposit, see [`ddo_renewal_payload`]).
    pub payload: fvm_ipld_encoding::RawBytes,
}

/// `SectorContentChangedReturn`, transparent: one list per sector, one `accepted` per piece,
/// mirroring the request's shape (`Vec<Vec<bool>>` on the wire).
pub type SectorContentChangedReturn = Vec<Vec<bool>>;

/// The payload naming bounty `bounty_id` in a piece's notify entry for the market.
pub fn ddo_payload(bounty_id: u64) -> fvm_ipld_encoding::RawBytes {
    // A u64 always encodes.
    fvm_ipld_encoding::RawBytes::new(fvm_ipld_encoding::to_vec(&bounty_id).unwrap_or_default())
}

/// The bounty id a payload names, if it is the CBOR of a u64 and nothing else.
pub fn decode_ddo_payload(payload: &[u8]) -> Option<u64> {
    fvm_ipld_encoding::from_slice(payload).ok()
}

/// The payload renewing claim `claim_id` of bounty `bounty_id`: the CBOR array
/// `[bounty_id, claim_id]`.
pub fn ddo_renewal_payload(bounty_id: u64, claim_id: u64) -> fvm_ipld_encoding::RawBytes {
    fvm_ipld_encoding::RawBytes::new(fvm_ipld_encoding::to_vec(&(bounty_id, claim_id)).unwrap_or_default())
}

/// The (bounty id, claim id) a renewal payload names, if it is a CBOR array of two u64s.
pub fn decode_ddo_renewal(payload: &[u8]) -> Option<(u64, u64)> {
    fvm_ipld_encoding::from_slice(payload).ok()
}

/// The bounty a payload names, a new claim's or a renewal's.
pub fn ddo_payload_bounty(payload: &[u8]) -> Option<u64> {
    decode_ddo_payload(payload).or_else(|| decode_ddo_renewal(payload).map(|(b, _)| b))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawCollateralParams {
    /// The miner whose deposit pays out.
    pub provider: Address,
    /// At most the deposit's `available`.
    pub amount: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawCollateralReturn {
    pub paid: TokenAmount,
    /// The miner's owner, who received it.
    pub to: ActorID,
    /// What stays deposited.
    pub available: TokenAmount,
}

/// A provider's collateral deposit for DDO claims.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CollateralDeposit {
    /// Not locked: a DDO claim takes its collateral from it, `WithdrawCollateral` pays it out.
    pub available: TokenAmount,
    /// Collateral DDO claims moved from the deposit into escrow locks so far (it returns to the
    /// miner's owner when a lock is released, as for a deal claim).
    pub locked_total: TokenAmount,
}
