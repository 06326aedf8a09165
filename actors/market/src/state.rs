//! BountyMarket's state: a small root, bounties, claims and the indexes that keep every
//! message bounded.

use actor_runtime::map::{split_varint, MapKey, SetIndex};
use actor_runtime::{ActorResult, Map, Vector};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use suite_interfaces::bounty::{Bounty, Claim, CollateralDeposit, Contribution, MarketPolicy};

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub escrow: ActorID,
    pub reputation: ActorID,
    pub policy: MarketPolicy,
    /// The escrow's `min_collateral`, read at construction (its policy is fixed): a bounty's
    /// collateral must reach it or no claim could ever lock.
    pub min_collateral: TokenAmount,
    pub next_bounty_id: u64,
    pub next_claim_id: u64,
    /// bounty id → bounty (an AMT: ids are sequential).
    pub bounties: Cid,
    /// claim id → claim (an AMT).
    pub claims: Cid,
    /// client → its bounty ids.
    pub by_client: Cid,
    /// piece CID bytes → bounty ids for that piece.
    pub by_piece: Cid,
    /// deal id → the claim it backs (a deal backs one claim, ever).
    pub deals: Cid,
    /// provider → its claims not yet fully paid (what `Withdraw` walks, a page at a time).
    pub unpaid: Cid,
    /// provider → the unpaid claim its next `Withdraw` resumes at (so every claim is reached).
    pub withdraw_cursors: Cid,
    /// Every FIL the market owes: Σ pools + Σ refundables + Σ renewal pools + Σ (entitled −
    /// paid) of claims + Σ available collateral deposits.
    pub owed: TokenAmount,
    /// provider → its collateral deposit for DDO claims (one small entry per depositor).
    pub deposits: Cid,
    /// (bounty id, sponsor) → its contribution: one small entry per sponsor of a bounty.
    pub contributions: Cid,
}

/// A contribution's key: the bounty id then the sponsor id, both varints (a sponsor's entries
/// on different bounties are unrelated keys; no message walks them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SponsorKey {
    pub bounty_id: u64,
    pub sponsor: ActorID,
}

impl MapKey for SponsorKey {
    fn to_key_bytes(&self) -> Vec<u8> {
        let mut bytes = self.bounty_id.to_key_bytes();
        bytes.extend(self.sponsor.to_key_bytes());
        bytes
    }

    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self> {
        let (bounty_id, rest) = split_varint(bytes)?;
        Ok(Self {
            bounty_id,
            sponsor: u64::from_key_bytes(rest)?,
        })
    }
}

pub type Contributions<BS> = Map<BS, SponsorKey, Contribution>;

pub type Bounties<BS> = Vector<BS, Bounty>;
pub type Claims<BS> = Vector<BS, Claim>;
pub type Links<BS> = Map<BS, u64, u64>;
pub type Deposits<BS> = Map<BS, u64, CollateralDeposit>;

impl State {
    pub fn new<BS: Blockstore>(
        store: &BS,
        escrow: ActorID,
        reputation: ActorID,
        policy: MarketPolicy,
        min_collateral: TokenAmount,
    ) -> ActorResult<Self> {
        let empty = Links::empty_root(store, "links")?;
        let empty_vector = Bounties::empty_root(store, "bounties")?;
        Ok(Self {
            escrow,
            reputation,
            policy,
            min_collateral,
            next_bounty_id: 0,
            next_claim_id: 0,
            bounties: empty_vector,
            claims: empty_vector,
            by_client: empty,
            by_piece: empty,
            deals: empty,
            unpaid: empty,
            withdraw_cursors: empty,
            owed: TokenAmount::default(),
            deposits: empty,
            contributions: empty,
        })
    }

    pub fn bounties<BS: Blockstore>(&self, store: BS) -> ActorResult<Bounties<BS>> {
        Vector::load(store, &self.bounties, "bounties")
    }

    pub fn claims<BS: Blockstore>(&self, store: BS) -> ActorResult<Claims<BS>> {
        Vector::load(store, &self.claims, "claims")
    }

    pub fn deals<BS: Blockstore>(&self, store: BS) -> ActorResult<Links<BS>> {
        Map::load(store, &self.deals, "deals")
    }

    pub fn by_client<BS: Blockstore + Clone>(&self, store: BS) -> ActorResult<SetIndex<BS, u64>> {
        SetIndex::load(store, &self.by_client, "bounties by client")
    }

    pub fn by_piece<BS: Blockstore + Clone>(&self, store: BS) -> ActorResult<SetIndex<BS, Vec<u8>>> {
        SetIndex::load(store, &self.by_piece, "bounties by piece")
    }

    pub fn withdraw_cursors<BS: Blockstore>(&self, store: BS) -> ActorResult<Links<BS>> {
        Map::load(store, &self.withdraw_cursors, "withdraw cursors")
    }

    pub fn deposits<BS: Blockstore>(&self, store: BS) -> ActorResult<Deposits<BS>> {
        Map::load(store, &self.deposits, "collateral deposits")
    }

    pub fn contributions<BS: Blockstore>(&self, store: BS) -> ActorResult<Contributions<BS>> {
        Map::load(store, &self.contributions, "contributions")
    }

    pub fn unpaid<BS: Blockstore + Clone>(&self, store: BS) -> ActorResult<SetIndex<BS, u64>> {
        SetIndex::load(store, &self.unpaid, "unpaid claims")
    }
}
