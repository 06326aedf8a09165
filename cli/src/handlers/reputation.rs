//! `reputation`.

use anyhow::Result;
use serde_json::{json, Value};
use suite_interfaces::reputation::Metadata;

use crate::calls::*;
use crate::output::Output;
use crate::session::Session;
use crate::views::*;
use crate::{MetadataArgs, ReputationCmd};

/// `reputation register` (`registering`) or `update`: the same metadata, two methods.
pub(crate) fn metadata_cmd(d: &mut Session, args: MetadataArgs, registering: bool) -> Result<Output> {
    let from = d.account(&args.from)?;
    let id = d.miner_id(&args.miner)?;
    let (m, name) = (args.miner, args.name);
    let metadata = Metadata {
        name: name.clone(),
        region: args.region,
        peer_id: args.peer_id.into_bytes(),
        links: args.links,
    };
    let said = if registering {
        register_provider(d, &from, id, metadata)?;
        format!("{m} registered as {name:?}")
    } else {
        update_metadata(d, &from, id, metadata)?;
        format!("{m}'s metadata updated: {name:?}")
    };
    Ok(Output::new(
        json!({ "provider": address_json(d, id), "name": name }),
        said,
    ))
}

pub(crate) fn reputation_cmd(d: &mut Session, c: ReputationCmd) -> Result<(Output, bool)> {
    Ok(match c {
        ReputationCmd::Register(args) => (metadata_cmd(d, args, true)?, true),
        ReputationCmd::Update(args) => (metadata_cmd(d, args, false)?, true),
        ReputationCmd::Show { provider } => {
            let id = d.miner_id(&provider)?;
            let v = reputation_of(d, id)?;
            let r = &v.record;
            let text = format!(
                "{provider} (f0{id}){}: score {:.2}% at epoch {}\nclaims accepted {}, completed {}, faults {}, slashes {}\nbytes claimed {}, completed {}, faulted {}, lost {}",
                v.registration
                    .as_ref()
                    .map(|x| format!(" \"{}\" [{}]", x.metadata.name, x.metadata.region))
                    .unwrap_or_else(|| " (not registered)".into()),
                f64::from(v.score) / 100.0,
                v.epoch,
                r.counts.claims_accepted,
                r.counts.completed,
                r.counts.faults,
                r.counts.slashes,
                bytes(r.bytes.claimed.0),
                bytes(r.bytes.completed.0),
                bytes(r.bytes.faulted.0),
                bytes(r.bytes.lost.0),
            );
            (Output::new(reputation_json(d, &v), text), false)
        }
        ReputationCmd::List => {
            let (table, rows) = reputation_table(d)?;
            (Output::new(Value::Array(rows), table.render()), false)
        }
    })
}
