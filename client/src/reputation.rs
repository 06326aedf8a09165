//! The reputation registry's typed calls.

use anyhow::Result;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};
use serde::Serialize;
use suite_interfaces::reputation::*;

use crate::{all_pages, get, get_no_params, params, Account, Chain, Receipt};

/// A deployed reputation registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReputationClient {
    pub address: Address,
}

impl ReputationClient {
    pub fn new(address: Address) -> Self {
        Self { address }
    }

    /// The registry at an ID address.
    pub fn at(id: ActorID) -> Self {
        Self::new(Address::new_id(id))
    }

    /// Any registry method with CBOR params and no value (every registry method takes none).
    pub fn send<C: Chain + ?Sized, P: Serialize>(
        &self,
        chain: &mut C,
        from: &Account,
        method: MethodNum,
        p: &P,
    ) -> Result<Receipt> {
        chain.send(from, self.address, method, params(p), TokenAmount::default())
    }

    /// `AddReporter` (the admin only).
    pub fn add_reporter<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        admin: &Account,
        reporter: Address,
    ) -> Result<Receipt> {
        self.send(
            chain,
            admin,
            METHOD_ADD_REPORTER,
            &AddressParams { address: reporter },
        )
    }

    /// `RemoveReporter` (the admin only).
    pub fn remove_reporter<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        admin: &Account,
        reporter: Address,
    ) -> Result<Receipt> {
        self.send(
            chain,
            admin,
            METHOD_REMOVE_REPORTER,
            &AddressParams { address: reporter },
        )
    }

    /// `RegisterProvider` for `miner` (by its owner, worker or a control address).
    pub fn register<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        miner: Address,
        metadata: Metadata,
    ) -> Result<Receipt> {
        let p = RegisterProviderParams { miner, metadata };
        self.send(chain, from, METHOD_REGISTER_PROVIDER, &p)
    }

    /// `UpdateMetadata` of a registered `miner`.
    pub fn update_metadata<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        miner: Address,
        metadata: Metadata,
    ) -> Result<Receipt> {
        let p = RegisterProviderParams { miner, metadata };
        self.send(chain, from, METHOD_UPDATE_METADATA, &p)
    }

    pub fn reputation<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        provider: Address,
    ) -> Result<Result<ReputationView, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_REPUTATION,
            &GetReputationParams { provider },
        )
    }

    /// One score per provider, in order.
    pub fn scores<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        providers: Vec<ActorID>,
    ) -> Result<Result<Vec<u16>, ExitCode>> {
        let answer: Result<GetScoresReturn, ExitCode> = get(
            chain,
            self.address,
            METHOD_GET_SCORES,
            &GetScoresParams { providers },
        )?;
        Ok(answer.map(|r| r.scores))
    }

    /// One page of `ListProviders`.
    pub fn list_providers<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        cursor: Option<ActorID>,
        limit: u32,
    ) -> Result<Result<ListProvidersReturn, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_LIST_PROVIDERS,
            &ListProvidersParams { cursor, limit },
        )
    }

    /// Every provider with a record, walking pages of `limit`.
    pub fn all_providers<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        limit: u32,
    ) -> Result<Vec<ProviderSummary>> {
        let (providers, _) = all_pages("ListProviders", |cursor| {
            let page = self
                .list_providers(chain, cursor, limit)?
                .map_err(|c| anyhow::anyhow!("ListProviders failed with exit {}", c.value()))?;
            Ok((page.providers, page.next))
        })?;
        Ok(providers)
    }

    pub fn admin<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<GetAdminReturn, ExitCode>> {
        get_no_params(chain, self.address, METHOD_GET_ADMIN)
    }

    pub fn is_reporter<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        actor: ActorID,
    ) -> Result<Result<bool, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_IS_REPORTER,
            &IsReporterParams { actor },
        )
    }
}
