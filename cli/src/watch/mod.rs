//! `suite watch`: a keeper bot that proves storage failures to the escrow and earns the
//! reporter reward. The round logic is in [`round`], the state file and report log in [`log`];
//! this is the loop and what it prints.

pub mod log;
pub mod round;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use serde_json::{json, Value};

pub use round::{Config, Report, Round, Watcher};

use crate::output::{thousands, Output};
use crate::session::{Options, Session};
use crate::units::{atto_json, fil, parse_amount};
use log::ReportStatus;

#[derive(Args)]
pub struct WatchArgs {
    /// Who reports: a key of the keystore (it pays the gas and earns the rewards).
    #[arg(long)]
    pub from: String,
    /// Seconds between rounds. A round on a head already fully checked does nothing.
    #[arg(long, default_value_t = 30)]
    pub interval: u64,
    /// Report only when the reward, less the most gas the report can cost, is at least this
    /// (e.g. 0.01FIL).
    #[arg(long, default_value = "0FIL")]
    pub min_reward: String,
    /// Stop after this many rounds (default: run until killed).
    #[arg(long)]
    pub rounds: Option<u64>,
    /// One round, then stop (as --rounds 1).
    #[arg(long, conflicts_with = "rounds")]
    pub once: bool,
    /// Locks checked per round (1 to 100): every lock is reached within
    /// ⌈locks / page⌉ rounds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page: u32,
    /// The watcher's state and report log (default:
    /// `<home>/watch/f0<escrow>-<chain>-f0<reporter>.json`). One watcher per file.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Where the first scan of the escrow's `collateral-locked` events starts (a node may
    /// limit how far back a filter reaches; with --provider, ListLocks catches up instead).
    #[arg(long, default_value_t = 0)]
    pub from_height: ChainEpoch,
    /// Also watch every lock of this provider from the start, found with ListLocks (repeat).
    #[arg(long = "provider")]
    pub providers: Vec<String>,
}

/// The default state file: one per chain, escrow and reporter, so that watchers of different
/// devnets, or with different keys, sharing a home never mix their logs.
pub fn default_state_path(home: &std::path::Path, escrow: u64, genesis: &str, reporter: u64) -> PathBuf {
    // The genesis CID's last characters name the chain well enough for a file name.
    let chain = &genesis[genesis.len().saturating_sub(12)..];
    home.join("watch")
        .join(format!("f0{escrow}-{chain}-f0{reporter}.json"))
}

pub fn run(options: &Options, args: WatchArgs) -> Result<Output> {
    let mut d = Session::open(options)?;
    d.check_book()?;
    let from = d.account(&args.from)?;
    let min_reward = parse_amount(&args.min_reward).context("--min-reward")?;
    let mut providers = Vec::new();
    for p in &args.providers {
        providers.push(d.miner_id(p)?);
    }
    let state_path = match &args.state {
        Some(p) => p.clone(),
        None => {
            let escrow = d.suite()?.escrow;
            default_state_path(&d.home, escrow, &round::genesis(&d)?, from.id)
        }
    };
    let config = Config {
        from,
        min_reward,
        page: args.page,
        state_path,
        from_height: args.from_height,
        providers,
    };
    let mut watcher = Watcher::open(&mut d, config)?;
    d.save()?;
    let json = options.json;
    if !json {
        println!(
            "watching escrow f0{} as {} (f0{}), state in {}",
            watcher.escrow,
            d.name_of(from.id),
            from.id,
            watcher.config.state_path.display()
        );
    }
    let limit = if args.once { Some(1) } else { args.rounds };
    let mut done = 0u64;
    loop {
        let started = Instant::now();
        match watcher.round(&mut d) {
            Ok(round) => print_round(&d, &round, json, started.elapsed()),
            // A long-running watcher outlives a node's hiccup; a bounded run reports it.
            Err(e) if limit.is_none() => eprintln!("watch: round failed: {e:#} (retrying)"),
            Err(e) => return Err(e),
        }
        done += 1;
        if limit.is_some_and(|n| done >= n) {
            break;
        }
        std::thread::sleep(Duration::from_secs(args.interval));
    }
    Ok(Output::new(Value::Null, String::new()))
}

fn location_json(r: &Report) -> Value {
    r.location.map_or(
        Value::Null,
        |l| json!({ "deadline": l.deadline, "partition": l.partition }),
    )
}

