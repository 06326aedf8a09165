//! The market's functional core: plain functions of (blockstore, state, facts, params) that
//! return a value or the new state with the events to emit. Nothing here touches the VM; the
//! two things the VM knows (address resolution and actor types) come in through [`Chain`].
//!
//! Deal lifecycle (docs/builtin-actors-interface.md §2.3, builtin v13+): a deal is published
//! (activation `None`), then activated in a sector, and finally deleted: terminated early
//! (slashed), completed and settled, or timed out because it was never activated by its start
//! epoch. A deleted deal's id stays below `next_id`, so every getter answers 32 (EX_DEAL_EXPIRED)
//! for it; an id at or above `next_id` answers 17.

use actor_runtime::builtin::BuiltinType;
use actor_runtime::map::BUILTIN_HAMT_BIT_WIDTH;
use actor_runtime::token::{add, non_negative, positive};
use actor_runtime::{ensure, ActorError, ActorResult, EventBuilder, Facts, Map};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::{ChainEpoch, EPOCH_UNDEFINED};
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::ActorEvent;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;

use crate::types::*;

/// What the VM, and the other actors through read-only sends, tell the market.
pub trait Chain {
    /// The ActorID an address resolves to, as the VM resolves it: an ID address always
    /// resolves (to itself), whether or not an actor lives there; any other address resolves
    /// only once an actor has been created for it.
    fn resolve(&self, address: &Address) -> Option<ActorID>;
    /// Whether an actor (with code) lives at `id`.
    fn exists(&self, id: ActorID) -> bool;
    /// The builtin type of an actor's code, if it is a builtin actor.
    fn actor_type(&self, id: ActorID) -> Option<BuiltinType>;
    /// Whether `client` answers `AuthenticateMessage` (sent read-only) with `true`. Anything
    /// else (false, an abort, no return block, a send failure) is `false`, as in the
    /// builtin's `deal_proposal_is_internally_valid`.
    fn authenticates(&self, client: ActorID, params: &AuthenticateMessageParams) -> bool;
    /// Sector `sector` of miner `miner`, as the miner's exported getters report it; `None`
    /// when the miner has no such sector (its `GetNominalSectorExpiration` answers 17).
    fn sector(&self, miner: ActorID, sector: SectorNumber) -> ActorResult<Option<SectorView>>;
}

/// A sector as its miner reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorView {
    /// `GetSectorSize`, bytes.
    pub size: u64,
    /// `GetNominalSectorExpiration`.
    pub expiration: ChainEpoch,
    /// `GenerateSectorLocation`'s status: 0 Dead, 1 Active, 2 Faulty (FIP-0112).
    pub status: u8,
}

pub const SECTOR_DEAD: u8 = actor_runtime::builtin::miner::STATUS_DEAD;
pub const SECTOR_ACTIVE: u8 = actor_runtime::builtin::miner::STATUS_ACTIVE;
pub const SECTOR_FAULTY: u8 = actor_runtime::builtin::miner::STATUS_FAULTY;

/// The result of a state-changing method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects<R> {
    pub state: State,
    pub ret: R,
    pub events: Vec<ActorEvent>,
}

pub const EVENT_DEAL_PUBLISHED: &str = "deal-published";
pub const EVENT_DEAL_ACTIVATED: &str = "deal-activated";
pub const EVENT_DEAL_TERMINATED: &str = "deal-terminated";
pub const EVENT_DEAL_COMPLETED: &str = "deal-completed";

/// A market event (docs/builtin-actors-interface.md §6.3): `$type`, `id`, `client`, `provider`, all
/// indexed CBOR.
pub fn deal_event(kind: &str, id: DealID, client: ActorID, provider: ActorID) -> ActorResult<ActorEvent> {
    EventBuilder::new(kind)
        .indexed("id", &id)
        .indexed("client", &client)
        .indexed("provider", &provider)
        .build()
}

// ---------------------------------------------------------------------------------------------
// Tables.

type Deals<'a, BS> = Map<&'a BS, DealID, DealRecord>;
type Balances<'a, BS> = Map<&'a BS, ActorID, TokenAmount>;
type SectorDeals<'a, BS> = Map<&'a BS, SectorKey, Vec<DealID>>;
type PendingDeals<'a, BS> = Map<&'a BS, DealID, ChainEpoch>;
type CronQueue<'a, BS> = Map<&'a BS, ActorID, ChainEpoch>;

