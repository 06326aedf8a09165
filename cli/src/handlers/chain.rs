//! `status`, `advance`, `account`, `miner` and `deal`.

use anyhow::{anyhow, bail, Result};
use fvm_shared::address::Address;
use fvm_shared::deal::DealID;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use serde_json::{json, Value};
use stand_in_market as f05;
use suite_devnet::miner::{self};
use suite_devnet::Chain;

use crate::calls::*;
use crate::output::{Output, Table};
use crate::session::Session;
use crate::units::{atto_json, fil, parse_amount};
use crate::views::*;
use crate::{AccountCmd, AdvanceArgs, DealCmd, MinerCmd};

/// Epochs between publishing a deal and its default start: room for the messages that
/// activate it (each a tipset of its own on a node that mines at once).
const DEAL_START_DELAY: fvm_shared::clock::ChainEpoch = 20;

pub(crate) fn describe_chain(d: &mut Session) -> Result<Output> {
    let started = std::time::Instant::now();
    let head = d.rpc().call("Filecoin.ChainHead", json!([]))?;
    let network = d.rpc().call("Filecoin.StateNetworkName", json!([]))?;
    let network = network.as_str().unwrap_or("").to_string();
    let height = head["Height"].as_i64().unwrap_or(0);
    let root = head["Blocks"][0]["ParentStateRoot"]["/"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let deployment = d.deployment()?.clone();
    if deployment.network != network {
        bail!(
            "the deployment ({}) is for network {:?}, the node at {} runs {network:?}: pass the right --deployment or --rpc",
            d.deployment_source(),
            deployment.network,
            d.rpc().url()
        );
    }
    let mut actors = Vec::new();
    let mut table = Table::new(&["actor", "address", ">balance", "code CID"]);
    for name in crate::deployment::ACTOR_NAMES {
        let deployed = deployment.actor(name)?;
        let actor = d.chain.actor(&Address::new_id(deployed.id))?.ok_or_else(|| {
            anyhow!(
                "{name} f0{} is missing on this chain: is the deployment file for it?",
                deployed.id
            )
        })?;
        if actor.code.to_string() != deployed.code_cid {
            bail!(
                "f0{} runs code {}, not the deployment's {name} ({}): the deployment file is of another chain",
                deployed.id,
                actor.code,
                deployed.code_cid
            );
        }
        table.row(vec![
            name.into(),
            format!("f0{}", deployed.id),
            fil(&actor.balance),
            actor.code.to_string(),
        ]);
        actors.push(json!({
            "name": name, "id": deployed.id, "address": format!("f0{}", deployed.id),
            "code_cid": actor.code.to_string(), "balance": atto_json(&actor.balance),
        }));
    }
    let totals = escrow_totals(d)?;
    let json = json!({
        "rpc": d.rpc().url(),
        "network": network,
        "head": height,
        "epoch": height + 1,
        "state_root": root,
        "actors": actors,
        "accounts": d.book.accounts.len(),
        "miners": d.book.miners.len(),
        "escrow": {
            "held": atto_json(&totals.held),
            "locked_total": atto_json(&totals.locked_total),
            "slashed_total": atto_json(&totals.slashed_total),
            "reporter_rewards_total": atto_json(&totals.reporter_rewards_total),
            "released_total": atto_json(&totals.released_total),
            "locks_created": totals.locks_created,
            "locks_open": totals.locks_open,
        },
        "took_ms": started.elapsed().as_secs_f64() * 1e3,
    });
    let text = format!(
        "node {} ({network}): head {height}, state root {root}\n\n{}\nnamed accounts {}, miners {} (in {})\nescrow: {} held in {} open locks of {}; {} slashed, {} to reporters, {} released\n",
        d.rpc().url(),
        table.render(),
        d.book.accounts.len(),
        d.book.miners.len(),
        d.home.display(),
        fil(&totals.held),
        totals.locks_open,
        totals.locks_created,
        fil(&totals.slashed_total),
        fil(&totals.reporter_rewards_total),
        fil(&totals.released_total),
    );
    Ok(Output::new(json, text))
}

pub(crate) fn advance_cmd(d: &mut Session, a: AdvanceArgs) -> Result<Output> {
    let from = d.epoch()?;
    let target = match (a.epochs, a.to) {
        (_, Some(to)) => to,
        (Some(n), None) => from.checked_add(n).ok_or_else(|| anyhow!("epoch overflow"))?,
        (None, None) => bail!("say how many epochs, or --to EPOCH"),
    };
    if target < from {
        bail!("epoch {target} is in the past (now {from})");
    }
    if target > MAX_EPOCH {
        bail!("epoch {target} is beyond the devnet's last epoch {MAX_EPOCH}");
    }
    advance_to(d, target)?;
    Ok(Output::new(
        json!({ "from": from, "epoch": target }),
        format!("epoch {from} → {target}"),
    ))
}

pub(crate) fn account_cmd(d: &mut Session, c: AccountCmd) -> Result<(Output, bool)> {
    Ok(match c {
        AccountCmd::Create { name, balance, key } => {
            let balance = parse_amount(&balance)?;
            let a = create_account(d, &name, balance.clone(), key)?;
            let out = Output::new(
                json!({ "name": name, "id": a.id, "address": format!("f0{}", a.id), "key_address": a.key.to_string(), "balance": atto_json(&balance) }),
                format!("account {name}: f0{} ({}), {}", a.id, a.key, fil(&balance)),
            );
            (out, true)
        }
        AccountCmd::List => {
            // Key accounts, then the miners (they hold FIL too), then the gas burnt so far.
            let mut table = Table::new(&["name", "kind", "address", "key address", ">balance"]);
            let mut rows = Vec::new();
            for (name, a) in d.book.accounts.clone() {
                let key = crate::devnet::parse_address(&a.key)?;
                let balance = d.chain.balance(&key)?;
                let id = a.id.map(|id| format!("f0{id}")).unwrap_or_else(|| "-".into());
                table.row(vec![
                    name.clone(),
                    "account".into(),
                    id.clone(),
                    a.key.clone(),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "kind": "account", "id": a.id, "address": id, "key_address": a.key, "balance": atto_json(&balance) }));
            }
            for (name, m) in d.book.miners.clone() {
                let balance = d.balance(m.id)?;
                table.row(vec![
                    name.clone(),
                    "miner".into(),
                    format!("f0{}", m.id),
                    "-".into(),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "kind": "miner", "id": m.id, "address": format!("f0{}", m.id), "balance": atto_json(&balance) }));
            }
            let burnt_id = actor_runtime::builtin::BURNT_FUNDS_ACTOR_ID;
            let burnt = d.balance(burnt_id)?;
            table.row(vec![
                "gas burnt".into(),
                "burnt funds".into(),
                format!("f0{burnt_id}"),
                "-".into(),
                fil(&burnt),
            ]);
            rows.push(json!({ "name": "gas burnt", "kind": "burnt", "id": burnt_id, "address": format!("f0{burnt_id}"), "balance": atto_json(&burnt) }));
            (Output::new(Value::Array(rows), table.render()), false)
        }
        AccountCmd::Fund { to, amount, from } => {
            let amount = parse_amount(&amount)?;
            let to_address = match d.book.accounts.get(&to) {
                Some(a) => crate::devnet::parse_address(&a.key)?,
                None => match d.actor_id(&to) {
                    Ok(id) => Address::new_id(id),
                    Err(e) => crate::devnet::parse_address(&to).map_err(|_| e)?,
                },
            };
            let to_id = match from {
                Some(from) => {
                    let from = d.account(&from)?;
                    transfer(d, &from, to_address, amount.clone())?
                }
                None => faucet(d, to_address, &amount)?,
            };
            if let Some(a) = d.book.accounts.get(&to).cloned().filter(|a| a.id.is_none()) {
                d.add_account(&to, crate::devnet::parse_address(&a.key)?, Some(to_id));
            }
            let balance = d.balance(to_id)?;
            let out = Output::new(
                json!({ "to": address_json(d, to_id), "amount": atto_json(&amount), "balance": atto_json(&balance) }),
                format!(
                    "sent {} to {}; it now holds {}",
                    fil(&amount),
                    d.name_of(to_id),
                    fil(&balance)
                ),
            );
            (out, true)
        }
        AccountCmd::Name { name, address } => {
            d.check_new_name(&name)?;
            let address = crate::devnet::parse_address(&address)?;
            let id = d.chain.resolve(&address)?;
            let has_key = d.chain.keystore.get(&address)?.is_some();
            d.add_account(&name, address, id);
            (
                Output::new(
                    json!({ "name": name, "key_address": address.to_string(), "id": id, "key_in_keystore": has_key }),
                    format!(
                        "{name} = {address}{}",
                        if has_key {
                            ""
                        } else {
                            " (no key in the keystore: it can be named, not used to sign)"
                        }
                    ),
                ),
                true,
            )
        }
    })
}

