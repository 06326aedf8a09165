//! ProviderReputation's state: a small root, the reporters and registrations HAMTs, and the
//! providers HAMT, whose entries hold only what a score and a listing need plus a link to the
//! provider's own book (its totals and the weight counted per subject).
//!
//! Layout, and why (gas: a block written costs ~506,000 + 3,340 a byte, a block read ~187,000;
//! decoding is paid per instruction):
//! - `providers`: provider → [`ProviderEntry`]: the evidence, the counts, a registered flag,
//!   all packed in one byte string (GetScores decodes it with a few varint reads, not a
//!   CBOR item per field), and the link to the provider's book. Every counted outcome rewrites
//!   the entry's path, so the entry carries nothing else.
//! - a book per provider (a HAMT of its own): under [`TOTALS_KEY`] the byte, stake and epoch
//!   totals; under each subject the largest weight counted for each kind. An outcome rewrites
//!   one path of its provider's book, whose size is that provider's history, not the registry's.
//! - `registrations`: the metadata, untouched by outcomes.

use actor_runtime::{actor_error, ActorError, ActorResult, Map};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::{strict_bytes, RawBytes};
use fvm_ipld_hamt::{BytesKey, Config, Hamt};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::ActorID;

use crate::types::{
    ByteTotals, Evidence, OutcomeCounts, OutcomeKind, Registration, Stake, Subject, SubjectKind,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub admin: ActorID,
    /// Proposed by `TransferAdmin`, effective once it calls `AcceptAdmin`.
    pub pending_admin: Option<ActorID>,
    /// Reporters: ActorID → true.
    pub reporters: Cid,
    pub reporter_count: u64,
    /// Providers (miner ActorID) → [`ProviderEntry`] (see the module's notes).
    pub providers: Cid,
    pub provider_count: u64,
    /// Registered providers → registration (metadata).
    pub registrations: Cid,
}

pub type Reporters<BS> = Map<BS, u64, bool>;
pub type Registrations<BS> = Map<BS, u64, Registration>;

/// The providers HAMT: read by every GetScores lookup and rewritten on one path by every
/// counted outcome. Chosen by the registry bench (gas at N = 10 / 1,000 / 10,000 providers,
/// bit width / bucket size):
///
/// | | RecordOutcome | GetScores(100) | ListProviders(100) |
/// |---|---|---|---|
/// | 5 / 3 | 9.4 / 20.2 / 21.4 M | 5.6 / 51 / 83 M | 2.1 / 10.8 / 12.0 M |
/// | 4 / 3 | 9.3 / 17.4 / 20.5 M | 5.6 / 47 / 123 M | 2.1 / 13.4 / 12.8 M |
/// | 3 / 3 | 8.8 / 14.8 / 16.9 M | 5.9 / 52 / 103 M | 2.3 / 12.8 / 13.3 M |
/// | **3 / 2** | 9.1 / 14.1 / 15.8 M | 6.2 / 53 / 97 M | 2.5 / 15.0 / 15.4 M |
/// | 3 / 1 | 9.1 / 13.8 / 15.8 M | 6.2 / 58 / 95 M | 2.5 / 20.6 / 21.0 M |
///
/// Narrow nodes with small buckets make every write cheaper (the nodes a path rewrites hold
/// fewer links and entries); a wide root reads fewer blocks for a batch; buckets of 1 spread a
/// page over many nodes.
pub const PROVIDERS_CONFIG: Config = Config {
    bit_width: 3,
    min_data_depth: 0,
    max_array_width: 2,
};

/// A provider's book: small for most providers (one node), with narrow nodes as it grows so
/// that an outcome of a provider with a long history rewrites little.
pub const BOOK_CONFIG: Config = Config {
    bit_width: 3,
    min_data_depth: 0,
    max_array_width: 3,
};

/// The book key of a provider's [`Totals`] (no subject key is empty).
pub const TOTALS_KEY: &[u8] = &[];

