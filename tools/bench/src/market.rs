//! Section: the bounty market.

use integration_tests::{BountyMarketClient, EscrowClient};
use std::time::{Duration, Instant};

use actor_runtime::map::{MapKey, Members};
use actor_runtime::Map;
use anyhow::{bail, ensure, Context, Result};
use bounty_market::state::State;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::bounty::{self as bm, Suite, PACKAGE};
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt, DEFAULT_PIECE_SIZE};
use integration_tests::{Account, Harness, Receipt};
use stand_in_market::{piece_cid, DealProposal, Label};
use suite_interfaces::bounty::{
    ddo_renewal_payload, Bounty, Claim, ClaimBountyReturn, CollateralDeposit, GetBountyReturn,
    GetClaimReturn, GetContributionParams, GetContributionReturn, GetPolicyReturn, IdParams,
    ListBountiesReturn, MarketPolicy, PostBountyParams, ProviderBalance, ProviderParams, RenewClaimParams,
    SponsorRefundReturn, WithdrawCollateralReturn, WithdrawReturn, EVENT_CANCELLED, EVENT_CLAIMED,
    EVENT_CLAIM_RENEWED, EVENT_COLLATERAL_DEPOSITED, EVENT_DDO_CLAIMED, EVENT_DDO_REFUSED, EVENT_FUNDED,
    EVENT_POSTED, EVENT_RECLAIMED, EVENT_RENEWALS_FUNDED, EVENT_RENEWALS_RECLAIMED, EVENT_SPONSOR_REFUNDED,
    EVENT_WITHDRAWN, METHOD_GET_BOUNTY, METHOD_GET_CLAIM, METHOD_GET_COLLATERAL, METHOD_GET_CONTRIBUTION,
    METHOD_GET_POLICY, METHOD_GET_PROVIDER_BALANCE, METHOD_LIST_BOUNTIES,
};
use suite_interfaces::escrow::{
    EvidenceParams, LockParams, Policy, SectorLocation, EVENT_LOCKED, EVENT_REPUTATION_FAILED, METHOD_LOCK,
};
use suite_interfaces::reputation::EVENT_REPUTATION_UPDATED;

use super::hamt::{read, shape, vector_read, vector_shape, MapShape};
use super::report::{Section, Table};
use super::{
    gas_table, kib, mean, rate, seconds, spread, spread_table, thousands, Clock, GasRow, Options, SAMPLES,
};

/// The clients that post the population's bounties, in turn.
const CLIENTS: usize = 5;
/// Odd population bounties share these pieces, in turn; even ones each have their own.
const POPULAR_PIECES: usize = 5;
/// Every 10th population bounty is claimed (by a population miner) right after it is posted.
const CLAIM_EVERY: usize = 10;
/// Claims per population miner: 10,000 bounties are 1,000 claims by 100 miners.
const CLAIMS_PER_MINER: usize = 10;
/// Replicas of every population and sample bounty.
const REPLICAS: u64 = 4;
/// Claims of each veteran provider (Withdraw's page under the default policy).
const VETERAN_CLAIMS: usize = 32;
/// The ListBounties page.
const PAGE: u32 = 100;
/// FIL per replica, and per claim as collateral.
const REWARD: u64 = 1;
const COLLATERAL: u64 = 1;
/// Vesting of every bounty: 180 days.
const MIN_DURATION: ChainEpoch = 518_400;
/// Every bounty but the sample posts takes claims until here (about 312 days).
const EXPIRY: ChainEpoch = 900_000;
/// The sample posts expire this many epochs after they are posted.
const EXPIRES_SOON: ChainEpoch = 2;
/// Deals end after every vesting; sectors after every deal.
const DEAL_END: ChainEpoch = 1_000_000;
/// The renewal samples' new deals last past the renewed term (two terms from the claim).
const RENEWAL_DEAL_END: ChainEpoch = 1_400_000;
const SECTOR_EXPIRATION: ChainEpoch = 1_500_000;
/// Every miner stores its deals in one sector, there.
const SECTOR: SectorNumber = 0;
const LOCATION: SectorLocation = SectorLocation {
    deadline: 0,
    partition: 0,
};

