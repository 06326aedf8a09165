//! The bounty market's typed calls.

use anyhow::Result;
use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use suite_interfaces::bounty::*;

use crate::{all_pages, get, get_no_params, params, Account, Chain, Receipt};

/// A deployed bounty market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BountyMarketClient {
    pub address: Address,
}

impl BountyMarketClient {
    pub fn new(address: Address) -> Self {
        Self { address }
    }

    /// The market at an ID address.
    pub fn at(id: ActorID) -> Self {
        Self::new(Address::new_id(id))
    }

    fn send<C: Chain + ?Sized, P: serde::Serialize>(
        &self,
        chain: &mut C,
        from: &Account,
        method: u64,
        p: &P,
        value: TokenAmount,
    ) -> Result<Receipt> {
        chain.send(from, self.address, method, params(p), value)
    }

    /// `PostBounty`, escrowing `value` (replicas × reward_per_replica for a valid post); the
    /// return is the bounty id.
    pub fn post<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        p: &PostBountyParams,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send(chain, from, METHOD_POST_BOUNTY, p, value)
    }

    /// `ClaimBounty` with `value` as the collateral (the bounty's collateral_per_replica);
    /// the return is a [`ClaimBountyReturn`].
    pub fn claim<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        p: &ClaimBountyParams,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send(chain, from, METHOD_CLAIM_BOUNTY, p, value)
    }

    /// `Withdraw` what has vested for `provider` (a miner) to its owner.
    pub fn withdraw<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        provider: Address,
    ) -> Result<Receipt> {
        let p = ProviderParams { provider };
        self.send(chain, from, METHOD_WITHDRAW, &p, TokenAmount::default())
    }

    /// `CancelBounty`: the client takes back the unclaimed slots' rewards.
    pub fn cancel<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
    ) -> Result<Receipt> {
        let p = IdParams { id: bounty_id };
        self.send(chain, from, METHOD_CANCEL_BOUNTY, &p, TokenAmount::default())
    }

    /// `Reclaim`: the client takes back what an expired bounty still holds for it.
    pub fn reclaim<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
    ) -> Result<Receipt> {
        let p = IdParams { id: bounty_id };
        self.send(chain, from, METHOD_RECLAIM, &p, TokenAmount::default())
    }

    /// `DepositCollateral` of `value` for `provider` (a miner; `from` one of its controlling
    /// addresses): what its DDO claims lock from. The return is the [`CollateralDeposit`].
    pub fn deposit_collateral<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        provider: Address,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let p = ProviderParams { provider };
        self.send(chain, from, METHOD_DEPOSIT_COLLATERAL, &p, value)
    }

    /// `WithdrawCollateral` of `amount` not locked, paid to the miner's owner; the return is a
    /// [`WithdrawCollateralReturn`].
    pub fn withdraw_collateral<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        provider: Address,
        amount: TokenAmount,
    ) -> Result<Receipt> {
        let p = WithdrawCollateralParams { provider, amount };
        self.send(
            chain,
            from,
            METHOD_WITHDRAW_COLLATERAL,
            &p,
            TokenAmount::default(),
        )
    }

    /// `GetCollateral`: the provider's deposit (zero when it never deposited).
    pub fn collateral<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        provider: Address,
    ) -> Result<Result<CollateralDeposit, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_COLLATERAL,
            &ProviderParams { provider },
        )
    }

    /// `FundBounty`: adds `value` to the reward of the bounty's open slots; the caller is
    /// recorded as a sponsor.
    pub fn fund<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let p = IdParams { id: bounty_id };
        self.send(chain, from, METHOD_FUND_BOUNTY, &p, value)
    }

    /// `RefundSponsor`: the caller pulls its share of what a cancelled or expired bounty
    /// returned; the return is a [`SponsorRefundReturn`].
    pub fn refund_sponsor<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
    ) -> Result<Receipt> {
        let p = IdParams { id: bounty_id };
        self.send(chain, from, METHOD_REFUND_SPONSOR, &p, TokenAmount::default())
    }

    /// `FundRenewals`: the client adds `renewals` renewal terms, sending `value` (renewals ×
    /// reward_per_replica for a valid call).
    pub fn fund_renewals<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
        renewals: u64,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let p = FundRenewalsParams { bounty_id, renewals };
        self.send(chain, from, METHOD_FUND_RENEWALS, &p, value)
    }

    /// `ReclaimRenewals`: the client takes back the bounty's whole renewal pool; the return is
    /// the amount.
    pub fn reclaim_renewals<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        bounty_id: u64,
    ) -> Result<Receipt> {
        let p = IdParams { id: bounty_id };
        self.send(chain, from, METHOD_RECLAIM_RENEWALS, &p, TokenAmount::default())
    }

    /// `RenewClaim` with `value` as the new term's collateral (the bounty's
    /// collateral_per_replica); the return is a [`RenewClaimReturn`].
    pub fn renew<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        from: &Account,
        p: &RenewClaimParams,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send(chain, from, METHOD_RENEW_CLAIM, p, value)
    }

    pub fn get_contribution<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        bounty_id: u64,
        sponsor: Address,
    ) -> Result<Result<GetContributionReturn, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_CONTRIBUTION,
            &GetContributionParams { bounty_id, sponsor },
        )
    }

    pub fn get_bounty<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        bounty_id: u64,
    ) -> Result<Result<GetBountyReturn, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_BOUNTY,
            &IdParams { id: bounty_id },
        )
    }

    pub fn get_claim<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        claim_id: u64,
    ) -> Result<Result<GetClaimReturn, ExitCode>> {
        get(chain, self.address, METHOD_GET_CLAIM, &IdParams { id: claim_id })
    }

    pub fn provider_balance<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        provider: Address,
    ) -> Result<Result<ProviderBalance, ExitCode>> {
        get(
            chain,
            self.address,
            METHOD_GET_PROVIDER_BALANCE,
            &ProviderParams { provider },
        )
    }

    pub fn policy<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<GetPolicyReturn, ExitCode>> {
        get_no_params(chain, self.address, METHOD_GET_POLICY)
    }

    /// One page of `ListBounties`.
    pub fn list_bounties<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        p: &ListBountiesParams,
    ) -> Result<Result<ListBountiesReturn, ExitCode>> {
        get(chain, self.address, METHOD_LIST_BOUNTIES, p)
    }

    /// Every bounty matching `client` / `piece_cid`, walking pages of `limit`; also answers the
    /// page sizes.
    pub fn all_bounties<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        client: Option<ActorID>,
        piece_cid: Option<Cid>,
        limit: u32,
    ) -> Result<(Vec<GetBountyReturn>, Vec<usize>)> {
        all_pages("ListBounties", |cursor| {
            let p = ListBountiesParams {
                client,
                piece_cid,
                cursor,
                limit,
            };
            let page = self
                .list_bounties(chain, &p)?
                .map_err(|c| anyhow::anyhow!("ListBounties failed with exit {}", c.value()))?;
            Ok((page.bounties, page.next))
        })
    }
}
