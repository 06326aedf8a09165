//! `suite`: the storage bounty market, the collateral escrow and the provider reputation
//! registry from the command line, as a client of any Lotus-compatible JSON-RPC node (`--rpc`),
//! signing with the local keystore; `suite node`, a local FVM devnet serving that API; and the
//! end-to-end demo over it.
//!
//! Every command other than `node`, `piece commp` and `wallet` talks to the node: a message is
//! simulated first (a refusal prints the actor's exit code name and message, exits with status 1
//! and sends nothing), then signed, pushed and waited for. Read commands are `StateCall`s.

mod calls;
mod demo;
mod deploy;
mod deployment;
pub mod devnet;
mod handlers;
pub mod node;
mod output;
mod piece;
mod rpc;
mod session;
mod store;
pub mod units;
mod views;
mod wallet;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::devnet::Refused;

#[derive(Parser)]
#[command(
    name = "suite",
    version,
    about = "The storage bounty suite over any Lotus-compatible JSON-RPC node, and a local FVM devnet node",
    long_about = None,
    after_help = "Examples:\n  suite node &                                   # a devnet at 127.0.0.1:1234\n  \
    suite account create alice --balance 100FIL   # a key, funded by the devnet's faucet\n  \
    suite bounty list\n  suite --rpc https://api.calibration.node.glif.io/rpc/v1 --deployment suite.json bounty list"
)]
struct Cli {
    /// The node's JSON-RPC API.
    #[arg(long, global = true, env = "SUITE_RPC", default_value = rpc::DEFAULT_RPC)]
    rpc: String,
    /// Bearer token for the node's writes (`suite node --token`, a Lotus API token).
    #[arg(long, global = true, env = "SUITE_RPC_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The keystore and address book (`keystore/`, `names.json`), and the default deployment
    /// file (`suite.json`).
    #[arg(long, global = true, env = "SUITE_HOME", default_value_os_t = default_home())]
    home: PathBuf,
    /// The deployment file naming the suite's actors (default: `<home>/suite.json`; without one,
    /// a `suite node` devnet's own deployment).
    #[arg(long, global = true, env = "SUITE_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// Where `suite node` keeps its devnet.
    #[arg(long, global = true, env = "SUITE_DATA_DIR", default_value = ".suite-devnet")]
    data_dir: PathBuf,
    /// Print JSON instead of tables (amounts in attoFIL, as strings).
    #[arg(long, global = true)]
    json: bool,
    /// Seconds `suite node` waits for another process using the same devnet to let it go.
    #[arg(long, global = true, default_value_t = 30)]
    lock_wait: u64,
    #[command(subcommand)]
    command: Command,
}

/// `~/.suite`, or `.suite` where there is no home directory.
fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".suite"))
        .unwrap_or_else(|| PathBuf::from(".suite"))
}

#[derive(Subcommand)]
enum Command {
    /// The node, its head, the suite's actors and balances, the escrow's totals.
    #[command(after_help = "Examples:\n  suite status\n  suite --json status | jq .head")]
    Status,
    /// Install the suite's three modules (init InstallCode), create its actors in order, wire
    /// the reporters and write the deployment file (`<home>/suite.json` or --deployment).
    #[command(
        after_help = "Examples:\n  suite deploy --from admin\n  suite deploy --from f1… --deployment calibration.json"
    )]
    Deploy(deploy::DeployArgs),
    /// Move the chain forward (devnet only: `Devnet.AdvanceEpochs`).
    #[command(after_help = "Examples:\n  suite advance 2880\n  suite advance --to 100000")]
    Advance(AdvanceArgs),
    /// Key accounts the devnet signs for.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Storage providers (stand-in miners) and their sectors.
    #[command(subcommand)]
    Miner(MinerCmd),
    /// Deals in the storage market (f05), driven by the devnet operator.
    #[command(subcommand)]
    Deal(DealCmd),
    /// The storage bounty market.
    #[command(subcommand)]
    Bounty(BountyCmd),
    /// The collateral escrow.
    #[command(subcommand)]
    Escrow(EscrowCmd),
    /// The provider reputation registry.
    #[command(subcommand)]
    Reputation(ReputationCmd),
    /// Piece CIDs (CommP) of files, and checking that a deal stores a file.
    #[command(subcommand)]
    Piece(piece::PieceCmd),
    /// Keys in the devnet's keystore, in Lotus's key format.
    #[command(subcommand)]
    Wallet(wallet::WalletCmd),
    /// A fault watcher (keeper bot): follows the chain, checks every open escrow lock with
    /// read-only calls, proves each failure the escrow would accept (a deal terminated early, a
    /// sector faulty outside the lock's cooldown, a dead sector) and earns the reporter reward.
    /// Each report is simulated first and sent only if it succeeds and pays at least
    /// --min-reward after gas; a state file keeps its place and report log across restarts.
    #[command(
        after_help = "Examples:\n  suite watch --from watcher                              # every 30 s until killed\n  \
        suite watch --from watcher --min-reward 0.01FIL --interval 10\n  \
        suite --json watch --from watcher --once | jq 'select(.type == \"report\")'"
    )]
    Watch(watch::WatchArgs),
    /// The end-to-end story on a fresh devnet node, over JSON-RPC with keystore keys.
    #[command(
        after_help = "Examples:\n  suite demo\n  suite demo --keep /tmp/story && suite --data-dir /tmp/story/devnet node"
    )]
    Demo(DemoArgs),
    /// Serve the devnet as a Lotus-compatible JSON-RPC node (created on first start, like
    /// `init`), until killed.
    Node(node::NodeArgs),
}

