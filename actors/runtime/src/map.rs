//! A typed HAMT with a name (for error messages) and the suite's one bit width.

use std::marker::PhantomData;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{ActorError, ActorResult};

/// Bit width of the suite's maps: 8 pointers a node. Chosen by the bench: a message rewrites the
/// nodes on its key's path, and at bit width 5 an inner node holds 32 links (about 1.3 KB
/// rewritten at every level); at 3 the path is one level deeper but its nodes a quarter of that
/// (ClaimBounty at 10,000 bounties: 93.5 M gas at 5, 81.9 M at 3).
pub const HAMT_BIT_WIDTH: u32 = 3;

/// The builtin actors' bit width, for the stand-ins, which model their state and costs.
pub const BUILTIN_HAMT_BIT_WIDTH: u32 = 5;

/// How a key becomes HAMT bytes and back.
pub trait MapKey: Sized {
    fn to_key_bytes(&self) -> Vec<u8>;
    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self>;
}

/// u64 keys (actor ids, deal ids, record ids) as unsigned varints (LEB128), like builtin-actors.
impl MapKey for u64 {
    fn to_key_bytes(&self) -> Vec<u8> {
        unsigned_varint::encode::u64(*self, &mut unsigned_varint::encode::u64_buffer()).to_vec()
    }

    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self> {
        match split_varint(bytes)? {
            (value, []) => Ok(value),
            _ => Err(ActorError::illegal_state("trailing bytes after varint key")),
        }
    }
}

/// Reads the varint at the front of `bytes`: its value and the bytes after it (a composite key
/// is varints and bytes back to back, each varint self-delimiting).
pub fn split_varint(bytes: &[u8]) -> ActorResult<(u64, &[u8])> {
    // Not the decoder's reason: its Display would add ~500 bytes to every module.
    unsigned_varint::decode::u64(bytes).map_err(|_| ActorError::illegal_state("malformed varint key"))
}

impl MapKey for Address {
    fn to_key_bytes(&self) -> Vec<u8> {
        self.to_bytes()
    }
    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self> {
        Address::from_bytes(bytes).map_err(|e| ActorError::illegal_state(format!("address key: {e}")))
    }
}

impl MapKey for Vec<u8> {
    fn to_key_bytes(&self) -> Vec<u8> {
        self.clone()
    }
    fn from_key_bytes(bytes: &[u8]) -> ActorResult<Self> {
        Ok(bytes.to_vec())
    }
}

/// A page of a map walk: the entries and the key to resume from, if any remain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<K, V> {
    pub entries: Vec<(K, V)>,
    pub next: Option<K>,
}

/// A HAMT of `K -> V` that names itself in every error.
pub struct Map<BS: Blockstore, K, V> {
    name: &'static str,
    hamt: Hamt<BS, V>,
    key: PhantomData<K>,
}

