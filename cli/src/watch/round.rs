//! One round of the fault watcher, apart from its loop so that the demo and the tests run
//! single rounds. A round reads the head, finishes reports an earlier run left pending, learns
//! new locks from the escrow's `collateral-locked` events, walks one page of locks (ListLocks,
//! provider by provider, in lock id order, resuming where the last round stopped), checks each
//! open lock with read-only StateCalls for what the escrow would accept as proof, simulates the
//! ReportFault of each fault found and submits it only when the simulation succeeds and the
//! reward, net of the most gas the message can cost, reaches `--min-reward`.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use data_encoding::BASE64;
use fvm_ipld_encoding::{from_slice, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use serde_json::{json, Value};
use suite_devnet::fvm::gas::GasOutputs;
use suite_devnet::miner::SectorStatusCode;
use suite_devnet::{Account, Chain, EscrowClient, MinerClient, Receipt, StorageMarketClient};
use suite_interfaces::escrow::{
    self as esc, FaultProof, GetLockReturn, LockStatus, Policy, ReportFaultParams, ReportFaultReturn,
    SectorLocation,
};

use super::log::{ReportEntry, ReportStatus, WatchState};
use crate::devnet::GasSample;
use crate::node::json as lotus;
use crate::rpc::{parse_amount, parse_cid, parse_entries, parse_receipt, RpcChain};
use crate::session::Session;

/// The market's exit code for a deal it no longer knows.
const EX_DEAL_GONE: u32 = actor_runtime::builtin::EX_DEAL_EXPIRED;

/// Set (to anything) in a test: the watcher exits with this status right after it saved a
/// pushed report as pending and before it saw the report included, as a watcher killed at
/// the worst moment would.
pub const EXIT_AFTER_PUSH_ENV: &str = "SUITE_WATCH_TEST_EXIT_AFTER_PUSH";
pub const EXIT_AFTER_PUSH_STATUS: i32 = 75;

/// What a watcher is told.
#[derive(Debug, Clone)]
pub struct Config {
    /// Who reports (signs, pays the gas, earns the reward).
    pub from: Account,
    /// The least reward worth a report, net of its gas.
    pub min_reward: TokenAmount,
    /// Locks checked per round (ListLocks entries read).
    pub page: u32,
    pub state_path: PathBuf,
    /// Where the first scan of the escrow's events starts.
    pub from_height: ChainEpoch,
    /// Providers whose locks are tracked from the start (ListLocks catches them up), besides
    /// those the events name.
    pub providers: Vec<ActorID>,
}

/// The proof's name, as `suite escrow report --proof` takes it.
pub fn proof_name(p: &FaultProof) -> &'static str {
    match p {
        FaultProof::DealTerminated => "deal-terminated",
        FaultProof::SectorFaulty(_) => "sector-faulty",
        FaultProof::SectorDead(_) => "sector-dead",
    }
}

/// A report that was included.
#[derive(Debug, Clone)]
pub struct Report {
    pub lock: u64,
    pub provider: ActorID,
    pub proof: String,
    pub location: Option<SectorLocation>,
    /// Reported (the reward was paid) or Failed (refused on chain: only gas was paid).
    pub status: ReportStatus,
    pub exit_code: u32,
    pub ret: Option<ReportFaultReturn>,
    pub gas_used: u64,
    /// What the report cost its sender: base fee burn, over-estimation burn and miner tip.
    pub gas_paid: TokenAmount,
    /// The most it could have cost (gas limit × the fee per gas it offered), what
    /// `--min-reward` was judged against; none for a report found pending at restart.
    pub gas_bound: Option<TokenAmount>,
    pub cid: String,
    pub epoch: ChainEpoch,
    /// Pushed by an earlier run, found included by this one.
    pub recovered: bool,
}

impl Report {
    pub fn reward(&self) -> TokenAmount {
        match (&self.status, &self.ret) {
            (ReportStatus::Reported, Some(r)) => r.reporter_reward.clone(),
            _ => TokenAmount::default(),
        }
    }

    /// The reward less the gas paid (negative for a report refused on chain).
    pub fn net(&self) -> TokenAmount {
        self.reward() - &self.gas_paid
    }
}