#[derive(Args)]
pub struct AdvanceArgs {
    /// Epochs to move forward.
    #[arg(required_unless_present = "to")]
    pub epochs: Option<i64>,
    /// Move to this epoch instead.
    #[arg(long, conflicts_with = "epochs")]
    pub to: Option<i64>,
}

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Create a named key in the keystore, funded by the devnet's faucet (devnet only).
    #[command(
        after_help = "Examples:\n  suite account create sp --balance 50FIL          # a BLS key (f3…): can be a miner's worker\n  \
        suite account create alice --key secp256k1      # a secp256k1 key (f1…)"
    )]
    Create {
        name: String,
        /// Initial balance (e.g. 1000FIL).
        #[arg(long, default_value = "1000FIL")]
        balance: String,
        /// The key's type: a miner's worker must be BLS.
        #[arg(long, value_enum, default_value_t = KeyKind::Bls)]
        key: KeyKind,
    },
    /// Every named account and miner, and its balance.
    List,
    /// Send FIL to an account or any address: from a key of the keystore, or from the devnet's
    /// faucet without --from.
    #[command(
        after_help = "Examples:\n  suite account fund alice 10FIL                  # the devnet's faucet\n  \
        suite account fund f1… 2.5FIL --from alice        # a signed transfer"
    )]
    Fund {
        to: String,
        amount: String,
        /// Who pays (a key of the keystore); without it, the devnet's faucet.
        #[arg(long)]
        from: Option<String>,
    },
    /// Name a key of the keystore (or any address) in the address book.
    #[command(after_help = "Example:\n  suite account name alice f1abc…")]
    Name { name: String, address: String },
}

/// The type of an account's key address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyKind {
    /// f3…, 48-byte keys: what a miner's worker needs.
    Bls,
    /// f1…
    Secp256k1,
}

#[derive(Subcommand)]
pub enum MinerCmd {
    /// Create a stand-in miner (32 GiB sectors) through init, as its owner (devnet only).
    Create {
        name: String,
        #[arg(long)]
        owner: String,
        /// An account with a BLS key (defaults to the owner).
        #[arg(long)]
        worker: Option<String>,
        /// Control addresses (repeat).
        #[arg(long = "control")]
        controls: Vec<String>,
    },
    /// Every named miner.
    List,
    /// Add an Active sector at (deadline, partition).
    AddSector {
        miner: String,
        sector: u64,
        #[arg(long, default_value_t = 0)]
        deadline: u64,
        #[arg(long, default_value_t = 0)]
        partition: u64,
        /// Nominal expiration epoch (default: now + 1,051,200, a year).
        #[arg(long)]
        expiration: Option<i64>,
    },
    /// The provider stops proving a sector: its deadline's next challenge window passes
    /// without a WindowPoSt, and the sector turns faulty (42 proving periods faulty: terminated).
    #[command(
        after_help = "Example:\n  suite miner stop-proving m1 1 && suite miner sector m1 1   # still active\n  \
        suite advance 2880 && suite miner sector m1 1               # faulty: its window was missed"
    )]
    StopProving { miner: String, sector: u64 },
    /// The provider proves the sector again at its windows (a faulty sector must also be
    /// declared recovered).
    #[command(
        after_help = "Example:\n  suite miner resume-proving m1 1 && suite miner declare-recovered m1 1"
    )]
    ResumeProving { miner: String, sector: u64 },
    /// DeclareFaults from the worker: the sector is faulty at once.
    #[command(
        after_help = "Examples:\n  suite miner declare-fault m1 1\n  suite miner declare-fault m1 1 --from sp"
    )]
    DeclareFault {
        miner: String,
        sector: u64,
        /// A controlling address of the miner (default: its worker).
        #[arg(long)]
        from: Option<String>,
    },
    /// DeclareFaultsRecovered from the worker: the sector stays faulty until its deadline's
    /// next window is proven (a window missed leaves it faulty).
    #[command(
        after_help = "Example:\n  suite miner declare-recovered m1 1 && suite advance 2880 && suite miner sector m1 1   # active"
    )]
    DeclareRecovered {
        miner: String,
        sector: u64,
        /// A controlling address of the miner (default: its worker).
        #[arg(long)]
        from: Option<String>,
    },
    /// Terminate a sector (its deals are terminated in the market).
    Terminate { miner: String, sector: u64 },
    /// A sector's status at its location.
    Sector { miner: String, sector: u64 },
}