impl<BS, K, V> Map<BS, K, V>
where
    BS: Blockstore,
    K: MapKey,
    V: Serialize + DeserializeOwned + Clone + PartialEq,
{
    pub fn empty(store: BS, name: &'static str) -> Self {
        Self {
            name,
            hamt: Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH),
            key: PhantomData,
        }
    }

    pub fn load(store: BS, root: &Cid, name: &'static str) -> ActorResult<Self> {
        Self::load_with_bit_width(store, root, name, HAMT_BIT_WIDTH)
    }

    /// A map of another bit width (the stand-ins keep the builtins' 5). An empty map's root is
    /// the same at every width, so only loading (and thus writing) needs it.
    pub fn load_with_bit_width(
        store: BS,
        root: &Cid,
        name: &'static str,
        bit_width: u32,
    ) -> ActorResult<Self> {
        let hamt = Hamt::load_with_bit_width(root, store, bit_width)
            .map_err(|e| ActorError::illegal_state(format!("failed to load {name}: {e}")))?;
        Ok(Self {
            name,
            hamt,
            key: PhantomData,
        })
    }

    /// The root CID of an empty map, for constructors.
    pub fn empty_root(store: BS, name: &'static str) -> ActorResult<Cid> {
        Self::empty(store, name).flush()
    }

    pub fn flush(&mut self) -> ActorResult<Cid> {
        self.hamt.flush().map_err(|e| self.err("flush", e))
    }

    pub fn get(&self, key: &K) -> ActorResult<Option<&V>> {
        self.hamt
            .get(&BytesKey(key.to_key_bytes()))
            .map_err(|e| self.err("get", e))
    }

    pub fn contains(&self, key: &K) -> ActorResult<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// Insert or replace; returns the previous value.
    pub fn set(&mut self, key: &K, value: V) -> ActorResult<Option<V>> {
        self.hamt
            .set(BytesKey(key.to_key_bytes()), value)
            .map_err(|e| self.err("set", e))
    }

    /// Insert only if absent; returns whether it was inserted.
    pub fn set_if_absent(&mut self, key: &K, value: V) -> ActorResult<bool> {
        self.hamt
            .set_if_absent(BytesKey(key.to_key_bytes()), value)
            .map_err(|e| self.err("set_if_absent", e))
    }

    pub fn delete(&mut self, key: &K) -> ActorResult<Option<V>> {
        self.hamt
            .delete(&BytesKey(key.to_key_bytes()))
            .map(|removed| removed.map(|(_, v)| v))
            .map_err(|e| self.err("delete", e))
    }

    /// At most `limit` entries in the map's own (hash) order, starting at `start` (a key
    /// previously returned as `next`), so listings stay bounded whatever the map's size.
    pub fn page(&self, start: Option<&K>, limit: usize) -> ActorResult<Page<K, V>> {
        let start_key = start.map(|k| BytesKey(k.to_key_bytes()));
        let mut entries = Vec::with_capacity(limit.min(64));
        let (_, next) = self
            .hamt
            .for_each_ranged(start_key.as_ref(), Some(limit), |k, v: &V| {
                entries.push((K::from_key_bytes(&k.0).map_err(anyhow::Error::msg)?, v.clone()));
                Ok(())
            })
            .map_err(|e| {
                ActorError::illegal_argument(format!("cannot walk {} from that cursor: {e}", self.name))
            })?;
        let next = next.map(|k| K::from_key_bytes(&k.0)).transpose()?;
        Ok(Page { entries, next })
    }

    fn err(&self, op: &str, e: fvm_ipld_hamt::Error) -> ActorError {
        ActorError::illegal_state(format!("{} {op}: {e}", self.name))
    }
}

/// Ids a set keeps inline in its key's entry before it moves them to a map of its own.
pub const INLINE_SET_LIMIT: usize = 8;

/// One key's ids in a [`SetIndex`]: up to [`INLINE_SET_LIMIT`] inline, ascending (most keys have
/// a few: a client's bounties, a provider's unpaid claims), else the root of a map `id → true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Members {
    pub inline: Vec<u64>,
    pub tree: Option<Cid>,
}

/// An index from keys to sets of ids, stored as an outer map `key → members`: a small set is
/// inline in its entry (one path written per change), a large one a map of its own.
/// Membership, insertion and removal touch one path (two for a large set), listing one key's ids
/// is paginated, and no operation walks other keys. `BS` is cloned for the inner maps, so it
/// must be a handle that shares storage (a reference, or the VM's stateless store), never an
/// owned in-memory store, whose clone would be a separate copy.
pub struct SetIndex<BS: Blockstore, K> {
    store: BS,
    name: &'static str,
    outer: Map<BS, K, Members>,
}

