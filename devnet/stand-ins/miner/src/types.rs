//! Wire types of the stand-in miner: the builtin miner's exported methods
//! (docs/builtin-actors-interface.md §3.1, §3.3), the DDO notification it sends (§5.2), the
//! harness-only control messages, and the two messages it sends to the stand-in market. Plain Rust,
//! usable on the host.

use actor_runtime::method_hash;
use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};

pub type SectorNumber = u64;

// ---------------------------------------------------------------------------------------------
// Method numbers
// ---------------------------------------------------------------------------------------------

/// Exported getters of the builtin miner (docs/builtin-actors-interface.md §1, §3.1).
pub const METHOD_GET_OWNER: MethodNum = method_hash!("GetOwner");
pub const METHOD_IS_CONTROLLING_ADDRESS: MethodNum = method_hash!("IsControllingAddress");
pub const METHOD_GET_SECTOR_SIZE: MethodNum = method_hash!("GetSectorSize");
pub const METHOD_GET_AVAILABLE_BALANCE: MethodNum = method_hash!("GetAvailableBalance");
/// FIP-0112 (builtin-actors v18).
pub const METHOD_GENERATE_SECTOR_LOCATION: MethodNum = method_hash!("GenerateSectorLocation");
pub const METHOD_VALIDATE_SECTOR_STATUS: MethodNum = method_hash!("ValidateSectorStatus");
pub const METHOD_GET_NOMINAL_SECTOR_EXPIRATION: MethodNum = method_hash!("GetNominalSectorExpiration");

/// Harness-only controls; the caller must be the operator the market named at construction.
pub const METHOD_HARNESS_ADD_SECTOR: MethodNum = method_hash!("HarnessAddSector");
pub const METHOD_HARNESS_FAULT_SECTOR: MethodNum = method_hash!("HarnessFaultSector");
pub const METHOD_HARNESS_RECOVER_SECTOR: MethodNum = method_hash!("HarnessRecoverSector");
pub const METHOD_HARNESS_TERMINATE_SECTOR: MethodNum = method_hash!("HarnessTerminateSector");
pub const METHOD_HARNESS_MOVE_SECTOR: MethodNum = method_hash!("HarnessMoveSector");
pub const METHOD_HARNESS_COMPACT_SECTOR: MethodNum = method_hash!("HarnessCompactSector");
pub const METHOD_HARNESS_NOTIFY_SECTOR_CONTENT_CHANGED: MethodNum =
    method_hash!("HarnessNotifySectorContentChanged");
/// The provider's proving software stops (or resumes) proving a sector: the devnet submits no
/// WindowPoSt for it at its windows.
pub const METHOD_HARNESS_STOP_PROVING: MethodNum = method_hash!("HarnessStopProving");
pub const METHOD_HARNESS_RESUME_PROVING: MethodNum = method_hash!("HarnessResumeProving");

/// The builtin miner's legacy numbers for its proving methods (callable by builtin callers only,
/// so by accounts: docs/builtin-actors-interface.md §0, §3.1).
pub const METHOD_DECLARE_FAULTS: MethodNum = 10;
pub const METHOD_DECLARE_FAULTS_RECOVERED: MethodNum = 11;
/// The deadline cron; the stand-in market (f05) sends it, in the power actor's place.
pub const METHOD_ON_DEFERRED_CRON_EVENT: MethodNum = 12;