#[derive(Subcommand)]
pub enum DealCmd {
    /// Publish a deal between a client and a provider.
    #[command(
        after_help = "Examples:\n  suite deal publish --client alice --provider m1 --file movie.mp4 --end 600000\n  \
        suite deal publish --client alice --provider m1 --piece baga6ea4seaq… --size 32GiB --end 600000"
    )]
    Publish {
        #[arg(long)]
        client: String,
        #[arg(long)]
        provider: String,
        // --piece and --size, or --file (boxed: the variant stays small).
        #[command(flatten)]
        piece: Box<piece::PieceArgs>,
        /// Start epoch (default: 20 epochs from now, time to activate it).
        #[arg(long)]
        start: Option<i64>,
        /// End epoch.
        #[arg(long)]
        end: i64,
        #[arg(long, default_value = "1000attoFIL")]
        price_per_epoch: String,
        #[arg(long, default_value = "0FIL")]
        provider_collateral: String,
        #[arg(long, default_value = "0FIL")]
        client_collateral: String,
    },
    /// Activate a published deal in a sector of its provider.
    Activate { deal: u64, sector: u64 },
    /// Terminate a deal early (as a slashed provider's would be).
    Terminate { deal: u64 },
    /// Settle a deal that ended.
    Settle { deal: u64 },
    /// What the market answers about a deal.
    Show { deal: u64 },
}