pub(crate) fn miner_cmd(d: &mut Session, c: MinerCmd) -> Result<(Output, bool)> {
    Ok(match c {
        MinerCmd::Create {
            name,
            owner,
            worker,
            controls,
        } => {
            let owner = d.account(&owner)?;
            let worker = match worker {
                Some(w) => d.account(&w)?,
                None => owner,
            };
            let controls = controls
                .iter()
                .map(|c| d.account(c))
                .collect::<Result<Vec<_>>>()?;
            let id = create_miner(d, &name, &owner, &worker, &controls)?;
            let out = Output::new(
                json!({ "name": name, "id": id, "address": format!("f0{id}"), "owner": address_json(d, owner.id), "worker": address_json(d, worker.id) }),
                format!(
                    "miner {name}: f0{id} (owner {}, worker {})",
                    d.name_of(owner.id),
                    d.name_of(worker.id)
                ),
            );
            (out, true)
        }
        MinerCmd::List => {
            let mut table = Table::new(&["name", "address", "owner", "worker", "controls", ">balance"]);
            let mut rows = Vec::new();
            for (name, m) in d.book.miners.clone() {
                let controls: Vec<String> = m.controls.iter().map(|c| d.name_of(*c)).collect();
                let balance = d.balance(m.id)?;
                table.row(vec![
                    name.clone(),
                    format!("f0{}", m.id),
                    d.name_of(m.owner),
                    d.name_of(m.worker),
                    controls.join(","),
                    fil(&balance),
                ]);
                rows.push(json!({ "name": name, "id": m.id, "address": format!("f0{}", m.id), "owner": address_json(d, m.owner), "worker": address_json(d, m.worker), "controls": m.controls.iter().map(|c| address_json(d, *c)).collect::<Vec<_>>(), "balance": atto_json(&balance) }));
            }
            (Output::new(Value::Array(rows), table.render()), false)
        }
        MinerCmd::AddSector {
            miner: m,
            sector,
            deadline,
            partition,
            expiration,
        } => {
            let id = d.miner_id(&m)?;
            let expiration = expiration.unwrap_or(d.epoch()?.saturating_add(YEAR));
            add_sector(d, id, sector, deadline, partition, expiration)?;
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "deadline": deadline, "partition": partition, "expiration": expiration }),
                format!("{m}: sector {sector} active at ({deadline}, {partition}) until epoch {expiration}"),
            );
            (out, true)
        }
        MinerCmd::StopProving { miner: m, sector } => {
            let id = d.miner_id(&m)?;
            set_proving(d, id, sector, false)?;
            let (_, l) = sector_location(d, id, sector)?;
            let (open, close) = challenge_window(l.deadline.max(0) as u64, d.epoch()?);
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "proving": false, "deadline": l.deadline, "window": [open, close] }),
                format!("{m}: sector {sector} is no longer proven; its window at deadline {} (epochs {open}–{close}) will pass without a WindowPoSt", l.deadline),
            );
            (out, true)
        }
        MinerCmd::ResumeProving { miner: m, sector } => {
            let id = d.miner_id(&m)?;
            set_proving(d, id, sector, true)?;
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "proving": true }),
                format!("{m}: sector {sector} is proven again at its windows (a faulty sector also needs declare-recovered)"),
            );
            (out, true)
        }
        MinerCmd::DeclareFault {
            miner: m,
            sector,
            from,
        } => {
            let (id, from) = declarer(d, &m, from)?;
            declare_sector(d, &from, id, sector, false)?;
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "status": "faulty", "declared_by": address_json(d, from.id) }),
                format!("{m}: sector {sector} declared faulty by {}", d.name_of(from.id)),
            );
            (out, true)
        }
        MinerCmd::DeclareRecovered {
            miner: m,
            sector,
            from,
        } => {
            let (id, from) = declarer(d, &m, from)?;
            let l = declare_sector(d, &from, id, sector, true)?;
            let (open, close) = challenge_window(l.deadline.max(0) as u64, d.epoch()?);
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "status": "faulty", "recovering": true, "declared_by": address_json(d, from.id), "window": [open, close] }),
                format!("{m}: sector {sector} declared recovered by {}; still faulty until proven in its window (epochs {open}–{close})", d.name_of(from.id)),
            );
            (out, true)
        }
        MinerCmd::Terminate { miner: m, sector } => {
            sector_control(d, &m, sector, "terminated", miner::Control::Terminate)?
        }
        MinerCmd::Sector { miner: m, sector } => {
            let id = d.miner_id(&m)?;
            let (status, l) = sector_location(d, id, sector)?;
            let status = format!("{status:?}").to_lowercase();
            let out = Output::new(
                json!({ "miner": id, "sector": sector, "status": status, "deadline": l.deadline, "partition": l.partition }),
                format!(
                    "{m}: sector {sector} {status} at ({}, {})",
                    l.deadline, l.partition
                ),
            );
            (out, false)
        }
    })
}