/// A fault found and not reported, and why.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub lock: u64,
    pub proof: String,
    /// The escrow's exit code in the simulation, if it refused.
    pub exit_code: Option<u32>,
    pub reason: String,
}

/// What one round did.
#[derive(Debug, Clone, Default)]
pub struct Round {
    pub number: u64,
    pub head: ChainEpoch,
    /// The head had not moved since a whole pass was checked at it: nothing can have changed,
    /// nothing was checked.
    pub unchanged: bool,
    /// Open locks the watcher knows of.
    pub tracked: usize,
    /// Locks checked this round.
    pub checked: usize,
    /// Faults found (reported, refused, or reported before).
    pub faults: usize,
    pub reports: Vec<Report>,
    pub refusals: Vec<Refusal>,
    /// Read-only StateCalls made (checks, pages, simulations).
    pub state_calls: u64,
    /// Of which ReportFault simulations.
    pub simulations: u64,
    /// This round reached the last lock of the pass.
    pub pass_complete: bool,
}

impl Round {
    pub fn rewards(&self) -> TokenAmount {
        self.reports.iter().map(Report::reward).sum()
    }

    pub fn gas_paid(&self) -> TokenAmount {
        self.reports.iter().map(|r| r.gas_paid.clone()).sum()
    }

    pub fn reported(&self) -> usize {
        self.reports
            .iter()
            .filter(|r| r.status == ReportStatus::Reported)
            .count()
    }
}

/// The node's chain for the watcher's reads, counting each StateCall.
struct Counted<'a> {
    chain: &'a mut RpcChain,
    calls: &'a mut u64,
}

impl Chain for Counted<'_> {
    fn send(
        &mut self,
        _: &Account,
        _: Address,
        _: MethodNum,
        _: RawBytes,
        _: TokenAmount,
    ) -> Result<Receipt> {
        bail!("the watcher's checks are read-only")
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        *self.calls += 1;
        self.chain.read(to, method, params)
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        self.chain.epoch()
    }

    fn balance(&self, address: &Address) -> Result<TokenAmount> {
        self.chain.balance(address)
    }

    fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        self.chain.resolve(address)
    }
}

fn counted<'a>(d: &'a mut Session, calls: &'a mut u64) -> Counted<'a> {
    Counted {
        chain: &mut d.chain,
        calls,
    }
}

/// A getter's answer, or an error naming the exit code.
fn answer<T>(got: Result<Result<T, fvm_shared::error::ExitCode>>, what: &str) -> Result<T> {
    got?.map_err(|code| anyhow!("{what} failed with exit {}", code.value()))
}

/// The head's height and the base fee its messages pay.
struct Head {
    height: ChainEpoch,
    base_fee: TokenAmount,
}

fn base_fee_of(tipset: &Value) -> Result<TokenAmount> {
    parse_amount(
        &tipset["Blocks"][0]["ParentBaseFee"],
        "the tipset's ParentBaseFee",
    )
}

fn head(d: &Session) -> Result<Head> {
    let head = d.rpc().call("Filecoin.ChainHead", json!([]))?;
    Ok(Head {
        height: head["Height"]
            .as_i64()
            .ok_or_else(|| anyhow!("ChainHead answered no Height"))?,
        base_fee: base_fee_of(&head)?,
    })
}

/// The chain's genesis tipset CID: names the chain a state file is of.
pub fn genesis(d: &Session) -> Result<String> {
    let genesis = d
        .rpc()
        .call("Filecoin.ChainGetTipSetByHeight", json!([0, null]))?;
    Ok(genesis["Cids"][0]["/"].as_str().unwrap_or("").to_string())
}

/// A sector's status and location, asked once per round (many locks may rely on one sector).
type SectorCache = HashMap<(ActorID, u64), Option<(SectorStatusCode, SectorLocation)>>;

/// What a round does with one fault.
enum Outcome {
    Reported(Box<Report>),
    Refused(Refusal),
}

