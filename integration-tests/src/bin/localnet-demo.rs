//! An end-to-end run on a local FVM: boots ref-fvm with the stand-in builtin actors, deploys a
//! user wasm actor through init, and walks a storage deal and its sector through their
//! lifecycle, printing what the chain answers and the gas of every message.
//! (`scripts/demo.sh` runs it; it grows into the suite's demo as the actors land.)

use anyhow::{ensure, Result};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use integration_tests::market::{deal_proposal, MarketExt};
use integration_tests::miner::{self, SectorLocation, SectorStatusCode};
use integration_tests::{Harness, Receipt};

struct GasLog(Vec<(String, u64, ExitCode)>);

impl GasLog {
    fn record(&mut self, step: &str, r: &Receipt) {
        self.0.push((step.to_string(), r.gas_used, r.exit_code));
    }
}

fn show<T: std::fmt::Debug>(answer: &Result<T, ExitCode>) -> String {
    match answer {
        Ok(v) => format!("{v:?}"),
        Err(code) => format!("exit {}", code.value()),
    }
}

fn main() -> Result<()> {
    let mut gas = GasLog(Vec::new());
    let mut h = Harness::new()?;
    println!(
        "[1] local FVM booted at epoch {} with 16 stand-in builtin actors:",
        h.epoch()
    );
    for (t, cid) in &h.manifest().entries {
        println!("      {:<18} {cid}", t.name());
    }

    let alice = h.create_account(TokenAmount::from_whole(1_000))?;
    let module = integration_tests::actors::require_wasm("test-actor-counter")?;
    let code = h.install_code(&alice, module)?;
    let r = h
        .exec_actor(&alice, code, &alice.id, TokenAmount::default())?
        .ok()?;
    gas.record("init.Exec (create user actor)", &r);
    let counter = r.ret::<stand_in_init::ExecReturn>()?.id_address.id()?;
    let r = h
        .call(
            &alice,
            counter,
            test_actor_counter::METHOD_INCREMENT,
            &7u64,
            TokenAmount::default(),
        )?
        .ok()?;
    gas.record("counter.Increment", &r);
    println!(
        "[2] user wasm actor installed ({code}) and created as f0{counter}; Increment(7) -> {}",
        r.ret::<u64>()?
    );

    let client = h.create_account(TokenAmount::from_whole(100))?;
    let provider = h.create_account(TokenAmount::from_whole(100))?;
    let owner = provider.address();
    let sp = miner::create_miner(&mut h, &provider, owner, owner, vec![], miner::SECTOR_SIZE_32GIB)?;
    println!(
        "[3] client f0{}, storage provider f0{} with miner f0{sp} (type {:?})",
        client.id,
        provider.id,
        h.builtin_type(sp)?.unwrap()
    );

    let r = miner::add_sector(&mut h, sp, 1, 3, 0, 600_000)?.ok()?;
    gas.record("miner.HarnessAddSector", &r);
    let proposal = deal_proposal(client.id, sp, 100, 100 + 518_400, 7);
    let deal = h.publish_deal(&proposal)?;
    let r = h.activate_deal(deal, 1)?;
    gas.record("market.HarnessActivateDeal", &r);
    let activation = h
        .deal_activation(deal)?
        .map_err(|c| anyhow::anyhow!("exit {c}"))?;
    let sector = h.deal_sector(deal)?.map_err(|c| anyhow::anyhow!("exit {c}"))?;
    println!(
        "[4] deal {deal} published for piece {} and activated at epoch {} in sector {sector}",
        proposal.piece_cid, activation.activated
    );

    h.advance(2880)?;
    let r = miner::fault_sector(&mut h, sp, 1)?.ok()?;
    gas.record("miner.HarnessFaultSector", &r);
    let here = SectorLocation::new(3, 0);
    let faulty = miner::validate_sector_status(&mut h, sp, 1, SectorStatusCode::Faulty, here)?;
    println!(
        "[5] epoch {}: sector 1 missed a proof; ValidateSectorStatus(Faulty) -> {}",
        h.epoch(),
        show(&faulty)
    );
    ensure!(faulty == Ok(true), "the fault is not visible");

    let r = miner::terminate_sector(&mut h, sp, 1)?.ok()?;
    gas.record("miner.HarnessTerminateSector (+market)", &r);
    let gone = h.deal_activation(deal)?;
    let dead = miner::validate_sector_status(&mut h, sp, 1, SectorStatusCode::Dead, here)?;
    println!(
        "[6] sector terminated: ValidateSectorStatus(Dead) -> {}; the market now answers GetDealActivation with {}",
        show(&dead),
        show(&gone.map(|a| a.activated))
    );
    ensure!(gone == Err(ExitCode::new(32)), "the deal should be gone (32)");

    let lookup = h.call(
        &alice,
        5,
        stand_in_market::METHOD_GET_DEAL_ACTIVATION,
        &deal,
        TokenAmount::default(),
    )?;
    gas.record("market.GetDealActivation (gone)", &lookup);
    let b = h.call(
        &client,
        5,
        stand_in_market::METHOD_ADD_BALANCE,
        &Address::new_id(client.id),
        TokenAmount::from_whole(1),
    )?;
    gas.record("market.AddBalance", &b.ok()?);

    println!("\n{:<40} {:>12}  exit", "message", "gas used");
    for (step, used, code) in &gas.0 {
        println!("{step:<40} {used:>12}  {}", code.value());
    }
    println!("\nstate root: {}", h.flush()?);
    Ok(())
}
