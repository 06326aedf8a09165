//! The stand-in miner's proving cycle on the real FVM, driven by the epoch advance's cron:
//! windows that pass without a proof fault their sectors (nobody declares anything),
//! `DeclareFaults` and `DeclareFaultsRecovered` from a controlling address, a declared recovery
//! that stays Faulty until proven at its next window, FAULT_MAX_AGE terminating a sector and
//! its deals, and what advancing many epochs at once costs.

use super::common::fil;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use integration_tests::miner::{
    self, FaultDeclaration, SectorLocation, SectorStatusCode, FAULT_MAX_AGE, WPOST_PROVING_PERIOD,
};
use integration_tests::storage_market::{deal_proposal, provider_miner_with_worker, StorageMarketExt};
use integration_tests::{Account, Harness, MinerClient, StorageMarketClient};

struct World {
    h: Harness,
    owner: Account,
    worker: Account,
    stranger: Account,
    miner: ActorID,
}

fn world() -> World {
    let mut h = Harness::new().unwrap();
    let owner = h.create_account(fil(100)).unwrap();
    let stranger = h.create_account(fil(100)).unwrap();
    let (miner, worker) = provider_miner_with_worker(&mut h, &owner).unwrap();
    World {
        h,
        owner,
        worker,
        stranger,
        miner,
    }
}

impl World {
    fn add_sector(&mut self, n: u64, deadline: u64, expiration: ChainEpoch) {
        miner::add_sector(&mut self.h, self.miner, n, deadline, 0, expiration)
            .unwrap()
            .ok()
            .unwrap();
    }

    fn status(&mut self, n: u64) -> SectorStatusCode {
        MinerClient::at(self.miner)
            .sector_location(&mut self.h, n)
            .unwrap()
            .unwrap()
            .0
    }

    /// `ValidateSectorStatus` for Active, Faulty and Dead at the sector's location.
    fn validates(&mut self, n: u64, deadline: i64) -> [bool; 3] {
        let at = SectorLocation {
            deadline,
            partition: 0,
        };
        [
            SectorStatusCode::Active,
            SectorStatusCode::Faulty,
            SectorStatusCode::Dead,
        ]
        .map(|s| {
            MinerClient::at(self.miner)
                .validate_sector_status(&mut self.h, n, s, at)
                .unwrap()
                .unwrap()
        })
    }
}

fn declaration(deadline: u64, sectors: Vec<u64>) -> Vec<FaultDeclaration> {
    vec![FaultDeclaration {
        deadline,
        partition: 0,
        sectors,
    }]
}

#[test]
fn a_window_without_a_proof_faults_its_sectors_and_no_other() {
    let mut w = world();
    w.add_sector(1, 4, 1_000_000);
    w.add_sector(2, 4, 1_000_000);
    w.add_sector(3, 9, 1_000_000);
    miner::stop_proving(&mut w.h, w.miner, 1).unwrap().ok().unwrap();
    // Stopping twice, or a sector the miner does not have, is refused.
    let r = miner::stop_proving(&mut w.h, w.miner, 1).unwrap();
    assert_eq!(r.exit_code, ExitCode::USR_ILLEGAL_STATE);
    let r = miner::stop_proving(&mut w.h, w.miner, 99).unwrap();
    assert_eq!(r.exit_code, ExitCode::USR_NOT_FOUND);

    // Deadline 4's window is epochs 240–299: its cron runs at the end of 299.
    let end = miner::window_end(4, w.h.epoch());
    assert_eq!(end, 299);
    w.h.advance_to(end).unwrap();
    assert_eq!(w.status(1), SectorStatusCode::Active);
    w.h.advance_to(end + 1).unwrap();
    assert_eq!(w.status(1), SectorStatusCode::Faulty);
    assert_eq!(w.validates(1, 4), [false, true, false]);
    // Its neighbour in the partition and the sector of another deadline were proven.
    assert_eq!(w.status(2), SectorStatusCode::Active);
    assert_eq!(w.status(3), SectorStatusCode::Active);

    // Proven again from now on, it stays faulty: a recovery must be declared.
    miner::resume_proving(&mut w.h, w.miner, 1).unwrap().ok().unwrap();
    w.h.advance(3 * WPOST_PROVING_PERIOD).unwrap();
    assert_eq!(w.status(1), SectorStatusCode::Faulty);
    let (worker, miner) = (w.worker, w.miner);
    miner::declare_faults_recovered(&mut w.h, &worker, miner, declaration(4, vec![1]))
        .unwrap()
        .ok()
        .unwrap();
    let proven = miner::window_end(4, w.h.epoch());
    w.h.advance_to(proven + 1).unwrap();
    assert_eq!(w.status(1), SectorStatusCode::Active);
}

