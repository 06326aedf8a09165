//! Keys that sign Filecoin messages, in the formats Lotus uses.
//!
//! A message is signed over the bytes of its CID (DAG-CBOR, BLAKE2b-256): a secp256k1 key signs
//! the BLAKE2b-256 hash of those bytes (65 bytes, `r ‖ s ‖ recovery id`), a BLS key signs the
//! bytes themselves (96 bytes). A key moves between Lotus and the suite as Lotus's export
//! format: the hex of `{"Type":"secp256k1"|"bls","PrivateKey":"<base64>"}`.
//!
//! A [`Keystore`] keeps keys in a directory, one file per address (mode 0600), and the address
//! of the default key.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::{to_vec, DAG_CBOR};
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::{Signature, SignatureType};
use fvm_shared::message::Message;
use multihash_codetable::{Code, MultihashDigest};
use serde::{Deserialize, Serialize};

/// Which curve a key is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Secp256k1,
    Bls,
}

impl KeyType {
    /// Lotus's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Secp256k1 => "secp256k1",
            KeyType::Bls => "bls",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "secp256k1" => Ok(KeyType::Secp256k1),
            "bls" => Ok(KeyType::Bls),
            other => bail!("unknown key type {other:?}: want secp256k1 or bls"),
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A private key and its type.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    kind: KeyType,
    private: [u8; 32],
}

/// Never prints the private key.
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({}, {})", self.kind, self.address())
    }
}

/// Lotus's key export: `{"Type":…,"PrivateKey":…}` (the key in base64), hex-encoded.
#[derive(Serialize, Deserialize)]
struct LotusKeyInfo {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "PrivateKey")]
    private_key: String,
}

impl Key {
    /// A new random key.
    pub fn generate(kind: KeyType) -> Result<Self> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| anyhow!("no randomness from the OS: {e}"))?;
        match kind {
            // Any 32 bytes below the curve order are a key; retry the vanishingly rare others.
            KeyType::Secp256k1 => loop {
                if k256::ecdsa::SigningKey::from_slice(&seed).is_ok() {
                    return Self::from_private(kind, &seed);
                }
                getrandom::getrandom(&mut seed).map_err(|e| anyhow!("no randomness from the OS: {e}"))?;
            },
            // BLS keys are derived from the seed (IETF KeyGen), so every seed gives a valid one.
            KeyType::Bls => {
                use bls_signatures::Serialize as _;
                let key = bls_signatures::PrivateKey::new(seed);
                Self::from_private(kind, &key.as_bytes())
            }
        }
    }

    /// A key from its private bytes (32, big-endian for secp256k1 and little-endian for BLS, as
    /// Lotus stores them).
    pub fn from_private(kind: KeyType, private: &[u8]) -> Result<Self> {
        let private: [u8; 32] = private
            .try_into()
            .map_err(|_| anyhow!("a {kind} private key is 32 bytes, not {}", private.len()))?;
        match kind {
            KeyType::Secp256k1 => {
                k256::ecdsa::SigningKey::from_slice(&private)
                    .map_err(|_| anyhow!("not a secp256k1 private key (zero or above the curve order)"))?;
            }
            KeyType::Bls => {
                use bls_signatures::Serialize as _;
                bls_signatures::PrivateKey::from_bytes(&private)
                    .map_err(|e| anyhow!("not a BLS private key: {e}"))?;
            }
        }
        Ok(Self { kind, private })
    }

    pub fn kind(&self) -> KeyType {
        self.kind
    }

    pub fn private_bytes(&self) -> &[u8; 32] {
        &self.private
    }

    /// The public key: 65 bytes uncompressed for secp256k1, 48 for BLS.
    pub fn public_key(&self) -> Vec<u8> {
        match self.kind {
            KeyType::Secp256k1 => self
                .secp()
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            KeyType::Bls => {
                use bls_signatures::Serialize as _;
                self.bls().public_key().as_bytes()
            }
        }
    }

    /// The key's address (f1… or f3…).
    pub fn address(&self) -> Address {
        let public = self.public_key();
        match self.kind {
            KeyType::Secp256k1 => Address::new_secp256k1(&public),
            KeyType::Bls => Address::new_bls(&public),
        }
        .expect("a public key of the right length")
    }

    /// Signs `data` the way Filecoin verifies it (see the module documentation).
    pub fn sign(&self, data: &[u8]) -> Result<Signature> {
        match self.kind {
            KeyType::Secp256k1 => {
                let digest = blake2b_simd::Params::new().hash_length(32).hash(data);
                let (signature, recovery) = self
                    .secp()
                    .sign_prehash_recoverable(digest.as_bytes())
                    .map_err(|e| anyhow!("secp256k1 signing failed: {e}"))?;
                let mut bytes = signature.to_bytes().to_vec();
                bytes.push(recovery.to_byte());
                Ok(Signature::new_secp256k1(bytes))
            }
            KeyType::Bls => {
                use bls_signatures::Serialize as _;
                Ok(Signature::new_bls(self.bls().sign(data).as_bytes()))
            }
        }
    }

    /// The key in Lotus's export format (`lotus wallet export`).
    pub fn to_lotus(&self) -> String {
        let info = LotusKeyInfo {
            kind: self.kind.name().to_string(),
            private_key: data_encoding::BASE64.encode(&self.private),
        };
        hex::encode(serde_json::to_vec(&info).expect("key info encodes"))
    }

    /// A key in Lotus's export format (`lotus wallet import` reads the same).
    pub fn from_lotus(text: &str) -> Result<Self> {
        let json = hex::decode(text.trim()).context("a Lotus key export is hex")?;
        let info: LotusKeyInfo = serde_json::from_slice(&json)
            .context("a Lotus key export is hex of {\"Type\",\"PrivateKey\"} JSON")?;
        let private = data_encoding::BASE64
            .decode(info.private_key.as_bytes())
            .context("PrivateKey is base64")?;
        Self::from_private(KeyType::parse(&info.kind)?, &private)
    }

    fn secp(&self) -> k256::ecdsa::SigningKey {
        k256::ecdsa::SigningKey::from_slice(&self.private).expect("checked when the key was made")
    }

    fn bls(&self) -> bls_signatures::PrivateKey {
        use bls_signatures::Serialize as _;
        bls_signatures::PrivateKey::from_bytes(&self.private).expect("checked when the key was made")
    }
}

