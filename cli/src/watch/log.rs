//! What a watcher keeps between runs: where its pass over the locks is, which locks it tracks,
//! how far it read the escrow's events, and its own report log. One small JSON file under the
//! CLI home, replaced atomically (written aside, then renamed), so a watcher killed at any
//! point restarts from its last saved round and never loses a report it submitted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::ActorID;
use serde::{Deserialize, Serialize};
use suite_interfaces::escrow::SectorLocation;

/// The state file's format version.
const VERSION: u32 = 1;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatus {
    /// Pushed; its inclusion not yet seen (a watcher stopped here finds it on restart).
    Pending,
    /// Included and accepted: the reward was paid.
    Reported,
    /// Included and refused on chain (another watcher was first): only gas was paid.
    Failed,
    /// Pushed but never included (the node forgot it): the fault may be reported again.
    Lost,
}

/// One submitted report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportEntry {
    pub lock: u64,
    pub provider: ActorID,
    /// `deal-terminated`, `sector-faulty` or `sector-dead`.
    pub proof: String,
    /// The lock's `faults_charged` when the fault was seen: a fault fee is reported once per
    /// charge (the escrow's cooldown spaces them), a slash once.
    pub generation: u64,
    /// The sector's location the proof named, `[deadline, partition]`.
    #[serde(default)]
    pub location: Option<SectorLocation>,
    pub cid: String,
    /// The message's nonce: once the sender's nonce passed it without the message, it is lost.
    pub nonce: u64,
    pub status: ReportStatus,
    /// The epoch the report was pushed at.
    pub epoch: ChainEpoch,
    /// attoFIL, as decimal strings (once included).
    #[serde(default)]
    pub reward: Option<String>,
    #[serde(default)]
    pub compensation: Option<String>,
    #[serde(default)]
    pub slashed: Option<String>,
    #[serde(default)]
    pub exit_code: Option<u32>,
    #[serde(default)]
    pub gas_used: Option<u64>,
    #[serde(default)]
    pub gas_paid: Option<String>,
    /// The message as pushed: gas limit, fee cap, premium (to price it once included).
    pub gas_limit: u64,
    pub gas_fee_cap: String,
    pub gas_premium: String,
}

impl ReportEntry {
    /// The fault this entry reports: (lock, proof, generation).
    pub fn key(&self) -> (u64, &str, u64) {
        (self.lock, self.proof.as_str(), self.generation)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    pub version: u32,
    /// The chain (its genesis CID) and the escrow this state is of.
    pub genesis: String,
    pub escrow: ActorID,
    /// The escrow's `collateral-locked` events are read up to this height.
    #[serde(default)]
    pub events_height: Option<ChainEpoch>,
    /// Open locks by provider, as last seen.
    #[serde(default)]
    pub tracked: BTreeMap<ActorID, BTreeSet<u64>>,
    /// The next lock to check: (provider, lock id); none at the start of a pass.
    #[serde(default)]
    pub cursor: Option<(ActorID, u64)>,
    #[serde(default)]
    pub rounds: u64,
    #[serde(default)]
    pub reports: Vec<ReportEntry>,
}

impl WatchState {
    /// The state at `path`, or a fresh one; a state of another chain or escrow is refused
    /// (its report log would not describe this chain).
    pub fn load(path: &Path, genesis: &str, escrow: ActorID) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    version: VERSION,
                    genesis: genesis.to_string(),
                    escrow,
                    ..Self::default()
                })
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let state: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a watcher's state file", path.display()))?;
        if state.version != VERSION {
            bail!(
                "{} has format version {}, this watcher reads {VERSION}: move it away to start afresh",
                path.display(),
                state.version
            );
        }
        if state.genesis != genesis || state.escrow != escrow {
            bail!(
                "{} is of another chain or escrow (genesis {}, escrow f0{}; the node has {genesis}, f0{escrow}): pass another --state FILE",
                path.display(),
                state.genesis,
                state.escrow
            );
        }
        Ok(state)
    }

    /// Writes the state beside `path` and renames it over: a reader sees the old or the new
    /// file, never half of one.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = tmp_path(path);
        let text = serde_json::to_string_pretty(self)? + "\n";
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// Whether this fault was reported already (or its report is on its way).
    pub fn already_reported(&self, lock: u64, proof: &str, generation: u64) -> bool {
        self.reports.iter().any(|r| {
            r.key() == (lock, proof, generation)
                && matches!(r.status, ReportStatus::Pending | ReportStatus::Reported)
        })
    }

    /// Every open lock tracked.
    pub fn tracked_count(&self) -> usize {
        self.tracked.values().map(BTreeSet::len).sum()
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(lock: u64, generation: u64, status: ReportStatus) -> ReportEntry {
        ReportEntry {
            lock,
            provider: 1000,
            proof: "sector-faulty".into(),
            generation,
            location: None,
            cid: "bafy".into(),
            nonce: 0,
            status,
            epoch: 10,
            reward: None,
            compensation: None,
            slashed: None,
            exit_code: None,
            gas_used: None,
            gas_paid: None,
            gas_limit: 1,
            gas_fee_cap: "1".into(),
            gas_premium: "1".into(),
        }
    }

    #[test]
    fn a_saved_state_loads_back_and_refuses_another_chain() {
        let dir = std::env::temp_dir().join(format!("suite-watch-log-{}", std::process::id()));
        let path = dir.join("watch.json");
        let mut s = WatchState::load(&path, "bafygenesis", 1001).unwrap();
        s.tracked.entry(1000).or_default().insert(3);
        s.cursor = Some((1000, 4));
        s.reports.push(entry(3, 0, ReportStatus::Pending));
        s.save(&path).unwrap();
        assert!(!tmp_path(&path).exists(), "the temporary file is renamed over");
        let back = WatchState::load(&path, "bafygenesis", 1001).unwrap();
        assert_eq!(back, s);
        let err = WatchState::load(&path, "bafyother", 1001)
            .unwrap_err()
            .to_string();
        assert!(err.contains("another chain"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_fault_counts_as_reported_only_while_pending_or_accepted() {
        let mut s = WatchState::default();
        s.reports.push(entry(3, 0, ReportStatus::Failed));
        s.reports.push(entry(4, 1, ReportStatus::Lost));
        assert!(!s.already_reported(3, "sector-faulty", 0));
        assert!(!s.already_reported(4, "sector-faulty", 1));
        s.reports.push(entry(3, 0, ReportStatus::Reported));
        s.reports.push(entry(5, 2, ReportStatus::Pending));
        assert!(s.already_reported(3, "sector-faulty", 0));
        assert!(s.already_reported(5, "sector-faulty", 2));
        assert!(
            !s.already_reported(3, "sector-faulty", 1),
            "the next fee is another fault"
        );
        assert!(!s.already_reported(3, "sector-dead", 0));
    }
}
