//! Section: the devnet's cron (`Harness::advance`): what advancing the chain costs in harness
//! wall time and in cron gas, with sectors that are proven and sectors that are not.

use std::time::Instant;

use anyhow::{ensure, Result};
use fvm_shared::econ::TokenAmount;
use integration_tests::miner::{self, SectorStatusCode};
use integration_tests::storage_market::provider_miner_with_worker;
use integration_tests::{Harness, MinerClient};

use super::report::{Section, Table};
use super::{thousands, Findings, Options};

const MINERS: u64 = 20;
const SECTORS: u64 = 48;
/// One sector in this many is not proven (its provider stopped proving it).
const UNPROVEN_EVERY: u64 = 4;
const DAY: i64 = 2_880;

pub fn run(_options: &Options, findings: &mut Findings) -> Result<Section> {
    let mut h = Harness::new()?;
    let owner = h.create_account(TokenAmount::from_whole(100))?;
    let mut miners = Vec::new();
    for _ in 0..MINERS {
        let (m, _) = provider_miner_with_worker(&mut h, &owner)?;
        for d in 0..SECTORS {
            miner::add_sector(&mut h, m, d, d, 0, 10_000_000)?.ok()?;
            if d % UNPROVEN_EVERY == 0 {
                miner::stop_proving(&mut h, m, d)?.ok()?;
            }
        }
        miners.push(m);
    }
    let unproven = MINERS * SECTORS / UNPROVEN_EVERY;
    let mut rows = Vec::new();
    let mut advance = |h: &mut Harness, what: &str, days: i64, outcome: &str| -> Result<f64> {
        let started = Instant::now();
        h.advance(days * DAY)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let ticks = h.cron_receipts().len();
        let gas: u64 = h.cron_receipts().iter().map(|r| r.gas_used).sum();
        rows.push(vec![
            what.to_string(),
            format!("{ms:.1}"),
            ticks.to_string(),
            thousands(gas),
            outcome.to_string(),
        ]);
        Ok(ms)
    };
    let month = advance(&mut h, "30 days", 30, &format!("{unproven} sectors faulted"))?;
    let status = MinerClient::at(miners[0])
        .sector_location(&mut h, 0)?
        .map_err(|c| anyhow::anyhow!("{c}"))?
        .0;
    ensure!(
        status == SectorStatusCode::Faulty,
        "an unproven sector is {status:?}"
    );
    advance(&mut h, "one year", 365, &format!("those {unproven} terminated"))?;
    let status = MinerClient::at(miners[0])
        .sector_location(&mut h, 0)?
        .map_err(|c| anyhow::anyhow!("{c}"))?
        .0;
    ensure!(
        status == SectorStatusCode::Dead,
        "a sector unproven for a year is {status:?}"
    );
    let idle = advance(&mut h, "one year, nothing due", 365, "nothing (no tick)")?;
    findings.headlines.push(format!(
        "devnet cron: advancing 30 days with {MINERS} miners × {SECTORS} sectors ({unproven} unproven) took {month:.1} ms of harness wall time; a year with nothing due {idle:.2} ms"
    ));
    Ok(Section {
        title: "Devnet cron".into(),
        facts: vec![format!(
            "{MINERS} stand-in miners × {SECTORS} sectors, one sector in {UNPROVEN_EVERY} not proven; \
             each advance runs the chain's cron: one CronTick when something is due, every window \
             of the span applied in closed form"
        )],
        tables: vec![Table {
            caption: "Harness::advance: wall time, cron ticks and their gas".into(),
            header: ["advance", "ms", "ticks", "cron gas", "what happened"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: Vec::new(),
        }],
    })
}
