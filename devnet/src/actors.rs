//! The product wasm modules (wasm-build's `PRODUCT` group: the actors of `actors/` and the
//! stand-ins), built by the build script. No test actor is among them.

include!(concat!(env!("OUT_DIR"), "/actors.rs"));

/// The module of a workspace actor crate, by package name.
pub fn wasm(package: &str) -> Option<&'static [u8]> {
    ACTORS
        .iter()
        .find(|(name, _)| *name == package)
        .map(|(_, bytes)| *bytes)
}

/// The module of a workspace actor crate, or an error naming what was built.
pub fn require_wasm(package: &str) -> anyhow::Result<&'static [u8]> {
    wasm(package).ok_or_else(|| {
        let built: Vec<&str> = ACTORS.iter().map(|(n, _)| *n).collect();
        anyhow::anyhow!("no wasm for {package}; built: {built:?}")
    })
}

/// The same module with a custom section `name` holding `payload` appended. The VM ignores
/// custom sections, so this gives one module several code CIDs (the manifest needs a distinct
/// CID for every builtin type).
pub fn with_custom_section(module: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    wasm_build::push_varint(&mut body, name.len() as u64);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut out = module.to_vec();
    out.push(0); // custom section id
    wasm_build::push_varint(&mut out, body.len() as u64);
    out.extend_from_slice(&body);
    out
}
