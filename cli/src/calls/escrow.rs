//! Typed operations on the collateral escrow.

use anyhow::{anyhow, bail, Result};
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use suite_devnet::{Account, EscrowClient};
use suite_interfaces::escrow::{self as esc, FaultProof, GetLockReturn, SectorLocation};

use crate::calls::*;
use crate::session::Session;

fn escrow(d: &mut Session) -> Result<EscrowClient> {
    Ok(d.suite()?.escrow_client())
}

pub fn get_lock(d: &mut Session, lock_id: u64) -> Result<GetLockReturn> {
    answer(escrow(d)?.get_lock(d, lock_id))
}

pub fn list_locks(d: &mut Session, provider: ActorID) -> Result<Vec<GetLockReturn>> {
    Ok(escrow(d)?.all_locks(d, provider, esc::MAX_PAGE)?.0)
}

/// A free read like every getter: `status` must not spend the operator's gas or nonce.
pub fn escrow_totals(d: &mut Session) -> Result<esc::Totals> {
    answer(escrow(d)?.totals(d))
}

/// Which failure a report proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    DealTerminated,
    SectorFaulty,
    SectorDead,
}

impl ProofKind {
    pub(crate) fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "deal-terminated" => ProofKind::DealTerminated,
            "sector-faulty" => ProofKind::SectorFaulty,
            "sector-dead" => ProofKind::SectorDead,
            other => bail!("unknown proof {other:?}"),
        })
    }
}

/// Reports a failure; the sector's location is asked of the miner unless given.
pub fn report_fault(
    d: &mut Session,
    from: &Account,
    lock_id: u64,
    kind: ProofKind,
    location: Option<SectorLocation>,
) -> Result<esc::ReportFaultReturn> {
    let proof = match kind {
        ProofKind::DealTerminated => FaultProof::DealTerminated,
        ProofKind::SectorFaulty | ProofKind::SectorDead => {
            let location = match location {
                Some(l) => l,
                None => {
                    let lock = get_lock(d, lock_id)?.lock;
                    let sector = lock
                        .sector
                        .as_ref()
                        .map(|s| s.sector_number)
                        .ok_or_else(|| anyhow!("lock {lock_id} holds no sector evidence"))?;
                    let (_, l) = sector_location(d, lock.provider, sector)?;
                    SectorLocation {
                        deadline: l.deadline,
                        partition: l.partition,
                    }
                }
            };
            if kind == ProofKind::SectorFaulty {
                FaultProof::SectorFaulty(location)
            } else {
                FaultProof::SectorDead(location)
            }
        }
    };
    escrow(d)?.report_fault(d, from, lock_id, proof)?.ret()
}

/// Releases a lock; returns what went back to its refund address.
pub fn release(d: &mut Session, from: &Account, lock_id: u64) -> Result<(TokenAmount, ActorID)> {
    let lock = get_lock(d, lock_id)?.lock;
    escrow(d)?.release(d, from, lock_id)?;
    Ok((lock.remaining, lock.refund_to))
}
