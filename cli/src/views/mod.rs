//! How the actors' records read: JSON values and text (tables, lines) for each noun.

mod bounty;
mod escrow;
mod reputation;
pub(crate) use bounty::*;
pub(crate) use escrow::*;
pub(crate) use reputation::*;

use fvm_shared::clock::ChainEpoch;
use fvm_shared::ActorID;
use serde_json::{json, Value};

use crate::session::Session;

/// The stand-in market's `-1` means "not yet / never".
pub(crate) fn epoch_or_null(epoch: ChainEpoch) -> Value {
    if epoch < 0 {
        Value::Null
    } else {
        json!(epoch)
    }
}

pub(crate) fn epoch_or_never(epoch: ChainEpoch) -> String {
    if epoch < 0 {
        "never".into()
    } else {
        format!("at {epoch}")
    }
}

pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn address_json(d: &Session, id: ActorID) -> Value {
    json!({ "id": id, "address": format!("f0{id}"), "name": d.name_of(id) })
}

/// Bytes in binary units: `2 KiB`, `32 GiB`, `1.5 TiB`.
pub fn bytes(n: u128) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}
