//! A command's connection to a node: the JSON-RPC chain ([`crate::rpc::RpcChain`]), the
//! keystore and address book of `--home`, and the suite's deployment (`suite.json`, or the
//! devnet node's own). Every message goes through [`Session`]'s [`Chain`], which turns a
//! refusal into a [`Refused`] error naming the method, the actor and its exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use actor_runtime::builtin::STORAGE_MARKET_ACTOR_ID;
use anyhow::{anyhow, bail, Context, Result};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};
use serde_json::json;
use suite_client::wallet::Keystore;
use suite_devnet::bounty::Suite;
use suite_devnet::{Account, Chain, Receipt};

use crate::deployment::Deployment;
use crate::devnet::{method_label, parse_address, GasSample, Receiver, Refused};
use crate::rpc::{is_unknown_method, RpcChain, RpcClient};

/// The address book's file in `--home`.
const BOOK_FILE: &str = "names.json";

/// A named key account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookAccount {
    /// Its key address (f1…/f3…), whose key the keystore holds.
    pub key: String,
    /// Its ID on the book's chain, once it has an account there.
    #[serde(default)]
    pub id: Option<ActorID>,
}

/// A named miner and who controls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookMiner {
    pub id: ActorID,
    pub owner: ActorID,
    pub worker: ActorID,
    #[serde(default)]
    pub controls: Vec<ActorID>,
}

/// Names users gave to keys and miners, and the chain whose IDs it holds (its genesis tipset):
/// on another chain the IDs and miners are dropped, the keys' names kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBook {
    #[serde(default)]
    pub genesis: Option<String>,
    #[serde(default)]
    pub accounts: BTreeMap<String, BookAccount>,
    #[serde(default)]
    pub miners: BTreeMap<String, BookMiner>,
}

/// Where a command reaches the chain and finds its keys and the suite.
pub struct Options {
    pub rpc: String,
    pub token: Option<String>,
    pub home: PathBuf,
    pub deployment: Option<PathBuf>,
    /// `--json`: no progress lines.
    pub json: bool,
}

impl Options {
    /// The deployment file: `--deployment`, else `<home>/suite.json`.
    pub fn deployment_path(&self) -> PathBuf {
        self.deployment
            .clone()
            .unwrap_or_else(|| self.home.join("suite.json"))
    }
}

pub struct Session {
    pub chain: RpcChain,
    pub home: PathBuf,
    pub book: AddressBook,
    book_changed: bool,
    deployment_path: PathBuf,
    deployment: Option<Deployment>,
    /// Every message's gas, for the demo's table.
    pub gas: Vec<GasSample>,
    /// No progress lines (`--json`).
    pub quiet: bool,
    /// The builtin actors' code CIDs (`StateActorCodeCIDs`), asked once per command.
    builtin_codes: Option<serde_json::Value>,
}

pub fn keystore(home: &Path) -> Keystore {
    Keystore::new(home.join("keystore"))
}

