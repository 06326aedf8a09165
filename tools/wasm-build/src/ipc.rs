//! The suite's actors as an IPC "custom actors bundle": the CAR that Fendermint (the node of
//! consensus-shipyard/ipc subnets) loads at genesis, next to the builtin-actors bundle.
//!
//! The format is the one builtin-actors' bundler writes and Fendermint's genesis reads
//! (`docs/ipc.md` has the sources):
//!
//! - a CARv1 with exactly one root;
//! - the root block: the DAG-CBOR tuple `[version, data]` with `version` 1 ([`ManifestEnvelope`]);
//! - the `data` block: the DAG-CBOR list `[[name, code CID], ...]`;
//! - one IPLD raw block per code CID (blake2b-256, as the FVM computes code CIDs).
//!
//! Blocks are written in that order: envelope, data, then the modules in manifest order.
//! Fendermint refuses a bundle without its own required actors (`chainmetadata` and `eam` at the
//! versions read), so [`bundle_car`] can take Fendermint's bundle as a base and add the suite
//! to it.

use std::collections::BTreeMap;
use std::fs;

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm_ipld_car::{Block, CarHeader, CarReader, CarWriter};
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::DAG_CBOR;
use multihash_codetable::{Code, MultihashDigest};

use crate::{code_cid, BuiltActor, IPLD_RAW};

/// The file name Fendermint's build and docker image give the bundle.
pub const BUNDLE_FILE: &str = "custom_actors_bundle.car";

/// The only manifest version Fendermint's custom-actor loader accepts.
pub const MANIFEST_VERSION: u32 = 1;

/// The suite's product actors, in deployment order. Their manifest names are the package names.
/// The devnet's stand-ins are never in the bundle: on a subnet the real builtins answer.
pub const SUITE_ACTORS: &[&str] = &["provider-reputation", "collateral-escrow", "bounty-market"];

/// The root block: which manifest version, and the CID of the `[[name, code CID], ...]` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ManifestEnvelope {
    pub version: u32,
    pub data: Cid,
}

/// A custom actors bundle, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The CAR's single root: the CID of the [`ManifestEnvelope`] block.
    pub root: Cid,
    pub version: u32,
    /// The CID of the manifest data block.
    pub data: Cid,
    /// `(name, code CID)` in manifest order.
    pub entries: Vec<(String, Cid)>,
    /// The module of every entry, by code CID.
    pub code: BTreeMap<Cid, Vec<u8>>,
    /// How many blocks the CAR holds in all (envelope, data and code, if nothing else).
    pub block_count: usize,
}

impl Bundle {
    pub fn code_by_name(&self, name: &str) -> Option<Cid> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, c)| *c)
    }
}

/// Builds the bundle: the entries of `base` (a Fendermint custom actors bundle, read with
/// [`read_bundle`]) if given, then [`SUITE_ACTORS`] taken from `actors`.
pub fn bundle_car(actors: &[BuiltActor], base: Option<&Bundle>) -> Result<Vec<u8>> {
    let mut entries: Vec<(String, Cid)> = Vec::new();
    let mut modules: Vec<Block> = Vec::new();
    if let Some(base) = base {
        for (name, cid) in &base.entries {
            let data = base
                .code
                .get(cid)
                .ok_or_else(|| anyhow!("base bundle: no block for {name} ({cid})"))?;
            entries.push((name.clone(), *cid));
            modules.push(Block {
                cid: *cid,
                data: data.clone(),
            });
        }
    }
    for &package in SUITE_ACTORS {
        let actor = actors.iter().find(|a| a.package == package).ok_or_else(|| {
            let built: Vec<&str> = actors.iter().map(|a| a.package.as_str()).collect();
            anyhow!(
                "{package} was not built (built: {}): build the product group",
                built.join(", ")
            )
        })?;
        if entries.iter().any(|(name, _)| name == package) {
            bail!("the base bundle already has an actor named {package}");
        }
        let data = fs::read(&actor.wasm).with_context(|| format!("reading {}", actor.wasm.display()))?;
        let cid = code_cid(&data);
        if cid != actor.cid()? {
            bail!(
                "{} changed since it was built ({} now, {} then)",
                actor.wasm.display(),
                cid,
                actor.code_cid
            );
        }
        entries.push((package.to_string(), cid));
        modules.push(Block { cid, data });
    }

    let data = fvm_ipld_encoding::to_vec(&entries)?;
    let data_cid = dag_cbor_cid(&data);
    let envelope = fvm_ipld_encoding::to_vec(&ManifestEnvelope {
        version: MANIFEST_VERSION,
        data: data_cid,
    })?;
    let root = dag_cbor_cid(&envelope);

    let mut car = Vec::new();
    let mut writer = CarWriter::new(CarHeader::from(vec![root]), &mut car)?;
    writer.write(Block {
        cid: root,
        data: envelope,
    })?;
    writer.write(Block { cid: data_cid, data })?;
    for module in modules {
        writer.write(module)?;
    }
    drop(writer);
    Ok(car)
}

