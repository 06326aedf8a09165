//! The stand-in storage market (f05) on the devnet.
//!
//! [`StorageMarketExt`] adds the operator's deal-lifecycle controls to [`Harness`] (publish,
//! activate, terminate, settle, time out); the exported getters and the escrow (AddBalance /
//! GetBalance) are [`suite_client::StorageMarketClient`]'s. Controls come in two forms: `foo`
//! sends as the operator and fails unless the message succeeded (returning its receipt, for the events); `foo_as` sends from any account and
//! returns the receipt whatever the outcome.
//!
//! [`provider_miner`] creates a stand-in miner through init's Exec, so that deals have a
//! provider of builtin type Miner.
//!
//! The market refuses what the builtin market refuses (see `stand_in_market::logic`): at
//! publish a duration outside the market's policy (the harness devnet's
//! [`StorageMarketPolicy::DEVNET`](stand_in_market::StorageMarketPolicy::DEVNET): one day to 1,278 days), a
//! start already elapsed, a client that does not authenticate (accounts do; miners do not);
//! at activation a sector the provider has not added (`miner::add_sector`) or that is not
//! active, a deal ending after its sector's expiration, and pieces beyond the sector's size.

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::Serialize;
use stand_in_market::*;

use crate::harness::params;
use crate::{Account, Chain, Harness, Receipt};

/// The storage market's ID (f05).
pub const STORAGE_MARKET: ActorID = STORAGE_MARKET_ACTOR_ID;

/// Piece size of [`deal_proposal`]'s deals.
pub const DEFAULT_PIECE_SIZE: u64 = 2048;

/// A proposal between `client` and `provider` (which must be a miner) for `[start, end)`: a
/// 2 KiB piece whose CommP digest is 32 bytes of `seed` (keep `seed` below 0x40 for a
/// well-formed commitment), a text label, 1000 attoFIL per epoch, 2 FIL provider and 1 FIL
/// client collateral, not verified. Valid when `end - start` is within the market's duration
/// bounds (on the devnet 2,880 to 3,680,640 epochs) and `start` is not in the past. Adjust
/// fields with struct update syntax.
pub fn deal_proposal(
    client: ActorID,
    provider: ActorID,
    start: ChainEpoch,
    end: ChainEpoch,
    seed: u8,
) -> DealProposal {
    DealProposal {
        piece_cid: piece_cid([seed; 32]),
        piece_size: PaddedPieceSize(DEFAULT_PIECE_SIZE),
        verified_deal: false,
        client: Address::new_id(client),
        provider: Address::new_id(provider),
        label: Label::String(format!("deal {seed}")),
        start_epoch: start,
        end_epoch: end,
        storage_price_per_epoch: TokenAmount::from_atto(1000),
        provider_collateral: TokenAmount::from_whole(2),
        client_collateral: TokenAmount::from_whole(1),
    }
}

/// A deal provider: a stand-in miner owned by `owner` and worked by a new BLS account (32 GiB sectors, no control addresses), created by `owner` through init's Exec
/// ([`crate::miner::create_miner`]). Returns its ID.
pub fn provider_miner<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    owner: &Account,
) -> Result<ActorID> {
    provider_miner_with_worker(h, owner).map(|(miner, _)| miner)
}

/// [`provider_miner`], and its worker (an account with a BLS key and 1 FIL for its gas).
pub fn provider_miner_with_worker<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    owner: &Account,
) -> Result<(ActorID, Account)> {
    let worker = h.create_bls_account(TokenAmount::from_whole(1))?;
    let miner = crate::miner::create_miner(
        h,
        owner,
        owner.address(),
        worker.address(),
        Vec::new(),
        stand_in_miner::SECTOR_SIZE_32GIB,
    )
    .context("creating a provider miner")?;
    Ok((miner, worker))
}

/// `HarnessPublishDeal` from `from` (only the market's operator is obeyed), on any chain; the
/// return is the new deal's ID.
pub fn publish_deal<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    proposal: &DealProposal,
) -> Result<Receipt> {
    storage_market_send(chain, from, METHOD_HARNESS_PUBLISH_DEAL, params(proposal))
}

/// `HarnessActivateDeal` of deal `id` in `sector` at the current epoch, on any chain.
pub fn activate_deal<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    id: DealID,
    sector: SectorNumber,
) -> Result<Receipt> {
    let p = HarnessActivateDealParams {
        deal_id: id,
        sector_number: sector,
    };
    storage_market_send(chain, from, METHOD_HARNESS_ACTIVATE_DEAL, params(&p))
}

/// A deal control that takes the deal's ID (`HarnessTerminateDeal`, `HarnessSettleDeal`,
/// `HarnessTimeoutDeal`), on any chain.
pub fn deal_control<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    method: MethodNum,
    id: DealID,
) -> Result<Receipt> {
    storage_market_send(chain, from, method, params(&DealQueryParams { id }))
}

fn storage_market_send<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    method: MethodNum,
    raw: RawBytes,
) -> Result<Receipt> {
    chain.send(
        from,
        Address::new_id(STORAGE_MARKET),
        method,
        raw,
        TokenAmount::default(),
    )
}

