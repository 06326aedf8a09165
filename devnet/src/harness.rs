//! A local chain on ref-fvm: accounts, messages with receipts (exit code, return, gas,
//! events), deployment through the stand-in init, and epochs that advance by
//! re-instantiating the machine on the flushed state root.

use std::rc::Rc;

use actor_runtime::builtin::{
    BuiltinType, CRON_ACTOR_ID, INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, SYSTEM_ACTOR_ID,
};
use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::EnginePool;
use fvm::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, Machine, NetworkConfig};
use fvm::state_tree::ActorState;
use fvm_integration_tests::dummy::DummyExterns;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::{to_vec, CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use fvm_shared::{ActorID, MethodNum, METHOD_SEND};
use serde::de::DeserializeOwned;
use serde::Serialize;
pub use stand_in_market::StorageMarketPolicy;

use crate::genesis::{self, Manifest};
pub use suite_client::{params, Account, Chain, Receipt};

type Kernel<B> = DefaultFilecoinKernel<DefaultCallManager<DefaultMachine<B, DummyExterns>>>;
type Exec<B> = DefaultExecutor<Kernel<B>>;

/// The network version the harness runs (FVM 4.8 supports 21 to 29).
pub const NETWORK_VERSION: NetworkVersion = NetworkVersion::V27;
/// Base fee: tiny, so gas costs never disturb the FIL the tests track.
pub const BASE_FEE_ATTO: u64 = 100;
/// Gas limit of every harness message (the block gas limit).
pub const MESSAGE_GAS_LIMIT: u64 = 10_000_000_000;
/// At most this many cron ticks per advance (each runs up to 100 miners' deadline crons).
const MAX_CRON_TICKS: usize = 10_000;
/// What the operator holds at genesis: it funds every account the tests create.
pub const OPERATOR_GENESIS_FIL: u64 = 1_000_000_000;

/// What every harness message costs its sender: the VM burns the unused gas limit as
/// over-estimation, so it is exactly limit × fee cap.
pub fn message_fee() -> TokenAmount {
    TokenAmount::from_atto(MESSAGE_GAS_LIMIT) * BASE_FEE_ATTO
}

/// Where a chain stands: enough to reopen it from its blockstore ([`Harness::resume`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub root: Cid,
    pub epoch: ChainEpoch,
    pub manifest_root: Cid,
    pub operator: Account,
    /// The next key [`Harness::create_account`] derives.
    pub next_key: u64,
}

/// A receipt out of the VM's answer; the execution trace is kept apart
/// ([`Harness::last_trace`]) so that receipts are the same over any [`Chain`].
fn receipt_of(ret: ApplyRet) -> (Receipt, fvm::trace::ExecutionTrace) {
    let receipt = Receipt {
        exit_code: ret.msg_receipt.exit_code,
        return_data: ret.msg_receipt.return_data,
        gas_used: ret.msg_receipt.gas_used,
        events: ret.events,
        failure: ret.failure_info.map(|f| f.to_string()),
    };
    (receipt, ret.exec_trace)
}

/// The local chain.
pub struct Harness<B: Blockstore + Clone + 'static = Rc<MemoryBlockstore>> {
    store: B,
    engine: EnginePool,
    manifest: Manifest,
    epoch: ChainEpoch,
    executor: Option<Exec<B>>,
    operator: Account,
    next_key: u64,
    tracing: bool,
    /// The last message's gas charges, calls and returns; empty unless tracing is on.
    last_trace: fvm::trace::ExecutionTrace,
    /// The receipts of the cron ticks the last [`Harness::advance`] ran (their events: deals
    /// timed out or terminated with their sectors).
    cron_receipts: Vec<Receipt>,
    /// Modules [`Harness::deploy`] finds by package name besides the product's
    /// ([`crate::actors::ACTORS`]): tests and the bench add their test actors here.
    extra_modules: Vec<(&'static str, &'static [u8])>,
}

