//! The collateral escrow's typed calls.

use anyhow::Result;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use suite_interfaces::escrow::*;

use crate::{all_pages, get, get_no_params, params, Account, Chain, Receipt};

/// A deployed collateral escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscrowClient {
    pub address: Address,
}

impl EscrowClient {
    pub fn new(address: Address) -> Self {
        Self { address }
    }

    /// The escrow at an ID address.
    pub fn at(id: ActorID) -> Self {
        Self::new(Address::new_id(id))
    }

    /// `Lock` with `value` as the collateral; the return is the lock id.
    pub fn lock<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        p: &LockParams,
        value: TokenAmount,
    ) -> Result<Receipt> {
        chain.send(from, self.address, METHOD_LOCK, params(p), value)
    }

    /// `TopUp`: adds `value` to an open lock.
    pub fn top_up<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        lock_id: u64,
        value: TokenAmount,
    ) -> Result<Receipt> {
        chain.send(
            from,
            self.address,
            METHOD_TOP_UP,
            params(&LockIdParams { lock_id }),
            value,
        )
    }

    /// `ReportFault` with `proof`; the return is a [`ReportFaultReturn`].
    pub fn report_fault<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        lock_id: u64,
        proof: FaultProof,
    ) -> Result<Receipt> {
        let p = ReportFaultParams { lock_id, proof };
        chain.send(
            from,
            self.address,
            METHOD_REPORT_FAULT,
            params(&p),
            TokenAmount::default(),
        )
    }

    /// `Release` of a lock whose term has ended.
    pub fn release<C: Chain + ?Sized>(&self, chain: &mut C, from: &Account, lock_id: u64) -> Result<Receipt> {
        let p = LockIdParams { lock_id };
        chain.send(
            from,
            self.address,
            METHOD_RELEASE,
            params(&p),
            TokenAmount::default(),
        )
    }

    pub fn get_lock<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        lock_id: u64,
    ) -> Result<Result<GetLockReturn, ExitCode>> {
        get(chain, self.address, METHOD_GET_LOCK, &LockIdParams { lock_id })
    }

    /// One page of `provider`'s locks.
    pub fn list_locks<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        provider: ActorID,
        cursor: Option<u64>,
        limit: u32,
    ) -> Result<Result<ListLocksReturn, ExitCode>> {
        let p = ListLocksParams {
            provider,
            cursor,
            limit,
        };
        get(chain, self.address, METHOD_LIST_LOCKS, &p)
    }

    /// Every lock of `provider`, walking pages of `limit`; also answers the page sizes.
    pub fn all_locks<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        provider: ActorID,
        limit: u32,
    ) -> Result<(Vec<GetLockReturn>, Vec<usize>)> {
        all_pages("ListLocks", |cursor| {
            let page = self
                .list_locks(chain, provider, cursor, limit)?
                .map_err(|c| anyhow::anyhow!("ListLocks failed with exit {}", c.value()))?;
            Ok((page.locks, page.next))
        })
    }

    pub fn totals<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<Totals, ExitCode>> {
        get_no_params(chain, self.address, METHOD_GET_TOTALS)
    }

    pub fn policy<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<Policy, ExitCode>> {
        get_no_params(chain, self.address, METHOD_GET_POLICY)
    }
}