/// What the miner sends (docs/builtin-actors-interface.md §5.2): implemented by the market and any
/// DDO receiver.
pub const METHOD_SECTOR_CONTENT_CHANGED: MethodNum = method_hash!("SectorContentChanged");
/// Stand-in market (f05) query naming the harness operator: no params, transparent ActorID.
pub const METHOD_MARKET_HARNESS_OPERATOR: MethodNum = method_hash!("HarnessOperator");
/// The market's legacy OnMinerSectorsTerminate (callable only by builtin actors, §2.1).
pub const METHOD_MARKET_ON_MINER_SECTORS_TERMINATE: MethodNum = 7;
/// Stand-in market (f05) method a miner enrols its next deadline event with (the builtin
/// miner enrols with power's EnrollCronEvent): params [`EnrollCronEventParams`].
pub const METHOD_MARKET_ENROLL_CRON_EVENT: MethodNum = method_hash!("HarnessEnrollCronEvent");
/// The account's `PubkeyAddress` (legacy 2): the constructor checks that the worker's key is BLS.
pub const METHOD_ACCOUNT_PUBKEY_ADDRESS: MethodNum = 2;
/// FRC-42 exported numbers start here. Builtin dispatch refuses every lower number (the
/// miner's legacy methods, e.g. ControlAddresses = 2) to callers that are not builtin actors
/// or are EVM actors, with exit 18 (docs/builtin-actors-interface.md §0, §3.1).
pub const FIRST_EXPORTED_METHOD: MethodNum = 1 << 24;

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/// Deadlines in a proving period (builtin policy WPOST_PERIOD_DEADLINES).
pub const WPOST_PERIOD_DEADLINES: u64 = 48;
/// `SectorLocation` value for "no deadline" / "no partition".
pub const NO_DEADLINE: i64 = -1;
pub const NO_PARTITION: i64 = -1;
/// The builtin miner accepts at most this many control addresses.
pub const MAX_CONTROL_ADDRESSES: usize = 10;
/// Epochs in a proving period, and of one deadline's challenge window (builtin policy
/// WPOST_PROVING_PERIOD, WPOST_CHALLENGE_WINDOW): 48 × 60 = 2880.
pub const WPOST_PROVING_PERIOD: ChainEpoch = 2880;
pub const WPOST_CHALLENGE_WINDOW: ChainEpoch = 60;
/// A sector faulty this long is terminated by the deadline cron (builtin FAULT_MAX_AGE,
/// 42 proving periods).
pub const FAULT_MAX_AGE: ChainEpoch = 42 * WPOST_PROVING_PERIOD;
/// Largest sector number the builtin miner allocates.
pub const MAX_SECTOR_NUMBER: SectorNumber = i64::MAX as u64;

/// The sector sizes of the registered proofs, in bytes.
pub const SECTOR_SIZE_2KIB: u64 = 2 << 10;
pub const SECTOR_SIZE_8MIB: u64 = 8 << 20;
pub const SECTOR_SIZE_512MIB: u64 = 512 << 20;
pub const SECTOR_SIZE_32GIB: u64 = 32 << 30;
pub const SECTOR_SIZE_64GIB: u64 = 64 << 30;
pub const SECTOR_SIZES: [u64; 5] = [
    SECTOR_SIZE_2KIB,
    SECTOR_SIZE_8MIB,
    SECTOR_SIZE_512MIB,
    SECTOR_SIZE_32GIB,
    SECTOR_SIZE_64GIB,
];

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub owner: ActorID,
    pub worker: ActorID,
    pub control_addresses: Vec<ActorID>,
    /// Bytes, one of `SECTOR_SIZES`.
    pub sector_size: u64,
    /// The account allowed to call the `Harness*` methods (asked from the market at birth).
    pub operator: ActorID,
    /// The first epoch whose end-of-epoch deadline cron has not run yet.
    pub cron_epoch: ChainEpoch,
    /// The epoch of the next deadline event this miner enrolled with the market's cron, if any.
    pub enrolled: Option<ChainEpoch>,
    /// HAMT: sector number → `Option<SectorInfo>`. `None` marks a number that was allocated
    /// and whose info compaction removed: the number is never reused, as on a real miner, but
    /// every query treats the sector as absent from the sectors AMT.
    pub sectors: Cid,
}

