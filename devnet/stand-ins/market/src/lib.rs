//! Stand-in builtin storage market actor (ID 5, f05).
//!
//! It answers the builtin market v18's exported getters byte for byte (numbers, param and
//! return shapes, exit codes: docs/builtin-actors-interface.md §2.1–§2.3), keeps an escrow table
//! (`AddBalance`, `GetBalance`), and lets one harness operator account drive deal lifecycles with
//! `Harness*` control methods in place of signed PublishStorageDeals and proving. Miners report
//! terminated sectors with the builtin's internal `OnMinerSectorsTerminate` (7).
//!
//! It refuses what the builtin refuses (rules and codes in [`logic::validate_proposal`] and
//! [`logic::activate_deal`]): at publish, a provider that is not a miner, a client that does
//! not answer `AuthenticateMessage` with true (a miner cannot), a duration outside the
//! market's [`StorageMarketPolicy`] (set at construction: mainnet's 180 to 1,278 days, or the
//! devnet's one day to 1,278 days), a start already elapsed; at activation, a sector the
//! provider does not have or that is not active, a deal ending after its sector, and pieces
//! that do not fit the sector's size.
//!
//! What it does not model: deal payments and collateral locking (`locked` is always 0, no
//! funds move when deals are published, settled or slashed; escrow balances are not required
//! to cover a deal), WithdrawBalance, client signatures (the stand-in account authenticates
//! any proposal), the provider-collateral minimum, duplicate proposals, verified-registry
//! allocations, SectorContentChanged, the cron's payment settlement.
//!
//! Cron: the devnet sends `CronTick` (9) from the cron actor f03 when `State::next_cron` is due
//! (the end-of-epoch crons of every epoch it moved past, in one message). A published deal
//! never activated times out at the end of its scheduled visit epoch
//! ([`types::deal_update_epoch`], as the builtin's cron: until then its getters answer
//! `[-1,-1]` and 33, afterwards 32), and the miners enrolled with `HarnessEnrollCronEvent` run
//! their deadline crons (the builtin power actor's part: the stand-in power is a no-op).
//!
//! Choices where the builtin has no exact counterpart:
//! - `HarnessActivateDeal` into a sector the provider does not have is 17, into a terminated
//!   or faulty one 16; on an already activated deal 16 (as the builtin's batch activation);
//!   after the start epoch 32.
//! - `HarnessTerminateDeal` slashes only an activated deal before its end epoch (20
//!   otherwise): the builtin never slashes an unactivated or finished deal.
//! - `OnMinerSectorsTerminate` takes a plain list of sector numbers, not an RLE+ BitField.
//! - Method numbers below 2^24 other than 1 and 7: 18 for a caller that is not a builtin
//!   actor (or is EVM), as builtin dispatch does; 22 for builtin callers.
//!
//! `types` holds the wire and state types, `logic` the functional core; the wasm shell below
//! only decodes, validates the caller, loads and saves state, makes the read-only queries the
//! core asks for ([`logic::Chain`]) and emits events.

pub mod logic;
pub mod types;

pub use types::*;

