//! Section: the heavy flows on one chain with the whole suite. Each flow (claim, report
//! fault, release, withdraw) is traced and replayed by floor actors doing only its
//! unavoidable work; one claim's gas is broken down by charge and by call; a mixed workload
//! measures the harness's messages per second; the same flows run again on each module set
//! built with another `[profile.wasm]` opt-level.

use integration_tests::{BountyMarketClient, EscrowClient, ReputationClient};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use integration_tests::bounty::{self as bm, Suite};
use integration_tests::escrow as esc;
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
use integration_tests::reputation as rep;
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{Account, Harness, Receipt};
use stand_in_market::{piece_cid, DealProposal, Label};
use suite_interfaces::bounty::{
    ClaimBountyReturn, IdParams, MarketPolicy, PostBountyParams, METHOD_GET_BOUNTY, METHOD_GET_CLAIM,
};
use suite_interfaces::escrow::{FaultProof, Policy, SectorLocation};
use suite_interfaces::reputation::{GetReputationParams, METHOD_GET_REPUTATION};
use test_actor_floor::METHOD_RUN;

use super::report::{Section, Table};
use super::trace::{self, Names, Tree};
use super::{mean, thousands, Clock, Options, SAMPLES};

const FLOOR: &str = "test-actor-floor";
/// Vesting of every bounty here: short, so that locks can be released within the run.
const MIN_DURATION: ChainEpoch = 20;
const EXPIRY: ChainEpoch = 1_000_000;
const DEAL_END: ChainEpoch = 900_000;
const SECTOR_EXPIRATION: ChainEpoch = 1_500_000;
const LOCATION: SectorLocation = SectorLocation {
    deadline: 0,
    partition: 0,
};

