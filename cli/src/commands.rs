//! The commands: typed operations on a [`Devnet`] (also used by the demo) and the command-line
//! wrappers that parse what users typed and print tables, lines or JSON.

use std::path::Path;
use std::time::Duration;

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, bail, Context, Result};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, METHOD_SEND};
use serde_json::{json, Value};
use stand_in_market as f05;
use suite_devnet::miner::{self, SectorLocation as MinerLocation, SectorStatusCode};
use suite_devnet::Account;
use suite_interfaces::bounty::{self as bm, *};
use suite_interfaces::escrow::{self as esc, FaultProof, GetLockReturn, LockStatus, SectorLocation};
use suite_interfaces::reputation::{self as rep, Metadata, ReputationView};

use crate::devnet::{dir_size, Devnet, MinerRecord};
use crate::output::{thousands, Output, Table};
use crate::units::{atto_json, fil, parse_amount, parse_piece_cid};
use crate::{
    AccountCmd, AdvanceArgs, BountyCmd, Command, DealCmd, EscrowCmd, MetadataArgs, MinerCmd, ReputationCmd,
};

/// A year of epochs: the default nominal sector expiration.
const YEAR: ChainEpoch = 1_051_200;
/// The furthest epoch a devnet may reach: a million years of 30-second epochs, far beyond any
/// deal, and far from overflowing the epoch arithmetic of the actors.
pub const MAX_EPOCH: ChainEpoch = 1_000_000 * YEAR;

/// Runs one command. Writes commit only when every message succeeded.
pub fn run(dir: &Path, command: Command, json: bool, wait: Duration) -> Result<Output> {
    match command {
        Command::Init => {
            let mut d = Devnet::init(dir, wait)?;
            d.commit()?;
            describe_devnet(&mut d, "initialised")
        }
        Command::Demo(args) => crate::demo::run(args, json),
        Command::Piece(c) => crate::piece::run(dir, c, json, wait),
        command => {
            let mut d = Devnet::open(dir, wait)?;
            let (out, writes) = dispatch(&mut d, command)?;
            if writes {
                d.commit()?;
            }
            Ok(out)
        }
    }
}