pub struct Watcher {
    pub config: Config,
    pub state: WatchState,
    pub escrow: ActorID,
    pub policy: Policy,
    /// The head the current pass started at, while every page of it read that head.
    pass_head: Option<ChainEpoch>,
    /// A head at which a whole pass was checked: until the head moves, a round has nothing to
    /// do. Kept in memory only (a restarted watcher, maybe with other options, checks again).
    settled_head: Option<ChainEpoch>,
}

impl Watcher {
    /// The watcher of `d`'s escrow, with its state file (created on first save); asks the
    /// escrow its policy (the fault cooldown).
    pub fn open(d: &mut Session, config: Config) -> Result<Self> {
        let escrow = d.suite()?.escrow;
        let genesis = genesis(d)?;
        let mut calls = 0;
        let policy = answer(
            EscrowClient::at(escrow).policy(&mut counted(d, &mut calls)),
            "GetPolicy",
        )?;
        let mut state = WatchState::load(&config.state_path, &genesis, escrow)?;
        for p in &config.providers {
            state.tracked.entry(*p).or_default();
        }
        Ok(Self {
            config,
            state,
            escrow,
            policy,
            pass_head: None,
            settled_head: None,
        })
    }

    fn save(&self) -> Result<()> {
        self.state.save(&self.config.state_path)
    }

    /// One round (see the module's doc).
    pub fn round(&mut self, d: &mut Session) -> Result<Round> {
        let mut calls = 0u64;
        let head = head(d)?;
        self.state.rounds += 1;
        let mut round = Round {
            number: self.state.rounds,
            head: head.height,
            ..Round::default()
        };
        round.reports.extend(self.finish_pending(d)?);
        if self.settled_head == Some(head.height) {
            round.unchanged = true;
            round.tracked = self.state.tracked_count();
            round.pass_complete = true;
            self.save()?;
            return Ok(round);
        }
        self.read_events(d, head.height)?;
        // The epoch a message sent now executes at: what the escrow judges by.
        let epoch = head.height + 1;
        if self.state.cursor.is_none() {
            self.pass_head = Some(head.height);
        } else if self.pass_head != Some(head.height) {
            self.pass_head = None;
        }
        let (page, pass_complete) = self.next_page(&mut counted(d, &mut calls), epoch)?;
        if pass_complete {
            // Every page of this pass read this head: until it moves, nothing can change.
            self.settled_head = self.pass_head.filter(|h| *h == head.height);
        }
        round.checked = page.len();
        let mut sectors = SectorCache::new();
        for l in &page {
            let Some(proof) = self.check(&mut counted(d, &mut calls), &mut sectors, l, epoch)? else {
                continue;
            };
            round.faults += 1;
            if self
                .state
                .already_reported(l.lock_id, proof_name(&proof), l.lock.faults_charged)
            {
                continue;
            }
            match self.report(
                d,
                &mut calls,
                &mut round.simulations,
                &mut sectors,
                l,
                proof,
                &head,
            )? {
                Outcome::Reported(r) => round.reports.push(*r),
                Outcome::Refused(r) => round.refusals.push(r),
            }
        }
        round.tracked = self.state.tracked_count();
        round.pass_complete = pass_complete;
        round.state_calls = calls;
        self.save()?;
        Ok(round)
    }

    /// New locks from the escrow's `collateral-locked` events since the last round.
    fn read_events(&mut self, d: &Session, head: ChainEpoch) -> Result<()> {
        let from = self
            .state
            .events_height
            .map_or(self.config.from_height, |h| h + 1);
        if from > head {
            return Ok(());
        }
        let event_type = fvm_ipld_encoding::to_vec(&esc::EVENT_LOCKED)?;
        let spec = json!({
            "fromHeight": from,
            "toHeight": head,
            "addresses": [lotus::address(&Address::new_id(self.escrow))],
            "fields": { "$type": [{ "Codec": fvm_ipld_encoding::CBOR, "Value": BASE64.encode(&event_type) }] },
        });
        let events = d
            .rpc()
            .call("Filecoin.GetActorEventsRaw", json!([spec]))
            .context("reading the escrow's collateral-locked events")?;
        for e in events.as_array().into_iter().flatten() {
            let entries = parse_entries(&e["entries"])?;
            let field = |key: &str| {
                entries
                    .iter()
                    .find(|x| x.key == key)
                    .and_then(|x| from_slice::<u64>(&x.value).ok())
            };
            if let (Some(lock), Some(provider)) = (field("lock"), field("provider")) {
                self.state.tracked.entry(provider).or_default().insert(lock);
            }
        }
        self.state.events_height = Some(head);
        Ok(())
    }

