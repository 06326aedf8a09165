//! Stand-in init actor (ID 1), as on a network that admits custom code (FVM "M2 native"):
//! `InstallCode` stores a wasm module and registers it with the VM, `Exec` creates an actor
//! from installed code (or a stand-in miner, as the power actor's CreateMiner would) and runs
//! its constructor. The state is byte for byte the FVM's own init state, because the VM reads
//! and writes it when it assigns IDs to new key addresses.

use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::ActorID;
use serde::{Deserialize, Serialize};

/// The FVM's init state with the M2-native `installed_actors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// HAMT (bit width 5): robust address bytes → ActorID.
    pub address_map: Cid,
    pub next_id: ActorID,
    pub network_name: String,
    /// Link to a CBOR list of the code CIDs installed so far.
    pub installed_actors: Cid,
}

pub const METHOD_EXEC: u64 = 2;
pub const METHOD_INSTALL_CODE: u64 = 4;
pub const METHOD_EXEC_EXPORTED: u64 = actor_runtime::method_hash!("Exec");
pub const METHOD_INSTALL_CODE_EXPORTED: u64 = actor_runtime::method_hash!("InstallCode");

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecParams {
    pub code_cid: Cid,
    pub constructor_params: RawBytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecReturn {
    pub id_address: Address,
    pub robust_address: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstallCodeParams {
    #[serde(with = "strict_bytes")]
    pub code: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InstallCodeReturn {
    pub code_cid: Cid,
    /// False when the code was already installed.
    pub installed: bool,
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::BuiltinType;
    use actor_runtime::params::encode_return;
    use actor_runtime::shell::{Runtime, SdkBlockstore};
    use actor_runtime::{actor_error, ensure, ActorError, ActorResult, OrActorError, METHOD_CONSTRUCTOR};
    use fvm_ipld_blockstore::{Block, Blockstore};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_ipld_encoding::{CborStore, IPLD_RAW};
    use fvm_ipld_hamt::{BytesKey, Hamt};
    use fvm_sdk as sdk;
    use multihash_codetable::Code;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_any()?;
                Err(actor_error!(forbidden; "the harness writes the init state at genesis"))
            }
            METHOD_EXEC | METHOD_EXEC_EXPORTED => {
                rt.validate_caller_any()?;
                exec(rt, rt.params()?)
            }
            METHOD_INSTALL_CODE | METHOD_INSTALL_CODE_EXPORTED => {
                rt.validate_caller_any()?;
                rt.no_value()?;
                install_code(rt, rt.params()?)
            }
            _ => rt.unhandled("init"),
        }
    }

    fn installed(state: &State) -> ActorResult<Vec<Cid>> {
        SdkBlockstore
            .get_cbor(&state.installed_actors)
            .or_illegal_state("installed actors")?
            .ok_or_else(|| ActorError::illegal_state("installed actors list missing"))
    }

    fn install_code(rt: &Runtime, params: InstallCodeParams) -> ActorResult<Option<IpldBlock>> {
        ensure!(!params.code.is_empty(), illegal_argument; "no code");
        let code_cid = SdkBlockstore
            .put(Code::Blake2b256, &Block::new(IPLD_RAW, params.code.as_slice()))
            .or_illegal_state("store code")?;
        let mut state: State = rt.state()?;
        let mut list = installed(&state)?;
        let fresh = !list.contains(&code_cid);
        if fresh {
            sdk::actor::install_actor(&code_cid)
                .map_err(|e| actor_error!(illegal_argument; "the VM refused the module: {e}"))?;
            list.push(code_cid);
            state.installed_actors = SdkBlockstore
                .put_cbor(&list, Code::Blake2b256)
                .or_illegal_state("save list")?;
            rt.save_state(&state)?;
        }
        encode_return(&InstallCodeReturn {
            code_cid,
            installed: fresh,
        })
    }

    fn exec(rt: &Runtime, params: ExecParams) -> ActorResult<Option<IpldBlock>> {
        let mut state: State = rt.state()?;
        let is_miner = sdk::actor::get_builtin_actor_type(&params.code_cid)
            .is_some_and(|t| t == BuiltinType::Miner as i32);
        ensure!(
            is_miner || installed(&state)?.contains(&params.code_cid),
            forbidden; "code {} is neither installed nor a miner", params.code_cid
        );

        let robust_address = sdk::actor::next_actor_address();
        let id = state.next_id;
        let mut map: Hamt<SdkBlockstore, ActorID> =
            Hamt::load_with_bit_width(&state.address_map, SdkBlockstore, 5)
                .or_illegal_state("address map")?;
        map.set(BytesKey(robust_address.to_bytes()), id)
            .or_illegal_state("address map")?;
        state.address_map = map.flush().or_illegal_state("address map")?;
        state.next_id += 1;
        // State is saved before the constructor runs: it may call back into init.
        rt.save_state(&state)?;

        sdk::actor::create_actor(id, &params.code_cid, None)
            .map_err(|e| actor_error!(forbidden; "create actor: {e}"))?;
        let block = actor_runtime::params::cbor_block(&params.constructor_params);
        let response = rt.send(
            &Address::new_id(id),
            METHOD_CONSTRUCTOR,
            block,
            rt.facts().value_received.clone(),
            false,
        )?;
        if !response.exit_code.is_success() {
            let code = response.exit_code;
            return Err(if code.is_system_error() {
                actor_error!(unspecified; "constructor failed with system exit {}", code.value())
            } else {
                ActorError::new(code, format!("constructor failed with exit {}", code.value()))
            });
        }
        encode_return(&ExecReturn {
            id_address: Address::new_id(id),
            robust_address,
        })
    }
}
