//! Reputation as JSON and as the table of every provider.

use anyhow::Result;
use serde_json::{json, Value};
use suite_interfaces::reputation::ReputationView;

use crate::calls::*;
use crate::output::Table;
use crate::session::Session;
use crate::views::*;

pub(crate) fn reputation_json(d: &Session, v: &ReputationView) -> Value {
    let r = &v.record;
    json!({
        "provider": address_json(d, v.provider),
        "score": v.score,
        "epoch": v.epoch,
        "registered": v.registration.is_some(),
        "name": v.registration.as_ref().map(|x| x.metadata.name.clone()),
        "region": v.registration.as_ref().map(|x| x.metadata.region.clone()),
        "claims_accepted": r.counts.claims_accepted,
        "completed": r.counts.completed,
        "faults": r.counts.faults,
        "slashes": r.counts.slashes,
        "bytes_claimed": r.bytes.claimed.0.to_string(),
        "bytes_completed": r.bytes.completed.0.to_string(),
        "bytes_faulted": r.bytes.faulted.0.to_string(),
        "bytes_lost": r.bytes.lost.0.to_string(),
        "first_outcome": r.first_outcome,
        "last_outcome": r.last_outcome,
    })
}

/// The registry's view of every provider, as a table (used by `reputation list` and the demo).
pub fn reputation_table(d: &mut Session) -> Result<(Table, Vec<Value>)> {
    let mut providers = list_providers(d)?;
    providers.sort_by_key(|p| p.provider);
    // The outcomes only: the suite's market reports no "claim accepted" (the JSON keeps every
    // count, other reporters' accepted claims included).
    let mut table = Table::new(&[
        "provider",
        ">score",
        ">completed",
        ">faults",
        ">slashes",
        ">bytes completed",
        ">bytes lost",
    ]);
    let mut rows = Vec::new();
    for p in providers {
        let view = reputation_of(d, p.provider)?;
        table.row(vec![
            d.name_of(p.provider),
            format!("{:.2}%", f64::from(view.score) / 100.0),
            p.counts.completed.to_string(),
            p.counts.faults.to_string(),
            p.counts.slashes.to_string(),
            bytes(view.record.bytes.completed.0),
            bytes(view.record.bytes.lost.0),
        ]);
        rows.push(reputation_json(d, &view));
    }
    Ok((table, rows))
}
