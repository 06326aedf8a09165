//! BountyMarket: clients post bounties for storing a piece; storage providers claim them with
//! a deal the builtin market verifies, lock collateral in the CollateralEscrow, and earn the
//! reward as it vests while the storage lives. Rewards and refunds are pulled, never pushed.
//!
//! A DDO activation claims too: a builtin miner's `SectorContentChanged` notification whose
//! piece's payload is the CBOR of a bounty id claims that bounty for the miner, with the sector
//! as evidence and collateral taken from what the provider deposited beforehand
//! (`DepositCollateral`); a piece that cannot be accepted is answered `false`, with its reason
//! in an event, and never fails the miner's activation.
//!
//! A claim renews (`RenewClaim`, or a DDO piece whose payload is `[bounty_id, claim_id]`) for
//! another `min_duration` from the client's renewal pool (`FundRenewals`, `ReclaimRenewals`),
//! keeping every earlier term, its deal and its lock, in the claim's history.
//!
//! Books: the market's balance covers Σ pools + Σ refundables + Σ renewal pools +
//! Σ (entitled − paid) of claims + Σ deposits (`logic::check_invariants`); state is saved before every send but the
//! escrow's `Lock`, which must leave the state root as it found it (checked); FIL leaves only
//! by method-0 sends, or to the suite's own escrow as collateral.

pub mod logic;
pub mod state;

pub use suite_interfaces::bounty as types;

