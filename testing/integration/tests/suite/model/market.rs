//! The market's slice of the model: bounties, claims, vesting, sponsors, cancels and reclaims,
//! and the escrow's callbacks (a slash stops a claim and returns its unvested reward, a release
//! completes it). Pure bookkeeping on u128 attoFIL, mirroring `bounty_market::logic` rule by
//! rule; [`MarketModel::compare`] holds it against the market's stored state.

use std::collections::{BTreeMap, BTreeSet};

use fvm_shared::clock::ChainEpoch;
use fvm_shared::ActorID;
use suite_interfaces::bounty::{
    Bounty, BountyStatus, Claim, ClaimStatus, MAX_CLAIMS_PER_REPLICA, MAX_RENEWALS_PER_CLAIM,
};

use integration_tests::{BountyMarketClient, Harness};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Active,
    Slashed,
    Completed,
}

#[derive(Debug, Clone)]
pub(super) struct BountyModel {
    pub id: u64,
    pub client: ActorID,
    /// Index into the pieces (`PIECES`).
    pub piece: usize,
    pub replicas: u64,
    pub reward_per_replica: u128,
    pub collateral: u128,
    pub min_duration: ChainEpoch,
    pub expiry: ChainEpoch,
    pub min_reputation: Option<u16>,
    pub allowed: Option<Vec<ActorID>>,
    pub cancelled: bool,
    pub open_slots: u64,
    pub pool: u128,
    /// Claim ids holding a slot, in order.
    pub holders: Vec<u64>,
    /// Miners that ever took a slot, in order.
    pub claimants: Vec<ActorID>,
    pub refundable: u128,
    pub reclaimed: u128,
    pub sponsored: u128,
    pub sponsors: u64,
    pub sponsors_unsettled: u64,
    pub sponsor_refunded: u128,
    /// The client's renewal money: terms not yet taken plus slashed renewal terms' unvested.
    pub renewal_pool: u128,
    pub renewals_left: u64,
    pub renewals_funded: u128,
    pub renewals_reclaimed: u128,
}

impl BountyModel {
    pub fn cap(&self) -> u64 {
        self.replicas * MAX_CLAIMS_PER_REPLICA
    }

    fn returned(&self) -> u128 {
        self.refundable + self.reclaimed + self.sponsor_refunded
    }

    fn raised(&self) -> u128 {
        self.reward_per_replica * self.replicas as u128 + self.sponsored
    }

    fn returns_final(&self, epoch: ChainEpoch) -> bool {
        (self.cancelled || epoch >= self.expiry) && self.pool == 0 && self.holders.is_empty()
    }

    fn client_entitlement(&self, epoch: ChainEpoch) -> u128 {
        let returned = self.returned();
        if self.returns_final(epoch) && self.sponsors_unsettled == 0 {
            return returned - self.sponsor_refunded;
        }
        returned - share(returned, self.sponsored, self.raised())
    }

    /// From the expiry on, the open slots' reward is returned (lazily, by a refund).
    fn close_if_expired(&mut self, epoch: ChainEpoch) {
        if epoch >= self.expiry && !self.cancelled {
            self.refundable += self.pool;
            self.pool = 0;
            self.open_slots = 0;
        }
    }
}

/// floor(returned × part / whole), 0 for a whole of 0.
fn share(returned: u128, part: u128, whole: u128) -> u128 {
    if whole == 0 {
        return 0;
    }
    // Amounts here stay far below 2^64 attoFIL × 2^64: no overflow.
    returned * part / whole
}

/// An earlier term of a renewed claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TermModel {
    pub lock_id: u64,
    pub start: ChainEpoch,
    pub end: ChainEpoch,
    pub reward: u128,
}

/// floor(reward × elapsed / duration) over [start, end) by `until`: each term on its own.
fn vest_linear(reward: u128, start: ChainEpoch, end: ChainEpoch, until: ChainEpoch) -> u128 {
    let duration = (end - start).max(1);
    let elapsed = (until - start).clamp(0, duration);
    reward * elapsed as u128 / duration as u128
}

#[derive(Debug, Clone)]
pub(super) struct ClaimModel {
    pub id: u64,
    /// Index into the bounties.
    pub bounty: usize,
    /// Index into the providers.
    pub provider: usize,
    pub claimed_at: ChainEpoch,
    /// The current term's start, end and reward.
    pub term_start: ChainEpoch,
    pub vest_end: ChainEpoch,
    pub reward: u128,
    /// Earlier terms, oldest first (the slot term first once renewed).
    pub history: Vec<TermModel>,
    pub paid: u128,
    pub lock_id: u64,
    pub status: Status,
    pub stopped_at: Option<ChainEpoch>,
    /// Still in the provider's withdrawal index.
    pub unpaid: bool,
}