fn fil(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

fn zero() -> TokenAmount {
    TokenAmount::default()
}

/// A well-formed piece commitment: `n` in the first 8 digest bytes, `space` in byte 30
/// (population, popular, sample, veteran), the last byte 0 (trunc254).
fn piece(space: u8, n: u64) -> Cid {
    let mut digest = [0u8; 32];
    digest[..8].copy_from_slice(&n.to_le_bytes());
    digest[30] = space;
    piece_cid(digest)
}

fn popular(p: usize) -> Cid {
    piece(2, p as u64)
}

/// Gas of every sample, per method, at one N.
#[derive(Debug, Default)]
struct Gas {
    post: Vec<u64>,
    claim_located: Vec<u64>,
    claim_search: Vec<u64>,
    claim_new: Vec<u64>,
    withdraw_one: Vec<u64>,
    withdraw_many: Vec<u64>,
    cancel: Vec<u64>,
    reclaim_cancelled: Vec<u64>,
    reclaim_expired: Vec<u64>,
    get_bounty: Vec<u64>,
    list_all: Vec<u64>,
    list_client: Vec<u64>,
    list_piece: Vec<u64>,
    get_claim: Vec<u64>,
    balance_one: Vec<u64>,
    balance_many: Vec<u64>,
    policy: Vec<u64>,
    constructor: Vec<u64>,
    /// The escrow's ReportFault on a claim's lock, and the market's callback inside it.
    report_claim: Vec<u64>,
    on_collateral_changed: Vec<u64>,
    /// DDO: a new miner's first DepositCollateral, the miner's SectorContentChanged (the
    /// operator's notify message, whole) with one piece claimed and with one refused,
    /// WithdrawCollateral of what is left, GetCollateral.
    deposit: Vec<u64>,
    ddo_claim: Vec<u64>,
    ddo_refused: Vec<u64>,
    withdraw_collateral: Vec<u64>,
    get_collateral: Vec<u64>,
    /// Crowdfunding and replica diversity, on bounties posted for them (one per sample).
    fund_new: Vec<u64>,
    fund_again: Vec<u64>,
    claim_diverse: Vec<u64>,
    get_contribution: Vec<u64>,
    refund_sponsor: Vec<u64>,
    /// Renewal, measured on a fork of the chain three quarters of a term later (see
    /// `Bench::renewal_samples`).
    fund_renewals: Vec<u64>,
    renew_claim: Vec<u64>,
    ddo_renewal: Vec<u64>,
    reclaim_renewals: Vec<u64>,
}

impl Gas {
    /// In table order.
    fn rows(&self) -> [(&'static str, &[u64]); 34] {
        [
            (
                "Constructor (init Exec of installed code, whole message)",
                &self.constructor,
            ),
            ("PostBounty", &self.post),
            ("ClaimBounty (with sector_location)", &self.claim_located),
            (
                "ClaimBounty (no sector_location: the miner searches)",
                &self.claim_search,
            ),
            (
                "ClaimBounty (new provider, with sector_location)",
                &self.claim_new,
            ),
            ("Withdraw (provider with 1 claim)", &self.withdraw_one),
            ("Withdraw (provider with 32 claims)", &self.withdraw_many),
            ("CancelBounty", &self.cancel),
            ("Reclaim (after cancel)", &self.reclaim_cancelled),
            ("Reclaim (after expiry)", &self.reclaim_expired),
            ("GetBounty", &self.get_bounty),
            ("ListBounties (all, limit 100)", &self.list_all),
            ("ListBounties (by client, limit 100)", &self.list_client),
            ("ListBounties (by piece, limit 100)", &self.list_piece),
            ("GetClaim", &self.get_claim),
            ("GetProviderBalance (1 claim)", &self.balance_one),
            ("GetProviderBalance (32 claims)", &self.balance_many),
            ("GetPolicy", &self.policy),
            (
                "escrow ReportFault DealTerminated on a claim's lock (whole message)",
                &self.report_claim,
            ),
            (
                "OnCollateralChanged (slashed; the callback inside that ReportFault)",
                &self.on_collateral_changed,
            ),
            ("DepositCollateral (a provider's first)", &self.deposit),
            (
                "SectorContentChanged, 1 piece claimed (the miner's notify message, whole)",
                &self.ddo_claim,
            ),
            (
                "SectorContentChanged, 1 piece refused (wrong piece; whole message)",
                &self.ddo_refused,
            ),
            ("WithdrawCollateral", &self.withdraw_collateral),
            ("GetCollateral", &self.get_collateral),
            ("FundBounty (new sponsor)", &self.fund_new),
            ("FundBounty (same sponsor again)", &self.fund_again),
            (
                "ClaimBounty (distinct_owners + max_per_region, with sector_location)",
                &self.claim_diverse,
            ),
            ("GetContribution", &self.get_contribution),
            (
                "RefundSponsor (after cancel, a claim still holding a slot)",
                &self.refund_sponsor,
            ),
            ("FundRenewals (2 renewal terms)", &self.fund_renewals),
            ("RenewClaim (new deal, with sector_location)", &self.renew_claim),
            (
                "SectorContentChanged, 1 piece renewing a claim (whole message)",
                &self.ddo_renewal,
            ),
            ("ReclaimRenewals", &self.reclaim_renewals),
        ]
    }
}

/// What the other actors take of a ClaimBounty (with location, existing provider).
#[derive(Debug, Default)]
struct Breakdown {
    claim: Vec<u64>,
    lock: Vec<u64>,
    rest: Vec<u64>,
}

impl Breakdown {
    fn rows(&self) -> [(&'static str, &[u64]); 3] {
        [
            ("ClaimBounty (with sector_location), whole message", &self.claim),
            (
                "  escrow Lock (≈ Lock alone − the same message to an account)",
                &self.lock,
            ),
            (
                "  the rest: market, builtin market and miner queries, message",
                &self.rest,
            ),
        ]
    }
}

/// Bounties returned by each ListBounties sample.
#[derive(Debug, Default)]
struct Listed {
    all: Vec<u64>,
    client: Vec<u64>,
    piece: Vec<u64>,
}

/// Building the population from one N to the next.
struct Step {
    from: usize,
    to: usize,
    exec: Clock,
    sectors: Clock,
    deals: Clock,
    posts: Clock,
    claims: Clock,
    wall: Duration,
}

/// The market's HAMTs, and the paths to its bounties and claims, before the messages at N.
struct Shapes {
    maps: Vec<(&'static str, MapShape)>,
    /// Mean over every bounty (claim) of the nodes from the root to it (blocks, bytes).
    bounty_path: (f64, f64),
    claim_path: (f64, f64),
}

/// What a set walk then lookups read: (blocks, bytes) of the set, of the lookups.
type PageReads = ((u64, u64), (u64, u64));

/// What three calls read, after the messages at N.
struct Reads {
    /// ListBounties by client 0: its ids set walked for a page, then the page's bounties.
    client: PageReads,
    /// ListBounties by popular piece 0, likewise.
    piece: PageReads,
    /// Withdraw of the first veteran: its unpaid set walked, then its 32 claims.
    veteran: PageReads,
}

/// What was measured at one N.
struct Point {
    n: usize,
    claims: u64,
    gas: Gas,
    breakdown: Breakdown,
    listed: Listed,
    shapes: Shapes,
    reads: Reads,
    /// Bounties and claims in the market when the veterans' messages ran.
    veterans_at: (usize, u64),
    /// The first ClaimBounty with location by a population miner, traced.
    claim_trace: super::trace::Tree,
    /// The market's OnCollateralChanged (slashed) inside the first reported claim, traced.
    callback_trace: super::trace::Call,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Posted by `populate`.
    Population,
    /// A measured PostBounty, expiring soon.
    Sample,
    /// Claimed by every veteran.
    Veteran,
}

/// A bounty the bench posted (its id is its index).
struct Posted {
    client: usize,
    piece: Cid,
    replicas: u64,
    expiry: ChainEpoch,
    kind: Kind,
    claimers: Vec<ActorID>,
    cancelled: bool,
}

/// A population miner and its claims.
struct Miner {
    id: ActorID,
    claims: usize,
}

/// A chain with the whole suite, the bounties, the miners and their claims.
struct Bench {
    h: Harness,
    suite: Suite,
    /// Deployed the suite; administers the registry.
    admin: Account,
    /// Creates, owns and works every miner: sends every claim and withdrawal, is paid.
    owner: Account,
    clients: Vec<Account>,
    /// Sends the getters; the account the breakdown's comparison messages go to.
    reader: Account,
    bounties: Vec<Posted>,
    /// Population bounties posted (the ordinal of the next one).
    population: usize,
    miners: Vec<Miner>,
    /// Miners made for the measured claims and the veterans.
    other_miners: usize,
    /// Providers with 32 claims each, on the same 32 bounties of 5 replicas.
    veterans: Vec<ActorID>,
    claims: u64,
    sample_posts: u64,
    exec: Clock,
    sectors: Clock,
    deals: Clock,
    posts: Clock,
    claim_clock: Clock,
    /// The market's installed code, for the measured constructors.
    code: Cid,
}

pub fn run(options: &Options, findings: &mut super::Findings) -> Result<Section> {
    let started = Instant::now();
    let wasm = integration_tests::actors::require_wasm(PACKAGE)?;
    ensure!(
        MarketPolicy::default().max_claims_per_withdraw as usize == VETERAN_CLAIMS
            && MarketPolicy::default().max_page == PAGE,
        "the default market policy changed: update the bench's pages"
    );
    let mut b = Bench::new()?;
    let boot = started.elapsed();
    let mut steps = Vec::new();
    let mut points = Vec::new();
    for &n in options.sizes() {
        steps.push(b.populate(n)?);
        points.push(b.measure(n)?);
    }
    let operator = b.h.operator();
    let mut total_messages = 0;
    for a in [operator, b.admin, b.owner, b.reader].iter().chain(&b.clients) {
        total_messages += b.h.actor(a.id)?.map(|a| a.sequence).unwrap_or(0);
    }
    let mut all = [Clock::default(); 5];
    for s in &steps {
        for (total, c) in all
            .iter_mut()
            .zip([s.exec, s.sectors, s.deals, s.posts, s.claims])
        {
            total.add(&c);
        }
    }
    let [exec, sectors, deals, posts, claims] = all;
    let sizes: Vec<usize> = points.iter().map(|p| p.n).collect();
    let rows = gas_rows(&points);
    let mut breakdown = gas_table(&sizes, &breakdown_rows(&points), breakdown_notes());
    breakdown.caption = format!(
        "Inside ClaimBounty (with sector_location, existing provider): gas by actor (mean of {SAMPLES} \
         claims)"
    );
    let facts = vec![
        format!("wasm module `{PACKAGE}`: {} bytes", thousands(wasm.len() as u64)),
        format!(
            "population: {CLIENTS} clients post in turn bounties of {REPLICAS} replicas × {REWARD} FIL \
             ({COLLATERAL} FIL collateral each, 2 KiB piece, {} epochs of vesting, open until epoch \
             {}); odd ones share {POPULAR_PIECES} popular pieces, even ones have their own; every \
             {CLAIM_EVERY}th is claimed at once by a stand-in miner ({CLAIMS_PER_MINER} claims per \
             miner, one sector each): the operator publishes and activates a deal for its piece, \
             the miner's owner claims with the sector's location; {} population miners ({} more for \
             the measured claims and the veterans), {} claims, {} harness messages in all",
            thousands(MIN_DURATION as u64),
            thousands(EXPIRY as u64),
            b.miners.len(),
            b.other_miners,
            thousands(b.claims),
            thousands(total_messages)
        ),
        format!(
            "harness while populating: {} messages/s; {} ms per PostBounty, {} ms per deal message \
             (publish, activate), {} ms per ClaimBounty, {} ms per miner Exec (wall time, {} \
             profile)",
            rate(&[exec, sectors, deals, posts, claims]),
            posts.ms_per_message(),
            deals.ms_per_message(),
            claims.ms_per_message(),
            exec.ms_per_message(),
            if cfg!(debug_assertions) { "dev" } else { "release" }
        ),
        format!(
            "section wall time {} (boot and deploy {})",
            seconds(started.elapsed()),
            seconds(boot)
        ),
    ];
    findings.growth(
        "market",
        &sizes,
        &rows,
        &[
            "ClaimBounty (with sector_location)",
            "Withdraw (provider with 1 claim)",
            "Withdraw (provider with 32 claims)",
            "PostBounty",
            "escrow ReportFault DealTerminated on a claim's lock (whole message)",
            "OnCollateralChanged (slashed; the callback inside that ReportFault)",
        ],
    );
    let last = &points[points.len() - 1];
    let charges = last.claim_trace.all_charges();
    let sums = super::trace::by_name(&charges);
    let gas_of = |name: &str| {
        sums.iter()
            .find(|(n, ..)| n == name)
            .map_or((0, 0), |(_, count, c, o)| (*count, (c + o) / 1000))
    };
    let written = super::trace::bytes_written(&charges);
    findings.claim_at_scale = Some(super::ClaimAtScale {
        n: last.n,
        total: last.claim_trace.total() / 1000,
        blocks_written: written.len() as u64,
        bytes_written: written.iter().sum(),
        link: gas_of("OnBlockLink").1,
        exec: gas_of("wasm_exec").1,
        reads: gas_of("OnBlockOpenBase").0,
        read_gas: gas_of("OnBlockOpenBase").1,
    });
    Ok(Section {
        title: "Bounty market".into(),
        facts,
        tables: vec![
            gas_table(&sizes, &rows, gas_notes(&points)),
            growth(&sizes, &points),
            spread_table(&sizes, &rows),
            breakdown,
            charges_table(&points),
            claim_calls_table(&points, &b),
            callback_table(&points),
            list_table(&points),
            shape_table(&points),
            reads_table(&points),
            population_table(&steps, &b),
        ],
    })
}

fn gas_rows(points: &[Point]) -> Vec<GasRow<'_>> {
    (0..points[0].gas.rows().len())
        .map(|i| {
            let name = points[0].gas.rows()[i].0;
            (name, points.iter().map(|p| p.gas.rows()[i].1).collect())
        })
        .collect()
}

fn breakdown_rows(points: &[Point]) -> Vec<GasRow<'_>> {
    (0..points[0].breakdown.rows().len())
        .map(|i| {
            let name = points[0].breakdown.rows()[i].0;
            (name, points.iter().map(|p| p.breakdown.rows()[i].1).collect())
        })
        .collect()
}

fn gas_notes(points: &[Point]) -> Vec<String> {
    let at: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{} bounties and {} claims at N = {}",
                thousands(p.veterans_at.0 as u64),
                thousands(p.veterans_at.1),
                thousands(p.n as u64)
            )
        })
        .collect();
    let claims: Vec<String> = points
        .iter()
        .map(|p| format!("{} at N = {}", thousands(p.claims), thousands(p.n as u64)))
        .collect();
    vec![
        format!(
            "N = bounties in the market before the first message at that size (claims then: {}). \
             In order: the getters (GetBounty and GetClaim spread over every bounty and claim; \
             ListBounties all in consecutive pages from the start, by each client and by each \
             popular piece from the start), {SAMPLES} PostBounty (sample bounties expiring {} \
             epochs later), then the claims, each on an open bounty found from a spread position \
             (a deal for its piece published and activated first): {SAMPLES} by new miners, \
             {SAMPLES} with and {SAMPLES} without location by population miners.",
            claims.join(", "),
            EXPIRES_SOON
        ),
        format!(
            "CancelBounty and Reclaim (after cancel) on {SAMPLES} open population bounties, by their \
             clients; GetProviderBalance (1 claim) on the new miners; the chain then moves past the \
             sample bounties' expiry: Reclaim (after expiry) on them, Withdraw (1 claim) by the new \
             miners (pays what vested since their claims)."
        ),
        format!(
            "32 claims: {SAMPLES} veteran miners each claim the same {VETERAN_CLAIMS} bounties of \
             {SAMPLES} replicas, made at the end of the first N's messages (so the first N's two \
             rows run with more than N bounties); GetProviderBalance then Withdraw (one page of 32 \
             claims, what vested since the last) run last at each N: {}.",
            at.join(", ")
        ),
        "Without sector_location the escrow asks the miner's GenerateSectorLocation; the \
         stand-in miner answers from one HAMT lookup, as cheap as ValidateSectorStatus, where the \
         builtin miner searches its deadlines and partitions."
            .into(),
        format!(
            "ReportFault on a claim's lock: after the Withdraws, the operator terminates the deals \
             of the {SAMPLES} claims with location by population miners and the reader reports each \
             lock (DealTerminated, traced); OnCollateralChanged is the market's call inside it \
             (the sum of the trace's charges under that call)."
        ),
        format!(
            "DDO: after the claims, {SAMPLES} new miners each deposit {} FIL (DepositCollateral, by \
             their owner), then the operator has each miner send SectorContentChanged to the \
             market for one piece naming an open bounty found from a spread position: first with \
             a wrong piece (refused, a `ddo-piece-refused` event), then with the bounty's (claimed: \
             the escrow locks {COLLATERAL} FIL of the deposit on the sector alone, asking the miner \
             while it notifies); the rows are the operator's whole message (the stand-in miner's \
             send included). WithdrawCollateral then pays the {COLLATERAL} FIL left to the owner; \
             GetCollateral reads the deposit.",
            2 * COLLATERAL
        ),
        "Constructor: the whole message, init's Exec included: init records the new actor in \
         its address map, which grows with every actor the chain creates (the population's \
         miners and contracts), so its gas grows with N while the constructor's own work does \
         not."
            .into(),
    ]
}

