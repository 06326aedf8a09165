//! ProviderReputation's interface: method numbers, parameters, returns and events. Plain
//! Rust (no fvm_sdk use): dApps and other actors encode calls with these.

use crate::method_hash;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::{ActorID, MethodNum};
use serde::{Deserialize, Serialize};

pub mod score;
pub mod text;

pub use score::{Evidence, Stake, MAX_SCORE, NEUTRAL_SCORE};

pub const METHOD_CONSTRUCTOR: MethodNum = crate::METHOD_CONSTRUCTOR;
pub const METHOD_ADD_REPORTER: MethodNum = method_hash!("AddReporter");
pub const METHOD_REMOVE_REPORTER: MethodNum = method_hash!("RemoveReporter");
pub const METHOD_TRANSFER_ADMIN: MethodNum = method_hash!("TransferAdmin");
pub const METHOD_ACCEPT_ADMIN: MethodNum = method_hash!("AcceptAdmin");
pub const METHOD_REGISTER_PROVIDER: MethodNum = method_hash!("RegisterProvider");
pub const METHOD_UPDATE_METADATA: MethodNum = method_hash!("UpdateMetadata");
pub const METHOD_RECORD_OUTCOME: MethodNum = method_hash!("RecordOutcome");
pub const METHOD_GET_REPUTATION: MethodNum = method_hash!("GetReputation");
pub const METHOD_GET_SCORES: MethodNum = method_hash!("GetScores");
pub const METHOD_LIST_PROVIDERS: MethodNum = method_hash!("ListProviders");
pub const METHOD_GET_ADMIN: MethodNum = method_hash!("GetAdmin");
pub const METHOD_IS_REPORTER: MethodNum = method_hash!("IsReporter");

/// Most providers in one `GetScores` call.
pub const MAX_SCORES_BATCH: usize = 100;
/// Most entries in one `ListProviders` page.
pub const MAX_PAGE: u32 = 100;
/// Metadata limits.
pub const MAX_NAME_BYTES: usize = 64;
pub const MAX_PEER_ID_BYTES: usize = 64;
pub const MAX_LINKS: usize = 4;
pub const MAX_LINK_BYTES: usize = 128;
pub const LINK_SCHEMES: [&str; 3] = ["https://", "ipfs://", "ipns://"];

/// Event names (FIP-0049 `$type`).
pub const EVENT_PROVIDER_REGISTERED: &str = "provider-registered";
pub const EVENT_METADATA_UPDATED: &str = "provider-metadata-updated";
pub const EVENT_REPUTATION_UPDATED: &str = "reputation-updated";
pub const EVENT_REPORTER_ADDED: &str = "reporter-added";
pub const EVENT_REPORTER_REMOVED: &str = "reporter-removed";
pub const EVENT_ADMIN_PROPOSED: &str = "admin-proposed";
pub const EVENT_ADMIN_CHANGED: &str = "admin-changed";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConstructorParams {
    pub admin: Address,
}

/// Params of AddReporter, RemoveReporter and TransferAdmin: one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddressParams {
    pub address: Address,
}

/// What a provider says about itself. Bounded and validated (`Metadata::validate`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Metadata {
    /// Display name, 1 to 64 bytes of UTF-8 held to the text profile of [`text`] (no invisible,
    /// bidi, private-use or look-alike characters, no mixed Latin/Greek/Cyrillic letters), not
    /// starting or ending with a space nor holding two in a row.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code ("DE"), optionally with an ISO 3166-2 subdivision
    /// ("US-CA"), or empty.
    pub region: String,
    /// The libp2p peer ID bytes, at most 64 (may be empty).
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
    /// Up to 4 links (https://, ipfs:// or ipns://), each at most 128 printable ASCII bytes.
    pub links: Vec<String>,
}

impl Metadata {
    /// Why the metadata is refused, if it is. Every text field (name, region, links) is held
    /// to the text profile of [`text`] first, so a refusal names the field and the code point.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() || self.name.len() > MAX_NAME_BYTES {
            return Err(format!(
                "name must be 1 to {MAX_NAME_BYTES} bytes, got {}",
                self.name.len()
            ));
        }
        text::check_text("name", &self.name)?;
        let name = self.name.as_bytes();
        if name[0] == b' ' || name[name.len() - 1] == b' ' || name.windows(2).any(|w| w == b"  ") {
            return Err(format!(
                "name {:?} starts or ends with a space or holds two in a row: names differing only in spaces look alike",
                self.name
            ));
        }
        text::check_text("region", &self.region)?;
        if !valid_region(&self.region) {
            return Err(format!(
                "region {:?} is not an ISO 3166 code like \"DE\" or \"US-CA\"",
                self.region
            ));
        }
        if self.peer_id.len() > MAX_PEER_ID_BYTES {
            return Err(format!(
                "peer id is {} bytes, at most {MAX_PEER_ID_BYTES}",
                self.peer_id.len()
            ));
        }
        if self.links.len() > MAX_LINKS {
            return Err(format!("{} links, at most {MAX_LINKS}", self.links.len()));
        }
        for (i, link) in self.links.iter().enumerate() {
            text::check_text(&format!("link {}", i + 1), link)?;
            let printable = link.bytes().all(|b| b.is_ascii_graphic());
            let scheme = LINK_SCHEMES.iter().find(|s| link.starts_with(*s));
            match scheme {
                Some(s) if printable && link.len() <= MAX_LINK_BYTES && link.len() > s.len() => {}
                _ => {
                    return Err(format!(
                        "link {link:?} must be https://, ipfs:// or ipns://, printable, ≤ 128 bytes"
                    ))
                }
            }
        }
        Ok(())
    }
}