#[derive(Subcommand)]
pub enum BountyCmd {
    /// Post a bounty; the value sent is (replicas + renewals) × reward.
    #[command(
        after_help = "Examples:\n  suite bounty post --from alice --file movie.mp4 --reward 10FIL --collateral 2FIL \
        --min-duration 3000 --expiry 100000\n  suite bounty post --from alice --piece baga6ea4seaq… --size 32GiB --replicas 3 \
        --reward 10FIL --collateral 2FIL --min-duration 3000 --expiry 100000\n  suite bounty post --from alice --file movie.mp4 --replicas 3 \
        --distinct-owners --max-per-region 1 --reward 10FIL --collateral 2FIL --min-duration 3000 --expiry 100000"
    )]
    Post {
        #[arg(long)]
        from: String,
        // --piece and --size, or --file (boxed: the variant stays small).
        #[command(flatten)]
        piece: Box<piece::PieceArgs>,
        #[arg(long, default_value_t = 1)]
        replicas: u64,
        /// Reward per replica (e.g. 10FIL).
        #[arg(long)]
        reward: String,
        /// Collateral each claimant locks (e.g. 2FIL).
        #[arg(long)]
        collateral: String,
        /// Minimum epochs the data must be kept (vesting period).
        #[arg(long)]
        min_duration: i64,
        /// Epoch from which the bounty can no longer be claimed.
        #[arg(long)]
        expiry: i64,
        /// Minimum reputation score (0–10000) of claimants.
        #[arg(long)]
        min_reputation: Option<u16>,
        /// Only these providers may claim (repeat).
        #[arg(long = "allow")]
        allowed: Vec<String>,
        /// No two slot holders whose miners have the same owner (needs 2+ replicas).
        #[arg(long)]
        distinct_owners: bool,
        /// At most this many slot holders per registry region (unregistered providers count as
        /// the region "unknown"): 1 to replicas − 1.
        #[arg(long)]
        max_per_region: Option<u32>,
        /// Renewal terms funded now (each one reward): a claim's provider can renew its claim
        /// for another min-duration with `bounty renew`; the post escrows
        /// (replicas + renewals) × reward.
        #[arg(long, default_value_t = 0)]
        renewals: u64,
    },
    /// Add to the reward of a bounty's open slots (anyone, before its expiry); refunded pro rata
    /// after a cancel or the expiry with `bounty refund`.
    #[command(after_help = "Example:\n  suite bounty fund 0 --from bob --amount 5FIL")]
    Fund {
        id: u64,
        #[arg(long)]
        from: String,
        /// What to add (e.g. 5FIL).
        #[arg(long)]
        amount: String,
    },
    /// Take back a sponsor's pro-rata share of what a cancelled or expired bounty returned.
    #[command(after_help = "Example:\n  suite bounty refund 0 --from bob")]
    Refund {
        id: u64,
        #[arg(long)]
        from: String,
    },
    /// A sponsor's contribution to a bounty and what it can take back now.
    #[command(after_help = "Example:\n  suite bounty contribution 0 --sponsor bob")]
    Contribution {
        id: u64,
        #[arg(long)]
        sponsor: String,
    },
    /// Bounties, optionally of one client or piece.
    List {
        #[arg(long)]
        client: Option<String>,
        #[arg(long)]
        piece: Option<String>,
    },
    /// A bounty and its current claims.
    Show { id: u64 },
    /// Claim a slot with an active deal of the provider; the value sent is the collateral. The
    /// claim names the deal's sector, read from f05 (`GetDealSector`) first.
    Claim {
        id: u64,
        /// The miner claiming (a name or an f0 address).
        #[arg(long)]
        provider: String,
        /// An activated deal of that miner storing the bounty's piece.
        #[arg(long)]
        deal: u64,
        /// A controlling address of the provider.
        #[arg(long)]
        from: String,
        /// The deal's sector location, if known (saves the escrow a search).
        #[arg(long, requires = "partition")]
        deadline: Option<i64>,
        #[arg(long, requires = "deadline")]
        partition: Option<i64>,
    },
    /// A claim and what has vested.
    ShowClaim { id: u64 },
    /// Renew a claim for another min-duration with a new deal of its provider for the same
    /// piece (the value sent is the bounty's collateral): from a quarter term before its end
    /// until a term after it, while the client has funded a renewal.
    #[command(
        after_help = "Example:\n  suite bounty renew 0 --deal 7 --from sp   # claim 0, deal 7 (sector read from f05)"
    )]
    Renew {
        /// The claim to renew.
        claim: u64,
        /// A new activated deal of the claim's provider storing the bounty's piece, lasting
        /// until the renewed term ends.
        #[arg(long)]
        deal: u64,
        /// A controlling address of the claim's provider.
        #[arg(long)]
        from: String,
        /// The deal's sector location, if known (saves the escrow a search).
        #[arg(long, requires = "partition")]
        deadline: Option<i64>,
        #[arg(long, requires = "deadline")]
        partition: Option<i64>,
    },
    /// Fund renewal terms of a bounty (its client only): the value sent is renewals × reward.
    #[command(after_help = "Example:\n  suite bounty fund-renewals 0 --renewals 2 --from alice")]
    FundRenewals {
        id: u64,
        #[arg(long)]
        renewals: u64,
        #[arg(long)]
        from: String,
    },
    /// Take back a bounty's whole renewal pool (its client only): its claims renew no more.
    #[command(after_help = "Example:\n  suite bounty reclaim-renewals 0 --from alice")]
    ReclaimRenewals {
        id: u64,
        #[arg(long)]
        from: String,
    },
    /// Cancel a bounty (its client only).
    Cancel {
        id: u64,
        #[arg(long)]
        from: String,
    },
    /// Pay a provider's vested rewards to its owner.
    Withdraw {
        #[arg(long)]
        provider: String,
        #[arg(long)]
        from: String,
    },
    /// Return what a cancelled or expired bounty no longer owes to its client.
    Reclaim {
        id: u64,
        #[arg(long)]
        from: String,
    },
    /// Deposit collateral for a provider's DDO claims (by a controlling address): a DDO
    /// activation carries no FIL, so its claim locks from this deposit.
    #[command(
        after_help = "Example:\n  suite bounty deposit 6FIL --provider m1 --from sp && suite bounty collateral --provider m1"
    )]
    Deposit {
        /// How much (e.g. 6FIL).
        amount: String,
        #[arg(long)]
        provider: String,
        /// A controlling address of the provider.
        #[arg(long)]
        from: String,
    },
    /// Withdraw deposited collateral no DDO claim has locked, to the miner's owner.
    #[command(
        after_help = "Examples:\n  suite bounty withdraw-collateral 2FIL --provider m1 --from sp\n  \
        suite bounty withdraw-collateral --provider m1 --from sp      # everything available"
    )]
    WithdrawCollateral {
        /// How much (default: everything available).
        amount: Option<String>,
        #[arg(long)]
        provider: String,
        /// A controlling address of the provider.
        #[arg(long)]
        from: String,
    },
    /// A provider's collateral deposit: available, and locked by DDO claims so far.
    #[command(after_help = "Example:\n  suite bounty collateral --provider m1")]
    Collateral {
        #[arg(long)]
        provider: String,
    },
    /// Claim by DDO (devnet only): the provider's miner activates the bounty's piece in a sector
    /// and notifies the market (SectorContentChanged, the payload the CBOR of the bounty id), as
    /// after ProveCommitSectors3; the claim's collateral comes from the provider's deposit.
    #[command(
        after_help = "Example:\n  suite bounty deposit 2FIL --provider m1 --from sp && suite bounty activate 0 --provider m1 --sector 2"
    )]
    Activate {
        id: u64,
        /// The miner activating the piece.
        #[arg(long)]
        provider: String,
        /// The (Active) sector holding the piece.
        #[arg(long)]
        sector: u64,
    },
    /// A provider's rewards: vested, paid, withdrawable, pending.
    Balance {
        #[arg(long)]
        provider: String,
    },
}

