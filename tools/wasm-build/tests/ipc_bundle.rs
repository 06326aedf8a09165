//! The IPC custom actors bundle, read back byte by byte the way Fendermint's genesis reads it:
//! one CAR root, a `(version, data CID)` envelope with version 1, a `[(name, code CID)]` list,
//! and an IPLD raw blake2b-256 block for every code CID. Small stand-in modules take the place
//! of the product's wasm (the format never looks inside a module).

use std::fs;
use std::path::PathBuf;

use cid::Cid;
use fvm_ipld_car::{Block, CarHeader, CarReader, CarWriter};
use fvm_ipld_encoding::DAG_CBOR;
use multihash_codetable::{Code, MultihashDigest};
use wasm_build::ipc::{self, SUITE_ACTORS};
use wasm_build::{code_cid, push_varint, BuiltActor, IPLD_RAW};

const BLAKE2B_256: u64 = 0xb220;

/// Every product package, as `build` reports them: the suite's three and the devnet stand-ins.
const PRODUCT: &[&str] = &[
    "bounty-market",
    "collateral-escrow",
    "provider-reputation",
    "stand-in-account",
    "stand-in-init",
    "stand-in-market",
    "stand-in-miner",
    "stand-in-noop",
];

/// A wasm module holding only a custom section named after `name`, so each differs.
fn stand_in_module(name: &str) -> Vec<u8> {
    let mut section = Vec::new();
    push_varint(&mut section, name.len() as u64);
    section.extend_from_slice(name.as_bytes());
    let mut module = b"\0asm\x01\0\0\0\0".to_vec();
    push_varint(&mut module, section.len() as u64);
    module.extend_from_slice(&section);
    module
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wasm-build-ipc-{test}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn actors(&self, packages: &[&str]) -> Vec<BuiltActor> {
        packages
            .iter()
            .map(|package| {
                let bytes = stand_in_module(package);
                let wasm = self.0.join(format!("{package}.wasm"));
                fs::write(&wasm, &bytes).unwrap();
                BuiltActor {
                    package: package.to_string(),
                    wasm,
                    code_cid: code_cid(&bytes).to_string(),
                    bytes: bytes.len() as u64,
                }
            })
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        fs::remove_dir_all(&self.0).ok();
    }
}

/// The CAR as written: its roots and its blocks in file order, hashes not yet checked.
fn blocks_of(car: &[u8]) -> (Vec<Cid>, Vec<Block>) {
    let reader = CarReader::new_unchecked(car).unwrap();
    let roots = reader.header.roots.clone();
    let blocks = reader.map(Result::unwrap).collect();
    (roots, blocks)
}

fn blake2b_256(data: &[u8]) -> Vec<u8> {
    Code::Blake2b256.digest(data).digest().to_vec()
}

fn block<'a>(blocks: &'a [Block], cid: &Cid) -> &'a [u8] {
    &blocks
        .iter()
        .find(|b| b.cid == *cid)
        .unwrap_or_else(|| panic!("no block {cid} in the CAR"))
        .data
}

/// Checks the Fendermint shape and returns the manifest entries; every block checked.
fn manifest_of(car: &[u8]) -> (Cid, Vec<(String, Cid)>, Vec<Block>) {
    let (roots, blocks) = blocks_of(car);
    assert_eq!(roots.len(), 1, "Fendermint wants exactly one root");
    let root = roots[0];
    assert_eq!(root.codec(), DAG_CBOR);
    assert_eq!(root.hash().code(), BLAKE2B_256);
    assert_eq!(root.hash().digest(), blake2b_256(block(&blocks, &root)));
    // Fendermint decodes the root as a plain `(u32, Cid)`, then loads version 1 only.
    let (version, data): (u32, Cid) = fvm_ipld_encoding::from_slice(block(&blocks, &root)).unwrap();
    assert_eq!(version, 1);
    assert_eq!(data.codec(), DAG_CBOR);
    assert_eq!(data.hash().digest(), blake2b_256(block(&blocks, &data)));
    let entries: Vec<(String, Cid)> = fvm_ipld_encoding::from_slice(block(&blocks, &data)).unwrap();
    for (name, cid) in &entries {
        assert_eq!(cid.codec(), IPLD_RAW, "{name}");
        assert_eq!(cid.hash().code(), BLAKE2B_256, "{name}");
        assert_eq!(cid.hash().digest(), blake2b_256(block(&blocks, cid)), "{name}");
    }
    // The envelope, the list and the modules, in that order, and nothing else.
    let expected_order: Vec<Cid> = [root, data]
        .into_iter()
        .chain(entries.iter().map(|(_, c)| *c))
        .collect();
    let order: Vec<Cid> = blocks.iter().map(|b| b.cid).collect();
    assert_eq!(order, expected_order);
    (root, entries, blocks)
}

/// A bundle as Fendermint's build writes one, made here by hand from `entries`.
fn fendermint_bundle(version: u32, entries: &[(&str, Vec<u8>)], roots_extra: usize) -> Vec<u8> {
    let list: Vec<(String, Cid)> = entries
        .iter()
        .map(|(n, m)| (n.to_string(), code_cid(m)))
        .collect();
    let data = fvm_ipld_encoding::to_vec(&list).unwrap();
    let data_cid = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&data));
    let envelope = fvm_ipld_encoding::to_vec(&(version, data_cid)).unwrap();
    let root = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&envelope));
    let mut roots = vec![root];
    roots.extend(std::iter::repeat_n(data_cid, roots_extra));
    let mut car = Vec::new();
    let mut w = CarWriter::new(CarHeader::from(roots), &mut car).unwrap();
    w.write(Block {
        cid: root,
        data: envelope,
    })
    .unwrap();
    w.write(Block { cid: data_cid, data }).unwrap();
    for (_, module) in entries {
        w.write(Block {
            cid: code_cid(module),
            data: module.clone(),
        })
        .unwrap();
    }
    drop(w);
    car
}