/// The command's output and whether it changed the chain.
fn dispatch(d: &mut Devnet, command: Command) -> Result<(Output, bool)> {
    Ok(match command {
        Command::Init | Command::Demo(_) | Command::Piece(_) => unreachable!("handled by run"),
        Command::Status => (describe_devnet(d, "status")?, false),
        Command::Advance(a) => (advance_cmd(d, a)?, true),
        Command::Account(c) => account_cmd(d, c)?,
        Command::Miner(c) => miner_cmd(d, c)?,
        Command::Deal(c) => deal_cmd(d, c)?,
        Command::Bounty(c) => bounty_cmd(d, c)?,
        Command::Escrow(c) => escrow_cmd(d, c)?,
        Command::Reputation(c) => reputation_cmd(d, c)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Typed operations
// ---------------------------------------------------------------------------------------------

pub fn create_account(d: &mut Devnet, name: &str, balance: TokenAmount) -> Result<Account> {
    d.check_new_name(name)?;
    let operator = d.operator();
    let available = d.h.balance(operator.id)?;
    if available < balance {
        bail!("the operator holds only {}", fil(&available));
    }
    let account = d.h.create_account(balance)?;
    d.record.accounts.insert(name.to_string(), account.into());
    Ok(account)
}

/// Sends FIL to an actor, or to a new key address (the chain creates its account).
pub fn transfer(d: &mut Devnet, from: &Account, to: Address, amount: TokenAmount) -> Result<ActorID> {
    check_funds(d, from, &amount, "the transfer")?;
    let r = d.h.send(from, to, METHOD_SEND, RawBytes::default(), amount)?;
    if !r.is_ok() {
        bail!(
            "the transfer to {to} failed: exit {}: {}",
            r.exit_code.value(),
            crate::devnet::abort_message(&r.failure.unwrap_or_default())
        );
    }
    d.h.resolve(&to)?
        .ok_or_else(|| anyhow!("{to} did not get an actor"))
}

pub fn create_miner(
    d: &mut Devnet,
    name: &str,
    owner: &Account,
    worker: &Account,
    controls: &[Account],
) -> Result<ActorID> {
    d.check_new_name(name)?;
    let p = miner::ConstructorParams {
        owner: owner.address(),
        worker: worker.address(),
        control_addresses: controls.iter().map(|c| c.address()).collect(),
        sector_size: miner::SECTOR_SIZE_32GIB,
    };
    let code = d.h.code_of(actor_runtime::builtin::BuiltinType::Miner);
    let exec = stand_in_init::ExecParams {
        code_cid: code,
        constructor_params: suite_devnet::harness::params(&p),
    };
    let r = d.send(
        owner,
        actor_runtime::builtin::INIT_ACTOR_ID,
        "Exec(miner)",
        stand_in_init::METHOD_EXEC_EXPORTED,
        &exec,
        TokenAmount::default(),
    )?;
    let ret: stand_in_init::ExecReturn = r.ret()?;
    let id = ret.id_address.id()?;
    d.record.miners.insert(
        name.to_string(),
        MinerRecord {
            id,
            owner: owner.id,
            worker: worker.id,
            controls: controls.iter().map(|c| c.id).collect(),
        },
    );
    Ok(id)
}

/// One operator control of a stand-in miner.
pub fn miner_control(d: &mut Devnet, miner_id: ActorID, control: &miner::Control) -> Result<()> {
    let name = match control {
        miner::Control::Add(_) => "HarnessAddSector",
        miner::Control::Fault(_) => "HarnessFaultSector",
        miner::Control::Recover(_) => "HarnessRecoverSector",
        miner::Control::Terminate(_) => "HarnessTerminateSector",
        miner::Control::Move(_) => "HarnessMoveSector",
        miner::Control::Compact(_) => "HarnessCompactSector",
        miner::Control::Notify(_) => "HarnessNotifySectorContentChanged",
    };
    let operator = d.operator();
    d.send_raw(
        &operator,
        miner_id,
        name,
        control.method(),
        control.params(),
        TokenAmount::default(),
    )?;
    Ok(())
}

pub fn add_sector(
    d: &mut Devnet,
    miner_id: ActorID,
    sector: SectorNumber,
    deadline: u64,
    partition: u64,
    expiration: ChainEpoch,
) -> Result<()> {
    let control = miner::Control::Add(miner::HarnessAddSectorParams {
        sector_number: sector,
        deadline,
        partition,
        expiration,
    });
    miner_control(d, miner_id, &control)
}

/// The sector's status and location, as the miner reports them.
pub fn sector_location(
    d: &mut Devnet,
    miner_id: ActorID,
    sector: SectorNumber,
) -> Result<(SectorStatusCode, MinerLocation)> {
    let p = miner::GenerateSectorLocationParams {
        sector_number: sector,
    };
    let ret: miner::GenerateSectorLocationReturn = d.query(
        miner_id,
        "GenerateSectorLocation",
        miner::METHOD_GENERATE_SECTOR_LOCATION,
        &p,
    )?;
    let location: MinerLocation =
        fvm_ipld_encoding::from_slice(ret.aux_data.bytes()).context("decoding the sector location")?;
    Ok((ret.status, location))
}

pub fn publish_deal(d: &mut Devnet, proposal: &f05::DealProposal) -> Result<DealID> {
    let operator = d.operator();
    let r = d.send(
        &operator,
        STORAGE_MARKET_ACTOR_ID,
        "HarnessPublishDeal",
        f05::METHOD_HARNESS_PUBLISH_DEAL,
        proposal,
        TokenAmount::default(),
    )?;
    r.ret()
}

pub fn activate_deal(d: &mut Devnet, deal: DealID, sector: SectorNumber) -> Result<()> {
    let operator = d.operator();
    d.send(
        &operator,
        STORAGE_MARKET_ACTOR_ID,
        "HarnessActivateDeal",
        f05::METHOD_HARNESS_ACTIVATE_DEAL,
        &f05::HarnessActivateDealParams {
            deal_id: deal,
            sector_number: sector,
        },
        TokenAmount::default(),
    )?;
    Ok(())
}

fn deal_control(d: &mut Devnet, name: &str, method: u64, deal: DealID) -> Result<()> {
    let operator = d.operator();
    d.send(
        &operator,
        STORAGE_MARKET_ACTOR_ID,
        name,
        method,
        &f05::DealQueryParams { id: deal },
        TokenAmount::default(),
    )?;
    Ok(())
}

pub fn post_bounty(d: &mut Devnet, from: &Account, p: &PostBountyParams) -> Result<u64> {
    let value = &p.reward_per_replica * p.replicas;
    let market = d.suite().market;
    // What the chain would refuse in a less helpful order or way: the value transfer fails
    // before the market can say the replicas are too many, and the market states the escrow's
    // minimum collateral in attoFIL.
    let state = suite_devnet::bounty::state(&d.h, market)?;
    if !(1..=state.policy.max_replicas).contains(&p.replicas) {
        bail!(
            "replicas must be 1 to {} (the market's policy)",
            state.policy.max_replicas
        );
    }
    if p.collateral_per_replica < state.min_collateral {
        bail!(
            "collateral {} is below the escrow's minimum {}: no claim could lock it",
            fil(&p.collateral_per_replica),
            fil(&state.min_collateral)
        );
    }
    // The market's bound, checked before the value is moved (as the chain would refuse).
    let horizon = d.h.epoch().saturating_add(state.policy.max_duration);
    if p.expiry > horizon {
        bail!(
            "expiry {} is more than max_duration = {} epochs away (the market's policy): at most epoch {horizon}",
            p.expiry,
            state.policy.max_duration
        );
    }
    check_funds(d, from, &value, "posting this bounty")?;
    d.send(from, market, "PostBounty", bm::METHOD_POST_BOUNTY, p, value)?
        .ret()
}

pub fn get_bounty(d: &mut Devnet, id: u64) -> Result<GetBountyReturn> {
    let market = d.suite().market;
    d.query(market, "GetBounty", bm::METHOD_GET_BOUNTY, &IdParams { id })
}

pub fn get_claim(d: &mut Devnet, id: u64) -> Result<GetClaimReturn> {
    let market = d.suite().market;
    d.query(market, "GetClaim", bm::METHOD_GET_CLAIM, &IdParams { id })
}

/// Refuses early, with the amounts, when `from` cannot pay `value`.
fn check_funds(d: &Devnet, from: &Account, value: &TokenAmount, what: &str) -> Result<()> {
    let balance = d.h.balance(from.id)?;
    if &balance < value {
        bail!(
            "insufficient funds: {} holds {}; {what} sends {}",
            d.name_of(from.id),
            fil(&balance),
            fil(value)
        );
    }
    Ok(())
}

/// Claims with the bounty's collateral as value.
pub fn claim_bounty(
    d: &mut Devnet,
    from: &Account,
    bounty_id: u64,
    provider: ActorID,
    deal_id: DealID,
    sector_location: Option<SectorLocation>,
) -> Result<ClaimBountyReturn> {
    let collateral = get_bounty(d, bounty_id)?.bounty.collateral_per_replica;
    check_funds(d, from, &collateral, "claiming (the bounty's collateral)")?;
    let market = d.suite().market;
    let p = ClaimBountyParams {
        bounty_id,
        provider: Address::new_id(provider),
        deal_id,
        sector_location,
    };
    d.send(
        from,
        market,
        "ClaimBounty",
        bm::METHOD_CLAIM_BOUNTY,
        &p,
        collateral,
    )?
    .ret()
}

pub fn withdraw(d: &mut Devnet, from: &Account, provider: ActorID) -> Result<WithdrawReturn> {
    let market = d.suite().market;
    let p = ProviderParams {
        provider: Address::new_id(provider),
    };
    d.send(
        from,
        market,
        "Withdraw",
        bm::METHOD_WITHDRAW,
        &p,
        TokenAmount::default(),
    )?
    .ret()
}

/// Cancels a bounty; returns it as it was just before (what the cancel freed: its open slots
/// and their pool).
pub fn cancel_bounty(d: &mut Devnet, from: &Account, id: u64) -> Result<Bounty> {
    let before = get_bounty(d, id)?.bounty;
    let market = d.suite().market;
    d.send(
        from,
        market,
        "CancelBounty",
        bm::METHOD_CANCEL_BOUNTY,
        &IdParams { id },
        TokenAmount::default(),
    )?;
    Ok(before)
}

pub fn reclaim(d: &mut Devnet, from: &Account, id: u64) -> Result<TokenAmount> {
    let market = d.suite().market;
    d.send(
        from,
        market,
        "Reclaim",
        bm::METHOD_RECLAIM,
        &IdParams { id },
        TokenAmount::default(),
    )?
    .ret()
}

pub fn provider_balance(d: &mut Devnet, provider: ActorID) -> Result<ProviderBalance> {
    let market = d.suite().market;
    let p = ProviderParams {
        provider: Address::new_id(provider),
    };
    d.query(market, "GetProviderBalance", bm::METHOD_GET_PROVIDER_BALANCE, &p)
}

/// Every bounty matching the filter, page by page.
pub fn list_bounties(
    d: &mut Devnet,
    client: Option<ActorID>,
    piece_cid: Option<cid::Cid>,
) -> Result<Vec<GetBountyReturn>> {
    let market = d.suite().market;
    all_pages(|cursor| {
        let p = ListBountiesParams {
            client,
            piece_cid,
            cursor,
            limit: 100,
        };
        let page: ListBountiesReturn = d.query(market, "ListBounties", bm::METHOD_LIST_BOUNTIES, &p)?;
        Ok((page.bounties, page.next))
    })
}

/// Walks a paginated getter: `fetch` answers a page and the cursor of the next, if any.
fn all_pages<C, T>(mut fetch: impl FnMut(Option<C>) -> Result<(Vec<T>, Option<C>)>) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (items, next) = fetch(cursor)?;
        all.extend(items);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

pub fn get_lock(d: &mut Devnet, lock_id: u64) -> Result<GetLockReturn> {
    let escrow = d.suite().escrow;
    d.query(
        escrow,
        "GetLock",
        esc::METHOD_GET_LOCK,
        &esc::LockIdParams { lock_id },
    )
}

pub fn list_locks(d: &mut Devnet, provider: ActorID) -> Result<Vec<GetLockReturn>> {
    let escrow = d.suite().escrow;
    all_pages(|cursor| {
        let p = esc::ListLocksParams {
            provider,
            cursor,
            limit: esc::MAX_PAGE,
        };
        let page: esc::ListLocksReturn = d.query(escrow, "ListLocks", esc::METHOD_LIST_LOCKS, &p)?;
        Ok((page.locks, page.next))
    })
}

/// A free read like every getter: `status` must not spend the operator's gas or nonce.
pub fn escrow_totals(d: &mut Devnet) -> Result<esc::Totals> {
    let escrow = d.suite().escrow;
    d.query_raw(escrow, "GetTotals", esc::METHOD_GET_TOTALS, RawBytes::default())
}

/// Which failure a report proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    DealTerminated,
    SectorFaulty,
    SectorDead,
}

impl ProofKind {
    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "deal-terminated" => ProofKind::DealTerminated,
            "sector-faulty" => ProofKind::SectorFaulty,
            "sector-dead" => ProofKind::SectorDead,
            other => bail!("unknown proof {other:?}"),
        })
    }
}