impl<BS, K> SetIndex<BS, K>
where
    BS: Blockstore + Clone,
    K: MapKey,
{
    pub fn load(store: BS, root: &Cid, name: &'static str) -> ActorResult<Self> {
        Ok(Self {
            outer: Map::load(store.clone(), root, name)?,
            store,
            name,
        })
    }

    fn tree(&self, root: &Cid) -> ActorResult<Map<BS, u64, bool>> {
        Map::load(self.store.clone(), root, self.name)
    }

    pub fn contains(&self, key: &K, id: u64) -> ActorResult<bool> {
        Ok(match self.outer.get(key)? {
            None => false,
            Some(Members { tree: Some(root), .. }) => self.tree(root)?.contains(&id)?,
            Some(Members { inline, .. }) => inline.binary_search(&id).is_ok(),
        })
    }

    pub fn insert(&mut self, key: &K, id: u64) -> ActorResult<()> {
        let mut members = self.outer.get(key)?.cloned().unwrap_or(Members {
            inline: vec![],
            tree: None,
        });
        match &members.tree {
            Some(root) => {
                let mut tree = self.tree(root)?;
                tree.set(&id, true)?;
                members.tree = Some(tree.flush()?);
            }
            None => {
                if let Err(at) = members.inline.binary_search(&id) {
                    members.inline.insert(at, id);
                }
                if members.inline.len() > INLINE_SET_LIMIT {
                    let mut tree = Map::empty(self.store.clone(), self.name);
                    for id in std::mem::take(&mut members.inline) {
                        tree.set(&id, true)?;
                    }
                    members.tree = Some(tree.flush()?);
                }
            }
        }
        self.outer.set(key, members)?;
        Ok(())
    }

    /// Removes `id`; a key left empty is removed too.
    pub fn remove(&mut self, key: &K, id: u64) -> ActorResult<()> {
        self.remove_all(key, &[id])
    }

    /// Removes every id of `ids` from `key`'s set in one pass: the set is written once, not
    /// once per id; a key left empty is removed too.
    pub fn remove_all(&mut self, key: &K, ids: &[u64]) -> ActorResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let Some(mut members) = self.outer.get(key)?.cloned() else {
            return Ok(());
        };
        let empty = match &members.tree {
            Some(root) => {
                let mut tree = self.tree(root)?;
                for id in ids {
                    tree.delete(id)?;
                }
                let empty = tree.page(None, 1)?.entries.is_empty();
                members.tree = Some(tree.flush()?);
                empty
            }
            None => {
                members.inline.retain(|id| !ids.contains(id));
                members.inline.is_empty()
            }
        };
        if empty {
            self.outer.delete(key)?;
        } else {
            self.outer.set(key, members)?;
        }
        Ok(())
    }

    /// Up to `limit` ids of `key`, resuming at `cursor` (which must be one of them).
    pub fn page(&self, key: &K, cursor: Option<u64>, limit: usize) -> ActorResult<Page<u64, bool>> {
        let not_member = |c: u64| ActorError::illegal_argument(format!("cursor {c} is not in {}", self.name));
        match self.outer.get(key)? {
            None => match cursor {
                Some(c) => Err(not_member(c)),
                None => Ok(Page {
                    entries: vec![],
                    next: None,
                }),
            },
            Some(Members { tree: Some(root), .. }) => {
                let ids = self.tree(root)?;
                if let Some(c) = cursor {
                    if !ids.contains(&c)? {
                        return Err(not_member(c));
                    }
                }
                ids.page(cursor.as_ref(), limit)
            }
            Some(Members { inline, .. }) => {
                let from = match cursor {
                    Some(c) => inline.binary_search(&c).map_err(|_| not_member(c))?,
                    None => 0,
                };
                let rest = &inline[from..];
                let taken = rest.len().min(limit);
                Ok(Page {
                    entries: rest[..taken].iter().map(|id| (*id, true)).collect(),
                    next: rest.get(taken).copied(),
                })
            }
        }
    }

    pub fn flush(&mut self) -> ActorResult<Cid> {
        self.outer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;

    /// Every id of `key`, walked in pages of `limit`, sorted.
    fn every_id(index: &SetIndex<&MemoryBlockstore, u64>, key: &u64, limit: usize) -> Vec<u64> {
        let (mut ids, mut cursor) = (Vec::new(), None);
        loop {
            let page = index.page(key, cursor, limit).unwrap();
            ids.extend(page.entries.iter().map(|(id, _)| *id));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        ids.sort_unstable();
        ids
    }

    #[test]
    fn varint_keys_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u64::MAX / 3, u64::MAX] {
            assert_eq!(u64::from_key_bytes(&v.to_key_bytes()).unwrap(), v);
        }
        assert_eq!(300u64.to_key_bytes(), vec![0xac, 0x02]);
        assert_eq!(u64::MAX.to_key_bytes(), [[0xff; 9].as_slice(), &[0x01]].concat());
        assert!(u64::from_key_bytes(&[0x80]).is_err());
        assert!(u64::from_key_bytes(&[0x01, 0x02]).is_err());
        assert!(u64::from_key_bytes(&[]).is_err());
        // One byte more than a u64 needs.
        assert!(u64::from_key_bytes(&[0xff; 11]).is_err());
        assert_eq!(
            split_varint(&[0xac, 0x02, 7, 0x01]).unwrap(),
            (300, [7, 1].as_slice())
        );
        assert!(split_varint(&[0x80]).is_err());
    }

    #[test]
    fn map_set_get_delete_and_persist() {
        let store = MemoryBlockstore::new();
        let mut m: Map<_, u64, String> = Map::empty(&store, "names");
        assert!(m.set_if_absent(&7, "seven".into()).unwrap());
        assert!(!m.set_if_absent(&7, "again".into()).unwrap());
        assert_eq!(m.set(&8, "eight".into()).unwrap(), None);
        let root = m.flush().unwrap();
        let mut m: Map<_, u64, String> = Map::load(&store, &root, "names").unwrap();
        assert_eq!(m.get(&7).unwrap().map(String::as_str), Some("seven"));
        assert_eq!(m.delete(&7).unwrap().as_deref(), Some("seven"));
        assert!(!m.contains(&7).unwrap());
        assert!(m.contains(&8).unwrap());
    }

    #[test]
    fn set_index_inserts_lists_and_removes() {
        let store = MemoryBlockstore::new();
        let root = Map::<_, u64, Members>::empty_root(&store, "index").unwrap();
        let mut index: SetIndex<_, u64> = SetIndex::load(&store, &root, "index").unwrap();
        for id in 0..10 {
            index.insert(&(id % 2), id).unwrap();
        }
        assert!(index.contains(&0, 4).unwrap() && !index.contains(&1, 4).unwrap());
        let root = index.flush().unwrap();
        let mut index: SetIndex<_, u64> = SetIndex::load(&store, &root, "index").unwrap();
        let odd = every_id(&index, &1, 2);
        assert_eq!(odd, vec![1, 3, 5, 7, 9]);
        index.remove(&1, 1).unwrap();
        index.remove_all(&1, &[3, 5, 7, 9]).unwrap();
        assert!(index.page(&1, None, 10).unwrap().entries.is_empty());
        assert!(
            index.page(&1, Some(3), 10).is_err(),
            "a cursor that is not a member is refused"
        );
        assert_eq!(index.page(&0, None, 10).unwrap().entries.len(), 5);
    }

    #[test]
    fn a_set_moves_from_inline_to_its_own_map_and_keeps_every_id() {
        let store = MemoryBlockstore::new();
        let root = Map::<_, u64, Members>::empty_root(&store, "index").unwrap();
        let mut index: SetIndex<_, u64> = SetIndex::load(&store, &root, "index").unwrap();
        let n = INLINE_SET_LIMIT as u64 + 3;
        for id in (0..n).rev() {
            index.insert(&7, id).unwrap();
            let members = index.outer.get(&7).unwrap().unwrap().clone();
            let inline = (n - id) as usize <= INLINE_SET_LIMIT;
            assert_eq!(members.tree.is_none(), inline, "after inserting {id}");
        }
        index.insert(&7, 3).unwrap();
        let seen = every_id(&index, &7, 4);
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        index.remove_all(&7, &(0..n).collect::<Vec<_>>()).unwrap();
        assert!(
            index.outer.get(&7).unwrap().is_none(),
            "an emptied key is removed"
        );
    }

    #[test]
    fn an_inline_set_pages_in_id_order_from_a_member_cursor() {
        let store = MemoryBlockstore::new();
        let root = Map::<_, u64, Members>::empty_root(&store, "index").unwrap();
        let mut index: SetIndex<_, u64> = SetIndex::load(&store, &root, "index").unwrap();
        for id in [9, 2, 5] {
            index.insert(&1, id).unwrap();
        }
        index.insert(&1, 5).unwrap();
        let page = index.page(&1, None, 2).unwrap();
        assert_eq!((page.entries, page.next), (vec![(2, true), (5, true)], Some(9)));
        assert_eq!(index.page(&1, Some(9), 2).unwrap().entries, vec![(9, true)]);
        assert!(index.page(&1, Some(4), 2).is_err());
        assert!(index.contains(&1, 5).unwrap() && !index.contains(&1, 4).unwrap());
    }

    #[test]
    fn pages_cover_every_entry_once() {
        let store = MemoryBlockstore::new();
        let mut m: Map<_, u64, u64> = Map::empty(&store, "numbers");
        for i in 0..100u64 {
            m.set(&i, i * 2).unwrap();
        }
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = m.page(cursor.as_ref(), 7).unwrap();
            assert!(page.entries.len() <= 7);
            seen.extend(page.entries.iter().map(|(k, v)| {
                assert_eq!(*v, k * 2);
                *k
            }));
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