#[test]
fn a_sector_moved_to_another_deadline_is_due_at_that_deadline_s_window() {
    let mut w = world();
    w.add_sector(1, 40, 1_000_000);
    miner::stop_proving(&mut w.h, w.miner, 1).unwrap().ok().unwrap();
    // Compaction moves it from deadline 40 (window ending at 2459) to deadline 1 (at 119).
    miner::move_sector(&mut w.h, w.miner, 1, 1, 0)
        .unwrap()
        .ok()
        .unwrap();
    w.h.advance_to(miner::window_end(1, 0) + 1).unwrap();
    assert_eq!(w.validates(1, 1), [false, true, false]);
}

#[test]
fn a_declared_recovery_stays_faulty_until_its_next_window_is_proven() {
    let mut w = world();
    w.add_sector(7, 2, 1_000_000);
    let (worker, owner, stranger, miner) = (w.worker, w.owner, w.stranger, w.miner);

    // DeclareFaults (10) from the worker: Faulty at once.
    w.h.advance_to(1_000).unwrap();
    miner::declare_faults(&mut w.h, &worker, miner, declaration(2, vec![7]))
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(w.validates(7, 2), [false, true, false]);

    // DeclareFaultsRecovered (11) from the owner: still Faulty for every getter.
    miner::declare_faults_recovered(&mut w.h, &owner, miner, declaration(2, vec![7]))
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(w.status(7), SectorStatusCode::Faulty);
    assert_eq!(w.validates(7, 2), [false, true, false]);
    // Deadline 2's next window ends at 2880 + 179.
    let proof_at = miner::window_end(2, w.h.epoch());
    assert_eq!(proof_at, WPOST_PROVING_PERIOD + 179);
    w.h.advance_to(proof_at).unwrap();
    assert_eq!(w.status(7), SectorStatusCode::Faulty);
    w.h.advance_to(proof_at + 1).unwrap();
    assert_eq!(w.status(7), SectorStatusCode::Active);
    assert_eq!(w.validates(7, 2), [true, false, false]);

    // Declared recovered while the provider does not prove it: the window leaves it faulty.
    miner::declare_faults(&mut w.h, &worker, miner, declaration(2, vec![7]))
        .unwrap()
        .ok()
        .unwrap();
    miner::stop_proving(&mut w.h, w.miner, 7).unwrap().ok().unwrap();
    miner::declare_faults_recovered(&mut w.h, &worker, miner, declaration(2, vec![7]))
        .unwrap()
        .ok()
        .unwrap();
    let failed = miner::window_end(2, w.h.epoch());
    w.h.advance_to(failed + 1).unwrap();
    assert_eq!(w.status(7), SectorStatusCode::Faulty);

    // Only a controlling address declares (18); the sector must be where it is said to be (16).
    let r = miner::declare_faults(&mut w.h, &stranger, miner, declaration(2, vec![7])).unwrap();
    assert_eq!(r.exit_code, ExitCode::USR_FORBIDDEN);
    let r = miner::declare_faults_recovered(&mut w.h, &worker, miner, declaration(3, vec![7])).unwrap();
    assert_eq!(r.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(r.failure.unwrap().contains("not in deadline 3 partition 0"));
    let r = miner::declare_faults(&mut w.h, &worker, miner, declaration(2, vec![8])).unwrap();
    assert_eq!(r.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn forty_two_proving_periods_faulty_terminate_the_sector_and_its_deals() {
    let mut w = world();
    w.add_sector(5, 1, 1_000_000);
    let client = w.h.create_account(fil(10)).unwrap();
    let p = deal_proposal(client.id, w.miner, 10, 500_000, 5);
    let deal = w.h.publish_deal(&p).unwrap();
    w.h.activate_deal(deal, 5).unwrap().ok().unwrap();

    miner::stop_proving(&mut w.h, w.miner, 5).unwrap().ok().unwrap();
    let missed = miner::window_end(1, 0);
    w.h.advance_to(missed + 1).unwrap();
    assert_eq!(w.status(5), SectorStatusCode::Faulty);

    // Faulty until FAULT_MAX_AGE has passed since the missed window; the deal is untouched.
    let expiry = missed + FAULT_MAX_AGE;
    w.h.advance_to(expiry).unwrap();
    assert_eq!(w.status(5), SectorStatusCode::Faulty);
    let market = StorageMarketClient::new();
    assert_eq!(market.deal_sector(&mut w.h, deal).unwrap(), Ok(5));

    // The deadline cron at its end terminates it and the market slashes the deal.
    w.h.advance_to(expiry + 1).unwrap();
    assert_eq!(w.validates(5, 1), [false, false, true]);
    let terminated: usize =
        w.h.cron_receipts()
            .iter()
            .map(|r| r.events_of("deal-terminated").len())
            .sum();
    assert_eq!(terminated, 1);
    let gone = Err(ExitCode::new(32));
    assert_eq!(market.deal_activation(&mut w.h, deal).unwrap(), gone);
    assert_eq!(
        market.deal_sector(&mut w.h, deal).unwrap().map(|_| ()),
        Err(ExitCode::new(32))
    );
    assert_eq!(
        market.deal_term(&mut w.h, deal).unwrap().map(|_| ()),
        Err(ExitCode::new(32))
    );
    assert_eq!(
        market.deal_data_commitment(&mut w.h, deal).unwrap().map(|_| ()),
        Err(ExitCode::new(32))
    );
}

/// What the cron costs: one tick per advance whatever the span, its work one pass over the
/// due miners' sectors. Prints the wall time of advancing 30 days and a year with 20 miners
/// of 48 sectors (one per deadline), a quarter of their sectors not proven.
#[test]
fn advancing_many_epochs_runs_one_bounded_cron_pass() {
    let mut h = Harness::new().unwrap();
    let owner = h.create_account(fil(100)).unwrap();
    let mut miners = Vec::new();
    for _ in 0..20 {
        let (m, _) = provider_miner_with_worker(&mut h, &owner).unwrap();
        for d in 0..48u64 {
            miner::add_sector(&mut h, m, d, d, 0, 10_000_000)
                .unwrap()
                .ok()
                .unwrap();
            if d % 4 == 0 {
                miner::stop_proving(&mut h, m, d).unwrap().ok().unwrap();
            }
        }
        miners.push(m);
    }
    // One tick, however many windows the span holds.
    h.advance(30 * 2_880).unwrap();
    assert_eq!(h.cron_receipts().len(), 1);
    for &m in &miners {
        for d in 0..48u64 {
            let status = MinerClient::at(m).sector_location(&mut h, d).unwrap().unwrap().0;
            let want = if d % 4 == 0 {
                SectorStatusCode::Faulty
            } else {
                SectorStatusCode::Active
            };
            assert_eq!(status, want, "miner f0{m} sector {d}");
        }
    }
    h.advance(365 * 2_880).unwrap();
    assert_eq!(h.cron_receipts().len(), 1);
    let dead = MinerClient::at(miners[0])
        .sector_location(&mut h, 0)
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(dead, SectorStatusCode::Dead);
    // Nothing left to do: the next advance sends no tick.
    h.advance(365 * 2_880).unwrap();
    assert!(h.cron_receipts().is_empty());
}
