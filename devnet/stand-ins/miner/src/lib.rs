//! Stand-in builtin storage miner (manifest position 6, so the VM reports its type as Miner).
//!
//! It answers the builtin miner's exported getters and FIP-0112 sector-status methods byte for
//! byte as builtin-actors v18 does (docs/builtin-actors-interface.md §3.1, §3.3), models the
//! proving cycle in miniature ([`logic`]: challenge windows per deadline, a missed window
//! faults its sectors, `DeclareFaults` (10) and `DeclareFaultsRecovered` (11) from a
//! controlling address, a recovery Active only once proven, FAULT_MAX_AGE terminating), runs
//! its deadline crons when the market's cron sends `OnDeferredCronEvent` (12; the stand-in
//! market plays the power actor's cron part), and takes harness-only control messages from
//! the operator account the stand-in market names: add, fault, recover, terminate (which
//! deletes the sector's deals at the market), move and compact sectors, stop and resume
//! proving a sector (the provider's proving software: the devnet proves every other sector at
//! its windows), and send a DDO `SectorContentChanged` notification (§5) to any receiver, as a
//! real miner does after ProveCommitSectors3.
//!
//! Created through the stand-in init's Exec (as power's CreateMiner would); the constructor
//! refuses a worker that is not an account with a BLS key (16, as the builtin), then asks the
//! market (f05) for the operator with a read-only `HarnessOperator` query.
//!
//! What it does not model: power, pledge, vesting, deposits and fee debt
//! (`GetAvailableBalance` is the whole balance), WindowPoSt proofs themselves, fault fees and
//! declaration cut-offs, expiry at the nominal expiration, owner/worker changes and
//! beneficiaries.

pub mod logic;
pub mod types;

