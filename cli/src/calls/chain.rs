//! Typed operations on the chain a node serves: accounts, transfers, stand-in miners and their
//! sectors, f05 deals. What only a devnet can do (funds from its faucet, sectors and deals made
//! by its operator, the clock) goes through the node's `Devnet.*` namespace.

use anyhow::{anyhow, bail, Context, Result};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, METHOD_SEND};
use serde_json::json;
use stand_in_market as f05;
use suite_client::wallet::{Key, KeyType};
use suite_devnet::miner::{self, SectorLocation as MinerLocation, SectorStatusCode};
use suite_devnet::{Account, Chain, MinerClient, StorageMarketClient};

use super::answer;

use crate::node::json as lotus;
use crate::session::{BookMiner, Session};
use crate::units::fil;
use crate::KeyKind;

/// A year of epochs: the default nominal sector expiration.
pub(crate) const YEAR: ChainEpoch = 1_051_200;

/// The furthest epoch a devnet may reach: a million years of 30-second epochs, far beyond any
/// deal, and far from overflowing the epoch arithmetic of the actors.
pub const MAX_EPOCH: ChainEpoch = 1_000_000 * YEAR;

/// The most epochs one `Devnet.AdvanceEpochs` moves.
pub const MAX_ADVANCE: ChainEpoch = 1_051_200;

/// A new key in the keystore, named, funded from the devnet's faucet (which creates its
/// account).
pub fn create_account(d: &mut Session, name: &str, balance: TokenAmount, key: KeyKind) -> Result<Account> {
    d.check_new_name(name)?;
    let kind = match key {
        KeyKind::Bls => KeyType::Bls,
        KeyKind::Secp256k1 => KeyType::Secp256k1,
    };
    // A real key, kept before its account exists: no account is ever left without its key.
    let key = Key::generate(kind)?;
    let address = d.chain.keystore.put(&key)?;
    d.add_account(name, address, None);
    let id = faucet(d, address, &balance)?;
    d.add_account(name, address, Some(id));
    Ok(Account { id, key: address })
}

/// FIL from the devnet's faucet (`Devnet.Faucet`); answers the receiver's ID.
pub fn faucet(d: &mut Session, to: Address, amount: &TokenAmount) -> Result<ActorID> {
    let answer = d.devnet(
        "Devnet.Faucet",
        json!([lotus::address(&to), lotus::amount(amount)]),
    )?;
    let id = answer["Id"].as_str().unwrap_or("");
    Ok(crate::devnet::parse_address(id)?.id()?)
}

/// Moves the chain so that the next message executes at `target` (`Devnet.AdvanceEpochs`;
/// the chain's cron runs for the epochs passed).
pub fn advance_to(d: &mut Session, target: ChainEpoch) -> Result<()> {
    let mut now = d.epoch()?;
    while now < target {
        let step = (target - now).min(MAX_ADVANCE);
        d.devnet("Devnet.AdvanceEpochs", json!([step]))?;
        now = d.epoch()?;
    }
    Ok(())
}

/// Sends FIL to an actor, or to a new key address (the chain creates its account).
pub fn transfer(d: &mut Session, from: &Account, to: Address, amount: TokenAmount) -> Result<ActorID> {
    check_funds(d, from, &amount, "the transfer")?;
    // To the address itself: a new key address has no ID until this creates its account.
    Chain::send(d, from, to, METHOD_SEND, RawBytes::default(), amount)?;
    d.chain
        .resolve(&to)?
        .ok_or_else(|| anyhow!("{to} did not get an actor"))
}

pub fn create_miner(
    d: &mut Session,
    name: &str,
    owner: &Account,
    worker: &Account,
    controls: &[Account],
) -> Result<ActorID> {
    d.check_new_name(name)?;
    let code = d
        .builtin_code("storageminer")?
        .context("the node names no storageminer code (StateActorCodeCIDs)")?;
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
    d.add_miner(
        name,
        BookMiner {
            id,
            owner: owner.id,
            worker: worker.id,
            controls: controls.iter().map(|c| c.id).collect(),
        },
    );
    Ok(id)
}

/// One operator control of a stand-in miner, through the node's `Devnet.*` namespace.
pub fn miner_control(d: &mut Session, miner_id: ActorID, control: &miner::Control) -> Result<()> {
    let m = lotus::address(&Address::new_id(miner_id));
    let (method, params) = match control {
        miner::Control::Add(a) => (
            "Devnet.AddSector",
            json!([m, a.sector_number, a.deadline, a.partition, a.expiration]),
        ),
        miner::Control::Fault(s) => ("Devnet.FaultSector", json!([m, s])),
        miner::Control::Recover(s) => ("Devnet.RecoverSector", json!([m, s])),
        miner::Control::Terminate(s) => ("Devnet.TerminateSector", json!([m, s])),
        miner::Control::StopProving(s) => ("Devnet.StopProving", json!([m, s])),
        miner::Control::ResumeProving(s) => ("Devnet.ResumeProving", json!([m, s])),
        other => bail!("the node has no Devnet control for {other:?}"),
    };
    d.devnet(method, params)?;
    Ok(())
}