fn breakdown_notes() -> Vec<String> {
    vec![super::report::prose("claim-breakdown")]
}

fn list_table(points: &[Point]) -> Table {
    let rows = points
        .iter()
        .map(|p| {
            let mut row = vec![thousands(p.n as u64)];
            for (listed, gas) in [
                (&p.listed.all, &p.gas.list_all),
                (&p.listed.client, &p.gas.list_client),
                (&p.listed.piece, &p.gas.list_piece),
            ] {
                let entries = listed.iter().sum::<u64>() as f64 / listed.len().max(1) as f64;
                row.push(format!("{entries:.1}"));
                row.push(thousands((mean(gas) as f64 / entries.max(1.0)).round() as u64));
            }
            row
        })
        .collect();
    Table {
        caption: "ListBounties pages: bounties returned (mean of the samples) and gas per bounty returned"
            .into(),
        header: [
            "N",
            "all: bounties",
            "gas / bounty",
            "by client",
            "gas / bounty",
            "by piece",
            "gas / bounty",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![format!(
            "A page holds at most the bounties that match: every bounty, one client's (1/{CLIENTS} of \
             the population), one popular piece's (1/{} of it).",
            2 * POPULAR_PIECES
        )],
    }
}

fn shape_table(points: &[Point]) -> Table {
    super::hamt::shape_table(
        "Market AMTs and HAMTs at each N, before its messages (bounties, claims: AMTs of bit width 3; the rest: HAMTs of bit width 3, buckets of 3; a set's first 8 ids inline in its key's entry)".into(),
        points.iter().map(|p| (p.n, p.shapes.maps.clone())),
        vec!["Indexes are maps key → root of a set id → true: `(sets)` rows sum every key's set.".into()],
    )
}

fn reads_table(points: &[Point]) -> Table {
    let pair = |(blocks, bytes): (f64, f64)| [format!("{blocks:.2}"), kib(bytes)];
    let page = |((sb, sn), (lb, ln)): PageReads| [format!("{sb} + {lb}"), kib((sn + ln) as f64)];
    let rows = points
        .iter()
        .map(|p| {
            let mut row = vec![thousands(p.n as u64)];
            row.extend(pair(p.shapes.bounty_path));
            row.extend(pair(p.shapes.claim_path));
            row.extend(page(p.reads.client));
            row.extend(page(p.reads.piece));
            row.extend(page(p.reads.veteran));
            row
        })
        .collect();
    Table {
        caption: "Market HAMT nodes one call reads (blocks, KiB) at each N".into(),
        header: [
            "N",
            "bounty path",
            "KiB",
            "claim path",
            "KiB",
            "client page",
            "KiB",
            "piece page",
            "KiB",
            "32 claims",
            "KiB",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            super::report::prose("market-paths"),
            super::report::prose("market-pages"),
        ],
    }
}

fn population_table(steps: &[Step], b: &Bench) -> Table {
    let row = |label: String, c: [Clock; 5], wall: Duration| {
        let [exec, sectors, deals, posts, claims] = c;
        vec![
            label,
            thousands(posts.messages),
            posts.ms_per_message(),
            thousands(claims.messages),
            claims.ms_per_message(),
            thousands(deals.messages),
            thousands(exec.messages + sectors.messages),
            rate(&c),
            seconds(wall),
        ]
    };
    let mut rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            row(
                format!("{} → {}", thousands(s.from as u64), thousands(s.to as u64)),
                [s.exec, s.sectors, s.deals, s.posts, s.claims],
                s.wall,
            )
        })
        .collect();
    let all = [b.exec, b.sectors, b.deals, b.posts, b.claim_clock];
    let time = all.iter().map(|c| c.time).sum();
    rows.push(row("all (incl. measured messages)".into(), all, time));
    Table {
        caption: "Harness throughput while building the population (wall time)".into(),
        header: [
            "bounties",
            "PostBounty",
            "ms / post",
            "ClaimBounty",
            "ms / claim",
            "deal messages",
            "miner messages",
            "messages/s",
            "wall time",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "Deal messages: the operator's publish and activate, two per claim; miner messages: \
             Exec and AddSector. Wall time of the step includes the checks of every receipt; the \
             last row counts message time only (population, measured messages and the veterans)."
                .into(),
        ],
    }
}

/// Every map of a set index summed: the outer map (small sets inline in it) and the sets that
/// have a map of their own.
fn index_shapes<B: Blockstore, K: MapKey>(store: &B, root: &Cid) -> Result<(MapShape, MapShape)> {
    let outer = shape::<_, K, Members>(store, root)?;
    let roots = Map::<_, K, Members>::load(store, root, "index")?
        .page(None, usize::MAX)?
        .entries;
    let mut sets = MapShape::default();
    for r in roots.iter().filter_map(|(_, m)| m.tree.as_ref()) {
        let s = shape::<_, u64, bool>(store, r)?;
        sets.entries += s.entries;
        sets.nodes += s.nodes;
        sets.bytes += s.bytes;
    }
    Ok((outer, sets))
}

/// Mean blocks and bytes on the paths to keys `0..count` of a map.
fn mean_path<B: Blockstore, V>(store: &B, root: &Cid, count: u64) -> Result<(f64, f64)>
where
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let (mut blocks, mut bytes) = (0, 0);
    for id in 0..count {
        let (found, b, n) = vector_read::<_, V, _>(store, root, |m| Ok(m.contains(id)?))?;
        ensure!(found, "key {id} is missing");
        blocks += b;
        bytes += n;
    }
    let count = count.max(1) as f64;
    Ok((blocks as f64 / count, bytes as f64 / count))
}