/// A message's CID: DAG-CBOR, BLAKE2b-256 (what is signed and what a node indexes it by).
pub fn message_cid(message: &Message) -> Cid {
    cbor_cid(&to_vec(message).expect("a message encodes"))
}

fn cbor_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(bytes))
}

/// A message with its signature, as Lotus's `MpoolPush` takes it (CBOR `[message, signature]`).
#[derive(Debug, Clone, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct SignedMessage {
    pub message: Message,
    pub signature: Signature,
}

impl SignedMessage {
    /// Signs `message` with `key`, which must be the key of its `from` address.
    pub fn sign(key: &Key, message: Message) -> Result<Self> {
        if message.from != key.address() {
            bail!(
                "the message is from {}, not from this key's address {}",
                message.from,
                key.address()
            );
        }
        let signature = key.sign(&message_cid(&message).to_bytes())?;
        Ok(Self { message, signature })
    }

    /// The signed message's CID. A BLS-signed message is known by its unsigned message's CID
    /// (its signature is aggregated into the block), a secp256k1-signed one by this CID.
    pub fn cid(&self) -> Cid {
        match self.signature.signature_type() {
            SignatureType::BLS => message_cid(&self.message),
            SignatureType::Secp256k1 => cbor_cid(&to_vec(self).expect("a signed message encodes")),
        }
    }
}

/// Keys on disk: `<dir>/<address>.key` in Lotus's export format (mode 0600), and `<dir>/default`
/// holding the default key's address.
#[derive(Debug, Clone)]
pub struct Keystore {
    dir: PathBuf,
}

const DEFAULT_FILE: &str = "default";

