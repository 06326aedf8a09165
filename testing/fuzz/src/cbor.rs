//! `interface_cbor`: the CBOR decoders of every type in `suite-interfaces` (every method's
//! params and return, every record an actor keeps). The first byte picks the type, the rest
//! is decoded as it. A decoder must never panic, and whatever it accepts must survive
//! encode → decode unchanged, with the re-encoding canonical (encoding it again gives the same
//! bytes): an actor, a client and the node all read what another wrote.

use fvm_ipld_encoding::{from_slice, to_vec};
use serde::de::DeserializeOwned;
use serde::Serialize;
use suite_interfaces::{bounty, escrow, reputation};

/// Decodes `bytes` as `T`; what decodes must round-trip.
fn round_trip<T>(bytes: &[u8])
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let Ok(value) = from_slice::<T>(bytes) else {
        return;
    };
    let name = std::any::type_name::<T>();
    let encoded =
        to_vec(&value).unwrap_or_else(|e| panic!("{name} {value:?} decoded but does not encode: {e}"));
    let again: T = from_slice(&encoded)
        .unwrap_or_else(|e| panic!("{name} {value:?} encodes to bytes that do not decode: {e}"));
    assert_eq!(again, value, "{name} changed in encode → decode");
    let twice = to_vec(&again).unwrap();
    assert_eq!(twice, encoded, "{name}'s encoding is not canonical");
}

macro_rules! types {
    ($($ty:ty),+ $(,)?) => {
        /// Every interface type (its path as written here) and its round trip, in selector
        /// order.
        const DECODERS: &[(&str, fn(&[u8]))] = &[$((stringify!($ty), round_trip::<$ty>)),+];
    };
}

types!(
    bounty::MarketPolicy,
    bounty::ConstructorParams,
    bounty::PostBountyParams,
    bounty::BountyStatus,
    bounty::SlotHolder,
    bounty::Bounty,
    bounty::ClaimStatus,
    bounty::DealReceipt,
    bounty::Claim,
    bounty::ClaimBountyParams,
    bounty::ClaimBountyReturn,
    bounty::IdParams,
    bounty::ProviderParams,
    bounty::WithdrawReturn,
    bounty::GetBountyReturn,
    bounty::ListBountiesParams,
    bounty::ListBountiesReturn,
    bounty::GetClaimReturn,
    bounty::GetPolicyReturn,
    bounty::ProviderBalance,
    escrow::Policy,
    escrow::ConstructorParams,
    escrow::EvidenceParams,
    escrow::LockParams,
    escrow::LockReturn,
    escrow::DealSnapshot,
    escrow::SectorSnapshot,
    escrow::LockStatus,
    escrow::Lock,
    escrow::LockIdParams,
    escrow::SectorLocation,
    escrow::FaultProof,
    escrow::ReportFaultParams,
    escrow::ReportFaultReturn,
    escrow::GetLockReturn,
    escrow::ListLocksParams,
    escrow::ListLocksReturn,
    escrow::Totals,
    escrow::CollateralChange,
    escrow::OnCollateralChangedParams,
    reputation::ConstructorParams,
    reputation::AddressParams,
    reputation::Metadata,
    reputation::RegisterProviderParams,
    reputation::Subject,
    reputation::SubjectKind,
    reputation::OutcomeKind,
    reputation::RecordOutcomeParams,
    reputation::RecordOutcomeReturn,
    reputation::OutcomeCounts,
    reputation::ByteTotals,
    reputation::Registration,
    reputation::ProviderRecord,
    reputation::GetReputationParams,
    reputation::ReputationView,
    reputation::GetScoresParams,
    reputation::GetScoresReturn,
    reputation::ListProvidersParams,
    reputation::ProviderSummary,
    reputation::ListProvidersReturn,
    reputation::GetAdminReturn,
    reputation::IsReporterParams,
    bounty::SectorContentChangedParams,
    bounty::SectorChanges,
    bounty::PieceChange,
    bounty::WithdrawCollateralParams,
    bounty::WithdrawCollateralReturn,
    bounty::CollateralDeposit,
    bounty::Contribution,
    bounty::GetContributionParams,
    bounty::GetContributionReturn,
    bounty::SponsorRefundReturn,
);

pub fn fuzz(data: &[u8]) {
    let Some((selector, bytes)) = data.split_first() else {
        return;
    };
    (DECODERS[usize::from(*selector) % DECODERS.len()].1)(bytes);
}

/// A valid encoding of a few types that hold every kind of field (addresses, CIDs, token
/// amounts, options, lists, enums, the fault proof's union), each behind its selector.
pub fn seeds() -> Vec<Vec<u8>> {
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;
    let selector = |name: &str| {
        let position = DECODERS
            .iter()
            .position(|(path, _)| path.replace(' ', "") == name);
        position.unwrap_or_else(|| panic!("no decoder of {name}")) as u8
    };
    let seed = |name: &str, bytes: Vec<u8>| {
        let mut seed = vec![selector(name)];
        seed.extend(bytes);
        seed
    };
    let piece =
        cid::Cid::try_from("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq").unwrap();
    vec![
        seed(
            "bounty::PostBountyParams",
            to_vec(&bounty::PostBountyParams {
                piece_cid: piece,
                piece_size: 1 << 35,
                replicas: 2,
                reward_per_replica: TokenAmount::from_whole(10),
                collateral_per_replica: TokenAmount::from_whole(5),
                min_duration: 518_400,
                expiry: 100_000,
                min_reputation: Some(4_000),
                allowed_providers: Some(vec![1000, 1001]),
                distinct_owners: false,
                max_per_region: None,
                renewals: 0,
            })
            .unwrap(),
        ),
        seed(
            "escrow::LockParams",
            to_vec(&escrow::LockParams {
                provider: Address::new_id(1000),
                beneficiary: Address::new_id(100),
                refund_to: Address::new_id(101),
                evidence: escrow::EvidenceParams {
                    deal: Some(7),
                    sector: Some(3),
                    sector_location: Some(escrow::SectorLocation {
                        deadline: 1,
                        partition: 0,
                    }),
                },
                end_epoch: 600_000,
                notify: None,
                reference: Some(4),
            })
            .unwrap(),
        ),
        seed(
            "escrow::ReportFaultParams",
            to_vec(&escrow::ReportFaultParams {
                lock_id: 1,
                proof: escrow::FaultProof::SectorFaulty(escrow::SectorLocation {
                    deadline: 2,
                    partition: 1,
                }),
            })
            .unwrap(),
        ),
        seed(
            "reputation::RecordOutcomeParams",
            to_vec(&reputation::RecordOutcomeParams {
                provider: 1000,
                subject: reputation::Subject {
                    kind: reputation::SubjectKind::Deal,
                    id: 9,
                },
                kind: reputation::OutcomeKind::Completed,
                weight: 518_400,
                bytes: 1 << 35,
            })
            .unwrap(),
        ),
        seed(
            "reputation::RegisterProviderParams",
            to_vec(&reputation::RegisterProviderParams {
                miner: Address::new_id(1000),
                metadata: reputation::Metadata {
                    name: "Acme Storage".into(),
                    region: "DE".into(),
                    peer_id: vec![0, 36, 8, 1],
                    links: vec!["https://acme.example".into()],
                },
            })
            .unwrap(),
        ),
    ]
}