#[derive(Subcommand)]
pub enum EscrowCmd {
    /// A lock.
    Show { lock: u64 },
    /// A provider's locks.
    List {
        #[arg(long)]
        provider: String,
    },
    /// Prove a locked claim failed; the slashed collateral pays the client and the reporter.
    Report {
        lock: u64,
        #[arg(long)]
        from: String,
        #[arg(long, value_parser = ["deal-terminated", "sector-faulty", "sector-dead"])]
        proof: String,
        /// The sector's location (default: asked of the miner).
        #[arg(long, requires = "partition")]
        deadline: Option<i64>,
        #[arg(long, requires = "deadline")]
        partition: Option<i64>,
    },
    /// Return a lock's collateral at or after its end.
    Release {
        lock: u64,
        #[arg(long)]
        from: String,
    },
}

#[derive(Subcommand)]
pub enum ReputationCmd {
    /// Register a miner (by a controlling address).
    Register(MetadataArgs),
    /// Replace a registered miner's metadata (by a controlling address).
    Update(MetadataArgs),
    /// A provider's full record and score.
    Show { provider: String },
    /// Every provider the registry knows, with scores.
    List,
}

/// A miner's public metadata, as `reputation register` and `update` take it.
#[derive(Args)]
pub struct MetadataArgs {
    pub miner: String,
    #[arg(long)]
    pub from: String,
    #[arg(long)]
    pub name: String,
    /// ISO 3166 region (e.g. DE, US-CA).
    #[arg(long)]
    pub region: String,
    #[arg(long, default_value = "")]
    pub peer_id: String,
    #[arg(long = "link")]
    pub links: Vec<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Keep the demo's files in this directory (it must not exist) instead of a temporary one:
    /// the node's devnet in `devnet/`, the keystore and address book in `home/`.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// The `suite` command: parses the arguments, runs the command, prints what it answers.
pub fn run() -> ExitCode {
    let mut cli = Cli::parse();
    let json = cli.json;
    let wait = std::time::Duration::from_secs(cli.lock_wait);
    let options = session::Options {
        rpc: cli.rpc.clone(),
        token: cli.token.clone(),
        home: cli.home.clone(),
        deployment: cli.deployment.clone(),
        json,
    };
    let result = piece::prepare(&mut cli.command, json)
        .and_then(|()| handlers::run(&options, &cli.data_dir, cli.command, json, wait));
    match result {
        Ok(out) => {
            if json {
                // A command that printed as it went (`watch`) leaves nothing to print.
                if !out.json.is_null() {
                    println!("{}", serde_json::to_string_pretty(&out.json).expect("JSON"));
                }
            } else if !out.text.is_empty() {
                print!("{}", out.text);
                if !out.text.ends_with('\n') {
                    println!();
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let refused = e.downcast_ref::<Refused>();
            if json {
                let mut err = serde_json::json!({ "error": format!("{e:#}") });
                if let Some(r) = refused {
                    err["method"] = r.method.clone().into();
                    err["exit_code"] = r.exit_code.value().into();
                    err["exit_name"] = r.exit_name.clone().into();
                    err["message"] = r.message.clone().into();
                }
                println!("{}", serde_json::to_string_pretty(&err).expect("JSON"));
            }
            eprintln!("error: {e:#}");
            if refused.is_some() {
                eprintln!("nothing was changed");
            }
            ExitCode::FAILURE
        }
    }
}