impl Keystore {
    /// The keystore in `dir` (created, mode 0700, when the first key is put).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, address: &Address) -> PathBuf {
        self.dir.join(format!("{address}.key"))
    }

    /// Keeps `key`; answers its address. The first key kept becomes the default.
    pub fn put(&self, key: &Key) -> Result<Address> {
        fs::create_dir_all(&self.dir).with_context(|| format!("creating {}", self.dir.display()))?;
        restrict(&self.dir, 0o700)?;
        let address = key.address();
        let path = self.file(&address);
        write_private(&path, key.to_lotus().as_bytes())?;
        if self.default_address()?.is_none() {
            self.set_default(&address)?;
        }
        Ok(address)
    }

    /// The key of `address`, if kept here.
    pub fn get(&self, address: &Address) -> Result<Option<Key>> {
        let path = self.file(address);
        match fs::read_to_string(&path) {
            Ok(text) => Key::from_lotus(&text)
                .with_context(|| format!("reading {}", path.display()))
                .map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Every kept address, in order.
    pub fn list(&self) -> Result<Vec<Address>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("listing {}", self.dir.display())),
        };
        let mut addresses = Vec::new();
        for entry in entries {
            let name = entry?.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".key")) else {
                continue;
            };
            let address: Address = stem
                .parse()
                .with_context(|| format!("{} in {} is not named by an address", stem, self.dir.display()))?;
            addresses.push(address);
        }
        addresses.sort_by_key(|a| a.to_string());
        Ok(addresses)
    }

    /// The default key's address, if one is set.
    pub fn default_address(&self) -> Result<Option<Address>> {
        match fs::read_to_string(self.dir.join(DEFAULT_FILE)) {
            Ok(text) => Ok(Some(text.trim().parse().context("the default key's address")?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).context("reading the default key's address"),
        }
    }

    /// Makes a kept key the default.
    pub fn set_default(&self, address: &Address) -> Result<()> {
        if self.get(address)?.is_none() {
            bail!(
                "no key for {address} in {} (`suite wallet list` shows the keys)",
                self.dir.display()
            );
        }
        write_private(&self.dir.join(DEFAULT_FILE), address.to_string().as_bytes())
    }
}

