//! ProviderReputation: the public, contract-readable record of every storage provider.
//!
//! Registered reporters (the suite's escrow and bounty market) record verified outcomes —
//! claim accepted, completed, fault, slashed — each counted once per (provider, subject,
//! kind); the registry keeps counters, byte and stake totals and a decayed, stake-weighted
//! score (see [`score`]). Claim accepted is accepted from any reporter, but the suite's market
//! no longer reports it (issue 13), so its claims show as their outcomes. The state layout and
//! what it costs: [`state`]. Providers register themselves with bounded metadata through a
//! controlling address of their miner. The admin manages reporters and nothing else; the
//! registry holds no FIL.

pub mod logic;
pub mod state;

pub use suite_interfaces::reputation as types;
pub use suite_interfaces::reputation::score;

#[cfg(test)]
mod tests;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{BuiltinType, INIT_ACTOR_ID};
    use actor_runtime::params::encode_return;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorResult};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::address::Address;
    use fvm_shared::event::ActorEvent;
    use fvm_shared::ActorID;

    use crate::logic;
    use crate::state::State;
    use crate::types::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.no_value()?;
        match rt.method() {
            METHOD_CONSTRUCTOR => constructor(rt),
            METHOD_ADD_REPORTER => admin_call(rt, Target::Reporter, logic::add_reporter),
            METHOD_REMOVE_REPORTER => admin_call(rt, Target::AnyAddress, logic::remove_reporter),
            METHOD_TRANSFER_ADMIN => admin_call(rt, Target::ExistingActor, |_, state, id| {
                logic::transfer_admin(state, id)
            }),
            METHOD_ACCEPT_ADMIN => accept_admin(rt),
            METHOD_REGISTER_PROVIDER | METHOD_UPDATE_METADATA => register_or_update(rt),
            METHOD_RECORD_OUTCOME => record_outcome(rt),
            METHOD_GET_REPUTATION => get_reputation(rt),
            METHOD_GET_SCORES => get_scores(rt),
            METHOD_LIST_PROVIDERS => list_providers(rt),
            METHOD_GET_ADMIN => get_admin(rt),
            METHOD_IS_REPORTER => is_reporter(rt),
            _ => rt.unhandled("ProviderReputation"),
        }
    }

    fn accept_admin(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_params()?;
        let mut state: State = rt.state()?;
        let events = logic::accept_admin(&mut state, rt.facts().caller)?;
        commit(rt, &state, &events)?;
        Ok(None)
    }

    fn get_reputation(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: GetReputationParams = rt.params()?;
        let provider = rt
            .resolve(&p.provider)
            .ok_or_else(|| actor_error!(not_found; "no actor at {}", p.provider))?;
        let state: State = rt.state()?;
        encode_return(&logic::reputation(&rt.store(), &state, rt.facts(), provider)?)
    }

    fn get_scores(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: GetScoresParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&logic::scores(&rt.store(), &state, rt.facts(), &p.providers)?)
    }

    fn list_providers(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: ListProvidersParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&logic::list(&rt.store(), &state, rt.facts(), &p)?)
    }

    fn get_admin(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_params()?;
        let state: State = rt.state()?;
        encode_return(&GetAdminReturn {
            admin: state.admin,
            pending_admin: state.pending_admin,
            reporters: state.reporter_count,
        })
    }

    fn is_reporter(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: IsReporterParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&state.reporters(rt.store())?.contains(&p.actor)?)
    }

    fn commit(rt: &Runtime, state: &State, events: &[ActorEvent]) -> ActorResult<()> {
        rt.save_state(state)?;
        events.iter().try_for_each(|e| rt.emit(e))
    }

    fn constructor(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_is(&[INIT_ACTOR_ID])?;
        let p: ConstructorParams = rt.params()?;
        let admin = rt.existing_actor(&p.admin, "admin")?;
        rt.save_state(&State::new(&rt.store(), admin)?)?;
        Ok(None)
    }

    /// What the address of an admin method must be.
    enum Target {
        /// Any address that resolves (a reporter being removed may no longer exist).
        AnyAddress,
        /// An existing actor.
        ExistingActor,
        /// A contract, not the admin: outcomes must come from code that verified them, never
        /// from a key holder (accounts, eth accounts and placeholders are refused).
        Reporter,
    }

    /// An admin-only method taking one address. Saves state only if it changed.
    fn admin_call(
        rt: &Runtime,
        target: Target,
        apply: impl FnOnce(
            &actor_runtime::shell::SdkBlockstore,
            &mut State,
            ActorID,
        ) -> ActorResult<Vec<ActorEvent>>,
    ) -> ActorResult<Option<IpldBlock>> {
        let mut state: State = rt.state()?;
        rt.validate_caller_with(|caller| logic::authorize_admin(&state, caller))?;
        let p: AddressParams = rt.params()?;
        let id = match target {
            Target::AnyAddress => rt
                .resolve(&p.address)
                .ok_or_else(|| actor_error!(not_found; "{} does not resolve", p.address))?,
            Target::ExistingActor => rt.existing_actor(&p.address, "address")?,
            Target::Reporter => {
                let id = rt.existing_actor(&p.address, "address")?;
                let key_holder = matches!(
                    rt.actor_type(id),
                    Some(BuiltinType::Account | BuiltinType::EthAccount | BuiltinType::Placeholder)
                );
                if key_holder || id == state.admin {
                    return Err(
                        actor_error!(illegal_argument; "reporter f0{id} must be a contract other than the admin"),
                    );
                }
                id
            }
        };
        let before = state.clone();
        let events = apply(&rt.store(), &mut state, id)?;
        if state != before {
            commit(rt, &state, &events)?;
        }
        Ok(None)
    }

    fn register_or_update(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let p: RegisterProviderParams = rt.params()?;
        // Cheap checks before asking the miner anything.
        p.metadata
            .validate()
            .map_err(|why| actor_error!(illegal_argument; "metadata: {why}"))?;
        let miner = rt.storage_miner(&p.miner, "miner")?;
        rt.validate_caller_controls(miner)?;
        let mut state: State = rt.state()?;
        let events = if rt.method() == METHOD_REGISTER_PROVIDER {
            logic::register(&rt.store(), &mut state, rt.facts(), miner, p.metadata)?
        } else {
            logic::update_metadata(&rt.store(), &mut state, rt.facts(), miner, p.metadata)?
        };
        commit(rt, &state, &events)?;
        Ok(None)
    }

    fn record_outcome(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let mut state: State = rt.state()?;
        rt.validate_caller_with(|caller| logic::authorize_reporter(&rt.store(), &state, caller))?;
        let p: RecordOutcomeParams = rt.params()?;
        rt.storage_miner(&Address::new_id(p.provider), "provider")?;
        let (changed, ret, events) = logic::record_outcome(&rt.store(), &mut state, rt.facts(), &p)?;
        if changed {
            commit(rt, &state, &events)?;
        }
        encode_return(&ret)
    }
}
