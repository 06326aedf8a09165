//! Typed helpers for the stand-in storage market (f05).
//!
//! [`StorageMarketExt`] adds storage market calls to [`Harness`]: the operator's deal-lifecycle
//! controls (publish, activate, terminate, settle, time out), every exported getter, and the
//! escrow (AddBalance / GetBalance). Getters answer `Result<Result<T, ExitCode>>`: the outer error is a
//! harness failure, the inner one the exit code the market aborted with, so tests can assert
//! it. Controls come in two forms: `foo` sends as the operator and fails unless the message
//! succeeded (returning its receipt, for the events); `foo_as` sends from any account and
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
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stand_in_market::*;

use crate::harness::params;
use crate::{Account, Harness, Receipt};

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

/// A deal provider: a stand-in miner owned and worked by `owner` (32 GiB sectors, no control
/// addresses), created by `owner` through init's Exec ([`crate::miner::create_miner`]).
/// Returns its ID.
pub fn provider_miner<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    owner: &Account,
) -> Result<ActorID> {
    crate::miner::create_miner(
        h,
        owner,
        owner.address(),
        owner.address(),
        Vec::new(),
        stand_in_miner::SECTOR_SIZE_32GIB,
    )
    .context("creating a provider miner")
}

/// The decoded return of a successful receipt, or the exit code of a failed one.
pub fn outcome<T: DeserializeOwned>(r: &Receipt) -> Result<Result<T, ExitCode>> {
    if r.is_ok() {
        Ok(Ok(r.ret()?))
    } else {
        Ok(Err(r.exit_code))
    }
}