impl Session {
    pub fn open(o: &Options) -> Result<Self> {
        let rpc = RpcClient::new(&o.rpc, o.token.clone());
        let chain = RpcChain::new(rpc, keystore(&o.home));
        let book_path = o.home.join(BOOK_FILE);
        let book: AddressBook = match std::fs::read_to_string(&book_path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{} is not an address book", book_path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => AddressBook::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", book_path.display())),
        };
        Ok(Self {
            chain,
            home: o.home.clone(),
            book,
            book_changed: false,
            deployment_path: o.deployment_path(),
            deployment: None,
            gas: Vec::new(),
            quiet: o.json,
            builtin_codes: None,
        })
    }

    pub fn rpc(&self) -> &RpcClient {
        &self.chain.rpc
    }

    /// Calls a `Devnet.*` method, saying "devnet only" when the node has none.
    pub fn devnet(&self, method: &str, params: serde_json::Value) -> Result<serde_json::Value> {
        self.rpc().call(method, params).map_err(|e| {
            if is_unknown_method(&e) {
                anyhow!(
                    "devnet only: the node at {} has no {method} (it is not a `suite node` devnet); on a real network this is the provider's or the chain's own doing",
                    self.rpc().url()
                )
            } else {
                e
            }
        })
    }

    /// The book's IDs are of the node's chain: checked against its genesis once per command
    /// that uses them.
    pub fn check_book(&mut self) -> Result<()> {
        let genesis = self
            .rpc()
            .call("Filecoin.ChainGetTipSetByHeight", json!([0, null]))?;
        let genesis = genesis["Cids"][0]["/"].as_str().unwrap_or("").to_string();
        if self.book.genesis.as_deref() != Some(genesis.as_str()) {
            if self.book.genesis.is_some() {
                for a in self.book.accounts.values_mut() {
                    a.id = None;
                }
                if !self.book.miners.is_empty() {
                    eprintln!(
                        "note: the address book's miners ({}) were of another chain: forgotten",
                        self.book.miners.keys().cloned().collect::<Vec<_>>().join(", ")
                    );
                }
                self.book.miners.clear();
            }
            self.book.genesis = Some(genesis);
            self.book_changed = true;
        }
        // IDs of accounts created since (by a transfer from elsewhere).
        let unresolved: Vec<(String, Address)> = self
            .book
            .accounts
            .iter()
            .filter(|(_, a)| a.id.is_none())
            .filter_map(|(n, a)| parse_address(&a.key).ok().map(|k| (n.clone(), k)))
            .collect();
        for (name, key) in unresolved {
            if let Some(id) = self.chain.resolve(&key)? {
                self.book.accounts.get_mut(&name).expect("listed").id = Some(id);
                self.book_changed = true;
            }
        }
        Ok(())
    }

    /// Writes the address book if the command changed it.
    pub fn save(&mut self) -> Result<()> {
        if !self.book_changed {
            return Ok(());
        }
        std::fs::create_dir_all(&self.home).with_context(|| format!("creating {}", self.home.display()))?;
        let path = self.home.join(BOOK_FILE);
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&self.book)? + "\n")?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        self.book_changed = false;
        Ok(())
    }

    /// The suite's deployment: the deployment file, else the devnet node's own.
    pub fn deployment(&mut self) -> Result<&Deployment> {
        if self.deployment.is_none() {
            let d = if self.deployment_path.exists() {
                Deployment::read(&self.deployment_path)?
            } else {
                let answer = self.rpc().call("Devnet.Deployment", json!([])).map_err(|e| {
                    if is_unknown_method(&e) {
                        anyhow!(
                            "no deployment file at {} and the node is not a suite devnet: deploy the suite (`suite deploy --from KEY`) or pass --deployment FILE",
                            self.deployment_path.display()
                        )
                    } else {
                        e
                    }
                })?;
                serde_json::from_value(answer).context("Devnet.Deployment's answer")?
            };
            self.deployment = Some(d);
        }
        Ok(self.deployment.as_ref().expect("just set"))
    }

    /// The deployment file this session reads (and `suite deploy` writes).
    pub fn deployment_path(&self) -> &Path {
        &self.deployment_path
    }

    /// Where the deployment comes from: the file, or the node's `Devnet.Deployment`.
    pub fn deployment_source(&self) -> String {
        if self.deployment_path.exists() {
            self.deployment_path.display().to_string()
        } else {
            format!("Devnet.Deployment of {}", self.rpc().url())
        }
    }

    pub fn suite(&mut self) -> Result<Suite> {
        let ids = self.deployment()?.ids()?;
        Ok(Suite {
            reputation: ids.reputation,
            escrow: ids.escrow,
            market: ids.market,
        })
    }

    /// The suite's IDs if known without asking the node (for naming actors in errors).
    fn known_suite(&self) -> Option<Suite> {
        let ids = self.deployment.as_ref()?.ids().ok()?;
        Some(Suite {
            reputation: ids.reputation,
            escrow: ids.escrow,
            market: ids.market,
        })
    }

    pub fn epoch(&self) -> Result<ChainEpoch> {
        self.chain.epoch()
    }

    pub fn balance(&self, id: ActorID) -> Result<TokenAmount> {
        self.chain.balance(&Address::new_id(id))
    }

    /// An account whose key the keystore holds, by name or address.
    pub fn account(&mut self, name: &str) -> Result<Account> {
        let (key, cached) = match self.book.accounts.get(name) {
            Some(a) => (parse_address(&a.key)?, a.id),
            None => {
                let address = parse_address(name).map_err(|_| {
                    anyhow!(
                        "unknown account {name:?} (known: {}): name a key with `suite account create {name}` or use an address",
                        self.book.accounts.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                })?;
                let key = match address.protocol() {
                    Protocol::ID => self.key_of(&address)?,
                    _ => address,
                };
                (key, None)
            }
        };
        if self.chain.keystore.get(&key)?.is_none() {
            bail!(
                "no key for {name} ({key}) in {}: import it (`suite wallet import`)",
                self.chain.keystore.dir().display()
            );
        }
        let id = match cached {
            Some(id) => id,
            None => self.chain.resolve(&key)?.ok_or_else(|| {
                anyhow!("{name} ({key}) has no account on the chain yet: fund it first (`suite account fund {name} 10FIL`)")
            })?,
        };
        if let Some(a) = self.book.accounts.get_mut(name).filter(|a| a.id.is_none()) {
            a.id = Some(id);
            self.book_changed = true;
        }
        Ok(Account { id, key })
    }

    /// The key address behind an ID address (`StateAccountKey`).
    fn key_of(&self, address: &Address) -> Result<Address> {
        let answer = self
            .rpc()
            .call(
                "Filecoin.StateAccountKey",
                json!([crate::node::json::address(address), null]),
            )
            .with_context(|| format!("{address} is not an account with a key"))?;
        parse_address(answer.as_str().unwrap_or(""))
    }

    /// Names a new key account.
    pub fn add_account(&mut self, name: &str, key: Address, id: Option<ActorID>) {
        self.book.accounts.insert(
            name.to_string(),
            BookAccount {
                key: key.to_string(),
                id,
            },
        );
        self.book_changed = true;
    }

    pub fn add_miner(&mut self, name: &str, miner: BookMiner) {
        self.book.miners.insert(name.to_string(), miner);
        self.book_changed = true;
    }

    /// The name of an account or miner ID, or its address.
    pub fn name_of(&self, id: ActorID) -> String {
        if let Some((name, _)) = self.book.accounts.iter().find(|(_, a)| a.id == Some(id)) {
            return name.clone();
        }
        if let Some((name, _)) = self.book.miners.iter().find(|(_, m)| m.id == id) {
            return name.clone();
        }
        match self.known_suite() {
            Some(s) if id == s.market => "bounty-market".into(),
            Some(s) if id == s.escrow => "collateral-escrow".into(),
            Some(s) if id == s.reputation => "provider-reputation".into(),
            _ => format!("f0{id}"),
        }
    }

    /// Any actor by name (account or miner) or address, as an ID (it must exist).
    pub fn actor_id(&mut self, name: &str) -> Result<ActorID> {
        if let Some(m) = self.book.miners.get(name) {
            return Ok(m.id);
        }
        if self.book.accounts.contains_key(name) {
            let key = parse_address(&self.book.accounts[name].key)?;
            return self
                .chain
                .resolve(&key)?
                .ok_or_else(|| anyhow!("{name} ({key}) has no account on the chain yet: fund it first"));
        }
        let address = parse_address(name).map_err(|_| {
            anyhow!("unknown name {name:?}: not an account, a miner or an address (f0…, f1…)")
        })?;
        self.chain
            .resolve(&address)?
            .ok_or_else(|| anyhow!("no actor at {name}"))
    }

    /// A storage miner by name or address: it must exist and run the miner's code.
    pub fn miner_id(&mut self, name: &str) -> Result<ActorID> {
        let id = match self.book.miners.get(name) {
            Some(m) => m.id,
            None if parse_address(name).is_ok() => self.actor_id(name)?,
            None => bail!(
                "unknown miner {name:?} (known: {})",
                self.book.miners.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        let actor = self
            .chain
            .actor(&Address::new_id(id))?
            .ok_or_else(|| anyhow!("no actor at f0{id}"))?;
        if Some(actor.code) != self.builtin_code("storageminer")? {
            bail!("{name} (f0{id}) is not a storage miner");
        }
        Ok(id)
    }

    /// A builtin actor's code CID by manifest name (`StateActorCodeCIDs`).
    pub fn builtin_code(&mut self, name: &str) -> Result<Option<cid::Cid>> {
        if self.builtin_codes.is_none() {
            let nv = self.rpc().call("Filecoin.StateNetworkVersion", json!([null]))?;
            let codes = self.rpc().call("Filecoin.StateActorCodeCIDs", json!([nv]))?;
            self.builtin_codes = Some(codes);
        }
        self.builtin_codes
            .as_ref()
            .expect("just set")
            .get(name)
            .map(|c| crate::rpc::parse_cid(c, name))
            .transpose()
    }

    /// Checks a new name is free and well-formed.
    pub fn check_new_name(&self, name: &str) -> Result<()> {
        crate::devnet::check_name_form(name)?;
        if self.book.accounts.contains_key(name) || self.book.miners.contains_key(name) {
            bail!("name {name:?} is already taken");
        }
        Ok(())
    }

    fn receiver(&self, to: ActorID) -> Receiver {
        match self.known_suite() {
            Some(s) if to == s.escrow => Receiver::Escrow,
            _ if to == STORAGE_MARKET_ACTOR_ID => Receiver::StorageMarket,
            _ => Receiver::Other,
        }
    }

    /// Records a message's gas; a failure becomes a [`Refused`] error.
    fn judge(&mut self, r: Receipt, method: &str, to: ActorID, recorded: bool) -> Result<Receipt> {
        if recorded {
            self.gas.push(GasSample {
                method: method.to_string(),
                gas: r.gas_used,
            });
        }
        if !r.is_ok() {
            return Err(Refused::of(&r, method, to, &|id| self.name_of(id), &|id| self.receiver(id)).into());
        }
        Ok(r)
    }

    /// Sends a message named `method` (for errors and the gas table).
    pub fn send_named(
        &mut self,
        from: &Account,
        to: ActorID,
        method: &str,
        number: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let r = self
            .chain
            .send(from, Address::new_id(to), number, params, value)?;
        // A refusal is found by the simulation, before anything is sent: no gas to record.
        let sent = r.is_ok();
        self.judge(r, method, to, sent)
    }

    pub fn send<P: Serialize>(
        &mut self,
        from: &Account,
        to: ActorID,
        method: &str,
        number: MethodNum,
        p: &P,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send_named(from, to, method, number, suite_devnet::harness::params(p), value)
    }
}

/// The node as the clients' chain: every message and read judged as the CLI's own sends are.
impl Chain for Session {
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let to_id = self.chain.resolve(&to)?.unwrap_or_default();
        let r = self.chain.send(from, to, method, params, value)?;
        let sent = r.is_ok();
        self.judge(r, &method_label(method), to_id, sent)
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        let to_id = to.id().unwrap_or_default();
        let r = self.chain.read(to, method, params)?;
        self.judge(r, &method_label(method), to_id, false)
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