/// What walking `key`'s set in `index` for `limit` ids and then looking each id up in
/// `map` reads: (blocks, bytes) of the set, of the lookups.
fn page_reads<B: Blockstore, K: MapKey, V>(
    store: &B,
    index: &Cid,
    key: &K,
    limit: usize,
    map: &Cid,
) -> Result<PageReads>
where
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let (members, _, _) =
        read::<_, K, Members, _>(store, index, |m| m.get(key)?.cloned().context("no such key"))?;
    // An inline set is read with the outer path: nothing more.
    let (page, ib, inb) = match &members.tree {
        Some(root) => read::<_, u64, bool, _>(store, root, |m| Ok(m.page(None, limit)?.entries))?,
        None => (
            members.inline.iter().take(limit).map(|id| (*id, true)).collect(),
            0,
            0,
        ),
    };
    let ((), mb, mnb) = vector_read::<_, V, _>(store, map, |m| {
        for (id, _) in &page {
            ensure!(m.get(*id)?.is_some(), "{id} is missing");
        }
        Ok(())
    })?;
    Ok(((ib, inb), (mb, mnb)))
}

impl Bench {
    fn new() -> Result<Self> {
        let mut h = Harness::new()?;
        let admin = h.create_account(fil(1_000))?;
        // Every claim's collateral, and the breakdown's locks.
        let owner = h.create_bls_account(fil(100_000))?;
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            // About 2,000 bounties of 4 FIL each on a full run.
            clients.push(h.create_account(fil(100_000))?);
        }
        let reader = h.create_account(fil(1_000))?;
        let suite = bm::deploy(&mut h, &admin, &admin, Policy::default(), MarketPolicy::default())?;
        let code = h.install_code(&admin, integration_tests::actors::require_wasm(PACKAGE)?)?;
        Ok(Self {
            h,
            suite,
            admin,
            owner,
            clients,
            reader,
            bounties: Vec::new(),
            population: 0,
            miners: Vec::new(),
            other_miners: 0,
            veterans: Vec::new(),
            claims: 0,
            sample_posts: 0,
            exec: Clock::default(),
            sectors: Clock::default(),
            deals: Clock::default(),
            posts: Clock::default(),
            claim_clock: Clock::default(),
            code,
        })
    }

    fn market(&self) -> ActorID {
        self.suite.market
    }

    /// A new miner owned and worked by the owner account, with its sector.
    fn new_miner(&mut self) -> Result<ActorID> {
        let owner = self.owner;
        let id = self.exec.time(|| {
            create_miner(
                &mut self.h,
                &owner,
                owner.address(),
                owner.address(),
                vec![],
                SECTOR_SIZE_32GIB,
            )
        })?;
        self.sectors.time(|| {
            miner::add_sector(
                &mut self.h,
                id,
                SECTOR,
                LOCATION.deadline as u64,
                LOCATION.partition as u64,
                SECTOR_EXPIRATION,
            )?
            .ok()
            .context("HarnessAddSector")
        })?;
        Ok(id)
    }

    /// Posts a bounty of `client` for `piece` (with `renewals` renewal terms funded); its
    /// receipt.
    #[allow(clippy::too_many_arguments)]
    fn post(
        &mut self,
        kind: Kind,
        client: usize,
        piece: Cid,
        replicas: u64,
        expiry: ChainEpoch,
        diverse: bool,
        renewals: u64,
    ) -> Result<Receipt> {
        let (from, market) = (self.clients[client], self.market());
        let p = PostBountyParams {
            piece_cid: piece,
            piece_size: DEFAULT_PIECE_SIZE,
            replicas,
            reward_per_replica: fil(REWARD),
            collateral_per_replica: fil(COLLATERAL),
            min_duration: MIN_DURATION,
            expiry,
            min_reputation: None,
            allowed_providers: None,
            distinct_owners: diverse,
            max_per_region: diverse.then_some(replicas as u32 - 1),
            renewals,
        };
        let value = fil(REWARD * (replicas + renewals));
        let r = self
            .posts
            .time(|| BountyMarketClient::at(market).post(&mut self.h, &from, &p, value))?
            .ok()
            .context("PostBounty")?;
        let id = bm::bounty_id(&r)?;
        ensure!(
            id == self.bounties.len() as u64,
            "bounty id {id}, expected {}",
            self.bounties.len()
        );
        ensure!(r.events_of(EVENT_POSTED).len() == 1, "no posted event");
        self.bounties.push(Posted {
            client,
            piece,
            replicas,
            expiry,
            kind,
            claimers: Vec::new(),
            cancelled: false,
        });
        Ok(r)
    }

    /// A deal between bounty `b`'s client and `miner` for its piece, published and activated
    /// now in the miner's sector.
    fn deal(&mut self, miner: ActorID, b: usize) -> Result<DealID> {
        let (client, piece, epoch) = (
            self.clients[self.bounties[b].client].id,
            self.bounties[b].piece,
            self.h.epoch(),
        );
        let proposal = DealProposal {
            piece_cid: piece,
            label: Label::String(format!("bounty {b}")),
            ..deal_proposal(client, miner, epoch + 10, DEAL_END, 1)
        };
        let deal = self.deals.time(|| self.h.publish_deal(&proposal))?;
        self.deals.time(|| self.h.activate_deal(deal, SECTOR))?;
        Ok(deal)
    }

    /// `miner` claims bounty `b` with a new deal; the deal and the receipt.
    fn claim(
        &mut self,
        miner: ActorID,
        b: usize,
        location: Option<SectorLocation>,
    ) -> Result<(DealID, Receipt)> {
        let deal = self.deal(miner, b)?;
        let (owner, market) = (self.owner, self.market());
        let p = bm::claim_params(b as u64, miner, deal, SECTOR, location);
        let r = self
            .claim_clock
            .time(|| BountyMarketClient::at(market).claim(&mut self.h, &owner, &p, fil(COLLATERAL)))?
            .ok()
            .context("ClaimBounty")?;
        let ret: ClaimBountyReturn = r.ret()?;
        ensure!(
            ret.claim_id == self.claims,
            "claim id {}, expected {}",
            ret.claim_id,
            self.claims
        );
        ensure!(
            r.events_of(EVENT_CLAIMED).len() == 1
                && r.events_of(EVENT_LOCKED).len() == 1
                && r.events_of(EVENT_REPUTATION_UPDATED).is_empty()
                && r.events_of(EVENT_REPUTATION_FAILED).is_empty(),
            "a claim without its claimed and locked events, or with a registry report"
        );
        self.claims += 1;
        self.bounties[b].claimers.push(miner);
        Ok((deal, r))
    }

    /// One population bounty; every 10th claimed at once by the current population miner.
    fn add_bounty(&mut self) -> Result<()> {
        let i = self.population;
        let piece = if i % 2 == 1 {
            popular(i / 2 % POPULAR_PIECES)
        } else {
            piece(1, i as u64)
        };
        self.post(Kind::Population, i % CLIENTS, piece, REPLICAS, EXPIRY, false, 0)?;
        self.population += 1;
        if i.is_multiple_of(CLAIM_EVERY) {
            let m = match self.miners.last() {
                Some(m) if m.claims < CLAIMS_PER_MINER => self.miners.len() - 1,
                _ => {
                    let id = self.new_miner()?;
                    self.miners.push(Miner { id, claims: 0 });
                    self.miners.len() - 1
                }
            };
            let b = self.bounties.len() - 1;
            self.claim(self.miners[m].id, b, Some(LOCATION))?;
            self.miners[m].claims += 1;
        }
        Ok(())
    }

    fn clocks(&self) -> [Clock; 5] {
        [self.exec, self.sectors, self.deals, self.posts, self.claim_clock]
    }

    /// Adds population bounties until the market holds `target`; progress on stderr.
    fn populate(&mut self, target: usize) -> Result<Step> {
        let from = self.bounties.len();
        ensure!(
            from <= target,
            "the market already holds {from} bounties, more than {target}"
        );
        let before = self.clocks();
        let started = Instant::now();
        let messages = |b: &Bench| -> u64 {
            b.clocks()
                .iter()
                .zip(&before)
                .map(|(c, e)| c.since(e).messages)
                .sum()
        };
        // A line per thousand bounties on long steps.
        let mut next_report = if target - from >= 2_000 {
            (from / 1_000 + 1) * 1_000
        } else {
            usize::MAX
        };
        while self.bounties.len() < target {
            self.add_bounty()?;
            if self.bounties.len() >= next_report {
                next_report += 1_000;
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "  populating: {} / {} bounties, {} claims, {} messages in {secs:.1} s ({:.0} \
                     messages/s)",
                    thousands(self.bounties.len() as u64),
                    thousands(target as u64),
                    thousands(self.claims),
                    thousands(messages(self)),
                    messages(self) as f64 / secs
                );
            }
        }
        let now = self.clocks();
        let since: Vec<Clock> = now.iter().zip(&before).map(|(c, e)| c.since(e)).collect();
        let step = Step {
            from,
            to: target,
            exec: since[0],
            sectors: since[1],
            deals: since[2],
            posts: since[3],
            claims: since[4],
            wall: started.elapsed(),
        };
        eprintln!(
            "  N = {}: populated in {} ({} messages/s)",
            thousands(target as u64),
            seconds(step.wall),
            rate(&since)
        );
        Ok(step)
    }

    /// Whether `provider` may claim bounty `b` now (sample bounties keep a slot, for the
    /// Reclaim after their expiry).
    fn claimable(&self, b: usize, provider: ActorID) -> bool {
        let p = &self.bounties[b];
        let slots = match p.kind {
            Kind::Population => p.replicas,
            Kind::Sample => p.replicas - 1,
            Kind::Veteran => 0,
        };
        !p.cancelled
            && p.expiry > self.h.epoch()
            && (p.claimers.len() as u64) < slots
            && !p.claimers.contains(&provider)
    }

    /// The first bounty from sample `i`'s spread position that `provider` may claim.
    fn pick(&self, i: usize, provider: ActorID) -> Result<usize> {
        let len = self.bounties.len();
        let start = spread(len, i);
        (0..len)
            .map(|k| (start + k) % len)
            .find(|&b| self.claimable(b, provider))
            .with_context(|| format!("no bounty f0{provider} can claim"))
    }

    fn get<P: serde::Serialize>(&mut self, method: u64, p: &P) -> Result<Receipt> {
        let (reader, market) = (self.reader, self.market());
        self.h.call(&reader, market, method, p, zero())
    }

    fn list(
        &mut self,
        client: Option<usize>,
        piece: Option<Cid>,
        cursor: Option<u64>,
    ) -> Result<(ListBountiesReturn, u64)> {
        let p = bm::list_params(client.map(|c| self.clients[c].id), piece, cursor, PAGE);
        let r = self.get(METHOD_LIST_BOUNTIES, &p)?;
        let page: ListBountiesReturn = r.ret().context("ListBounties")?;
        ensure!(
            page.bounties.len() == PAGE as usize || (page.next.is_none() && !page.bounties.is_empty()),
            "a short page ({} bounties) that is not the last",
            page.bounties.len()
        );
        for got in &page.bounties {
            let posted = &self.bounties[got.bounty_id as usize];
            ensure!(
                client.is_none_or(|c| got.bounty.client == self.clients[c].id)
                    && piece.is_none_or(|p| got.bounty.piece_cid == p)
                    && got.bounty.piece_cid == posted.piece,
                "ListBounties answered bounty {} that does not match",
                got.bounty_id
            );
        }
        Ok((page, r.gas_used))
    }

    fn balance(&mut self, provider: ActorID, open_claims: u64) -> Result<u64> {
        let p = ProviderParams {
            provider: Address::new_id(provider),
        };
        let r = self.get(METHOD_GET_PROVIDER_BALANCE, &p)?;
        let got: ProviderBalance = r.ret().context("GetProviderBalance")?;
        ensure!(
            got.open_claims == open_claims,
            "f0{provider} has {} open claims, not {open_claims}",
            got.open_claims
        );
        Ok(r.gas_used)
    }

    fn withdraw(&mut self, provider: ActorID) -> Result<u64> {
        let (owner, market) = (self.owner, self.market());
        let r = BountyMarketClient::at(market)
            .withdraw(&mut self.h, &owner, Address::new_id(provider))?
            .ok()
            .context("Withdraw")?;
        let ret: WithdrawReturn = r.ret()?;
        ensure!(
            !ret.paid.is_zero() && ret.to == owner.id && !ret.more,
            "Withdraw of f0{provider} answered {ret:?}"
        );
        ensure!(r.events_of(EVENT_WITHDRAWN).len() == 1, "no withdrawn event");
        Ok(r.gas_used)
    }

    /// Reclaim by bounty `b`'s client, which must pay the unclaimed slots' rewards.
    fn reclaim(&mut self, b: usize) -> Result<u64> {
        let p = &self.bounties[b];
        let (client, market) = (self.clients[p.client], self.market());
        let want = fil(REWARD * (p.replicas - p.claimers.len() as u64));
        let r = BountyMarketClient::at(market)
            .reclaim(&mut self.h, &client, b as u64)?
            .ok()
            .context("Reclaim")?;
        let paid: TokenAmount = r.ret()?;
        ensure!(paid == want, "Reclaim of bounty {b} paid {paid}, not {want}");
        ensure!(r.events_of(EVENT_RECLAIMED).len() == 1, "no reclaimed event");
        Ok(r.gas_used)
    }

    /// The breakdown of the claim of bounty `b` by `miner` with `deal`: the same Lock alone,
    /// less the same message to an account.
    fn breakdown(&mut self, miner: ActorID, b: usize, deal: DealID) -> Result<u64> {
        let (owner, reader, escrow) = (self.owner, self.reader, self.suite.escrow);
        let lock = LockParams {
            reference: None,
            provider: Address::new_id(miner),
            beneficiary: Address::new_id(self.clients[self.bounties[b].client].id),
            refund_to: owner.address(),
            evidence: EvidenceParams {
                deal: Some(deal),
                sector: Some(SECTOR),
                sector_location: Some(LOCATION),
            },
            end_epoch: self.h.epoch() + MIN_DURATION,
            notify: Some(Address::new_id(self.market())),
        };
        let alone = self
            .h
            .call(&owner, escrow, METHOD_LOCK, &lock, fil(COLLATERAL))?
            .ok()
            .context("Lock alone")?;
        ensure!(alone.events_of(EVENT_LOCKED).len() == 1, "no lock event");
        let sink = self
            .h
            .call(&owner, reader.id, METHOD_LOCK, &lock, fil(COLLATERAL))?
            .ok()
            .context("Lock to an account")?;

        Ok(alone.gas_used.saturating_sub(sink.gas_used))
    }

    /// The veterans: {SAMPLES} new miners each claim the same 32 new bounties.
    fn add_veterans(&mut self) -> Result<()> {
        eprintln!(
            "  adding {SAMPLES} veteran providers of {VETERAN_CLAIMS} claims each ({} messages)",
            VETERAN_CLAIMS * (1 + 3 * SAMPLES) + 2 * SAMPLES
        );
        let first = self.bounties.len();
        for k in 0..VETERAN_CLAIMS {
            self.post(
                Kind::Veteran,
                k % CLIENTS,
                piece(4, k as u64),
                SAMPLES as u64,
                EXPIRY,
                false,
                0,
            )?;
        }
        for _ in 0..SAMPLES {
            let miner = self.new_miner()?;
            self.other_miners += 1;
            for b in first..first + VETERAN_CLAIMS {
                self.claim(miner, b, Some(LOCATION))?;
            }
            self.veterans.push(miner);
        }
        Ok(())
    }

    /// Every method at the current population; see `gas_notes` for the order.
    fn measure(&mut self, n: usize) -> Result<Point> {
        ensure!(
            self.bounties.len() == n,
            "the market holds {} bounties, not {n}",
            self.bounties.len()
        );
        ensure!(self.claims > 0, "no claim to get");
        let (claims, shapes) = (self.claims, self.shapes()?);
        let (mut gas, mut breakdown, mut listed) = (Gas::default(), Breakdown::default(), Listed::default());

        for i in 0..SAMPLES {
            let id = spread(n, i) as u64;
            let r = self.get(METHOD_GET_BOUNTY, &IdParams { id })?;
            let got: GetBountyReturn = r.ret().context("GetBounty")?;
            ensure!(
                got.bounty_id == id && got.bounty.piece_cid == self.bounties[id as usize].piece,
                "GetBounty answered another bounty"
            );
            gas.get_bounty.push(r.gas_used);
        }
        for i in 0..SAMPLES {
            let id = spread(self.claims as usize, i) as u64;
            let r = self.get(METHOD_GET_CLAIM, &IdParams { id })?;
            let got: GetClaimReturn = r.ret().context("GetClaim")?;
            ensure!(got.claim_id == id, "GetClaim answered another claim");
            gas.get_claim.push(r.gas_used);
        }
        let mut cursor = None;
        for _ in 0..SAMPLES {
            let (page, g) = self.list(None, None, cursor)?;
            cursor = page.next;
            listed.all.push(page.bounties.len() as u64);
            gas.list_all.push(g);
        }
        for i in 0..SAMPLES {
            let (page, g) = self.list(Some(i % CLIENTS), None, None)?;
            listed.client.push(page.bounties.len() as u64);
            gas.list_client.push(g);
        }
        for i in 0..SAMPLES {
            let (page, g) = self.list(None, Some(popular(i % POPULAR_PIECES)), None)?;
            listed.piece.push(page.bounties.len() as u64);
            gas.list_piece.push(g);
        }

        let posted_at = self.h.epoch();
        let mut expiring = Vec::new();
        for i in 0..SAMPLES {
            let p = piece(3, self.sample_posts);
            self.sample_posts += 1;
            let r = self.post(
                Kind::Sample,
                i % CLIENTS,
                p,
                REPLICAS,
                posted_at + EXPIRES_SOON,
                false,
                0,
            )?;
            gas.post.push(r.gas_used);
            expiring.push(self.bounties.len() - 1);
        }

        let mut fresh = Vec::new();
        let mut reported = Vec::new();
        let mut claim_trace = None;
        for i in 0..SAMPLES {
            let miner = self.new_miner()?;
            self.other_miners += 1;
            let b = self.pick(i, miner)?;
            let (_, r) = self.claim(miner, b, Some(LOCATION))?;
            gas.claim_new.push(r.gas_used);
            fresh.push(miner);
        }
        for i in 0..SAMPLES {
            let m = spread(self.miners.len(), i);
            let miner = self.miners[m].id;
            let b = self.pick(i, miner)?;
            if i == 0 {
                self.h.set_tracing(true)?;
            }
            let (deal, r) = self.claim(miner, b, Some(LOCATION))?;
            if i == 0 {
                claim_trace = Some(super::trace::parse(self.h.last_trace())?);
                self.h.set_tracing(false)?;
            }
            let ret: ClaimBountyReturn = r.ret()?;
            reported.push((deal, ret.lock_id));
            self.miners[m].claims += 1;
            let lock = self.breakdown(miner, b, deal)?;
            gas.claim_located.push(r.gas_used);
            breakdown.claim.push(r.gas_used);
            breakdown.lock.push(lock);
            breakdown.rest.push(r.gas_used.saturating_sub(lock));
        }
        for i in 0..SAMPLES {
            let m = spread(self.miners.len(), i);
            let miner = self.miners[m].id;
            let b = self.pick(i, miner)?;
            let (_, r) = self.claim(miner, b, None)?;
            self.miners[m].claims += 1;
            gas.claim_search.push(r.gas_used);
        }

        for i in 0..SAMPLES {
            self.ddo_claim_sample(i, &mut gas)?;
        }

        let mut cancelled = Vec::new();
        for i in 0..SAMPLES {
            let len = self.bounties.len();
            let start = spread(len, i);
            let epoch = self.h.epoch();
            let b = (0..len)
                .map(|k| (start + k) % len)
                .find(|&b| {
                    let p = &self.bounties[b];
                    p.kind == Kind::Population
                        && !p.cancelled
                        && p.expiry > epoch
                        && (p.claimers.len() as u64) < p.replicas
                })
                .context("no open bounty to cancel")?;
            let (client, market) = (self.clients[self.bounties[b].client], self.market());
            let r = BountyMarketClient::at(market)
                .cancel(&mut self.h, &client, b as u64)?
                .ok()
                .context("CancelBounty")?;
            ensure!(r.events_of(EVENT_CANCELLED).len() == 1, "no cancelled event");
            self.bounties[b].cancelled = true;
            gas.cancel.push(r.gas_used);
            cancelled.push(b);
        }
        for b in cancelled {
            gas.reclaim_cancelled.push(self.reclaim(b)?);
        }
        self.crowdfund(&mut gas)?;
        for &miner in &fresh {
            gas.balance_one.push(self.balance(miner, 1)?);
        }

        self.h.advance_to(posted_at + EXPIRES_SOON)?;
        for b in expiring {
            gas.reclaim_expired.push(self.reclaim(b)?);
        }
        for &miner in &fresh {
            gas.withdraw_one.push(self.withdraw(miner)?);
        }

        if self.veterans.is_empty() {
            self.add_veterans()?;
            let next = self.h.epoch() + 1;
            self.h.advance_to(next)?;
        }
        let veterans_at = (self.bounties.len(), self.claims);
        for v in self.veterans.clone() {
            gas.balance_many.push(self.balance(v, VETERAN_CLAIMS as u64)?);
        }
        let reads = self.reads()?;
        for v in self.veterans.clone() {
            gas.withdraw_many.push(self.withdraw(v)?);
        }
        let callback_trace = self.report_claims(&reported, &mut gas)?;
        for _ in 0..SAMPLES {
            let params = suite_interfaces::bounty::ConstructorParams {
                escrow: Address::new_id(self.suite.escrow),
                reputation: Address::new_id(self.suite.reputation),
                policy: MarketPolicy::default(),
            };
            let (reader, code) = (self.reader, self.code);
            let r = self
                .h
                .exec_actor(&reader, code, &params, zero())?
                .ok()
                .context("Constructor")?;
            gas.constructor.push(r.gas_used);
        }
        for _ in 0..SAMPLES {
            let (reader, market) = (self.reader, self.market());
            let r = self.h.call_no_params(&reader, market, METHOD_GET_POLICY)?;
            let got: GetPolicyReturn = r.ret().context("GetPolicy")?;
            ensure!(
                got.escrow == self.suite.escrow && got.min_collateral == Policy::default().min_collateral,
                "GetPolicy answered {got:?}"
            );
            gas.policy.push(r.gas_used);
        }
        self.renewal_samples(&mut gas)?;
        eprintln!("  N = {}: measured", thousands(n as u64));
        Ok(Point {
            n,
            claims,
            gas,
            breakdown,
            listed,
            shapes,
            reads,
            veterans_at,
            claim_trace: claim_trace.context("no claim traced")?,
            callback_trace,
        })
    }

    /// A DDO claim by a new miner: its deposit (two collaterals), a notification naming an
    /// open bounty with the wrong piece (refused), then with the right one (claimed), the
    /// withdrawal of the collateral left and the deposit read.
    fn ddo_claim_sample(&mut self, i: usize, gas: &mut Gas) -> Result<()> {
        let miner = self.new_miner()?;
        self.other_miners += 1;
        let (owner, market) = (self.owner, self.market());
        let client = BountyMarketClient::at(market);
        let r = client
            .deposit_collateral(&mut self.h, &owner, Address::new_id(miner), fil(2 * COLLATERAL))?
            .ok()
            .context("DepositCollateral")?;
        ensure!(
            r.events_of(EVENT_COLLATERAL_DEPOSITED).len() == 1,
            "no deposited event"
        );
        gas.deposit.push(r.gas_used);
        let b = self.pick(i, miner)?;
        let notify = |h: &mut Harness, piece: Cid| -> Result<(Vec<Vec<bool>>, Receipt)> {
            let sectors = bm::ddo_activation(SECTOR, SECTOR_EXPIRATION, piece, DEFAULT_PIECE_SIZE, b as u64);
            let control = miner::Control::Notify(miner::HarnessNotifyParams {
                receiver: Address::new_id(market),
                sectors,
            });
            let r = miner::control(h, miner, &control)?
                .ok()
                .context("HarnessNotifySectorContentChanged")?;
            let relayed: miner::HarnessNotifyReturn = r.ret()?;
            ensure!(
                relayed.exit_code.is_success(),
                "the market aborted the notification"
            );
            Ok((fvm_ipld_encoding::from_slice(relayed.return_data.bytes())?, r))
        };
        let (answer, r) = notify(&mut self.h, piece(5, i as u64))?;
        ensure!(
            answer == vec![vec![false]] && r.events_of(EVENT_DDO_REFUSED).len() == 1,
            "a wrong piece was not refused: {answer:?}"
        );
        gas.ddo_refused.push(r.gas_used);
        let (answer, r) = notify(&mut self.h, self.bounties[b].piece)?;
        ensure!(
            answer == vec![vec![true]]
                && r.events_of(EVENT_DDO_CLAIMED).len() == 1
                && r.events_of(EVENT_LOCKED).len() == 1,
            "the DDO piece was not claimed: {answer:?}"
        );
        gas.ddo_claim.push(r.gas_used);
        self.claims += 1;
        self.bounties[b].claimers.push(miner);
        let r = client
            .withdraw_collateral(&mut self.h, &owner, Address::new_id(miner), fil(COLLATERAL))?
            .ok()
            .context("WithdrawCollateral")?;
        let ret: WithdrawCollateralReturn = r.ret()?;
        ensure!(
            ret.available.is_zero() && ret.to == owner.id,
            "WithdrawCollateral answered {ret:?}"
        );
        gas.withdraw_collateral.push(r.gas_used);
        let r = self.get(
            METHOD_GET_COLLATERAL,
            &ProviderParams {
                provider: Address::new_id(miner),
            },
        )?;
        let got: CollateralDeposit = r.ret().context("GetCollateral")?;
        ensure!(
            got.locked_total == fil(COLLATERAL),
            "GetCollateral answered {got:?}"
        );
        gas.get_collateral.push(r.gas_used);
        Ok(())
    }

    /// Renewal needs the chain three quarters of a term later: measured on a fork that is
    /// dropped afterwards (the harness resumes from a snapshot taken first), so the population
    /// and the next sizes see the epochs and state they would have without it.
    fn renewal_samples(&mut self, gas: &mut Gas) -> Result<()> {
        let snapshot = self.h.snapshot()?;
        let saved = (
            self.bounties.len(),
            self.claims,
            self.sample_posts,
            self.other_miners,
        );
        let measured = self.renewal_fork(gas);
        let store = self.h.store().clone();
        self.h = Harness::resume(store, &snapshot)?;
        self.bounties.truncate(saved.0);
        (self.claims, self.sample_posts, self.other_miners) = (saved.1, saved.2, saved.3);
        measured
    }

    /// Per sample on the fork: a bounty posted with 1 renewal term, 2 more funded
    /// (FundRenewals), claimed by two new miners (one of them with a DDO deposit); three
    /// quarters of a term later one renews with a new deal (RenewClaim), the other with a DDO
    /// notification naming [bounty, claim], and the client takes back the third term
    /// (ReclaimRenewals).
    fn renewal_fork(&mut self, gas: &mut Gas) -> Result<()> {
        let market = self.market();
        let client_of = |b: &Bench, bounty: usize| b.clients[b.bounties[bounty].client];
        let mut claimed = Vec::new();
        for i in 0..SAMPLES {
            let p = piece(6, self.sample_posts);
            self.sample_posts += 1;
            self.post(Kind::Sample, i % CLIENTS, p, REPLICAS, EXPIRY, false, 1)?;
            let b = self.bounties.len() - 1;
            let client = client_of(self, b);
            let r = BountyMarketClient::at(market)
                .fund_renewals(&mut self.h, &client, b as u64, 2, fil(2 * REWARD))?
                .ok()
                .context("FundRenewals")?;
            ensure!(
                r.events_of(EVENT_RENEWALS_FUNDED).len() == 1,
                "no renewals-funded event"
            );
            gas.fund_renewals.push(r.gas_used);
            let by_deal = self.new_miner()?;
            let by_ddo = self.new_miner()?;
            let claim_of = |r: &Receipt| -> Result<u64> { Ok(r.ret::<ClaimBountyReturn>()?.claim_id) };
            let (_, r) = self.claim(by_deal, b, Some(LOCATION))?;
            let deal_claim = claim_of(&r)?;
            let (_, r) = self.claim(by_ddo, b, Some(LOCATION))?;
            let ddo_claim = claim_of(&r)?;
            let owner = self.owner;
            BountyMarketClient::at(market)
                .deposit_collateral(&mut self.h, &owner, Address::new_id(by_ddo), fil(COLLATERAL))?
                .ok()
                .context("DepositCollateral")?;
            claimed.push((b, by_deal, deal_claim, by_ddo, ddo_claim));
        }
        let window = self.h.epoch() + MIN_DURATION - MIN_DURATION / 4 + 1;
        self.h.advance_to(window)?;
        for (b, by_deal, deal_claim, by_ddo, ddo_claim) in claimed {
            let (client, piece, epoch, owner) = (
                self.clients[self.bounties[b].client],
                self.bounties[b].piece,
                self.h.epoch(),
                self.owner,
            );
            let proposal = DealProposal {
                piece_cid: piece,
                label: Label::String(format!("renewal of claim {deal_claim}")),
                ..deal_proposal(client.id, by_deal, epoch + 10, RENEWAL_DEAL_END, 1)
            };
            let deal = self.h.publish_deal(&proposal)?;
            self.h.activate_deal(deal, SECTOR)?;
            let p = RenewClaimParams {
                claim_id: deal_claim,
                deal_id: deal,
                sector: SECTOR,
                sector_location: Some(LOCATION),
            };
            let r = BountyMarketClient::at(market)
                .renew(&mut self.h, &owner, &p, fil(COLLATERAL))?
                .ok()
                .context("RenewClaim")?;
            ensure!(
                r.events_of(EVENT_CLAIM_RENEWED).len() == 1 && r.events_of(EVENT_LOCKED).len() == 1,
                "a renewal without its renewed and locked events"
            );
            gas.renew_claim.push(r.gas_used);
            let mut sectors =
                bm::ddo_activation(SECTOR, SECTOR_EXPIRATION, piece, DEFAULT_PIECE_SIZE, b as u64);
            sectors.sectors[0].added[0].payload = ddo_renewal_payload(b as u64, ddo_claim);
            let control = miner::Control::Notify(miner::HarnessNotifyParams {
                receiver: Address::new_id(market),
                sectors,
            });
            let r = miner::control(&mut self.h, by_ddo, &control)?
                .ok()
                .context("HarnessNotifySectorContentChanged")?;
            let relayed: miner::HarnessNotifyReturn = r.ret()?;
            let answer: Vec<Vec<bool>> = fvm_ipld_encoding::from_slice(relayed.return_data.bytes())?;
            ensure!(
                relayed.exit_code.is_success()
                    && answer == vec![vec![true]]
                    && r.events_of(EVENT_CLAIM_RENEWED).len() == 1,
                "the DDO renewal was not accepted: {answer:?}"
            );
            gas.ddo_renewal.push(r.gas_used);
            let r = BountyMarketClient::at(market)
                .reclaim_renewals(&mut self.h, &client, b as u64)?
                .ok()
                .context("ReclaimRenewals")?;
            ensure!(
                r.ret::<TokenAmount>()? == fil(REWARD) && r.events_of(EVENT_RENEWALS_RECLAIMED).len() == 1,
                "ReclaimRenewals did not pay the term left"
            );
            gas.reclaim_renewals.push(r.gas_used);
        }
        Ok(())
    }

    /// Per sample: a bounty with both diversity rules, funded twice by a sponsor (a new
    /// contribution, then a second one to the same record), claimed by a population miner (the
    /// rules read the miner's owner and the registry), its contribution read, cancelled, and the
    /// sponsor's refund pulled while the claim still holds its slot.
    fn crowdfund(&mut self, gas: &mut Gas) -> Result<()> {
        let market = self.market();
        let epoch = self.h.epoch();
        for i in 0..SAMPLES {
            let p = piece(5, self.sample_posts);
            self.sample_posts += 1;
            self.post(Kind::Sample, i % CLIENTS, p, REPLICAS, EXPIRY, true, 0)?;
            let b = self.bounties.len() - 1;
            let sponsor = self.clients[(i + 1) % CLIENTS];
            for (first, samples) in [(true, &mut gas.fund_new), (false, &mut gas.fund_again)] {
                let r = BountyMarketClient::at(market)
                    .fund(&mut self.h, &sponsor, b as u64, fil(REWARD))?
                    .ok()
                    .context("FundBounty")?;
                ensure!(
                    r.events_of(EVENT_FUNDED).len() == 1,
                    "no funded event (first: {first})"
                );
                samples.push(r.gas_used);
            }
            let m = spread(self.miners.len(), i);
            let miner = self.miners[m].id;
            let (_, r) = self.claim(miner, b, Some(LOCATION))?;
            self.miners[m].claims += 1;
            gas.claim_diverse.push(r.gas_used);
            let r = self.get(
                METHOD_GET_CONTRIBUTION,
                &GetContributionParams {
                    bounty_id: b as u64,
                    sponsor: sponsor.address(),
                },
            )?;
            let got: GetContributionReturn = r.ret().context("GetContribution")?;
            ensure!(
                got.contribution.amount == fil(2 * REWARD),
                "GetContribution answered {got:?}"
            );
            gas.get_contribution.push(r.gas_used);
            let client = self.clients[self.bounties[b].client];
            BountyMarketClient::at(market)
                .cancel(&mut self.h, &client, b as u64)?
                .ok()
                .context("CancelBounty (crowdfunded)")?;
            self.bounties[b].cancelled = true;
            let r = BountyMarketClient::at(market)
                .refund_sponsor(&mut self.h, &sponsor, b as u64)?
                .ok()
                .context("RefundSponsor")?;
            let ret: SponsorRefundReturn = r.ret()?;
            // The claim took a quarter of the 4 + 2 FIL raised; of the 4.5 FIL returned the
            // sponsor's third is 1.5 FIL.
            let share = TokenAmount::from_nano(1_500_000_000 * REWARD);
            ensure!(
                ret.amount == share && !ret.settled && r.events_of(EVENT_SPONSOR_REFUNDED).len() == 1,
                "RefundSponsor answered {ret:?} at epoch {epoch}"
            );
            gas.refund_sponsor.push(r.gas_used);
        }
        Ok(())
    }

    /// Terminates the deals of `claims` (deal, lock id) and reports each lock to the escrow,
    /// traced: the whole message's gas, and the market's OnCollateralChanged inside it.
    fn report_claims(&mut self, claims: &[(DealID, u64)], gas: &mut Gas) -> Result<super::trace::Call> {
        self.h.set_tracing(true)?;
        let mut first = None;
        let (reader, escrow, market) = (self.reader, self.suite.escrow, self.market());
        for &(deal, lock_id) in claims {
            self.h.terminate_deal(deal)?;
            let r = EscrowClient::at(escrow)
                .report_fault(
                    &mut self.h,
                    &reader,
                    lock_id,
                    suite_interfaces::escrow::FaultProof::DealTerminated,
                )?
                .ok()
                .context("ReportFault on a claim")?;
            let tree = super::trace::parse(self.h.last_trace())?;
            let callback = tree
                .root
                .calls
                .iter()
                .find(|c| {
                    c.to == Address::new_id(market)
                        && c.method == suite_interfaces::bounty::METHOD_ON_COLLATERAL_CHANGED
                        && c.exit.is_some_and(|e| e.is_success())
                })
                .context("no successful OnCollateralChanged in the report")?;
            gas.on_collateral_changed.push(callback.total() / 1000);
            gas.report_claim.push(r.gas_used);
            first.get_or_insert_with(|| callback.clone());
        }
        self.h.set_tracing(false)?;
        first.context("no claim reported")
    }

    /// The market's HAMTs as they are now, and the paths to every bounty and claim.
    fn shapes(&mut self) -> Result<Shapes> {
        self.h.flush()?;
        let state: State = bm::state(&self.h, self.market())?;
        let store = self.h.store();
        let (by_client, client_sets) = index_shapes::<_, u64>(store, &state.by_client)?;
        let (by_piece, piece_sets) = index_shapes::<_, Vec<u8>>(store, &state.by_piece)?;
        let (unpaid, unpaid_sets) = index_shapes::<_, u64>(store, &state.unpaid)?;
        let maps = vec![
            (
                "bounties (AMT)",
                vector_shape::<_, Bounty>(store, &state.bounties)?,
            ),
            ("claims (AMT)", vector_shape::<_, Claim>(store, &state.claims)?),
            ("by client", by_client),
            ("by client (sets)", client_sets),
            ("by piece", by_piece),
            ("by piece (sets)", piece_sets),
            ("deals", shape::<_, u64, u64>(store, &state.deals)?),
            ("unpaid", unpaid),
            ("unpaid (sets)", unpaid_sets),
        ];
        Ok(Shapes {
            maps,
            bounty_path: mean_path::<_, Bounty>(store, &state.bounties, state.next_bounty_id)?,
            claim_path: mean_path::<_, Claim>(store, &state.claims, state.next_claim_id)?,
        })
    }

    /// What ListBounties by the first client and the first veteran's Withdraw read.
    fn reads(&mut self) -> Result<Reads> {
        self.h.flush()?;
        let state: State = bm::state(&self.h, self.market())?;
        let store = self.h.store();
        let Some(&veteran) = self.veterans.first() else {
            bail!("no veteran");
        };
        let page = PAGE as usize;
        let client = self.clients[0].id;
        Ok(Reads {
            client: page_reads::<_, u64, Bounty>(store, &state.by_client, &client, page, &state.bounties)?,
            piece: page_reads::<_, Vec<u8>, Bounty>(
                store,
                &state.by_piece,
                &popular(0).to_bytes(),
                page,
                &state.bounties,
            )?,
            veteran: page_reads::<_, u64, Claim>(
                store,
                &state.unpaid,
                &veteran,
                VETERAN_CLAIMS,
                &state.claims,
            )?,
        })
    }
}