pub use types::*;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID};
    use actor_runtime::params::{encode_params, encode_return};
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_sdk as sdk;
    use fvm_shared::address::Address;
    use fvm_shared::bigint::Zero;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::ActorID;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let store = rt.store();
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                let params: ConstructorParams = rt.params()?;
                let state = logic::construct(
                    &store,
                    rt.facts(),
                    params,
                    |a| resolve_existing(rt, a),
                    |id| account_key(rt, id),
                    || harness_operator(rt),
                )?;
                rt.save_state(&state)?;
                Ok(None)
            }

            // Getters: any caller.
            METHOD_GET_OWNER => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&logic::get_owner(&rt.state()?))
            }
            METHOD_IS_CONTROLLING_ADDRESS => {
                rt.validate_caller_any()?;
                let params: IsControllingAddressParams = rt.params()?;
                let resolved = rt.resolve(&params.address);
                encode_return(&logic::is_controlling_address(&rt.state()?, resolved))
            }
            METHOD_GET_SECTOR_SIZE => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&logic::get_sector_size(&rt.state()?))
            }
            METHOD_GET_AVAILABLE_BALANCE => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&logic::available_balance(rt.balance()))
            }
            METHOD_GENERATE_SECTOR_LOCATION => {
                rt.validate_caller_any()?;
                let params: GenerateSectorLocationParams = rt.params()?;
                encode_return(&logic::generate_sector_location(&store, &rt.state()?, params)?)
            }
            METHOD_VALIDATE_SECTOR_STATUS => {
                rt.validate_caller_any()?;
                let params: ValidateSectorStatusParams = rt.params()?;
                encode_return(&logic::validate_sector_status(&store, &rt.state()?, params)?)
            }
            METHOD_GET_NOMINAL_SECTOR_EXPIRATION => {
                rt.validate_caller_any()?;
                let params: GetNominalSectorExpirationParams = rt.params()?;
                encode_return(&logic::get_nominal_sector_expiration(
                    &store,
                    &rt.state()?,
                    params,
                )?)
            }

            // Harness controls: the operator only.
            METHOD_HARNESS_ADD_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessAddSectorParams = rt.params()?;
                rt.save_state(&logic::add_sector(&store, &state, rt.facts(), params)?)?;
                Ok(None)
            }
            METHOD_HARNESS_FAULT_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessSectorParams = rt.params()?;
                commit(rt, logic::fault_sector(&store, &state, rt.facts(), params)?)?;
                Ok(None)
            }
            METHOD_HARNESS_STOP_PROVING | METHOD_HARNESS_RESUME_PROVING => {
                let state = operator_state(rt)?;
                let params: HarnessSectorParams = rt.params()?;
                let proving = rt.method() == METHOD_HARNESS_RESUME_PROVING;
                commit(
                    rt,
                    logic::set_proving(&store, &state, rt.facts(), params, proving)?,
                )?;
                Ok(None)
            }

            // Proving: a controlling address declares, the market's cron runs the deadlines.
            // As the builtin: internal numbers for builtin callers only (18), then the params
            // (21), then the caller (a controlling address).
            METHOD_DECLARE_FAULTS => {
                let caller = rt.facts().caller;
                logic::require_builtin_caller(caller, rt.actor_type(caller))?;
                let params: DeclareFaultsParams = rt.params()?;
                let state: State = rt.state()?;
                rt.validate_caller_with(|c| logic::check_controlling(&state, c))?;
                commit(rt, logic::declare_faults(&store, &state, rt.facts(), &params)?)?;
                Ok(None)
            }
            METHOD_DECLARE_FAULTS_RECOVERED => {
                let caller = rt.facts().caller;
                logic::require_builtin_caller(caller, rt.actor_type(caller))?;
                let params: DeclareFaultsRecoveredParams = rt.params()?;
                let state: State = rt.state()?;
                rt.validate_caller_with(|c| logic::check_controlling(&state, c))?;
                commit(
                    rt,
                    logic::declare_faults_recovered(&store, &state, rt.facts(), &params)?,
                )?;
                Ok(None)
            }
            METHOD_ON_DEFERRED_CRON_EVENT => {
                rt.validate_caller_is(&[STORAGE_MARKET_ACTOR_ID])?;
                let params: DeferredCronEventParams = rt.params()?;
                let outcome = logic::run_deadline_crons(&store, &rt.state()?, params.epoch)?;
                // Effects before the interactions: the market may read the sectors.
                rt.save_state(&outcome.state)?;
                for terminated in &outcome.terminated {
                    tell_market_terminated(rt, terminated)?;
                }
                enroll(rt, outcome.next)?;
                Ok(None)
            }
            METHOD_HARNESS_RECOVER_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessSectorParams = rt.params()?;
                commit(rt, logic::recover_sector(&store, &state, rt.facts(), params)?)?;
                Ok(None)
            }
            METHOD_HARNESS_TERMINATE_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessSectorParams = rt.params()?;
                let (state, market_params) = logic::terminate_sector(&store, &state, rt.facts(), params)?;
                // Effects before the interaction: the market may call back and must see the
                // sector terminated.
                rt.save_state(&state)?;
                tell_market_terminated(rt, &market_params)?;
                Ok(None)
            }
            METHOD_HARNESS_MOVE_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessMoveSectorParams = rt.params()?;
                commit(rt, logic::move_sector(&store, &state, rt.facts(), params)?)?;
                Ok(None)
            }
            METHOD_HARNESS_COMPACT_SECTOR => {
                let state = operator_state(rt)?;
                let params: HarnessSectorParams = rt.params()?;
                rt.save_state(&logic::compact_sector(&store, &state, params)?)?;
                Ok(None)
            }
            METHOD_HARNESS_NOTIFY_SECTOR_CONTENT_CHANGED => {
                operator_state(rt)?;
                let params: HarnessNotifyParams = rt.params()?;
                // As after ProveCommitSectors3: value 0, all the gas, not read-only.
                let response = rt.send(
                    &params.receiver,
                    METHOD_SECTOR_CONTENT_CHANGED,
                    encode_params(&params.sectors)?,
                    TokenAmount::zero(),
                    false,
                )?;
                encode_return(&logic::notify_return(
                    response.exit_code,
                    response.return_data.as_ref(),
                ))
            }

            m if m < FIRST_EXPORTED_METHOD => {
                // Builtin numbers are for builtin callers only (docs/builtin-actors-interface.md
                // §0): others get 18.
                rt.validate_caller_with(|caller| {
                    logic::require_builtin_caller(caller, rt.actor_type(caller))
                })?;
                Err(actor_error!(unhandled_message; "stand-in miner has no internal method {m}"))
            }
            _ => rt.unhandled("stand-in miner"),
        }
    }

    /// Saves a changed state, then enrols the deadline event the change brought forward.
    fn commit(rt: &Runtime, changed: logic::Changed) -> ActorResult<()> {
        rt.save_state(&changed.state)?;
        match changed.enroll {
            Some(epoch) => enroll(rt, Some(epoch)),
            None => Ok(()),
        }
    }

    /// Tells the market's cron this miner's next deadline event (`None`: none).
    fn enroll(rt: &Runtime, epoch: Option<fvm_shared::clock::ChainEpoch>) -> ActorResult<()> {
        let response = rt.send(
            &Address::new_id(STORAGE_MARKET_ACTOR_ID),
            METHOD_MARKET_ENROLL_CRON_EVENT,
            encode_params(&EnrollCronEventParams { epoch })?,
            TokenAmount::zero(),
            false,
        )?;
        if !response.exit_code.is_success() {
            return Err(logic::callee_failed(
                "market HarnessEnrollCronEvent",
                response.exit_code,
            ));
        }
        Ok(())
    }

    /// Market method 7: it deletes the sectors' deals that have not ended.
    fn tell_market_terminated(rt: &Runtime, params: &OnMinerSectorsTerminateParams) -> ActorResult<()> {
        let response = rt.send(
            &Address::new_id(STORAGE_MARKET_ACTOR_ID),
            METHOD_MARKET_ON_MINER_SECTORS_TERMINATE,
            encode_params(params)?,
            TokenAmount::zero(),
            false,
        )?;
        if !response.exit_code.is_success() {
            return Err(logic::callee_failed(
                "market OnMinerSectorsTerminate",
                response.exit_code,
            ));
        }
        Ok(())
    }

    /// The key address of an account actor (its `PubkeyAddress`), `None` for any other actor.
    fn account_key(rt: &Runtime, id: ActorID) -> ActorResult<Option<Address>> {
        if rt.actor_type(id) != Some(actor_runtime::builtin::BuiltinType::Account) {
            return Ok(None);
        }
        rt.query::<Address>(&Address::new_id(id), METHOD_ACCOUNT_PUBKEY_ADDRESS, None)?
            .map(Some)
            .map_err(|code| logic::callee_failed("account PubkeyAddress", code))
    }

    /// Loads the state and validates that the caller is its operator (exit 18 otherwise).
    fn operator_state(rt: &Runtime) -> ActorResult<State> {
        let state: State = rt.state()?;
        rt.validate_caller_with(|caller| logic::check_operator(&state, caller))?;
        Ok(state)
    }

    /// The ID of an existing actor behind `address`. (The VM resolves any ID address, even
    /// one with no actor, so existence is checked through the code CID.)
    fn resolve_existing(rt: &Runtime, address: &Address) -> Option<ActorID> {
        rt.resolve(address)
            .filter(|id| sdk::actor::get_actor_code_cid(&Address::new_id(*id)).is_some())
    }

    /// Asks the stand-in market who the harness operator is.
    fn harness_operator(rt: &Runtime) -> ActorResult<ActorID> {
        rt.query::<ActorID>(
            &Address::new_id(STORAGE_MARKET_ACTOR_ID),
            METHOD_MARKET_HARNESS_OPERATOR,
            None,
        )?
        .map_err(|code| logic::callee_failed("market HarnessOperator", code))
    }
}