/// Reports a failure; the sector's location is asked of the miner unless given.
pub fn report_fault(
    d: &mut Devnet,
    from: &Account,
    lock_id: u64,
    kind: ProofKind,
    location: Option<SectorLocation>,
) -> Result<esc::ReportFaultReturn> {
    let proof = match kind {
        ProofKind::DealTerminated => FaultProof::DealTerminated,
        ProofKind::SectorFaulty | ProofKind::SectorDead => {
            let location = match location {
                Some(l) => l,
                None => {
                    let lock = get_lock(d, lock_id)?.lock;
                    let sector = lock
                        .sector
                        .as_ref()
                        .map(|s| s.sector_number)
                        .ok_or_else(|| anyhow!("lock {lock_id} holds no sector evidence"))?;
                    let (_, l) = sector_location(d, lock.provider, sector)?;
                    SectorLocation {
                        deadline: l.deadline,
                        partition: l.partition,
                    }
                }
            };
            if kind == ProofKind::SectorFaulty {
                FaultProof::SectorFaulty(location)
            } else {
                FaultProof::SectorDead(location)
            }
        }
    };
    let escrow = d.suite().escrow;
    let p = esc::ReportFaultParams { lock_id, proof };
    d.send(
        from,
        escrow,
        "ReportFault",
        esc::METHOD_REPORT_FAULT,
        &p,
        TokenAmount::default(),
    )?
    .ret()
}

/// Releases a lock; returns what went back to its refund address.
pub fn release(d: &mut Devnet, from: &Account, lock_id: u64) -> Result<(TokenAmount, ActorID)> {
    let lock = get_lock(d, lock_id)?.lock;
    let escrow = d.suite().escrow;
    d.send(
        from,
        escrow,
        "Release",
        esc::METHOD_RELEASE,
        &esc::LockIdParams { lock_id },
        TokenAmount::default(),
    )?;
    Ok((lock.remaining, lock.refund_to))
}

pub fn register_provider(
    d: &mut Devnet,
    from: &Account,
    miner_id: ActorID,
    metadata: Metadata,
) -> Result<()> {
    let registry = d.suite().reputation;
    let p = rep::RegisterProviderParams {
        miner: Address::new_id(miner_id),
        metadata,
    };
    d.send(
        from,
        registry,
        "RegisterProvider",
        rep::METHOD_REGISTER_PROVIDER,
        &p,
        TokenAmount::default(),
    )?;
    Ok(())
}

pub fn update_metadata(d: &mut Devnet, from: &Account, miner_id: ActorID, metadata: Metadata) -> Result<()> {
    let registry = d.suite().reputation;
    let p = rep::RegisterProviderParams {
        miner: Address::new_id(miner_id),
        metadata,
    };
    d.send(
        from,
        registry,
        "UpdateMetadata",
        rep::METHOD_UPDATE_METADATA,
        &p,
        TokenAmount::default(),
    )?;
    Ok(())
}

/// Every claim ever made on a bounty, current or settled. The market indexes only a bounty's
/// current slot holders, so this walks its claims map (read on the host, no message): fine
/// for a devnet, linear in all claims.
pub fn claims_of_bounty(d: &mut Devnet, bounty_id: u64) -> Result<Vec<GetClaimReturn>> {
    let market = d.suite().market;
    d.h.flush()?;
    let state = suite_devnet::bounty::state(&d.h, market)?;
    let store = d.h.store().clone();
    let claims = state.claims(store).map_err(|e| anyhow!("{e}"))?;
    let mut ids: Vec<u64> = all_pages(|cursor: Option<u64>| {
        let page = claims.page(cursor.as_ref(), 1000).map_err(|e| anyhow!("{e}"))?;
        let ids = page.entries.into_iter().filter(|(_, c)| c.bounty_id == bounty_id);
        Ok((ids.map(|(id, _)| id).collect(), page.next))
    })?;
    ids.sort_unstable();
    ids.into_iter().map(|id| get_claim(d, id)).collect()
}

pub fn reputation_of(d: &mut Devnet, provider: ActorID) -> Result<ReputationView> {
    let registry = d.suite().reputation;
    let p = rep::GetReputationParams {
        provider: Address::new_id(provider),
    };
    d.query(registry, "GetReputation", rep::METHOD_GET_REPUTATION, &p)
}

pub fn list_providers(d: &mut Devnet) -> Result<Vec<rep::ProviderSummary>> {
    let registry = d.suite().reputation;
    all_pages(|cursor| {
        let p = rep::ListProvidersParams { cursor, limit: 100 };
        let page: rep::ListProvidersReturn =
            d.query(registry, "ListProviders", rep::METHOD_LIST_PROVIDERS, &p)?;
        Ok((page.providers, page.next))
    })
}

// ---------------------------------------------------------------------------------------------
// JSON and text of the actors' records
// ---------------------------------------------------------------------------------------------

/// The stand-in market's `-1` means "not yet / never".
fn epoch_or_null(epoch: ChainEpoch) -> Value {
    if epoch < 0 {
        Value::Null
    } else {
        json!(epoch)
    }
}

fn epoch_or_never(epoch: ChainEpoch) -> String {
    if epoch < 0 {
        "never".into()
    } else {
        format!("at {epoch}")
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn address_json(d: &Devnet, id: ActorID) -> Value {
    json!({ "id": id, "address": format!("f0{id}"), "name": d.name_of(id) })
}

fn bounty_status(b: &Bounty, now: ChainEpoch) -> &'static str {
    match b.status {
        BountyStatus::Cancelled => "cancelled",
        BountyStatus::Open if now >= b.expiry => "expired",
        BountyStatus::Open if b.open_slots == 0 => "full",
        BountyStatus::Open => "open",
    }
}

fn bounty_json(d: &Devnet, b: &GetBountyReturn) -> Value {
    let x = &b.bounty;
    json!({
        "id": b.bounty_id,
        "client": address_json(d, x.client),
        "piece_cid": x.piece_cid.to_string(),
        "piece_size": x.piece_size,
        "replicas": x.replicas,
        "reward_per_replica": atto_json(&x.reward_per_replica),
        "collateral_per_replica": atto_json(&x.collateral_per_replica),
        "min_duration": x.min_duration,
        "expiry": x.expiry,
        "min_reputation": x.min_reputation,
        "allowed_providers": x.allowed_providers.as_ref().map(|ids| ids.iter().map(|id| address_json(d, *id)).collect::<Vec<_>>()),
        "posted_at": x.posted_at,
        "status": bounty_status(x, d.h.epoch()),
        "open_slots": x.open_slots,
        "pool": atto_json(&x.pool),
        "holders": x.holders.iter().map(|h| json!({"claim_id": h.claim_id, "provider": address_json(d, h.provider)})).collect::<Vec<_>>(),
        "refundable": atto_json(&x.refundable),
        "reclaimed": atto_json(&x.reclaimed),
    })
}

fn claim_status(s: ClaimStatus) -> &'static str {
    match s {
        ClaimStatus::Active => "active",
        ClaimStatus::Slashed => "slashed",
        ClaimStatus::Completed => "completed",
    }
}