/// Each method's growth against the market HAMT blocks it reads.
fn growth(sizes: &[usize], points: &[Point]) -> Table {
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let read = |((sb, sn), (lb, ln)): PageReads| ((sb + lb) as f64, (sn + ln) as f64);
    let bound = |what: &str, f: &dyn Fn(&Point) -> (f64, f64)| super::Bound {
        what: what.into(),
        blocks: (f(first).0, f(last).0),
        bytes: (f(first).1, f(last).1),
    };
    let paths = |p: &Point| {
        let s = &p.shapes;
        (s.bounty_path.0 + s.claim_path.0, s.bounty_path.1 + s.claim_path.1)
    };
    let veteran = || bound("32 claims' nodes + set", &|p| read(p.reads.veteran));
    super::growth_table(
        sizes,
        &gas_rows(points),
        &bound("bounty + claim paths", &paths),
        &[
            (
                "ListBounties (by client, limit 100)",
                bound("the page's nodes + set", &|p| read(p.reads.client)),
            ),
            (
                "ListBounties (by piece, limit 100)",
                bound("the page's nodes + set", &|p| read(p.reads.piece)),
            ),
            ("Withdraw (provider with 32 claims)", veteran()),
            ("GetProviderBalance (32 claims)", veteran()),
        ],
        &[
            (
                "Constructor (init Exec of installed code, whole message)",
                "init's work: its address map holds every actor the chain created (the miners here)",
            ),
            (
                "ListBounties (all, limit 100)",
                "the page holds min(N, 100) bounties: 10 at N = 10, 100 from N = 100 (see the \
                 pages table for the gas per bounty returned)",
            ),
        ],
    )
}