/// The miner and who declares for it: `from`, or the miner's worker.
fn declarer(
    d: &mut Session,
    m: &str,
    from: Option<String>,
) -> Result<(fvm_shared::ActorID, suite_devnet::Account)> {
    let id = d.miner_id(m)?;
    let from = match from {
        Some(f) => d.account(&f)?,
        None => {
            let worker = d
                .book
                .miners
                .values()
                .find(|r| r.id == id)
                .map(|r| r.worker)
                .ok_or_else(|| anyhow!("{m} is not a miner of this devnet"))?;
            d.account(&format!("f0{worker}"))?
        }
    };
    Ok((id, from))
}

pub(crate) fn sector_control(
    d: &mut Session,
    m: &str,
    sector: SectorNumber,
    what: &str,
    control: fn(SectorNumber) -> miner::Control,
) -> Result<(Output, bool)> {
    let id = d.miner_id(m)?;
    miner_control(d, id, &control(sector))?;
    Ok((
        Output::new(
            json!({ "miner": id, "sector": sector, "status": what }),
            format!("{m}: sector {sector} {what}"),
        ),
        true,
    ))
}

pub(crate) fn deal_cmd(d: &mut Session, c: DealCmd) -> Result<(Output, bool)> {
    Ok(match c {
        DealCmd::Publish {
            client,
            provider,
            piece,
            start,
            end,
            price_per_epoch,
            provider_collateral,
            client_collateral,
        } => {
            let (piece_cid, piece_size) = piece.resolve()?;
            let proposal = f05::DealProposal {
                piece_cid,
                piece_size: PaddedPieceSize(piece_size),
                verified_deal: false,
                client: Address::new_id(d.actor_id(&client)?),
                provider: Address::new_id(d.miner_id(&provider)?),
                label: f05::Label::String(String::new()),
                start_epoch: start.unwrap_or(d.epoch()? + DEAL_START_DELAY),
                end_epoch: end,
                storage_price_per_epoch: parse_amount(&price_per_epoch)?,
                provider_collateral: parse_amount(&provider_collateral)?,
                client_collateral: parse_amount(&client_collateral)?,
            };
            let id = publish_deal(d, &proposal)?;
            let out = Output::new(
                json!({ "deal_id": id }),
                format!(
                    "deal {id}: {client} ↔ {provider}, piece {}, epochs {}–{}",
                    proposal.piece_cid, proposal.start_epoch, proposal.end_epoch
                ),
            );
            (out, true)
        }
        DealCmd::Activate { deal, sector } => {
            activate_deal(d, deal, sector)?;
            let out = Output::new(
                json!({ "deal_id": deal, "sector": sector, "activated": d.epoch()? }),
                format!("deal {deal} activated in sector {sector} at epoch {}", d.epoch()?),
            );
            (out, true)
        }
        DealCmd::Terminate { deal } => {
            deal_control(d, "Devnet.TerminateDeal", deal)?;
            (
                Output::new(
                    json!({ "deal_id": deal, "status": "terminated" }),
                    format!("deal {deal} terminated"),
                ),
                true,
            )
        }
        DealCmd::Settle { deal } => {
            deal_control(d, "Devnet.SettleDeal", deal)?;
            (
                Output::new(
                    json!({ "deal_id": deal, "status": "settled" }),
                    format!("deal {deal} settled"),
                ),
                true,
            )
        }
        DealCmd::Show { deal } => {
            let DealInfo {
                commitment,
                client,
                provider,
                term,
                activation,
            } = match deal_info(d, deal) {
                Ok(info) => info,
                Err(e) if is_gone(&e) => return Ok((gone_deal(d, deal), false)),
                Err(e) => return Err(e),
            };
            let end = term.start + term.duration;
            let status = match activation.activated {
                a if a < 0 => "published",
                _ if d.epoch()? < end => "active",
                _ => "ended, not yet settled",
            };
            let json = json!({
                "deal_id": deal,
                "status": status,
                "client": address_json(d, client),
                "provider": address_json(d, provider),
                "piece_cid": commitment.data.to_string(),
                "piece_size": commitment.size.0,
                "start": term.start,
                "end": end,
                "activated": epoch_or_null(activation.activated),
                "terminated": epoch_or_null(activation.terminated),
            });
            let text = format!(
                "deal {deal} ({status}): client {}, provider {}\npiece {} ({})\nepochs {}–{}, activated {}, terminated {}",
                d.name_of(client),
                d.name_of(provider),
                commitment.data,
                bytes(commitment.size.0.into()),
                term.start,
                term.start + term.duration,
                epoch_or_never(activation.activated),
                epoch_or_never(activation.terminated)
            );
            (Output::new(json, text), false)
        }
    })
}

