//! `escrow`.

use anyhow::Result;
use serde_json::{json, Value};
use suite_interfaces::escrow::SectorLocation;

use crate::calls::*;
use crate::output::{Output, Table};
use crate::session::Session;
use crate::units::{atto_json, fil};
use crate::views::*;
use crate::EscrowCmd;

pub(crate) fn escrow_cmd(d: &mut Session, c: EscrowCmd) -> Result<(Output, bool)> {
    Ok(match c {
        EscrowCmd::Show { lock } => {
            let l = get_lock(d, lock)?;
            let mut table = Table::new(&LOCK_COLUMNS);
            table.row(lock_row(d, &l));
            (Output::new(lock_json(d, &l), table.render()), false)
        }
        EscrowCmd::List { provider } => {
            let id = d.miner_id(&provider)?;
            let locks = list_locks(d, id)?;
            let mut table = Table::new(&LOCK_COLUMNS);
            for l in &locks {
                table.row(lock_row(d, l));
            }
            let json = Value::Array(locks.iter().map(|l| lock_json(d, l)).collect());
            (Output::new(json, table.render()), false)
        }
        EscrowCmd::Report {
            lock,
            from,
            proof,
            deadline,
            partition,
        } => {
            let from = d.account(&from)?;
            let kind = ProofKind::parse(&proof)?;
            let location = deadline
                .zip(partition)
                .map(|(deadline, partition)| SectorLocation { deadline, partition });
            let ret = report_fault(d, &from, lock, kind, location)?;
            let out = Output::new(
                json!({ "lock_id": lock, "slashed": atto_json(&ret.slashed), "reporter_reward": atto_json(&ret.reporter_reward), "compensation": atto_json(&ret.compensation), "remaining": atto_json(&ret.remaining) }),
                format!(
                    "lock {lock}: {proof} proven; slashed {} ({} to {}, {} to the beneficiary), {} remains",
                    fil(&ret.slashed),
                    fil(&ret.reporter_reward),
                    d.name_of(from.id),
                    fil(&ret.compensation),
                    fil(&ret.remaining)
                ),
            );
            (out, true)
        }
        EscrowCmd::Release { lock, from } => {
            let from = d.account(&from)?;
            let (amount, to) = release(d, &from, lock)?;
            (
                Output::new(
                    json!({ "lock_id": lock, "released": atto_json(&amount), "to": address_json(d, to) }),
                    format!("lock {lock} released: {} back to {}", fil(&amount), d.name_of(to)),
                ),
                true,
            )
        }
    })
}