fn claim_json(d: &Devnet, c: &GetClaimReturn) -> Value {
    let x = &c.claim;
    json!({
        "id": c.claim_id,
        "bounty_id": x.bounty_id,
        "provider": address_json(d, x.provider),
        "claimed_by": address_json(d, x.claimed_by),
        "deal_id": x.deal.deal_id,
        "sector": x.deal.sector,
        "deal_end": x.deal.end_epoch,
        "claimed_at": x.claimed_at,
        "vest_end": x.vest_end,
        "reward": atto_json(&x.reward),
        "vested": atto_json(&c.vested),
        "paid": atto_json(&x.paid),
        "collateral": atto_json(&x.collateral),
        "lock_id": x.lock_id,
        "status": claim_status(x.status),
        "stopped_at": x.stopped_at,
    })
}

fn lock_status(s: LockStatus) -> &'static str {
    match s {
        LockStatus::Open => "open",
        LockStatus::Slashed => "slashed",
        LockStatus::Released => "released",
    }
}

fn lock_json(d: &Devnet, l: &GetLockReturn) -> Value {
    let x = &l.lock;
    json!({
        "id": l.lock_id,
        "provider": address_json(d, x.provider),
        "locker": address_json(d, x.locker),
        "beneficiary": address_json(d, x.beneficiary),
        "refund_to": address_json(d, x.refund_to),
        "deal_id": x.deal.as_ref().map(|s| s.deal_id),
        "sector": x.sector.as_ref().map(|s| s.sector_number),
        "created_at": x.created_at,
        "end_epoch": x.end_epoch,
        "original": atto_json(&x.original),
        "remaining": atto_json(&x.remaining),
        "slashed": atto_json(&x.slashed),
        "released": atto_json(&x.released),
        "faults_charged": x.faults_charged,
        "status": lock_status(x.status),
    })
}

fn lock_row(d: &Devnet, l: &GetLockReturn) -> Vec<String> {
    let x = &l.lock;
    vec![
        l.lock_id.to_string(),
        d.name_of(x.provider),
        x.deal
            .as_ref()
            .map(|s| s.deal_id.to_string())
            .unwrap_or("-".into()),
        x.sector
            .as_ref()
            .map(|s| s.sector_number.to_string())
            .unwrap_or("-".into()),
        x.end_epoch.to_string(),
        fil(&x.remaining),
        fil(&x.slashed),
        lock_status(x.status).into(),
    ]
}

const LOCK_COLUMNS: [&str; 8] = [
    ">lock",
    "provider",
    ">deal",
    ">sector",
    ">end",
    ">remaining",
    ">slashed",
    "status",
];

fn reputation_json(d: &Devnet, v: &ReputationView) -> Value {
    let r = &v.record;
    json!({
        "provider": address_json(d, v.provider),
        "score": v.score,
        "epoch": v.epoch,
        "registered": v.registration.is_some(),
        "name": v.registration.as_ref().map(|x| x.metadata.name.clone()),
        "region": v.registration.as_ref().map(|x| x.metadata.region.clone()),
        "claims_accepted": r.counts.claims_accepted,
        "completed": r.counts.completed,
        "faults": r.counts.faults,
        "slashes": r.counts.slashes,
        "bytes_claimed": r.bytes.claimed.0.to_string(),
        "bytes_completed": r.bytes.completed.0.to_string(),
        "bytes_faulted": r.bytes.faulted.0.to_string(),
        "bytes_lost": r.bytes.lost.0.to_string(),
        "first_outcome": r.first_outcome,
        "last_outcome": r.last_outcome,
    })
}

/// Bytes in binary units: `2 KiB`, `32 GiB`, `1.5 TiB`.
pub fn bytes(n: u128) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// The registry's view of every provider, as a table (used by `reputation list` and the demo).
pub fn reputation_table(d: &mut Devnet) -> Result<(Table, Vec<Value>)> {
    let mut providers = list_providers(d)?;
    providers.sort_by_key(|p| p.provider);
    let mut table = Table::new(&[
        "provider",
        ">score",
        ">accepted",
        ">completed",
        ">faults",
        ">slashes",
        ">bytes claimed",
    ]);
    let mut rows = Vec::new();
    for p in providers {
        let view = reputation_of(d, p.provider)?;
        table.row(vec![
            d.name_of(p.provider),
            format!("{:.2}%", f64::from(view.score) / 100.0),
            p.counts.claims_accepted.to_string(),
            p.counts.completed.to_string(),
            p.counts.faults.to_string(),
            p.counts.slashes.to_string(),
            bytes(view.record.bytes.claimed.0),
        ]);
        rows.push(reputation_json(d, &view));
    }
    Ok((table, rows))
}

// ---------------------------------------------------------------------------------------------
// Command-line wrappers
// ---------------------------------------------------------------------------------------------

/// Where every attoFIL of the devnet is, by kind of holder. All FIL comes from the operator's
/// genesis balance, and gas fees go to the burnt-funds actor f099 (the devnet's base fee is
/// burnt, over-estimated gas too, and messages tip nothing), so the kinds add up to the genesis
/// supply.
pub struct FilBooks {
    /// The named key accounts (the operator and admin included).
    pub accounts: TokenAmount,
    pub miners: TokenAmount,
    /// The registry, the escrow and the bounty market.
    pub suite: TokenAmount,
    /// The storage market's escrow (f05).
    pub storage_market: TokenAmount,
    /// Gas burnt by every message so far (f099's balance).
    pub burnt: TokenAmount,
    /// Everyone else: accounts created by transfers to new addresses, other actors.
    pub other: TokenAmount,
    pub total: TokenAmount,
}

pub fn fil_books(d: &Devnet) -> Result<FilBooks> {
    use actor_runtime::builtin::{BURNT_FUNDS_ACTOR_ID, INIT_ACTOR_ID};
    let next_id = d.h.state::<stand_in_init::State>(INIT_ACTOR_ID)?.next_id;
    let s = d.suite();
    let zero = TokenAmount::default;
    let mut b = FilBooks {
        accounts: zero(),
        miners: zero(),
        suite: zero(),
        storage_market: zero(),
        burnt: zero(),
        other: zero(),
        total: zero(),
    };
    // Every actor has an ID below the init actor's next one.
    for id in 0..next_id {
        let balance = d.h.balance(id)?;
        if balance.is_zero() {
            continue;
        }
        b.total += &balance;
        let kind = if d.record.accounts.values().any(|a| a.id == id) {
            &mut b.accounts
        } else if d.record.miners.values().any(|m| m.id == id) {
            &mut b.miners
        } else if [s.reputation, s.escrow, s.market].contains(&id) {
            &mut b.suite
        } else if id == STORAGE_MARKET_ACTOR_ID {
            &mut b.storage_market
        } else if id == BURNT_FUNDS_ACTOR_ID {
            &mut b.burnt
        } else {
            &mut b.other
        };
        *kind += balance;
    }
    Ok(b)
}