fn pending_deals<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<PendingDeals<'a, BS>> {
    Map::load_with_bit_width(
        store,
        &state.pending_deals,
        "pending deals",
        BUILTIN_HAMT_BIT_WIDTH,
    )
}

fn cron_queue<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<CronQueue<'a, BS>> {
    Map::load_with_bit_width(store, &state.cron_queue, "cron queue", BUILTIN_HAMT_BIT_WIDTH)
}

/// The earlier of two optional epochs.
fn earliest(a: Option<ChainEpoch>, b: Option<ChainEpoch>) -> Option<ChainEpoch> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn deals<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<Deals<'a, BS>> {
    Map::load_with_bit_width(store, &state.deals, "deals", BUILTIN_HAMT_BIT_WIDTH)
}

fn balances<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<Balances<'a, BS>> {
    Map::load_with_bit_width(store, &state.balances, "balances", BUILTIN_HAMT_BIT_WIDTH)
}

fn sector_deals<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<SectorDeals<'a, BS>> {
    Map::load_with_bit_width(store, &state.sector_deals, "sector deals", BUILTIN_HAMT_BIT_WIDTH)
}

/// A deal by id: 17 if the id was never handed out, 32 if the deal was deleted.
fn find_deal<BS: Blockstore>(deals: &Deals<'_, BS>, state: &State, id: DealID) -> ActorResult<DealRecord> {
    if id >= state.next_id {
        return Err(ActorError::not_found(format!("deal {id} was never published")));
    }
    deals
        .get(&id)?
        .cloned()
        .ok_or_else(|| ActorError::actor_specific(EX_DEAL_EXPIRED, format!("deal {id} expired")))
}

fn load_deal<BS: Blockstore>(store: &BS, state: &State, id: DealID) -> ActorResult<DealRecord> {
    find_deal(&deals(store, state)?, state, id)
}

/// The ActorID inside an address the market stored normalised.
fn stored_id(address: &Address) -> ActorResult<ActorID> {
    address
        .id()
        .map_err(|_| ActorError::illegal_state(format!("stored address {address} is not an ID")))
}

/// Removes `id` from the index of its sector (no-op if the entry is already gone).
fn unindex<BS: Blockstore>(index: &mut SectorDeals<'_, BS>, key: &SectorKey, id: DealID) -> ActorResult<()> {
    let Some(ids) = index.get(key)? else { return Ok(()) };
    let rest: Vec<DealID> = ids.iter().copied().filter(|d| *d != id).collect();
    if rest.is_empty() {
        index.delete(key)?;
    } else {
        index.set(key, rest)?;
    }
    Ok(())
}

/// Deletes a deal and its index entry; returns the new state.
fn delete_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
    deal: &DealRecord,
) -> ActorResult<State> {
    let mut table = deals(store, state)?;
    table.delete(&id)?;
    let mut state = state.clone();
    state.deals = table.flush()?;
    if deal.activation.is_none() {
        let mut pending = pending_deals(store, &state)?;
        pending.delete(&id)?;
        state.pending_deals = pending.flush()?;
    }
    if let Some(activation) = &deal.activation {
        let mut index = sector_deals(store, &state)?;
        let key = SectorKey {
            provider: stored_id(&deal.proposal.provider)?,
            sector: activation.sector,
        };
        unindex(&mut index, &key, id)?;
        state.sector_deals = index.flush()?;
    }
    Ok(state)
}

fn event_for(kind: &str, id: DealID, deal: &DealRecord) -> ActorResult<ActorEvent> {
    deal_event(
        kind,
        id,
        stored_id(&deal.proposal.client)?,
        stored_id(&deal.proposal.provider)?,
    )
}

// ---------------------------------------------------------------------------------------------
// Construction and callers.

/// The initial state: no deals, no balances, the given duration policy (16 unless
/// 1 ≤ min ≤ max).
pub fn construct<BS: Blockstore>(store: &BS, params: ConstructorParams) -> ActorResult<State> {
    params.policy.validate()?;
    Ok(State {
        operator: params.operator,
        next_id: 0,
        deals: Deals::empty_root(store, "deals")?,
        balances: Balances::empty_root(store, "balances")?,
        sector_deals: SectorDeals::empty_root(store, "sector deals")?,
        policy: params.policy,
        pending_deals: PendingDeals::empty_root(store, "pending deals")?,
        cron_queue: CronQueue::empty_root(store, "cron queue")?,
        next_cron: None,
    })
}

