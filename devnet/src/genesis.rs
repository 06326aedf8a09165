//! The builtin-actors manifest of stand-ins and the genesis state tree.

use actor_runtime::builtin::{
    BuiltinType, BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID,
    REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID, SYSTEM_ACTOR_ID,
    VERIFIED_REGISTRY_ACTOR_ID,
};
use anyhow::Result;
use cid::Cid;
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::{CborStore, IPLD_RAW};
use fvm_ipld_hamt::Hamt;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::ActorID;
use multihash_codetable::Code;

use crate::actors::{require_wasm, wasm, with_custom_section};

/// The stand-in package for each builtin type the tests exercise; every other type gets the
/// no-op module, tagged with its name.
pub fn stand_in_package(t: BuiltinType) -> Option<&'static str> {
    match t {
        BuiltinType::Init => Some("stand-in-init"),
        BuiltinType::Account => Some("stand-in-account"),
        BuiltinType::Miner => Some("stand-in-miner"),
        BuiltinType::Market => Some("stand-in-market"),
        _ => None,
    }
}

/// The module behind a manifest entry.
pub fn stand_in_module(t: BuiltinType) -> Result<Vec<u8>> {
    if let Some(module) = stand_in_package(t).and_then(wasm) {
        return Ok(module.to_vec());
    }
    let noop = require_wasm("stand-in-noop")?;
    Ok(with_custom_section(noop, "stand-in", t.name().as_bytes()))
}

/// Puts wasm code into the store under its code CID (raw codec, blake2b-256).
pub fn put_code(store: &impl Blockstore, module: &[u8]) -> Result<Cid> {
    store.put(Code::Blake2b256, &Block::new(IPLD_RAW, module))
}

/// The manifest, in canonical order, and its versioned root as the system actor holds it.
pub struct Manifest {
    pub root: Cid,
    pub entries: Vec<(BuiltinType, Cid)>,
}

impl Manifest {
    pub fn code(&self, t: BuiltinType) -> Cid {
        self.entries[t as usize - 1].1
    }
}

pub fn install_manifest(store: &impl Blockstore) -> Result<Manifest> {
    let mut entries = Vec::new();
    for (t, _) in BuiltinType::ALL {
        entries.push((t, put_code(store, &stand_in_module(t)?)?));
    }
    let named: Vec<(&str, Cid)> = entries.iter().map(|(t, c)| (t.name(), *c)).collect();
    let data = store.put_cbor(&named, Code::Blake2b256)?;
    let root = store.put_cbor(&(1u32, data), Code::Blake2b256)?;
    Ok(Manifest { root, entries })
}

/// Reads back a manifest [`install_manifest`] wrote.
pub fn load_manifest(store: &impl Blockstore, root: Cid) -> Result<Manifest> {
    let missing = |what: &str| anyhow::anyhow!("manifest {what} missing from the store");
    let (version, data): (u32, Cid) = store.get_cbor(&root)?.ok_or_else(|| missing("root"))?;
    anyhow::ensure!(version == 1, "manifest version {version} is not 1");
    let named: Vec<(String, Cid)> = store.get_cbor(&data)?.ok_or_else(|| missing("entries"))?;
    let mut entries = Vec::with_capacity(named.len());
    for (name, code) in named {
        let (t, _) = BuiltinType::ALL
            .into_iter()
            .find(|(_, n)| *n == name)
            .ok_or_else(|| anyhow::anyhow!("unknown builtin type {name:?} in the manifest"))?;
        entries.push((t, code));
    }
    anyhow::ensure!(
        entries.iter().enumerate().all(|(i, (t, _))| *t as usize == i + 1),
        "manifest entries are not in canonical order"
    );
    Ok(Manifest { root, entries })
}

/// Builds the genesis state tree: system, init (with the M2-native installed list), the other
/// singletons, burnt funds, and the operator account holding `operator_balance`. Returns the
/// state root and the operator's ID. The market's constructor runs later, as a message.
pub fn genesis<B: Blockstore>(
    store: B,
    manifest: &Manifest,
    operator_key: &Address,
    operator_balance: TokenAmount,
) -> Result<(Cid, ActorID, B)> {
    let empty_map = Hamt::<_, ActorID>::new_with_bit_width(&store, 5).flush()?;
    let installed = store.put_cbor(&Vec::<Cid>::new(), Code::Blake2b256)?;
    let init_state = stand_in_init::State {
        address_map: empty_map,
        next_id: actor_runtime::builtin::FIRST_NON_SINGLETON_ID,
        network_name: "suite-localnet".into(),
        installed_actors: installed,
    };
    let mut tree =
        StateTree::new(store, StateTreeVersion::V5).map_err(|e| anyhow::anyhow!("state tree: {e}"))?;
    let put = |tree: &mut StateTree<B>, id: ActorID, t: BuiltinType, state: Cid, balance: TokenAmount| {
        tree.set_actor(id, ActorState::new(manifest.code(t), state, balance, 0, None));
    };
    let system_state = tree.store().put_cbor(&(manifest.root,), Code::Blake2b256)?;
    put(
        &mut tree,
        SYSTEM_ACTOR_ID,
        BuiltinType::System,
        system_state,
        TokenAmount::default(),
    );
    let init = tree.store().put_cbor(&init_state, Code::Blake2b256)?;
    put(
        &mut tree,
        INIT_ACTOR_ID,
        BuiltinType::Init,
        init,
        TokenAmount::default(),
    );

    // Singletons the suite never calls still exist, so their addresses resolve.
    let empty = tree.store().put_cbor(&(), Code::Blake2b256)?;
    for (id, t) in [
        (REWARD_ACTOR_ID, BuiltinType::Reward),
        (CRON_ACTOR_ID, BuiltinType::Cron),
        (STORAGE_POWER_ACTOR_ID, BuiltinType::Power),
        (STORAGE_MARKET_ACTOR_ID, BuiltinType::Market),
        (VERIFIED_REGISTRY_ACTOR_ID, BuiltinType::VerifiedRegistry),
        (DATACAP_ACTOR_ID, BuiltinType::DataCap),
        (EAM_ACTOR_ID, BuiltinType::Eam),
    ] {
        put(&mut tree, id, t, empty, TokenAmount::default());
    }
    let burnt = tree.store().put_cbor(
        &stand_in_account::State {
            address: Address::new_id(BURNT_FUNDS_ACTOR_ID),
        },
        Code::Blake2b256,
    )?;
    put(
        &mut tree,
        BURNT_FUNDS_ACTOR_ID,
        BuiltinType::Account,
        burnt,
        TokenAmount::default(),
    );

    let operator = tree
        .register_new_address(operator_key)
        .map_err(|e| anyhow::anyhow!("register operator: {e}"))?;
    let account = tree.store().put_cbor(
        &stand_in_account::State {
            address: *operator_key,
        },
        Code::Blake2b256,
    )?;
    put(
        &mut tree,
        operator,
        BuiltinType::Account,
        account,
        operator_balance,
    );

    let root = tree.flush().map_err(|e| anyhow::anyhow!("flush: {e}"))?;
    Ok((root, operator, tree.into_store()))
}
