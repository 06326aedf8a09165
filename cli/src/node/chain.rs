//! The chain thread: it alone owns the devnet (the FVM machine is single-threaded), applies
//! messages, mines tipsets and writes them to the redb store; HTTP workers send it jobs and read
//! the published chain index ([`Index`]) without waiting for it.
//!
//! A tipset is written in the same redb transaction as the state it leads to, so a `kill -9`
//! leaves the last complete tipset. In instant mode a push is answered only once its tipset is on
//! disk: a client that got a CID never loses its message. Jobs that arrive together are run one
//! after the other (each pushed message still in its own tipset) and written in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Result};
use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec, CborStore};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use multihash_codetable::{Code, MultihashDigest};
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use suite_client::wallet::SignedMessage;
use suite_devnet::fvm::state_tree::{ActorState, StateTree};
use suite_devnet::harness::{Snapshot, BASE_FEE_ATTO, MESSAGE_GAS_LIMIT};
use suite_devnet::Harness;

use super::json::{self, StoredReceipt};
use super::rpc::RpcError;
use super::{Mode, Node};
use crate::devnet::Devnet;
use crate::store::DbStore;

/// Height → tipset record.
const TIPSETS: TableDefinition<i64, &[u8]> = TableDefinition::new("node_tipsets");
/// Message CID (as `MpoolPush` answered it) → message record.
const MESSAGES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("node_messages");
/// Events root → the events of one message.
const EVENTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("node_events");

/// Lotus's `build.BlockGasLimit`; also the most gas one message may ask for.
pub const BLOCK_GAS_LIMIT: u64 = MESSAGE_GAS_LIMIT;
/// At most this many jobs run before their tipsets are written together.
const MAX_BATCH: usize = 256;

pub fn base_fee() -> TokenAmount {
    TokenAmount::from_atto(BASE_FEE_ATTO)
}

fn cbor_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(fvm_ipld_encoding::DAG_CBOR, Code::Blake2b256.digest(bytes))
}

/// What the store keeps of a tipset; its one block's CID is the CID of this record.
///
/// Unlike Lotus, where a tipset's `ParentStateRoot` is the state *before* its own messages,
/// here it is the state after them (and after the epoch's cron): a message's effects are
/// visible at the tipset that includes it, which is also the tipset its lookup names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TipsetRecord {
    pub height: ChainEpoch,
    pub timestamp: u64,
    pub parents: Vec<Cid>,
    pub state_root: Cid,
    /// The messages in order, by the CID `MpoolPush` answered.
    pub messages: Vec<Cid>,
    pub messages_root: Cid,
    pub receipts_root: Cid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub signed: SignedMessage,
    pub height: ChainEpoch,
    pub receipt: StoredReceipt,
}

/// A tipset as the index serves it.
#[derive(Debug)]
pub struct Tipset {
    pub record: TipsetRecord,
    pub cid: Cid,
    /// Lotus's `TipSet` JSON, built once.
    pub json: Value,
}

impl Tipset {
    fn new(record: TipsetRecord) -> Self {
        let cid = cbor_cid(&to_vec(&record).expect("a tipset record encodes"));
        let json = tipset_json(&record, &cid);
        Self { record, cid, json }
    }

    pub fn key(&self) -> Vec<Cid> {
        vec![self.cid]
    }
}

fn tipset_json(r: &TipsetRecord, cid: &Cid) -> Value {
    let empty_sig = json!({ "Type": 2, "Data": null });
    let block = json!({
        "Miner": "t01000",
        "Ticket": { "VRFProof": null },
        "ElectionProof": { "WinCount": 1, "VRFProof": null },
        "BeaconEntries": [],
        "WinPoStProof": [],
        "Parents": r.parents.iter().map(json::cid).collect::<Vec<_>>(),
        "ParentWeight": r.height.to_string(),
        "Height": r.height,
        "ParentStateRoot": json::cid(&r.state_root),
        "ParentMessageReceipts": json::cid(&r.receipts_root),
        "Messages": json::cid(&r.messages_root),
        "BLSAggregate": empty_sig,
        "Timestamp": r.timestamp,
        "BlockSig": empty_sig,
        "ForkSignaling": 0,
        "ParentBaseFee": BASE_FEE_ATTO.to_string(),
    });
    json!({ "Cids": [json::cid(cid)], "Blocks": [block], "Height": r.height })
}