pub fn add_sector(
    d: &mut Session,
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

/// Sends `DeclareFaults` (`recovered: false`) or `DeclareFaultsRecovered` for one sector from
/// a controlling account, at the location the miner reports; returns that location.
pub fn declare_sector(
    d: &mut Session,
    from: &Account,
    miner_id: ActorID,
    sector: SectorNumber,
    recovered: bool,
) -> Result<MinerLocation> {
    let (_, l) = sector_location(d, miner_id, sector)?;
    let (Ok(deadline), Ok(partition)) = (u64::try_from(l.deadline), u64::try_from(l.partition)) else {
        bail!("sector {sector} of f0{miner_id} is in no partition: it is dead or was never added");
    };
    let declaration = vec![miner::FaultDeclaration {
        deadline,
        partition,
        sectors: vec![sector],
    }];
    // Sent by name, so the gas table and refusals say which declaration it was.
    if recovered {
        let p = miner::DeclareFaultsRecoveredParams {
            recoveries: declaration,
        };
        let number = miner::METHOD_DECLARE_FAULTS_RECOVERED;
        d.send(
            from,
            miner_id,
            "DeclareFaultsRecovered",
            number,
            &p,
            TokenAmount::default(),
        )?;
    } else {
        let p = miner::DeclareFaultsParams { faults: declaration };
        let number = miner::METHOD_DECLARE_FAULTS;
        d.send(
            from,
            miner_id,
            "DeclareFaults",
            number,
            &p,
            TokenAmount::default(),
        )?;
    }
    Ok(l)
}

/// The provider's proving software stops (`proving: false`) or resumes proving a sector.
pub fn set_proving(d: &mut Session, miner_id: ActorID, sector: SectorNumber, proving: bool) -> Result<()> {
    let control = if proving {
        miner::Control::ResumeProving(sector)
    } else {
        miner::Control::StopProving(sector)
    };
    miner_control(d, miner_id, &control)
}

/// The first and last epoch of the challenge window of `deadline` that ends at or after `epoch`.
pub fn challenge_window(deadline: u64, epoch: ChainEpoch) -> (ChainEpoch, ChainEpoch) {
    let end = miner::window_end(deadline, epoch);
    (end + 1 - miner::WPOST_CHALLENGE_WINDOW, end)
}

/// The sector's status and location, as the miner reports them.
pub fn sector_location(
    d: &mut Session,
    miner_id: ActorID,
    sector: SectorNumber,
) -> Result<(SectorStatusCode, MinerLocation)> {
    answer(MinerClient::at(miner_id).sector_location(d, sector))
}

/// Publishes a deal as the devnet's operator would (`Devnet.PublishDeal`).
pub fn publish_deal(d: &mut Session, proposal: &f05::DealProposal) -> Result<DealID> {
    let p = json!([{
        "Client": lotus::address(&proposal.client),
        "Provider": lotus::address(&proposal.provider),
        "PieceCID": lotus::cid(&proposal.piece_cid),
        "PieceSize": proposal.piece_size.0,
        "StartEpoch": proposal.start_epoch,
        "EndEpoch": proposal.end_epoch,
        "StoragePricePerEpoch": lotus::amount(&proposal.storage_price_per_epoch),
        "ProviderCollateral": lotus::amount(&proposal.provider_collateral),
        "ClientCollateral": lotus::amount(&proposal.client_collateral),
    }]);
    let answer = d.devnet("Devnet.PublishDeal", p)?;
    answer
        .as_u64()
        .ok_or_else(|| anyhow!("Devnet.PublishDeal answered {answer}"))
}

pub fn activate_deal(d: &mut Session, deal: DealID, sector: SectorNumber) -> Result<()> {
    d.devnet("Devnet.ActivateDeal", json!([deal, sector]))?;
    Ok(())
}

/// Ends a deal early (`Devnet.TerminateDeal`) or settles one that ended (`Devnet.SettleDeal`).
pub(crate) fn deal_control(d: &mut Session, method: &str, deal: DealID) -> Result<()> {
    d.devnet(method, json!([deal]))?;
    Ok(())
}

/// What the storage market says of a deal.
pub struct DealInfo {
    pub commitment: f05::GetDealDataCommitmentReturn,
    pub client: ActorID,
    pub provider: ActorID,
    pub term: f05::GetDealTermReturn,
    pub activation: f05::GetDealActivationReturn,
}

/// A deal through the storage market's getters (a deal it deleted fails the first with 32).
pub fn deal_info(d: &mut Session, deal: DealID) -> Result<DealInfo> {
    let market = StorageMarketClient::new();
    Ok(DealInfo {
        commitment: answer(market.deal_data_commitment(d, deal))?,
        client: answer(market.deal_client(d, deal))?,
        provider: answer(market.deal_provider(d, deal))?,
        term: answer(market.deal_term(d, deal))?,
        activation: answer(market.deal_activation(d, deal))?,
    })
}

/// Refuses early, with the amounts, when `from` cannot pay `value`.
pub(crate) fn check_funds(d: &Session, from: &Account, value: &TokenAmount, what: &str) -> Result<()> {
    let balance = d.balance(from.id)?;
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
