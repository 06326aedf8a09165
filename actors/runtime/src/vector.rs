//! A typed AMT for records keyed by sequential ids (bounties, claims, locks): appending the
//! next id touches one short path of small nodes, and listing walks ids in order.

use std::marker::PhantomData;

use cid::Cid;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::map::Page;
use crate::{ActorError, ActorResult};

/// Bit width of every AMT in the suite: 8 entries a node. Chosen by the bench (ClaimBounty,
/// Withdraw and ReportFault at N = 10 and 10,000): wider nodes rewrite more bytes per change.
pub const AMT_BIT_WIDTH: u32 = 3;

/// An AMT of `u64 -> V` that names itself in every error.
pub struct Vector<BS: Blockstore, V> {
    name: &'static str,
    amt: Amt<V, BS>,
    value: PhantomData<V>,
}

impl<BS, V> Vector<BS, V>
where
    BS: Blockstore,
    V: Serialize + DeserializeOwned,
{
    pub fn empty(store: BS, name: &'static str) -> Self {
        Self {
            name,
            amt: Amt::new_with_bit_width(store, AMT_BIT_WIDTH),
            value: PhantomData,
        }
    }

    pub fn load(store: BS, root: &Cid, name: &'static str) -> ActorResult<Self> {
        let amt = Amt::load(root, store)
            .map_err(|e| ActorError::illegal_state(format!("failed to load {name}: {e}")))?;
        Ok(Self {
            name,
            amt,
            value: PhantomData,
        })
    }

    /// The root CID of an empty vector, for constructors.
    pub fn empty_root(store: BS, name: &'static str) -> ActorResult<Cid> {
        Self::empty(store, name).flush()
    }

    pub fn flush(&mut self) -> ActorResult<Cid> {
        self.amt.flush().map_err(|e| self.err("flush", e))
    }

    pub fn get(&self, id: u64) -> ActorResult<Option<&V>> {
        self.amt.get(id).map_err(|e| self.err("get", e))
    }

    pub fn contains(&self, id: u64) -> ActorResult<bool> {
        Ok(self.get(id)?.is_some())
    }

    pub fn set(&mut self, id: u64, value: V) -> ActorResult<()> {
        self.amt.set(id, value).map_err(|e| self.err("set", e))
    }

    /// At most `limit` entries in id order from the first id ≥ `start`, and the id to resume at.
    pub fn page(&self, start: Option<u64>, limit: usize) -> ActorResult<Page<u64, V>>
    where
        V: Clone,
    {
        let mut entries = Vec::with_capacity(limit.min(64));
        let (_, next) = self
            .amt
            .for_each_ranged(start, Some(limit as u64), |id, v: &V| {
                entries.push((id, v.clone()));
                Ok(())
            })
            .map_err(|e| self.err("walk", e))?;
        Ok(Page { entries, next })
    }

    fn err(&self, op: &str, e: fvm_ipld_amt::Error) -> ActorError {
        ActorError::illegal_state(format!("{} {op}: {e}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;

    #[test]
    fn vector_sets_gets_persists_and_pages_in_id_order() {
        let store = MemoryBlockstore::new();
        let mut v: Vector<_, String> = Vector::empty(&store, "names");
        for id in [0u64, 1, 2, 9, 70] {
            v.set(id, format!("n{id}")).unwrap();
        }
        let root = v.flush().unwrap();
        let v: Vector<_, String> = Vector::load(&store, &root, "names").unwrap();
        assert_eq!(v.get(9).unwrap().map(String::as_str), Some("n9"));
        assert!(!v.contains(3).unwrap());
        let first = v.page(None, 3).unwrap();
        assert_eq!(
            first.entries.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(first.next, Some(9));
        let rest = v.page(first.next, 10).unwrap();
        assert_eq!(
            rest.entries.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            vec![9, 70]
        );
        assert_eq!(rest.next, None);
    }
}
