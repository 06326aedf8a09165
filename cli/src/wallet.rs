//! `suite wallet`: keys in the keystore (`<home>/keystore`), in Lotus's key format so that a
//! key moves between Lotus and the suite (`lotus wallet export` / `import`).
//!
//! Only `balance` asks the node; the other commands touch the keystore alone.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use fvm_shared::address::Address;
use serde_json::json;
use suite_client::wallet::{Key, KeyType, Keystore};
use suite_client::Chain;

use crate::devnet::parse_address;
use crate::output::{Output, Table};
use crate::session::{Options, Session};
use crate::units::{atto_json, fil};

#[derive(Subcommand)]
pub enum WalletCmd {
    /// A new random key, kept in the keystore; the first one becomes the default.
    #[command(after_help = "Examples:\n  suite wallet new\n  suite wallet new bls")]
    New {
        /// secp256k1 (f1…) or bls (f3…).
        #[arg(default_value = "secp256k1")]
        kind: String,
    },
    /// Every key in the keystore; the default is marked.
    List,
    /// An address's balance, asked of the node (default: the default key's).
    #[command(after_help = "Examples:\n  suite wallet balance\n  suite wallet balance f1…")]
    Balance { address: Option<String> },
    /// A key in Lotus's export format (hex), to `lotus wallet import` or `suite wallet import`.
    #[command(
        after_help = "Example:\n  suite wallet export f1… > key.hex   # keep it secret: it is the private key"
    )]
    Export { address: String },
    /// A key in Lotus's export format (`lotus wallet export`), from standard input (or the
    /// argument, which shell history and `ps` would see: prefer the pipe).
    #[command(
        after_help = "Examples:\n  lotus wallet export f1… | suite wallet import\n  suite wallet import < key.hex"
    )]
    Import {
        /// The hex export; `-` or nothing reads standard input.
        key: Option<String>,
    },
    /// Shows the default key, or makes another key the default.
    #[command(after_help = "Examples:\n  suite wallet default\n  suite wallet default f3…")]
    Default { address: Option<String> },
}

pub fn keystore(dir: &Path) -> Keystore {
    Keystore::new(keystore_dir(dir))
}

fn keystore_dir(dir: &Path) -> PathBuf {
    dir.join("keystore")
}

pub fn run(options: &Options, command: WalletCmd) -> Result<Output> {
    let store = keystore(&options.home);
    Ok(match command {
        WalletCmd::New { kind } => {
            let key = Key::generate(KeyType::parse(&kind)?)?;
            let address = store.put(&key)?;
            Output::new(
                json!({ "address": address.to_string(), "type": key.kind().name() }),
                format!("{address} ({}), kept in {}", key.kind(), store.dir().display()),
            )
        }
        WalletCmd::List => {
            let default = store.default_address()?;
            let mut table = Table::new(&["address", "type", "default"]);
            let mut rows = Vec::new();
            for address in store.list()? {
                let key = store.get(&address)?.context("a listed key is readable")?;
                let is_default = Some(address) == default;
                table.row(vec![
                    address.to_string(),
                    key.kind().name().into(),
                    if is_default { "*".into() } else { String::new() },
                ]);
                rows.push(json!({ "address": address.to_string(), "type": key.kind().name(), "default": is_default }));
            }
            let text = if rows.is_empty() {
                format!(
                    "no keys in {} (`suite wallet new` makes one)",
                    store.dir().display()
                )
            } else {
                table.render()
            };
            Output::new(json!(rows), text)
        }
        WalletCmd::Balance { address } => {
            let address = match address {
                Some(a) => parse_address(&a)?,
                None => default_address(&store)?,
            };
            let d = Session::open(options)?;
            let balance = Chain::balance(&d, &address)?;
            let exists = Chain::resolve(&d, &address)?.is_some();
            let text = if exists {
                format!("{address}: {}", fil(&balance))
            } else {
                format!(
                    "{address}: {} (no actor yet: a transfer to it creates its account)",
                    fil(&balance)
                )
            };
            Output::new(
                json!({ "address": address.to_string(), "balance": atto_json(&balance), "exists": exists }),
                text,
            )
        }
        WalletCmd::Export { address } => {
            let address = parse_address(&address)?;
            let key = store
                .get(&address)?
                .with_context(|| format!("no key for {address} (`suite wallet list` shows the keys)"))?;
            let hex = key.to_lotus();
            Output::new(json!({ "address": address.to_string(), "key": hex }), hex)
        }
        WalletCmd::Import { key } => {
            let text = match key.as_deref() {
                None | Some("-") => {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .context("reading the key from standard input")?;
                    text
                }
                Some(hex) => hex.to_string(),
            };
            let key = Key::from_lotus(&text)?;
            let address = store.put(&key)?;
            Output::new(
                json!({ "address": address.to_string(), "type": key.kind().name() }),
                format!("imported {address} ({})", key.kind()),
            )
        }
        WalletCmd::Default { address: None } => {
            let address = default_address(&store)?;
            Output::new(json!({ "address": address.to_string() }), address.to_string())
        }
        WalletCmd::Default { address: Some(a) } => {
            let address = parse_address(&a)?;
            store.set_default(&address)?;
            Output::new(
                json!({ "address": address.to_string() }),
                format!("{address} is the default key"),
            )
        }
    })
}

fn default_address(store: &Keystore) -> Result<Address> {
    match store.default_address()? {
        Some(a) => Ok(a),
        None => bail!(
            "no default key in {} (`suite wallet new` makes one)",
            store.dir().display()
        ),
    }
}
