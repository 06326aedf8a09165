//! A devnet: the harness's chain resumed from the on-disk store, the names users gave to
//! accounts and miners, and the deployed suite. Every message goes through [`Devnet::send`],
//! which turns a failure into a [`Refused`] error; a command commits only when all of its
//! messages succeeded, so a refused command changes nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};
use suite_devnet::bounty::{self as market_helpers};
use suite_devnet::harness::params;
use suite_devnet::{Account, Chain, Harness, Receipt, Snapshot};
use suite_interfaces::bounty::MarketPolicy;
use suite_interfaces::escrow::Policy;

use crate::store::{CommitStats, DbStore};

/// Version of the on-disk devnet record: 2 since the stand-ins prove sectors in challenge windows
/// (new miner and f05 state) and named accounts hold real keys in the keystore; 3 since the
/// market and the escrow keep bounties, claims and locks in AMTs and a lock carries its
/// locker's reference (issue 13's state layout).
const RECORD_VERSION: u32 = 3;

/// Every account the operator funds at creation unless told otherwise.
pub const DEFAULT_ACCOUNT_FIL: u64 = 1_000;

/// A key account the devnet can sign for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAccount {
    pub id: ActorID,
    pub key: Address,
}

impl From<KeyAccount> for Account {
    fn from(a: KeyAccount) -> Self {
        Account { id: a.id, key: a.key }
    }
}

impl From<Account> for KeyAccount {
    fn from(a: Account) -> Self {
        KeyAccount { id: a.id, key: a.key }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinerRecord {
    pub id: ActorID,
    pub owner: ActorID,
    pub worker: ActorID,
    pub controls: Vec<ActorID>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteRecord {
    pub reputation: ActorID,
    pub escrow: ActorID,
    pub market: ActorID,
}

/// What the database keeps besides blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    pub root: Cid,
    pub epoch: ChainEpoch,
    pub manifest_root: Cid,
    pub operator: KeyAccount,
    pub next_key: u64,
    pub admin: ActorID,
    pub suite: SuiteRecord,
    pub accounts: BTreeMap<String, KeyAccount>,
    pub miners: BTreeMap<String, MinerRecord>,
    /// How deals left the storage market, from its `deal-terminated` and `deal-completed`
    /// events: the market deletes a deal that ends, so its getters answer only "gone" (32).
    #[serde(default)]
    pub deal_endings: Vec<DealEnding>,
}

/// A deal's end as the storage market announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealEnding {
    pub deal_id: DealID,
    /// `terminated` (slashed before its end) or `completed` (settled after it).
    pub kind: String,
    pub epoch: ChainEpoch,
}

/// A message the chain refused: which method, the exit code (by name) and the actor's message.
#[derive(Debug, Clone)]
pub struct Refused {
    pub method: String,
    pub to: ActorID,
    /// The receiver's name in this devnet (`bounty-market`, `alice`, `f0123`).
    pub to_name: String,
    pub exit_code: ExitCode,
    pub exit_name: String,
    pub message: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to {} (f0{}) refused: {} (exit {}): {}",
            self.method,
            self.to_name,
            self.to,
            self.exit_name,
            self.exit_code.value(),
            self.message
        )
    }
}

impl std::error::Error for Refused {}

impl Refused {
    /// The refusal a failed receipt tells: its exit code named after the actor that chose it
    /// (the bounty market passes the escrow's codes through), the abort message with actors
    /// named by `name_of`.
    pub fn of(
        r: &Receipt,
        method: &str,
        to: ActorID,
        name_of: &dyn Fn(ActorID) -> String,
        receiver_of: &dyn Fn(ActorID) -> Receiver,
    ) -> Self {
        let failure = r.failure.clone().unwrap_or_default();
        let chosen_by = origin(&frames(&failure)).map_or(to, |f| f.source);
        Refused {
            method: method.to_string(),
            to,
            to_name: name_of(to),
            exit_code: r.exit_code,
            exit_name: exit_name(r.exit_code, receiver_of(chosen_by)),
            message: abort_message_named(&failure, name_of),
        }
    }
}

/// Which actor a message went to, for naming actor-specific exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    Escrow,
    StorageMarket,
    Other,
}