/// 18 unless the caller is the harness operator.
pub fn require_operator(state: &State, caller: ActorID) -> ActorResult<()> {
    ensure!(caller == state.operator, forbidden; "caller f0{caller} is not the operator f0{}", state.operator);
    Ok(())
}

/// 18 unless the caller is a builtin storage miner.
pub fn require_miner(chain: &impl Chain, caller: ActorID) -> ActorResult<()> {
    let kind = chain.actor_type(caller);
    ensure!(kind == Some(BuiltinType::Miner), forbidden; "caller f0{caller} of type {kind:?} is not a miner");
    Ok(())
}

/// 18 unless the caller is a builtin actor other than EVM: the rule builtin actors apply to
/// every method number below 2^24 (docs/builtin-actors-interface.md §0), so user actors can only
/// call exported ones.
pub fn require_builtin_caller(chain: &impl Chain, caller: ActorID) -> ActorResult<()> {
    let kind = chain.actor_type(caller);
    ensure!(
        kind.is_some_and(|k| k != BuiltinType::Evm),
        forbidden; "caller f0{caller} of type {kind:?} may not call internal methods"
    );
    Ok(())
}

/// `HarnessOperator`.
pub fn operator(state: &State) -> HarnessOperatorReturn {
    state.operator
}

// ---------------------------------------------------------------------------------------------
// Deal getters (any caller).

pub fn get_deal_data_commitment<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealDataCommitmentReturn> {
    let p = load_deal(store, state, id)?.proposal;
    Ok(GetDealDataCommitmentReturn {
        data: p.piece_cid,
        size: p.piece_size,
    })
}

pub fn get_deal_client<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealClientReturn> {
    Ok(GetDealClientReturn {
        client: stored_id(&load_deal(store, state, id)?.proposal.client)?,
    })
}

pub fn get_deal_provider<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealProviderReturn> {
    Ok(GetDealProviderReturn {
        provider: stored_id(&load_deal(store, state, id)?.proposal.provider)?,
    })
}

pub fn get_deal_label<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealLabelReturn> {
    Ok(GetDealLabelReturn {
        label: load_deal(store, state, id)?.proposal.label,
    })
}

pub fn get_deal_term<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealTermReturn> {
    let p = load_deal(store, state, id)?.proposal;
    Ok(GetDealTermReturn {
        start: p.start_epoch,
        duration: p.duration(),
    })
}

pub fn get_deal_total_price<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealTotalPriceReturn> {
    let p = load_deal(store, state, id)?.proposal;
    Ok(GetDealTotalPriceReturn {
        total_price: &p.storage_price_per_epoch * p.duration(),
    })
}

pub fn get_deal_client_collateral<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealClientCollateralReturn> {
    Ok(GetDealClientCollateralReturn {
        collateral: load_deal(store, state, id)?.proposal.client_collateral,
    })
}

pub fn get_deal_provider_collateral<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealProviderCollateralReturn> {
    Ok(GetDealProviderCollateralReturn {
        collateral: load_deal(store, state, id)?.proposal.provider_collateral,
    })
}

pub fn get_deal_verified<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealVerifiedReturn> {
    Ok(GetDealVerifiedReturn {
        verified: load_deal(store, state, id)?.proposal.verified_deal,
    })
}

/// `[-1, -1]` before activation, `[activation_epoch, -1]` after (also past the end epoch,
/// until the deal is settled).
pub fn get_deal_activation<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealActivationReturn> {
    let activated = load_deal(store, state, id)?
        .activation
        .map_or(EPOCH_UNDEFINED, |a| a.epoch);
    Ok(GetDealActivationReturn {
        activated,
        terminated: EPOCH_UNDEFINED,
    })
}

