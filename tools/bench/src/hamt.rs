//! HAMT and AMT inspection: the nodes a walk or a lookup reads, as an actor would load them.

use std::cell::Cell;

use actor_runtime::{Map, Vector};
use anyhow::Result;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

/// A blockstore that counts the blocks read through it.
pub struct Counting<'a, B> {
    inner: &'a B,
    reads: Cell<u64>,
    bytes: Cell<u64>,
}

impl<'a, B: Blockstore> Counting<'a, B> {
    pub fn new(inner: &'a B) -> Self {
        Self {
            inner,
            reads: Cell::new(0),
            bytes: Cell::new(0),
        }
    }

    /// Blocks and bytes read through it so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.reads.get(), self.bytes.get())
    }
}

impl<B: Blockstore> Blockstore for Counting<'_, B> {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        let block = self.inner.get(k)?;
        if let Some(b) = &block {
            self.reads.set(self.reads.get() + 1);
            self.bytes.set(self.bytes.get() + b.len() as u64);
        }
        Ok(block)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.inner.put_keyed(k, block)
    }
}

/// The shape of one HAMT.
#[derive(Debug, Default, Clone, Copy)]
pub struct MapShape {
    pub entries: u64,
    pub nodes: u64,
    pub bytes: u64,
}

/// Every node of a HAMT, read once (a full walk loads each node once).
pub fn shape<B, K, V>(store: &B, root: &Cid) -> Result<MapShape>
where
    B: Blockstore,
    K: actor_runtime::map::MapKey,
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let counting = Counting::new(store);
    let map: Map<_, K, V> = Map::load(&counting, root, "walked")?;
    let page = map.page(None, usize::MAX)?;
    Ok(MapShape {
        entries: page.entries.len() as u64,
        nodes: counting.reads.get(),
        bytes: counting.bytes.get(),
    })
}

/// What `f` answers, and the blocks and bytes it reads from the HAMT at `root`, the root
/// included (each node once: the map keeps what it loaded, as the actor's does within one
/// message).
pub fn read<B, K, V, T>(
    store: &B,
    root: &Cid,
    f: impl FnOnce(&Map<&Counting<'_, B>, K, V>) -> Result<T>,
) -> Result<(T, u64, u64)>
where
    B: Blockstore,
    K: actor_runtime::map::MapKey,
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let counting = Counting::new(store);
    let map = Map::load(&counting, root, "read")?;
    let answer = f(&map)?;
    Ok((answer, counting.reads.get(), counting.bytes.get()))
}

/// The HAMTs' shapes at each N, one row per (N, map): what every section's shape table shows.
pub fn shape_table<'a>(
    caption: String,
    points: impl IntoIterator<Item = (usize, Vec<(&'a str, MapShape)>)>,
    notes: Vec<String>,
) -> crate::report::Table {
    let mut rows = Vec::new();
    for (n, maps) in points {
        for (name, m) in maps {
            rows.push(vec![
                crate::thousands(n as u64),
                name.to_string(),
                crate::thousands(m.entries),
                crate::thousands(m.nodes),
                crate::kib(m.bytes as f64),
                format!("{:.0}", m.bytes as f64 / m.entries.max(1) as f64),
            ]);
        }
    }
    crate::report::Table {
        caption,
        header: ["N", "HAMT", "entries", "nodes", "KiB", "bytes / entry"]
            .map(String::from)
            .to_vec(),
        rows,
        notes,
    }
}

/// Every node of an AMT (`actor_runtime::Vector`), read once.
pub fn vector_shape<B, V>(store: &B, root: &Cid) -> Result<MapShape>
where
    B: Blockstore,
    V: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let counting = Counting::new(store);
    let vector: Vector<_, V> = Vector::load(&counting, root, "walked")?;
    let page = vector.page(None, usize::MAX)?;
    Ok(MapShape {
        entries: page.entries.len() as u64,
        nodes: counting.reads.get(),
        bytes: counting.bytes.get(),
    })
}

/// [`read`] for an AMT: what `f` answers and the blocks and bytes it reads, the root included.
pub fn vector_read<B, V, T>(
    store: &B,
    root: &Cid,
    f: impl FnOnce(&Vector<&Counting<'_, B>, V>) -> Result<T>,
) -> Result<(T, u64, u64)>
where
    B: Blockstore,
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    let counting = Counting::new(store);
    let vector = Vector::load(&counting, root, "read")?;
    let answer = f(&vector)?;
    Ok((answer, counting.reads.get(), counting.bytes.get()))
}