fn valid_region(region: &str) -> bool {
    if region.is_empty() {
        return true;
    }
    let (country, subdivision) = match region.split_once('-') {
        Some((c, s)) => (c, Some(s)),
        None => (region, None),
    };
    let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    let subdivision_ok = subdivision.is_none_or(|s| {
        (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    country_ok && subdivision_ok
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RegisterProviderParams {
    /// The miner actor (any address form that resolves to it).
    pub miner: Address,
    pub metadata: Metadata,
}

/// What an outcome is about: a market deal, or a sector of the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize_tuple, Deserialize_tuple)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: u64,
}

crate::u8_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum SubjectKind("subject kind") {
        Deal = 0,
        Sector = 1,
    }
}

crate::u8_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum OutcomeKind("outcome kind") {
        /// A claim backed by this subject was accepted (a promise: counted, score unchanged).
        /// Accepted from any reporter; the suite's market no longer sends it (issue 13).
        ClaimAccepted = 0,
        /// The storage was kept to the end.
        Completed = 1,
        /// A proof was missed (recoverable).
        Fault = 2,
        /// The storage was lost (deal terminated early, sector dead before its end).
        Slashed = 3,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RecordOutcomeParams {
    /// The miner actor ID.
    pub provider: ActorID,
    pub subject: Subject,
    pub kind: OutcomeKind,
    /// What was at stake, in bytes × epochs: the bytes the reporter's collateral backed × the
    /// epochs it backed them (for the escrow: piece or sector size × the lock's term). > 0.
    /// Per (provider, subject, kind) the registry counts the largest weight reported.
    pub weight: u64,
    /// The bytes concerned (padded piece or sector size).
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RecordOutcomeReturn {
    /// False when this (provider, subject, kind) was already counted with at least this
    /// weight: a no-op. True when it is new, or when the weight exceeds what was counted (then
    /// only the difference is added).
    pub counted: bool,
    /// The provider's score after the call.
    pub score: u16,
}

/// Per-kind counts: subjects counted once per kind. `claims_accepted` counts ClaimAccepted
/// reports only (the suite's market does not send them since issue 13, so for its claims the
/// other three counts are the record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OutcomeCounts {
    pub claims_accepted: u64,
    pub completed: u64,
    pub faults: u64,
    pub slashes: u64,
}

/// Bytes per kind (what the provider promised, kept, and lost).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ByteTotals {
    pub claimed: Stake,
    pub completed: Stake,
    pub faulted: Stake,
    pub lost: Stake,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Registration {
    pub registered_at: ChainEpoch,
    pub updated_at: ChainEpoch,
    /// Who registered (a controlling address of the miner).
    pub registered_by: ActorID,
    pub metadata: Metadata,
}

/// What the registry knows of a provider, as GetReputation returns it: assembled from the
/// provider's entry (evidence, counts), its book (totals) and its registration (metadata lives
/// in its own map so outcomes never rewrite it; see the registry's `state` module).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProviderRecord {
    pub registered_at: Option<ChainEpoch>,
    pub counts: OutcomeCounts,
    pub bytes: ByteTotals,
    /// Σ raw (undecayed) stake of successes and failures as reported.
    pub stake_completed: Stake,
    pub stake_failed: Stake,
    pub evidence: Evidence,
    pub first_outcome: Option<ChainEpoch>,
    pub last_outcome: Option<ChainEpoch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetReputationParams {
    pub provider: Address,
}

/// Everything known about a provider, with its score at the current epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ReputationView {
    pub provider: ActorID,
    pub score: u16,
    pub epoch: ChainEpoch,
    pub record: ProviderRecord,
    pub registration: Option<Registration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetScoresParams {
    pub providers: Vec<ActorID>,
}

/// One score per requested provider, in order (neutral for a provider with no record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetScoresReturn {
    pub scores: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListProvidersParams {
    /// Resume from this provider (the previous page's `next`); None starts at the beginning.
    pub cursor: Option<ActorID>,
    /// 1 to 100.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProviderSummary {
    pub provider: ActorID,
    pub registered: bool,
    pub score: u16,
    pub counts: OutcomeCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ListProvidersReturn {
    /// In the registry's map order (stable between pages).
    pub providers: Vec<ProviderSummary>,
    pub next: Option<ActorID>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetAdminReturn {
    pub admin: ActorID,
    pub pending_admin: Option<ActorID>,
    pub reporters: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IsReporterParams {
    pub actor: ActorID,
}