impl State {
    pub fn new<BS: Blockstore>(store: &BS, admin: ActorID) -> ActorResult<Self> {
        // Every map starts as the same empty HAMT root (an empty node is the same block at
        // any bit width), written once.
        let empty = Reporters::empty_root(store, "reporters")?;
        Ok(Self {
            admin,
            pending_admin: None,
            reporters: empty,
            reporter_count: 0,
            providers: empty,
            provider_count: 0,
            registrations: empty,
        })
    }

    pub fn reporters<BS: Blockstore>(&self, store: BS) -> ActorResult<Reporters<BS>> {
        Map::load(store, &self.reporters, "reporters")
    }

    pub fn providers<BS: Blockstore>(&self, store: BS) -> ActorResult<Providers<BS>> {
        Providers::load(store, &self.providers)
    }

    pub fn registrations<BS: Blockstore>(&self, store: BS) -> ActorResult<Registrations<BS>> {
        Map::load(store, &self.registrations, "registrations")
    }
}

/// What the providers HAMT holds per provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderEntry {
    /// Has a registration (its metadata and epochs are in `registrations`).
    pub registered: bool,
    pub evidence: Evidence,
    pub counts: OutcomeCounts,
    /// The provider's book; None until its first counted outcome.
    pub book: Option<Cid>,
}

/// A provider's totals, in its book under [`TOTALS_KEY`] (present once it has an outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub bytes: ByteTotals,
    /// Σ raw (undecayed) stake of successes and failures as reported.
    pub stake_completed: Stake,
    pub stake_failed: Stake,
    pub first_outcome: ChainEpoch,
    pub last_outcome: ChainEpoch,
}

/// The largest weight counted for one subject, per kind (0: never counted; a weight is > 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Weights(pub [u64; 4]);

impl Weights {
    pub fn of(&self, kind: OutcomeKind) -> u64 {
        self.0[u8::from(kind) as usize]
    }

    pub fn set(&mut self, kind: OutcomeKind, weight: u64) {
        self.0[u8::from(kind) as usize] = weight;
    }
}

/// The book key of a subject: its kind, then its id as a varint.
pub fn subject_key(subject: &Subject) -> Vec<u8> {
    let mut key = vec![u8::from(subject.kind)];
    put_u64(&mut key, subject.id);
    key
}

/// A [`subject_key`] back into its subject.
pub fn parse_subject_key(key: &[u8]) -> Option<Subject> {
    let (&kind, rest) = key.split_first()?;
    let mut r = Reader(rest);
    let id = r.u64().ok()?;
    r.end().ok()?;
    Some(Subject {
        kind: SubjectKind::try_from(kind).ok()?,
        id,
    })
}

/// How an entry is stored: its scalars packed into one byte string (varints), and the book as
/// an IPLD link (a link must be one for the VM to let the actor open its block later).
#[derive(Serialize_tuple, Deserialize_tuple, PartialEq, Clone)]
struct StoredEntry {
    #[serde(with = "strict_bytes")]
    packed: Vec<u8>,
    book: Option<Cid>,
}

const REGISTERED: u8 = 1;

impl ProviderEntry {
    fn store(&self) -> StoredEntry {
        let mut p = Vec::with_capacity(32);
        p.push(if self.registered { REGISTERED } else { 0 });
        put_evidence(&mut p, &self.evidence);
        let c = &self.counts;
        for n in [c.claims_accepted, c.completed, c.faults, c.slashes] {
            put_u64(&mut p, n);
        }
        StoredEntry {
            packed: p,
            book: self.book,
        }
    }

    fn load(stored: &StoredEntry) -> ActorResult<Self> {
        let mut r = Reader(&stored.packed);
        let flags = r.byte()?;
        let evidence = r.evidence()?;
        let counts = OutcomeCounts {
            claims_accepted: r.u64()?,
            completed: r.u64()?,
            faults: r.u64()?,
            slashes: r.u64()?,
        };
        r.end()?;
        Ok(Self {
            registered: flags & REGISTERED != 0,
            evidence,
            counts,
            book: stored.book,
        })
    }
}