/// The sector of an activated deal; 33 (EX_DEAL_NOT_ACTIVATED) before activation.
pub fn get_deal_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    id: DealID,
) -> ActorResult<GetDealSectorReturn> {
    match load_deal(store, state, id)?.activation {
        Some(a) => Ok(GetDealSectorReturn { sector: a.sector }),
        None => Err(ActorError::actor_specific(
            EX_DEAL_NOT_ACTIVATED,
            format!("deal {id} is not activated"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Escrow.

fn resolve(chain: &impl Chain, address: &Address) -> ActorResult<ActorID> {
    chain
        .resolve(address)
        .ok_or_else(|| ActorError::illegal_argument(format!("failed to resolve address {address}")))
}

/// [`resolve`], then 16 unless an actor lives there (the builtin's `escrow_address` insists
/// on the actor's code: an ID address resolves even with no actor behind it).
fn resolve_existing(chain: &impl Chain, address: &Address) -> ActorResult<ActorID> {
    let id = resolve(chain, address)?;
    ensure!(chain.exists(id), illegal_argument; "no code for address {address}");
    Ok(id)
}

/// `[escrow balance, 0]`: the stand-in never locks funds. 16 if the address does not resolve;
/// an ID address always does (as in the builtin, which only resolves here).
pub fn get_balance<BS: Blockstore>(
    store: &BS,
    state: &State,
    chain: &impl Chain,
    params: &GetBalanceParams,
) -> ActorResult<GetBalanceReturn> {
    let id = resolve(chain, &params.account)?;
    let balance = balances(store, state)?.get(&id)?.cloned().unwrap_or_default();
    Ok(GetBalanceReturn {
        balance,
        locked: TokenAmount::default(),
    })
}

/// Credits the value received to the escrow of the resolved address. 16 if no value was
/// sent, the address does not resolve, or no actor lives at it.
pub fn add_balance<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    chain: &impl Chain,
    params: &AddBalanceParams,
) -> ActorResult<Effects<()>> {
    positive(&facts.value_received, "balance to add")?;
    let id = resolve_existing(chain, &params.provider_or_client)?;
    let mut table = balances(store, state)?;
    let current = table.get(&id)?.cloned().unwrap_or_default();
    table.set(&id, add(&current, &facts.value_received)?)?;
    let state = State {
        balances: table.flush()?,
        ..state.clone()
    };
    Ok(Effects {
        state,
        ret: (),
        events: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Harness control (operator only).

/// Checks a proposal as the builtin's PublishStorageDeals does and normalises client and
/// provider to ID addresses.
///
/// builtin-actors v18 `actors/market/src/lib.rs`, in its order:
/// - `publish_storage_deals`, before any deal is looked at (these abort the message): the
///   provider must resolve (17) to an actor with code (17) of builtin type Miner (16). (The
///   builtin then wants the caller to be a controlling address of the provider, 18; here the
///   caller is the operator, who vouches for the proposal.)
/// - per deal, `validate_deal` (a failing deal is dropped, and a message whose every deal is
///   dropped is 16, "All deal proposals invalid": for the stand-in's single deal, 16):
///   `deal_proposal_is_internally_valid` sends the client `AuthenticateMessage` read-only and
///   wants `true` (accounts do; a miner, the market or a no-op actor cannot); label ≤ 256
///   bytes; `PaddedPieceSize::validate` (≥ 128, a power of two: there is **no** upper bound
///   and **no** comparison with the provider's sector size at publish, a piece too large for
///   every sector is refused only at activation); a piece CID; end > start; start not elapsed
///   (`curr_epoch > start_epoch` is refused, so a deal may start at the current epoch);
///   `deal_duration_bounds` (`actors/market/src/policy.rs`: inclusive, here the market's
///   [`StorageMarketPolicy`]); price per epoch and both collaterals in [0, total FIL]. The
///   provider-collateral minimum the builtin derives from circulating supply and network
///   power is not modelled (the stand-in's minimum is 0), nor are escrow balance coverage
///   and duplicate proposals.
/// - then the client must resolve (a deal whose client does not is dropped: 16).
pub fn validate_proposal(
    proposal: &DealProposal,
    facts: &Facts,
    chain: &impl Chain,
    policy: &StorageMarketPolicy,
) -> ActorResult<DealProposal> {
    let provider = chain.resolve(&proposal.provider).ok_or_else(|| {
        ActorError::not_found(format!(
            "failed to resolve provider address {}",
            proposal.provider
        ))
    })?;
    ensure!(chain.exists(provider), not_found; "no code for provider f0{provider}");
    let kind = chain.actor_type(provider);
    ensure!(kind == Some(BuiltinType::Miner), illegal_argument; "provider f0{provider} of type {kind:?} is not a storage miner actor");

    // An address with no actor behind it cannot answer AuthenticateMessage.
    let client = resolve_existing(chain, &proposal.client)?;
    let message = fvm_ipld_encoding::to_vec(proposal)
        .map_err(|e| ActorError::serialization(format!("deal proposal: {e}")))?;
    let auth = AuthenticateMessageParams {
        signature: RawBytes::default(),
        message: RawBytes::new(message),
    };
    ensure!(chain.authenticates(client, &auth), illegal_argument; "proposal authentication failed: client f0{client} did not answer AuthenticateMessage with true");
    ensure!(
        proposal.label.len() <= DEAL_MAX_LABEL_SIZE,
        illegal_argument; "label of {} bytes exceeds {DEAL_MAX_LABEL_SIZE}", proposal.label.len()
    );
    ensure!(
        proposal.piece_size.validate().is_ok(),
        illegal_argument; "piece size {} is not a power of two of at least {MIN_PIECE_SIZE}", proposal.piece_size.0
    );
    ensure!(is_piece_cid(&proposal.piece_cid), illegal_argument; "{} is not a piece CID", proposal.piece_cid);
    ensure!(
        proposal.start_epoch < proposal.end_epoch,
        illegal_argument; "start epoch {} is not before end epoch {}", proposal.start_epoch, proposal.end_epoch
    );
    ensure!(
        proposal.start_epoch >= facts.epoch,
        illegal_argument; "start epoch {} has already elapsed (now {})", proposal.start_epoch, facts.epoch
    );
    // start ≥ now ≥ 0 and end > start: the difference cannot overflow.
    let duration = proposal.duration();
    ensure!(
        (policy.min_deal_duration..=policy.max_deal_duration).contains(&duration),
        illegal_argument; "deal duration {duration} out of bounds [{}, {}]", policy.min_deal_duration, policy.max_deal_duration
    );
    let most = total_filecoin();
    for (what, amount) in [
        ("storage price per epoch", &proposal.storage_price_per_epoch),
        ("provider collateral", &proposal.provider_collateral),
        ("client collateral", &proposal.client_collateral),
    ] {
        non_negative(amount, what)?;
        ensure!(amount <= &most, illegal_argument; "{what} {amount} exceeds the total FIL supply");
    }
    Ok(DealProposal {
        client: Address::new_id(client),
        provider: Address::new_id(provider),
        ..proposal.clone()
    })
}

/// `HarnessPublishDeal`: stores a validated proposal under the next id; emits
/// `deal-published`.
pub fn publish_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    chain: &impl Chain,
    params: &HarnessPublishDealParams,
) -> ActorResult<Effects<HarnessPublishDealReturn>> {
    require_operator(state, facts.caller)?;
    let proposal = validate_proposal(params, facts, chain, &state.policy)?;
    let id = state.next_id;
    let next_id = id
        .checked_add(1)
        .ok_or_else(|| ActorError::illegal_state("deal ids exhausted"))?;
    let deal = DealRecord {
        proposal,
        activation: None,
    };
    let event = event_for(EVENT_DEAL_PUBLISHED, id, &deal)?;
    let visit = deal_update_epoch(deal.proposal.start_epoch, id).ok_or_else(|| {
        ActorError::illegal_argument(format!(
            "start epoch {} is too late: the market's cron could never visit the deal",
            deal.proposal.start_epoch
        ))
    })?;
    let mut table = deals(store, state)?;
    table.set(&id, deal)?;
    let mut pending = pending_deals(store, state)?;
    pending.set(&id, visit)?;
    let state = State {
        next_id,
        deals: table.flush()?,
        pending_deals: pending.flush()?,
        next_cron: earliest(state.next_cron, Some(visit)),
        ..state.clone()
    };
    Ok(Effects {
        state,
        ret: id,
        events: vec![event],
    })
}

/// `HarnessActivateDeal`: activates a published deal in a sector of its provider at the
/// current epoch; emits `deal-activated`.
///
/// Design: the operator's message stays on the market (every test, bench and CLI command
/// sends it there), and the market asks the deal's provider about the sector through the
/// miner's own exported getters (`GetNominalSectorExpiration`, `GenerateSectorLocation`,
/// `GetSectorSize`, read-only). The miner's state is then the one place sector size,
/// expiration and status live, and the market's sector index already lists the deals
/// activated in each sector, so nothing has to be kept in step by hand. On a real chain the
/// miner drives activation (ProveCommit → the market's `BatchActivateDeals` with the
/// sector's expiration and seal proof); the checks below are the ones that flow makes.
///
/// In order:
/// - 17 (never published) or 32 (deleted), as the getters;
/// - the sector: 17 if the provider has no such sector (its `GetNominalSectorExpiration`
///   answers 17; a real miner cannot prove a sector it never pre-committed), 16 if it is
///   terminated or faulty (stand-in choices: a real miner activates deals only into a sector
///   it is proving, or updating, which must be live and not faulty);
/// - builtin-actors v18 `actors/market/src/lib.rs` `validate_deal_can_activate` (called by
///   `preactivate_deal` for `BatchActivateDeals` and `SectorContentChanged`): 32
///   (EX_DEAL_EXPIRED) if the start epoch has passed (activation at the start epoch itself
///   is fine), 16 if the deal ends after the sector's expiration;
/// - `preactivate_deal`: 16 if already activated;
/// - `validate_deals_for_sector` (`VerifyDealsForActivation`, when the sector is
///   pre-committed): 16 ("deals too large to fit in sector") if the pieces of the sector's
///   deals, this one included, sum to more than the sector size; so a piece larger than the
///   sector never activates. (On the DDO path the miner's CommD computation,
///   `unsealed_cid_from_pieces`, refuses the same with 16.) The sum covers the deals the index
///   still lists for the sector: a deal settled after its end leaves the index, and its
///   space is counted free again, where a real sector's data would not shrink.
pub fn activate_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    chain: &impl Chain,
    params: &HarnessActivateDealParams,
) -> ActorResult<Effects<()>> {
    require_operator(state, facts.caller)?;
    let id = params.deal_id;
    let n = params.sector_number;
    let mut table = deals(store, state)?;
    let mut deal = find_deal(&table, state, id)?;
    let provider = stored_id(&deal.proposal.provider)?;

    let sector = chain
        .sector(provider, n)?
        .ok_or_else(|| ActorError::not_found(format!("miner f0{provider} has no sector {n}")))?;
    match sector.status {
        SECTOR_ACTIVE => {}
        SECTOR_DEAD => {
            return Err(ActorError::illegal_argument(format!(
                "sector {n} of miner f0{provider} is terminated"
            )))
        }
        SECTOR_FAULTY => {
            return Err(ActorError::illegal_argument(format!(
                "sector {n} of miner f0{provider} is faulty"
            )))
        }
        other => {
            return Err(ActorError::illegal_state(format!(
                "miner f0{provider} reports unknown status {other} for sector {n}"
            )))
        }
    }

    if facts.epoch > deal.proposal.start_epoch {
        return Err(ActorError::actor_specific(
            EX_DEAL_EXPIRED,
            format!(
                "deal {id} start epoch {} has passed (now {})",
                deal.proposal.start_epoch, facts.epoch
            ),
        ));
    }
    ensure!(
        deal.proposal.end_epoch <= sector.expiration,
        illegal_argument; "deal {id} ends at epoch {}, after sector {n}'s expiration {}", deal.proposal.end_epoch, sector.expiration
    );
    if let Some(a) = &deal.activation {
        return Err(ActorError::illegal_argument(format!(
            "deal {id} already activated at epoch {} in sector {}",
            a.epoch, a.sector
        )));
    }

    let key = SectorKey { provider, sector: n };
    let mut index = sector_deals(store, state)?;
    let mut ids = index.get(&key)?.cloned().unwrap_or_default();
    let mut used: u128 = 0;
    for other in &ids {
        if let Some(d) = table.get(other)? {
            used += u128::from(d.proposal.piece_size.0);
        }
    }
    let total = used + u128::from(deal.proposal.piece_size.0);
    ensure!(
        total <= u128::from(sector.size),
        illegal_argument; "deals too large to fit in sector {n}: {total} > {} ({used} already activated, deal {id} brings {})", sector.size, deal.proposal.piece_size.0
    );

    deal.activation = Some(DealActivation {
        epoch: facts.epoch,
        sector: n,
    });
    let event = event_for(EVENT_DEAL_ACTIVATED, id, &deal)?;
    table.set(&id, deal)?;
    ids.push(id);
    index.set(&key, ids)?;
    let mut pending = pending_deals(store, state)?;
    pending.delete(&id)?;

    let state = State {
        deals: table.flush()?,
        sector_deals: index.flush()?,
        pending_deals: pending.flush()?,
        ..state.clone()
    };
    Ok(Effects {
        state,
        ret: (),
        events: vec![event],
    })
}

/// `HarnessTerminateDeal`: the deal's sector was terminated early, so the deal is slashed
/// and deleted; emits `deal-terminated`. Only an activated deal before its end epoch can be
/// slashed (20 otherwise, as the builtin never slashes a finished or unactivated deal).
pub fn terminate_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: &DealQueryParams,
) -> ActorResult<Effects<()>> {
    require_operator(state, facts.caller)?;
    let id = params.id;
    let deal = load_deal(store, state, id)?;
    ensure!(deal.activation.is_some(), illegal_state; "deal {id} is not activated: time it out instead");
    ensure!(
        facts.epoch < deal.proposal.end_epoch,
        illegal_state; "deal {id} ended at epoch {} (now {}): settle it instead", deal.proposal.end_epoch, facts.epoch
    );
    let event = event_for(EVENT_DEAL_TERMINATED, id, &deal)?;
    let state = delete_deal(store, state, id, &deal)?;
    Ok(Effects {
        state,
        ret: (),
        events: vec![event],
    })
}

/// `HarnessSettleDeal`: final settlement. An activated deal at or past its end epoch is
/// deleted as completed (`deal-completed`); a never-activated deal past its start epoch is
/// deleted as timed out (no event). Anything else is 20 and changes nothing.
pub fn settle_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: &DealQueryParams,
) -> ActorResult<Effects<()>> {
    require_operator(state, facts.caller)?;
    let id = params.id;
    let deal = load_deal(store, state, id)?;
    let events = match deal.activation {
        Some(_) if facts.epoch >= deal.proposal.end_epoch => {
            vec![event_for(EVENT_DEAL_COMPLETED, id, &deal)?]
        }
        None if facts.epoch > deal.proposal.start_epoch => Vec::new(),
        Some(_) => {
            return Err(ActorError::illegal_state(format!(
                "deal {id} is active until epoch {} (now {})",
                deal.proposal.end_epoch, facts.epoch
            )))
        }
        None => {
            return Err(ActorError::illegal_state(format!(
                "deal {id} can still be activated until epoch {} (now {})",
                deal.proposal.start_epoch, facts.epoch
            )))
        }
    };
    let state = delete_deal(store, state, id, &deal)?;
    Ok(Effects {
        state,
        ret: (),
        events,
    })
}

/// `HarnessTimeoutDeal`: deletes a never-activated deal whose start epoch has passed (no
/// event, as the builtin); 20 otherwise.
pub fn timeout_deal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: &DealQueryParams,
) -> ActorResult<Effects<()>> {
    require_operator(state, facts.caller)?;
    let id = params.id;
    let deal = load_deal(store, state, id)?;
    ensure!(deal.activation.is_none(), illegal_state; "deal {id} was activated");
    ensure!(
        facts.epoch > deal.proposal.start_epoch,
        illegal_state; "deal {id} can still be activated until epoch {} (now {})", deal.proposal.start_epoch, facts.epoch
    );
    let state = delete_deal(store, state, id, &deal)?;
    Ok(Effects {
        state,
        ret: (),
        events: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Miner callback.

/// `OnMinerSectorsTerminate` (legacy 7, miners only): the calling miner terminated these
/// sectors at `epoch`. Each of its deals in them that has not ended by `epoch` is deleted
/// (`deal-terminated`); a deal that already ended stays readable until settled, as in the
/// builtin. The sectors' index entries are removed either way.
pub fn on_miner_sectors_terminate<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    chain: &impl Chain,
    params: &OnMinerSectorsTerminateParams,
) -> ActorResult<Effects<()>> {
    require_miner(chain, facts.caller)?;
    let mut table = deals(store, state)?;
    let mut index = sector_deals(store, state)?;
    let mut events = Vec::new();
    for &sector in &params.sectors {
        let key = SectorKey {
            provider: facts.caller,
            sector,
        };
        let Some(ids) = index.delete(&key)? else { continue };
        for id in ids {
            // Deleted since (settled after its end); nothing left to do.
            let Some(deal) = table.get(&id)?.cloned() else {
                continue;
            };
            ensure!(
                stored_id(&deal.proposal.provider)? == facts.caller,
                illegal_state; "deal {id} indexed under f0{} belongs to {}", facts.caller, deal.proposal.provider
            );
            if deal.proposal.end_epoch <= params.epoch {
                continue;
            }
            events.push(event_for(EVENT_DEAL_TERMINATED, id, &deal)?);
            table.delete(&id)?;
        }
    }
    let state = State {
        deals: table.flush()?,
        sector_deals: index.flush()?,
        ..state.clone()
    };
    Ok(Effects {
        state,
        ret: (),
        events,
    })
}

// ---------------------------------------------------------------------------------------------
// Cron.

/// `HarnessEnrollCronEvent` (miners only): the calling miner's next deadline event, or none.
pub fn enroll_cron_event<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    chain: &impl Chain,
    params: &EnrollCronEventParams,
) -> ActorResult<Effects<()>> {
    require_miner(chain, facts.caller)?;
    let mut queue = cron_queue(store, state)?;
    match params.epoch {
        Some(epoch) => {
            queue.set(&facts.caller, epoch)?;
        }
        None => {
            queue.delete(&facts.caller)?;
        }
    }
    let state = State {
        cron_queue: queue.flush()?,
        next_cron: earliest(state.next_cron, params.epoch),
        ..state.clone()
    };
    Ok(Effects {
        state,
        ret: (),
        events: Vec::new(),
    })
}

/// 18 unless the caller is the cron actor (f03).
pub fn require_cron(caller: ActorID) -> ActorResult<()> {
    ensure!(
        caller == actor_runtime::builtin::CRON_ACTOR_ID,
        forbidden; "caller f0{caller} is not the cron actor"
    );
    Ok(())
}

/// The first half of `CronTick` (cron f03 only), for the end-of-epoch crons of every epoch
/// before the current one: deletes each pending deal whose visit is due (it was never
/// activated: timed out, no event, as the builtin), and takes up to
/// [`MAX_MINER_CRONS_PER_TICK`] due miners off the queue. Returns them: the shell saves this
/// state, sends each its `OnDeferredCronEvent` through `facts.epoch - 1` (they enrol again
/// themselves), then calls [`finish_cron`].
pub fn cron_tick<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
) -> ActorResult<Effects<Vec<ActorID>>> {
    require_cron(facts.caller)?;
    let through = facts.epoch - 1;
    let mut state = state.clone();
    let due_deals: Vec<DealID> = pending_deals(store, &state)?
        .page(None, usize::MAX)?
        .entries
        .into_iter()
        .filter(|(_, visit)| *visit <= through)
        .map(|(id, _)| id)
        .collect();
    for id in due_deals {
        let deal = load_deal(store, &state, id)?;
        state = delete_deal(store, &state, id, &deal)?;
    }
    let mut queue = cron_queue(store, &state)?;
    let mut due_miners: Vec<(ChainEpoch, ActorID)> = queue
        .page(None, usize::MAX)?
        .entries
        .into_iter()
        .filter(|(_, epoch)| *epoch <= through)
        .map(|(miner, epoch)| (epoch, miner))
        .collect();
    due_miners.sort_unstable();
    due_miners.truncate(MAX_MINER_CRONS_PER_TICK);
    for (_, miner) in &due_miners {
        queue.delete(miner)?;
    }
    state.cron_queue = queue.flush()?;
    Ok(Effects {
        state,
        ret: due_miners.into_iter().map(|(_, miner)| miner).collect(),
        events: Vec::new(),
    })
}

/// The end of `CronTick`: `next_cron` recomputed from what is left pending and enrolled.
pub fn finish_cron<BS: Blockstore>(store: &BS, state: &State) -> ActorResult<Effects<()>> {
    let pending = pending_deals(store, state)?.page(None, usize::MAX)?.entries;
    let queue = cron_queue(store, state)?.page(None, usize::MAX)?.entries;
    let next_cron = pending
        .into_iter()
        .map(|(_, e)| e)
        .chain(queue.into_iter().map(|(_, e)| e))
        .min();
    Ok(Effects {
        state: State {
            next_cron,
            ..state.clone()
        },
        ret: (),
        events: Vec::new(),
    })
}