/// `Ok(())` for a successful receipt that returned nothing (as methods returning `()` do),
/// or the exit code of a failed one.
pub fn unit_outcome(r: &Receipt) -> Result<Result<(), ExitCode>> {
    if !r.is_ok() {
        return Ok(Err(r.exit_code));
    }
    if !r.return_data.is_empty() {
        return Err(anyhow!(
            "expected no return block, got {:02x?}",
            r.return_data.bytes()
        ));
    }
    Ok(Ok(()))
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

    // Getters (any caller; these send from the operator).
    /// The raw receipt of a deal getter called with `id`.
    fn deal_query(&mut self, method: MethodNum, id: DealID) -> Result<Receipt>;
    /// A deal getter, decoded.
    fn deal_get<T: DeserializeOwned>(&mut self, method: MethodNum, id: DealID)
        -> Result<Result<T, ExitCode>>;
    fn deal_data_commitment(&mut self, id: DealID) -> Result<Result<GetDealDataCommitmentReturn, ExitCode>>;
    fn deal_client(&mut self, id: DealID) -> Result<Result<ActorID, ExitCode>>;
    fn deal_provider(&mut self, id: DealID) -> Result<Result<ActorID, ExitCode>>;
    fn deal_label(&mut self, id: DealID) -> Result<Result<Label, ExitCode>>;
    fn deal_term(&mut self, id: DealID) -> Result<Result<GetDealTermReturn, ExitCode>>;
    fn deal_total_price(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>>;
    fn deal_client_collateral(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>>;
    fn deal_provider_collateral(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>>;
    fn deal_verified(&mut self, id: DealID) -> Result<Result<bool, ExitCode>>;
    fn deal_activation(&mut self, id: DealID) -> Result<Result<GetDealActivationReturn, ExitCode>>;
    fn deal_sector(&mut self, id: DealID) -> Result<Result<SectorNumber, ExitCode>>;

    // Escrow.
    /// `AddBalance` for `to`, paying `value` from `from`.
    fn storage_market_add_balance(
        &mut self,
        from: &Account,
        to: Address,
        value: TokenAmount,
    ) -> Result<Result<(), ExitCode>>;
    /// `GetBalance` of `account`.
    fn storage_market_balance(&mut self, account: Address) -> Result<Result<GetBalanceReturn, ExitCode>>;
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
        self.storage_market_call(from, METHOD_HARNESS_PUBLISH_DEAL, proposal)
    }

    fn publish_deal(&mut self, proposal: &DealProposal) -> Result<DealID> {
        let operator = self.operator();
        self.publish_deal_as(&operator, proposal)?
            .ok()
            .context("HarnessPublishDeal")?
            .ret()
    }

    fn activate_deal_as(&mut self, from: &Account, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        let p = HarnessActivateDealParams {
            deal_id: id,
            sector_number: sector,
        };
        self.storage_market_call(from, METHOD_HARNESS_ACTIVATE_DEAL, &p)
    }

    fn activate_deal(&mut self, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        let operator = self.operator();
        self.activate_deal_as(&operator, id, sector)?
            .ok()
            .with_context(|| format!("HarnessActivateDeal {id}"))
    }

    fn terminate_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.storage_market_call(from, METHOD_HARNESS_TERMINATE_DEAL, &DealQueryParams { id })
    }

    fn terminate_deal(&mut self, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.terminate_deal_as(&operator, id)?
            .ok()
            .with_context(|| format!("HarnessTerminateDeal {id}"))
    }

    fn settle_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.storage_market_call(from, METHOD_HARNESS_SETTLE_DEAL, &DealQueryParams { id })
    }

    fn settle_deal(&mut self, id: DealID) -> Result<Receipt> {
        let operator = self.operator();
        self.settle_deal_as(&operator, id)?
            .ok()
            .with_context(|| format!("HarnessSettleDeal {id}"))
    }

    fn timeout_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.storage_market_call(from, METHOD_HARNESS_TIMEOUT_DEAL, &DealQueryParams { id })
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

    fn deal_get<T: DeserializeOwned>(
        &mut self,
        method: MethodNum,
        id: DealID,
    ) -> Result<Result<T, ExitCode>> {
        outcome(&self.deal_query(method, id)?)
    }

    fn deal_data_commitment(&mut self, id: DealID) -> Result<Result<GetDealDataCommitmentReturn, ExitCode>> {
        self.deal_get(METHOD_GET_DEAL_DATA_COMMITMENT, id)
    }

    fn deal_client(&mut self, id: DealID) -> Result<Result<ActorID, ExitCode>> {
        Ok(self
            .deal_get::<GetDealClientReturn>(METHOD_GET_DEAL_CLIENT, id)?
            .map(|r| r.client))
    }

    fn deal_provider(&mut self, id: DealID) -> Result<Result<ActorID, ExitCode>> {
        Ok(self
            .deal_get::<GetDealProviderReturn>(METHOD_GET_DEAL_PROVIDER, id)?
            .map(|r| r.provider))
    }

    fn deal_label(&mut self, id: DealID) -> Result<Result<Label, ExitCode>> {
        Ok(self
            .deal_get::<GetDealLabelReturn>(METHOD_GET_DEAL_LABEL, id)?
            .map(|r| r.label))
    }

    fn deal_term(&mut self, id: DealID) -> Result<Result<GetDealTermReturn, ExitCode>> {
        self.deal_get(METHOD_GET_DEAL_TERM, id)
    }

    fn deal_total_price(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<GetDealTotalPriceReturn>(METHOD_GET_DEAL_TOTAL_PRICE, id)?
            .map(|r| r.total_price))
    }

    fn deal_client_collateral(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<GetDealClientCollateralReturn>(METHOD_GET_DEAL_CLIENT_COLLATERAL, id)?
            .map(|r| r.collateral))
    }

    fn deal_provider_collateral(&mut self, id: DealID) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<GetDealProviderCollateralReturn>(METHOD_GET_DEAL_PROVIDER_COLLATERAL, id)?
            .map(|r| r.collateral))
    }

    fn deal_verified(&mut self, id: DealID) -> Result<Result<bool, ExitCode>> {
        Ok(self
            .deal_get::<GetDealVerifiedReturn>(METHOD_GET_DEAL_VERIFIED, id)?
            .map(|r| r.verified))
    }

    fn deal_activation(&mut self, id: DealID) -> Result<Result<GetDealActivationReturn, ExitCode>> {
        self.deal_get(METHOD_GET_DEAL_ACTIVATION, id)
    }

    fn deal_sector(&mut self, id: DealID) -> Result<Result<SectorNumber, ExitCode>> {
        Ok(self
            .deal_get::<GetDealSectorReturn>(METHOD_GET_DEAL_SECTOR, id)?
            .map(|r| r.sector))
    }

    fn storage_market_add_balance(
        &mut self,
        from: &Account,
        to: Address,
        value: TokenAmount,
    ) -> Result<Result<(), ExitCode>> {
        let p = AddBalanceParams {
            provider_or_client: to,
        };
        let r = self.send(
            from,
            Address::new_id(STORAGE_MARKET),
            METHOD_ADD_BALANCE,
            params(&p),
            value,
        )?;
        unit_outcome(&r)
    }

    fn storage_market_balance(&mut self, account: Address) -> Result<Result<GetBalanceReturn, ExitCode>> {
        let operator = self.operator();
        let r = self.storage_market_call(&operator, METHOD_GET_BALANCE, &GetBalanceParams { account })?;
        outcome(&r)
    }
}