/// One sector, at its (deadline, partition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorInfo {
    pub deadline: u64,
    pub partition: u64,
    /// Nominal expiration epoch.
    pub expiration: ChainEpoch,
    /// In the partition's faults set.
    pub faulty: bool,
    /// In the partition's terminated set (never faulty at the same time).
    pub terminated: bool,
    /// Declared recovered (`DeclareFaultsRecovered`): still in the faults set until a proof
    /// at its deadline's next window.
    pub recovering: bool,
    /// Where the current fault began (while faulty): FAULT_MAX_AGE counts from here.
    pub faulty_since: ChainEpoch,
    /// The provider proves it: at each of its deadline's windows the devnet submits its proof
    /// (cleared by `HarnessStopProving`).
    pub proving: bool,
}

// ---------------------------------------------------------------------------------------------
// Constructor and getters (§3.1)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    pub owner: Address,
    pub worker: Address,
    pub control_addresses: Vec<Address>,
    /// Bytes, e.g. 34359738368 for 32 GiB.
    pub sector_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetOwnerReturn {
    /// Always an ID address.
    pub owner: Address,
    /// The pending new owner; the stand-in never has one.
    pub proposed: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IsControllingAddressParams {
    pub address: Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IsControllingAddressReturn {
    pub is_controlling: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetSectorSizeReturn {
    /// Bytes.
    pub sector_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetAvailableBalanceReturn {
    pub available_balance: TokenAmount,
}

// ---------------------------------------------------------------------------------------------
// Sector status (§3.3, FIP-0112)
// ---------------------------------------------------------------------------------------------

suite_interfaces::u8_enum! {
    /// Serialized as its u8 value.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum SectorStatusCode("sector status") {
        Dead = 0,
        Active = 1,
        Faulty = 2,
    }
}

/// Carried CBOR-encoded in `aux_data`; `(-1, -1)` means "not in any partition".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorLocation {
    pub deadline: i64,
    pub partition: i64,
}

impl SectorLocation {
    pub const NONE: SectorLocation = SectorLocation {
        deadline: NO_DEADLINE,
        partition: NO_PARTITION,
    };

    pub fn new(deadline: u64, partition: u64) -> Self {
        // Callers keep both below i64::MAX (the actor refuses anything larger).
        Self {
            deadline: deadline as i64,
            partition: partition as i64,
        }
    }

    /// The CBOR bytes that go into `aux_data`.
    pub fn to_aux_data(&self) -> RawBytes {
        // Two integers in a tuple always encode.
        RawBytes::new(fvm_ipld_encoding::to_vec(self).unwrap_or_default())
    }
}

/// 1-tuple, not transparent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GenerateSectorLocationParams {
    pub sector_number: SectorNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GenerateSectorLocationReturn {
    pub status: SectorStatusCode,
    /// CBOR of `SectorLocation`.
    pub aux_data: RawBytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ValidateSectorStatusParams {
    pub sector_number: SectorNumber,
    /// A `SectorStatusCode` value; kept as a byte so an unknown value is exit 16, not 21.
    pub status: u8,
    /// CBOR of `SectorLocation`.
    pub aux_data: RawBytes,
}

impl ValidateSectorStatusParams {
    pub fn new(sector_number: SectorNumber, status: SectorStatusCode, location: SectorLocation) -> Self {
        Self {
            sector_number,
            status: status.into(),
            aux_data: location.to_aux_data(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValidateSectorStatusReturn {
    pub valid: bool,
}

/// Bare u64 on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetNominalSectorExpirationParams {
    pub sector_number: SectorNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetNominalSectorExpirationReturn {
    pub expiration: ChainEpoch,
}

// ---------------------------------------------------------------------------------------------
// DDO notification (§5.2): SectorContentChanged = 2034386435
// ---------------------------------------------------------------------------------------------

/// Transparent: on the wire, the array of sectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectorContentChangedParams {
    pub sectors: Vec<SectorChanges>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorChanges {
    pub sector: SectorNumber,
    /// The sector's expiration when the notification is sent.
    pub minimum_commitment_epoch: ChainEpoch,
    pub added: Vec<PieceChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceChange {
    /// Piece CID (CommP).
    pub data: Cid,
    pub size: PaddedPieceSize,
    /// Bytes chosen by the provider for this receiver (the market: CBOR of a deal id).
    pub payload: RawBytes,
}

/// Transparent: on the wire, `Vec<Vec<bool>>` mirroring the params' shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectorContentChangedReturn {
    pub sectors: Vec<SectorReturn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectorReturn {
    pub added: Vec<PieceReturn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PieceReturn {
    pub accepted: bool,
}

// ---------------------------------------------------------------------------------------------
// Harness controls
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct HarnessAddSectorParams {
    pub sector_number: SectorNumber,
    pub deadline: u64,
    pub partition: u64,
    pub expiration: ChainEpoch,
}

/// Fault, recover, terminate, compact, stop and resume proving take the bare sector number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HarnessSectorParams {
    pub sector_number: SectorNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct HarnessMoveSectorParams {
    pub sector_number: SectorNumber,
    pub deadline: u64,
    pub partition: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct HarnessNotifyParams {
    pub receiver: Address,
    pub sectors: SectorContentChangedParams,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct HarnessNotifyReturn {
    /// The receiver's exit code (transparent u32).
    pub exit_code: ExitCode,
    /// The raw CBOR the receiver returned; empty when it returned no block.
    pub return_data: RawBytes,
}

// ---------------------------------------------------------------------------------------------
// Proving: declarations by the provider, the deadline cron
// ---------------------------------------------------------------------------------------------

/// Sectors of one partition. The builtin carries a BitField of sector numbers; the stand-in a
/// plain list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FaultDeclaration {
    pub deadline: u64,
    pub partition: u64,
    pub sectors: Vec<SectorNumber>,
}

/// `DeclareFaults` (10): 1-tuple, as the builtin's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeclareFaultsParams {
    pub faults: Vec<FaultDeclaration>,
}

/// `DeclareFaultsRecovered` (11): 1-tuple, as the builtin's (its RecoveryDeclaration has the
/// shape of a FaultDeclaration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeclareFaultsRecoveredParams {
    pub recoveries: Vec<FaultDeclaration>,
}

/// `OnDeferredCronEvent` (12) from the market's cron: run every deadline cron up to and
/// including the end of `epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeferredCronEventParams {
    pub epoch: ChainEpoch,
}

/// Sent to the market: the miner's next deadline event (`None`: nothing to do until a
/// sector's state changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EnrollCronEventParams {
    pub epoch: Option<ChainEpoch>,
}

// ---------------------------------------------------------------------------------------------
// Sent to the stand-in market
// ---------------------------------------------------------------------------------------------

/// Params of market method 7. The builtin market takes a BitField of sectors; the stand-in
/// pair uses a plain list of sector numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OnMinerSectorsTerminateParams {
    pub epoch: ChainEpoch,
    pub sectors: Vec<SectorNumber>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::{from_slice, to_vec};

    fn hex_of<T: Serialize>(v: &T) -> String {
        hex::encode(to_vec(v).unwrap())
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn round_trip<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        v: &T,
        hex: &str,
    ) {
        assert_eq!(hex_of(v), hex.replace(' ', ""));
        assert_eq!(&from_slice::<T>(&unhex(hex)).unwrap(), v);
    }

    #[test]
    fn method_numbers_match_the_reference_table() {
        assert_eq!(METHOD_GET_OWNER, 3275365574);
        assert_eq!(METHOD_IS_CONTROLLING_ADDRESS, 348244887);
        assert_eq!(METHOD_GET_SECTOR_SIZE, 3858292296);
        assert_eq!(METHOD_GET_AVAILABLE_BALANCE, 4026106874);
        assert_eq!(METHOD_GENERATE_SECTOR_LOCATION, 1321604665);
        assert_eq!(METHOD_VALIDATE_SECTOR_STATUS, 3092458564);
        assert_eq!(METHOD_GET_NOMINAL_SECTOR_EXPIRATION, 3010055991);
        assert_eq!(METHOD_SECTOR_CONTENT_CHANGED, 2034386435);
        assert_eq!(METHOD_MARKET_ON_MINER_SECTORS_TERMINATE, 7);
        // Every number this actor answers besides the constructor is an exported one, and
        // no two collide.
        let mut all = vec![
            METHOD_GET_OWNER,
            METHOD_IS_CONTROLLING_ADDRESS,
            METHOD_GET_SECTOR_SIZE,
            METHOD_GET_AVAILABLE_BALANCE,
            METHOD_GENERATE_SECTOR_LOCATION,
            METHOD_VALIDATE_SECTOR_STATUS,
            METHOD_GET_NOMINAL_SECTOR_EXPIRATION,
            METHOD_HARNESS_ADD_SECTOR,
            METHOD_HARNESS_FAULT_SECTOR,
            METHOD_HARNESS_RECOVER_SECTOR,
            METHOD_HARNESS_TERMINATE_SECTOR,
            METHOD_HARNESS_MOVE_SECTOR,
            METHOD_HARNESS_COMPACT_SECTOR,
            METHOD_HARNESS_NOTIFY_SECTOR_CONTENT_CHANGED,
            METHOD_MARKET_HARNESS_OPERATOR,
            METHOD_HARNESS_STOP_PROVING,
            METHOD_HARNESS_RESUME_PROVING,
            METHOD_MARKET_ENROLL_CRON_EVENT,
        ];
        assert!(all.iter().all(|m| *m >= 1 << 24));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn proving_numbers_are_the_builtin_ones() {
        assert_eq!(
            (
                METHOD_DECLARE_FAULTS,
                METHOD_DECLARE_FAULTS_RECOVERED,
                METHOD_ON_DEFERRED_CRON_EVENT
            ),
            (10, 11, 12)
        );
        assert_eq!(
            WPOST_PERIOD_DEADLINES as i64 * WPOST_CHALLENGE_WINDOW,
            WPOST_PROVING_PERIOD
        );
        assert_eq!(FAULT_MAX_AGE, 120_960);
        round_trip(
            &DeclareFaultsParams {
                faults: vec![FaultDeclaration {
                    deadline: 3,
                    partition: 0,
                    sectors: vec![7],
                }],
            },
            "81 81 83 03 00 81 07",
        );
    }

    #[test]
    fn sector_sizes_are_the_proof_sizes() {
        assert_eq!(SECTOR_SIZES, [2048, 8388608, 536870912, 34359738368, 68719476736]);
    }

    #[test]
    fn getter_vectors() {
        round_trip(
            &GetOwnerReturn {
                owner: Address::new_id(101),
                proposed: None,
            },
            "82 42 00 65 f6",
        );
        round_trip(
            &GetSectorSizeReturn {
                sector_size: SECTOR_SIZE_32GIB,
            },
            "1b 00 00 00 08 00 00 00 00",
        );
        round_trip(
            &IsControllingAddressParams {
                address: Address::new_id(100),
            },
            "42 00 64",
        );
        round_trip(&IsControllingAddressReturn { is_controlling: true }, "f5");
        round_trip(
            &GetAvailableBalanceReturn {
                available_balance: TokenAmount::from_atto(-5),
            },
            "42 01 05",
        );
        round_trip(
            &GetAvailableBalanceReturn {
                available_balance: TokenAmount::from_atto(0),
            },
            "40",
        );
    }

    #[test]
    fn sector_status_vectors() {
        round_trip(&GenerateSectorLocationParams { sector_number: 7 }, "81 07");
        let at_3_0 = SectorLocation::new(3, 0);
        assert_eq!(hex::encode(at_3_0.to_aux_data().bytes()), "820300");
        assert_eq!(hex::encode(SectorLocation::NONE.to_aux_data().bytes()), "822020");
        round_trip(
            &GenerateSectorLocationReturn {
                status: SectorStatusCode::Active,
                aux_data: at_3_0.to_aux_data(),
            },
            "82 01 43 82 03 00",
        );
        round_trip(
            &ValidateSectorStatusParams::new(7, SectorStatusCode::Active, at_3_0),
            "83 07 01 43 82 03 00",
        );
        round_trip(&ValidateSectorStatusReturn { valid: false }, "f4");
        round_trip(&GetNominalSectorExpirationParams { sector_number: 7 }, "07");
        round_trip(&GetNominalSectorExpirationReturn { expiration: -1 }, "20");
        assert_eq!(hex_of(&SectorStatusCode::Dead), "00");
        assert_eq!(hex_of(&SectorStatusCode::Faulty), "02");
        assert!(from_slice::<SectorStatusCode>(&[0x03]).is_err());
        assert_eq!(SectorStatusCode::try_from(2), Ok(SectorStatusCode::Faulty));
        assert!(SectorStatusCode::try_from(3).is_err());
    }

    /// A CommP CID: fil-commitment-unsealed, sha2-256-trunc254-padded.
    pub(crate) fn comm_p(fill: u8) -> Cid {
        fvm_shared::commcid::piece_commitment_v1_to_cid(&[fill; 32]).unwrap()
    }

    #[test]
    fn sector_content_changed_vectors() {
        let params = SectorContentChangedParams {
            sectors: vec![SectorChanges {
                sector: 7,
                minimum_commitment_epoch: 1_500_000,
                added: vec![PieceChange {
                    data: comm_p(0xab),
                    size: PaddedPieceSize(2048),
                    payload: RawBytes::new(to_vec(&42u64).unwrap()),
                }],
            }],
        };
        let expected = format!(
            "81 83 07 1a 00 16 e3 60 81 83 d8 2a 58 28 00 01 81 e2 03 92 20 20 {} 19 08 00 42 18 2a",
            "ab".repeat(32)
        );
        round_trip(&params, &expected);

        let ret = SectorContentChangedReturn {
            sectors: vec![SectorReturn {
                added: vec![PieceReturn { accepted: true }],
            }],
        };
        round_trip(&ret, "81 81 f5");
        // The same bytes as a plain Vec<Vec<bool>>.
        assert_eq!(to_vec(&ret).unwrap(), to_vec(&vec![vec![true]]).unwrap());
    }

    #[test]
    fn harness_message_shapes() {
        round_trip(
            &HarnessAddSectorParams {
                sector_number: 7,
                deadline: 3,
                partition: 0,
                expiration: 100,
            },
            "84 07 03 00 18 64",
        );
        round_trip(&HarnessSectorParams { sector_number: 7 }, "07");
        round_trip(
            &HarnessMoveSectorParams {
                sector_number: 7,
                deadline: 4,
                partition: 1,
            },
            "83 07 04 01",
        );
        round_trip(
            &HarnessNotifyReturn {
                exit_code: ExitCode::OK,
                return_data: RawBytes::new(vec![0x81, 0x81, 0xf5]),
            },
            "82 00 43 81 81 f5",
        );
        round_trip(
            &HarnessNotifyReturn {
                exit_code: ExitCode::USR_FORBIDDEN,
                return_data: RawBytes::default(),
            },
            "82 12 40",
        );
        round_trip(
            &HarnessNotifyParams {
                receiver: Address::new_id(100),
                sectors: SectorContentChangedParams { sectors: vec![] },
            },
            "82 42 00 64 80",
        );
        round_trip(
            &OnMinerSectorsTerminateParams {
                epoch: 10,
                sectors: vec![7],
            },
            "82 0a 81 07",
        );
        round_trip(
            &ConstructorParams {
                owner: Address::new_id(100),
                worker: Address::new_id(101),
                control_addresses: vec![],
                sector_size: SECTOR_SIZE_2KIB,
            },
            "84 42 00 64 42 00 65 80 19 08 00",
        );
    }
}
