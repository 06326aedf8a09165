//! The operator controls `suite node` runs on its in-process devnet (`Devnet.*`), and the
//! transfers and miners it makes: the in-process counterparts of what the commands ask a node
//! over JSON-RPC.

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, bail, Result};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, METHOD_SEND};
use stand_in_market as f05;
use suite_devnet::miner;
use suite_devnet::{storage_market, Account};

use crate::devnet::{DealEnding, Devnet, MinerRecord};
use crate::units::fil;

/// A year of epochs: the default nominal sector expiration.
pub(crate) const YEAR: ChainEpoch = 1_051_200;

/// Moves the chain to `target` (the chain's cron runs for the epochs passed). The deals the
/// cron terminated on the way (with sectors faulty for 42 proving periods) are recorded as a
/// command's are, at the epoch the devnet reached.
pub fn advance_to(d: &mut Devnet, target: ChainEpoch) -> Result<()> {
    use stand_in_market::logic::EVENT_DEAL_TERMINATED;
    d.h.advance_to(target)?;
    let epoch = d.h.epoch();
    let ended: Vec<DealID> =
        d.h.cron_receipts()
            .iter()
            .flat_map(|r| r.events_of(EVENT_DEAL_TERMINATED))
            .filter(|e| e.emitter == STORAGE_MARKET_ACTOR_ID)
            .filter_map(|e| e.event.entries.iter().find(|x| x.key == "id"))
            .filter_map(|x| fvm_ipld_encoding::from_slice::<DealID>(&x.value).ok())
            .collect();
    for deal_id in ended {
        d.record.deal_endings.push(DealEnding {
            deal_id,
            kind: "terminated".to_string(),
            epoch,
        });
    }
    Ok(())
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
    let code = d.h.code_of(actor_runtime::builtin::BuiltinType::Miner);
    let exec = crate::devnet::miner_exec(&d.name_of(worker.id), owner, worker, controls, code)?;
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
    let operator = d.operator();
    miner::control_from(d, &operator, miner_id, control)?;
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

pub fn publish_deal(d: &mut Devnet, proposal: &f05::DealProposal) -> Result<DealID> {
    let operator = d.operator();
    storage_market::publish_deal(d, &operator, proposal)?.ret()
}

pub fn activate_deal(d: &mut Devnet, deal: DealID, sector: SectorNumber) -> Result<()> {
    let operator = d.operator();
    storage_market::activate_deal(d, &operator, deal, sector)?;
    Ok(())
}

/// Ends a deal early as the operator: terminate, settle or time out (`method`).
pub(crate) fn deal_control(d: &mut Devnet, method: u64, deal: DealID) -> Result<()> {
    let operator = d.operator();
    storage_market::deal_control(d, &operator, method, deal)?;
    Ok(())
}

/// Refuses early, with the amounts, when `from` cannot pay `value`.
pub(crate) fn check_funds(d: &Devnet, from: &Account, value: &TokenAmount, what: &str) -> Result<()> {
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