/// The evidence of a stored entry alone: what GetScores needs, without the rest.
fn stored_evidence(stored: &StoredEntry) -> ActorResult<Evidence> {
    let mut r = Reader(&stored.packed);
    r.byte()?;
    r.evidence()
}

impl Totals {
    pub fn pack(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(48);
        let b = &self.bytes;
        for s in [
            b.claimed,
            b.completed,
            b.faulted,
            b.lost,
            self.stake_completed,
            self.stake_failed,
        ] {
            put_u128(&mut p, s.0);
        }
        put_i64(&mut p, self.first_outcome);
        put_i64(&mut p, self.last_outcome);
        p
    }

    pub fn unpack(bytes: &[u8]) -> ActorResult<Self> {
        let mut r = Reader(bytes);
        let mut s = || r.u128().map(Stake);
        let bytes = ByteTotals {
            claimed: s()?,
            completed: s()?,
            faulted: s()?,
            lost: s()?,
        };
        let (stake_completed, stake_failed) = (s()?, s()?);
        let t = Totals {
            bytes,
            stake_completed,
            stake_failed,
            first_outcome: r.i64()?,
            last_outcome: r.i64()?,
        };
        r.end()?;
        Ok(t)
    }
}

impl Weights {
    pub fn pack(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(8);
        self.0.iter().for_each(|w| put_u64(&mut p, *w));
        p
    }

    pub fn unpack(bytes: &[u8]) -> ActorResult<Self> {
        let mut r = Reader(bytes);
        let w = Weights([r.u64()?, r.u64()?, r.u64()?, r.u64()?]);
        r.end()?;
        Ok(w)
    }
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(unsigned_varint::encode::u64(
        v,
        &mut unsigned_varint::encode::u64_buffer(),
    ));
}

fn put_u128(out: &mut Vec<u8>, v: u128) {
    out.extend_from_slice(unsigned_varint::encode::u128(
        v,
        &mut unsigned_varint::encode::u128_buffer(),
    ));
}

/// Zigzag, so that a negative epoch (never stored, but representable) round-trips.
fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_evidence(out: &mut Vec<u8>, e: &Evidence) {
    put_u128(out, e.good.0);
    put_u128(out, e.faults.0);
    put_u128(out, e.losses.0);
    put_i64(out, e.as_of);
}

/// Reads packed varints; any malformed or short input is illegal state (the actor wrote it).
struct Reader<'a>(&'a [u8]);

fn corrupt() -> ActorError {
    ActorError::illegal_state("corrupt packed registry value")
}

impl Reader<'_> {
    fn byte(&mut self) -> ActorResult<u8> {
        let (&b, rest) = self.0.split_first().ok_or_else(corrupt)?;
        self.0 = rest;
        Ok(b)
    }

    fn u64(&mut self) -> ActorResult<u64> {
        let (v, rest) = unsigned_varint::decode::u64(self.0).map_err(|_| corrupt())?;
        self.0 = rest;
        Ok(v)
    }

    fn u128(&mut self) -> ActorResult<u128> {
        let (v, rest) = unsigned_varint::decode::u128(self.0).map_err(|_| corrupt())?;
        self.0 = rest;
        Ok(v)
    }

    fn i64(&mut self) -> ActorResult<i64> {
        let z = self.u64()?;
        Ok((z >> 1) as i64 ^ -((z & 1) as i64))
    }

    fn evidence(&mut self) -> ActorResult<Evidence> {
        Ok(Evidence {
            good: Stake(self.u128()?),
            faults: Stake(self.u128()?),
            losses: Stake(self.u128()?),
            as_of: self.i64()?,
        })
    }

    fn end(&self) -> ActorResult<()> {
        match self.0 {
            [] => Ok(()),
            _ => Err(corrupt()),
        }
    }
}

fn provider_key(provider: ActorID) -> BytesKey {
    BytesKey(unsigned_varint::encode::u64(provider, &mut unsigned_varint::encode::u64_buffer()).to_vec())
}

