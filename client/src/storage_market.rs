//! The builtin storage market's (f05) exported getters and escrow, as the suite's actors call
//! them (method numbers and encodings: `docs/builtin-actors-interface.md`).

use anyhow::Result;
use fvm_shared::address::Address;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::de::DeserializeOwned;
use stand_in_market::*;

use crate::{get, params, Account, Chain, Receipt};

/// The storage market actor (f05).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageMarketClient {
    pub address: Address,
}

impl Default for StorageMarketClient {
    fn default() -> Self {
        Self::new()
    }
}

impl StorageMarketClient {
    /// The storage market is a singleton at f05.
    pub const ID: ActorID = 5;

    pub fn new() -> Self {
        Self {
            address: Address::new_id(Self::ID),
        }
    }

    /// A deal getter, decoded.
    pub fn deal_get<C: Chain + ?Sized, T: DeserializeOwned>(
        &self,
        chain: &mut C,
        method: MethodNum,
        id: DealID,
    ) -> Result<Result<T, ExitCode>> {
        get(chain, self.address, method, &DealQueryParams { id })
    }

    pub fn deal_data_commitment<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<GetDealDataCommitmentReturn, ExitCode>> {
        self.deal_get(chain, METHOD_GET_DEAL_DATA_COMMITMENT, id)
    }

    pub fn deal_client<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<ActorID, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealClientReturn>(chain, METHOD_GET_DEAL_CLIENT, id)?
            .map(|r| r.client))
    }

    pub fn deal_provider<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<ActorID, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealProviderReturn>(chain, METHOD_GET_DEAL_PROVIDER, id)?
            .map(|r| r.provider))
    }

    pub fn deal_label<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<Label, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealLabelReturn>(chain, METHOD_GET_DEAL_LABEL, id)?
            .map(|r| r.label))
    }

    pub fn deal_term<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<GetDealTermReturn, ExitCode>> {
        self.deal_get(chain, METHOD_GET_DEAL_TERM, id)
    }

    pub fn deal_total_price<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealTotalPriceReturn>(chain, METHOD_GET_DEAL_TOTAL_PRICE, id)?
            .map(|r| r.total_price))
    }

    pub fn deal_client_collateral<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealClientCollateralReturn>(chain, METHOD_GET_DEAL_CLIENT_COLLATERAL, id)?
            .map(|r| r.collateral))
    }

    pub fn deal_provider_collateral<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<TokenAmount, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealProviderCollateralReturn>(chain, METHOD_GET_DEAL_PROVIDER_COLLATERAL, id)?
            .map(|r| r.collateral))
    }

    pub fn deal_verified<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<bool, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealVerifiedReturn>(chain, METHOD_GET_DEAL_VERIFIED, id)?
            .map(|r| r.verified))
    }

    pub fn deal_activation<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<GetDealActivationReturn, ExitCode>> {
        self.deal_get(chain, METHOD_GET_DEAL_ACTIVATION, id)
    }

    pub fn deal_sector<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        id: DealID,
    ) -> Result<Result<SectorNumber, ExitCode>> {
        Ok(self
            .deal_get::<_, GetDealSectorReturn>(chain, METHOD_GET_DEAL_SECTOR, id)?
            .map(|r| r.sector))
    }

    /// `AddBalance` for `to`, paying `value` from `from`.
    pub fn add_balance<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        to: Address,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let p = AddBalanceParams {
            provider_or_client: to,
        };
        chain.send(from, self.address, METHOD_ADD_BALANCE, params(&p), value)
    }

    /// `GetBalance` of `account` in the market's escrow.
    pub fn balance<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        account: Address,
    ) -> Result<Result<GetBalanceReturn, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_BALANCE,
            &GetBalanceParams { account },
        )
    }
}