impl Harness<Rc<MemoryBlockstore>> {
    /// A fresh chain in memory at epoch 0, with the stand-in storage market constructed under the
    /// devnet's deal duration policy ([`StorageMarketPolicy::DEVNET`]).
    pub fn new() -> Result<Self> {
        Self::create(Rc::new(MemoryBlockstore::new()))
    }

    /// [`Harness::new`] with the storage market under another duration policy (e.g.
    /// [`StorageMarketPolicy::MAINNET`]).
    pub fn with_storage_market_policy(policy: StorageMarketPolicy) -> Result<Self> {
        Self::create_with_storage_market_policy(Rc::new(MemoryBlockstore::new()), policy)
    }
}

impl<B: Blockstore + Clone + 'static> Harness<B> {
    /// A fresh chain written into `store`, the storage market under
    /// [`StorageMarketPolicy::DEVNET`].
    pub fn create(store: B) -> Result<Self> {
        Self::create_with_storage_market_policy(store, StorageMarketPolicy::DEVNET)
    }

    /// A fresh chain written into `store`, the storage market under `policy`.
    pub fn create_with_storage_market_policy(store: B, policy: StorageMarketPolicy) -> Result<Self> {
        let manifest = genesis::install_manifest(&store)?;
        let operator_key = key_address(0);
        let (root, operator, store) = genesis::genesis(
            store,
            &manifest,
            &operator_key,
            TokenAmount::from_whole(OPERATOR_GENESIS_FIL),
        )?;
        let engine = shared_engine()?;
        let mut h = Self {
            store,
            engine,
            manifest,
            epoch: 0,
            executor: None,
            operator: Account {
                id: operator,
                key: operator_key,
            },
            next_key: 1,
            tracing: false,
            last_trace: Vec::new(),
            cron_receipts: Vec::new(),
            extra_modules: Vec::new(),
        };
        h.instantiate(root)?;
        // Skipped only while the stand-in market is left out of a development build.
        if crate::actors::wasm("stand-in-market").is_none() {
            return Ok(h);
        }
        h.implicit(
            STORAGE_MARKET_ACTOR_ID,
            actor_runtime::METHOD_CONSTRUCTOR,
            params(&stand_in_market::ConstructorParams { operator, policy }),
        )?
        .ok()
        .context("market constructor")?;
        Ok(h)
    }

    /// Reopens a chain whose blocks are in `store` (a persistent devnet between commands).
    pub fn resume(store: B, snapshot: &Snapshot) -> Result<Self> {
        let manifest = genesis::load_manifest(&store, snapshot.manifest_root)?;
        let mut h = Self {
            store,
            engine: shared_engine()?,
            manifest,
            epoch: snapshot.epoch,
            executor: None,
            operator: snapshot.operator,
            next_key: snapshot.next_key,
            tracing: false,
            last_trace: Vec::new(),
            cron_receipts: Vec::new(),
            extra_modules: Vec::new(),
        };
        h.instantiate(snapshot.root)?;
        Ok(h)
    }

    /// Flushes the state and returns what [`Harness::resume`] needs to reopen the chain.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        Ok(Snapshot {
            root: self.flush()?,
            epoch: self.epoch,
            manifest_root: self.manifest.root,
            operator: self.operator,
            next_key: self.next_key,
        })
    }

    fn instantiate(&mut self, root: Cid) -> Result<()> {
        self.executor = Some(self.executor_on(root, self.tracing)?);
        Ok(())
    }

    fn executor_on(&self, root: Cid, tracing: bool) -> Result<Exec<B>> {
        let nc = network_config(self.manifest.root);
        let mut mc = nc.for_epoch(self.epoch, 0, root);
        mc.set_base_fee(TokenAmount::from_atto(BASE_FEE_ATTO));
        if tracing {
            mc.enable_tracing();
        }
        let machine = DefaultMachine::new(&mc, self.store.clone(), DummyExterns)?;
        DefaultExecutor::new(self.engine.clone(), machine)
    }

    /// Applies a message exactly as built (its own nonce, gas limit, fee cap and premium), as a
    /// node applies a signed message it included: the VM's whole answer, gas outputs and events
    /// root included.
    pub fn apply(&mut self, message: Message, raw_length: usize) -> Result<ApplyRet> {
        self.exec_mut()
            .execute_message(message, ApplyKind::Explicit, raw_length)
    }

    /// Applies a message on a throwaway machine over the current state, with tracing on: what
    /// a node's `StateCall` and gas estimation need. Nothing it writes reaches the store (the
    /// machine buffers its writes and is dropped unflushed).
    pub fn apply_on_copy(
        &mut self,
        message: Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet> {
        let root = self.flush()?;
        let mut copy = self.executor_on(root, true)?;
        copy.execute_message(message, kind, raw_length)
    }

    fn exec(&self) -> &Exec<B> {
        self.executor.as_ref().expect("machine is instantiated")
    }

    fn exec_mut(&mut self) -> &mut Exec<B> {
        self.executor.as_mut().expect("machine is instantiated")
    }

    fn keep_trace(&mut self, ret: ApplyRet) -> Receipt {
        let (receipt, trace) = receipt_of(ret);
        self.last_trace = trace;
        receipt
    }

    /// The last message's gas charges, calls and returns in execution order; empty unless
    /// tracing is on ([`Harness::set_tracing`]).
    pub fn last_trace(&self) -> &fvm::trace::ExecutionTrace {
        &self.last_trace
    }

    /// Gas tracing for the next messages (takes effect at the next machine instantiation).
    pub fn set_tracing(&mut self, on: bool) -> Result<()> {
        self.tracing = on;
        let root = self.flush()?;
        self.instantiate(root)
    }

    pub fn epoch(&self) -> ChainEpoch {
        self.epoch
    }

    pub fn operator(&self) -> Account {
        self.operator
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn code_of(&self, t: BuiltinType) -> Cid {
        self.manifest.code(t)
    }

    pub fn store(&self) -> &B {
        &self.store
    }

    /// Commits everything to the store and returns the state root.
    pub fn flush(&mut self) -> Result<Cid> {
        self.exec_mut().flush()
    }

    /// Moves the chain `epochs` forward: a new machine on the flushed root, then the
    /// end-of-epoch crons of the epochs it moved past ([`Harness::run_cron`]).
    pub fn advance(&mut self, epochs: ChainEpoch) -> Result<()> {
        if epochs < 0 {
            bail!("epochs only move forward");
        }
        let root = self.flush()?;
        let from = self.epoch;
        let to = from
            .checked_add(epochs)
            .ok_or_else(|| anyhow!("epoch {from} + {epochs} is beyond the chain's epochs"))?;
        self.executor = None;
        self.epoch = to;
        self.instantiate(root)?;
        if let Err(e) = self.run_cron() {
            // All or nothing: the chain stays where it was, with no tick of this advance kept
            // (the miners assume every cron before a message's epoch has run).
            self.executor = None;
            self.epoch = from;
            self.instantiate(root)?;
            return Err(e.context(format!(
                "advancing from epoch {from} to {to}: the chain's cron failed, the chain stays at epoch {from}"
            )));
        }
        Ok(())
    }

    /// The chain's cron, for every epoch before the current one: while the stand-in market's
    /// `next_cron` is due, a `CronTick` from the cron actor f03 (an implicit message: nobody
    /// pays). One tick covers any span: the market times out its due deals and each due miner
    /// runs its deadline crons in closed form, so the work depends on what is due (pending
    /// deals, enrolled miners and their sectors), never on the number of epochs. A tick runs at
    /// most `MAX_MINER_CRONS_PER_TICK` miners, and ticks repeat until nothing is due.
    pub fn run_cron(&mut self) -> Result<()> {
        self.cron_receipts.clear();
        let Some(market) = self.actor(STORAGE_MARKET_ACTOR_ID)? else {
            return Ok(());
        };
        if market.code != self.code_of(BuiltinType::Market)
            || crate::actors::wasm("stand-in-market").is_none()
        {
            return Ok(());
        }
        // Each tick takes its miners off the queue and they enrol only later epochs, so ticks
        // end; the bound turns a bug into an error instead of a hang.
        for _ in 0..MAX_CRON_TICKS {
            let state: stand_in_market::State = self.get_cbor(&market_state(self)?)?;
            if state.next_cron.is_none_or(|due| due >= self.epoch) {
                return Ok(());
            }
            let message = Message {
                version: 0,
                from: Address::new_id(CRON_ACTOR_ID),
                to: Address::new_id(STORAGE_MARKET_ACTOR_ID),
                sequence: 0,
                value: TokenAmount::default(),
                method_num: stand_in_market::METHOD_CRON_TICK,
                params: RawBytes::default(),
                gas_limit: MESSAGE_GAS_LIMIT,
                gas_fee_cap: TokenAmount::default(),
                gas_premium: TokenAmount::default(),
            };
            let ret = self.exec_mut().execute_message(message, ApplyKind::Implicit, 0)?;
            let (receipt, _) = receipt_of(ret);
            if !receipt.is_ok() {
                bail!(
                    "cron tick at epoch {} failed: exit {}: {}",
                    self.epoch,
                    receipt.exit_code.value(),
                    receipt.failure.unwrap_or_default()
                );
            }
            self.cron_receipts.push(receipt);
        }
        bail!(
            "the cron is still due after {MAX_CRON_TICKS} ticks at epoch {}",
            self.epoch
        )
    }

    /// The receipts of the cron ticks the last advance ran, in order.
    pub fn cron_receipts(&self) -> &[Receipt] {
        &self.cron_receipts
    }

    /// Moves the chain to `epoch` (which must not be in the past).
    pub fn advance_to(&mut self, epoch: ChainEpoch) -> Result<()> {
        self.advance(epoch - self.epoch)
    }

    pub fn actor(&self, id: ActorID) -> Result<Option<ActorState>> {
        Ok(self.exec().state_tree().get_actor(id)?)
    }

    pub fn balance(&self, id: ActorID) -> Result<TokenAmount> {
        Ok(self.actor(id)?.map(|a| a.balance).unwrap_or_default())
    }

    /// An actor's decoded state.
    pub fn state<S: DeserializeOwned>(&self, id: ActorID) -> Result<S> {
        let actor = self.actor(id)?.ok_or_else(|| anyhow!("no actor f0{id}"))?;
        self.get_cbor(&actor.state)
    }

    /// Any block, decoded.
    pub fn get_cbor<T: DeserializeOwned>(&self, cid: &Cid) -> Result<T> {
        self.exec()
            .blockstore()
            .get_cbor(cid)?
            .ok_or_else(|| anyhow!("no block {cid}"))
    }

    /// The ID an address resolves to.
    pub fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        Ok(self.exec().state_tree().lookup_id(address)?)
    }

    /// The builtin type of an actor's code, if builtin.
    pub fn builtin_type(&self, id: ActorID) -> Result<Option<BuiltinType>> {
        let actor = self.actor(id)?.ok_or_else(|| anyhow!("no actor f0{id}"))?;
        Ok(self
            .manifest
            .entries
            .iter()
            .find(|(_, c)| *c == actor.code)
            .map(|(t, _)| *t))
    }

    /// A new account funded by the operator with a real transfer (the VM creates it), with a
    /// secp256k1 key address.
    pub fn create_account(&mut self, balance: TokenAmount) -> Result<Account> {
        let key = key_address(self.next_key);
        self.fund_new_key(key, balance)
    }

    /// [`Harness::create_account`] with a BLS key address (f3, a 48-byte key), as a miner's
    /// worker must have.
    pub fn create_bls_account(&mut self, balance: TokenAmount) -> Result<Account> {
        let key = bls_key_address(self.next_key);
        self.fund_new_key(key, balance)
    }

    fn fund_new_key(&mut self, key: Address, balance: TokenAmount) -> Result<Account> {
        self.next_key += 1;
        let operator = self.operator;
        self.send(&operator, key, METHOD_SEND, RawBytes::default(), balance)?
            .ok()
            .context("funding account")?;
        let id = self
            .resolve(&key)?
            .ok_or_else(|| anyhow!("account {key} was not created"))?;
        Ok(Account { id, key })
    }

    /// Sends a signed message from `from` (signatures are not checked by the VM itself).
    pub fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let sequence = self
            .actor(from.id)?
            .ok_or_else(|| anyhow!("no sender f0{}", from.id))?
            .sequence;
        let message = Message {
            version: 0,
            from: from.key,
            to,
            sequence,
            value,
            method_num: method,
            params,
            gas_limit: MESSAGE_GAS_LIMIT,
            gas_fee_cap: TokenAmount::from_atto(BASE_FEE_ATTO),
            gas_premium: TokenAmount::default(),
        };
        let raw_length = to_vec(&message)?.len();
        let ret = self
            .exec_mut()
            .execute_message(message, ApplyKind::Explicit, raw_length)?;
        Ok(self.keep_trace(ret))
    }

    /// `send` to an actor by ID with CBOR parameters.
    pub fn call<P: Serialize>(
        &mut self,
        from: &Account,
        to: ActorID,
        method: MethodNum,
        p: &P,
        value: TokenAmount,
    ) -> Result<Receipt> {
        self.send(from, Address::new_id(to), method, params(p), value)
    }

    /// `send` with no parameters block and no value.
    pub fn call_no_params(&mut self, from: &Account, to: ActorID, method: MethodNum) -> Result<Receipt> {
        self.send(
            from,
            Address::new_id(to),
            method,
            RawBytes::default(),
            TokenAmount::default(),
        )
    }

    /// An implicit message from the system actor (as the chain itself sends).
    pub fn implicit(&mut self, to: ActorID, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        self.implicit_to(Address::new_id(to), method, params)
    }

    fn implicit_to(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        let message = Message {
            version: 0,
            from: Address::new_id(SYSTEM_ACTOR_ID),
            to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params,
            gas_limit: MESSAGE_GAS_LIMIT,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let ret = self.exec_mut().execute_message(message, ApplyKind::Implicit, 0)?;
        Ok(self.keep_trace(ret))
    }

    /// Installs wasm code through the stand-in init (InstallCode) and returns its code CID.
    pub fn install_code(&mut self, from: &Account, module: &[u8]) -> Result<Cid> {
        let p = stand_in_init::InstallCodeParams {
            code: module.to_vec(),
        };
        let r = self.call(
            from,
            INIT_ACTOR_ID,
            stand_in_init::METHOD_INSTALL_CODE_EXPORTED,
            &p,
            TokenAmount::default(),
        )?;
        let ret: stand_in_init::InstallCodeReturn = r.ok().context("InstallCode")?.ret()?;
        Ok(ret.code_cid)
    }

    /// Creates an actor from installed code through init's Exec, running its constructor
    /// with `constructor_params` and `value`. Returns the receipt (its return is ExecReturn).
    pub fn exec_actor<P: Serialize>(
        &mut self,
        from: &Account,
        code_cid: Cid,
        constructor_params: &P,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let p = stand_in_init::ExecParams {
            code_cid,
            constructor_params: params(constructor_params),
        };
        self.call(
            from,
            INIT_ACTOR_ID,
            stand_in_init::METHOD_EXEC_EXPORTED,
            &p,
            value,
        )
    }

    /// Makes `modules` (package name, wasm) deployable by name with [`Harness::deploy`], next to
    /// the product modules the devnet embeds. A name already known keeps its first module.
    pub fn add_modules(&mut self, modules: &[(&'static str, &'static [u8])]) {
        for &(name, module) in modules {
            if self.module(name).is_err() {
                self.extra_modules.push((name, module));
            }
        }
    }

    /// The module of a package: a product module, or one added with [`Harness::add_modules`].
    pub fn module(&self, package: &str) -> Result<&'static [u8]> {
        if let Some(module) = crate::actors::wasm(package) {
            return Ok(module);
        }
        if let Some((_, module)) = self.extra_modules.iter().find(|(name, _)| *name == package) {
            return Ok(module);
        }
        let known: Vec<&str> = crate::actors::ACTORS
            .iter()
            .chain(&self.extra_modules)
            .map(|(name, _)| *name)
            .collect();
        bail!("no wasm for {package}; known: {known:?}")
    }

    /// Installs (if needed) and creates an actor of a workspace package; returns its ID.
    pub fn deploy<P: Serialize>(
        &mut self,
        from: &Account,
        package: &str,
        constructor_params: &P,
    ) -> Result<ActorID> {
        let module = self.module(package)?;
        let code = self.install_code(from, module)?;
        let ret: stand_in_init::ExecReturn = self
            .exec_actor(from, code, constructor_params, TokenAmount::default())?
            .ok()?
            .ret()?;
        Ok(ret.id_address.id()?)
    }
}