fn describe_devnet(d: &mut Devnet, what: &str) -> Result<Output> {
    let s = d.suite();
    let mut actors = Vec::new();
    let mut table = Table::new(&["actor", "address", ">balance", ">wasm bytes", "code CID"]);
    for (name, id) in [
        ("provider-reputation", s.reputation),
        ("collateral-escrow", s.escrow),
        ("bounty-market", s.market),
    ] {
        let actor =
            d.h.actor(id)?
                .ok_or_else(|| anyhow!("{name} f0{id} is missing"))?;
        let size = suite_devnet::actors::wasm(name).map(|w| w.len()).unwrap_or(0);
        table.row(vec![
            name.into(),
            format!("f0{id}"),
            fil(&actor.balance),
            thousands(size as u64),
            actor.code.to_string(),
        ]);
        actors.push(json!({
            "name": name, "id": id, "address": format!("f0{id}"),
            "code_cid": actor.code.to_string(), "wasm_bytes": size, "balance": atto_json(&actor.balance),
        }));
    }
    let books = fil_books(d)?;
    let totals = escrow_totals(d)?;
    let root = d.h.flush()?;
    let disk = dir_size(&d.dir);
    let blocks = d.store().block_count()?;
    let json = json!({
        "data_dir": d.dir.display().to_string(),
        "epoch": d.h.epoch(),
        "state_root": root.to_string(),
        "actors": actors,
        "accounts": d.record.accounts.len(),
        "miners": d.record.miners.len(),
        "escrow": {
            "held": atto_json(&totals.held),
            "locked_total": atto_json(&totals.locked_total),
            "slashed_total": atto_json(&totals.slashed_total),
            "reporter_rewards_total": atto_json(&totals.reporter_rewards_total),
            "released_total": atto_json(&totals.released_total),
            "locks_created": totals.locks_created,
            "locks_open": totals.locks_open,
        },
        "fil": {
            "accounts": atto_json(&books.accounts),
            "miners": atto_json(&books.miners),
            "suite_actors": atto_json(&books.suite),
            "storage_market": atto_json(&books.storage_market),
            "gas_burnt": atto_json(&books.burnt),
            "other": atto_json(&books.other),
            "total": atto_json(&books.total),
        },
        "disk_bytes": disk,
        "blocks": blocks,
    });
    let text = format!(
        "devnet {what}: {}\nepoch {}, state root {}\n\n{}\naccounts {}, miners {}\nescrow: {} held in {} open locks of {}; {} slashed, {} to reporters, {} released\nFIL: accounts {}, miners {}, suite actors {}, storage market {}, burnt for gas (f099) {}, others {}; total {}\ndisk: {} bytes, {} blocks\n",
        d.dir.display(),
        d.h.epoch(),
        root,
        table.render(),
        d.record.accounts.len(),
        d.record.miners.len(),
        fil(&totals.held),
        totals.locks_open,
        totals.locks_created,
        fil(&totals.slashed_total),
        fil(&totals.reporter_rewards_total),
        fil(&totals.released_total),
        fil(&books.accounts),
        fil(&books.miners),
        fil(&books.suite),
        fil(&books.storage_market),
        fil(&books.burnt),
        fil(&books.other),
        fil(&books.total),
        thousands(disk),
        thousands(blocks),
    );
    Ok(Output::new(json, text))
}

fn advance_cmd(d: &mut Devnet, a: AdvanceArgs) -> Result<Output> {
    let target = match (a.epochs, a.to) {
        (_, Some(to)) => to,
        (Some(n), None) => {
            d.h.epoch()
                .checked_add(n)
                .ok_or_else(|| anyhow!("epoch overflow"))?
        }
        (None, None) => bail!("say how many epochs, or --to EPOCH"),
    };
    if target < d.h.epoch() {
        bail!("epoch {target} is in the past (now {})", d.h.epoch());
    }
    if target > MAX_EPOCH {
        bail!("epoch {target} is beyond the devnet's last epoch {MAX_EPOCH}");
    }
    let from = d.h.epoch();
    d.h.advance_to(target)?;
    Ok(Output::new(
        json!({ "from": from, "epoch": target }),
        format!("epoch {from} → {target}"),
    ))
}

fn account_cmd(d: &mut Devnet, c: AccountCmd) -> Result<(Output, bool)> {
    Ok(match c {
        AccountCmd::Create { name, balance } => {
            let balance = parse_amount(&balance)?;
            let a = create_account(d, &name, balance.clone())?;
            let out = Output::new(
                json!({ "name": name, "id": a.id, "address": format!("f0{}", a.id), "key_address": a.key.to_string(), "balance": atto_json(&balance) }),
                format!("account {name}: f0{} ({}), {}", a.id, a.key, fil(&balance)),
            );
            (out, true)
        }
        AccountCmd::List => {
            // Key accounts, then the miners (they hold FIL too), then the gas burnt so far.
            let mut table = Table::new(&["name", "kind", "address", "key address", ">balance"]);
            let mut rows = Vec::new();
            for (name, a) in d.record.accounts.clone() {
                let balance = d.h.balance(a.id)?;
                table.row(vec![
                    name.clone(),
                    "account".into(),
                    format!("f0{}", a.id),
                    a.key.to_string(),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "kind": "account", "id": a.id, "address": format!("f0{}", a.id), "key_address": a.key.to_string(), "balance": atto_json(&balance) }));
            }
            for (name, m) in d.record.miners.clone() {
                let balance = d.h.balance(m.id)?;
                table.row(vec![
                    name.clone(),
                    "miner".into(),
                    format!("f0{}", m.id),
                    "-".into(),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "kind": "miner", "id": m.id, "address": format!("f0{}", m.id), "balance": atto_json(&balance) }));
            }
            let burnt_id = actor_runtime::builtin::BURNT_FUNDS_ACTOR_ID;
            let burnt = d.h.balance(burnt_id)?;
            table.row(vec![
                "gas burnt".into(),
                "burnt funds".into(),
                format!("f0{burnt_id}"),
                "-".into(),
                fil(&burnt),
            ]);
            rows.push(json!({ "name": "gas burnt", "kind": "burnt", "id": burnt_id, "address": format!("f0{burnt_id}"), "balance": atto_json(&burnt) }));
            (Output::new(Value::Array(rows), table.render()), false)
        }
        AccountCmd::Fund { to, amount, from } => {
            let amount = parse_amount(&amount)?;
            let from = d.account(&from)?;
            let to_address = match d.actor_id(&to) {
                Ok(id) => Address::new_id(id),
                Err(e) => crate::devnet::parse_address(&to).map_err(|_| e)?,
            };
            let to_id = transfer(d, &from, to_address, amount.clone())?;
            let balance = d.h.balance(to_id)?;
            let out = Output::new(
                json!({ "to": address_json(d, to_id), "amount": atto_json(&amount), "balance": atto_json(&balance) }),
                format!(
                    "sent {} to {}; it now holds {}",
                    fil(&amount),
                    d.name_of(to_id),
                    fil(&balance)
                ),
            );
            (out, true)
        }
    })
}