/// The chain as clients read it: what has been written to disk, never more.
#[derive(Default)]
pub struct Index {
    pub tipsets: BTreeMap<ChainEpoch, Arc<Tipset>>,
    pub by_cid: HashMap<Cid, ChainEpoch>,
    pub messages: HashMap<Cid, Arc<MessageRecord>>,
    /// Unsigned message CID → the CID the message is kept under (they differ for secp256k1).
    pub unsigned: HashMap<Cid, Cid>,
    pub events: HashMap<Cid, Arc<Vec<StampedEvent>>>,
}

impl Index {
    pub fn head(&self) -> Arc<Tipset> {
        self.tipsets
            .values()
            .next_back()
            .cloned()
            .expect("the node mines a tipset before serving")
    }

    /// The tipset a `TipSetKey` names; `null` or `[]` is the head.
    pub fn tipset(&self, key: &[Cid]) -> Result<Arc<Tipset>, RpcError> {
        let Some(first) = key.first() else {
            return Ok(self.head());
        };
        let height = self
            .by_cid
            .get(first)
            .ok_or_else(|| RpcError::failure(format!("loading tipset {{{first}}}: block not found")))?;
        Ok(self.tipsets[height].clone())
    }

    /// The tipset at `height`, or the last one before it (a null round).
    pub fn at_height(&self, height: ChainEpoch) -> Arc<Tipset> {
        self.tipsets
            .range(..=height)
            .next_back()
            .or_else(|| self.tipsets.iter().next())
            .map(|(_, t)| t.clone())
            .expect("the node mines a tipset before serving")
    }

    /// A message by the CID `MpoolPush` answered or by its unsigned CID.
    pub fn message(&self, cid: &Cid) -> Option<Arc<MessageRecord>> {
        let key = self.unsigned.get(cid).unwrap_or(cid);
        self.messages.get(key).cloned()
    }

    fn add(&mut self, tipset: Tipset, messages: Vec<MessageRecord>, events: Vec<(Cid, Vec<StampedEvent>)>) {
        for m in messages {
            let cid = m.signed.cid();
            self.unsigned
                .insert(suite_client::wallet::message_cid(&m.signed.message), cid);
            self.messages.insert(cid, Arc::new(m));
        }
        for (root, e) in events {
            self.events.insert(root, Arc::new(e));
        }
        self.by_cid.insert(tipset.cid, tipset.record.height);
        self.tipsets.insert(tipset.record.height, Arc::new(tipset));
    }
}

/// A tipset mined and not yet written.
struct Mined {
    tipset: TipsetRecord,
    messages: Vec<MessageRecord>,
    events: Vec<(Cid, Vec<StampedEvent>)>,
}

/// What a job asks to be done after its tipsets are on disk (typically: answer the client).
/// It is told whether the write failed.
pub type Deferred = Box<dyn FnOnce(Option<&str>) + Send>;
pub type Job = Box<dyn FnOnce(&mut ChainState) -> Option<Deferred> + Send>;

/// A message waiting for the next tipset (block-time mode).
struct Pending {
    signed: SignedMessage,
    /// The sender's actor ID (resolved when the message was checked).
    sender: u64,
    cost: TokenAmount,
}

pub struct ChainState {
    pub d: Devnet,
    node: Arc<Node>,
    mode: Mode,
    head: TipsetRecord,
    head_cid: Cid,
    mined: Vec<Mined>,
    pending: Vec<Pending>,
    /// When the last tipset was mined (the heartbeat counts from it).
    last_mined: Instant,
    /// The machine at the head (flushed when the head was mined): what a request that
    /// panicked rolls the machine back to.
    at_head: Snapshot,
}

/// Where a request found the chain thread: what [`ChainState::guarded`] restores if it panics.
struct Checkpoint {
    head: TipsetRecord,
    head_cid: Cid,
    at_head: Snapshot,
    record: crate::devnet::Record,
    mined: usize,
    pending: usize,
}