fn hamt_error(what: &str, op: &str, e: impl core::fmt::Display) -> ActorError {
    actor_error!(illegal_state; "{what} {op}: {e}")
}

/// The providers HAMT, typed.
pub struct Providers<BS: Blockstore> {
    hamt: Hamt<BS, StoredEntry>,
}

/// A page of the providers HAMT.
pub struct ProvidersPage {
    pub entries: Vec<(ActorID, ProviderEntry)>,
    pub next: Option<ActorID>,
}

impl<BS: Blockstore> Providers<BS> {
    pub fn empty(store: BS) -> Self {
        Self {
            hamt: Hamt::new_with_config(store, PROVIDERS_CONFIG),
        }
    }

    pub fn load(store: BS, root: &Cid) -> ActorResult<Self> {
        let hamt = Hamt::load_with_config(root, store, PROVIDERS_CONFIG)
            .map_err(|e| hamt_error("providers", "load", e))?;
        Ok(Self { hamt })
    }

    fn stored(&self, provider: ActorID) -> ActorResult<Option<&StoredEntry>> {
        self.hamt
            .get(&provider_key(provider))
            .map_err(|e| hamt_error("providers", "get", e))
    }

    pub fn get(&self, provider: ActorID) -> ActorResult<Option<ProviderEntry>> {
        self.stored(provider)?.map(ProviderEntry::load).transpose()
    }

    /// The provider's evidence alone (None: no entry).
    pub fn evidence(&self, provider: ActorID) -> ActorResult<Option<Evidence>> {
        self.stored(provider)?.map(stored_evidence).transpose()
    }

    pub fn contains(&self, provider: ActorID) -> ActorResult<bool> {
        Ok(self.stored(provider)?.is_some())
    }

    pub fn set(&mut self, provider: ActorID, entry: &ProviderEntry) -> ActorResult<()> {
        self.hamt
            .set(provider_key(provider), entry.store())
            .map_err(|e| hamt_error("providers", "set", e))?;
        Ok(())
    }

    pub fn flush(&mut self) -> ActorResult<Cid> {
        self.hamt.flush().map_err(|e| hamt_error("providers", "flush", e))
    }

    /// At most `limit` entries in the map's (hash) order from `start`, a key previously
    /// returned as `next`.
    pub fn page(&self, start: Option<ActorID>, limit: usize) -> ActorResult<ProvidersPage> {
        let start_key = start.map(provider_key);
        let mut entries = Vec::with_capacity(limit.min(64));
        let (_, next) = self
            .hamt
            .for_each_ranged(start_key.as_ref(), Some(limit), |k, v: &StoredEntry| {
                let provider = provider_id(k).map_err(anyhow::Error::msg)?;
                entries.push((provider, ProviderEntry::load(v).map_err(anyhow::Error::msg)?));
                Ok(())
            })
            .map_err(|e| actor_error!(illegal_argument; "cannot walk providers from that cursor: {e}"))?;
        let next = next.map(|k| provider_id(&k)).transpose()?;
        Ok(ProvidersPage { entries, next })
    }
}

fn provider_id(key: &BytesKey) -> ActorResult<ActorID> {
    let mut r = Reader(&key.0);
    let id = r.u64()?;
    r.end()?;
    Ok(id)
}

/// One provider's book, typed: [`Totals`] under [`TOTALS_KEY`], [`Weights`] under each
/// subject's key.
pub struct Book<BS: Blockstore> {
    hamt: Hamt<BS, RawBytes>,
}

impl<BS: Blockstore> Book<BS> {
    /// The book at `root`, or a new empty one.
    pub fn open(store: BS, root: Option<&Cid>) -> ActorResult<Self> {
        let hamt = match root {
            Some(root) => {
                Hamt::load_with_config(root, store, BOOK_CONFIG).map_err(|e| hamt_error("book", "load", e))?
            }
            None => Hamt::new_with_config(store, BOOK_CONFIG),
        };
        Ok(Self { hamt })
    }