/// Storage market (f05) calls on the harness.
pub trait StorageMarketExt {
    /// The market's state.
    fn storage_market_state(&self) -> Result<State>;
    /// The market's state root CID (changes with every state change).
    fn storage_market_state_cid(&self) -> Result<Cid>;

    /// Sends `method` to the market with a CBOR params block from `from`, no value.
    fn storage_market_call<P: Serialize>(
        &mut self,
        from: &Account,
        method: MethodNum,
        p: &P,
    ) -> Result<Receipt>;
    /// Sends `method` to the market with these exact params bytes (empty: no block).
    fn storage_market_send_raw(&mut self, from: &Account, method: MethodNum, raw: Vec<u8>)
        -> Result<Receipt>;

    /// `HarnessOperator`: the account the market lets drive deals.
    fn storage_market_operator(&mut self) -> Result<ActorID>;

    // Operator controls.
    fn publish_deal_as(&mut self, from: &Account, proposal: &DealProposal) -> Result<Receipt>;
    /// Publishes as the operator; returns the new deal's ID.
    fn publish_deal(&mut self, proposal: &DealProposal) -> Result<DealID>;
    fn activate_deal_as(&mut self, from: &Account, id: DealID, sector: SectorNumber) -> Result<Receipt>;
    /// Activates in `sector` at the current epoch, as the operator.
    fn activate_deal(&mut self, id: DealID, sector: SectorNumber) -> Result<Receipt>;
    fn terminate_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt>;
    fn terminate_deal(&mut self, id: DealID) -> Result<Receipt>;
    fn settle_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt>;
    fn settle_deal(&mut self, id: DealID) -> Result<Receipt>;
    fn timeout_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt>;
    fn timeout_deal(&mut self, id: DealID) -> Result<Receipt>;

    /// The raw receipt of a deal getter called with `id` as a message from the operator (the
    /// typed getters are [`suite_client::StorageMarketClient`]'s).
    fn deal_query(&mut self, method: MethodNum, id: DealID) -> Result<Receipt>;
}

impl<B: Blockstore + Clone + 'static> StorageMarketExt for Harness<B> {
    fn storage_market_state(&self) -> Result<State> {
        self.state(STORAGE_MARKET)
    }

    fn storage_market_state_cid(&self) -> Result<Cid> {
        Ok(self
            .actor(STORAGE_MARKET)?
            .ok_or_else(|| anyhow!("no market actor"))?
            .state)
    }

    fn storage_market_call<P: Serialize>(
        &mut self,
        from: &Account,
        method: MethodNum,
        p: &P,
    ) -> Result<Receipt> {
        self.send(
            from,
            Address::new_id(STORAGE_MARKET),
            method,
            params(p),
            TokenAmount::default(),
        )
    }

    fn storage_market_send_raw(
        &mut self,
        from: &Account,
        method: MethodNum,
        raw: Vec<u8>,
    ) -> Result<Receipt> {
        self.send(
            from,
            Address::new_id(STORAGE_MARKET),
            method,
            RawBytes::new(raw),
            TokenAmount::default(),
        )
    }

    fn storage_market_operator(&mut self) -> Result<ActorID> {
        let operator = self.operator();
        self.call_no_params(&operator, STORAGE_MARKET, METHOD_HARNESS_OPERATOR)?
            .ok()
            .context("HarnessOperator")?
            .ret()
    }

    fn publish_deal_as(&mut self, from: &Account, proposal: &DealProposal) -> Result<Receipt> {
        publish_deal(self, from, proposal)
    }

    fn publish_deal(&mut self, proposal: &DealProposal) -> Result<DealID> {
        let operator = self.operator();
        self.publish_deal_as(&operator, proposal)?
            .ok()
            .context("HarnessPublishDeal")?
            .ret()
    }

    fn activate_deal_as(&mut self, from: &Account, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        activate_deal(self, from, id, sector)
    }

    fn activate_deal(&mut self, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        let operator = self.operator();
        self.activate_deal_as(&operator, id, sector)?
            .ok()
            .with_context(|| format!("HarnessActivateDeal {id}"))
    }

    fn terminate_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        deal_control(self, from, METHOD_HARNESS_TERMINATE_DEAL, id)
    }

    fn terminate_deal(&mut self, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.terminate_deal_as(&operator, id)?
            .ok()
            .with_context(|| format!("HarnessTerminateDeal {id}"))
    }

    fn settle_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        deal_control(self, from, METHOD_HARNESS_SETTLE_DEAL, id)
    }

    fn settle_deal(&mut self, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.settle_deal_as(&operator, id)?
            .ok()
            .with_context(|| format!("HarnessSettleDeal {id}"))
    }

    fn timeout_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        deal_control(self, from, METHOD_HARNESS_TIMEOUT_DEAL, id)
    }

    fn timeout_deal(&mut self, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.timeout_deal_as(&operator, id)?
            .ok()
            .with_context(|| format!("HarnessTimeoutDeal {id}"))
    }

    fn deal_query(&mut self, method: MethodNum, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.storage_market_call(&operator, method, &DealQueryParams { id })
    }
}