/// The name of an exit code: the FVM's system and user codes, and the actor-specific codes of
/// the escrow (32–34) and the storage market (32–33).
pub fn exit_name(code: ExitCode, receiver: Receiver) -> String {
    let name = match code.value() {
        0 => "OK",
        1 => "SYS_SENDER_INVALID",
        2 => "SYS_SENDER_STATE_INVALID",
        4 => "SYS_ILLEGAL_INSTRUCTION",
        5 => "SYS_INVALID_RECEIVER",
        6 => "SYS_INSUFFICIENT_FUNDS",
        7 => "SYS_OUT_OF_GAS",
        9 => "SYS_ILLEGAL_EXIT_CODE",
        10 => "SYS_ASSERTION_FAILED",
        11 => "SYS_MISSING_RETURN",
        16 => "USR_ILLEGAL_ARGUMENT",
        17 => "USR_NOT_FOUND",
        18 => "USR_FORBIDDEN",
        19 => "USR_INSUFFICIENT_FUNDS",
        20 => "USR_ILLEGAL_STATE",
        21 => "USR_SERIALIZATION",
        22 => "USR_UNHANDLED_MESSAGE",
        23 => "USR_UNSPECIFIED",
        24 => "USR_ASSERTION_FAILED",
        25 => "USR_READ_ONLY",
        26 => "USR_NOT_PAYABLE",
        32 if receiver == Receiver::Escrow => "EX_NOT_PROVEN",
        33 if receiver == Receiver::Escrow => "EX_STALE_LOCATION",
        34 if receiver == Receiver::Escrow => "EX_FAULT_COOLDOWN",
        32 if receiver == Receiver::StorageMarket => "EX_DEAL_EXPIRED",
        33 if receiver == Receiver::StorageMarket => "EX_DEAL_NOT_ACTIVATED",
        other => return format!("ACTOR_SPECIFIC_{other}"),
    };
    name.to_string()
}

/// One frame of the VM's backtrace: an actor that exited with an error, the method it ran,
/// its abort message and exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub source: ActorID,
    pub method: MethodNum,
    pub message: String,
    pub code: u32,
}

/// The backtrace frames of a failure text, outermost first. The VM prints each frame as
/// `NN: f0123 (method N) -- message (code)`.
pub fn frames(failure: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    for line in failure.lines() {
        let Some((index, frame)) = line.split_once(": ") else {
            continue;
        };
        if index.len() != 2 || !index.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some((source, message)) = frame.split_once(" -- ") else {
            continue;
        };
        let mut parts = source.split(' ');
        let actor = parts
            .next()
            .and_then(|a| a.strip_prefix("f0"))
            .and_then(|a| a.parse().ok());
        let method = parts
            .next()
            .filter(|p| *p == "(method")
            .and(parts.next())
            .and_then(|n| n.strip_suffix(')'))
            .and_then(|n| n.parse().ok());
        let code = message
            .rfind(" (")
            .and_then(|i| message[i + 2..].strip_suffix(')'))
            .and_then(|c| c.parse().ok());
        if let (Some(source), Some(method), Some(code)) = (actor, method, code) {
            frames.push(Frame {
                source,
                method,
                message: strip_code(message).to_string(),
                code,
            });
        }
    }
    frames
}

/// The frame whose actor chose the message's exit code: going inward from the outermost
/// frame while the code stays the same (an actor that passes a callee's code through, as the
/// bounty market does with the escrow's, is not where the code comes from).
pub fn origin(frames: &[Frame]) -> Option<&Frame> {
    let outer = frames.first()?;
    frames.iter().take_while(|f| f.code == outer.code).last()
}