    /// The next page of open locks still reportable at `epoch`, resuming at the cursor;
    /// settled and ended locks read on the way are no longer tracked.
    /// Also answers whether this page ended the pass (the next round starts a new one).
    fn next_page(&mut self, chain: &mut Counted, epoch: ChainEpoch) -> Result<(Vec<GetLockReturn>, bool)> {
        let providers: Vec<ActorID> = self.state.tracked.keys().copied().collect();
        let (mut at, mut cursor) = match self.state.cursor {
            Some((p, lock)) => match providers.iter().position(|x| *x >= p) {
                Some(i) if providers[i] == p => (i, Some(lock)),
                Some(i) => (i, None),
                None => (providers.len(), None),
            },
            None => (0, None),
        };
        let escrow = EscrowClient::at(self.escrow);
        let mut budget = self.config.page.clamp(1, esc::MAX_PAGE) as usize;
        let mut out = Vec::new();
        let mut complete = false;
        while budget > 0 {
            let Some(&provider) = providers.get(at) else {
                complete = true;
                self.state.cursor = None;
                break;
            };
            let page = answer(
                escrow.list_locks(chain, provider, cursor, budget as u32),
                "ListLocks",
            )?;
            budget = budget.saturating_sub(page.locks.len());
            let tracked = self.state.tracked.entry(provider).or_default();
            for l in page.locks {
                if l.lock.status == LockStatus::Open && epoch < l.lock.end_epoch {
                    tracked.insert(l.lock_id);
                    out.push(l);
                } else {
                    tracked.remove(&l.lock_id);
                }
            }
            match page.next {
                Some(next) => {
                    cursor = Some(next);
                    self.state.cursor = Some((provider, next));
                }
                None => {
                    at += 1;
                    cursor = None;
                    match providers.get(at) {
                        Some(&p) => self.state.cursor = Some((p, 0)),
                        None => {
                            complete = true;
                            self.state.cursor = None;
                            break;
                        }
                    }
                }
            }
        }
        Ok((out, complete))
    }

    /// The strongest proof the escrow would accept for this lock now, if any: a dead sector or
    /// a deal gone before its end (either slashes everything), else a faulty sector outside
    /// the lock's cooldown.
    fn check(
        &self,
        chain: &mut Counted,
        sectors: &mut SectorCache,
        l: &GetLockReturn,
        epoch: ChainEpoch,
    ) -> Result<Option<FaultProof>> {
        let lock = &l.lock;
        let mut faulty = None;
        if let Some(s) = &lock.sector {
            match sector_status(chain, sectors, lock.provider, s.sector_number)? {
                Some((SectorStatusCode::Dead, at)) => return Ok(Some(FaultProof::SectorDead(at))),
                Some((SectorStatusCode::Faulty, at)) => {
                    let cooled = lock
                        .last_fault_fee_at
                        .is_none_or(|last| epoch >= last.saturating_add(self.policy.fault_cooldown));
                    if cooled {
                        faulty = Some(FaultProof::SectorFaulty(at));
                    }
                }
                _ => {}
            }
        }
        if let Some(deal) = lock.deal.as_ref().filter(|d| epoch < d.end_epoch) {
            let activation = StorageMarketClient::new().deal_activation(chain, deal.deal_id)?;
            if matches!(activation, Err(code) if code.value() == EX_DEAL_GONE) {
                return Ok(Some(FaultProof::DealTerminated));
            }
        }
        Ok(faulty)
    }