#[cfg(test)]
mod tests;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{BuiltinType, SYSTEM_ACTOR_ID};
    use actor_runtime::params::{encode_params, encode_return};
    use actor_runtime::shell::{Runtime, SdkBlockstore};
    use actor_runtime::{actor_error, ActorResult};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::address::Address;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::deal::DealID;
    use fvm_shared::error::ExitCode;
    use fvm_shared::sector::SectorNumber;
    use fvm_shared::ActorID;
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    use crate::logic::{self, Chain, Effects, SectorView};
    use crate::types::*;

    actor_runtime::entry_point!(dispatch);

    /// The VM's view of other actors, for the core.
    struct Vm<'a>(&'a Runtime);

    impl Chain for Vm<'_> {
        fn resolve(&self, address: &Address) -> Option<ActorID> {
            self.0.resolve(address)
        }

        fn exists(&self, id: ActorID) -> bool {
            fvm_sdk::actor::get_actor_code_cid(&Address::new_id(id)).is_some()
        }

        fn actor_type(&self, id: ActorID) -> Option<BuiltinType> {
            self.0.actor_type(id)
        }

        fn authenticates(&self, client: ActorID, params: &AuthenticateMessageParams) -> bool {
            let Ok(block) = encode_params(params) else {
                return false;
            };
            matches!(
                self.0
                    .query::<bool>(&Address::new_id(client), METHOD_AUTHENTICATE_MESSAGE, block),
                Ok(Ok(true))
            )
        }

        fn sector(&self, miner: ActorID, sector: SectorNumber) -> ActorResult<Option<SectorView>> {
            let to = Address::new_id(miner);
            let failed = |what: &str, code: ExitCode| actor_error!(illegal_state; "miner f0{miner} {what} of sector {sector} failed with exit {}", code.value());
            let expiration = match self.0.query::<ChainEpoch>(
                &to,
                METHOD_MINER_GET_NOMINAL_SECTOR_EXPIRATION,
                encode_params(&sector)?,
            )? {
                Ok(e) => e,
                Err(ExitCode::USR_NOT_FOUND) => return Ok(None),
                Err(code) => return Err(failed("GetNominalSectorExpiration", code)),
            };
            let located: actor_runtime::builtin::miner::SectorStatusAndLocation = self
                .0
                .query(
                    &to,
                    METHOD_MINER_GENERATE_SECTOR_LOCATION,
                    encode_params(&SectorNumberTuple {
                        sector_number: sector,
                    })?,
                )?
                .map_err(|code| failed("GenerateSectorLocation", code))?;
            let size: u64 = self
                .0
                .query(&to, METHOD_MINER_GET_SECTOR_SIZE, None)?
                .map_err(|code| failed("GetSectorSize", code))?;
            Ok(Some(SectorView {
                size,
                expiration,
                status: located.status,
            }))
        }
    }

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let store = rt.store();
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[SYSTEM_ACTOR_ID])?;
                let params: ConstructorParams = rt.params()?;
                rt.save_state(&logic::construct(&store, params)?)?;
                Ok(None)
            }
            METHOD_ON_MINER_SECTORS_TERMINATE => {
                rt.validate_caller_type(&[BuiltinType::Miner])?;
                let params: OnMinerSectorsTerminateParams = rt.params()?;
                let state: State = rt.state()?;
                commit(
                    rt,
                    logic::on_miner_sectors_terminate(&store, &state, rt.facts(), &Vm(rt), &params)?,
                )?;
                Ok(None)
            }
            METHOD_CRON_TICK => {
                rt.validate_caller_is(&[actor_runtime::builtin::CRON_ACTOR_ID])?;
                rt.no_params()?;
                let state: State = rt.state()?;
                let due = commit(rt, logic::cron_tick(&store, &state, rt.facts())?)?;
                // The state is saved: each miner may call back (OnMinerSectorsTerminate, its
                // enrolment), and the state is read again afterwards.
                let through = rt.facts().epoch - 1;
                for miner in due {
                    let response = rt.send(
                        &Address::new_id(miner),
                        METHOD_MINER_ON_DEFERRED_CRON_EVENT,
                        encode_params(&DeferredCronEventParams { epoch: through })?,
                        fvm_shared::econ::TokenAmount::default(),
                        false,
                    )?;
                    if !response.exit_code.is_success() {
                        return Err(
                            actor_error!(illegal_state; "deadline cron of miner f0{miner} failed with exit {}", response.exit_code.value()),
                        );
                    }
                }
                let state: State = rt.state()?;
                commit(rt, logic::finish_cron(&store, &state)?)?;
                Ok(None)
            }
            m if m < FIRST_EXPORTED_METHOD => {
                // Builtin numbers are for builtin callers only (docs/builtin-actors-interface.md
                // §0): others get 18.
                rt.validate_caller_with(|caller| logic::require_builtin_caller(&Vm(rt), caller))?;
                Err(actor_error!(unhandled_message; "market has no internal method {m}"))
            }

            METHOD_ADD_BALANCE => {
                let params: AddBalanceParams = rt.params()?;
                rt.validate_caller_any()?;
                let state: State = rt.state()?;
                commit(
                    rt,
                    logic::add_balance(&store, &state, rt.facts(), &Vm(rt), &params)?,
                )?;
                Ok(None)
            }
            METHOD_GET_BALANCE => {
                let params: GetBalanceParams = rt.params()?;
                rt.validate_caller_any()?;
                let state: State = rt.state()?;
                encode_return(&logic::get_balance(&store, &state, &Vm(rt), &params)?)
            }
            METHOD_GET_DEAL_DATA_COMMITMENT => deal_getter(rt, logic::get_deal_data_commitment),
            METHOD_GET_DEAL_CLIENT => deal_getter(rt, logic::get_deal_client),
            METHOD_GET_DEAL_PROVIDER => deal_getter(rt, logic::get_deal_provider),
            METHOD_GET_DEAL_LABEL => deal_getter(rt, logic::get_deal_label),
            METHOD_GET_DEAL_TERM => deal_getter(rt, logic::get_deal_term),
            METHOD_GET_DEAL_TOTAL_PRICE => deal_getter(rt, logic::get_deal_total_price),
            METHOD_GET_DEAL_CLIENT_COLLATERAL => deal_getter(rt, logic::get_deal_client_collateral),
            METHOD_GET_DEAL_PROVIDER_COLLATERAL => deal_getter(rt, logic::get_deal_provider_collateral),
            METHOD_GET_DEAL_VERIFIED => deal_getter(rt, logic::get_deal_verified),
            METHOD_GET_DEAL_ACTIVATION => deal_getter(rt, logic::get_deal_activation),
            METHOD_GET_DEAL_SECTOR => deal_getter(rt, logic::get_deal_sector),

            METHOD_HARNESS_ENROLL_CRON_EVENT => {
                rt.validate_caller_type(&[BuiltinType::Miner])?;
                let params: EnrollCronEventParams = rt.params()?;
                let state: State = rt.state()?;
                commit(
                    rt,
                    logic::enroll_cron_event(&store, &state, rt.facts(), &Vm(rt), &params)?,
                )?;
                Ok(None)
            }
            METHOD_HARNESS_OPERATOR => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                let state: State = rt.state()?;
                encode_return(&logic::operator(&state))
            }
            METHOD_HARNESS_PUBLISH_DEAL => {
                let id = control(rt, |state, params: &HarnessPublishDealParams| {
                    logic::publish_deal(&store, state, rt.facts(), &Vm(rt), params)
                })?;
                encode_return(&id)
            }
            METHOD_HARNESS_ACTIVATE_DEAL => {
                control(rt, |state, params| {
                    logic::activate_deal(&store, state, rt.facts(), &Vm(rt), params)
                })?;
                Ok(None)
            }
            METHOD_HARNESS_TERMINATE_DEAL => {
                control(rt, |state, params| {
                    logic::terminate_deal(&store, state, rt.facts(), params)
                })?;
                Ok(None)
            }
            METHOD_HARNESS_SETTLE_DEAL => {
                control(rt, |state, params| {
                    logic::settle_deal(&store, state, rt.facts(), params)
                })?;
                Ok(None)
            }
            METHOD_HARNESS_TIMEOUT_DEAL => {
                control(rt, |state, params| {
                    logic::timeout_deal(&store, state, rt.facts(), params)
                })?;
                Ok(None)
            }
            _ => rt.unhandled("market"),
        }
    }

    /// A deal getter: any caller, transparent deal id in, the core's answer out.
    fn deal_getter<R: Serialize>(
        rt: &Runtime,
        get: impl FnOnce(&SdkBlockstore, &State, DealID) -> ActorResult<R>,
    ) -> ActorResult<Option<IpldBlock>> {
        let params: DealQueryParams = rt.params()?;
        rt.validate_caller_any()?;
        let state: State = rt.state()?;
        encode_return(&get(&rt.store(), &state, params.id)?)
    }

    /// An operator-only control method: the caller is checked against the stored operator
    /// before the params are read, then the core's effects are committed.
    fn control<P: DeserializeOwned, R>(
        rt: &Runtime,
        apply: impl FnOnce(&State, &P) -> ActorResult<Effects<R>>,
    ) -> ActorResult<R> {
        let state: State = rt.state()?;
        rt.validate_caller_with(|caller| logic::require_operator(&state, caller))?;
        let params: P = rt.params()?;
        commit(rt, apply(&state, &params)?)
    }

    /// Saves the new state, then emits the events; returns the method's value.
    fn commit<R>(rt: &Runtime, effects: Effects<R>) -> ActorResult<R> {
        rt.save_state(&effects.state)?;
        for event in &effects.events {
            rt.emit(event)?;
        }
        Ok(effects.ret)
    }
}
