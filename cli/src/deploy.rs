//! `suite deploy`: puts the suite on the node's chain as a dApp's deployer would, with signed
//! messages: init's `InstallCode` for each of the three modules (embedded in this binary), init's
//! `Exec` for each actor in the order each needs the one before (registry, escrow, market), then
//! the registry admin's two `AddReporter`s; finally the deployment file.

use anyhow::{anyhow, bail, Result};
use clap::Args;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use serde::Serialize;
use serde_json::json;
use suite_interfaces::{bounty, escrow, reputation};

use crate::deployment::{Deployment, ACTOR_NAMES};
use crate::devnet::{escrow_policy, market_policy, Refused};
use crate::output::Output;
use crate::session::Session;

#[derive(Args)]
pub struct DeployArgs {
    /// Who deploys (pays for the messages): a key of the keystore.
    #[arg(long)]
    pub from: String,
    /// The registry's admin, who adds the escrow and the market as reporters (default: --from;
    /// it signs too, so its key must be in the keystore).
    #[arg(long)]
    pub admin: Option<String>,
}

// init's builtin method numbers (builtin-actors `init`, as the stand-in keeps them):
// `InstallCode` exists only where the chain allows user code.
use stand_in_init::{METHOD_EXEC as INIT_EXEC, METHOD_INSTALL_CODE as INIT_INSTALL_CODE};

pub fn run(d: &mut Session, args: DeployArgs) -> Result<Output> {
    let path = d.deployment_path().to_path_buf();
    if path.exists() {
        bail!(
            "{} already exists: the suite is deployed there already; move the file away or pass another --deployment",
            path.display()
        );
    }
    let from = d.account(&args.from)?;
    let admin = match &args.admin {
        Some(a) => d.account(a)?,
        None => from,
    };
    let network = d.rpc().call("Filecoin.StateNetworkName", json!([]))?;
    let network = network.as_str().unwrap_or("").to_string();

    let mut codes = Vec::new();
    for name in ACTOR_NAMES {
        let module = suite_devnet::actors::require_wasm(name)?;
        progress(d, &format!("installing {name} ({} bytes of wasm)", module.len()));
        let p = stand_in_init::InstallCodeParams {
            code: module.to_vec(),
        };
        let r = d
            .send(
                &from,
                actor_runtime::builtin::INIT_ACTOR_ID,
                "InstallCode",
                INIT_INSTALL_CODE,
                &p,
                TokenAmount::default(),
            )
            .map_err(|e| refuses_user_code(e, &network))?;
        let ret: stand_in_init::InstallCodeReturn = r.ret()?;
        codes.push(ret.code_cid);
    }

    let registry = exec(
        d,
        &from,
        "provider-reputation",
        codes[0],
        &reputation::ConstructorParams {
            admin: admin.address(),
        },
    )?;
    let escrow = exec(
        d,
        &from,
        "collateral-escrow",
        codes[1],
        &escrow::ConstructorParams {
            reputation: Address::new_id(registry),
            policy: escrow_policy(),
        },
    )?;
    let market = exec(
        d,
        &from,
        "bounty-market",
        codes[2],
        &bounty::ConstructorParams {
            escrow: Address::new_id(escrow),
            reputation: Address::new_id(registry),
            policy: market_policy(),
        },
    )?;
    let registry_client = suite_devnet::ReputationClient::at(registry);
    for (name, reporter) in [("collateral-escrow", escrow), ("bounty-market", market)] {
        progress(d, &format!("the admin adds {name} as a reporter"));
        registry_client.add_reporter(d, &admin, Address::new_id(reporter))?;
    }

    let deployment = Deployment::new(
        &network,
        admin.id,
        [(registry, codes[0]), (escrow, codes[1]), (market, codes[2])],
    );
    deployment.write_new(&path)?;
    let gas: u64 = d.gas.iter().map(|g| g.gas).sum();
    let text = format!(
        "the suite is deployed on {network}: provider-reputation f0{registry}, collateral-escrow f0{escrow}, bounty-market f0{market} (admin {}); {} messages, {gas} gas; written to {}",
        d.name_of(admin.id),
        d.gas.len(),
        path.display()
    );
    let mut json = serde_json::to_value(&deployment)?;
    json["file"] = json!(path.display().to_string());
    json["gas"] = json!(gas);
    json["messages"] = json!(d.gas.len());
    Ok(Output::new(json, text))
}

fn progress(d: &Session, line: &str) {
    if !d.quiet {
        eprintln!("deploy: {line}");
    }
}

/// Creates one actor through init's `Exec`; answers its ID.
fn exec<P: Serialize>(
    d: &mut Session,
    from: &suite_devnet::Account,
    name: &str,
    code: cid::Cid,
    params: &P,
) -> Result<ActorID> {
    progress(d, &format!("creating {name}"));
    let p = stand_in_init::ExecParams {
        code_cid: code,
        constructor_params: suite_devnet::harness::params(params),
    };
    let r = d.send(
        from,
        actor_runtime::builtin::INIT_ACTOR_ID,
        "Exec",
        INIT_EXEC,
        &p,
        TokenAmount::default(),
    )?;
    let ret: stand_in_init::ExecReturn = r.ret()?;
    ret.id_address
        .id()
        .map_err(|_| anyhow!("init's Exec answered a non-ID address for {name}"))
}

/// A chain whose init has no `InstallCode` (Filecoin mainnet and calibration: user wasm actors
/// are not enabled) answers 22 (unhandled) or 18 (forbidden): said plainly.
fn refuses_user_code(e: anyhow::Error, network: &str) -> anyhow::Error {
    match e.downcast_ref::<Refused>() {
        Some(r) if [16, 18, 22].contains(&r.exit_code.value()) => anyhow!(
            "{network} refuses user code: init's InstallCode answered {} (exit {}): {}. The suite's actors are wasm user actors; \
             they run where the chain installs them, at genesis on an IPC subnet (docs/ipc.md) or with InstallCode on a devnet (`suite node`)",
            r.exit_name,
            r.exit_code.value(),
            r.message
        ),
        _ => e,
    }
}