    /// Simulates the report, then prices it and submits it if it pays.
    #[allow(clippy::too_many_arguments)]
    fn report(
        &mut self,
        d: &mut Session,
        calls: &mut u64,
        simulations: &mut u64,
        sectors: &mut SectorCache,
        l: &GetLockReturn,
        mut proof: FaultProof,
        head: &Head,
    ) -> Result<Outcome> {
        let name = proof_name(&proof);
        let refusal = |exit_code: Option<u32>, reason: String| {
            Outcome::Refused(Refusal {
                lock: l.lock_id,
                proof: name.to_string(),
                exit_code,
                reason,
            })
        };
        let mut m = self.message(&l.lock_id, &proof);
        let mut sim = self.simulate(d, calls, simulations, &m)?;
        if sim.0.exit_code.value() == esc::EX_STALE_LOCATION {
            // The sector moved since the check (compaction): ask again, never report the stale place.
            let sector = l
                .lock
                .sector
                .as_ref()
                .map(|s| s.sector_number)
                .unwrap_or_default();
            sectors.remove(&(l.lock.provider, sector));
            let fresh = sector_status(&mut counted(d, calls), sectors, l.lock.provider, sector)?;
            proof = match (proof, fresh) {
                (FaultProof::SectorFaulty(_), Some((SectorStatusCode::Faulty, at))) => {
                    FaultProof::SectorFaulty(at)
                }
                (FaultProof::SectorDead(_), Some((SectorStatusCode::Dead, at))) => FaultProof::SectorDead(at),
                (_, status) => {
                    return Ok(refusal(
                        Some(esc::EX_STALE_LOCATION),
                        format!(
                            "the sector's location was stale and it is now {:?}",
                            status.map(|s| s.0)
                        ),
                    ))
                }
            };
            m = self.message(&l.lock_id, &proof);
            sim = self.simulate(d, calls, simulations, &m)?;
        }
        let (receipt, error) = sim;
        if !receipt.is_ok() {
            return Ok(refusal(Some(receipt.exit_code.value()), error));
        }
        let ret: ReportFaultReturn = receipt.ret()?;

        let nonce = d
            .rpc()
            .call("Filecoin.MpoolGetNonce", json!([lotus::address(&m.from)]))?;
        m.sequence = nonce
            .as_u64()
            .ok_or_else(|| anyhow!("MpoolGetNonce answered {nonce}"))?;
        let estimated = match d.rpc().call(
            "Filecoin.GasEstimateMessageGas",
            json!([lotus::message(&m), null, null]),
        ) {
            Ok(e) => e,
            // The estimate runs the message again: a report that lands in between (another
            // watcher's) makes it fail as the escrow would refuse it. Nothing was sent.
            Err(e) => match refused_estimate(&e) {
                Some(code) => {
                    return Ok(refusal(
                        Some(code),
                        format!(
                        "refused when its gas was estimated (the lock changed after the simulation): {e:#}"
                    ),
                    ))
                }
                None => return Err(e),
            },
        };
        m.gas_limit = estimated["GasLimit"]
            .as_u64()
            .ok_or_else(|| anyhow!("GasEstimateMessageGas answered no GasLimit: {estimated}"))?;
        m.gas_fee_cap = parse_amount(&estimated["GasFeeCap"], "GasFeeCap")?;
        m.gas_premium = parse_amount(&estimated["GasPremium"], "GasPremium")?;
        // The most the message can cost: every unit of its limit at the base fee plus premium
        // (the over-estimation burn never takes more than the unused limit).
        let per_gas = (&head.base_fee + &m.gas_premium).min(m.gas_fee_cap.clone());
        let bound = &per_gas * m.gas_limit;
        let net = &ret.reporter_reward - &bound;
        if net < self.config.min_reward {
            return Ok(refusal(
                None,
                format!(
                    "reward {} less at most {} of gas is below --min-reward {}",
                    crate::units::fil(&ret.reporter_reward),
                    crate::units::fil(&bound),
                    crate::units::fil(&self.config.min_reward)
                ),
            ));
        }

        let cid = d.chain.push(m.clone())?;
        self.state.reports.push(ReportEntry {
            lock: l.lock_id,
            provider: l.lock.provider,
            proof: name.to_string(),
            location: location_of(&proof),
            generation: l.lock.faults_charged,
            cid: cid.to_string(),
            nonce: m.sequence,
            status: ReportStatus::Pending,
            epoch: head.height + 1,
            reward: None,
            compensation: None,
            slashed: None,
            exit_code: None,
            gas_used: None,
            gas_paid: None,
            gas_limit: m.gas_limit,
            gas_fee_cap: m.gas_fee_cap.atto().to_string(),
            gas_premium: m.gas_premium.atto().to_string(),
        });
        self.save()?;
        if std::env::var_os(EXIT_AFTER_PUSH_ENV).is_some() {
            std::process::exit(EXIT_AFTER_PUSH_STATUS);
        }
        let index = self.state.reports.len() - 1;
        let lookup = d
            .rpc()
            .call("Filecoin.StateWaitMsg", json!([lotus::cid(&cid), 1, -1, true]))?;
        let mut report = self.settle(d, index, &lookup)?;
        report.gas_bound = Some(bound);
        d.gas.push(GasSample {
            method: "ReportFault".into(),
            gas: report.gas_used,
        });
        self.save()?;
        Ok(Outcome::Reported(Box::new(report)))
    }

