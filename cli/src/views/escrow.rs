//! Locks as JSON and table rows.

use serde_json::{json, Value};
use suite_interfaces::escrow::{GetLockReturn, LockStatus};

use crate::session::Session;
use crate::units::{atto_json, fil};
use crate::views::*;

pub(crate) fn lock_status(s: LockStatus) -> &'static str {
    match s {
        LockStatus::Open => "open",
        LockStatus::Slashed => "slashed",
        LockStatus::Released => "released",
    }
}

pub(crate) fn lock_json(d: &Session, l: &GetLockReturn) -> Value {
    let x = &l.lock;
    json!({
        "id": l.lock_id,
        "provider": address_json(d, x.provider),
        "locker": address_json(d, x.locker),
        "beneficiary": address_json(d, x.beneficiary),
        "refund_to": address_json(d, x.refund_to),
        "deal_id": x.deal.as_ref().map(|s| s.deal_id),
        "sector": x.sector.as_ref().map(|s| s.sector_number),
        "created_at": x.created_at,
        "end_epoch": x.end_epoch,
        "original": atto_json(&x.original),
        "remaining": atto_json(&x.remaining),
        "slashed": atto_json(&x.slashed),
        "released": atto_json(&x.released),
        "faults_charged": x.faults_charged,
        "status": lock_status(x.status),
    })
}

pub(crate) fn lock_row(d: &Session, l: &GetLockReturn) -> Vec<String> {
    let x = &l.lock;
    vec![
        l.lock_id.to_string(),
        d.name_of(x.provider),
        x.deal
            .as_ref()
            .map(|s| s.deal_id.to_string())
            .unwrap_or("-".into()),
        x.sector
            .as_ref()
            .map(|s| s.sector_number.to_string())
            .unwrap_or("-".into()),
        x.end_epoch.to_string(),
        fil(&x.remaining),
        fil(&x.slashed),
        lock_status(x.status).into(),
    ]
}

pub(crate) const LOCK_COLUMNS: [&str; 8] = [
    ">lock",
    "provider",
    ">deal",
    ">sector",
    ">end",
    ">remaining",
    ">slashed",
    "status",
];