/// A method's name: the suite's and the builtin ones (`suite_interfaces::method_name`), the
/// stand-ins' operator controls, else its number.
pub fn method_label(method: MethodNum) -> String {
    use stand_in_market as f05;
    use suite_devnet::miner as m;
    if let Some(name) = suite_interfaces::method_name(method) {
        return name.to_string();
    }
    let harness = [
        (f05::METHOD_HARNESS_PUBLISH_DEAL, "HarnessPublishDeal"),
        (f05::METHOD_HARNESS_ACTIVATE_DEAL, "HarnessActivateDeal"),
        (f05::METHOD_HARNESS_TERMINATE_DEAL, "HarnessTerminateDeal"),
        (f05::METHOD_HARNESS_SETTLE_DEAL, "HarnessSettleDeal"),
        (f05::METHOD_HARNESS_TIMEOUT_DEAL, "HarnessTimeoutDeal"),
        (m::METHOD_HARNESS_ADD_SECTOR, "HarnessAddSector"),
        (m::METHOD_HARNESS_FAULT_SECTOR, "HarnessFaultSector"),
        (m::METHOD_HARNESS_RECOVER_SECTOR, "HarnessRecoverSector"),
        (m::METHOD_HARNESS_TERMINATE_SECTOR, "HarnessTerminateSector"),
        (m::METHOD_HARNESS_MOVE_SECTOR, "HarnessMoveSector"),
        (m::METHOD_HARNESS_COMPACT_SECTOR, "HarnessCompactSector"),
        (
            m::METHOD_HARNESS_NOTIFY_SECTOR_CONTENT_CHANGED,
            "HarnessNotifySectorContentChanged",
        ),
        (m::METHOD_HARNESS_STOP_PROVING, "HarnessStopProving"),
        (m::METHOD_HARNESS_RESUME_PROVING, "HarnessResumeProving"),
    ];
    match harness.iter().find(|(n, _)| *n == method) {
        Some((_, name)) => name.to_string(),
        None => format!("method {method}"),
    }
}

/// The receiving actor's abort message out of the VM's failure text, with actors shown by
/// address. See [`abort_message_named`].
pub fn abort_message(failure: &str) -> String {
    abort_message_named(failure, &|id| format!("f0{id}"))
}

