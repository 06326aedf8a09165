//! The end-to-end story on a fresh devnet node: three clients post bounties, four providers
//! claim them with real deals, two sponsors crowdfund a fourth bounty and take back their
//! share when it is cancelled, rewards vest and are withdrawn, a sector faults and dies, a
//! watcher proves it and the client is paid from the collateral, the slot reopens and another
//! provider takes it by direct data onboarding (a DDO claim: collateral deposited with the
//! market, the piece activated in a sector, the miner's `SectorContentChanged` notification),
//! a claim completes and its collateral is released. The demo starts
//! `suite node` on a free loopback port in a new directory and tells the story as any client
//! would: over JSON-RPC, every message signed with a key of its own keystore, the devnet's
//! `Devnet.*` namespace standing in for consensus and proving. At the end the FIL is accounted
//! for against the actors' balances and the node is stopped.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::ActorID;
use serde_json::json;
use stand_in_market as f05;
use suite_devnet::Account;
use suite_interfaces::bounty::PostBountyParams;
use suite_interfaces::reputation::Metadata;

use crate::calls::*;
use crate::devnet::dir_size;
use crate::output::{thousands, Output, Table};
use crate::session::{Options, Session};
use crate::units::{atto_json, fil};
use crate::views::*;
use crate::watch::log::ReportStatus;
use crate::watch::{Config as WatchConfig, Report, Round, Watcher};
use crate::{DemoArgs, KeyKind};

/// Pieces of a whole 32 GiB sector, kept for months: stakes the size of the registry's prior, so
/// one slash or completion visibly moves a score.
const PIECE_SIZE: u64 = 32 << 30;
/// 180 days of epochs.
const DAYS_180: ChainEpoch = 518_400;