/// How many messages may execute at once across every harness of the process (one per test
/// thread on this machine's cores, with room to spare).
const ENGINE_CONCURRENCY: u32 = 4;

/// One wasm engine per process: every harness shares its cache of compiled modules, so each
/// module is instrumented and compiled once, not once per test.
fn shared_engine() -> Result<EnginePool> {
    static ENGINE: std::sync::OnceLock<EnginePool> = std::sync::OnceLock::new();
    if let Some(engine) = ENGINE.get() {
        return Ok(engine.clone());
    }
    let mut config: fvm::engine::EngineConfig = (&NetworkConfig::new(NETWORK_VERSION)).into();
    config.concurrency = ENGINE_CONCURRENCY;
    let engine = EnginePool::new(config)?;
    Ok(ENGINE.get_or_init(|| engine).clone())
}

fn network_config(manifest_root: Cid) -> NetworkConfig {
    let mut nc = NetworkConfig::new(NETWORK_VERSION);
    nc.override_actors(manifest_root);
    nc.enable_actor_debugging();
    nc
}

/// A deterministic secp256k1-shaped key address (the VM does not check signatures).
pub fn key_address(n: u64) -> Address {
    let mut pubkey = [0u8; 65];
    pubkey[0] = 4;
    pubkey[1..9].copy_from_slice(&n.to_be_bytes());
    pubkey[9..17].copy_from_slice(b"suitekey");
    Address::new_secp256k1(&pubkey).expect("65-byte key")
}

