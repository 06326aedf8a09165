//! Typed operations on the devnet's chain: accounts, transfers, stand-in miners and their
//! sectors, f05 deals, and where every FIL is.

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, bail, Result};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, METHOD_SEND};
use stand_in_market as f05;
use suite_client::wallet::{Key, KeyType};
use suite_devnet::miner::{self, SectorLocation as MinerLocation, SectorStatusCode};
use suite_devnet::{storage_market, Account, MinerClient, StorageMarketClient};

use super::answer;

use crate::devnet::{DealEnding, Devnet, MinerRecord};
use crate::units::fil;
use crate::KeyKind;

/// A year of epochs: the default nominal sector expiration.
pub(crate) const YEAR: ChainEpoch = 1_051_200;

/// The furthest epoch a devnet may reach: a million years of 30-second epochs, far beyond any
/// deal, and far from overflowing the epoch arithmetic of the actors.
pub const MAX_EPOCH: ChainEpoch = 1_000_000 * YEAR;

pub fn create_account(d: &mut Devnet, name: &str, balance: TokenAmount, key: KeyKind) -> Result<Account> {
    d.check_new_name(name)?;
    let operator = d.operator();
    let available = d.h.balance(operator.id)?;
    if available < balance {
        bail!("the operator holds only {}", fil(&available));
    }
    let kind = match key {
        KeyKind::Bls => KeyType::Bls,
        KeyKind::Secp256k1 => KeyType::Secp256k1,
    };
    // A real key, kept before its account exists: no account is ever left without its key.
    let key = Key::generate(kind)?;
    let address = crate::wallet::keystore(&d.dir).put(&key)?;
    let id = transfer(d, &operator, address, balance)?;
    let account = Account { id, key: address };
    d.record.accounts.insert(name.to_string(), account.into());
    Ok(account)
}

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
    // The miner refuses it too (16), less plainly.
    if worker.key.protocol() != Protocol::BLS {
        bail!(
            "worker {} has a {} key ({}): a miner's worker needs a BLS key (`suite account create NAME --key bls`)",
            d.name_of(worker.id),
            match worker.key.protocol() {
                Protocol::Secp256k1 => "secp256k1".to_string(),
                other => format!("{other:?}"),
            },
            worker.key
        );
    }
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

/// Sends `DeclareFaults` (`recovered: false`) or `DeclareFaultsRecovered` for one sector from
/// a controlling account, at the location the miner reports; returns that location.
pub fn declare_sector(
    d: &mut Devnet,
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

/// The provider's proving software stops (`proving: false`) or resumes proving a sector: an
/// operator control, sent by name.
pub fn set_proving(d: &mut Devnet, miner_id: ActorID, sector: SectorNumber, proving: bool) -> Result<()> {
    let (control, name) = if proving {
        (miner::Control::ResumeProving(sector), "HarnessResumeProving")
    } else {
        (miner::Control::StopProving(sector), "HarnessStopProving")
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

/// The first and last epoch of the challenge window of `deadline` that ends at or after `epoch`.
pub fn challenge_window(deadline: u64, epoch: ChainEpoch) -> (ChainEpoch, ChainEpoch) {
    let end = miner::window_end(deadline, epoch);
    (end + 1 - miner::WPOST_CHALLENGE_WINDOW, end)
}

/// The sector's status and location, as the miner reports them.
pub fn sector_location(
    d: &mut Devnet,
    miner_id: ActorID,
    sector: SectorNumber,
) -> Result<(SectorStatusCode, MinerLocation)> {
    answer(MinerClient::at(miner_id).sector_location(d, sector))
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

/// What the storage market says of a deal.
pub struct DealInfo {
    pub commitment: f05::GetDealDataCommitmentReturn,
    pub client: ActorID,
    pub provider: ActorID,
    pub term: f05::GetDealTermReturn,
    pub activation: f05::GetDealActivationReturn,
}

/// A deal through the storage market's getters (a deal it deleted fails the first with 32).
pub fn deal_info(d: &mut Devnet, deal: DealID) -> Result<DealInfo> {
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
