//! The devnet on disk: one redb database holding the FVM's blocks and the devnet's metadata.
//!
//! A command reads through to the database and buffers every block it writes; `commit` writes
//! the buffer and the new metadata in one redb transaction, so a command either lands whole or
//! not at all (a failed or interrupted command leaves the devnet as it was). redb holds an
//! exclusive lock on the file while it is open, so two commands never share a devnet.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use redb::{Database, DatabaseError, TableDefinition};

/// CID bytes → block bytes.
const BLOCKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("blocks");
/// Metadata name → CBOR.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// The one metadata entry: the devnet record.
const DEVNET_KEY: &str = "devnet";

/// The database file inside a data dir.
pub const DB_FILE: &str = "devnet.redb";

/// What a commit wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommitStats {
    pub blocks: usize,
    pub bytes: usize,
}

pub struct DbStore {
    db: Database,
    pending: RefCell<HashMap<Cid, Vec<u8>>>,
}

impl DbStore {
    /// Opens (creating if needed) the database in `dir`, taking its lock. While another command
    /// holds it, waits up to `wait` (saying so once), then gives up with a clear error.
    pub fn open(dir: &Path, wait: Duration) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating data dir {}", dir.display()))?;
        let path = dir.join(DB_FILE);
        let deadline = Instant::now() + wait;
        let mut said = false;
        let db = loop {
            match Database::create(&path) {
                Ok(db) => break db,
                Err(DatabaseError::DatabaseAlreadyOpen) if Instant::now() < deadline => {
                    if !said {
                        eprintln!("waiting for another command to finish with the devnet in {}…", dir.display());
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(DatabaseError::DatabaseAlreadyOpen) => bail!(
                    "the devnet in {} is in use by another command (its database is locked); retry when it finishes, or raise --lock-wait",
                    dir.display()
                ),
                Err(other) => bail!("opening {}: {other}", path.display()),
            }
        };
        Ok(Self {
            db,
            pending: RefCell::new(HashMap::new()),
        })
    }

    /// The devnet record, if the devnet was initialised.
    pub fn devnet_record(&self) -> Result<Option<Vec<u8>>> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table.get(DEVNET_KEY)?.map(|v| v.value().to_vec()))
    }

    /// Writes the buffered blocks and the devnet record atomically, with `extra` writes in the
    /// same transaction (`suite node` adds its tipsets, receipts and events, so that a tipset
    /// lands whole with its state or not at all).
    pub fn commit_with(
        &self,
        record: &[u8],
        extra: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
    ) -> Result<CommitStats> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        let mut stats = CommitStats::default();
        let txn = self.db.begin_write()?;
        {
            let mut blocks = txn.open_table(BLOCKS)?;
            for (cid, data) in &pending {
                blocks.insert(cid.to_bytes().as_slice(), data.as_slice())?;
                stats.blocks += 1;
                stats.bytes += data.len();
            }
            let mut meta = txn.open_table(META)?;
            meta.insert(DEVNET_KEY, record)?;
        }
        extra(&txn)?;
        txn.commit().context("committing to the devnet database")?;
        Ok(stats)
    }

    /// A read transaction on the database (what `suite node` reloads its chain index with).
    pub fn begin_read(&self) -> Result<redb::ReadTransaction> {
        Ok(self.db.begin_read()?)
    }
}

impl Blockstore for DbStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        if let Some(block) = self.pending.borrow().get(k) {
            return Ok(Some(block.clone()));
        }
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(BLOCKS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table.get(k.to_bytes().as_slice())?.map(|v| v.value().to_vec()))
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.pending.borrow_mut().insert(*k, block.to_vec());
        Ok(())
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        Ok(self.get(k)?.is_some())
    }
}
