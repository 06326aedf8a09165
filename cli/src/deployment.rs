//! Where the suite is deployed on a chain: the deployment file (`suite.json`) that
//! `suite deploy` writes and every other command reads, and that `suite node` answers for its
//! own devnet (`Devnet.Deployment`).
//!
//! ```json
//! { "network": "suite-devnet",
//!   "admin": "t0101",
//!   "actors": { "provider-reputation": { "address": "t01002", "id": 1002, "code_cid": "bafk…" },
//!               "collateral-escrow":   { … },
//!               "bounty-market":       { … } } }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm_shared::ActorID;
use serde::{Deserialize, Serialize};

/// The three actors' names, in deployment order (each needs the ones before it).
pub const ACTOR_NAMES: [&str; 3] = ["provider-reputation", "collateral-escrow", "bounty-market"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployedActor {
    /// The ID address with the network's prefix (`t01002`).
    pub address: String,
    pub id: ActorID,
    pub code_cid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// `StateNetworkName` of the chain it is on.
    pub network: String,
    /// The registry's admin (adds and removes reporters).
    pub admin: String,
    /// By name: `provider-reputation`, `collateral-escrow`, `bounty-market`.
    pub actors: BTreeMap<String, DeployedActor>,
}

/// The suite's three actor IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteIds {
    pub reputation: ActorID,
    pub escrow: ActorID,
    pub market: ActorID,
}

impl Deployment {
    pub fn new(network: &str, admin: ActorID, actors: [(ActorID, Cid); 3]) -> Self {
        let actors = ACTOR_NAMES
            .iter()
            .zip(actors)
            .map(|(name, (id, code))| {
                (
                    name.to_string(),
                    DeployedActor {
                        address: format!("t0{id}"),
                        id,
                        code_cid: code.to_string(),
                    },
                )
            })
            .collect();
        Self {
            network: network.to_string(),
            admin: format!("t0{admin}"),
            actors,
        }
    }

    pub fn actor(&self, name: &str) -> Result<&DeployedActor> {
        self.actors
            .get(name)
            .ok_or_else(|| anyhow!("the deployment names no {name}: redeploy (`suite deploy`)"))
    }

    pub fn ids(&self) -> Result<SuiteIds> {
        Ok(SuiteIds {
            reputation: self.actor("provider-reputation")?.id,
            escrow: self.actor("collateral-escrow")?.id,
            market: self.actor("bounty-market")?.id,
        })
    }

    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the deployment file {}", path.display()))?;
        let d: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a suite deployment file", path.display()))?;
        for name in ACTOR_NAMES {
            d.actor(name)?;
        }
        Ok(d)
    }

    /// Writes the file, refusing to replace one (a deployment's addresses are its users' only
    /// way to find it).
    pub fn write_new(&self, path: &Path) -> Result<()> {
        if path.exists() {
            bail!(
                "{} already exists: move it away or pass another --deployment",
                path.display()
            );
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }
}