/// Writes a file only its owner can read, whole or not at all: created 0600 (the secret is
/// never readable by others, even for a moment), synced, then renamed into place and the
/// directory synced, so a crash leaves the old file or the new one, never an empty key.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    restrict(&tmp, 0o600)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    if let Some(dir) = path.parent() {
        // Makes the rename durable (not possible on every platform; best effort there).
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("restricting {}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use fvm_shared::econ::TokenAmount;

    use super::*;

    /// The vector of iso-filecoin's wallet test ("should sign"), reproduced with fvm_shared and
    /// k256 (docs/lotus-json-rpc.md of the shared reference, section B.3).
    #[test]
    fn signs_iso_filecoins_message_vector_byte_for_byte() {
        let private = data_encoding::BASE64
            .decode(b"tI1wF8uJseC1QdNj3CbpBAVC8G9/pfgtSYt4yXlJ+UY=")
            .unwrap();
        let key = Key::from_private(KeyType::Secp256k1, &private).unwrap();
        fvm_shared::address::set_current_network(fvm_shared::address::Network::Mainnet);
        assert_eq!(
            key.address().to_string(),
            "f17dyptywvmnldq2fsm6j226txnltf4aiwsi3vlka"
        );
        let message = Message {
            version: 0,
            to: "f1ypi542zmmgaltijzw4byonei5c267ev5iif2liy".parse().unwrap(),
            from: key.address(),
            sequence: 20101,
            value: TokenAmount::from_atto(87316),
            method_num: 65360,
            params: Default::default(),
            gas_limit: 20982,
            gas_fee_cap: TokenAmount::from_atto(42908),
            gas_premium: TokenAmount::from_atto(28871),
        };
        assert_eq!(
            hex::encode(to_vec(&message).unwrap()),
            "8a005501c3d1de6b2c6180b9a139b703873488e8b5ef92bd5501f8f0f9e2d563563868b26793ad7a776ae65e0116194e8544000155141951f64300a79c430070c719ff5040"
        );
        assert_eq!(
            message_cid(&message).to_string(),
            "bafy2bzacebwrjswscknsaoio7por352ahmfhblajag4t5ynb3zetjdtxn2opg"
        );
        let signed = SignedMessage::sign(&key, message).unwrap();
        assert_eq!(
            data_encoding::BASE64.encode(signed.signature.bytes()),
            "jzg+/H2mHXezbUBAtQAYbj3MrwVn92mXFRw6FX2NRK1+Zfha2vSP23GVEkJHHXxyAd+IggjzG2L440fIJbdfSgA="
        );
        assert_eq!(
            signed.cid().to_string(),
            "bafy2bzaced2i3hfuwvadhzstzlnb5ndvde7aljsgqjl5tdudq4rvgd7hhqgjq"
        );
    }

    #[test]
    fn keys_round_trip_through_lotus_export_and_keep_their_address() {
        for kind in [KeyType::Secp256k1, KeyType::Bls] {
            let key = Key::generate(kind).unwrap();
            let back = Key::from_lotus(&key.to_lotus()).unwrap();
            assert_eq!(back, key);
            assert_eq!(back.address(), key.address());
            let protocol = key.address().protocol();
            match kind {
                KeyType::Secp256k1 => assert_eq!(protocol, fvm_shared::address::Protocol::Secp256k1),
                KeyType::Bls => assert_eq!(protocol, fvm_shared::address::Protocol::BLS),
            }
        }
    }

    #[test]
    fn signatures_verify_against_the_address_as_the_vm_checks_them() {
        for kind in [KeyType::Secp256k1, KeyType::Bls] {
            let key = Key::generate(kind).unwrap();
            let signature = key.sign(b"the bytes of a message CID").unwrap();
            signature
                .verify(b"the bytes of a message CID", &key.address())
                .unwrap();
            let other = Key::generate(kind).unwrap();
            assert!(signature
                .verify(b"the bytes of a message CID", &other.address())
                .is_err());
            assert!(signature.verify(b"other bytes", &key.address()).is_err());
        }
    }

    #[test]
    fn bad_keys_and_exports_are_refused_with_the_reason() {
        let e = Key::from_private(KeyType::Secp256k1, &[0u8; 32]).unwrap_err();
        assert!(e.to_string().contains("not a secp256k1 private key"), "{e}");
        let e = Key::from_private(KeyType::Bls, &[1u8; 31]).unwrap_err();
        assert!(e.to_string().contains("32 bytes, not 31"), "{e}");
        let e = Key::from_lotus("zz").unwrap_err();
        assert!(e.to_string().contains("hex"), "{e}");
        let unknown = hex::encode(br#"{"Type":"ed25519","PrivateKey":"AAAA"}"#);
        let e = Key::from_lotus(&unknown).unwrap_err();
        assert!(e.to_string().contains("unknown key type"), "{e}");
        let key = Key::generate(KeyType::Secp256k1).unwrap();
        let mut m = Message {
            version: 0,
            to: Address::new_id(1),
            from: Address::new_id(100),
            sequence: 0,
            value: TokenAmount::default(),
            method_num: 0,
            params: Default::default(),
            gas_limit: 1,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let e = SignedMessage::sign(&key, m.clone()).unwrap_err();
        assert!(e.to_string().contains("not from this key's address"), "{e}");
        m.from = key.address();
        SignedMessage::sign(&key, m).unwrap();
    }

    #[test]
    fn a_keystore_keeps_keys_private_and_remembers_the_default() {
        let dir = std::env::temp_dir().join(format!("suite-keystore-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let store = Keystore::new(&dir);
        assert!(store.list().unwrap().is_empty());
        assert_eq!(store.default_address().unwrap(), None);
        let a = store.put(&Key::generate(KeyType::Secp256k1).unwrap()).unwrap();
        let b = store.put(&Key::generate(KeyType::Bls).unwrap()).unwrap();
        let mut both = vec![a, b];
        both.sort_by_key(|x| x.to_string());
        assert_eq!(store.list().unwrap(), both);
        assert_eq!(
            store.default_address().unwrap(),
            Some(a),
            "the first key is the default"
        );
        store.set_default(&b).unwrap();
        assert_eq!(store.default_address().unwrap(), Some(b));
        assert_eq!(store.get(&b).unwrap().unwrap().address(), b);
        assert!(store.set_default(&Address::new_id(7)).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join(format!("{a}.key")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only the owner lists the keys");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