fn fil(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

/// The three suite modules a chain runs.
pub struct Modules {
    pub label: String,
    pub reputation: Vec<u8>,
    pub escrow: Vec<u8>,
    pub market: Vec<u8>,
}

impl Modules {
    /// The modules the harness was built with (`[profile.wasm]` as committed).
    pub fn built() -> Result<Self> {
        let get = |p| integration_tests::actors::require_wasm(p).map(<[u8]>::to_vec);
        Ok(Self {
            label: "as built".into(),
            reputation: get(rep::PACKAGE)?,
            escrow: get(esc::PACKAGE)?,
            market: get(bm::PACKAGE)?,
        })
    }

    /// The modules in a wasm-build output directory.
    pub fn load(label: &str, dir: &Path) -> Result<Self> {
        let get = |p: &str| {
            let file = dir.join(format!("{p}.wasm"));
            std::fs::read(&file).with_context(|| format!("reading {}", file.display()))
        };
        Ok(Self {
            label: label.into(),
            reputation: get(rep::PACKAGE)?,
            escrow: get(esc::PACKAGE)?,
            market: get(bm::PACKAGE)?,
        })
    }

    pub fn bytes(&self) -> [(&'static str, usize); 3] {
        [
            (rep::PACKAGE, self.reputation.len()),
            (esc::PACKAGE, self.escrow.len()),
            (bm::PACKAGE, self.market.len()),
        ]
    }
}

/// The floors standing in for the suite's three actors.
#[derive(Clone, Copy)]
struct Floors {
    market: ActorID,
    escrow: ActorID,
    registry: ActorID,
}

/// Gas of each flow's messages (and of their floors).
#[derive(Default)]
struct Flows {
    post: Vec<u64>,
    claim: Vec<u64>,
    report: Vec<u64>,
    release: Vec<u64>,
    withdraw: Vec<u64>,
    /// Inside the report and the release: the market's OnCollateralChanged call.
    on_slashed: Vec<u64>,
    on_released: Vec<u64>,
}

/// A flow's suite and floor gas.
#[derive(Default)]
struct Floored {
    claim: Vec<u64>,
    report: Vec<u64>,
    release: Vec<u64>,
    withdraw: Vec<u64>,
}

/// A chain with the suite (from `Modules`), floors, a client and one miner per round.
struct Chain {
    h: Harness,
    suite: Suite,
    floors: Option<Floors>,
    owner: Account,
    client: Account,
    watcher: Account,
    reader: Account,
    next_piece: u64,
    bounties: u64,
}

/// A claim the flows made: its id, deal and lock.
#[derive(Clone, Copy)]
struct Claimed {
    claim_id: u64,
    deal: DealID,
    lock_id: u64,
    vest_end: ChainEpoch,
}

impl Chain {
    fn new(modules: &Modules, floors: bool) -> Result<Self> {
        let mut h = Harness::new()?;
        let admin = h.create_account(fil(1_000_000))?;
        let owner = h.create_bls_account(fil(100_000))?;
        let client = h.create_account(fil(100_000))?;
        let watcher = h.create_account(fil(1_000))?;
        let reader = h.create_account(fil(1_000))?;
        let deploy = |h: &mut Harness, module: &[u8], params: RawBytes| -> Result<ActorID> {
            let code = h.install_code(&admin, module)?;
            let p = stand_in_init::ExecParams {
                code_cid: code,
                constructor_params: params,
            };
            let ret: stand_in_init::ExecReturn = h
                .call(
                    &admin,
                    actor_runtime::builtin::INIT_ACTOR_ID,
                    stand_in_init::METHOD_EXEC_EXPORTED,
                    &p,
                    TokenAmount::default(),
                )?
                .ok()?
                .ret()?;
            Ok(ret.id_address.id()?)
        };
        use integration_tests::harness::params;
        let reputation = deploy(
            &mut h,
            &modules.reputation,
            params(&suite_interfaces::reputation::ConstructorParams {
                admin: admin.address(),
            }),
        )?;
        let escrow = deploy(
            &mut h,
            &modules.escrow,
            params(&suite_interfaces::escrow::ConstructorParams {
                reputation: Address::new_id(reputation),
                policy: Policy::default(),
            }),
        )?;
        let market = deploy(
            &mut h,
            &modules.market,
            params(&suite_interfaces::bounty::ConstructorParams {
                escrow: Address::new_id(escrow),
                reputation: Address::new_id(reputation),
                policy: MarketPolicy {
                    min_duration_floor: 1,
                    ..MarketPolicy::default()
                },
            }),
        )?;
        for reporter in [escrow, market] {
            ReputationClient::at(reputation)
                .add_reporter(&mut h, &admin, Address::new_id(reporter))?
                .ok()
                .context("AddReporter")?;
        }
        let floors = if floors {
            let mut one = || -> Result<ActorID> {
                let id = h.deploy(&admin, FLOOR, &())?;
                // The floors pay what the suite pays, from their own balance.
                h.send(&admin, Address::new_id(id), 0, RawBytes::default(), fil(100_000))?
                    .ok()
                    .context("funding a floor")?;
                Ok(id)
            };
            Some(Floors {
                market: one()?,
                escrow: one()?,
                registry: one()?,
            })
        } else {
            None
        };
        Ok(Self {
            h,
            suite: Suite {
                reputation,
                escrow,
                market,
            },
            floors,
            owner,
            client,
            watcher,
            reader,
            next_piece: 0,
            bounties: 0,
        })
    }

    fn names(&self) -> Names {
        let mut actors = vec![
            (self.suite.market, "market"),
            (self.suite.escrow, "escrow"),
            (self.suite.reputation, "registry"),
        ];
        if let Some(f) = self.floors {
            actors.extend([
                (f.market, "floor market"),
                (f.escrow, "floor escrow"),
                (f.registry, "floor registry"),
            ]);
        }
        Names::new(&actors)
    }

    /// A new miner of the owner, with its sector 0.
    fn new_miner(&mut self) -> Result<ActorID> {
        let owner = self.owner;
        let id = create_miner(
            &mut self.h,
            &owner,
            owner.address(),
            owner.address(),
            vec![],
            SECTOR_SIZE_32GIB,
        )?;
        miner::add_sector(&mut self.h, id, 0, 0, 0, SECTOR_EXPIRATION)?
            .ok()
            .context("HarnessAddSector")?;
        Ok(id)
    }

    /// Posts a one-replica bounty for a new piece: its id, piece and receipt.
    fn post(&mut self) -> Result<(u64, Cid, Receipt)> {
        let mut digest = [0u8; 32];
        digest[..8].copy_from_slice(&self.next_piece.to_le_bytes());
        digest[30] = 7;
        self.next_piece += 1;
        let piece = piece_cid(digest);
        let p = PostBountyParams {
            piece_cid: piece,
            piece_size: integration_tests::storage_market::DEFAULT_PIECE_SIZE,
            replicas: 1,
            reward_per_replica: fil(1),
            collateral_per_replica: fil(1),
            min_duration: MIN_DURATION,
            expiry: EXPIRY,
            min_reputation: None,
            allowed_providers: None,
            distinct_owners: false,
            max_per_region: None,
            renewals: 0,
        };
        let (client, market) = (self.client, self.suite.market);
        let r = BountyMarketClient::at(market)
            .post(&mut self.h, &client, &p, fil(1))?
            .ok()
            .context("PostBounty")?;
        let id = bm::bounty_id(&r)?;
        self.bounties += 1;
        Ok((id, piece, r))
    }

    /// Posts a bounty and claims it with a new deal of `miner`.
    fn post_and_claim(&mut self, miner: ActorID, clock: &mut Clock) -> Result<(Claimed, Receipt, Receipt)> {
        let (bounty, piece, posted) = clock.time(|| self.post())?;
        let epoch = self.h.epoch();
        let proposal = DealProposal {
            piece_cid: piece,
            label: Label::String(format!("bounty {bounty}")),
            ..deal_proposal(self.client.id, miner, epoch + 10, DEAL_END, 1)
        };
        let deal = clock.time(|| self.h.publish_deal(&proposal))?;
        clock.time(|| self.h.activate_deal(deal, 0))?;
        let (owner, market) = (self.owner, self.suite.market);
        let p = bm::claim_params(bounty, miner, deal, 0, Some(LOCATION));
        let r = clock
            .time(|| BountyMarketClient::at(market).claim(&mut self.h, &owner, &p, fil(1)))?
            .ok()
            .context("ClaimBounty")?;
        let ret: ClaimBountyReturn = r.ret()?;
        let claimed = Claimed {
            claim_id: ret.claim_id,
            deal,
            lock_id: ret.lock_id,
            vest_end: self.h.epoch() + MIN_DURATION,
        };
        Ok((claimed, posted, r))
    }

    fn report(&mut self, c: &Claimed) -> Result<Receipt> {
        self.h.terminate_deal(c.deal)?;
        let (watcher, escrow) = (self.watcher, self.suite.escrow);
        EscrowClient::at(escrow)
            .report_fault(&mut self.h, &watcher, c.lock_id, FaultProof::DealTerminated)?
            .ok()
            .context("ReportFault")
    }

    fn release(&mut self, c: &Claimed) -> Result<Receipt> {
        let (watcher, escrow) = (self.watcher, self.suite.escrow);
        EscrowClient::at(escrow)
            .release(&mut self.h, &watcher, c.lock_id)?
            .ok()
            .context("Release")
    }

    fn withdraw(&mut self, miner: ActorID) -> Result<Receipt> {
        let (owner, market) = (self.owner, self.suite.market);
        BountyMarketClient::at(market)
            .withdraw(&mut self.h, &owner, Address::new_id(miner))?
            .ok()
            .context("Withdraw")
    }

    /// Replays the last (traced) message's top call on the floors: `from` sends `Run` to the
    /// floor standing in for the callee, with the value the message carried. Its receipt.
    fn floor(&mut self, from: Account) -> Result<Receipt> {
        let f = self.floors.context("no floors on this chain")?;
        let suite = self.suite;
        let floor_of = move |a: &Address| -> Option<Address> {
            let id = a.id().ok()?;
            let floor = if id == suite.market {
                f.market
            } else if id == suite.escrow {
                f.escrow
            } else if id == suite.reputation {
                f.registry
            } else {
                return None;
            };
            Some(Address::new_id(floor))
        };
        let tree = trace::parse(self.h.last_trace())?;
        let to = floor_of(&tree.root.to).context("the message did not go to the suite")?;
        let script = trace::script(&tree.root, &floor_of);
        let r = self
            .h
            .call(&from, to.id()?, METHOD_RUN, &script, tree.root.value.clone())?
            .ok()
            .context("floor Run")?;
        Ok(r)
    }

    /// Milligas of the market's OnCollateralChanged inside the last message, a traced report or
    /// release.
    fn callback_gas(&self) -> Result<u64> {
        let tree = trace::parse(self.h.last_trace())?;
        let market = Address::new_id(self.suite.market);
        tree.root
            .calls
            .iter()
            .find(|c| c.to == market && c.method == suite_interfaces::bounty::METHOD_ON_COLLATERAL_CHANGED)
            .map(|c| c.total() / 1000)
            .context("no OnCollateralChanged call in the trace")
    }
}

/// What the traced rounds measured.
struct Traced {
    suite: Flows,
    floor: Floored,
    /// The first claim's trace and receipt gas, and its floor's trace.
    claim_tree: Tree,
    claim_gas: u64,
    floor_tree: Tree,
    names: Names,
}

/// `rounds` rounds of the heavy flows, each on a new miner: two claims (one released at its
/// end, one reported after its deal is terminated), a withdrawal halfway through the vesting,
/// then the release. With floors, each measured message is replayed on them right after.
/// The first claim's trace, its floor's trace, and the claim's gas.
type FirstClaim = (Tree, Tree, u64);

fn rounds(chain: &mut Chain, rounds: usize) -> Result<(Flows, Floored, Option<FirstClaim>)> {
    let (mut flows, mut floored) = (Flows::default(), Floored::default());
    let mut first_claim = None;
    let mut clock = Clock::default();
    let (owner, watcher) = (chain.owner, chain.watcher);
    let traced = chain.floors.is_some();
    for _ in 0..rounds {
        let miner = chain.new_miner()?;
        let (kept, posted, claimed) = chain.post_and_claim(miner, &mut clock)?;
        flows.post.push(posted.gas_used);
        flows.claim.push(claimed.gas_used);
        if traced {
            let claim_tree = trace::parse(chain.h.last_trace())?;
            let floor = chain.floor(owner)?;
            floored.claim.push(floor.gas_used);
            if first_claim.is_none() {
                first_claim = Some((claim_tree, trace::parse(chain.h.last_trace())?, claimed.gas_used));
            }
        }
        let (slashed, _, claimed) = chain.post_and_claim(miner, &mut clock)?;
        flows.claim.push(claimed.gas_used);
        if traced {
            floored.claim.push(chain.floor(owner)?.gas_used);
        }

        let r = chain.report(&slashed)?;
        flows.report.push(r.gas_used);
        if traced {
            flows.on_slashed.push(chain.callback_gas()?);
            floored.report.push(chain.floor(watcher)?.gas_used);
        }

        chain.h.advance(MIN_DURATION / 2)?;
        let r = chain.withdraw(miner)?;
        flows.withdraw.push(r.gas_used);
        if traced {
            floored.withdraw.push(chain.floor(owner)?.gas_used);
        }

        chain.h.advance_to(kept.vest_end)?;
        let r = chain.release(&kept)?;
        flows.release.push(r.gas_used);
        if traced {
            flows.on_released.push(chain.callback_gas()?);
            floored.release.push(chain.floor(watcher)?.gas_used);
        }
        ensure!(kept.claim_id + 1 == slashed.claim_id, "claims out of order");
    }
    Ok((flows, floored, first_claim))
}

/// Message kinds of the mixed workload, in table order.
const KINDS: [&str; 9] = [
    "PostBounty",
    "deal publish + activate (f05)",
    "ClaimBounty",
    "getters (GetBounty, GetClaim, GetReputation)",
    "deal terminate (f05)",
    "ReportFault",
    "Withdraw",
    "Release",
    "chain: advance one epoch (flush + new machine)",
];

/// The mixed workload: per round, on a pool of miners, two posts and claims (with their
/// deals), three getters, a terminated deal reported, a withdrawal and the release of the
/// claim of `MIN_DURATION` rounds before; the chain advances one epoch per round.
fn workload(chain: &mut Chain, rounds: usize) -> Result<([Clock; 9], std::time::Duration)> {
    let mut clocks = [Clock::default(); 9];
    let mut miners = Vec::new();
    for _ in 0..5 {
        miners.push(chain.new_miner()?);
    }
    let mut kept: Vec<Claimed> = Vec::new();
    let started = Instant::now();
    for round in 0..rounds {
        let miner = miners[round % miners.len()];
        for keep in [true, false] {
            let (bounty, piece, _) = clocks[0].time(|| chain.post())?;
            let epoch = chain.h.epoch();
            let proposal = DealProposal {
                piece_cid: piece,
                label: Label::String(format!("bounty {bounty}")),
                ..deal_proposal(chain.client.id, miner, epoch + 10, DEAL_END, 1)
            };
            let deal = clocks[1].time(|| chain.h.publish_deal(&proposal))?;
            clocks[1].time(|| chain.h.activate_deal(deal, 0))?;
            let (owner, market) = (chain.owner, chain.suite.market);
            let p = bm::claim_params(bounty, miner, deal, 0, Some(LOCATION));
            let r = clocks[2]
                .time(|| BountyMarketClient::at(market).claim(&mut chain.h, &owner, &p, fil(1)))?
                .ok()
                .context("ClaimBounty")?;
            let ret: ClaimBountyReturn = r.ret()?;
            let c = Claimed {
                claim_id: ret.claim_id,
                deal,
                lock_id: ret.lock_id,
                vest_end: chain.h.epoch() + MIN_DURATION,
            };
            if keep {
                kept.push(c);
                continue;
            }
            let (reader, market) = (chain.reader, chain.suite.market);
            clocks[3].time(|| {
                chain
                    .h
                    .call(
                        &reader,
                        market,
                        METHOD_GET_BOUNTY,
                        &IdParams { id: bounty },
                        fil(0),
                    )?
                    .ok()
            })?;
            clocks[3].time(|| {
                chain
                    .h
                    .call(
                        &reader,
                        market,
                        METHOD_GET_CLAIM,
                        &IdParams { id: c.claim_id },
                        fil(0),
                    )?
                    .ok()
            })?;
            clocks[4].time(|| chain.h.terminate_deal(c.deal))?;
            let (watcher, escrow) = (chain.watcher, chain.suite.escrow);
            clocks[5].time(|| {
                EscrowClient::at(escrow)
                    .report_fault(&mut chain.h, &watcher, c.lock_id, FaultProof::DealTerminated)?
                    .ok()
            })?;
            // After its first outcome the miner has a record (a claim alone makes none).
            let registry = chain.suite.reputation;
            clocks[3].time(|| {
                let p = GetReputationParams {
                    provider: Address::new_id(miner),
                };
                chain
                    .h
                    .call(&reader, registry, METHOD_GET_REPUTATION, &p, fil(0))?
                    .ok()
            })?;
        }
        clocks[6].time(|| chain.withdraw(miner))?;
        let epoch = chain.h.epoch();
        while let Some(c) = kept.first().copied().filter(|c| c.vest_end <= epoch) {
            kept.remove(0);
            clocks[7].time(|| chain.release(&c))?;
        }
        clocks[8].time(|| chain.h.advance(1))?;
    }
    Ok((clocks, started.elapsed()))
}

pub fn run(options: &Options, findings: &mut super::Findings) -> Result<Section> {
    let started = Instant::now();
    let built = Modules::built()?;
    let n_rounds = if options.quick { 2 } else { SAMPLES };

    eprintln!("  flows with floors, traced ({n_rounds} rounds)");
    let mut chain = Chain::new(&built, true)?;
    chain.h.set_tracing(true)?;
    let (flows, floored, first) = rounds(&mut chain, n_rounds)?;
    let (claim_tree, floor_tree, claim_gas) = first.context("no claim traced")?;
    chain.h.set_tracing(false)?;
    let traced = Traced {
        suite: flows,
        floor: floored,
        claim_tree,
        claim_gas,
        floor_tree,
        names: chain.names(),
    };

    let workload_rounds = if options.quick { 25 } else { 60 };
    eprintln!("  mixed workload ({workload_rounds} rounds)");
    let (clocks, wall) = workload(&mut chain, workload_rounds)?;

    let mut variants = vec![(built, None)];
    for (label, dir) in &options.variants {
        variants.push((Modules::load(label, dir)?, Some(dir.clone())));
    }
    let mut variant_gas = Vec::new();
    for (modules, _) in &variants {
        eprintln!("  flows on the modules {}", modules.label);
        let mut chain = Chain::new(modules, false)?;
        let (flows, _, _) = rounds(&mut chain, n_rounds)?;
        variant_gas.push(flows);
    }

    summarise(findings, &traced, &clocks, &variants, &variant_gas);
    let mut tables = vec![
        floor_table(&traced),
        callback_table(&traced),
        charges_table(&traced),
        calls_table(&traced),
        workload_table(&clocks, wall),
    ];
    tables.push(variants_table(&variants, &variant_gas));
    Ok(Section {
        title: "Heavy flows: floors, where a claim's gas goes, throughput, opt-levels".into(),
        facts: vec![
            format!(
                "one chain with the suite (market policy: min_duration_floor 1; bounties of 1 replica, \
                 1 FIL reward, 1 FIL collateral, {MIN_DURATION} epochs of vesting) and three floor \
                 actors (`{FLOOR}`); {n_rounds} rounds of: a new miner with a sector, two bounties \
                 posted and claimed with a deal each (published and activated by the operator), the \
                 second claim's deal terminated and its lock reported (DealTerminated), Withdraw \
                 {} epochs later, Release of the first claim's lock at its end",
                MIN_DURATION / 2
            ),
            format!("section wall time {}", super::seconds(started.elapsed())),
        ],
        tables,
    })
}

fn ratio(a: u64, b: u64) -> String {
    format!("×{:.2}", a as f64 / b.max(1) as f64)
}

fn floor_table(t: &Traced) -> Table {
    let rows = [
        (
            "ClaimBounty (with sector_location)",
            &t.suite.claim,
            &t.floor.claim,
        ),
        (
            "ReportFault DealTerminated (on a claim's lock)",
            &t.suite.report,
            &t.floor.report,
        ),
        ("Release (a claim's lock)", &t.suite.release, &t.floor.release),
        (
            "Withdraw (1 vested claim, 1 slashed)",
            &t.suite.withdraw,
            &t.floor.withdraw,
        ),
    ]
    .iter()
    .map(|(name, suite, floor)| {
        let (s, f) = (mean(suite), mean(floor));
        vec![
            name.to_string(),
            thousands(s),
            thousands(f),
            thousands(s.saturating_sub(f)),
            ratio(s, f),
        ]
    })
    .collect();
    Table {
        caption: format!(
            "Suite ÷ floor: gas of each heavy flow and of its floor (mean of {} messages)",
            t.suite.report.len()
        ),
        header: ["flow", "suite", "floor", "suite − floor", "suite ÷ floor"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![super::report::prose("floor")],
    }
}

fn callback_table(t: &Traced) -> Table {
    let rows = [
        ("PostBounty (1 replica)", &t.suite.post),
        (
            "OnCollateralChanged (slashed), inside ReportFault",
            &t.suite.on_slashed,
        ),
        (
            "OnCollateralChanged (released), inside Release",
            &t.suite.on_released,
        ),
    ]
    .iter()
    .map(|(name, g)| vec![name.to_string(), thousands(mean(g))])
    .collect();
    Table {
        caption: "Other market methods on this chain (mean gas)".into(),
        header: ["method", "gas"].map(String::from).to_vec(),
        rows,
        notes: vec![
            "OnCollateralChanged is called only by the escrow; its gas is the sum of the charges \
             inside that call in the trace (the market's invocation and work)."
                .into(),
        ],
    }
}

fn charges_table(t: &Traced) -> Table {
    let suite = trace::by_name(&t.claim_tree.all_charges());
    let floor = trace::by_name(&t.floor_tree.all_charges());
    let total = t.claim_tree.total();
    let rows = suite
        .iter()
        .take(12)
        .map(|(name, count, compute, other)| {
            let f = floor
                .iter()
                .find(|(n, ..)| n == name)
                .map(|(_, c, fc, fo)| (*c, fc + fo))
                .unwrap_or_default();
            vec![
                name.clone(),
                thousands(*count),
                thousands(compute / 1000),
                thousands(other / 1000),
                thousands((compute + other) / 1000),
                format!("{:.1} %", 100.0 * (compute + other) as f64 / total.max(1) as f64),
                thousands(f.0),
                thousands(f.1 / 1000),
            ]
        })
        .collect();
    Table {
        caption: "Where a ClaimBounty's gas goes: the top charges (the first claim of this chain, traced)"
            .into(),
        header: [
            "charge",
            "count",
            "compute",
            "other",
            "total",
            "share",
            "floor: count",
            "floor: total",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![format!(
            "Every GasCharge event of the message's execution trace, summed by name (all actors \
             it reached). The charges sum to {} gas; the receipt says {} (the difference is the \
             rounding of milligas). `wasm_exec` is the wasm instructions run (charged at each \
             syscall); `OnBlockLink`/`OnBlockCreate` writing blocks, `OnBlockOpen`/`OnBlockRead` \
             reading them; `OnMethodInvocation` each send; `OnChainMessage` the message's \
             inclusion; `OnActorEvent` the events.",
            thousands(total / 1000),
            thousands(t.claim_gas)
        )],
    }
}

fn calls_table(t: &Traced) -> Table {
    let mut flat = Vec::new();
    t.claim_tree.root.walk(0, &mut flat);
    let total = t.claim_tree.total().max(1);
    let mut rows: Vec<Vec<String>> = Vec::new();
    // The inclusive gas of a call needs its subtree: recompute from the tree by index.
    let mut inclusive = Vec::new();
    fn collect(c: &trace::Call, out: &mut Vec<u64>) {
        out.push(c.total());
        for n in &c.calls {
            collect(n, out);
        }
    }
    collect(&t.claim_tree.root, &mut inclusive);
    let outside: u64 = t.claim_tree.outside.iter().map(|c| c.compute + c.other).sum();
    rows.push(vec![
        "(message inclusion, before the call)".into(),
        thousands(outside / 1000),
        thousands(outside / 1000),
        format!("{:.1} %", 100.0 * outside as f64 / total as f64),
    ]);
    for ((depth, call), incl) in flat.iter().zip(&inclusive) {
        rows.push(vec![
            format!("{}{}", "· ".repeat(*depth), t.names.call(call)),
            thousands(incl / 1000),
            thousands(call.own() / 1000),
            format!("{:.1} %", 100.0 * call.own() as f64 / total as f64),
        ]);
    }
    Table {
        caption: "Where a ClaimBounty's gas goes: by call (the same claim)".into(),
        header: ["call (· = nested)", "with its calls", "its own", "own share"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![
            "Own: the charges made while that actor ran, outside its nested calls (its wasm, its \
             state and HAMT blocks, the syscalls of its sends, its events); with its calls: \
             everything below it."
                .into(),
        ],
    }
}

fn workload_table(clocks: &[Clock; 9], wall: std::time::Duration) -> Table {
    let mut rows: Vec<Vec<String>> = KINDS
        .iter()
        .zip(clocks)
        .map(|(kind, c)| {
            vec![
                kind.to_string(),
                thousands(c.messages),
                c.ms_per_message(),
                super::rate(&[*c]),
            ]
        })
        .collect();
    let messages: Vec<Clock> = clocks[..8].to_vec();
    let mut all = Clock::default();
    for c in &messages {
        all.add(c);
    }
    rows.push(vec![
        "all messages".into(),
        thousands(all.messages),
        all.ms_per_message(),
        super::rate(&messages),
    ]);
    rows.push(vec![
        "all, with the epoch advances (wall time of the workload)".into(),
        thousands(all.messages),
        format!("{:.2}", wall.as_secs_f64() * 1000.0 / all.messages.max(1) as f64),
        thousands((all.messages as f64 / wall.as_secs_f64().max(1e-9)).round() as u64),
    ]);
    Table {
        caption: "Mixed workload on the local FVM: wall time per message and messages per second".into(),
        header: ["messages", "count", "ms / message", "messages/s"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![format!(
            "Untraced, on the flows' chain after the traced rounds. Per round: two bounties posted \
             and claimed on one of 5 miners (each with its deal published and activated), the \
             second's getters, its deal terminated and its lock reported; a Withdraw; the release \
             of every lock whose vesting ended; one epoch. Wall time of `Harness` calls (message \
             execution, receipt decoding), {} build of the harness; the wasm runs compiled by \
             wasmtime either way.",
            if cfg!(debug_assertions) { "dev" } else { "release" }
        )],
    }
}

fn variants_table(variants: &[(Modules, Option<PathBuf>)], gas: &[Flows]) -> Table {
    let mut header = vec!["".to_string()];
    header.extend(variants.iter().map(|(m, _)| m.label.clone()));
    let mut rows = Vec::new();
    for (i, (package, _)) in variants[0].0.bytes().iter().enumerate() {
        let mut row = vec![format!("`{package}` bytes")];
        row.extend(variants.iter().map(|(m, _)| thousands(m.bytes()[i].1 as u64)));
        rows.push(row);
    }
    type Samples = fn(&Flows) -> &Vec<u64>;
    let flows: [(&str, Samples); 5] = [
        ("PostBounty gas", |f| &f.post),
        ("ClaimBounty gas", |f| &f.claim),
        ("ReportFault gas", |f| &f.report),
        ("Release gas", |f| &f.release),
        ("Withdraw gas", |f| &f.withdraw),
    ];
    for (name, get) in flows {
        let base = mean(get(&gas[0]));
        let mut row = vec![name.to_string()];
        row.extend(gas.iter().map(|g| {
            let m = mean(get(g));
            if std::ptr::eq(g, &gas[0]) {
                thousands(m)
            } else {
                format!(
                    "{} ({:+.1} %)",
                    thousands(m),
                    100.0 * (m as f64 / base.max(1) as f64 - 1.0)
                )
            }
        }));
        rows.push(row);
    }
    let dirs: Vec<String> = variants
        .iter()
        .filter_map(|(m, d)| d.as_ref().map(|d| format!("{}: `{}`", m.label, d.display())))
        .collect();
    Table {
        caption:
            "The suite's modules as built and rebuilt at other `[profile.wasm]` opt-levels: size and gas"
                .into(),
        header,
        rows,
        notes: vec![if dirs.is_empty() {
            "No other builds given (`--variant LABEL=DIR`; `scripts/bench.sh` builds opt-level \"s\" \
             and \"z\" on a full run)."
                .into()
        } else {
            format!(
                "Each column deploys that build's three modules on a fresh chain and runs the same \
                 rounds as above, without floors or tracing (same messages, so the gas compares). \
                 Builds: {}.",
                dirs.join(", ")
            )
        }],
    }
}

/// Share of `part` in `whole`, in percent.
fn pct(part: u64, whole: u64) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// The section's headline figures and the three biggest costs of a claim, from its trace.
fn summarise(
    findings: &mut super::Findings,
    t: &Traced,
    clocks: &[Clock; 9],
    variants: &[(Modules, Option<PathBuf>)],
    gas: &[Flows],
) {
    let flows = [
        ("ClaimBounty", &t.suite.claim, &t.floor.claim),
        ("ReportFault", &t.suite.report, &t.floor.report),
        ("Release", &t.suite.release, &t.floor.release),
        ("Withdraw", &t.suite.withdraw, &t.floor.withdraw),
    ];
    let ratios: Vec<String> = flows
        .iter()
        .map(|(name, suite, floor)| {
            format!(
                "{name} {} ({} vs {})",
                ratio(mean(suite), mean(floor)),
                thousands(mean(suite)),
                thousands(mean(floor))
            )
        })
        .collect();
    findings
        .headlines
        .push(format!("suite ÷ floor (gas): {}", ratios.join("; ")));

    let mut all = Clock::default();
    for c in &clocks[..8] {
        all.add(c);
    }
    findings.headlines.push(format!(
        "local FVM, mixed workload: {} messages/s, {} ms of harness wall time per message ({} \
         messages; a ClaimBounty {} ms)",
        super::rate(&clocks[..8]),
        all.ms_per_message(),
        thousands(all.messages),
        clocks[2].ms_per_message()
    ));

    let charges = trace::by_name(&t.claim_tree.all_charges());
    let total = t.claim_tree.total();
    let top: Vec<String> = charges
        .iter()
        .take(5)
        .map(|(name, _, c, o)| format!("{name} {:.1} %", pct(c + o, total)))
        .collect();
    findings.headlines.push(format!(
        "top charges of a ClaimBounty (the first of the flows chain, traced: {} gas): {}",
        thousands(total / 1000),
        top.join(", ")
    ));

    for (i, (m, _)) in variants.iter().enumerate().skip(1) {
        let (base, other) = (mean(&gas[0].claim), mean(&gas[i].claim));
        let bytes: usize = m.bytes().iter().map(|(_, b)| b).sum();
        let built: usize = variants[0].0.bytes().iter().map(|(_, b)| b).sum();
        findings.headlines.push(format!(
            "modules built {}: ClaimBounty {} gas ({:+.1} %), the three modules {} bytes ({:+.1} %)",
            m.label,
            thousands(other),
            pct(other, base) - 100.0,
            thousands(bytes as u64),
            pct(bytes as u64, built as u64) - 100.0
        ));
    }

    // The three biggest costs of a claim, from its trace and its floor's.
    let floor_charges = trace::by_name(&t.floor_tree.all_charges());
    let named = |list: &[(String, u64, u64, u64)], name: &str| {
        list.iter()
            .find(|(n, ..)| n == name)
            .map(|(_, count, c, o)| (*count, (c + o) / 1000))
            .unwrap_or_default()
    };
    let (links, link_gas) = named(&charges, "OnBlockLink");
    let written = trace::bytes_written(&t.claim_tree.all_charges());
    let at_scale = |what: &dyn Fn(&super::ClaimAtScale) -> String| {
        findings.claim_at_scale.as_ref().map(what).unwrap_or_default()
    };
    let scale_writes = at_scale(&|c| {
        format!(
            " At N = {} bounties (market section) one claim links {} blocks holding {} bytes for {} gas, \
             {:.1} % of its {}.",
            thousands(c.n as u64),
            c.blocks_written,
            thousands(c.bytes_written),
            thousands(c.link),
            pct(c.link, c.total),
            thousands(c.total)
        )
    });
    let scale_exec = at_scale(&|c| {
        format!(
            " At N = {} it runs {} gas of wasm ({:.1} %) and opens {} blocks ({} gas).",
            thousands(c.n as u64),
            thousands(c.exec),
            pct(c.exec, c.total),
            c.reads,
            thousands(c.read_gas)
        )
    });
    let (floor_links, floor_link_gas) = named(&floor_charges, "OnBlockLink");
    findings.costs.push(format!(
        "Writing state. A claim links {links} new blocks for {} gas ({:.1} % of it; its floor {floor_links} \
         for {}): storage is charged 506,000 gas a block and 3,340 a byte, and these blocks hold \
         {} bytes (the largest {}).{scale_writes} Each message rewrites the nodes on the path of every \
         structure it touches: in the market the bounties and claims AMTs (bit width 3: 8 entries a \
         node, inner nodes of 8 links about 350 bytes), the deals HAMT and the unpaid index (bit width \
         3; a provider's first 8 unpaid claims inline in its entry), all written once, after the \
         Lock; in the escrow the locks AMT and the by-provider index; then each state root. A claim \
         calls no registry. What is left is about one path a structure: cutting it further means \
         fewer structures per claim (the deals index and the unpaid index are the market's own \
         guarantees: a deal backs one claim ever, Withdraw reaches every claim) or shallower ones.",
        thousands(link_gas),
        pct(link_gas * 1000, total),
        thousands(floor_link_gas),
        thousands(written.iter().sum()),
        thousands(written.iter().copied().max().unwrap_or(0))
    ));

    let (reads, read_gas) = named(&charges, "OnBlockOpenBase");
    let (floor_reads, floor_read_gas) = named(&floor_charges, "OnBlockOpenBase");
    let (_, exec_gas) = named(&charges, "wasm_exec");
    let (_, floor_exec_gas) = named(&floor_charges, "wasm_exec");
    findings.costs.push(format!(
        "Reading state and the wasm work on it. A claim opens {reads} blocks for {} gas ({:.1} %; \
         the floor {floor_reads}, {}: every invoked actor's state root is one) and runs {} gas of \
         wasm instructions ({:.1} %; the floor {}), mostly decoding and re-encoding the HAMT nodes \
         it reads and writes.{scale_exec} Each structure is opened once per message (a map keeps the \
         nodes it loaded): what is left follows the writes.",
        thousands(read_gas),
        pct(read_gas * 1000, total),
        thousands(floor_read_gas),
        thousands(exec_gas),
        pct(exec_gas * 1000, total),
        thousands(floor_exec_gas)
    ));
    let mut flat = Vec::new();
    t.claim_tree.root.walk(0, &mut flat);
    let invocations = flat.len() as u64;
    let mut seen: Vec<(Address, u64, Option<Vec<u8>>)> = Vec::new();
    let (mut repeats, mut repeat_gas) = (0u64, 0u64);
    let mut inclusive = Vec::new();
    fn collect(c: &trace::Call, out: &mut Vec<u64>) {
        out.push(c.total());
        for n in &c.calls {
            collect(n, out);
        }
    }
    collect(&t.claim_tree.root, &mut inclusive);
    for ((_, c), incl) in flat.iter().zip(&inclusive) {
        let key = (c.to, c.method, c.params.as_ref().map(|p| p.data.clone()));
        if c.read_only && seen.contains(&key) {
            repeats += 1;
            repeat_gas += incl / 1000;
        } else {
            seen.push(key);
        }
    }
    let (inits, init_gas) = named(&charges, "wasm_memory_init");
    let (_, invoke_gas) = named(&charges, "OnMethodInvocation");
    findings.costs.push(format!(
        "Invocations. A claim runs {invocations} actor invocations (the floor as many): each pays \
         its initial wasm memory ({} gas each, {} in all, {:.1} % of the claim: wasm-build links the \
         modules with a 128 KiB stack instead of rustc's 1 MiB; memory is charged at 0.4 gas a byte), the send ({} in all), the callee's state \
         root and its syscalls; {repeats} of them repeat a read-only query an actor of the same \
         message already made with the same params ({} gas): the escrow verifies the deal and the \
         sector and hands its snapshot back in Lock's return, which the market checks against the \
         bounty, so neither asks twice. Of the queries left, each is a check the escrow makes for \
         any locker (5 f05 deal getters, 3 miner getters) or the market's caller and owner checks \
         (2). Could cut it: an even smaller stack (see the variant `stack 64 KiB` when the run \
         includes it).",
        thousands(init_gas / inits.max(1)),
        thousands(init_gas),
        pct(init_gas * 1000, total),
        thousands(invoke_gas),
        thousands(repeat_gas)
    ));
}