    fn message(&self, lock_id: &u64, proof: &FaultProof) -> Message {
        let p = ReportFaultParams {
            lock_id: *lock_id,
            proof: proof.clone(),
        };
        Message {
            version: 0,
            from: self.config.from.key,
            to: Address::new_id(self.escrow),
            sequence: 0,
            value: TokenAmount::default(),
            method_num: esc::METHOD_REPORT_FAULT,
            params: suite_devnet::harness::params(&p),
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        }
    }

    /// `StateCall` of the report from the watcher's key: its receipt and the error text.
    fn simulate(
        &self,
        d: &Session,
        calls: &mut u64,
        simulations: &mut u64,
        m: &Message,
    ) -> Result<(Receipt, String)> {
        *calls += 1;
        *simulations += 1;
        let invocation = d
            .rpc()
            .call("Filecoin.StateCall", json!([lotus::message(m), null]))?;
        let receipt = parse_receipt(&invocation["MsgRct"])?;
        let error = invocation["Error"].as_str().unwrap_or("").trim().to_string();
        Ok((receipt, error))
    }

    /// Records the included report at `index` of the log from its `StateWaitMsg` or
    /// `StateSearchMsg` lookup: what it paid and what it earned.
    fn settle(&mut self, d: &Session, index: usize, lookup: &Value) -> Result<Report> {
        let receipt = parse_receipt(&lookup["Receipt"])?;
        let tipset = d
            .rpc()
            .call("Filecoin.ChainGetTipSet", json!([lookup["TipSet"]]))?;
        let base_fee = base_fee_of(&tipset)?;
        let entry = &mut self.state.reports[index];
        let fee_cap = TokenAmount::from_atto(entry.gas_fee_cap.parse::<u128>().unwrap_or(0));
        let premium = TokenAmount::from_atto(entry.gas_premium.parse::<u128>().unwrap_or(0));
        let g = GasOutputs::compute(receipt.gas_used, entry.gas_limit, &base_fee, &fee_cap, &premium);
        let gas_paid = g.base_fee_burn + g.over_estimation_burn + g.miner_tip;
        let ret: Option<ReportFaultReturn> = if receipt.is_ok() {
            Some(receipt.ret()?)
        } else {
            None
        };
        entry.status = if ret.is_some() {
            ReportStatus::Reported
        } else {
            ReportStatus::Failed
        };
        entry.exit_code = Some(receipt.exit_code.value());
        entry.gas_used = Some(receipt.gas_used);
        entry.gas_paid = Some(gas_paid.atto().to_string());
        if let Some(r) = &ret {
            entry.reward = Some(r.reporter_reward.atto().to_string());
            entry.compensation = Some(r.compensation.atto().to_string());
            entry.slashed = Some(r.slashed.atto().to_string());
        }
        Ok(Report {
            lock: entry.lock,
            provider: entry.provider,
            proof: entry.proof.clone(),
            location: entry.location,
            status: entry.status,
            exit_code: receipt.exit_code.value(),
            ret,
            gas_used: receipt.gas_used,
            gas_paid,
            gas_bound: None,
            cid: entry.cid.clone(),
            epoch: lookup["Height"].as_i64().unwrap_or(entry.epoch),
            recovered: false,
        })
    }