/// The receiving actor's abort message out of the VM's failure text (outermost frame). When
/// the failure started deeper (a callee refused), the message of the actor that chose the exit
/// code, or else of the innermost frame, is appended with its actor (`name_of`) and method,
/// since it usually says what was wrong.
pub fn abort_message_named(failure: &str, name_of: &dyn Fn(ActorID) -> String) -> String {
    let frames = frames(failure);
    if let Some(outer) = frames.first() {
        let inner = match origin(&frames) {
            Some(o) if o != outer => Some(o),
            _ => frames.last().filter(|f| *f != outer),
        };
        return match inner {
            Some(f) if !outer.message.contains(f.message.as_str()) => format!(
                "{} (from {} {}: {})",
                outer.message,
                name_of(f.source),
                method_label(f.method),
                f.message
            ),
            _ => outer.message.clone(),
        };
    }
    for line in failure.lines() {
        if let Some(message) = line.strip_prefix("pre-validation failed: ") {
            return message.to_string();
        }
    }
    // No actor frame: a syscall failed outside any actor (e.g. the value transfer itself).
    if let Some(cause) = failure.lines().find_map(|l| l.strip_prefix("--> caused by: ")) {
        let cause = cause.split_once(" -- ").map_or(cause, |(_, m)| m);
        return strip_code(cause).to_string();
    }
    failure
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// `message (18)` → `message`.
fn strip_code(message: &str) -> &str {
    match message.rfind(" (") {
        Some(i) if message.ends_with(')') => &message[..i],
        _ => message,
    }
}

/// One message's gas, for the demo's per-method table.
#[derive(Debug, Clone)]
pub struct GasSample {
    pub method: String,
    pub gas: u64,
}

pub struct Devnet {
    pub h: Harness<Rc<DbStore>>,
    store: Rc<DbStore>,
    pub record: Record,
    pub dir: PathBuf,
    pub gas: Vec<GasSample>,
}

/// A new secp256k1 key in the devnet's keystore, funded by the operator (which creates its
/// account).
fn new_key_account(h: &mut Harness<Rc<DbStore>>, dir: &Path, balance: TokenAmount) -> Result<Account> {
    let key = suite_client::wallet::Key::generate(suite_client::wallet::KeyType::Secp256k1)?;
    let address = crate::wallet::keystore(dir).put(&key)?;
    let operator = h.operator();
    h.send(
        &operator,
        address,
        fvm_shared::METHOD_SEND,
        RawBytes::default(),
        balance,
    )?
    .ok()
    .context("funding the admin account")?;
    let id = h
        .resolve(&address)?
        .ok_or_else(|| anyhow!("{address} got no account"))?;
    Ok(Account { id, key: address })
}

/// The market policy of a devnet: the interface's defaults (one-day minimum duration, up to 16
/// replicas).
pub fn market_policy() -> MarketPolicy {
    MarketPolicy::default()
}

/// The escrow policy of a devnet: 5% to reporters, 10% fault fee, one day of fault cooldown,
/// at least 1 milliFIL of collateral.
pub fn escrow_policy() -> Policy {
    Policy {
        min_collateral: TokenAmount::from_nano(1_000_000),
        ..Policy::default()
    }
}

impl Devnet {
    /// Creates a devnet in `dir`: genesis, an `admin` account, the suite deployed by it (the
    /// admin also administers the registry). Refuses a dir that already holds one.
    pub fn init(dir: &Path, wait: Duration) -> Result<Self> {
        let store = Rc::new(DbStore::open(dir, wait)?);
        if store.devnet_record()?.is_some() {
            bail!(
                "{} already holds a devnet (use another --data-dir, or delete it first)",
                dir.display()
            );
        }
        let mut h = Harness::create(store.clone())?;
        let admin = new_key_account(&mut h, dir, TokenAmount::from_whole(DEFAULT_ACCOUNT_FIL))?;
        let suite = market_helpers::deploy(&mut h, &admin, &admin, escrow_policy(), market_policy())?;
        let snapshot = h.snapshot()?;
        let mut accounts = BTreeMap::new();
        accounts.insert("operator".to_string(), snapshot.operator.into());
        accounts.insert("admin".to_string(), admin.into());
        let record = Record {
            version: RECORD_VERSION,
            root: snapshot.root,
            epoch: snapshot.epoch,
            manifest_root: snapshot.manifest_root,
            operator: snapshot.operator.into(),
            next_key: snapshot.next_key,
            admin: admin.id,
            suite: SuiteRecord {
                reputation: suite.reputation,
                escrow: suite.escrow,
                market: suite.market,
            },
            accounts,
            miners: BTreeMap::new(),
            deal_endings: Vec::new(),
        };
        Ok(Self {
            h,
            store,
            record,
            dir: dir.to_path_buf(),
            gas: Vec::new(),
        })
    }

    /// Opens the devnet in `dir`.
    pub fn open(dir: &Path, wait: Duration) -> Result<Self> {
        if !dir.join(crate::store::DB_FILE).exists() {
            bail!(
                "no devnet in {} (start `suite node` there to create one, or pass --data-dir)",
                dir.display()
            );
        }
        let store = Rc::new(DbStore::open(dir, wait)?);
        let bytes = store.devnet_record()?.ok_or_else(|| {
            anyhow!(
                "{} holds no devnet record (move it away; `suite node` creates a new devnet)",
                dir.display()
            )
        })?;
        let record: Record = from_slice(&bytes).context("reading the devnet record")?;
        if record.version != RECORD_VERSION {
            bail!(
                "{} holds a devnet of another suite version (record version {}, this one reads {RECORD_VERSION}): \
                 its stand-in actors and accounts differ; move it away or delete it, and `suite node` creates a new one",
                dir.display(),
                record.version
            );
        }
        let snapshot = Snapshot {
            root: record.root,
            epoch: record.epoch,
            manifest_root: record.manifest_root,
            operator: record.operator.into(),
            next_key: record.next_key,
        };
        let h = Harness::resume(store.clone(), &snapshot)?;
        Ok(Self {
            h,
            store,
            record,
            dir: dir.to_path_buf(),
            gas: Vec::new(),
        })
    }

    /// Writes what the command did to disk, atomically.
    pub fn commit(&mut self) -> Result<CommitStats> {
        self.commit_with(|_| Ok(()))
    }

    /// [`Devnet::commit`] with more writes in the same transaction (`suite node`'s tipsets).
    pub fn commit_with(
        &mut self,
        extra: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
    ) -> Result<CommitStats> {
        let snapshot = self.h.snapshot()?;
        self.record.root = snapshot.root;
        self.record.epoch = snapshot.epoch;
        self.record.next_key = snapshot.next_key;
        self.store.commit_with(&to_vec(&self.record)?, extra)
    }

    pub fn operator(&self) -> Account {
        self.record.operator.into()
    }

    pub fn store(&self) -> &DbStore {
        &self.store
    }

    fn receiver(&self, to: ActorID) -> Receiver {
        if to == self.record.suite.escrow {
            Receiver::Escrow
        } else if to == STORAGE_MARKET_ACTOR_ID {
            Receiver::StorageMarket
        } else {
            Receiver::Other
        }
    }

    /// Sends a message; a failure becomes a [`Refused`] error. `method` names it for errors
    /// and the gas table.
    pub fn send_raw(
        &mut self,
        from: &Account,
        to: ActorID,
        method: &str,
        number: MethodNum,
        raw: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let r = self.h.send(from, Address::new_id(to), number, raw, value)?;
        self.judge(r, method, to)
    }

    /// Records a message's gas; a failure becomes a [`Refused`] error.
    fn judge(&mut self, r: Receipt, method: &str, to: ActorID) -> Result<Receipt> {
        self.gas.push(GasSample {
            method: method.to_string(),
            gas: r.gas_used,
        });
        if !r.is_ok() {
            return Err(Refused::of(&r, method, to, &|id| self.name_of(id), &|id| self.receiver(id)).into());
        }
        self.record_deal_endings(&r);
        Ok(r)
    }

    /// Keeps the storage market's deal endings a message announced (a sector termination
    /// ends its deals from inside the miner's message).
    fn record_deal_endings(&mut self, r: &Receipt) {
        use stand_in_market::logic::{EVENT_DEAL_COMPLETED, EVENT_DEAL_TERMINATED};
        for (event, kind) in [
            (EVENT_DEAL_TERMINATED, "terminated"),
            (EVENT_DEAL_COMPLETED, "completed"),
        ] {
            for e in r.events_of(event) {
                if e.emitter != STORAGE_MARKET_ACTOR_ID {
                    continue;
                }
                let id = e.event.entries.iter().find(|x| x.key == "id");
                if let Some(deal_id) = id.and_then(|x| from_slice::<DealID>(&x.value).ok()) {
                    self.record.deal_endings.push(DealEnding {
                        deal_id,
                        kind: kind.to_string(),
                        epoch: self.h.epoch(),
                    });
                }
            }
        }
    }

    /// How a deal the storage market no longer knows ended, if this devnet saw it.
    pub fn deal_ending(&self, deal_id: DealID) -> Option<&DealEnding> {
        self.record
            .deal_endings
            .iter()
            .rev()
            .find(|e| e.deal_id == deal_id)
    }

    /// [`Devnet::send_raw`] with CBOR parameters.
    pub fn send<P: Serialize>(
        &mut self,
        from: &Account,
        to: ActorID,
        method: &str,
        number: MethodNum,
        p: &P,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send_raw(from, to, method, number, params(p), value)
    }

    /// An account the devnet can sign for, by name or address.
    pub fn account(&self, name: &str) -> Result<Account> {
        if let Some(a) = self.record.accounts.get(name) {
            return Ok((*a).into());
        }
        if let Ok(address) = parse_address(name) {
            let id = self.h.resolve(&address)?;
            if let Some(a) = self
                .record
                .accounts
                .values()
                .find(|a| Some(a.id) == id || a.key == address)
            {
                return Ok((*a).into());
            }
            // A key of the keystore (`suite wallet`) whose account exists on the chain, named by
            // its key address or by its account's ID.
            let key = match id {
                Some(id) if address.protocol() == fvm_shared::address::Protocol::ID => {
                    self.key_of_account(id)?
                }
                _ => Some(address),
            };
            if let Some(key) =
                key.filter(|k| crate::wallet::keystore(&self.dir).get(k).ok().flatten().is_some())
            {
                if let Some(id) = id {
                    return Ok(Account { id, key });
                }
                bail!("{key} has no account on the devnet yet: fund it first (`suite account fund {key} 10FIL`)");
            }
        }
        bail!(
            "unknown account {name:?} (known: {})",
            self.record
                .accounts
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// The key address of an account actor (None for any other actor).
    fn key_of_account(&self, id: ActorID) -> Result<Option<Address>> {
        let Some(actor) = self.h.actor(id)? else {
            return Ok(None);
        };
        if actor.code != self.h.code_of(actor_runtime::builtin::BuiltinType::Account) {
            return Ok(None);
        }
        Ok(Some(self.h.state::<stand_in_account::State>(id)?.address))
    }

    /// The name of an account or miner ID, or its address.
    pub fn name_of(&self, id: ActorID) -> String {
        if let Some((name, _)) = self.record.accounts.iter().find(|(_, a)| a.id == id) {
            return name.clone();
        }
        if let Some((name, _)) = self.record.miners.iter().find(|(_, m)| m.id == id) {
            return name.clone();
        }
        let s = self.record.suite;
        match id {
            x if x == s.market => "bounty-market".into(),
            x if x == s.escrow => "collateral-escrow".into(),
            x if x == s.reputation => "provider-reputation".into(),
            _ => format!("f0{id}"),
        }
    }

    /// Checks a new name is free and well-formed.
    pub fn check_new_name(&self, name: &str) -> Result<()> {
        check_name_form(name)?;
        if self.record.accounts.contains_key(name) || self.record.miners.contains_key(name) {
            bail!("name {name:?} is already taken");
        }
        Ok(())
    }
}

/// init's `Exec` of a stand-in miner (32 GiB sectors) for `owner`, `worker` and `controls`,
/// refusing a worker without a BLS key before anything is sent (the miner refuses it too, 16,
/// less plainly).
pub fn miner_exec(
    worker_name: &str,
    owner: &Account,
    worker: &Account,
    controls: &[Account],
    code: Cid,
) -> Result<stand_in_init::ExecParams> {
    use fvm_shared::address::Protocol;
    if worker.key.protocol() != Protocol::BLS {
        bail!(
            "worker {worker_name} has a {} key ({}): a miner's worker needs a BLS key (`suite account create NAME --key bls`)",
            match worker.key.protocol() {
                Protocol::Secp256k1 => "secp256k1".to_string(),
                other => format!("{other:?}"),
            },
            worker.key
        );
    }
    let p = suite_devnet::miner::ConstructorParams {
        owner: owner.address(),
        worker: worker.address(),
        control_addresses: controls.iter().map(|c| c.address()).collect(),
        sector_size: suite_devnet::miner::SECTOR_SIZE_32GIB,
    };
    Ok(stand_in_init::ExecParams {
        code_cid: code,
        constructor_params: params(&p),
    })
}

/// Checks a new name is well-formed.
pub fn check_name_form(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.chars().next().is_some_and(|c| c.is_ascii_digit())
        && parse_address(name).is_err();
    if !ok {
        bail!("name {name:?} must be 1–32 letters, digits, '-' or '_', not start with a digit, and not look like an address");
    }
    Ok(())
}

/// An `f…`/`t…` address.
pub fn parse_address(text: &str) -> Result<Address> {
    let normalised = match text.strip_prefix('t') {
        Some(rest) => format!("f{rest}"),
        None => text.to_string(),
    };
    Address::from_str_checked(&normalised)
}

trait FromStrChecked: Sized {
    fn from_str_checked(s: &str) -> Result<Self>;
}

impl FromStrChecked for Address {
    fn from_str_checked(s: &str) -> Result<Self> {
        use std::str::FromStr;
        Address::from_str(s).map_err(|e| anyhow!("{s:?} is not an address: {e}"))
    }
}

/// Bytes a directory occupies on disk, recursively: allocated blocks, not apparent sizes
/// (redb grows its file sparsely, so the apparent size overstates the disk used).
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => allocated(&m),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(unix)]
fn allocated(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.blocks() * 512
}

#[cfg(not(unix))]
fn allocated(m: &std::fs::Metadata) -> u64 {
    m.len()
}

/// The devnet as the clients' chain: every message and read is judged as the CLI's own sends
/// are (its gas recorded for the demo's table, a failure turned into a [`Refused`] error that
/// names the method, the actor and its exit code).
impl Chain for Devnet {
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let to_id = self.h.resolve(&to)?.unwrap_or_default();
        let r = self.h.send(from, to, method, params, value)?;
        self.judge(r, &method_label(method), to_id)
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        let to_id = self.h.resolve(&to)?.unwrap_or_default();
        let r = Chain::read(&mut self.h, to, method, params)?;
        self.judge(r, &method_label(method), to_id)
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        Ok(self.h.epoch())
    }

    fn balance(&self, address: &Address) -> Result<TokenAmount> {
        Chain::balance(&self.h, address)
    }

    fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        self.h.resolve(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abort_messages_come_from_the_outermost_frame() {
        let failure = "message failed with backtrace:\n00: f01005 (method 123) -- bounty 9 not found (17)\n01: f01004 (method 5) -- inner (16)\n";
        assert_eq!(
            abort_message(failure),
            "bounty 9 not found (from f01004 method 5: inner)"
        );
        let one = "message failed with backtrace:\n00: f01005 (method 123) -- bounty 9 not found (17)\n";
        assert_eq!(abort_message(one), "bounty 9 not found");
        assert_eq!(
            abort_message("pre-validation failed: actor balance less than needed\n"),
            "actor balance less than needed"
        );
        assert_eq!(abort_message("something else\n"), "something else");
        let transfer = "message failed with backtrace:\n--> caused by: send::send -- sender does not have funds to transfer (balance 4.999998, transfer 20.0) (5: insufficient funds)\n";
        assert_eq!(
            abort_message(transfer),
            "sender does not have funds to transfer (balance 4.999998, transfer 20.0)"
        );
    }

    /// A claim at a stale sector location: the miner's 17, the escrow's 33 for it, passed
    /// through by the market (the backtrace as the VM prints it).
    const STALE_CLAIM: &str = "message failed with backtrace:\n\
        00: f0104 (method 2921503985) -- escrow Lock on f0102 failed with exit 33 (33)\n\
        01: f0102 (method 339822128) -- sector 1 is not at deadline 3 partition 0 of f0107 (stale location: ask GenerateSectorLocation again) (33)\n\
        02: f0107 (method 3092458564) -- sector 1 is not in deadline 3 partition 0 (17)\n";

    #[test]
    fn the_actor_that_chose_the_code_and_its_method_are_named() {
        let frames = frames(STALE_CLAIM);
        assert_eq!(frames.len(), 3);
        assert_eq!(
            frames[1],
            Frame {
                source: 102,
                method: 339822128,
                message: "sector 1 is not at deadline 3 partition 0 of f0107 (stale location: ask GenerateSectorLocation again)".into(),
                code: 33,
            }
        );
        assert_eq!(origin(&frames).map(|f| f.source), Some(102));
        let names = |id: ActorID| match id {
            102 => "collateral-escrow".to_string(),
            other => format!("f0{other}"),
        };
        assert_eq!(
            abort_message_named(STALE_CLAIM, &names),
            "escrow Lock on f0102 failed with exit 33 (from collateral-escrow Lock: sector 1 is not at deadline 3 partition 0 of f0107 (stale location: ask GenerateSectorLocation again))"
        );
        assert_eq!(method_label(2921503985), "ClaimBounty");
        assert_eq!(
            method_label(actor_runtime::builtin::miner::VALIDATE_SECTOR_STATUS),
            "ValidateSectorStatus"
        );
        assert_eq!(
            method_label(stand_in_market::METHOD_HARNESS_TERMINATE_DEAL),
            "HarnessTerminateDeal"
        );
        assert_eq!(method_label(7), "method 7");
    }

    #[test]
    fn every_builtin_method_the_suite_calls_has_a_name() {
        use actor_runtime::builtin::{market, miner};
        for (number, name) in [
            (market::GET_DEAL_DATA_COMMITMENT, "GetDealDataCommitment"),
            (market::GET_DEAL_CLIENT, "GetDealClient"),
            (market::GET_DEAL_PROVIDER, "GetDealProvider"),
            (market::GET_DEAL_TERM, "GetDealTerm"),
            (market::GET_DEAL_ACTIVATION, "GetDealActivation"),
            (market::GET_DEAL_SECTOR, "GetDealSector"),
            (miner::GET_OWNER, "GetOwner"),
            (miner::IS_CONTROLLING_ADDRESS, "IsControllingAddress"),
            (miner::GET_SECTOR_SIZE, "GetSectorSize"),
            (miner::VALIDATE_SECTOR_STATUS, "ValidateSectorStatus"),
            (miner::GENERATE_SECTOR_LOCATION, "GenerateSectorLocation"),
            (miner::GET_NOMINAL_SECTOR_EXPIRATION, "GetNominalSectorExpiration"),
        ] {
            assert_eq!(method_label(number), name);
        }
    }

    #[test]
    fn exit_codes_are_named_by_receiver() {
        assert_eq!(
            exit_name(ExitCode::USR_FORBIDDEN, Receiver::Other),
            "USR_FORBIDDEN"
        );
        assert_eq!(
            exit_name(ExitCode::new(33), Receiver::Escrow),
            "EX_STALE_LOCATION"
        );
        assert_eq!(
            exit_name(ExitCode::new(32), Receiver::StorageMarket),
            "EX_DEAL_EXPIRED"
        );
        assert_eq!(exit_name(ExitCode::new(40), Receiver::Other), "ACTOR_SPECIFIC_40");
    }

    #[test]
    fn addresses_parse_on_either_network_prefix() {
        assert_eq!(parse_address("f0100").unwrap(), Address::new_id(100));
        assert_eq!(parse_address("t0100").unwrap(), Address::new_id(100));
        assert!(parse_address("alice").is_err());
    }
}
