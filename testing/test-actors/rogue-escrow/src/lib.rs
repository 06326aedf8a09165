//! An escrow that is not the suite's: it answers `GetPolicy` with the policy it was built with,
//! keeps whatever collateral `Lock` brings and returns lock ids 0, 1, 2…, and, when told to,
//! makes one call of its choosing during `Lock` (with the collateral it just got) before it
//! answers. Tests use it to prove the market survives an escrow that re-enters it.

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::MethodNum;
use suite_interfaces::escrow::Policy;

pub use suite_interfaces::escrow::{METHOD_GET_POLICY, METHOD_LOCK};

/// Sets (or clears) the call made during the next `Lock`s (any caller: a test actor).
pub const METHOD_SET_REENTRY: MethodNum = method_hash!("SetReentry");

/// A call made during `Lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Reentry {
    pub to: Address,
    pub method: MethodNum,
    /// CBOR params; empty for none.
    pub params: RawBytes,
    pub value: TokenAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub policy: Policy,
    pub reentry: Option<Reentry>,
    pub next_lock_id: u64,
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{market, INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID};
    use actor_runtime::params::{encode_params, encode_return};
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use suite_interfaces::escrow::{DealSnapshot, LockParams, LockReturn, SectorSnapshot};

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                let policy: Policy = rt.params()?;
                rt.save_state(&State {
                    policy,
                    reentry: None,
                    next_lock_id: 0,
                })?;
                Ok(None)
            }
            METHOD_GET_POLICY => {
                rt.validate_caller_any()?;
                encode_return(&rt.state::<State>()?.policy)
            }
            METHOD_SET_REENTRY => {
                rt.validate_caller_any()?;
                let reentry: Option<Reentry> = rt.params()?;
                let state: State = rt.state()?;
                rt.save_state(&State { reentry, ..state })?;
                Ok(None)
            }
            METHOD_LOCK => {
                rt.validate_caller_any()?;
                let mut state: State = rt.state()?;
                let lock_id = state.next_lock_id;
                state.next_lock_id += 1;
                rt.save_state(&state)?;
                if let Some(r) = state.reentry {
                    let block = actor_runtime::params::cbor_block(&r.params);
                    let response = rt.send(&r.to, r.method, block, r.value, false)?;
                    if !response.exit_code.is_success() {
                        return Err(actor_error!(unspecified;
                            "the re-entry failed with exit {}", response.exit_code.value()));
                    }
                }
                // Answers as the real escrow would: the deal as f05 reports it, the sector named.
                let p: LockParams = rt.params()?;
                let deal_id = p.evidence.deal.unwrap_or_default();
                let f05 = Address::new_id(STORAGE_MARKET_ACTOR_ID);
                let data: market::DataCommitment = rt.call(
                    &f05,
                    market::GET_DEAL_DATA_COMMITMENT,
                    "f05",
                    encode_params(&deal_id)?,
                    TokenAmount::default(),
                )?;
                let term: market::DealTerm = rt.call(
                    &f05,
                    market::GET_DEAL_TERM,
                    "f05",
                    encode_params(&deal_id)?,
                    TokenAmount::default(),
                )?;
                let activation: market::DealActivation = rt.call(
                    &f05,
                    market::GET_DEAL_ACTIVATION,
                    "f05",
                    encode_params(&deal_id)?,
                    TokenAmount::default(),
                )?;
                encode_return(&LockReturn {
                    lock_id,
                    deal: Some(DealSnapshot {
                        deal_id,
                        piece_cid: data.data,
                        piece_size: data.size,
                        start_epoch: term.start,
                        end_epoch: term.start + term.duration,
                        activated: activation.activated,
                    }),
                    sector: p.evidence.sector.map(|sector_number| SectorSnapshot {
                        sector_number,
                        sector_size: 32 << 30,
                        expiration: term.start + term.duration,
                    }),
                })
            }
            _ => rt.unhandled("rogue escrow"),
        }
    }
}
