//! CollateralEscrow: collateral locked against a provider's deal or sector, slashed to the
//! harmed client (minus a reward for whoever proves the failure) when the storage fails, and
//! returned at the end otherwise. Generic: any dApp may lock; the bounty market is one user.
//!
//! Every FIL movement keeps `balance = Σ remaining of open locks`; state is saved before any
//! send; FIL leaves only by method-0 sends; each lock settles exactly once.

pub mod logic;
pub mod state;

pub use suite_interfaces::escrow as types;

#[cfg(test)]
mod tests;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{market, miner, EX_DEAL_EXPIRED, INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID};
    use actor_runtime::params::{encode_params, encode_return};
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorError, ActorResult, EventBuilder};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::address::Address;
    use fvm_shared::ActorID;
    use suite_interfaces::escrow::*;
    use suite_interfaces::reputation::METHOD_RECORD_OUTCOME;

    use crate::logic::{self, Settlement, VerifiedLock};
    use crate::state::State;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => constructor(rt),
            METHOD_LOCK => lock(rt),
            METHOD_TOP_UP => top_up(rt),
            METHOD_REPORT_FAULT => report_fault(rt),
            METHOD_RELEASE => release(rt),
            METHOD_GET_LOCK => get_lock(rt),
            METHOD_LIST_LOCKS => list_locks(rt),
            METHOD_GET_TOTALS => get_totals(rt),
            METHOD_GET_POLICY => get_policy(rt),
            _ => rt.unhandled("CollateralEscrow"),
        }
    }

    fn top_up(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: LockIdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let events = logic::top_up(&rt.store(), &mut state, rt.facts(), p.lock_id)?;
        rt.save_state(&state)?;
        events.iter().try_for_each(|e| rt.emit(e))?;
        Ok(None)
    }

    fn get_lock(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: LockIdParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&GetLockReturn {
            lock_id: p.lock_id,
            lock: logic::get_lock(&rt.store(), &state, p.lock_id)?,
        })
    }

    fn list_locks(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: ListLocksParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&logic::list(&rt.store(), &state, &p)?)
    }

    fn get_totals(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        rt.no_params()?;
        encode_return(&rt.state::<State>()?.totals)
    }

    fn get_policy(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        rt.no_params()?;
        encode_return(&rt.state::<State>()?.policy)
    }

    fn constructor(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_is(&[INIT_ACTOR_ID])?;
        rt.no_value()?;
        let p: ConstructorParams = rt.params()?;
        p.policy.validate().map_err(ActorError::illegal_argument)?;
        let reputation = rt.existing_actor(&p.reputation, "reputation")?;
        rt.save_state(&State::new(&rt.store(), reputation, p.policy)?)?;
        Ok(None)
    }

    /// A read-only query of an exported builtin getter.
    fn query<R: serde::de::DeserializeOwned>(
        rt: &Runtime,
        to: ActorID,
        method: u64,
        params: Option<IpldBlock>,
    ) -> ActorResult<Result<R, fvm_shared::error::ExitCode>> {
        rt.query(&Address::new_id(to), method, params)
    }

    fn lock(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: LockParams = rt.params()?;
        let provider = rt.storage_miner(&p.provider, "provider")?;
        // Paying or calling itself would strand FIL or re-enter: the escrow is never a party.
        let party = |address: &Address, what: &str| {
            let id = rt.existing_actor(address, what)?;
            if id == rt.facts().receiver {
                return Err(actor_error!(illegal_argument; "{what} cannot be the escrow itself"));
            }
            Ok(id)
        };
        let beneficiary = party(&p.beneficiary, "beneficiary")?;
        let refund_to = party(&p.refund_to, "refund_to")?;
        let notify = p.notify.map(|n| party(&n, "notify")).transpose()?;

        let deal = match p.evidence.deal {
            None => None,
            Some(deal_id) => Some(snapshot_deal(rt, provider, deal_id)?),
        };
        let sector = match p.evidence.sector {
            None => None,
            Some(sector_number) => {
                check_sector_active(rt, provider, sector_number, p.evidence.sector_location)?;
                if let Some(deal) = &deal {
                    let deal_sector: u64 =
                        query(rt, STORAGE_MARKET_ACTOR_ID, market::GET_DEAL_SECTOR, encode_params(&deal.deal_id)?)?
                            .map_err(|c| actor_error!(illegal_argument; "deal {} has no sector (exit {})", deal.deal_id, c.value()))?;
                    if deal_sector != sector_number {
                        return Err(
                            actor_error!(illegal_argument; "deal {} is in sector {deal_sector}, not {sector_number}", deal.deal_id),
                        );
                    }
                }
                let expiration: i64 = query(rt, provider, miner::GET_NOMINAL_SECTOR_EXPIRATION, encode_params(&sector_number)?)?
                    .map_err(|c| actor_error!(illegal_argument; "miner f0{provider} has no sector {sector_number} (exit {})", c.value()))?;
                let sector_size: u64 = query(rt, provider, miner::GET_SECTOR_SIZE, None)?
                    .map_err(|c| actor_error!(unspecified; "GetSectorSize failed: exit {}", c.value()))?;
                Some(SectorSnapshot {
                    sector_number,
                    sector_size,
                    expiration,
                })
            }
        };
        let req = VerifiedLock {
            provider,
            beneficiary,
            refund_to,
            notify,
            reference: p.reference,
            deal: deal.clone(),
            sector: sector.clone(),
            end_epoch: p.end_epoch,
        };
        let mut state: State = rt.state()?;
        let (lock_id, events) = logic::create_lock(&rt.store(), &mut state, rt.facts(), req)?;
        rt.save_state(&state)?;
        events.iter().try_for_each(|e| rt.emit(e))?;
        encode_return(&LockReturn {
            lock_id,
            deal,
            sector,
        })
    }

    /// The sector must be Active now: a terminated sector keeps its nominal expiration until
    /// compaction, and a lock on it would be a free slash against the provider.
    fn check_sector_active(
        rt: &Runtime,
        provider: ActorID,
        sector_number: u64,
        location: Option<SectorLocation>,
    ) -> ActorResult<()> {
        let active = match location {
            Some(location) => {
                let params = miner::ValidateSectorStatusParams {
                    sector_number,
                    status: miner::STATUS_ACTIVE,
                    aux_data: RawBytes::new(fvm_ipld_encoding::to_vec(&location)?),
                };
                // The miner's 17 is a stale location, as for ReportFault: the escrow's own 33.
                query(rt, provider, miner::VALIDATE_SECTOR_STATUS, encode_params(&params)?)?.map_err(|c| {
                    if c == fvm_shared::error::ExitCode::USR_NOT_FOUND {
                        logic::stale_location(provider, sector_number, &location)
                    } else {
                        actor_error!(illegal_argument; "sector {sector_number} is not at that location (exit {})", c.value())
                    }
                })?
            }
            None => {
                let found: miner::SectorStatusAndLocation =
                    query(rt, provider, miner::GENERATE_SECTOR_LOCATION, encode_params(&(sector_number,))?)?
                        .map_err(|c| actor_error!(illegal_argument; "miner cannot locate sector {sector_number} (exit {})", c.value()))?;
                found.status == miner::STATUS_ACTIVE
            }
        };
        if !active {
            return Err(
                actor_error!(illegal_argument; "sector {sector_number} of f0{provider} is not active"),
            );
        }
        Ok(())
    }

    /// Reads the deal from the market and checks it is the provider's, activated and live.
    fn snapshot_deal(rt: &Runtime, provider: ActorID, deal_id: u64) -> ActorResult<DealSnapshot> {
        let market = STORAGE_MARKET_ACTOR_ID;
        let id = encode_params(&deal_id)?;
        let not_live = |c: fvm_shared::error::ExitCode| actor_error!(illegal_argument; "deal {deal_id} is not live (market exit {})", c.value());
        let activation: market::DealActivation =
            query(rt, market, market::GET_DEAL_ACTIVATION, id.clone())?.map_err(not_live)?;
        if activation.activated < 0 {
            return Err(actor_error!(illegal_argument; "deal {deal_id} is not activated"));
        }
        let deal_provider: ActorID =
            query(rt, market, market::GET_DEAL_PROVIDER, id.clone())?.map_err(not_live)?;
        if deal_provider != provider {
            return Err(
                actor_error!(illegal_argument; "deal {deal_id} belongs to f0{deal_provider}, not f0{provider}"),
            );
        }
        let term: market::DealTerm =
            query(rt, market, market::GET_DEAL_TERM, id.clone())?.map_err(not_live)?;
        let data: market::DataCommitment =
            query(rt, market, market::GET_DEAL_DATA_COMMITMENT, id)?.map_err(not_live)?;
        let end_epoch = term
            .start
            .checked_add(term.duration)
            .ok_or_else(|| actor_error!(illegal_state; "deal {deal_id} term overflows"))?;
        Ok(DealSnapshot {
            deal_id,
            piece_cid: data.data,
            piece_size: data.size,
            start_epoch: term.start,
            end_epoch,
            activated: activation.activated,
        })
    }

    fn release(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: LockIdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let lock = logic::releasable_lock(&rt.store(), &state, rt.facts(), p.lock_id)?;
        let storage = storage_at_release(rt, &lock)?;
        let settlement = logic::release(&rt.store(), &mut state, rt.facts(), p.lock_id, lock, storage)?;
        rt.save_state(&state)?;
        carry_out(rt, &state, settlement)?;
        Ok(None)
    }

    /// Whether the storage is still there. The deal still activated in the market: a deal is
    /// deleted at once when its sector is terminated early, and a finished one stays readable
    /// until it is settled. A deal settled after its end completed, unless its sector died (a
    /// deal is only ever terminated with its sector), so for a lock that also names the sector
    /// the sector decides; with no sector to ask, a settled deal proves nothing. A sector-only
    /// lock: the sector not dead. Any refusal by the market or miner counts as gone: a release
    /// is never stuck, it only loses the credit.
    fn storage_at_release(rt: &Runtime, lock: &Lock) -> ActorResult<StorageAtRelease> {
        let sector_alive = || -> ActorResult<bool> {
            let Some(sector) = &lock.sector else {
                return Ok(false);
            };
            let answer: Result<miner::SectorStatusAndLocation, _> = query(
                rt,
                lock.provider,
                miner::GENERATE_SECTOR_LOCATION,
                encode_params(&(sector.sector_number,))?,
            )?;
            Ok(answer.is_ok_and(|found| found.status != miner::STATUS_DEAD))
        };
        let live = match &lock.deal {
            Some(deal) => {
                let answer: Result<market::DealActivation, _> = query(
                    rt,
                    STORAGE_MARKET_ACTOR_ID,
                    market::GET_DEAL_ACTIVATION,
                    encode_params(&deal.deal_id)?,
                )?;
                match answer {
                    Ok(activation) => activation.activated >= 0,
                    Err(code) if code.value() == EX_DEAL_EXPIRED && rt.facts().epoch >= deal.end_epoch => {
                        sector_alive()?
                    }
                    Err(_) => false,
                }
            }
            None => sector_alive()?,
        };
        Ok(if live {
            StorageAtRelease::Live
        } else {
            StorageAtRelease::Gone
        })
    }

    fn report_fault(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: ReportFaultParams = rt.params()?;
        let mut state: State = rt.state()?;
        let lock = logic::precheck_report(&rt.store(), &state, rt.facts(), &p)?;
        let verdict = match &p.proof {
            FaultProof::DealTerminated => {
                let deal_id = lock.deal.as_ref().map(|d| d.deal_id).unwrap_or_default();
                let answer = query(
                    rt,
                    STORAGE_MARKET_ACTOR_ID,
                    market::GET_DEAL_ACTIVATION,
                    encode_params(&deal_id)?,
                )?;
                logic::judge_deal(&lock, rt.facts(), answer)?
            }
            FaultProof::SectorFaulty(location) | FaultProof::SectorDead(location) => {
                let status = if matches!(p.proof, FaultProof::SectorFaulty(_)) {
                    miner::STATUS_FAULTY
                } else {
                    miner::STATUS_DEAD
                };
                let sector_number = lock.sector.as_ref().map(|s| s.sector_number).unwrap_or_default();
                let params = miner::ValidateSectorStatusParams {
                    sector_number,
                    status,
                    aux_data: RawBytes::new(fvm_ipld_encoding::to_vec(location)?),
                };
                let answer = query(
                    rt,
                    lock.provider,
                    miner::VALIDATE_SECTOR_STATUS,
                    encode_params(&params)?,
                )?;
                logic::judge_sector(&lock, &p.proof, answer)?
            }
        };
        let mut settlement = logic::slash(
            &rt.store(),
            &mut state,
            rt.facts(),
            p.lock_id,
            lock,
            verdict,
            &p.proof,
        )?;
        rt.save_state(&state)?;
        let report = settlement.report.take();
        carry_out(rt, &state, settlement)?;
        encode_return(&report)
    }

    /// After the state is saved: pay, then tell the registry, then call back the locker. The
    /// two calls are best effort: a failure is recorded in an event and never undoes the
    /// settlement (the notify callback also has a bounded gas budget).
    fn carry_out(rt: &Runtime, state: &State, s: Settlement) -> ActorResult<()> {
        s.events.iter().try_for_each(|e| rt.emit(e))?;
        for (to, amount) in &s.payouts {
            rt.transfer(&Address::new_id(*to), amount)?;
        }
        if let Some(outcome) = &s.outcome {
            let failed = rt.send_best_effort(
                &Address::new_id(state.reputation),
                METHOD_RECORD_OUTCOME,
                encode_params(outcome)?,
                None,
            );
            if let Some(exit) = failed {
                rt.emit(
                    &EventBuilder::new(EVENT_REPUTATION_FAILED)
                        .indexed("provider", &outcome.provider)
                        .field("exit", &exit)
                        .build()?,
                )?;
            }
        }
        if let Some((notify, params)) = &s.notify {
            let failed = rt.send_best_effort(
                &Address::new_id(*notify),
                METHOD_ON_COLLATERAL_CHANGED,
                encode_params(params)?,
                Some(NOTIFY_GAS_LIMIT),
            );
            if let Some(exit) = failed {
                rt.emit(
                    &EventBuilder::new(EVENT_NOTIFY_FAILED)
                        .indexed("lock", &params.lock_id)
                        .indexed("notify", notify)
                        .field("exit", &exit)
                        .build()?,
                )?;
            }
        }
        Ok(())
    }
}