impl ClaimModel {
    fn until(&self, epoch: ChainEpoch) -> ChainEpoch {
        match self.stopped_at {
            Some(stop) => stop.min(epoch),
            None => epoch,
        }
    }

    /// Every term as (start, end, reward), the current one last.
    fn terms(&self) -> impl Iterator<Item = (ChainEpoch, ChainEpoch, u128)> + '_ {
        self.history
            .iter()
            .map(|t| (t.start, t.end, t.reward))
            .chain(std::iter::once((self.term_start, self.vest_end, self.reward)))
    }

    /// Each term's linear vesting, floored per term, frozen at a slash.
    pub fn vested(&self, epoch: ChainEpoch) -> u128 {
        let until = self.until(epoch);
        self.terms().map(|(s, e, r)| vest_linear(r, s, e, until)).sum()
    }

    fn total_reward(&self) -> u128 {
        self.terms().map(|(_, _, r)| r).sum()
    }

    /// The slot term (the first): (start, end, reward).
    fn slot_term(&self) -> (ChainEpoch, ChainEpoch, u128) {
        self.terms().next().unwrap()
    }

    fn entitled(&self) -> u128 {
        match self.status {
            Status::Slashed => self.vested(self.stopped_at.unwrap_or(self.claimed_at)),
            Status::Active | Status::Completed => self.total_reward(),
        }
    }

    /// Every lock of its terms, oldest first.
    pub fn locks(&self) -> impl Iterator<Item = u64> + '_ {
        self.history
            .iter()
            .map(|t| t.lock_id)
            .chain(std::iter::once(self.lock_id))
    }

    /// `renewal_window`: the epochs it may renew in.
    pub fn renewal_window(&self, min_duration: ChainEpoch) -> (ChainEpoch, ChainEpoch) {
        (self.vest_end - min_duration / 4, self.vest_end + min_duration)
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct ContributionModel {
    pub amount: u128,
    pub refunded: u128,
    pub settled: bool,
}

/// The market as the model sees it.
#[derive(Debug, Clone, Default)]
pub(super) struct MarketModel {
    pub next_bounty: u64,
    pub next_claim: u64,
    pub bounties: Vec<BountyModel>,
    pub claims: Vec<ClaimModel>,
    /// (bounty index, sponsor) → contribution.
    pub contributions: BTreeMap<(usize, ActorID), ContributionModel>,
    /// Deal indexes that back a claim.
    pub used_deals: BTreeSet<usize>,
    /// Provider index → (available, locked_total) of its DDO collateral deposit.
    pub deposits: BTreeMap<usize, (u128, u128)>,
    /// For the reach figures: earlier terms' locks released while their claim went on, and
    /// slashes that returned renewal money to a renewal pool.
    pub term_releases: u64,
    pub renewal_returns: u64,
}

/// The exit codes the market answers with.
pub(super) const ILLEGAL_ARGUMENT: u32 = 16;
pub(super) const NOT_FOUND: u32 = 17;
pub(super) const FORBIDDEN: u32 = 18;
pub(super) const INSUFFICIENT_FUNDS: u32 = 19;
pub(super) const ILLEGAL_STATE: u32 = 20;

impl MarketModel {
    pub fn new(next_bounty: u64, next_claim: u64) -> Self {
        Self {
            next_bounty,
            next_claim,
            ..Self::default()
        }
    }

    /// The bounty an operation names: an index into those posted (modulo their count), or
    /// none (an id nobody posted).
    pub fn bounty_index(&self, r: Option<u64>) -> Option<usize> {
        let r = r?;
        (!self.bounties.is_empty()).then(|| (r % self.bounties.len() as u64) as usize)
    }

    pub fn bounty_id(&self, r: Option<u64>) -> u64 {
        match self.bounty_index(r) {
            Some(i) => self.bounties[i].id,
            None => 1_000_000,
        }
    }

    /// `check_claimable`: the bounty takes this miner's claim now.
    pub fn check_claimable(&self, b: usize, miner: ActorID, epoch: ChainEpoch) -> Result<(), u32> {
        let b = &self.bounties[b];
        if b.cancelled || epoch >= b.expiry || b.open_slots == 0 {
            return Err(ILLEGAL_STATE);
        }
        if let Some(allowed) = &b.allowed {
            if !allowed.contains(&miner) {
                return Err(FORBIDDEN);
            }
        }
        if b.claimants.contains(&miner) || b.claimants.len() as u64 >= b.cap() {
            return Err(ILLEGAL_STATE);
        }
        Ok(())
    }

    /// `record_claim`: the slot's share of the pool becomes the claim's reward. Returns the
    /// claim id and reward.
    #[allow(clippy::too_many_arguments)]
    pub fn record_claim(
        &mut self,
        b: usize,
        provider: usize,
        miner: ActorID,
        deal: Option<usize>,
        lock_id: u64,
        epoch: ChainEpoch,
    ) -> (u64, u128) {
        let id = self.next_claim;
        self.next_claim += 1;
        let bounty = &mut self.bounties[b];
        let reward = if bounty.open_slots == 1 {
            bounty.pool
        } else {
            bounty.pool / bounty.open_slots as u128
        };
        bounty.pool -= reward;
        bounty.open_slots -= 1;
        bounty.holders.push(id);
        bounty.claimants.push(miner);
        if bounty.claimants.len() as u64 >= bounty.cap() && bounty.open_slots > 0 {
            bounty.refundable += bounty.pool;
            bounty.pool = 0;
            bounty.open_slots = 0;
        }
        self.claims.push(ClaimModel {
            id,
            bounty: b,
            provider,
            claimed_at: epoch,
            term_start: epoch,
            vest_end: epoch + bounty.min_duration,
            reward,
            history: Vec::new(),
            paid: 0,
            lock_id,
            status: Status::Active,
            stopped_at: None,
            unpaid: true,
        });
        if let Some(deal) = deal {
            self.used_deals.insert(deal);
        } else {
            // A DDO claim's collateral leaves the provider's deposit.
            let collateral = self.bounties[b].collateral;
            let d = self.deposits.get_mut(&provider).unwrap();
            d.0 -= collateral;
            d.1 += collateral;
        }
        (id, reward)
    }

    fn claim_mut(&mut self, id: u64) -> &mut ClaimModel {
        self.claims.iter_mut().find(|c| c.id == id).unwrap()
    }

    /// The escrow's callback for a slash of one of claim `id`'s locks (any term's): the whole
    /// claim stops; the slot term's unvested reward goes back to the slot (reopened while the
    /// claim held it and the bounty takes claims) or to refundable, the renewal terms' to the
    /// client's renewal pool.
    pub fn on_slashed(&mut self, id: u64, epoch: ChainEpoch) {
        let c = self.claim_mut(id);
        if c.status != Status::Active {
            return;
        }
        let (start, end, slot_reward) = c.slot_term();
        let slot_unvested = slot_reward - vest_linear(slot_reward, start, end, epoch);
        let unvested = c.total_reward() - c.vested(epoch);
        let renewal_unvested = unvested - slot_unvested;
        c.status = Status::Slashed;
        c.stopped_at = Some(epoch);
        let b = c.bounty;
        let b = &mut self.bounties[b];
        let holds = b.holders.contains(&id);
        b.holders.retain(|h| *h != id);
        if holds && !b.cancelled && epoch < b.expiry && (b.claimants.len() as u64) < b.cap() {
            b.open_slots += 1;
            b.pool += slot_unvested;
        } else {
            b.refundable += slot_unvested;
        }
        b.renewal_pool += renewal_unvested;
        self.renewal_returns += u64::from(renewal_unvested > 0);
    }

    /// The escrow's callback for the release of claim `id`'s lock `lock`: the current term's
    /// completes the claim; an earlier term's only gives up the slot.
    pub fn on_released(&mut self, id: u64, lock: u64) {
        let c = self.claim_mut(id);
        if c.status != Status::Active {
            return;
        }
        let current = c.lock_id == lock;
        if current {
            c.status = Status::Completed;
        }
        let b = c.bounty;
        self.term_releases += u64::from(!current);
        self.bounties[b].holders.retain(|h| *h != id);
    }

    /// `FundRenewals` by `caller`: its checks in the market's order.
    pub fn fund_renewals(
        &mut self,
        b: usize,
        caller: ActorID,
        renewals: u64,
        value: u128,
    ) -> Result<u128, u32> {
        let bounty = &mut self.bounties[b];
        if bounty.client != caller {
            return Err(FORBIDDEN);
        }
        if bounty.cancelled || renewals == 0 {
            return Err(ILLEGAL_ARGUMENT);
        }
        let left = bounty.renewals_left + renewals;
        if left > bounty.replicas * MAX_RENEWALS_PER_CLAIM {
            return Err(ILLEGAL_ARGUMENT);
        }
        let amount = bounty.reward_per_replica * renewals as u128;
        if value != amount {
            return Err(ILLEGAL_ARGUMENT);
        }
        bounty.renewals_left = left;
        bounty.renewal_pool += amount;
        bounty.renewals_funded += amount;
        Ok(amount)
    }

    /// `ReclaimRenewals` by `caller`: the whole renewal pool.
    pub fn reclaim_renewals(&mut self, b: usize, caller: ActorID) -> Result<u128, u32> {
        let bounty = &mut self.bounties[b];
        if bounty.client != caller {
            return Err(FORBIDDEN);
        }
        if bounty.renewal_pool == 0 {
            return Err(ILLEGAL_ARGUMENT);
        }
        let amount = std::mem::take(&mut bounty.renewal_pool);
        bounty.renewals_left = 0;
        bounty.renewals_reclaimed += amount;
        Ok(amount)
    }

    /// `check_renewal_rules` for claim index `k` now.
    pub fn check_renewable(&self, k: usize, epoch: ChainEpoch) -> Result<(), u32> {
        let c = &self.claims[k];
        let b = &self.bounties[c.bounty];
        if c.status == Status::Slashed || b.cancelled || b.renewals_left == 0 {
            return Err(ILLEGAL_ARGUMENT);
        }
        if c.history.len() as u64 >= MAX_RENEWALS_PER_CLAIM {
            return Err(ILLEGAL_ARGUMENT);
        }
        let (from, until) = c.renewal_window(b.min_duration);
        if epoch < from || epoch > until {
            return Err(ILLEGAL_ARGUMENT);
        }
        Ok(())
    }

    /// `renewal_term`: from max(now, vest_end) for `min_duration`.
    pub fn renewal_term(&self, k: usize, epoch: ChainEpoch) -> (ChainEpoch, ChainEpoch) {
        let c = &self.claims[k];
        let start = epoch.max(c.vest_end);
        (start, start + self.bounties[c.bounty].min_duration)
    }

    /// `record_renewal` of claim index `k` with its new deal and lock: the reward taken from
    /// the renewal pool (`renewal_pool / renewals_left`, the last the rest).
    /// With no deal (a DDO renewal) the collateral leaves the provider's deposit.
    pub fn record_renewal(
        &mut self,
        k: usize,
        deal: Option<usize>,
        lock_id: u64,
        epoch: ChainEpoch,
    ) -> (u128, ChainEpoch, ChainEpoch) {
        let (start, end) = self.renewal_term(k, epoch);
        let b = self.claims[k].bounty;
        let bounty = &mut self.bounties[b];
        let reward = if bounty.renewals_left == 1 {
            bounty.renewal_pool
        } else {
            bounty.renewal_pool / bounty.renewals_left as u128
        };
        bounty.renewal_pool -= reward;
        bounty.renewals_left -= 1;
        let c = &mut self.claims[k];
        c.history.push(TermModel {
            lock_id: c.lock_id,
            start: c.term_start,
            end: c.vest_end,
            reward: c.reward,
        });
        c.lock_id = lock_id;
        c.term_start = start;
        c.vest_end = end;
        c.reward = reward;
        c.status = Status::Active;
        c.unpaid = true;
        match deal {
            Some(deal) => {
                self.used_deals.insert(deal);
            }
            None => {
                let (provider, collateral) = (c.provider, self.bounties[b].collateral);
                let d = self.deposits.get_mut(&provider).unwrap();
                d.0 -= collateral;
                d.1 += collateral;
            }
        }
        (reward, start, end)
    }

    /// `Withdraw` for provider `p`: what vested on its unpaid claims, or 20 when nothing is
    /// due and nothing settles.
    pub fn withdraw(&mut self, p: usize, epoch: ChainEpoch) -> Result<u128, u32> {
        let mut total = 0;
        let mut settled = Vec::new();
        let mut paid = Vec::new();
        for (k, c) in self.claims.iter().enumerate() {
            if c.provider != p || !c.unpaid {
                continue;
            }
            let vested = c.vested(epoch);
            total += vested - c.paid;
            paid.push((k, vested));
            let done = vested == c.entitled() && (c.status != Status::Active || epoch >= c.vest_end);
            if done {
                settled.push(k);
            }
        }
        if total == 0 && settled.is_empty() {
            return Err(ILLEGAL_STATE);
        }
        for (k, vested) in paid {
            self.claims[k].paid = vested;
        }
        for k in settled {
            self.claims[k].unpaid = false;
        }
        Ok(total)
    }

    pub fn cancel(&mut self, b: usize, caller: ActorID, epoch: ChainEpoch) -> Result<(), u32> {
        let bounty = &mut self.bounties[b];
        if bounty.client != caller {
            return Err(FORBIDDEN);
        }
        if bounty.cancelled || epoch >= bounty.expiry {
            return Err(ILLEGAL_STATE);
        }
        bounty.cancelled = true;
        bounty.refundable += bounty.pool;
        bounty.pool = 0;
        bounty.open_slots = 0;
        Ok(())
    }

    pub fn reclaim(&mut self, b: usize, caller: ActorID, epoch: ChainEpoch) -> Result<u128, u32> {
        let mut bounty = self.bounties[b].clone();
        if bounty.client != caller {
            return Err(FORBIDDEN);
        }
        if !bounty.cancelled && epoch < bounty.expiry {
            return Err(ILLEGAL_STATE);
        }
        bounty.close_if_expired(epoch);
        let amount = bounty.client_entitlement(epoch) - bounty.reclaimed;
        if amount == 0 {
            return Err(ILLEGAL_STATE);
        }
        bounty.refundable -= amount;
        bounty.reclaimed += amount;
        self.bounties[b] = bounty;
        Ok(amount)
    }

    pub fn fund(&mut self, b: usize, sponsor: ActorID, amount: u128, epoch: ChainEpoch) -> Result<(), u32> {
        let bounty = &mut self.bounties[b];
        if bounty.cancelled || epoch >= bounty.expiry || bounty.open_slots == 0 || bounty.returned() != 0 {
            return Err(ILLEGAL_STATE);
        }
        let entry = self.contributions.entry((b, sponsor)).or_default();
        if entry.amount == 0 {
            bounty.sponsors += 1;
            bounty.sponsors_unsettled += 1;
        }
        entry.amount += amount;
        bounty.pool += amount;
        bounty.sponsored += amount;
        Ok(())
    }

    /// `RefundSponsor`: the amount and whether it settled the sponsor.
    pub fn refund_sponsor(
        &mut self,
        b: usize,
        sponsor: ActorID,
        epoch: ChainEpoch,
    ) -> Result<(u128, bool), u32> {
        let mut bounty = self.bounties[b].clone();
        let Some(entry) = self.contributions.get(&(b, sponsor)).cloned() else {
            return Err(NOT_FOUND);
        };
        if !bounty.cancelled && epoch < bounty.expiry {
            return Err(ILLEGAL_STATE);
        }
        if entry.settled {
            return Err(ILLEGAL_STATE);
        }
        bounty.close_if_expired(epoch);
        let amount = share(bounty.returned(), entry.amount, bounty.raised()) - entry.refunded;
        let last = bounty.returns_final(epoch);
        if amount == 0 && !last {
            return Err(ILLEGAL_STATE);
        }
        let mut entry = entry;
        entry.refunded += amount;
        if last {
            entry.settled = true;
            bounty.sponsors_unsettled -= 1;
        }
        bounty.refundable -= amount;
        bounty.sponsor_refunded += amount;
        self.contributions.insert((b, sponsor), entry);
        self.bounties[b] = bounty;
        Ok((amount, last))
    }

    /// The market's stored bounties and claims against the model's: the first difference.
    /// Bounty `touched` (the one the operation named) and its claims are read through the
    /// market's `GetBounty` and `GetClaim`, the rest from its state root (the same records,
    /// without a message each).
    pub fn compare(
        &self,
        h: &mut Harness,
        market: ActorID,
        miners: &[ActorID],
        touched: Option<usize>,
    ) -> Result<(), String> {
        let client = BountyMarketClient::at(market);
        let state = integration_tests::bounty::state(h, market).map_err(|e| format!("{e:#}"))?;
        if (state.next_bounty_id, state.next_claim_id) != (self.next_bounty, self.next_claim) {
            return Err(format!(
                "the market's next bounty and claim ids are {:?}, the model says {:?}",
                (state.next_bounty_id, state.next_claim_id),
                (self.next_bounty, self.next_claim)
            ));
        }
        let atto = |a: &fvm_shared::econ::TokenAmount| u128::try_from(a.atto().clone()).unwrap();
        let stored = |h: &Harness, id: u64| -> Result<Bounty, String> {
            state
                .bounties(h.store())
                .and_then(|b| b.get(id).map(|b| b.cloned()))
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("bounty {id} is not in the market"))
        };
        for (k, m) in self.bounties.iter().enumerate() {
            let got: Bounty = if touched == Some(k) {
                client
                    .get_bounty(h, m.id)
                    .map_err(|e| format!("{e:#}"))?
                    .map_err(|code| format!("GetBounty {} answered exit {}", m.id, code.value()))?
                    .bounty
            } else {
                stored(h, m.id)?
            };
            let got_view = (
                got.status == BountyStatus::Cancelled,
                got.open_slots,
                atto(&got.pool),
                got.holders.iter().map(|h| h.claim_id).collect::<Vec<_>>(),
                got.claimants.clone(),
                atto(&got.refundable),
                atto(&got.reclaimed),
                atto(&got.sponsored),
                (got.sponsors, got.sponsors_unsettled),
                atto(&got.sponsor_refunded),
                (
                    atto(&got.renewal_pool),
                    got.renewals_left,
                    atto(&got.renewals_funded),
                    atto(&got.renewals_reclaimed),
                ),
            );
            let want = (
                m.cancelled,
                m.open_slots,
                m.pool,
                m.holders.clone(),
                m.claimants.clone(),
                m.refundable,
                m.reclaimed,
                m.sponsored,
                (m.sponsors, m.sponsors_unsettled),
                m.sponsor_refunded,
                (
                    m.renewal_pool,
                    m.renewals_left,
                    m.renewals_funded,
                    m.renewals_reclaimed,
                ),
            );
            if got_view != want {
                return Err(format!(
                    "bounty {} (cancelled, open slots, pool, holders, claimants, refundable, reclaimed, sponsored, sponsors, sponsor_refunded, (renewal_pool, renewals_left, renewals_funded, renewals_reclaimed)) is {got_view:?}, the model says {want:?}",
                    m.id
                ));
            }
        }
        let deposits = state.deposits(h.store()).map_err(|e| e.to_string())?;
        for (p, miner) in miners.iter().enumerate() {
            let got = deposits
                .get(miner)
                .map_err(|e| e.to_string())?
                .map(|d| (atto(&d.available), atto(&d.locked_total)))
                .unwrap_or_default();
            let want = self.deposits.get(&p).copied().unwrap_or_default();
            if got != want {
                return Err(format!(
                    "f0{miner}'s deposit (available, locked_total) is {got:?}, the model says {want:?}"
                ));
            }
        }
        let epoch = h.epoch();
        for m in &self.claims {
            let (got, vested): (Claim, _) = if touched == Some(m.bounty) {
                let answer = client
                    .get_claim(h, m.id)
                    .map_err(|e| format!("{e:#}"))?
                    .map_err(|code| format!("GetClaim {} answered exit {}", m.id, code.value()))?;
                (answer.claim, answer.vested)
            } else {
                let claim = state
                    .claims(h.store())
                    .and_then(|c| c.get(m.id).map(|c| c.cloned()))
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("claim {} is not in the market", m.id))?;
                let vested = claim.vested(epoch);
                (claim, vested)
            };
            let status = match got.status {
                ClaimStatus::Active => Status::Active,
                ClaimStatus::Slashed => Status::Slashed,
                ClaimStatus::Completed => Status::Completed,
            };
            let got_view = (
                got.bounty_id,
                got.provider,
                got.claimed_at,
                got.vest_end,
                atto(&got.reward),
                atto(&got.paid),
                got.lock_id,
                status,
                got.stopped_at,
                atto(&vested),
                got.term_start,
                got.history
                    .iter()
                    .map(|t| (t.lock_id, t.start, t.end, atto(&t.reward)))
                    .collect::<Vec<_>>(),
            );
            let want = (
                self.bounties[m.bounty].id,
                miners[m.provider],
                m.claimed_at,
                m.vest_end,
                m.reward,
                m.paid,
                Some(m.lock_id),
                m.status,
                m.stopped_at,
                m.vested(epoch),
                m.term_start,
                m.history
                    .iter()
                    .map(|t| (Some(t.lock_id), t.start, t.end, t.reward))
                    .collect::<Vec<_>>(),
            );
            if got_view != want {
                return Err(format!(
                    "claim {} (bounty, provider, claimed_at, vest_end, reward, paid, lock, status, stopped_at, vested, term_start, history) is {got_view:?}, the model says {want:?}",
                    m.id
                ));
            }
        }
        Ok(())
    }
}