    /// Reports an earlier run pushed and did not see included: settled from the chain (never
    /// sent again); one whose nonce was used by another message is marked lost.
    fn finish_pending(&mut self, d: &mut Session) -> Result<Vec<Report>> {
        let mut done = Vec::new();
        for index in 0..self.state.reports.len() {
            if self.state.reports[index].status != ReportStatus::Pending {
                continue;
            }
            let cid = parse_cid(&json!(self.state.reports[index].cid), "the report log's CID")?;
            let lookup = d.rpc().call(
                "Filecoin.StateSearchMsg",
                json!([null, lotus::cid(&cid), -1, true]),
            )?;
            if lookup.is_null() {
                let actor = d.rpc().call(
                    "Filecoin.StateGetActor",
                    json!([lotus::address(&self.config.from.key), null]),
                )?;
                let used = actor["Nonce"].as_u64().unwrap_or(0);
                if used > self.state.reports[index].nonce {
                    self.state.reports[index].status = ReportStatus::Lost;
                }
                continue;
            }
            let mut report = self.settle(d, index, &lookup)?;
            report.recovered = true;
            done.push(report);
        }
        if !done.is_empty() {
            self.save()?;
        }
        Ok(done)
    }
}

/// The exit code in a gas estimate's "message execution failed: exit N" (Lotus and this node
/// word it so), if that is why the estimate failed.
fn refused_estimate(e: &anyhow::Error) -> Option<u32> {
    let node = e.downcast_ref::<crate::rpc::NodeError>()?;
    let rest = node.message.split("message execution failed: exit ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn location_of(p: &FaultProof) -> Option<SectorLocation> {
    match p {
        FaultProof::SectorFaulty(l) | FaultProof::SectorDead(l) => Some(*l),
        FaultProof::DealTerminated => None,
    }
}

/// The sector's status and location (`GenerateSectorLocation`), once per round; none if the
/// miner cannot answer (nothing is then reported on it).
fn sector_status(
    chain: &mut Counted,
    sectors: &mut SectorCache,
    provider: ActorID,
    sector: u64,
) -> Result<Option<(SectorStatusCode, SectorLocation)>> {
    if let Some(known) = sectors.get(&(provider, sector)) {
        return Ok(*known);
    }
    let answer = MinerClient::at(provider)
        .sector_location(chain, sector)?
        .ok()
        .map(|(status, l)| {
            (
                status,
                SectorLocation {
                    deadline: l.deadline,
                    partition: l.partition,
                },
            )
        });
    sectors.insert((provider, sector), answer);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gas_estimate_refused_by_the_escrow_names_its_exit_code() {
        let refused: anyhow::Error = crate::rpc::NodeError {
            method: "Filecoin.GasEstimateMessageGas".into(),
            code: 1,
            message: "estimating gas used: message execution failed: exit 34, reason: in cooldown".into(),
        }
        .into();
        assert_eq!(refused_estimate(&refused), Some(34));
        let down: anyhow::Error = crate::rpc::NodeError {
            method: "Filecoin.GasEstimateMessageGas".into(),
            code: 1,
            message: "actor not found".into(),
        }
        .into();
        assert_eq!(refused_estimate(&down), None);
        assert_eq!(refused_estimate(&anyhow!("no node answers")), None);
    }

    #[test]
    fn proofs_are_named_as_escrow_report_takes_them() {
        let at = SectorLocation {
            deadline: 3,
            partition: 0,
        };
        assert_eq!(proof_name(&FaultProof::DealTerminated), "deal-terminated");
        assert_eq!(proof_name(&FaultProof::SectorFaulty(at)), "sector-faulty");
        assert_eq!(proof_name(&FaultProof::SectorDead(at)), "sector-dead");
        for name in ["deal-terminated", "sector-faulty", "sector-dead"] {
            crate::calls::ProofKind::parse(name).unwrap();
        }
        assert_eq!(location_of(&FaultProof::SectorDead(at)), Some(at));
        assert_eq!(location_of(&FaultProof::DealTerminated), None);
    }
}