/// A deterministic BLS key address (48 bytes; the VM does not check signatures, nor that the
/// key is a curve point).
pub fn bls_key_address(n: u64) -> Address {
    let mut pubkey = [0u8; 48];
    pubkey[..8].copy_from_slice(&n.to_be_bytes());
    pubkey[8..16].copy_from_slice(b"suitebls");
    Address::new_bls(&pubkey).expect("48-byte key")
}

/// The stand-in market's state root.
fn market_state<B: Blockstore + Clone + 'static>(h: &Harness<B>) -> Result<Cid> {
    Ok(h.actor(STORAGE_MARKET_ACTOR_ID)?
        .ok_or_else(|| anyhow!("no storage market"))?
        .state)
}

/// The devnet as a [`Chain`]: messages execute at once; a read is an implicit message (nobody
/// pays, no nonce moves), which is what a node's `StateCall` amounts to for a getter.
impl<B: Blockstore + Clone + 'static> Chain for Harness<B> {
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        Harness::send(self, from, to, method, params, value)
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        self.implicit_to(to, method, params)
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        Ok(self.epoch)
    }

    fn balance(&self, address: &Address) -> Result<TokenAmount> {
        match Harness::resolve(self, address)? {
            Some(id) => Harness::balance(self, id),
            None => Ok(TokenAmount::default()),
        }
    }

    fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        Harness::resolve(self, address)
    }
}