fn miner_cmd(d: &mut Devnet, c: MinerCmd) -> Result<(Output, bool)> {
    Ok(match c {
        MinerCmd::Create {
            name,
            owner,
            worker,
            controls,
        } => {
            let owner = d.account(&owner)?;
            let worker = match worker {
                Some(w) => d.account(&w)?,
                None => owner,
            };
            let controls = controls
                .iter()
                .map(|c| d.account(c))
                .collect::<Result<Vec<_>>>()?;
            let id = create_miner(d, &name, &owner, &worker, &controls)?;
            let out = Output::new(
                json!({ "name": name, "id": id, "address": format!("f0{id}"), "owner": address_json(d, owner.id), "worker": address_json(d, worker.id) }),
                format!(
                    "miner {name}: f0{id} (owner {}, worker {})",
                    d.name_of(owner.id),
                    d.name_of(worker.id)
                ),
            );
            (out, true)
        }
        MinerCmd::List => {
            let mut table = Table::new(&["name", "address", "owner", "worker", "controls", ">balance"]);
            let mut rows = Vec::new();
            for (name, m) in d.record.miners.clone() {
                let controls: Vec<String> = m.controls.iter().map(|c| d.name_of(*c)).collect();
                let balance = d.h.balance(m.id)?;
                table.row(vec![
                    name.clone(),
                    format!("f0{}", m.id),
                    d.name_of(m.owner),
                    d.name_of(m.worker),
                    controls.join(","),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "id": m.id, "address": format!("f0{}", m.id), "owner": address_json(d, m.owner), "worker": address_json(d, m.worker), "controls": m.controls.iter().map(|c| address_json(d, *c)).collect::<Vec<_>>(), "balance": atto_json(&balance) }));
            }
            (Output::new(Value::Array(rows), table.render()), false)
        }
        MinerCmd::AddSector {
            miner: m,
            sector,
            deadline,
            partition,
            expiration,
        } => {
            let id = d.miner_id(&m)?;
            let expiration = expiration.unwrap_or(d.h.epoch().saturating_add(YEAR));
            add_sector(d, id, sector, deadline, partition, expiration)?;
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "deadline": deadline, "partition": partition, "expiration": expiration }),
                format!("{m}: sector {sector} active at ({deadline}, {partition}) until epoch {expiration}"),
            );
            (out, true)
        }
        MinerCmd::Fault { miner: m, sector } => {
            sector_control(d, &m, sector, "faulty", miner::Control::Fault)?
        }
        MinerCmd::Recover { miner: m, sector } => {
            sector_control(d, &m, sector, "recovered", miner::Control::Recover)?
        }
        MinerCmd::Terminate { miner: m, sector } => {
            sector_control(d, &m, sector, "terminated", miner::Control::Terminate)?
        }
        MinerCmd::Sector { miner: m, sector } => {
            let id = d.miner_id(&m)?;
            let (status, l) = sector_location(d, id, sector)?;
            let status = format!("{status:?}").to_lowercase();
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "status": status, "deadline": l.deadline, "partition": l.partition }),
                format!(
                    "{m}: sector {sector} {status} at ({}, {})",
                    l.deadline, l.partition
                ),
            );
            (out, false)
        }
    })
}

fn sector_control(
    d: &mut Devnet,
    m: &str,
    sector: SectorNumber,
    what: &str,
    control: fn(SectorNumber) -> miner::Control,
) -> Result<(Output, bool)> {
    let id = d.miner_id(m)?;
    miner_control(d, id, &control(sector))?;
    Ok((
        Output::new(
            json!({ "miner": id, "sector": sector, "status": what }),
            format!("{m}: sector {sector} {what}"),
        ),
        true,
    ))
}

fn deal_cmd(d: &mut Devnet, c: DealCmd) -> Result<(Output, bool)> {
    Ok(match c {
        DealCmd::Publish {
            client,
            provider,
            piece,
            start,
            end,
            price_per_epoch,
            provider_collateral,
            client_collateral,
        } => {
            let (piece_cid, piece_size) = piece.resolve()?;
            let proposal = f05::DealProposal {
                piece_cid,
                piece_size: PaddedPieceSize(piece_size),
                verified_deal: false,
                client: Address::new_id(d.actor_id(&client)?),
                provider: Address::new_id(d.miner_id(&provider)?),
                label: f05::Label::String(String::new()),
                start_epoch: start.unwrap_or(d.h.epoch()),
                end_epoch: end,
                storage_price_per_epoch: parse_amount(&price_per_epoch)?,
                provider_collateral: parse_amount(&provider_collateral)?,
                client_collateral: parse_amount(&client_collateral)?,
            };
            let id = publish_deal(d, &proposal)?;
            let out = Output::new(
                json!({ "deal_id": id }),
                format!(
                    "deal {id}: {client} ↔ {provider}, piece {}, epochs {}–{}",
                    proposal.piece_cid, proposal.start_epoch, proposal.end_epoch
                ),
            );
            (out, true)
        }
        DealCmd::Activate { deal, sector } => {
            activate_deal(d, deal, sector)?;
            let out = Output::new(
                json!({ "deal_id": deal, "sector": sector, "activated": d.h.epoch() }),
                format!(
                    "deal {deal} activated in sector {sector} at epoch {}",
                    d.h.epoch()
                ),
            );
            (out, true)
        }
        DealCmd::Terminate { deal } => {
            deal_control(
                d,
                "HarnessTerminateDeal",
                f05::METHOD_HARNESS_TERMINATE_DEAL,
                deal,
            )?;
            (
                Output::new(
                    json!({ "deal_id": deal, "status": "terminated" }),
                    format!("deal {deal} terminated"),
                ),
                true,
            )
        }
        DealCmd::Settle { deal } => {
            deal_control(d, "HarnessSettleDeal", f05::METHOD_HARNESS_SETTLE_DEAL, deal)?;
            (
                Output::new(
                    json!({ "deal_id": deal, "status": "settled" }),
                    format!("deal {deal} settled"),
                ),
                true,
            )
        }
        DealCmd::Show { deal } => {
            let p = f05::DealQueryParams { id: deal };
            let m = STORAGE_MARKET_ACTOR_ID;
            let commitment: f05::GetDealDataCommitmentReturn = match d.query(
                m,
                "GetDealDataCommitment",
                f05::METHOD_GET_DEAL_DATA_COMMITMENT,
                &p,
            ) {
                Ok(c) => c,
                Err(e) if is_gone(&e) => return Ok((gone_deal(d, deal), false)),
                Err(e) => return Err(e),
            };
            let client: ActorID = d.query(m, "GetDealClient", f05::METHOD_GET_DEAL_CLIENT, &p)?;
            let provider: ActorID = d.query(m, "GetDealProvider", f05::METHOD_GET_DEAL_PROVIDER, &p)?;
            let term: f05::GetDealTermReturn = d.query(m, "GetDealTerm", f05::METHOD_GET_DEAL_TERM, &p)?;
            let activation: f05::GetDealActivationReturn =
                d.query(m, "GetDealActivation", f05::METHOD_GET_DEAL_ACTIVATION, &p)?;
            let end = term.start + term.duration;
            let status = match activation.activated {
                a if a < 0 => "published",
                _ if d.h.epoch() < end => "active",
                _ => "ended, not yet settled",
            };
            let json = json!({
                "deal_id": deal,
                "status": status,
                "client": address_json(d, client),
                "provider": address_json(d, provider),
                "piece_cid": commitment.data.to_string(),
                "piece_size": commitment.size.0,
                "start": term.start,
                "end": end,
                "activated": epoch_or_null(activation.activated),
                "terminated": epoch_or_null(activation.terminated),
            });
            let text = format!(
                "deal {deal} ({status}): client {}, provider {}\npiece {} ({})\nepochs {}–{}, activated {}, terminated {}",
                d.name_of(client),
                d.name_of(provider),
                commitment.data,
                bytes(commitment.size.0.into()),
                term.start,
                term.start + term.duration,
                epoch_or_never(activation.activated),
                epoch_or_never(activation.terminated)
            );
            (Output::new(json, text), false)
        }
    })
}