/// The top gas charges of one traced ClaimBounty at each N, by the last N's order.
/// What the slash callback writes: the blocks behind its cost.
fn callback_table(points: &[Point]) -> Table {
    use super::trace::{by_name, bytes_written};
    let mut header = vec!["".to_string()];
    header.extend(points.iter().map(|p| super::n_header(p.n)));
    let per_point: Vec<_> = points
        .iter()
        .map(|p| {
            let charges = p.callback_trace.all_charges();
            let gas = |name: &str| {
                by_name(&charges)
                    .iter()
                    .find(|(n, ..)| n == name)
                    .map_or(0, |(_, _, compute, other)| (compute + other) / 1000)
            };
            let written = bytes_written(&charges);
            [
                thousands(p.callback_trace.total() / 1000),
                thousands(written.len() as u64),
                thousands(written.iter().sum()),
                thousands(written.iter().copied().max().unwrap_or(0)),
                thousands(gas("OnBlockLink")),
                thousands(gas("wasm_exec")),
                thousands(gas("OnBlockOpenBase")),
            ]
        })
        .collect();
    let names = [
        "gas, whole callback",
        "blocks written",
        "bytes written",
        "largest block (bytes)",
        "OnBlockLink gas",
        "wasm_exec gas",
        "OnBlockOpenBase gas",
    ];
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut row = vec![name.to_string()];
            row.extend(per_point.iter().map(|v| v[i].clone()));
            row
        })
        .collect();
    Table {
        caption: "Inside OnCollateralChanged (slashed): what the callback writes (the first reported claim, traced)"
            .into(),
        header,
        rows,
        notes: vec![
            super::report::prose("callback-writes"),
        ],
    }
}