pub fn report_json(d: &Session, round: u64, r: &Report) -> Value {
    let ret = r.ret.as_ref();
    json!({
        "type": "report",
        "round": round,
        "lock": r.lock,
        "provider": format!("f0{}", r.provider),
        "provider_name": d.name_of(r.provider),
        "proof": r.proof,
        "location": location_json(r),
        "status": match r.status { ReportStatus::Reported => "reported", ReportStatus::Failed => "failed", ReportStatus::Pending => "pending", ReportStatus::Lost => "lost" },
        "exit_code": r.exit_code,
        "reward": atto_json(&r.reward()),
        "compensation": ret.map(|x| atto_json(&x.compensation)),
        "slashed": ret.map(|x| atto_json(&x.slashed)),
        "remaining": ret.map(|x| atto_json(&x.remaining)),
        "gas_used": r.gas_used,
        "gas_paid": atto_json(&r.gas_paid),
        "gas_bound": r.gas_bound.as_ref().map(atto_json),
        "net": r.net().atto().to_string(),
        "epoch": r.epoch,
        "cid": r.cid,
        "recovered": r.recovered,
    })
}

pub fn round_json(r: &Round, wall: Duration) -> Value {
    json!({
        "type": "round",
        "round": r.number,
        "head": r.head,
        "unchanged": r.unchanged,
        "tracked": r.tracked,
        "checked": r.checked,
        "faults": r.faults,
        "reported": r.reported(),
        "refused": r.refusals.iter().map(|x| json!({ "lock": x.lock, "proof": x.proof, "exit_code": x.exit_code, "reason": x.reason })).collect::<Vec<_>>(),
        "rewards": atto_json(&r.rewards()),
        "gas_paid": atto_json(&r.gas_paid()),
        "state_calls": r.state_calls,
        "simulations": r.simulations,
        "pass_complete": r.pass_complete,
        "wall_ms": wall.as_millis() as u64,
    })
}

/// One line for a report.
pub fn report_line(d: &Session, r: &Report) -> String {
    let at = r
        .location
        .map(|l| format!(" at deadline {} partition {}", l.deadline, l.partition))
        .unwrap_or_default();
    let earlier = if r.recovered {
        " (pushed by an earlier run)"
    } else {
        ""
    };
    match (&r.status, &r.ret) {
        (ReportStatus::Reported, Some(ret)) => format!(
            "lock {} of {}: {}{at} proven{earlier}: slashed {}, {} to the beneficiary, earned {} for {} gas ({}), net {}",
            r.lock,
            d.name_of(r.provider),
            r.proof,
            fil(&ret.slashed),
            fil(&ret.compensation),
            fil(&ret.reporter_reward),
            thousands(r.gas_used),
            fil(&r.gas_paid),
            signed_fil(&r.net())
        ),
        _ => format!(
            "lock {} of {}: {}{at} refused on chain with exit {}{earlier} (another report came first): paid {} gas ({})",
            r.lock,
            d.name_of(r.provider),
            r.proof,
            r.exit_code,
            thousands(r.gas_used),
            fil(&r.gas_paid)
        ),
    }
}

fn signed_fil(t: &TokenAmount) -> String {
    if t.is_negative() {
        format!("-{}", fil(&-t.clone()))
    } else {
        fil(t)
    }
}

pub fn round_line(r: &Round, wall: Duration) -> String {
    if r.unchanged {
        return format!(
            "round {} at head {}: head unchanged since a full pass, {} locks tracked, nothing to check",
            r.number, r.head, r.tracked
        );
    }
    let refused = if r.refusals.is_empty() {
        String::new()
    } else {
        format!(", {} refused", r.refusals.len())
    };
    format!(
        "round {} at head {}: {} locks tracked, {} checked, {} faults, {} reported{refused}, earned {} (gas {}); {} StateCalls ({} simulations){} in {:.2} s",
        r.number,
        r.head,
        r.tracked,
        r.checked,
        r.faults,
        r.reported(),
        fil(&r.rewards()),
        fil(&r.gas_paid()),
        r.state_calls,
        r.simulations,
        if r.pass_complete { ", pass complete" } else { "" },
        wall.as_secs_f64()
    )
}

fn print_round(d: &Session, r: &Round, json: bool, wall: Duration) {
    for report in &r.reports {
        if json {
            println!("{}", report_json(d, r.number, report));
        } else {
            println!("{}", report_line(d, report));
        }
    }
    if json {
        println!("{}", round_json(r, wall));
    } else {
        for x in &r.refusals {
            let code = x.exit_code.map(|c| format!(" (exit {c})")).unwrap_or_default();
            println!("lock {}: {} not reported{code}: {}", x.lock, x.proof, x.reason);
        }
        println!("{}", round_line(r, wall));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reporter_on_each_chain_has_its_own_state_file() {
        let home = std::path::Path::new("/h");
        let a = default_state_path(home, 103, "bafy2bzaceabcdefghijklmnop", 108);
        assert_eq!(a, PathBuf::from("/h/watch/f0103-efghijklmnop-f0108.json"));
        assert_ne!(
            a,
            default_state_path(home, 103, "bafy2bzaceabcdefghijklmnop", 109)
        );
        assert_ne!(
            a,
            default_state_path(home, 103, "bafy2bzaceabcdefghijklmnoq", 108)
        );
        assert_eq!(
            default_state_path(home, 1, "short", 2),
            PathBuf::from("/h/watch/f01-short-f02.json")
        );
    }
}