/// Reads a custom actors bundle the way Fendermint does (one root, a version-1 envelope, a
/// `[[name, code CID], ...]` list), and more strictly: every block must hash to its CID, every
/// code CID must be a raw block present in the CAR, and names must be unique.
pub fn read_bundle(car: &[u8]) -> Result<Bundle> {
    // `CarReader::new` checks each block against its CID as it is read.
    let reader = CarReader::new(car).context("not a CARv1")?;
    let root = match reader.header.roots.as_slice() {
        [root] => *root,
        roots => bail!(
            "a custom actors bundle has one root; this CAR has {}",
            roots.len()
        ),
    };
    let mut blocks: BTreeMap<Cid, Vec<u8>> = BTreeMap::new();
    let mut block_count = 0;
    for block in reader {
        let block = block.context("reading a CAR block")?;
        block_count += 1;
        blocks.insert(block.cid, block.data);
    }
    let envelope: ManifestEnvelope = decode(&blocks, &root, "the root (manifest envelope)")?;
    if envelope.version != MANIFEST_VERSION {
        bail!(
            "manifest version {} (Fendermint loads version {MANIFEST_VERSION} only)",
            envelope.version
        );
    }
    let entries: Vec<(String, Cid)> = decode(&blocks, &envelope.data, "the manifest data")?;
    let mut code = BTreeMap::new();
    for (i, (name, cid)) in entries.iter().enumerate() {
        if entries[..i].iter().any(|(n, _)| n == name) {
            bail!("the manifest names {name} twice");
        }
        if cid.codec() != IPLD_RAW {
            bail!(
                "{name}: code CID {cid} is not IPLD raw (codec {:#x})",
                cid.codec()
            );
        }
        let data = blocks
            .get(cid)
            .ok_or_else(|| anyhow!("{name}: no block for its code CID {cid}"))?;
        code.insert(*cid, data.clone());
    }
    Ok(Bundle {
        root,
        version: envelope.version,
        data: envelope.data,
        entries,
        code,
        block_count,
    })
}

/// Reads the file at `path` with [`read_bundle`].
pub fn read_bundle_file(path: &std::path::Path) -> Result<Bundle> {
    let car = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    read_bundle(&car).with_context(|| format!("{} is not a custom actors bundle", path.display()))
}

fn dag_cbor_cid(data: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(data))
}

fn decode<T: serde::de::DeserializeOwned>(
    blocks: &BTreeMap<Cid, Vec<u8>>,
    cid: &Cid,
    what: &str,
) -> Result<T> {
    if cid.codec() != DAG_CBOR {
        bail!("{what} ({cid}) is not DAG-CBOR (codec {:#x})", cid.codec());
    }
    let data = blocks
        .get(cid)
        .ok_or_else(|| anyhow!("{what}: no block {cid} in the CAR"))?;
    fvm_ipld_encoding::from_slice(data).with_context(|| format!("decoding {what} ({cid})"))
}