/// The traced claim at each N by call: each call's own gas and the blocks it wrote.
fn claim_calls_table(points: &[Point], b: &Bench) -> Table {
    let names = super::trace::Names::new(&[
        (b.suite.market, "market"),
        (b.suite.escrow, "escrow"),
        (b.suite.reputation, "registry"),
    ]);
    let flat: Vec<Vec<(usize, super::trace::Call)>> = points
        .iter()
        .map(|p| {
            let mut calls = Vec::new();
            p.claim_trace.root.walk(0, &mut calls);
            calls
        })
        .collect();
    let mut header = vec!["call (· = nested)".to_string()];
    for p in points {
        header.push(format!("{}: own gas", super::n_header(p.n)));
        header.push("blocks written (bytes)".into());
    }
    let rows = flat[flat.len() - 1]
        .iter()
        .enumerate()
        .map(|(i, (depth, call))| {
            let mut row = vec![format!("{}{}", "· ".repeat(*depth), names.call(call))];
            for calls in &flat {
                match calls.get(i) {
                    Some((_, c)) => {
                        let written = super::trace::bytes_written(&c.charges);
                        row.push(thousands(c.own() / 1000));
                        row.push(format!("{} ({})", written.len(), thousands(written.iter().sum())));
                    }
                    None => row.extend(["–".to_string(), "–".to_string()]),
                }
            }
            row
        })
        .collect();
    Table {
        caption: "Inside ClaimBounty (with sector_location, existing provider): each call's own gas and the \
                  blocks it wrote at each N (the first such claim, traced)"
            .into(),
        header,
        rows,
        notes: vec![super::report::prose("claim-calls")],
    }
}