/// How a deal left the storage market.
pub(crate) struct DealEnding {
    kind: String,
    epoch: fvm_shared::clock::ChainEpoch,
}

/// The storage market's 32 for a deal: it no longer keeps it.
pub(crate) fn is_gone(e: &anyhow::Error) -> bool {
    e.downcast_ref::<crate::devnet::Refused>()
        .is_some_and(|r| r.exit_code.value() == actor_runtime::builtin::EX_DEAL_EXPIRED)
}

/// A deal the storage market deleted: how it ended, as the market's events told the devnet
/// node (`Devnet.DealEnding`: `deal-terminated`, slashed before its end; `deal-completed`,
/// settled after it). A deal that was never activated and timed out ends with no event; a node
/// that is not a devnet tells nothing (its events of cron and operator messages are not served).
pub(crate) fn gone_deal(d: &Session, deal: DealID) -> Output {
    let ending = d
        .rpc()
        .call("Devnet.DealEnding", json!([deal]))
        .ok()
        .filter(|e| !e.is_null())
        .map(|e| DealEnding {
            kind: e["Kind"].as_str().unwrap_or("ended").to_string(),
            epoch: e["Epoch"].as_i64().unwrap_or(0),
        });
    let ending = ending.as_ref();
    let json = json!({
        "deal_id": deal,
        "status": ending.map_or("ended", |e| e.kind.as_str()),
        "at": ending.map(|e| e.epoch),
    });
    let text = match ending {
        Some(e) if e.kind == "terminated" => format!(
            "deal {deal} terminated at epoch {} (the storage market's deal-terminated event): it was slashed before its end, and the market keeps nothing of it",
            e.epoch
        ),
        Some(e) => format!(
            "deal {deal} completed: settled at epoch {} after its end (deal-completed), and the market keeps nothing of it",
            e.epoch
        ),
        None => format!(
            "deal {deal} is no longer in the storage market (exit 32) and no termination of it was seen: it was settled or timed out unactivated"
        ),
    };
    Output::new(json, text)
}