/// The storage market's 32 for a deal: it no longer keeps it.
fn is_gone(e: &anyhow::Error) -> bool {
    e.downcast_ref::<crate::devnet::Refused>()
        .is_some_and(|r| r.exit_code.value() == actor_runtime::builtin::EX_DEAL_EXPIRED)
}

/// A deal the storage market deleted: how it ended, as the market's events told this devnet
/// (`deal-terminated`: slashed before its end; `deal-completed`: settled after it). A deal
/// that was never activated and timed out ends with no event.
fn gone_deal(d: &Devnet, deal: DealID) -> Output {
    let ending = d.deal_ending(deal);
    let json = json!({
        "deal_id": deal,
        "status": ending.map_or("ended", |e| e.kind.as_str()),
        "at": ending.map(|e| e.epoch),
    });
    let text = match ending {
        Some(e) if e.kind == "terminated" => format!(
            "deal {deal} terminated at epoch {} (the storage market's deal-terminated event): it was slashed before its end, and the market keeps nothing of it",
            e.epoch
        ),
        Some(e) => format!(
            "deal {deal} completed: settled at epoch {} after its end (deal-completed), and the market keeps nothing of it",
            e.epoch
        ),
        None => format!(
            "deal {deal} is no longer in the storage market (exit 32) and no termination of it was seen: it was settled or timed out unactivated"
        ),
    };
    Output::new(json, text)
}

fn bounty_cmd(d: &mut Devnet, c: BountyCmd) -> Result<(Output, bool)> {
    Ok(match c {
        BountyCmd::Post {
            from,
            piece,
            replicas,
            reward,
            collateral,
            min_duration,
            expiry,
            min_reputation,
            allowed,
        } => {
            let from = d.account(&from)?;
            let allowed_providers = if allowed.is_empty() {
                None
            } else {
                Some(
                    allowed
                        .iter()
                        .map(|a| d.miner_id(a))
                        .collect::<Result<Vec<_>>>()?,
                )
            };
            let (piece_cid, piece_size) = piece.resolve()?;
            let p = PostBountyParams {
                piece_cid,
                piece_size,
                replicas,
                reward_per_replica: parse_amount(&reward)?,
                collateral_per_replica: parse_amount(&collateral)?,
                min_duration,
                expiry,
                min_reputation,
                allowed_providers,
            };
            let value = &p.reward_per_replica * p.replicas;
            let id = post_bounty(d, &from, &p)?;
            let out = Output::new(
                json!({ "bounty_id": id, "value": atto_json(&value) }),
                format!(
                    "bounty {id}: {} × {} for piece {} ({}), collateral {}, at least {} epochs, claimable before epoch {} — {} escrowed",
                    plural(p.replicas, "replica", "replicas"),
                    fil(&p.reward_per_replica),
                    p.piece_cid,
                    bytes(p.piece_size.into()),
                    fil(&p.collateral_per_replica),
                    p.min_duration,
                    p.expiry,
                    fil(&value)
                ),
            );
            (out, true)
        }
        BountyCmd::List { client, piece } => {
            let client = client.map(|c| d.actor_id(&c)).transpose()?;
            let piece = piece.map(|p| parse_piece_cid(&p)).transpose()?;
            let mut all = list_bounties(d, client, piece)?;
            all.sort_by_key(|b| b.bounty_id);
            let now = d.h.epoch();
            let mut table = Table::new(&[
                ">id",
                "client",
                "piece",
                ">replicas",
                ">open",
                ">reward",
                ">collateral",
                ">expiry",
                "status",
            ]);
            for b in &all {
                let x = &b.bounty;
                let piece = x.piece_cid.to_string();
                let short = format!("…{}", &piece[piece.len().saturating_sub(10)..]);
                table.row(vec![
                    b.bounty_id.to_string(),
                    d.name_of(x.client),
                    short,
                    x.replicas.to_string(),
                    x.open_slots.to_string(),
                    fil(&x.reward_per_replica),
                    fil(&x.collateral_per_replica),
                    x.expiry.to_string(),
                    bounty_status(x, now).into(),
                ]);
            }
            let json = Value::Array(all.iter().map(|b| bounty_json(d, b)).collect());
            (Output::new(json, table.render()), false)
        }
        BountyCmd::Show { id } => {
            let b = get_bounty(d, id)?;
            let claims = claims_of_bounty(d, id)?;
            let x = &b.bounty;
            let mut text = format!(
                "bounty {id} ({}), client {}\npiece {} ({})\n{} × {} (collateral {}), {} open; at least {} epochs; claimable before epoch {}\nminimum reputation {}, providers {}\npool {}, refundable {}, reclaimed {}\n",
                bounty_status(x, d.h.epoch()),
                d.name_of(x.client),
                x.piece_cid,
                bytes(x.piece_size.into()),
                plural(x.replicas, "replica", "replicas"),
                fil(&x.reward_per_replica),
                fil(&x.collateral_per_replica),
                x.open_slots,
                x.min_duration,
                x.expiry,
                x.min_reputation
                    .map(|r| format!("{:.2}% ({r} bps)", f64::from(r) / 100.0))
                    .unwrap_or_else(|| "none".into()),
                x.allowed_providers
                    .as_ref()
                    .map(|ids| ids.iter().map(|id| d.name_of(*id)).collect::<Vec<_>>().join(", "))
                    .unwrap_or_else(|| "any".into()),
                fil(&x.pool),
                fil(&x.refundable),
                fil(&x.reclaimed),
            );
            if !claims.is_empty() {
                let mut table = Table::new(&[
                    ">claim",
                    "provider",
                    ">deal",
                    ">vested",
                    ">paid",
                    ">vest end",
                    ">lock",
                    "status",
                ]);
                for c in &claims {
                    table.row(vec![
                        c.claim_id.to_string(),
                        d.name_of(c.claim.provider),
                        c.claim.deal.deal_id.to_string(),
                        fil(&c.vested),
                        fil(&c.claim.paid),
                        c.claim.vest_end.to_string(),
                        c.claim.lock_id.map(|l| l.to_string()).unwrap_or("-".into()),
                        claim_status(c.claim.status).into(),
                    ]);
                }
                text.push('\n');
                text.push_str(&table.render());
            }
            let mut json = bounty_json(d, &b);
            json["claims"] = Value::Array(claims.iter().map(|c| claim_json(d, c)).collect());
            (Output::new(json, text), false)
        }
        BountyCmd::Claim {
            id,
            provider,
            deal,
            from,
            deadline,
            partition,
        } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let location = deadline
                .zip(partition)
                .map(|(deadline, partition)| SectorLocation { deadline, partition });
            let ret = claim_bounty(d, &from, id, provider_id, deal, location)?;
            let out = Output::new(
                json!({ "claim_id": ret.claim_id, "lock_id": ret.lock_id, "reward": atto_json(&ret.reward) }),
                format!(
                    "claim {}: {provider} holds a slot of bounty {id} with deal {deal}; reward {} vests, collateral in lock {}",
                    ret.claim_id,
                    fil(&ret.reward),
                    ret.lock_id
                ),
            );
            (out, true)
        }
        BountyCmd::ShowClaim { id } => {
            let c = get_claim(d, id)?;
            let x = &c.claim;
            let text = format!(
                "claim {id} ({}) on bounty {} by {} (deal {}, sector {})\nclaimed at {}, vests until {}: {} of {} vested, {} paid\ncollateral {} in lock {}",
                claim_status(x.status),
                x.bounty_id,
                d.name_of(x.provider),
                x.deal.deal_id,
                x.deal.sector,
                x.claimed_at,
                x.vest_end,
                fil(&c.vested),
                fil(&x.reward),
                fil(&x.paid),
                fil(&x.collateral),
                x.lock_id.map(|l| l.to_string()).unwrap_or("-".into()),
            );
            (Output::new(claim_json(d, &c), text), false)
        }
        BountyCmd::Cancel { id, from } => {
            let from = d.account(&from)?;
            let before = cancel_bounty(d, &from, id)?;
            let text = if before.open_slots == 0 {
                format!(
                    "bounty {id} cancelled: every slot is claimed, so nothing is refundable now; from now on a claim that fails refunds its unvested reward to {} instead of reopening its slot",
                    d.name_of(before.client)
                )
            } else {
                format!(
                    "bounty {id} cancelled: {} freed, {} refundable (bounty reclaim {id})",
                    plural(before.open_slots, "open slot", "open slots"),
                    fil(&(&before.pool + &before.refundable))
                )
            };
            (
                Output::new(
                    json!({ "bounty_id": id, "status": "cancelled", "slots_freed": before.open_slots, "freed": atto_json(&before.pool) }),
                    text,
                ),
                true,
            )
        }
        BountyCmd::Withdraw { provider, from } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let ret = withdraw(d, &from, provider_id)?;
            let out = Output::new(
                json!({ "paid": atto_json(&ret.paid), "to": address_json(d, ret.to), "more": ret.more }),
                format!(
                    "paid {} to {} (owner of {provider}){}",
                    fil(&ret.paid),
                    d.name_of(ret.to),
                    if ret.more {
                        "; more claims remain: withdraw again"
                    } else {
                        ""
                    }
                ),
            );
            (out, true)
        }
        BountyCmd::Reclaim { id, from } => {
            let from = d.account(&from)?;
            let amount = reclaim(d, &from, id)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "reclaimed": atto_json(&amount) }),
                    format!("reclaimed {} from bounty {id}", fil(&amount)),
                ),
                true,
            )
        }
        BountyCmd::Balance { provider } => {
            let id = d.miner_id(&provider)?;
            let b = provider_balance(d, id)?;
            let out = Output::new(
                json!({ "provider": address_json(d, id), "vested": atto_json(&b.vested), "paid": atto_json(&b.paid), "withdrawable": atto_json(&b.withdrawable), "pending": atto_json(&b.pending), "open_claims": b.open_claims }),
                format!(
                    "{provider}: vested {}, paid {}, withdrawable {}, still vesting {}, {}",
                    fil(&b.vested),
                    fil(&b.paid),
                    fil(&b.withdrawable),
                    fil(&b.pending),
                    plural(b.open_claims, "open claim", "open claims")
                ),
            );
            (out, false)
        }
    })
}