#[cfg(test)]
mod tests;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{miner, BuiltinType, INIT_ACTOR_ID};
    use actor_runtime::params::{decode_return, encode_params, encode_return};
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorError, ActorResult};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::address::Address;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::ActorID;
    use suite_interfaces::bounty::*;
    use suite_interfaces::escrow::{self, EvidenceParams, LockParams, OnCollateralChangedParams};
    use suite_interfaces::reputation;

    use crate::logic;
    use crate::state::State;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => constructor(rt),
            METHOD_POST_BOUNTY => post_bounty(rt),
            METHOD_CLAIM_BOUNTY => claim(rt),
            METHOD_WITHDRAW => withdraw(rt),
            METHOD_CANCEL_BOUNTY => cancel_bounty(rt),
            METHOD_RECLAIM => reclaim(rt),
            METHOD_ON_COLLATERAL_CHANGED => on_collateral_changed(rt),
            METHOD_GET_BOUNTY => get_bounty(rt),
            METHOD_LIST_BOUNTIES => list_bounties(rt),
            METHOD_GET_CLAIM => get_claim(rt),
            METHOD_GET_POLICY => get_policy(rt),
            METHOD_GET_PROVIDER_BALANCE => get_provider_balance(rt),
            METHOD_SECTOR_CONTENT_CHANGED => sector_content_changed(rt),
            METHOD_DEPOSIT_COLLATERAL => deposit_collateral(rt),
            METHOD_WITHDRAW_COLLATERAL => withdraw_collateral(rt),
            METHOD_GET_COLLATERAL => get_collateral(rt),
            METHOD_FUND_BOUNTY => fund_bounty(rt),
            METHOD_REFUND_SPONSOR => refund_sponsor(rt),
            METHOD_GET_CONTRIBUTION => get_contribution(rt),
            METHOD_FUND_RENEWALS => fund_renewals(rt),
            METHOD_RECLAIM_RENEWALS => reclaim_renewals(rt),
            METHOD_RENEW_CLAIM => renew_claim(rt),
            _ => rt.unhandled("BountyMarket"),
        }
    }

    fn post_bounty(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: PostBountyParams = rt.params()?;
        let mut state: State = rt.state()?;
        let (id, events) = logic::post_bounty(&rt.store(), &mut state, rt.facts(), p)?;
        commit(rt, &state, &events)?;
        encode_return(&id)
    }

    fn cancel_bounty(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let events = logic::cancel(&rt.store(), &mut state, rt.facts(), p.id)?;
        commit(rt, &state, &events)?;
        Ok(None)
    }

    fn reclaim(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let (amount, events) = logic::reclaim(&rt.store(), &mut state, rt.facts(), p.id)?;
        commit(rt, &state, &events)?;
        rt.transfer(&Address::new_id(rt.facts().caller), &amount)?;
        encode_return(&amount)
    }

    fn fund_bounty(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: IdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let events = logic::fund_bounty(&rt.store(), &mut state, rt.facts(), p.id)?;
        commit(rt, &state, &events)?;
        Ok(None)
    }

    fn refund_sponsor(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let (ret, events) = logic::refund_sponsor(&rt.store(), &mut state, rt.facts(), p.id)?;
        commit(rt, &state, &events)?;
        rt.transfer(&Address::new_id(rt.facts().caller), &ret.amount)?;
        encode_return(&ret)
    }

    fn fund_renewals(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        let p: FundRenewalsParams = rt.params()?;
        let mut state: State = rt.state()?;
        let events = logic::fund_renewals(&rt.store(), &mut state, rt.facts(), &p)?;
        commit(rt, &state, &events)?;
        Ok(None)
    }

    fn reclaim_renewals(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let mut state: State = rt.state()?;
        let (amount, events) = logic::reclaim_renewals(&rt.store(), &mut state, rt.facts(), p.id)?;
        commit(rt, &state, &events)?;
        rt.transfer(&Address::new_id(rt.facts().caller), &amount)?;
        encode_return(&amount)
    }

    /// `RenewClaim`: as `ClaimBounty`, the escrow verifies the new deal and its sector and
    /// locks the collateral (reference: the same claim id, ending at the new term's end);
    /// nothing is saved before that send, and the state root must come back unchanged.
    fn renew_claim(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let p: RenewClaimParams = rt.params()?;
        let mut state: State = rt.state()?;
        let claim = logic::get_claim(&rt.store(), &state, p.claim_id)?;
        rt.validate_caller_controls(claim.provider)?;
        let bounty = logic::precheck_renew(&rt.store(), &state, rt.facts(), &p, &claim)?;
        let provider = claim.provider;
        let owner = owner_of(rt, provider)?;
        let (_, term_end) = logic::renewal_term(&claim, &bounty, rt.facts().epoch);
        let terms = LockTerms {
            provider,
            owner,
            bounty: &bounty,
            end_epoch: term_end,
            reference: p.claim_id,
        };
        let locked = lock_on_deal(rt, &state, &terms, p.deal_id, p.sector, p.sector_location)?;
        let receipt = logic::verify_renewal_evidence(&bounty, p.deal_id, p.sector, term_end, &locked)?;
        let (ret, events) = logic::record_renewal(
            &rt.store(),
            &mut state,
            rt.facts(),
            p.claim_id,
            (claim, bounty),
            receipt,
            locked.lock_id,
            rt.facts().value_received.clone(),
        )?;
        commit(rt, &state, &events)?;
        encode_return(&ret)
    }

    fn get_contribution(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: GetContributionParams = rt.params()?;
        let sponsor = rt
            .resolve(&p.sponsor)
            .ok_or_else(|| actor_error!(not_found; "{} does not resolve", p.sponsor))?;
        let state: State = rt.state()?;
        encode_return(&logic::get_contribution(
            &rt.store(),
            &state,
            rt.facts(),
            p.bounty_id,
            sponsor,
        )?)
    }

    fn on_collateral_changed(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let mut state: State = rt.state()?;
        rt.validate_caller_is(&[state.escrow])?;
        rt.no_value()?;
        let p: OnCollateralChangedParams = rt.params()?;
        let events = logic::on_collateral_changed(&rt.store(), &mut state, rt.facts(), &p)?;
        if !events.is_empty() {
            commit(rt, &state, &events)?;
        }
        Ok(None)
    }

    fn get_bounty(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&GetBountyReturn {
            bounty_id: p.id,
            bounty: logic::get_bounty(&rt.store(), &state, p.id)?,
        })
    }

    fn list_bounties(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: ListBountiesParams = rt.params()?;
        let state: State = rt.state()?;
        encode_return(&logic::list_bounties(&rt.store(), &state, &p)?)
    }

    fn get_claim(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: IdParams = rt.params()?;
        let state: State = rt.state()?;
        let claim = logic::get_claim(&rt.store(), &state, p.id)?;
        let vested = claim.vested(rt.facts().epoch);
        encode_return(&GetClaimReturn {
            claim_id: p.id,
            claim,
            vested,
        })
    }

    fn get_policy(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        rt.no_params()?;
        let state: State = rt.state()?;
        encode_return(&GetPolicyReturn {
            escrow: state.escrow,
            reputation: state.reputation,
            policy: state.policy,
            min_collateral: state.min_collateral,
        })
    }

    fn get_provider_balance(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: ProviderParams = rt.params()?;
        let provider = rt
            .resolve(&p.provider)
            .ok_or_else(|| actor_error!(not_found; "{} does not resolve", p.provider))?;
        let state: State = rt.state()?;
        encode_return(&logic::provider_balance(
            &rt.store(),
            &state,
            rt.facts(),
            provider,
        )?)
    }

    fn commit(rt: &Runtime, state: &State, events: &[fvm_shared::event::ActorEvent]) -> ActorResult<()> {
        rt.save_state(state)?;
        events.iter().try_for_each(|e| rt.emit(e))
    }

    fn constructor(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_is(&[INIT_ACTOR_ID])?;
        rt.no_value()?;
        let p: ConstructorParams = rt.params()?;
        p.policy.validate().map_err(ActorError::illegal_argument)?;
        let escrow = rt.existing_actor(&p.escrow, "escrow")?;
        let reputation = rt.existing_actor(&p.reputation, "reputation")?;
        // Claims lock in this escrow for `min_duration`: its policy must admit every bounty
        // the market's policy admits, and its minimum collateral bounds what a post may offer.
        // An account accepts any method and returns nothing, which fails to decode: any
        // answer but a policy means the address is not an escrow.
        let terms: escrow::Policy = match rt.query(&Address::new_id(escrow), escrow::METHOD_GET_POLICY, None)
        {
            Ok(Ok(terms)) => terms,
            Ok(Err(code)) => {
                return Err(actor_error!(illegal_argument;
                    "escrow {} refused GetPolicy (exit {}): not a CollateralEscrow", p.escrow, code.value()))
            }
            Err(e) => {
                return Err(actor_error!(illegal_argument;
                    "escrow {} gave no policy ({}): not a CollateralEscrow", p.escrow, e.message()))
            }
        };
        if p.policy.max_duration > terms.max_lock_duration {
            return Err(actor_error!(illegal_argument;
                "max_duration {} exceeds the escrow's max_lock_duration {}: long claims could not lock",
                p.policy.max_duration, terms.max_lock_duration));
        }
        let state = State::new(&rt.store(), escrow, reputation, p.policy, terms.min_collateral)?;
        rt.save_state(&state)?;
        Ok(None)
    }

    fn owner_of(rt: &Runtime, provider: ActorID) -> ActorResult<ActorID> {
        let r: miner::GetOwnerReturn = rt
            .query(&Address::new_id(provider), miner::GET_OWNER, None)?
            .map_err(|c| actor_error!(unspecified; "miner GetOwner failed: exit {}", c.value()))?;
        rt.existing_actor(&r.owner, "miner owner")
    }

    /// The provider's registry score, asked only for a bounty with a `min_reputation`.
    fn score_of(rt: &Runtime, state: &State, bounty: &Bounty, provider: ActorID) -> ActorResult<Option<u16>> {
        if bounty.min_reputation.is_none() {
            return Ok(None);
        }
        let asked = encode_params(&reputation::GetScoresParams {
            providers: vec![provider],
        })?;
        let scores: reputation::GetScoresReturn = rt
            .query(
                &Address::new_id(state.reputation),
                reputation::METHOD_GET_SCORES,
                asked,
            )?
            .map_err(|c| actor_error!(unspecified; "registry GetScores failed: exit {}", c.value()))?;
        Ok(scores.scores.first().copied())
    }

    /// The provider's region in the registry ([`UNKNOWN_REGION`] when it has none: a
    /// provider the registry does not know answers not found).
    fn region_of(rt: &Runtime, state: &State, provider: ActorID) -> ActorResult<String> {
        let asked = encode_params(&reputation::GetReputationParams {
            provider: Address::new_id(provider),
        })?;
        let answer: Result<reputation::ReputationView, _> = rt.query(
            &Address::new_id(state.reputation),
            reputation::METHOD_GET_REPUTATION,
            asked,
        )?;
        match answer {
            Ok(view) => Ok(logic::region_of(
                view.registration.as_ref().map(|r| r.metadata.region.as_str()),
            )),
            Err(code) if code == fvm_shared::error::ExitCode::USR_NOT_FOUND => Ok(logic::region_of(None)),
            Err(code) => {
                Err(actor_error!(unspecified; "registry GetReputation failed: exit {}", code.value()))
            }
        }
    }

    fn claim(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let p: ClaimBountyParams = rt.params()?;
        let provider = rt.storage_miner(&p.provider, "provider")?;
        rt.validate_caller_controls(provider)?;
        let mut state: State = rt.state()?;
        let bounty =
            logic::precheck_claim(&rt.store(), &state, rt.facts(), p.bounty_id, provider, p.deal_id)?;

        let score = score_of(rt, &state, &bounty, provider)?;
        logic::check_reputation(&bounty, provider, score)?;
        let owner = owner_of(rt, provider)?;
        let profile = logic::ClaimantProfile {
            owner: logic::needs_owner(&bounty).then_some(owner),
            region: match logic::needs_region(&bounty) {
                true => Some(region_of(rt, &state, provider)?),
                false => None,
            },
        };
        // Before the lock: a refused claim costs no escrow call.
        logic::check_diversity(p.bounty_id, &bounty, provider, &profile)?;

        // The market checks what the escrow locked on against the bounty instead of asking f05
        // itself; the claim is written once, after the lock, under the lock's reference.
        let claim_id = state.next_claim_id;
        let terms = LockTerms {
            provider,
            owner,
            bounty: &bounty,
            end_epoch: logic::vest_end(&bounty, rt.facts()),
            reference: claim_id,
        };
        let locked = lock_on_deal(rt, &state, &terms, p.deal_id, p.sector, p.sector_location)?;
        let receipt = logic::verify_locked_evidence(&bounty, rt.facts(), p.deal_id, p.sector, &locked)?;
        let (created, claim, events) = logic::create_claim(
            &rt.store(),
            &mut state,
            rt.facts(),
            p.bounty_id,
            bounty,
            provider,
            receipt,
            locked.lock_id,
            profile,
        )?;
        if created != claim_id {
            return Err(
                actor_error!(illegal_state; "claim id {created} is not the lock's reference {claim_id}"),
            );
        }
        commit(rt, &state, &events)?;
        // No registry report here: a claim accepted does not move a score; the escrow reports
        // the claim's outcome (completed, fault, slashed) when there is one.
        encode_return(&ClaimBountyReturn {
            claim_id,
            lock_id: locked.lock_id,
            reward: claim.reward,
        })
    }

    fn withdraw(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.no_value()?;
        let p: ProviderParams = rt.params()?;
        let provider = rt.storage_miner(&p.provider, "provider")?;
        rt.validate_caller_controls(provider)?;
        let owner = owner_of(rt, provider)?;
        let mut state: State = rt.state()?;
        let (paid, more, events) = logic::withdraw(&rt.store(), &mut state, rt.facts(), provider)?;
        commit(rt, &state, &events)?;
        rt.transfer(&Address::new_id(owner), &paid)?;
        encode_return(&WithdrawReturn {
            paid,
            to: owner,
            more,
        })
    }

    // --- DDO claims ---

    /// A builtin miner's DDO notification (docs/builtin-actors-interface.md §5.2): every
    /// piece whose payload names a bounty is claimed for the miner if every check of a deal
    /// claim passes; the answer mirrors the request, `false` for each piece refused (with a
    /// `ddo-piece-refused` event saying why). Only a broken escrow aborts the whole call.
    fn sector_content_changed(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        // A miner is the only sender the notification can be trusted from (its pieces are the
        // ones its proof covered); any other caller is 18, as the builtin market answers.
        rt.validate_caller_type(&[BuiltinType::Miner])?;
        rt.no_value()?;
        let p: SectorContentChangedParams = rt.params()?;
        let provider = rt.facts().caller;
        let mut answer: SectorContentChangedReturn = Vec::with_capacity(p.sectors.len());
        for sector in &p.sectors {
            // The receiver must not trust the notified expiration alone: the lower of it and
            // the miner's own nominal expiration bounds the claim (asked once per sector).
            let nominal: Option<i64> = rt
                .query(
                    &Address::new_id(provider),
                    miner::GET_NOMINAL_SECTOR_EXPIRATION,
                    encode_params(&sector.sector)?,
                )
                .ok()
                .and_then(Result::ok);
            let committed_until = match nominal {
                Some(n) => n.min(sector.minimum_commitment_epoch),
                None => sector.minimum_commitment_epoch,
            };
            let mut accepted = Vec::with_capacity(sector.added.len());
            for piece in &sector.added {
                let notified = logic::NotifiedPiece {
                    sector: sector.sector,
                    committed_until,
                    piece,
                };
                let outcome = match decode_ddo_renewal(piece.payload.bytes()) {
                    Some(_) => ddo_renewal(rt, provider, &notified)?,
                    None => ddo_claim(rt, provider, &notified)?,
                };
                match outcome {
                    Ok(()) => accepted.push(true),
                    Err(refusal) => {
                        rt.emit(&logic::ddo_refused_event(provider, &notified, &refusal)?)?;
                        accepted.push(false);
                    }
                }
            }
            answer.push(accepted);
        }
        encode_return(&answer)
    }

    /// One notified piece: `Ok(Err(refusal))` when it is not accepted (nothing changed),
    /// `Ok(Ok(()))` when the claim is made and saved, `Err` only when the escrow misbehaved.
    fn ddo_claim(
        rt: &Runtime,
        provider: ActorID,
        notified: &logic::NotifiedPiece,
    ) -> ActorResult<Result<(), logic::Refusal>> {
        let mut state: State = rt.state()?;
        let (bounty_id, bounty) =
            match logic::precheck_ddo_piece(&rt.store(), &state, rt.facts(), provider, notified) {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
        // The deal claim's checks that ask other actors: reputation, then replica diversity
        // (the owner as the miner reports it, the region from the registry).
        let checked = score_of(rt, &state, &bounty, provider)
            .and_then(|score| logic::check_reputation(&bounty, provider, score))
            .and_then(|()| owner_of(rt, provider))
            .and_then(|owner| {
                let profile = logic::ClaimantProfile {
                    owner: logic::needs_owner(&bounty).then_some(owner),
                    region: match logic::needs_region(&bounty) {
                        true => Some(region_of(rt, &state, provider)?),
                        false => None,
                    },
                };
                logic::check_diversity(bounty_id, &bounty, provider, &profile)?;
                Ok((owner, profile))
            });
        let (owner, profile) = match checked {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // As for a deal claim, the claim is written after the lock, under its reference.
        let claim_id = state.next_claim_id;
        let terms = LockTerms {
            provider,
            owner,
            bounty: &bounty,
            end_epoch: logic::vest_end(&bounty, rt.facts()),
            reference: claim_id,
        };
        let locked = match lock_from_deposit(rt, &state, &terms, notified.sector)? {
            Ok(locked) => locked,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let (created, _, events) = logic::create_ddo_claim(
            &rt.store(),
            &mut state,
            rt.facts(),
            bounty_id,
            bounty,
            notified,
            locked.lock_id,
            profile,
        )?;
        if created != claim_id {
            return Err(
                actor_error!(illegal_state; "claim id {created} is not the lock's reference {claim_id}"),
            );
        }
        commit(rt, &state, &events)?;
        Ok(Ok(()))
    }

    /// One notified piece renewing a claim (payload `[bounty, claim]`), as [`ddo_claim`]:
    /// refusals are answered, only a misbehaving escrow aborts.
    fn ddo_renewal(
        rt: &Runtime,
        provider: ActorID,
        notified: &logic::NotifiedPiece,
    ) -> ActorResult<Result<(), logic::Refusal>> {
        let mut state: State = rt.state()?;
        let (claim_id, claim, bounty, term_end) =
            match logic::precheck_ddo_renewal(&rt.store(), &state, rt.facts(), provider, notified) {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
        let owner = match owner_of(rt, provider) {
            Ok(owner) => owner,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let terms = LockTerms {
            provider,
            owner,
            bounty: &bounty,
            end_epoch: term_end,
            reference: claim_id,
        };
        let locked = match lock_from_deposit(rt, &state, &terms, notified.sector)? {
            Ok(locked) => locked,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let (_, events) = logic::create_ddo_renewal(
            &rt.store(),
            &mut state,
            rt.facts(),
            claim_id,
            (claim, bounty),
            notified,
            locked.lock_id,
        )?;
        commit(rt, &state, &events)?;
        Ok(Ok(()))
    }

    /// What every escrow `Lock` of the market shares, a new claim's or a renewal's, by deal or
    /// by DDO: the provider's collateral, slashable to the client, refunded to the miner's
    /// owner, until `end_epoch`, with the claim id as the reference its callbacks route by.
    struct LockTerms<'a> {
        provider: ActorID,
        owner: ActorID,
        bounty: &'a Bounty,
        end_epoch: ChainEpoch,
        reference: u64,
    }

    fn lock_params(rt: &Runtime, terms: &LockTerms, evidence: EvidenceParams) -> LockParams {
        LockParams {
            provider: Address::new_id(terms.provider),
            beneficiary: Address::new_id(terms.bounty.client),
            refund_to: Address::new_id(terms.owner),
            evidence,
            end_epoch: terms.end_epoch,
            notify: Some(Address::new_id(rt.facts().receiver)),
            reference: Some(terms.reference),
        }
    }

    /// The escrow locks the value received on a deal and its sector (it verifies both, for any
    /// locker, and answers what it locked on). Nothing is saved before this send, so the
    /// market's state must come back as it was: an escrow that re-entered the market and
    /// changed it aborts the message, and its own changes with it.
    fn lock_on_deal(
        rt: &Runtime,
        state: &State,
        terms: &LockTerms,
        deal: u64,
        sector: u64,
        sector_location: Option<escrow::SectorLocation>,
    ) -> ActorResult<escrow::LockReturn> {
        let evidence = EvidenceParams {
            deal: Some(deal),
            sector: Some(sector),
            sector_location,
        };
        let lock = lock_params(rt, terms, evidence);
        let root = rt.state_root()?;
        let escrow_address = Address::new_id(state.escrow);
        let answer = rt.call_undecoded(
            &escrow_address,
            escrow::METHOD_LOCK,
            "escrow Lock",
            encode_params(&lock)?,
            rt.facts().value_received.clone(),
        )?;
        if rt.state_root()? != root {
            return Err(actor_error!(illegal_state; "the escrow changed the market's state during Lock"));
        }
        decode_return(answer.as_ref(), &format!("{escrow_address} escrow Lock"))
    }

    /// A DDO claim's or renewal's lock: the escrow verifies the sector (Active, through the
    /// miner, which answers its getters while it notifies) and locks the bounty's collateral,
    /// sent from the provider's deposit. `Ok(Err(refusal))` when the escrow refused (nothing
    /// moved: the piece is refused); `Err` only when the escrow misbehaved.
    fn lock_from_deposit(
        rt: &Runtime,
        state: &State,
        terms: &LockTerms,
        sector: u64,
    ) -> ActorResult<Result<escrow::LockReturn, logic::Refusal>> {
        let evidence = EvidenceParams {
            deal: None,
            sector: Some(sector),
            sector_location: None,
        };
        let lock = lock_params(rt, terms, evidence);
        let root = rt.state_root()?;
        let escrow_address = Address::new_id(state.escrow);
        let response = rt.send(
            &escrow_address,
            escrow::METHOD_LOCK,
            encode_params(&lock)?,
            terms.bounty.collateral_per_replica.clone(),
            false,
        )?;
        if !response.exit_code.is_success() {
            return Ok(Err(ActorError::new(
                response.exit_code,
                format!(
                    "the escrow refused to lock on sector {sector} (exit {}): is it active?",
                    response.exit_code.value()
                ),
            )));
        }
        if rt.state_root()? != root {
            return Err(actor_error!(illegal_state; "the escrow changed the market's state during Lock"));
        }
        let locked: escrow::LockReturn = decode_return(
            response.return_data.as_ref(),
            &format!("{escrow_address} escrow Lock"),
        )?;
        if locked.deal.is_some() || locked.sector.as_ref().map(|s| s.sector_number) != Some(sector) {
            return Err(actor_error!(illegal_state;
                "the escrow's lock {} is not on sector {sector} alone", locked.lock_id));
        }
        Ok(Ok(locked))
    }

    fn deposit_collateral(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let p: ProviderParams = rt.params()?;
        let provider = rt.storage_miner(&p.provider, "provider")?;
        rt.validate_caller_controls(provider)?;
        let mut state: State = rt.state()?;
        let (deposit, events) = logic::deposit_collateral(&rt.store(), &mut state, rt.facts(), provider)?;
        commit(rt, &state, &events)?;
        encode_return(&deposit)
    }

    fn withdraw_collateral(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.no_value()?;
        let p: WithdrawCollateralParams = rt.params()?;
        let provider = rt.storage_miner(&p.provider, "provider")?;
        rt.validate_caller_controls(provider)?;
        let owner = owner_of(rt, provider)?;
        let mut state: State = rt.state()?;
        let (deposit, events) =
            logic::withdraw_collateral(&rt.store(), &mut state, rt.facts(), provider, &p.amount)?;
        commit(rt, &state, &events)?;
        rt.transfer(&Address::new_id(owner), &p.amount)?;
        encode_return(&WithdrawCollateralReturn {
            paid: p.amount,
            to: owner,
            available: deposit.available,
        })
    }

    fn get_collateral(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        rt.validate_caller_any()?;
        rt.no_value()?;
        let p: ProviderParams = rt.params()?;
        let provider = rt
            .resolve(&p.provider)
            .ok_or_else(|| actor_error!(not_found; "{} does not resolve", p.provider))?;
        let state: State = rt.state()?;
        encode_return(&logic::deposit_of(&rt.store(), &state, provider)?)
    }
}