fn fendermint_actors() -> Vec<(&'static str, Vec<u8>)> {
    ["chainmetadata", "eam", "gas_market", "activity_tracker"]
        .into_iter()
        .map(|n| (n, stand_in_module(n)))
        .collect()
}

#[test]
fn the_bundle_holds_exactly_the_suites_three_actors_in_fendermints_format() {
    let scratch = Scratch::new("suite");
    let actors = scratch.actors(PRODUCT);
    let car = ipc::bundle_car(&actors, None).unwrap();

    let (root, entries, blocks) = manifest_of(&car);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["provider-reputation", "collateral-escrow", "bounty-market"]
    );
    assert_eq!(names, SUITE_ACTORS);
    for (name, cid) in &entries {
        let actor = actors.iter().find(|a| a.package == *name).unwrap();
        assert_eq!(
            *cid,
            actor.cid().unwrap(),
            "{name}: the code CID is the one the build reported"
        );
        assert_eq!(
            block(&blocks, cid),
            stand_in_module(name),
            "{name}: its block is its module"
        );
    }
    assert_eq!(
        blocks.len(),
        2 + 3,
        "no stand-in and no other block in the bundle"
    );

    // The crate's own reader (what `wasm-build` prints and `--ipc-base` uses) agrees.
    let read = ipc::read_bundle(&car).unwrap();
    assert_eq!(read.root, root);
    assert_eq!(read.version, ipc::MANIFEST_VERSION);
    assert_eq!(read.entries, entries);
    assert_eq!(read.block_count, 5);
    assert_eq!(read.code_by_name("bounty-market"), Some(entries[2].1));
    assert_eq!(read.code_by_name("stand-in-market"), None);
}

#[test]
fn a_fendermint_base_bundle_keeps_its_actors_first_and_drops_its_old_envelope() {
    let scratch = Scratch::new("base");
    let actors = scratch.actors(PRODUCT);
    let base_actors = fendermint_actors();
    let base_car = fendermint_bundle(1, &base_actors, 0);
    let base = ipc::read_bundle(&base_car).unwrap();
    let car = ipc::bundle_car(&actors, Some(&base)).unwrap();

    let (root, entries, blocks) = manifest_of(&car);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "chainmetadata",
            "eam",
            "gas_market",
            "activity_tracker",
            "provider-reputation",
            "collateral-escrow",
            "bounty-market"
        ]
    );
    for (name, module) in &base_actors {
        let cid = entries.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(block(&blocks, &cid), module.as_slice(), "{name} keeps its module");
    }
    assert_eq!(
        blocks.len(),
        2 + 7,
        "the base's envelope and list are replaced, not kept"
    );
    assert_ne!(root, base.root);
    assert!(blocks.iter().all(|b| b.cid != base.root && b.cid != base.data));
}

#[test]
fn bad_base_bundles_are_refused_with_the_reason() {
    let scratch = Scratch::new("bad");
    let actors = scratch.actors(PRODUCT);
    let err = |car: &[u8]| format!("{:#}", ipc::read_bundle(car).unwrap_err());

    assert!(err(&fendermint_bundle(2, &fendermint_actors(), 0)).contains("manifest version 2"));
    assert!(err(&fendermint_bundle(1, &fendermint_actors(), 1)).contains("one root; this CAR has 2"));
    assert!(err(b"not a car").contains("not a CARv1"));

    // A module whose bytes do not hash to its CID.
    let mut tampered = fendermint_bundle(1, &fendermint_actors(), 0);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(err(&tampered).contains("incorrect CID"), "{}", err(&tampered));

    // A manifest entry without its block.
    let mut car = Vec::new();
    let listed = [("eam".to_string(), code_cid(b"absent"))];
    let data = fvm_ipld_encoding::to_vec(&listed).unwrap();
    let data_cid = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&data));
    let envelope = fvm_ipld_encoding::to_vec(&(1u32, data_cid)).unwrap();
    let root = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&envelope));
    let mut w = CarWriter::new(CarHeader::from(vec![root]), &mut car).unwrap();
    w.write(Block {
        cid: root,
        data: envelope,
    })
    .unwrap();
    w.write(Block { cid: data_cid, data }).unwrap();
    drop(w);
    assert!(
        err(&car).contains("eam: no block for its code CID"),
        "{}",
        err(&car)
    );

    // A base that already names a suite actor.
    let clash = fendermint_bundle(1, &[("bounty-market", stand_in_module("old"))], 0);
    let clash = ipc::read_bundle(&clash).unwrap();
    let e = format!("{:#}", ipc::bundle_car(&actors, Some(&clash)).unwrap_err());
    assert!(e.contains("already has an actor named bounty-market"), "{e}");
}

#[test]
fn a_build_without_a_suite_actor_gives_no_bundle() {
    let scratch = Scratch::new("missing");
    let actors = scratch.actors(&["collateral-escrow", "provider-reputation", "stand-in-miner"]);
    let e = format!("{:#}", ipc::bundle_car(&actors, None).unwrap_err());
    assert!(e.contains("bounty-market was not built"), "{e}");
}

#[test]
fn a_module_changed_after_the_build_is_refused() {
    let scratch = Scratch::new("changed");
    let actors = scratch.actors(PRODUCT);
    let escrow = actors.iter().find(|a| a.package == "collateral-escrow").unwrap();
    fs::write(&escrow.wasm, stand_in_module("something else")).unwrap();
    let e = format!("{:#}", ipc::bundle_car(&actors, None).unwrap_err());
    assert!(e.contains("changed since it was built"), "{e}");
}