/// The JSON-RPC code of a request whose handling failed inside the node (a bug, not the
/// request's fault).
pub const INTERNAL_ERROR: i64 = -32603;

/// Runs `f`, catching a panic: `Err` holds the panic's message. The caller must make whatever
/// `f` may have left half-changed consistent again (hence `AssertUnwindSafe` at the call).
pub fn catch_panic<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    std::panic::catch_unwind(f).map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// What a client is answered when its request panicked the node.
pub fn internal_error(panic: &str) -> RpcError {
    RpcError {
        code: INTERNAL_ERROR,
        message: format!(
            "internal error: the node panicked handling this request ({panic}); nothing it did was kept \
             and the node is still running. This is a bug of the node: please report it with the request \
             (and the node's log)"
        ),
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Reads every tipset, message and event the store holds.
pub fn load_index(store: &DbStore) -> Result<Index> {
    let mut index = Index::default();
    let txn = store.begin_read()?;
    let open = |t| match txn.open_table(t) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(anyhow::Error::from(e)),
    };
    if let Some(t) = open(EVENTS)? {
        for row in t.iter()? {
            let (k, v) = row?;
            index
                .events
                .insert(Cid::try_from(k.value())?, Arc::new(from_slice(v.value())?));
        }
    }
    if let Some(t) = open(MESSAGES)? {
        for row in t.iter()? {
            let (k, v) = row?;
            let m: MessageRecord = from_slice(v.value())?;
            let cid = Cid::try_from(k.value())?;
            index
                .unsigned
                .insert(suite_client::wallet::message_cid(&m.signed.message), cid);
            index.messages.insert(cid, Arc::new(m));
        }
    }
    let tipsets: Vec<TipsetRecord> = {
        let txn = store.begin_read()?;
        match txn.open_table(TIPSETS) {
            Ok(t) => t
                .iter()?
                .map(|row| Ok(from_slice(row?.1.value())?))
                .collect::<Result<_>>()?,
            Err(redb::TableError::TableDoesNotExist(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        }
    };
    for record in tipsets {
        let t = Tipset::new(record);
        index.by_cid.insert(t.cid, t.record.height);
        index.tipsets.insert(t.record.height, Arc::new(t));
    }
    Ok(index)
}

impl ChainState {
    /// The chain thread's state over an opened devnet. When the store has no tipset yet, or
    /// the devnet moved on without the node (a `suite` command in between), the first tipset
    /// is mined and written before the node serves.
    pub fn start(mut d: Devnet, node: Arc<Node>, mode: Mode) -> Result<Self> {
        let head = node
            .index
            .read()
            .expect("index lock")
            .tipsets
            .values()
            .next_back()
            .cloned();
        let (head, head_cid) = match head {
            Some(t) => (t.record.clone(), t.cid),
            None => (
                TipsetRecord {
                    height: -1,
                    timestamp: 0,
                    parents: Vec::new(),
                    state_root: Cid::default(),
                    messages: Vec::new(),
                    messages_root: Cid::default(),
                    receipts_root: Cid::default(),
                },
                Cid::default(),
            ),
        };
        let at_head = d.h.snapshot()?;
        let mut state = Self {
            d,
            node,
            mode,
            head,
            head_cid,
            mined: Vec::new(),
            pending: Vec::new(),
            last_mined: Instant::now(),
            at_head,
        };
        if state.head.height < 0 || state.at_head.root != state.head.state_root {
            state.mine(Vec::new())?;
            if let Some(e) = state.commit() {
                anyhow::bail!("writing the first tipset: {e}");
            }
        }
        Ok(state)
    }

    pub fn head(&self) -> &TipsetRecord {
        &self.head
    }

    /// Runs one request's work on the chain thread. A panic in it (a bug) does not stop the
    /// thread: it is logged, the request is answered -32603 ([`internal_error`]) and everything
    /// the request did is undone, since a panic can leave anything half-changed (a machine
    /// mid-message, a record mid-update, a tipset mined but not answered): the machine is
    /// reopened at the head's flushed state from before the request, and the head, the
    /// tipsets mined but not yet written, the pool and the devnet's record go back to where
    /// the request found them. Tipsets it mined are dropped before they are written, so the
    /// disk never sees them; the blocks they wrote are unreachable garbage in the store.
    pub fn guarded<T>(
        &mut self,
        f: impl FnOnce(&mut ChainState) -> Result<T, RpcError>,
    ) -> Result<T, RpcError> {
        let checkpoint = Checkpoint {
            head: self.head.clone(),
            head_cid: self.head_cid,
            at_head: self.at_head,
            record: self.d.record.clone(),
            mined: self.mined.len(),
            pending: self.pending.len(),
        };
        // Unwind safety: after a panic nothing of `self` is trusted but what the checkpoint
        // restores (below, before anything reads it).
        let ran = catch_panic(std::panic::AssertUnwindSafe(|| f(self)));
        let panic = match ran {
            Ok(result) => return result,
            Err(panic) => panic,
        };
        tracing::error!(target: "suite::node::chain", "a request panicked the chain thread: {panic}; rolling back to the head at {}", checkpoint.head.height);
        self.head = checkpoint.head;
        self.head_cid = checkpoint.head_cid;
        self.at_head = checkpoint.at_head;
        self.d.record = checkpoint.record;
        self.mined.truncate(checkpoint.mined);
        self.pending.truncate(checkpoint.pending);
        self.d.gas.clear();
        match Harness::resume(self.d.h.store().clone(), &self.at_head) {
            Ok(h) => self.d.h = h,
            Err(e) => {
                // Without a machine the node can answer nothing: stop, with the last complete
                // tipset on disk.
                tracing::error!("reopening the machine after a panic failed, stopping: {e:#}");
                std::process::exit(1);
            }
        }
        Err(internal_error(&panic))
    }

    /// Applies `messages` at the devnet's epoch, runs the epoch's cron and records the tipset
    /// (written by the next [`ChainState::commit`]).
    pub fn mine(&mut self, messages: Vec<SignedMessage>) -> Result<()> {
        // All or nothing: should the VM or the cron fail fatally part way, the machine goes
        // back to the head's state, so that nothing unrecorded is ever written.
        let snapshot = self.d.h.snapshot()?;
        let record = self.d.record.clone();
        let mined = self.mine_unchecked(messages);
        if mined.is_err() {
            self.d.h = Harness::resume(self.d.h.store().clone(), &snapshot)?;
            self.d.record = record;
            self.d.gas.clear();
        }
        mined
    }

    fn mine_unchecked(&mut self, messages: Vec<SignedMessage>) -> Result<()> {
        let height = self.d.h.epoch();
        let started = Instant::now();
        let mut records = Vec::with_capacity(messages.len());
        let mut events = Vec::new();
        let mut receipts = Vec::with_capacity(messages.len());
        for signed in messages {
            let length = chain_length(&signed);
            let ret = self.d.h.apply(signed.message.clone(), length)?;
            let receipt = StoredReceipt {
                exit_code: ret.msg_receipt.exit_code.value(),
                return_data: ret.msg_receipt.return_data.clone(),
                gas_used: ret.msg_receipt.gas_used,
                events_root: ret.msg_receipt.events_root,
            };
            if let (Some(root), false) = (ret.msg_receipt.events_root, ret.events.is_empty()) {
                events.push((root, ret.events));
            }
            if let Some(failure) = &ret.failure_info {
                tracing::info!(target: "suite::node::chain", height, exit = receipt.exit_code, "message failed on chain: {failure}");
            }
            receipts.push(receipt.clone());
            records.push(MessageRecord {
                signed,
                height,
                receipt,
            });
        }
        let applied = started.elapsed();
        super::ops::advance_to(&mut self.d, height + 1)?;
        self.d.gas.clear();
        let at_head = self.d.h.snapshot()?;
        let state_root = at_head.root;
        let advanced = started.elapsed() - applied;
        let cids: Vec<Cid> = records.iter().map(|m| m.signed.cid()).collect();
        let tipset = TipsetRecord {
            height,
            timestamp: now_seconds().max(self.head.timestamp),
            parents: if self.head.height < 0 {
                Vec::new()
            } else {
                vec![self.head_cid]
            },
            state_root,
            messages_root: cbor_cid(&to_vec(&cids)?),
            receipts_root: cbor_cid(&to_vec(&receipts)?),
            messages: cids,
        };
        self.head_cid = cbor_cid(&to_vec(&tipset)?);
        self.head = tipset.clone();
        self.at_head = at_head;
        self.last_mined = Instant::now();
        tracing::debug!(
            target: "suite::node::chain",
            height,
            messages = records.len(),
            apply_micros = applied.as_micros() as u64,
            advance_micros = advanced.as_micros() as u64,
            "mined"
        );
        self.mined.push(Mined {
            tipset,
            messages: records,
            events,
        });
        Ok(())
    }

    /// Writes the mined tipsets with the state in one transaction, then publishes them.
    /// Returns the error text if the write failed (the node then stops: its memory is ahead of
    /// its disk).
    pub fn commit(&mut self) -> Option<String> {
        if self.mined.is_empty() {
            return None;
        }
        let mined = std::mem::take(&mut self.mined);
        let started = Instant::now();
        let written = self.d.commit_with(|txn| {
            let mut tipsets = txn.open_table(TIPSETS)?;
            let mut messages = txn.open_table(MESSAGES)?;
            let mut events = txn.open_table(EVENTS)?;
            for m in &mined {
                tipsets.insert(m.tipset.height, to_vec(&m.tipset)?.as_slice())?;
                for r in &m.messages {
                    messages.insert(r.signed.cid().to_bytes().as_slice(), to_vec(r)?.as_slice())?;
                }
                for (root, e) in &m.events {
                    events.insert(root.to_bytes().as_slice(), to_vec(e)?.as_slice())?;
                }
            }
            Ok(())
        });
        if let Err(e) = written {
            return Some(format!("{e:#}"));
        }
        tracing::debug!(target: "suite::node::chain", tipsets = mined.len(), micros = started.elapsed().as_micros() as u64, "written");
        {
            let mut index = self.node.index.write().expect("index lock");
            for m in mined {
                index.add(Tipset::new(m.tipset), m.messages, m.events);
            }
        }
        self.node.tipset_published();
        None
    }

    /// Runs a devnet operation (`Devnet.*`) all or nothing: on failure the state and the
    /// devnet's record go back to where they were; on success a tipset records its effects.
    pub fn operate<T>(&mut self, op: impl FnOnce(&mut Devnet) -> Result<T>) -> Result<T, RpcError> {
        let snapshot = self.d.h.snapshot()?;
        let record = self.d.record.clone();
        match op(&mut self.d).and_then(|v| self.mine(Vec::new()).map(|()| v)) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.d.h = Harness::resume(self.d.h.store().clone(), &snapshot)?;
                self.d.record = record;
                self.d.gas.clear();
                Err(RpcError::failure(format!("{e:#}")))
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // State reads.
    // -----------------------------------------------------------------------------------------

    /// The state tree at a tipset's state root (the head's by default).
    pub fn state_at(&self, root: Option<Cid>) -> Result<StateTree<std::rc::Rc<DbStore>>> {
        let root = root.unwrap_or(self.head.state_root);
        StateTree::new_from_root(self.d.h.store().clone(), &root)
            .map_err(|e| anyhow!("opening the state tree at {root}: {e}"))
    }

    /// The ID of an address at a state root; at the head (`None`) from the live machine's
    /// state tree, which caches what it read (between jobs the machine is at the head's state).
    pub fn lookup_id(&self, address: &Address, root: Option<Cid>) -> Result<Option<u64>> {
        match root {
            None => self.d.h.resolve(address),
            Some(_) => Ok(self.state_at(root)?.lookup_id(address)?),
        }
    }

    pub fn actor_at(&self, address: &Address, root: Option<Cid>) -> Result<Option<ActorState>> {
        if root.is_none() {
            return match self.d.h.resolve(address)? {
                Some(id) => self.d.h.actor(id),
                None => Ok(None),
            };
        }
        let tree = self.state_at(root)?;
        match tree.lookup_id(address)? {
            Some(id) => Ok(tree.get_actor(id)?),
            None => Ok(None),
        }
    }

    /// The key address behind an address: itself for f1/f3, the account's key for an f0
    /// account.
    pub fn account_key(&self, address: &Address, root: Option<Cid>) -> Result<Address, RpcError> {
        let actor = match address.protocol() {
            Protocol::Secp256k1 | Protocol::BLS => return Ok(*address),
            Protocol::ID => self.actor_at(address, root)?.ok_or_else(|| not_found(address))?,
            _ => {
                return Err(RpcError::failure(format!(
                    "{}: only f0, f1 and f3 addresses have keys on this devnet",
                    json::address(address)
                )))
            }
        };
        self.key_of(address, &actor)
    }

    /// The key of an account actor (`address` names it in errors).
    fn key_of(&self, address: &Address, actor: &ActorState) -> Result<Address, RpcError> {
        let account = self.d.h.code_of(actor_runtime::builtin::BuiltinType::Account);
        if actor.code != account {
            return Err(RpcError::failure(format!(
                "address {} is not an account actor",
                json::address(address)
            )));
        }
        let state: stand_in_account::State = self
            .d
            .h
            .store()
            .get_cbor(&actor.state)?
            .ok_or_else(|| anyhow!("account state missing"))?;
        Ok(state.address)
    }

    /// The next nonce of a sender: its actor's, past the messages waiting in the pool.
    pub fn next_nonce(&self, address: &Address) -> Result<u64, RpcError> {
        let id = self.d.h.resolve(address)?.ok_or_else(|| not_found(address))?;
        let actor = self.d.h.actor(id)?.ok_or_else(|| not_found(address))?;
        Ok(self.next_nonce_of(id, actor.sequence))
    }

    fn next_nonce_of(&self, sender: u64, on_chain: u64) -> u64 {
        let pending = self
            .pending
            .iter()
            .filter(|p| p.sender == sender)
            .map(|p| p.signed.message.sequence + 1)
            .max();
        pending.unwrap_or(0).max(on_chain)
    }

    // -----------------------------------------------------------------------------------------
    // The message pool.
    // -----------------------------------------------------------------------------------------

    /// Lotus's checks before a message enters the pool; a refusal changes nothing.
    pub fn check_push(&self, signed: &SignedMessage, signature_checked: bool) -> Result<Checked, RpcError> {
        let m = &signed.message;
        let size = to_vec(signed).map_err(anyhow::Error::from)?.len();
        let limit = max_message_bytes(m);
        if size > limit {
            return Err(RpcError::failure(format!(
                "message too big: {size} bytes of CBOR, at most {limit}"
            )));
        }
        if m.gas_limit > BLOCK_GAS_LIMIT {
            return Err(RpcError::failure(format!(
                "gas limit {} exceeds the block gas limit {BLOCK_GAS_LIMIT}",
                m.gas_limit
            )));
        }
        let min_gas = min_gas(size);
        if m.gas_limit < min_gas {
            return Err(RpcError::failure(format!(
                "gas limit {} is below the {min_gas} the message's inclusion costs: estimate it with GasEstimateMessageGas",
                m.gas_limit
            )));
        }
        if m.gas_fee_cap < base_fee() {
            return Err(RpcError::failure(format!(
                "gas fee cap too low: {} < base fee {BASE_FEE_ATTO}",
                json::amount(&m.gas_fee_cap)
            )));
        }
        if m.gas_premium > m.gas_fee_cap {
            return Err(RpcError::failure("gas premium above the gas fee cap"));
        }
        // The FVM cannot pay a negative miner tip: such a message would fail its whole tipset.
        if m.gas_premium.is_negative() {
            return Err(RpcError::failure("gas premium is negative"));
        }
        if m.value.is_negative() {
            return Err(RpcError::failure("negative value"));
        }
        // The sender, its actor and key, at the head.
        let sender = self.d.h.resolve(&m.from)?.ok_or_else(|| {
            RpcError::failure(format!(
                "sender {} not found on chain: actor not found (fund it first)",
                json::address(&m.from)
            ))
        })?;
        let actor = self.d.h.actor(sender)?.ok_or_else(|| not_found(&m.from))?;
        let key = match m.from.protocol() {
            Protocol::Secp256k1 | Protocol::BLS => m.from,
            _ => self.key_of(&m.from, &actor)?,
        };
        // The signature, over the unsigned message's CID, by the sender's key (already checked
        // by the HTTP worker for a key-addressed sender).
        if !signature_checked {
            verify_signature(signed, &key)?;
        }
        // The nonce: exactly the next one.
        let expected = self.next_nonce_of(sender, actor.sequence);
        if m.sequence < expected {
            return Err(RpcError::failure(format!(
                "minimum expected nonce is {expected}, got {}: message nonce too low (already used)",
                m.sequence
            )));
        }
        if m.sequence > expected {
            return Err(RpcError::failure(format!(
                "unfulfilled nonce gap: expected nonce {expected}, got {}",
                m.sequence
            )));
        }
        // Funds, with the messages already waiting.
        let cost = m.value.clone() + TokenAmount::from_atto(m.gas_limit) * m.gas_fee_cap.atto();
        let waiting: TokenAmount = self
            .pending
            .iter()
            .filter(|p| p.sender == sender)
            .map(|p| p.cost.clone())
            .sum();
        if actor.balance < cost.clone() + waiting.clone() {
            return Err(RpcError::failure(format!(
                "not enough funds: balance {} < value + gas limit × fee cap = {}{}",
                json::amount(&actor.balance),
                json::amount(&cost),
                if waiting.is_zero() {
                    String::new()
                } else {
                    format!(" (+ {} for pending messages)", json::amount(&waiting))
                }
            )));
        }
        Ok(Checked { cost, sender })
    }

    /// Whether `sender` (an actor ID) has messages waiting in the pool.
    pub fn has_pending(&self, sender: u64) -> bool {
        self.pending.iter().any(|p| p.sender == sender)
    }

    /// Accepts a checked message: in instant mode it is mined at once, in block-time mode it
    /// waits for the next tick.
    pub fn accept(&mut self, signed: SignedMessage, checked: Checked) -> Result<()> {
        match self.mode {
            Mode::Instant => self.mine(vec![signed]),
            Mode::BlockTime(_) => {
                self.pending.push(Pending {
                    signed,
                    sender: checked.sender,
                    cost: checked.cost,
                });
                Ok(())
            }
        }
    }

    /// Block-time mode: mines the waiting messages, as many as fit the block gas limit.
    fn mine_pending(&mut self) -> Result<()> {
        let mut gas = 0;
        let take = self
            .pending
            .iter()
            .take_while(|p| {
                gas += p.signed.message.gas_limit;
                gas <= BLOCK_GAS_LIMIT
            })
            .count();
        let messages: Vec<SignedMessage> = self.pending.drain(..take).map(|p| p.signed).collect();
        if let Err(e) = self.mine(messages.clone()) {
            // One message the FVM cannot apply at all must not take the others with it: mine
            // them one by one, dropping (and logging) only those that fail alone.
            tracing::warn!(
                "the tipset of {} messages failed ({e:#}): mining them one by one",
                messages.len()
            );
            for signed in messages {
                let cid = signed.cid();
                if let Err(e) = self.mine(vec![signed]) {
                    tracing::error!("dropped message {cid}: the FVM could not apply it: {e:#}");
                }
            }
        }
        Ok(())
    }
}

/// What [`ChainState::check_push`] found: the message's maximum cost (value + gas limit × fee
/// cap) and its sender's ID.
pub struct Checked {
    cost: TokenAmount,
    sender: u64,
}

/// Checks a signature over the unsigned message's CID with `key` (what Lotus checks; no state
/// needed, so HTTP workers run it for key-addressed senders, off the chain thread).
pub fn verify_signature(signed: &SignedMessage, key: &Address) -> Result<(), RpcError> {
    let cid = suite_client::wallet::message_cid(&signed.message);
    signed.signature.verify(&cid.to_bytes(), key).map_err(|e| {
        RpcError::failure(format!(
            "invalid signature for message {cid} from {}: {e}",
            json::address(key)
        ))
    })
}

fn not_found(address: &Address) -> RpcError {
    RpcError::failure(format!(
        "resolution lookup failed ({}): actor not found",
        json::address(address)
    ))
}

/// Lotus's `MaxMessageSize`.
pub const MAX_MESSAGE_BYTES: usize = 64 << 10;

/// The size limit of init's `InstallCode` on this devnet: a wasm module is far larger than any
/// other message (the suite's are 0.55 to 0.7 MB), and user code has no other way onto a running
/// devnet. Unlike Lotus, whose pool refuses every message over 64 KiB.
pub const MAX_INSTALL_MESSAGE_BYTES: usize = 2 << 20;

/// The size limit of a message: [`MAX_INSTALL_MESSAGE_BYTES`] for init's `InstallCode`,
/// [`MAX_MESSAGE_BYTES`] for any other.
fn max_message_bytes(m: &Message) -> usize {
    let to_init = m.to == Address::new_id(actor_runtime::builtin::INIT_ACTOR_ID);
    let install = [
        stand_in_init::METHOD_INSTALL_CODE,
        stand_in_init::METHOD_INSTALL_CODE_EXPORTED,
    ];
    if to_init && install.contains(&m.method_num) {
        MAX_INSTALL_MESSAGE_BYTES
    } else {
        MAX_MESSAGE_BYTES
    }
}

/// What including a message costs in gas before it runs (the FVM's price list: 38,863 for an
/// on-chain message plus 36 per byte); a lower gas limit cannot be included.
fn min_gas(size: usize) -> u64 {
    38_863 + 36 * size as u64
}

/// The length the VM charges inclusion for: the signed message's CBOR (the unsigned one's
/// for BLS, whose signature is aggregated into the block).
fn chain_length(signed: &SignedMessage) -> usize {
    match signed.signature.sig_type {
        fvm_shared::crypto::signature::SignatureType::BLS => to_vec(&signed.message).map(|v| v.len()),
        _ => to_vec(signed).map(|v| v.len()),
    }
    .unwrap_or_default()
}

/// A message built by the node itself for `StateCall` and gas estimation.
pub fn call_message(m: &Message) -> Message {
    let mut m = m.clone();
    if m.gas_limit == 0 {
        m.gas_limit = BLOCK_GAS_LIMIT;
    }
    m
}

/// The chain thread's loop: runs jobs as they come, mines on the clock (or, in instant mode, an
/// empty tipset after `heartbeat` without one), writes each batch.
pub fn run(mut state: ChainState, jobs: Receiver<Job>, heartbeat: Duration) {
    let mut next_tick = match state.mode {
        Mode::BlockTime(every) => Instant::now() + every,
        Mode::Instant => state.last_mined + heartbeat,
    };
    loop {
        let wait = next_tick.saturating_duration_since(Instant::now());
        let mut deferred: Vec<Deferred> = Vec::new();
        match jobs.recv_timeout(wait) {
            Ok(job) => {
                if let Some(d) = job(&mut state) {
                    deferred.push(d);
                }
                for job in jobs.try_iter().take(MAX_BATCH) {
                    if let Some(d) = job(&mut state) {
                        deferred.push(d);
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        match state.mode {
            Mode::BlockTime(every) if now >= next_tick => {
                if let Err(e) = state.mine_pending() {
                    tracing::error!("mining the tipset at {}: {e:#}", state.d.h.epoch());
                }
                next_tick += every;
                if next_tick < now {
                    next_tick = now + every;
                }
            }
            Mode::Instant => {
                if now >= state.last_mined + heartbeat {
                    if let Err(e) = state.mine(Vec::new()) {
                        tracing::error!("mining the heartbeat tipset: {e:#}");
                    }
                }
                next_tick = state.last_mined + heartbeat;
            }
            _ => {}
        }
        let failed = state.commit();
        for d in deferred {
            d(failed.as_deref());
        }
        if let Some(e) = failed {
            tracing::error!("writing tipsets failed, stopping: {e}");
            std::process::exit(1);
        }
    }
}