    fn raw(&self, key: &[u8]) -> ActorResult<Option<&[u8]>> {
        Ok(self
            .hamt
            .get(&BytesKey(key.to_vec()))
            .map_err(|e| hamt_error("book", "get", e))?
            .map(|v| v.bytes()))
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) -> ActorResult<()> {
        self.hamt
            .set(BytesKey(key), RawBytes::new(value))
            .map_err(|e| hamt_error("book", "set", e))?;
        Ok(())
    }

    /// The totals (default before the first outcome).
    pub fn totals(&self) -> ActorResult<Totals> {
        Ok(match self.raw(TOTALS_KEY)? {
            Some(bytes) => Totals::unpack(bytes)?,
            None => Totals::default(),
        })
    }

    pub fn set_totals(&mut self, totals: &Totals) -> ActorResult<()> {
        self.put(TOTALS_KEY.to_vec(), totals.pack())
    }

    /// The weights counted for `subject` (all zero: never counted).
    pub fn weights(&self, subject: &Subject) -> ActorResult<Weights> {
        match self.raw(&subject_key(subject))? {
            Some(bytes) => Weights::unpack(bytes),
            None => Ok(Weights::default()),
        }
    }

    pub fn set_weights(&mut self, subject: &Subject, weights: &Weights) -> ActorResult<()> {
        self.put(subject_key(subject), weights.pack())
    }

    pub fn flush(&mut self) -> ActorResult<Cid> {
        self.hamt.flush().map_err(|e| hamt_error("book", "flush", e))
    }

    /// Every (key, value) of the book, for the books checker.
    pub fn entries(&self) -> ActorResult<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut all = Vec::new();
        self.hamt
            .for_each(|k, v| {
                all.push((k.0.clone(), v.bytes().to_vec()));
                Ok(())
            })
            .map_err(|e| hamt_error("book", "walk", e))?;
        Ok(all)
    }

    /// Writes a raw value (host tests corrupt books with it).
    #[cfg(test)]
    pub fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) -> ActorResult<()> {
        self.put(key, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_providers_map_is_the_shared_empty_root() {
        let store = fvm_ipld_blockstore::MemoryBlockstore::new();
        let shared = Reporters::empty_root(&store, "reporters").unwrap();
        assert_eq!(Providers::empty(&store).flush().unwrap(), shared);
        let mut book = Book::open(&store, None).unwrap();
        assert_eq!(book.flush().unwrap(), shared);
    }

    #[test]
    fn packed_values_round_trip() {
        let entry = ProviderEntry {
            registered: true,
            evidence: Evidence {
                good: Stake(1 << 89),
                faults: Stake(0),
                losses: Stake(u128::MAX),
                as_of: 1_234_567,
            },
            counts: OutcomeCounts {
                claims_accepted: 1,
                completed: u64::MAX,
                faults: 0,
                slashes: 300,
            },
            book: None,
        };
        assert_eq!(ProviderEntry::load(&entry.store()).unwrap(), entry);
        assert_eq!(stored_evidence(&entry.store()).unwrap(), entry.evidence);
        let totals = Totals {
            bytes: ByteTotals {
                claimed: Stake(1),
                completed: Stake(u128::MAX),
                faulted: Stake(0),
                lost: Stake(1 << 70),
            },
            stake_completed: Stake(5),
            stake_failed: Stake(6),
            first_outcome: -3,
            last_outcome: i64::MAX,
        };
        assert_eq!(Totals::unpack(&totals.pack()).unwrap(), totals);
        let w = Weights([0, 1, u64::MAX, 7]);
        assert_eq!(Weights::unpack(&w.pack()).unwrap(), w);
        let s = Subject {
            kind: SubjectKind::Sector,
            id: 300,
        };
        assert_eq!(parse_subject_key(&subject_key(&s)), Some(s));
        assert_eq!(parse_subject_key(TOTALS_KEY), None);
        // Trailing or missing bytes are refused.
        let mut long = w.pack();
        long.push(0);
        assert!(Weights::unpack(&long).is_err());
        assert!(Weights::unpack(&w.pack()[..3]).is_err());
    }
}