fn whole(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

/// A provider: its miner and the accounts behind it.
#[derive(Clone, Copy)]
struct Provider {
    name: &'static str,
    miner: ActorID,
    owner: Account,
    worker: Account,
}

/// FIL in and out of the suite, from the messages' own returns.
#[derive(Default)]
struct Flows {
    posted: TokenAmount,
    collateral: TokenAmount,
    withdrawn: TokenAmount,
    reclaimed: TokenAmount,
    /// Sponsors' contributions (`FundBounty`) and what they took back (`RefundSponsor`).
    funded: TokenAmount,
    sponsor_refunded: TokenAmount,
    compensation: TokenAmount,
    rewards: TokenAmount,
    released: TokenAmount,
    /// Collateral providers deposited with the market for DDO claims.
    deposited: TokenAmount,
    /// What DDO claims moved from those deposits into escrow locks.
    ddo_locked: TokenAmount,
    /// What clients paid for renewal terms (`FundRenewals`).
    renewals_funded: TokenAmount,
}

struct Story {
    d: Session,
    flows: Flows,
    step: usize,
    json: bool,
    started: Instant,
    next_sector: u64,
}

impl Story {
    /// One progress line (stderr under --json, so stdout stays one JSON document).
    fn say(&mut self, line: String) {
        self.step += 1;
        let line = format!(
            "[{:>5.1}s] {:>2}. {line}",
            self.started.elapsed().as_secs_f64(),
            self.step
        );
        if self.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }

    fn provider(&mut self, name: &'static str) -> Result<Provider> {
        let owner = create_account(
            &mut self.d,
            &format!("{name}-owner"),
            whole(200),
            KeyKind::Secp256k1,
        )?;
        // A miner's worker has a BLS key.
        let worker = create_account(&mut self.d, &format!("{name}-worker"), whole(200), KeyKind::Bls)?;
        let miner = create_miner(&mut self.d, name, &owner, &worker, &[])?;
        Ok(Provider {
            name,
            miner,
            owner,
            worker,
        })
    }

    /// The provider stores the piece: a new sector, a deal published and activated in it.
    fn store_piece(&mut self, p: Provider, client: &Account, seed: u8, duration: ChainEpoch) -> Result<u64> {
        let now = self.d.epoch()?;
        let sector = self.next_sector;
        self.next_sector += 1;
        add_sector(&mut self.d, p.miner, sector, 0, 0, now + 1_051_200)?;
        let proposal = f05::DealProposal {
            piece_cid: f05::piece_cid([seed; 32]),
            piece_size: PaddedPieceSize(PIECE_SIZE),
            verified_deal: false,
            client: client.address(),
            provider: fvm_shared::address::Address::new_id(p.miner),
            label: f05::Label::String(format!("piece {seed:#04x}")),
            // Activated a few tipsets later: each message is a tipset of its own.
            start_epoch: now + 20,
            end_epoch: now + duration,
            storage_price_per_epoch: TokenAmount::from_atto(1000),
            provider_collateral: TokenAmount::default(),
            client_collateral: TokenAmount::default(),
        };
        let deal = publish_deal(&mut self.d, &proposal)?;
        activate_deal(&mut self.d, deal, sector)?;
        Ok(deal)
    }

    fn claim(&mut self, p: Provider, bounty: u64, deal: u64) -> Result<(u64, u64)> {
        let ret = claim_bounty(&mut self.d, &p.worker, bounty, p.miner, deal, None)?;
        let collateral = get_claim(&mut self.d, ret.claim_id)?.claim.collateral;
        self.flows.collateral += &collateral;
        self.say(format!(
            "{} claims bounty {bounty} with deal {deal}: claim {}, {} vesting, {} locked in lock {}",
            p.name,
            ret.claim_id,
            fil(&ret.reward),
            fil(&collateral),
            ret.lock_id
        ));
        Ok((ret.claim_id, ret.lock_id))
    }

    fn withdraw(&mut self, p: Provider) -> Result<()> {
        let ret = withdraw(&mut self.d, &p.worker, p.miner)?;
        self.flows.withdrawn += &ret.paid;
        self.say(format!(
            "{} withdraws: {} paid to {}",
            p.name,
            fil(&ret.paid),
            self.d.name_of(ret.to)
        ));
        Ok(())
    }

    /// Watcher rounds until one reports on `lock` (a keeper bot needs at most two: one page
    /// holds every lock of the demo).
    fn watch_until_report(&mut self, w: &mut Watcher, lock: u64) -> Result<(Round, Report)> {
        for _ in 0..2 {
            let round = w.round(&mut self.d)?;
            let found = round
                .reports
                .iter()
                .find(|r| r.lock == lock && r.status == ReportStatus::Reported)
                .cloned();
            if let Some(report) = found {
                return Ok((round, report));
            }
        }
        bail!("the watcher did not report lock {lock} in two rounds")
    }

    fn advance(&mut self, epochs: ChainEpoch) -> Result<()> {
        let from = self.d.epoch()?;
        advance_to(&mut self.d, from + epochs)?;
        let span = match epochs {
            2_880 => "1 day".to_string(),
            e if e % 2_880 == 0 => format!("{} days", e / 2_880),
            e if e < 2_880 => format!("{e} epochs"),
            e => format!("{:.1} days", e as f64 / 2_880.0),
        };
        self.say(format!(
            "chain advances {span}: epoch {from} → {}",
            self.d.epoch()?
        ));
        Ok(())
    }
}

/// A `suite node` child process, stopped when dropped.
struct NodeProcess {
    child: Child,
    url: String,
}

impl NodeProcess {
    /// Starts `suite node` (this very binary) on a free loopback port with its devnet in `dir`.
    fn start(dir: &Path) -> Result<Self> {
        let exe = std::env::current_exe().context("finding the suite binary")?;
        let mut child = Command::new(exe)
            .arg("--data-dir")
            .arg(dir)
            .args(["node", "--listen", "127.0.0.1:0"])
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting suite node")?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().transpose()?.unwrap_or_default();
        let Some(address) = first.strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("suite node did not start (it said {first:?})");
        };
        // Keep draining its stdout so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self {
            url: format!("{address}/rpc/v1"),
            child,
        })
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run(args: DemoArgs, json: bool) -> Result<Output> {
    let started = Instant::now();
    let (dir, temporary) = match &args.keep {
        Some(dir) => {
            if dir.exists() {
                bail!("{} exists: --keep wants a new directory", dir.display());
            }
            (dir.clone(), false)
        }
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let dir: PathBuf =
                std::env::temp_dir().join(format!("suite-demo-{}-{nanos}", std::process::id()));
            (dir, true)
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = NodeProcess::start(&dir.join("devnet")).and_then(|node| {
        let options = Options {
            rpc: node.url.clone(),
            token: None,
            home: dir.join("home"),
            deployment: None,
            json,
        };
        let told = tell(&options, json, started);
        drop(node);
        told
    });
    let disk = dir_size(&dir.join("devnet"));
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (mut out, story_json) = result?;
    let elapsed = started.elapsed().as_secs_f64();
    let kept = if temporary {
        "removed".to_string()
    } else {
        format!(
            "kept in {}: serve it again with `suite --data-dir {} node`, use it with `--home {}`",
            dir.display(),
            dir.join("devnet").display(),
            dir.join("home").display()
        )
    };
    out.text.push_str(&format!(
        "\ndemo finished in {elapsed:.1} s; the node's devnet took {} bytes on disk ({kept})\n",
        thousands(disk)
    ));
    let mut json_out = story_json;
    json_out["wall_seconds"] = json!(elapsed);
    json_out["disk_bytes"] = json!(disk);
    json_out["data_dir"] = json!(if temporary {
        None
    } else {
        Some(dir.join("devnet").display().to_string())
    });
    json_out["home"] = json!(if temporary {
        None
    } else {
        Some(dir.join("home").display().to_string())
    });
    out.json = json_out;
    Ok(out)
}

fn tell(options: &Options, json: bool, started: Instant) -> Result<(Output, serde_json::Value)> {
    let mut d = Session::open(options)?;
    d.check_book()?;
    let mut s = Story {
        d,
        flows: Flows::default(),
        step: 0,
        json,
        started,
        next_sector: 1,
    };
    let suite = s.d.suite()?;
    let epoch = s.d.epoch()?;
    s.say(format!(
        "node up at {}: registry f0{}, escrow f0{}, market f0{} (epoch {epoch})",
        options.rpc, suite.reputation, suite.escrow, suite.market,
    ));

    // The cast.
    let secp = KeyKind::Secp256k1;
    let alice = create_account(&mut s.d, "alice", whole(1_000), secp)?;
    let bob = create_account(&mut s.d, "bob", whole(1_000), secp)?;
    let carol = create_account(&mut s.d, "carol", whole(1_000), secp)?;
    let watcher = create_account(&mut s.d, "watcher", whole(10), secp)?;
    let mut providers = Vec::new();
    for name in ["p1", "p2", "p3", "p4"] {
        let p = s.provider(name)?;
        let metadata = Metadata {
            name: format!("Provider {}", &name[1..]),
            region: ["DE", "US-CA", "JP", "BR"][providers.len()].to_string(),
            peer_id: Vec::new(),
            links: vec![format!("https://{name}.example")],
        };
        register_provider(&mut s.d, &p.owner, p.miner, metadata)?;
        providers.push(p);
    }
    let [p1, p2, p3, p4] = [providers[0], providers[1], providers[2], providers[3]];
    s.say("clients alice, bob, carol, a watcher and providers p1–p4 (miners with owner and worker) registered in the reputation registry".into());

    // Three clients post bounties.
    let expiry = s.d.epoch()? + 100_000;
    let bounty =
        |seed: u8, replicas: u64, reward: u64, collateral: u64, min_duration: ChainEpoch| PostBountyParams {
            piece_cid: f05::piece_cid([seed; 32]),
            piece_size: PIECE_SIZE,
            replicas,
            reward_per_replica: whole(reward),
            collateral_per_replica: whole(collateral),
            min_duration,
            expiry,
            min_reputation: None,
            allowed_providers: None,
            distinct_owners: false,
            max_per_region: None,
            renewals: 0,
        };
    let posts = [
        (alice, "alice", bounty(0x11, 2, 20, 5, DAYS_180), 0x11u8),
        (bob, "bob", bounty(0x22, 1, 30, 8, DAYS_180), 0x22),
        (
            carol,
            "carol",
            PostBountyParams {
                min_reputation: Some(4_000),
                ..bounty(0x33, 2, 15, 4, DAYS_180 / 2)
            },
            0x33,
        ),
    ];
    let mut ids = Vec::new();
    for (client, name, p, _) in &posts {
        let id = post_bounty(&mut s.d, client, p)?;
        let value = &p.reward_per_replica * p.replicas;
        s.flows.posted += &value;
        s.say(format!(
            "{name} posts bounty {id}: {} replica(s) × {} for a 32 GiB piece …{}, collateral {}, kept ≥ {} days",
            p.replicas,
            fil(&p.reward_per_replica),
            &p.piece_cid.to_string()[56..],
            fil(&p.collateral_per_replica),
            p.min_duration / 2_880
        ));
        ids.push(id);
    }
    let [bounty_a, bounty_b, bounty_c] = [ids[0], ids[1], ids[2]];

    // Four providers store the pieces and claim.
    let deal_span = DAYS_180 + 100_000;
    let mut claims = BTreeMap::new();
    for (p, client, seed, bounty_id) in [
        (p1, alice, 0x11, bounty_a),
        (p2, alice, 0x11, bounty_a),
        (p3, bob, 0x22, bounty_b),
        (p4, carol, 0x33, bounty_c),
        (p1, carol, 0x33, bounty_c),
    ] {
        let deal = s.store_piece(p, &client, seed, deal_span)?;
        let (claim, lock) = s.claim(p, bounty_id, deal)?;
        claims.insert((p.name, bounty_id), (claim, lock));
    }

    // Rewards vest; providers pull them.
    s.advance(30 * 2_880)?;
    s.withdraw(p1)?;
    s.withdraw(p2)?;

    // p3 stops proving a sector: its window passes without a WindowPoSt and the miner's
    // deadline cron marks it faulty (nobody declares anything); a watcher proves the fault,
    // the client is paid the fault fee.
    let (_, lock_b) = claims[&("p3", bounty_b)];
    let sector_b = get_lock(&mut s.d, lock_b)?
        .lock
        .sector
        .map(|x| x.sector_number)
        .context("p3's lock has its sector")?;
    set_proving(&mut s.d, p3.miner, sector_b, false)?;
    let (_, location) = sector_location(&mut s.d, p3.miner, sector_b)?;
    let (open, close) = challenge_window(location.deadline.max(0) as u64, s.d.epoch()?);
    s.say(format!(
        "p3 stops proving sector {sector_b} (holding bob's piece); its challenge window is epochs {open}–{close}"
    ));
    s.advance(close + 1 - s.d.epoch()?)?;
    let (status, _) = sector_location(&mut s.d, p3.miner, sector_b)?;
    if status != suite_devnet::miner::SectorStatusCode::Faulty {
        bail!("p3's sector {sector_b} is {status:?} after its missed window, not Faulty");
    }
    s.say(format!(
        "the window passed without a WindowPoSt: p3's deadline cron marks sector {sector_b} faulty"
    ));
    // The watcher (`suite watch`'s rounds) finds the fault among every open lock and proves it.
    let genesis = crate::watch::round::genesis(&s.d)?;
    let mut watch = Watcher::open(
        &mut s.d,
        WatchConfig {
            from: watcher,
            min_reward: TokenAmount::default(),
            page: suite_interfaces::escrow::MAX_PAGE,
            state_path: crate::watch::default_state_path(&options.home, suite.escrow, &genesis, watcher.id),
            from_height: 0,
            providers: Vec::new(),
        },
    )?;
    let (round, report) = s.watch_until_report(&mut watch, lock_b)?;
    let ret = report.ret.clone().context("an accepted report has its return")?;
    s.flows.compensation += &ret.compensation;
    s.flows.rewards += &ret.reporter_reward;
    s.say(format!(
        "the watcher (suite watch, round {}: {} locks checked with {} StateCalls) proves the fault: fee {} slashed, {} to bob, {} to the watcher for {} of gas; {} still locked",
        round.number,
        round.checked,
        round.state_calls,
        fil(&ret.slashed),
        fil(&ret.compensation),
        fil(&ret.reporter_reward),
        fil(&report.gas_paid),
        fil(&ret.remaining)
    ));

    // It never recovers: the sector dies, the rest of the collateral goes to the client.
    s.advance(2_880)?;
    miner_control(
        &mut s.d,
        p3.miner,
        &suite_devnet::miner::Control::Terminate(sector_b),
    )?;
    s.say(format!(
        "p3's sector {sector_b} is terminated (its deal ends early)"
    ));
    let (round, report) = s.watch_until_report(&mut watch, lock_b)?;
    let ret = report.ret.clone().context("an accepted report has its return")?;
    s.flows.compensation += &ret.compensation;
    s.flows.rewards += &ret.reporter_reward;
    let proof = report.proof.clone();
    let checked = round.checked;
    let reopened = get_bounty(&mut s.d, bounty_b)?.bounty.open_slots;
    s.say(format!(
        "the watcher's next round ({checked} locks checked) proves the loss ({proof}): {} slashed, {} to bob, {} to the watcher; p3's claim stops vesting, bounty {bounty_b} has {reopened} open slot(s) again",
        fil(&ret.slashed),
        fil(&ret.compensation),
        fil(&ret.reporter_reward)
    ));

    // Another provider takes the reopened slot by direct data onboarding: no f05 deal. p4
    // deposits the collateral with the market beforehand (the notification carries no FIL),
    // activates bob's piece in a new sector, and its miner notifies the market, which claims
    // the bounty named in the piece's payload.
    let collateral_b = get_bounty(&mut s.d, bounty_b)?.bounty.collateral_per_replica;
    let deposit = deposit_collateral(&mut s.d, &p4.worker, p4.miner, &collateral_b)?;
    s.flows.deposited += &collateral_b;
    s.say(format!(
        "p4 deposits {} of collateral with the market for DDO claims ({} available)",
        fil(&collateral_b),
        fil(&deposit.available)
    ));
    let sector = s.next_sector;
    s.next_sector += 1;
    let now = s.d.epoch()?;
    add_sector(&mut s.d, p4.miner, sector, 0, 0, now + 1_051_200)?;
    let outcome = activate_ddo(&mut s.d, bounty_b, p4.miner, sector)?;
    if let Some(why) = outcome.refusal {
        bail!("the market refused p4's DDO activation: {why}");
    }
    let claim_id = outcome.claim_id.context("the DDO claim's event names it")?;
    let claim = get_claim(&mut s.d, claim_id)?.claim;
    s.flows.collateral += &claim.collateral;
    s.flows.ddo_locked += &claim.collateral;
    s.say(format!(
        "p4 activates bob's piece in sector {sector} by DDO; its miner's SectorContentChanged claims bounty {bounty_b}: claim {claim_id}, {} vesting, {} of its deposit locked in lock {}",
        fil(&claim.reward),
        fil(&claim.collateral),
        claim.lock_id.map(|l| l.to_string()).unwrap_or("-".into())
    ));

    // p1's claim on alice's bounty runs its course: released, completed.
    let (claim_a1, lock_a1) = claims[&("p1", bounty_a)];
    let vest_end = get_claim(&mut s.d, claim_a1)?.claim.vest_end;
    let end = get_lock(&mut s.d, lock_a1)?.lock.end_epoch;
    s.advance(end.max(vest_end) - s.d.epoch()?)?;
    let (amount, to) = release(&mut s.d, &watcher, lock_a1)?;
    s.flows.released += &amount;
    let status = get_claim(&mut s.d, claim_a1)?.claim.status;
    s.say(format!(
        "lock {lock_a1} ends: {} back to {}, p1's claim {claim_a1} is {:?}",
        fil(&amount),
        s.d.name_of(to),
        status
    ));
    // alice wants her piece kept longer: she funds one renewal term (at the post's rate), and
    // p1, whose claim just completed, stores the piece under a new deal and renews the claim:
    // same claim id, a new lock, a new term vesting from now, the first deal kept in its history.
    let funded = fund_renewals(&mut s.d, &alice, bounty_a, 1)?;
    s.flows.renewals_funded += &funded.reward_per_replica;
    s.say(format!(
        "alice funds a renewal of bounty {bounty_a}: {} for one more term of {} days",
        fil(&funded.renewal_pool),
        funded.min_duration / 2_880
    ));
    let deal = s.store_piece(p1, &alice, 0x11, deal_span)?;
    let renewed = renew_claim(&mut s.d, &p1.worker, claim_a1, deal, None)?;
    let claim = get_claim(&mut s.d, claim_a1)?.claim;
    s.flows.collateral += &claim.collateral;
    s.say(format!(
        "p1 stores alice's piece again (deal {deal}) and renews claim {claim_a1}: {} vesting over epochs {}–{}, {} locked in lock {}; its history keeps deal {}",
        fil(&renewed.reward),
        renewed.term_start,
        renewed.term_end,
        fil(&claim.collateral),
        renewed.lock_id,
        claim.history.first().map(|t| t.deal.deal_id.to_string()).unwrap_or("-".into())
    ));
    // A crowdfunded bounty: alice asks for 2 × 10 FIL, at most one replica per region; bob
    // and carol add 6 and 4 FIL to its open slots, so each claim pays 15 FIL. p2 (US-CA) takes
    // one; alice cancels the other, and each funder takes back its share of the 15 FIL returned.
    let crowd = PostBountyParams {
        expiry: s.d.epoch()? + 100_000,
        max_per_region: Some(1),
        ..bounty(0x44, 2, 10, 5, DAYS_180)
    };
    let bounty_d = post_bounty(&mut s.d, &alice, &crowd)?;
    s.flows.posted += &crowd.reward_per_replica * crowd.replicas;
    s.say(format!(
        "alice posts bounty {bounty_d}: 2 replicas × {}, at most one per region, open to sponsors",
        fil(&crowd.reward_per_replica)
    ));
    for (sponsor, name, amount) in [(bob, "bob", whole(6)), (carol, "carol", whole(4))] {
        let after = fund_bounty(&mut s.d, &sponsor, bounty_d, &amount)?;
        s.flows.funded += &amount;
        s.say(format!(
            "{name} adds {} to bounty {bounty_d}: its {} open slots now pay {} each",
            fil(&amount),
            after.open_slots,
            fil(&after.pool.div_floor(after.open_slots.max(1)))
        ));
    }
    let deal = s.store_piece(p2, &alice, 0x44, deal_span)?;
    s.claim(p2, bounty_d, deal)?;
    let before = cancel_bounty(&mut s.d, &alice, bounty_d)?;
    s.say(format!(
        "alice cancels bounty {bounty_d}: its open slot's {} goes back to alice, bob and carol pro rata",
        fil(&before.pool)
    ));
    for (sponsor, name) in [(bob, "bob"), (carol, "carol")] {
        let ret = refund_sponsor(&mut s.d, &sponsor, bounty_d)?;
        s.flows.sponsor_refunded += &ret.amount;
        s.say(format!(
            "{name} takes back {} of bounty {bounty_d} (its share of what was returned)",
            fil(&ret.amount)
        ));
    }
    let amount = reclaim(&mut s.d, &alice, bounty_d)?;
    s.flows.reclaimed += &amount;
    s.say(format!("alice reclaims {} of bounty {bounty_d}", fil(&amount)));

    for p in [p1, p2, p3, p4] {
        s.withdraw(p)?;
    }

    // The books: what went in equals what came out plus what is still held.
    let market_balance = s.d.balance(suite.market)?;
    let escrow_balance = s.d.balance(suite.escrow)?;
    let f = &s.flows;
    let market_expected =
        &f.posted + &f.funded + &f.renewals_funded - &f.withdrawn - &f.reclaimed - &f.sponsor_refunded
            + &f.deposited
            - &f.ddo_locked;
    let escrow_expected = &f.collateral - &f.released - &f.compensation - &f.rewards;
    if market_expected != market_balance || escrow_expected != escrow_balance {
        bail!(
            "the books do not balance: market holds {} (expected {}), escrow holds {} (expected {})",
            fil(&market_balance),
            fil(&market_expected),
            fil(&escrow_balance),
            fil(&escrow_expected)
        );
    }
    let mut text = String::new();
    text.push_str(&format!(
        "\nFIL accounted for (every figure from the messages' returns, checked against the actors' balances):\n\
         clients paid {} into bounties and {} for renewals, sponsors {} = {} withdrawn by providers + {} reclaimed + {} refunded to sponsors + {} still held by the market\n\
         providers locked {} collateral = {} released + {} to clients + {} to watchers + {} still held by the escrow\n\
         providers deposited {} of collateral for DDO claims, {} of it locked by them\n",
        fil(&f.posted),
        fil(&f.renewals_funded),
        fil(&f.funded),
        fil(&f.withdrawn),
        fil(&f.reclaimed),
        fil(&f.sponsor_refunded),
        fil(&market_balance),
        fil(&f.collateral),
        fil(&f.released),
        fil(&f.compensation),
        fil(&f.rewards),
        fil(&escrow_balance),
        fil(&f.deposited),
        fil(&f.ddo_locked),
    ));
    let books = json!({
        "posted": atto_json(&f.posted),
        "withdrawn": atto_json(&f.withdrawn),
        "reclaimed": atto_json(&f.reclaimed),
        "funded": atto_json(&f.funded),
        "sponsor_refunded": atto_json(&f.sponsor_refunded),
        "market_balance": atto_json(&market_balance),
        "collateral": atto_json(&f.collateral),
        "released": atto_json(&f.released),
        "compensation": atto_json(&f.compensation),
        "reporter_rewards": atto_json(&f.rewards),
        "escrow_balance": atto_json(&escrow_balance),
        "deposited": atto_json(&f.deposited),
        "ddo_locked": atto_json(&f.ddo_locked),
        "renewals_funded": atto_json(&f.renewals_funded),
    });

    let gas = std::mem::take(&mut s.d.gas);
    let (reputation, reputation_json) = reputation_table(&mut s.d)?;
    text.push_str("\nReputation:\n");
    text.push_str(&reputation.render());

    let mut by_method: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for g in &gas {
        by_method.entry(g.method.clone()).or_default().push(g.gas);
    }
    let mut rows: Vec<(String, Vec<u64>)> = by_method.into_iter().collect();
    rows.sort_by_key(|(_, v)| std::cmp::Reverse(v.iter().sum::<u64>() / v.len() as u64));
    let mut table = Table::new(&["method", ">calls", ">mean gas", ">max gas"]);
    let mut gas_json = Vec::new();
    for (method, v) in &rows {
        let mean = v.iter().sum::<u64>() / v.len() as u64;
        let max = v.iter().copied().max().unwrap_or(0);
        table.row(vec![
            method.clone(),
            v.len().to_string(),
            thousands(mean),
            thousands(max),
        ]);
        gas_json.push(json!({ "method": method, "calls": v.len(), "mean_gas": mean, "max_gas": max }));
    }
    text.push_str("\nGas per method (every message of the demo):\n");
    text.push_str(&table.render());
    let messages = gas.len();
    text.push_str(&format!("\n{messages} messages, final epoch {}\n", s.d.epoch()?));
    // The names of the story's keys and miners, for `--keep`'s home.
    s.d.save()?;
    let json = json!({
        "messages": messages,
        "epoch": s.d.epoch()?,
        "books": books,
        "reputation": reputation_json,
        "gas": gas_json,
    });
    Ok((Output::new(json.clone(), text), json))
}