fn charges_table(points: &[Point]) -> Table {
    use super::trace::by_name;
    let sums: Vec<_> = points
        .iter()
        .map(|p| by_name(&p.claim_trace.all_charges()))
        .collect();
    let mut header = vec!["charge".to_string()];
    for p in points {
        header.push(super::n_header(p.n));
        header.push("share".into());
    }
    let rows = sums[sums.len() - 1]
        .iter()
        .take(8)
        .map(|(name, ..)| {
            let mut row = vec![name.clone()];
            for (p, sum) in points.iter().zip(&sums) {
                let total = p.claim_trace.total().max(1);
                let gas = sum
                    .iter()
                    .find(|(n, ..)| n == name)
                    .map_or(0, |(_, _, compute, other)| compute + other);
                row.push(thousands(gas / 1000));
                row.push(format!("{:.1} %", 100.0 * gas as f64 / total as f64));
            }
            row
        })
        .collect();
    Table {
        caption:
            "Inside ClaimBounty (with sector_location, existing provider): the top gas charges at each N \
                  (the first such claim, traced)"
                .into(),
        header,
        rows,
        notes: vec![
            "As N grows the claim writes and reads the same number of maps, but fuller and deeper \
             nodes: OnBlockLink (506,000 gas a block + 3,340 a byte written) and wasm_exec (decoding \
             and encoding them) take a growing share; the per-invocation charges stay flat."
                .into(),
        ],
    }
}
