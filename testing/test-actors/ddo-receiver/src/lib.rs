//! A DDO data-activation receiver (docs/builtin-actors-interface.md §5): implements
//! `SectorContentChanged` (2034386435) the way a user actor must. It accepts calls only from
//! builtin storage miners (exit 18 otherwise), accepts a piece iff its payload is the CBOR of a
//! u64, answers with the transparent `Vec<Vec<bool>>` mirroring the request's shape, and records
//! what it saw.
//!
//! `Query` relays a read-only call to any actor and hands back its exit code and raw return,
//! so tests can see what a user actor (not a builtin one) gets from the miner.
//!
//! The wire types are declared here rather than taken from the stand-in miner: a receiver
//! only knows the interface, and linking the miner crate would also link its `invoke`.

use actor_runtime::method_hash;
use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};

pub type SectorNumber = u64;

/// What a miner sends after activating data (docs/builtin-actors-interface.md §1, §5.2).
pub const METHOD_SECTOR_CONTENT_CHANGED: MethodNum = method_hash!("SectorContentChanged");
/// Relays a read-only call (any caller).
pub const METHOD_QUERY: MethodNum = method_hash!("Query");

/// What the receiver has accepted so far. Constructed with CBOR `null` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// Notifications that passed the caller check (one per call, however many sectors).
    pub notifications: u64,
    /// Pieces answered `true`.
    pub pieces_accepted: u64,
    /// Pieces answered `false`.
    pub pieces_rejected: u64,
    /// The miner of the last notification.
    pub last_miner: Option<ActorID>,
    /// The last sector listed in the last notification that listed any.
    pub last_sector: Option<SectorNumber>,
    /// The decoded payload of the last accepted piece.
    pub last_payload: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct QueryParams {
    pub to: Address,
    pub method: MethodNum,
    /// Sent as a CBOR block; empty sends no block.
    pub params: RawBytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct QueryReturn {
    pub exit_code: ExitCode,
    /// The callee's raw return; empty when it returned no block.
    pub return_data: RawBytes,
}

/// Transparent: on the wire, the array of sectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectorContentChangedParams {
    pub sectors: Vec<SectorChanges>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorChanges {
    pub sector: SectorNumber,
    pub minimum_commitment_epoch: ChainEpoch,
    pub added: Vec<PieceChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceChange {
    pub data: Cid,
    pub size: PaddedPieceSize,
    pub payload: RawBytes,
}

/// Transparent `Vec<Vec<bool>>`: one entry per sector, one bool per piece, in request order.
pub type SectorContentChangedReturn = Vec<Vec<bool>>;

/// The payload this receiver understands: the CBOR of a u64 (e.g. a deal or bounty id).
pub fn decode_payload(payload: &RawBytes) -> Option<u64> {
    fvm_ipld_encoding::from_slice(payload.bytes()).ok()
}

/// Handles one notification from `miner`: the new state and the answer.
pub fn receive(
    state: &State,
    miner: ActorID,
    params: &SectorContentChangedParams,
) -> (State, SectorContentChangedReturn) {
    let mut next = State {
        notifications: state.notifications + 1,
        last_miner: Some(miner),
        ..state.clone()
    };
    let answer = params
        .sectors
        .iter()
        .map(|sector| {
            next.last_sector = Some(sector.sector);
            sector
                .added
                .iter()
                .map(|piece| match decode_payload(&piece.payload) {
                    Some(value) => {
                        next.pieces_accepted += 1;
                        next.last_payload = Some(value);
                        true
                    }
                    None => {
                        next.pieces_rejected += 1;
                        false
                    }
                })
                .collect()
        })
        .collect();
    (next, answer)
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::{BuiltinType, INIT_ACTOR_ID};
    use actor_runtime::params::encode_return;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::econ::TokenAmount;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                rt.params::<()>()?;
                rt.save_state(&State::default())?;
                Ok(None)
            }
            METHOD_SECTOR_CONTENT_CHANGED => {
                // Anyone can call this method number: only a builtin miner's word counts.
                rt.validate_caller_type(&[BuiltinType::Miner])?;
                let params: SectorContentChangedParams = rt.params()?;
                let (state, answer) = receive(&rt.state()?, rt.facts().caller, &params);
                rt.save_state(&state)?;
                encode_return(&answer)
            }
            METHOD_QUERY => {
                rt.validate_caller_any()?;
                let q: QueryParams = rt.params()?;
                let block = actor_runtime::params::cbor_block(&q.params);
                let response = rt.send(&q.to, q.method, block, TokenAmount::default(), true)?;
                encode_return(&QueryReturn {
                    exit_code: response.exit_code,
                    return_data: response
                        .return_data
                        .map(|b| RawBytes::new(b.data))
                        .unwrap_or_default(),
                })
            }
            _ => rt.unhandled("ddo receiver"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::to_vec;

    fn piece(payload: Vec<u8>) -> PieceChange {
        PieceChange {
            data: fvm_shared::commcid::piece_commitment_v1_to_cid(&[7; 32]).unwrap(),
            size: PaddedPieceSize(2048),
            payload: RawBytes::new(payload),
        }
    }

    fn sector(sector: SectorNumber, added: Vec<PieceChange>) -> SectorChanges {
        SectorChanges {
            sector,
            minimum_commitment_epoch: 1_500_000,
            added,
        }
    }

    #[test]
    fn method_number_is_the_reference_one() {
        assert_eq!(METHOD_SECTOR_CONTENT_CHANGED, 2034386435);
    }

    #[test]
    fn answers_mirror_the_request_and_the_state_counts_them() {
        let params = SectorContentChangedParams {
            sectors: vec![
                sector(
                    7,
                    vec![piece(to_vec(&42u64).unwrap()), piece(b"not cbor".to_vec())],
                ),
                sector(8, vec![]),
                sector(9, vec![piece(to_vec(&5u64).unwrap()), piece(vec![])]),
            ],
        };
        let (state, answer) = receive(&State::default(), 1000, &params);
        assert_eq!(answer, vec![vec![true, false], vec![], vec![true, false]]);
        assert_eq!(hex(&answer), "83 82 f5 f4 80 82 f5 f4");
        assert_eq!(
            state,
            State {
                notifications: 1,
                pieces_accepted: 2,
                pieces_rejected: 2,
                last_miner: Some(1000),
                last_sector: Some(9),
                last_payload: Some(5),
            }
        );
        // An empty notification counts, changes no sector and answers an empty list.
        let (after, answer) = receive(&state, 1001, &SectorContentChangedParams { sectors: vec![] });
        assert_eq!(answer, Vec::<Vec<bool>>::new());
        assert_eq!(
            after,
            State {
                notifications: 2,
                last_miner: Some(1001),
                ..state
            }
        );
    }

    #[test]
    fn payload_must_be_exactly_one_cbor_u64() {
        let ok = |b: &[u8]| decode_payload(&RawBytes::new(b.to_vec()));
        assert_eq!(ok(&[0x18, 0x2a]), Some(42));
        assert_eq!(ok(&[0x00]), Some(0));
        assert_eq!(ok(&[]), None);
        assert_eq!(ok(&[0x20]), None, "a negative integer is not a u64");
        assert_eq!(ok(&[0x61, 0x61]), None, "text");
        assert_eq!(ok(&[0x18, 0x2a, 0x00]), None, "trailing bytes");
    }

    fn hex<T: Serialize>(v: &T) -> String {
        to_vec(v)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