fn escrow_cmd(d: &mut Devnet, c: EscrowCmd) -> Result<(Output, bool)> {
    Ok(match c {
        EscrowCmd::Show { lock } => {
            let l = get_lock(d, lock)?;
            let mut table = Table::new(&LOCK_COLUMNS);
            table.row(lock_row(d, &l));
            (Output::new(lock_json(d, &l), table.render()), false)
        }
        EscrowCmd::List { provider } => {
            let id = d.miner_id(&provider)?;
            let locks = list_locks(d, id)?;
            let mut table = Table::new(&LOCK_COLUMNS);
            for l in &locks {
                table.row(lock_row(d, l));
            }
            let json = Value::Array(locks.iter().map(|l| lock_json(d, l)).collect());
            (Output::new(json, table.render()), false)
        }
        EscrowCmd::Report {
            lock,
            from,
            proof,
            deadline,
            partition,
        } => {
            let from = d.account(&from)?;
            let kind = ProofKind::parse(&proof)?;
            let location = deadline
                .zip(partition)
                .map(|(deadline, partition)| SectorLocation { deadline, partition });
            let ret = report_fault(d, &from, lock, kind, location)?;
            let out = Output::new(
                json!({ "lock_id": lock, "slashed": atto_json(&ret.slashed), "reporter_reward": atto_json(&ret.reporter_reward), "compensation": atto_json(&ret.compensation), "remaining": atto_json(&ret.remaining) }),
                format!(
                    "lock {lock}: {proof} proven; slashed {} ({} to {}, {} to the beneficiary), {} remains",
                    fil(&ret.slashed),
                    fil(&ret.reporter_reward),
                    d.name_of(from.id),
                    fil(&ret.compensation),
                    fil(&ret.remaining)
                ),
            );
            (out, true)
        }
        EscrowCmd::Release { lock, from } => {
            let from = d.account(&from)?;
            let (amount, to) = release(d, &from, lock)?;
            (
                Output::new(
                    json!({ "lock_id": lock, "released": atto_json(&amount), "to": address_json(d, to) }),
                    format!("lock {lock} released: {} back to {}", fil(&amount), d.name_of(to)),
                ),
                true,
            )
        }
    })
}

/// `reputation register` (`registering`) or `update`: the same metadata, two methods.
fn metadata_cmd(d: &mut Devnet, args: MetadataArgs, registering: bool) -> Result<Output> {
    let from = d.account(&args.from)?;
    let id = d.miner_id(&args.miner)?;
    let (m, name) = (args.miner, args.name);
    let metadata = Metadata {
        name: name.clone(),
        region: args.region,
        peer_id: args.peer_id.into_bytes(),
        links: args.links,
    };
    let said = if registering {
        register_provider(d, &from, id, metadata)?;
        format!("{m} registered as {name:?}")
    } else {
        update_metadata(d, &from, id, metadata)?;
        format!("{m}'s metadata updated: {name:?}")
    };
    Ok(Output::new(
        json!({ "provider": address_json(d, id), "name": name }),
        said,
    ))
}

fn reputation_cmd(d: &mut Devnet, c: ReputationCmd) -> Result<(Output, bool)> {
    Ok(match c {
        ReputationCmd::Register(args) => (metadata_cmd(d, args, true)?, true),
        ReputationCmd::Update(args) => (metadata_cmd(d, args, false)?, true),
        ReputationCmd::Show { provider } => {
            let id = d.miner_id(&provider)?;
            let v = reputation_of(d, id)?;
            let r = &v.record;
            let text = format!(
                "{provider} (f0{id}){}: score {:.2}% at epoch {}\nclaims accepted {}, completed {}, faults {}, slashes {}\nbytes claimed {}, completed {}, faulted {}, lost {}",
                v.registration
                    .as_ref()
                    .map(|x| format!(" \"{}\" [{}]", x.metadata.name, x.metadata.region))
                    .unwrap_or_else(|| " (not registered)".into()),
                f64::from(v.score) / 100.0,
                v.epoch,
                r.counts.claims_accepted,
                r.counts.completed,
                r.counts.faults,
                r.counts.slashes,
                bytes(r.bytes.claimed.0),
                bytes(r.bytes.completed.0),
                bytes(r.bytes.faulted.0),
                bytes(r.bytes.lost.0),
            );
            (Output::new(reputation_json(d, &v), text), false)
        }
        ReputationCmd::List => {
            let (table, rows) = reputation_table(d)?;
            (Output::new(Value::Array(rows), table.render()), false)
        }
    })
}
