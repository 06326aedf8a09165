//! `suite node`: the devnet as a Lotus-compatible JSON-RPC node.
//!
//! One chain thread owns the devnet ([`chain`]); a few HTTP worker threads ([`rpc`]) parse
//! requests, answer chain reads (heads, tipsets, messages, receipts, events) from the published
//! index and send everything that needs the state to the chain thread as a job. Methods and their
//! Lotus shapes are in [`methods`], the `Devnet.*` operator namespace in [`operator`].

pub mod chain;
pub mod json;
pub mod methods;
pub mod operator;
mod ops;
pub mod rpc;
pub mod ui;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;

use self::chain::{ChainState, Deferred, Index, Job};
use self::rpc::RpcError;
use crate::devnet::Devnet;

/// HTTP worker threads: enough that a few long `StateWaitMsg` calls do not hold up the others.
const WORKERS: usize = 32;

/// What `StateNetworkName` answers.
pub const NETWORK_NAME: &str = "suite-devnet";

#[derive(Args, Debug, Clone)]
#[command(
    after_help = "Examples:\n  suite node                                   # instant mining on 127.0.0.1:1234\n  \
    suite node --block-time 1s --token s3cret    # a tipset a second; writes need the token\n  \
    curl -s -X POST -H 'Content-Type: application/json' \\\n    \
    -d '{\"jsonrpc\":\"2.0\",\"method\":\"Filecoin.ChainHead\",\"params\":[],\"id\":1}' http://127.0.0.1:1234/rpc/v1"
)]
pub struct NodeArgs {
    /// Address to listen on (loopback unless --unsafe-listen).
    #[arg(long, default_value = "127.0.0.1:1234")]
    pub listen: String,
    /// `instant` (each pushed message mined at once in its own tipset) or a period such as
    /// `1s`, `500ms`: a tipset on every tick with the messages waiting.
    #[arg(long, default_value = "instant")]
    pub block_time: String,
    /// Writes (MpoolPush, Devnet.*) need `Authorization: Bearer TOKEN`.
    #[arg(long, env = "SUITE_NODE_TOKEN")]
    pub token: Option<String>,
    /// Instant mode: an idle node mines an empty tipset this often, so that the head's timestamp
    /// stays fresh (iso-filecoin refuses a head older than 130 s).
    #[arg(long, default_value = "30s")]
    pub heartbeat: String,
    /// Allow a non-loopback listen address (anyone who can reach it can read the chain and,
    /// without --token, use the Devnet.* operator methods).
    #[arg(long)]
    pub unsafe_listen: bool,
    /// Do not serve the bounty board page at / (the JSON-RPC API only).
    #[arg(long)]
    pub no_ui: bool,
}

/// How tipsets are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Instant,
    BlockTime(Duration),
}

impl Mode {
    pub fn parse(text: &str) -> Result<Self> {
        if text == "instant" {
            return Ok(Mode::Instant);
        }
        Ok(Mode::BlockTime(parse_period(text, "--block-time")?))
    }

    /// `BlockDelay` in `Version`: whole seconds, at least 1.
    pub fn block_delay(&self) -> u64 {
        match self {
            Mode::Instant => 1,
            Mode::BlockTime(d) => d.as_secs().max(1),
        }
    }
}

/// A period such as `1s` or `500ms` (at least 10 ms).
fn parse_period(text: &str, flag: &str) -> Result<Duration> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| text.split_at(i))
        .unwrap_or((text, "s"));
    let n: u64 = number
        .parse()
        .with_context(|| format!("{flag} {text:?}: expected a period like 1s or 500ms"))?;
    let period = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        _ => bail!("{flag} {text:?}: the unit is ms or s (e.g. 1s, 500ms)"),
    };
    if period < Duration::from_millis(10) {
        bail!("{flag} {text:?}: at least 10ms");
    }
    Ok(period)
}

/// What the HTTP workers share.
pub struct Node {
    pub token: Option<String>,
    /// Whether GET / serves the bounty board page ([`ui`]).
    pub ui: bool,
    pub mode: Mode,
    pub index: RwLock<Index>,
    jobs: Mutex<Sender<Job>>,
    /// The head height, signalled whenever a tipset is published (StateWaitMsg waits on it).
    published: (Mutex<i64>, Condvar),
}

impl Node {
    fn tipset_published(&self) {
        let height = self.index.read().expect("index lock").head().record.height;
        *self.published.0.lock().expect("signal lock") = height;
        self.published.1.notify_all();
    }

    /// Waits until a tipset newer than `height` is published or `timeout` passes.
    pub fn wait_for_tipset_after(&self, height: i64, timeout: Duration) {
        let guard = self.published.0.lock().expect("signal lock");
        let _unused = self
            .published
            .1
            .wait_timeout_while(guard, timeout, |h| *h <= height)
            .expect("signal lock");
    }

    fn send_job(&self, job: Job) -> Result<(), RpcError> {
        self.jobs
            .lock()
            .expect("jobs lock")
            .send(job)
            .map_err(|_| RpcError::failure("the node is stopping"))
    }

    /// Runs `f` on the chain thread and answers at once (reads).
    pub fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut ChainState) -> Result<T, RpcError> + Send + 'static,
    ) -> Result<T, RpcError> {
        let (tx, rx) = mpsc::channel();
        self.send_job(Box::new(move |state| {
            let _ = tx.send(state.guarded(f));
            None
        }))?;
        rx.recv()
            .map_err(|_| RpcError::failure("the node stopped while answering"))?
    }

    /// Runs `f` on the chain thread and answers once what it mined is on disk (writes).
    pub fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut ChainState) -> Result<T, RpcError> + Send + 'static,
    ) -> Result<T, RpcError> {
        let (tx, rx) = mpsc::channel();
        self.send_job(Box::new(move |state| {
            let result = state.guarded(f);
            let answer: Deferred = Box::new(move |failed| {
                let result = match failed {
                    Some(e) => Err(RpcError::failure(format!("writing the tipset failed: {e}"))),
                    None => result,
                };
                let _ = tx.send(result);
            });
            Some(answer)
        }))?;
        rx.recv()
            .map_err(|_| RpcError::failure("the node stopped while answering"))?
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Checks the listen address: loopback only, unless the operator insists.
fn listen_address(args: &NodeArgs) -> Result<SocketAddr> {
    let address: SocketAddr = args.listen.parse().with_context(|| {
        format!(
            "--listen {:?}: expected IP:PORT, e.g. 127.0.0.1:1234",
            args.listen
        )
    })?;
    if !address.ip().is_loopback() && !args.unsafe_listen {
        bail!(
            "--listen {address} is not a loopback address: the node has no access control beyond --token; \
             pass --unsafe-listen (and a --token) if you mean it"
        );
    }
    Ok(address)
}

/// Pending connections the kernel queues for the server. std listens with a backlog of 128,
/// past which Linux resets new connections: a burst of 1,000 clients lost over a hundred.
const LISTEN_BACKLOG: i32 = 4096;

/// Raises the listen backlog of a bound listener (calling listen again on a listening socket
/// only updates its backlog; the kernel caps it at net.core.somaxconn).
#[cfg(unix)]
fn widen_backlog(listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) on a socket descriptor the listener owns and keeps open.
    let failed = unsafe { libc::listen(listener.as_raw_fd(), LISTEN_BACKLOG) } != 0;
    if failed {
        tracing::warn!(
            "could not widen the listen backlog: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(unix))]
fn widen_backlog(_listener: &std::net::TcpListener) {}

/// Sets TCP_NODELAY on the listener, which Linux passes on to every accepted connection:
/// tiny_http writes a response's head and body separately, and with Nagle's algorithm the body
/// of an answer larger than its buffer (a StateCall with its execution trace) waited for the
/// client's delayed ACK, about 40 ms a call.
#[cfg(unix)]
fn no_delay(listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: setsockopt(2) on a socket descriptor the listener owns, with a c_int option.
    let failed = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    } != 0;
    if failed {
        tracing::warn!("could not set TCP_NODELAY: {}", std::io::Error::last_os_error());
    }
}

#[cfg(not(unix))]
fn no_delay(_listener: &std::net::TcpListener) {}

/// Opens (or creates) the devnet in `dir` on a new chain thread, which then runs the jobs of
/// the returned node until the process ends.
fn start_chain(
    dir: &Path,
    wait: Duration,
    token: Option<String>,
    ui: bool,
    mode: Mode,
    heartbeat: Duration,
) -> Result<Arc<Node>> {
    // The devnet is opened on the chain thread (it is not Send); it reports back when ready.
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<Arc<Node>>>();
    let dir: PathBuf = dir.to_path_buf();
    std::thread::Builder::new().name("chain".into()).spawn(move || {
        let started = (|| -> Result<(ChainState, Arc<Node>)> {
            let d = if dir.join(crate::store::DB_FILE).exists() {
                Devnet::open(&dir, wait)?
            } else {
                tracing::info!("no devnet in {}: creating one", dir.display());
                let mut d = Devnet::init(&dir, wait)?;
                d.commit()?;
                d
            };
            let index = chain::load_index(d.store())?;
            let node = Arc::new(Node {
                token,
                ui,
                mode,
                index: RwLock::new(index),
                jobs: Mutex::new(jobs_tx),
                published: (Mutex::new(-1), Condvar::new()),
            });
            let state = ChainState::start(d, node.clone(), mode)?;
            node.tipset_published();
            Ok((state, node))
        })();
        match started {
            Ok((state, node)) => {
                let _ = ready_tx.send(Ok(node));
                // A request that panics is answered and rolled back (`ChainState::guarded`); a
                // panic anywhere else (mining on the clock, writing) would leave every job
                // unanswered: stop the node instead, with the last complete tipset on disk.
                let run = std::panic::AssertUnwindSafe(|| chain::run(state, jobs_rx, heartbeat));
                if std::panic::catch_unwind(run).is_err() {
                    tracing::error!("the chain thread panicked: stopping the node");
                    std::process::exit(1);
                }
            }
            Err(e) => {
                let _ = ready_tx.send(Err(e));
            }
        }
    })?;
    ready_rx
        .recv()
        .context("the chain thread stopped while opening the devnet")?
}

/// Opens (or creates, like `suite init`) the devnet and serves it until killed.
pub fn run(dir: &Path, args: NodeArgs, wait: Duration) -> Result<crate::output::Output> {
    init_logging();
    let address = listen_address(&args)?;
    let mode = Mode::parse(&args.block_time)?;
    let heartbeat = parse_period(&args.heartbeat, "--heartbeat")?;
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        anyhow::anyhow!("listening on {address}: {e} (is another node running? pick another --listen port)")
    })?;
    widen_backlog(&listener);
    no_delay(&listener);
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| anyhow::anyhow!("serving on {address}: {e}"))?;
    let local = server
        .server_addr()
        .to_ip()
        .context("the server listens on an IP address")?;

    let node = start_chain(dir, wait, args.token.clone(), !args.no_ui, mode, heartbeat)?;
    let dir_text = dir.display().to_string();
    let head = node.index.read().expect("index lock").head().record.height;
    tracing::info!(
        "suite node: the devnet in {dir_text} at head {head}, mining {}, JSON-RPC at http://{local}/rpc/v1 (and /rpc/v0){}",
        match mode {
            Mode::Instant => "each message at once".to_string(),
            Mode::BlockTime(d) => format!("every {d:?}"),
        },
        if node.token.is_some() { ", writes need the token" } else { "" }
    );
    if node.ui {
        tracing::info!("the bounty board page: http://{local}/");
    }
    // The line the tests and scripts wait for.
    println!("listening on http://{local}");
    let server = Arc::new(server);
    let workers: Vec<_> = (0..WORKERS)
        .map(|i| {
            let server = server.clone();
            let node = node.clone();
            std::thread::Builder::new()
                .name(format!("http-{i}"))
                .spawn(move || {
                    while let Ok(request) = server.recv() {
                        // A bug in one request's handling must not take the worker with it
                        // (that client's connection is dropped, the worker serves on).
                        let serve = std::panic::AssertUnwindSafe(|| rpc::serve(&node, request));
                        if std::panic::catch_unwind(serve).is_err() {
                            tracing::error!("a request's handling panicked; its connection was dropped");
                        }
                    }
                })
        })
        .collect::<std::io::Result<_>>()?;
    for w in workers {
        let _ = w.join();
    }
    Ok(crate::output::Output::new(serde_json::Value::Null, String::new()))
}

#[cfg(test)]
mod tests {
    use super::chain::{self, INTERNAL_ERROR};
    use super::*;

    #[test]
    fn a_panic_is_caught_with_its_message() {
        assert_eq!(chain::catch_panic(|| 7), Ok(7));
        let caught = chain::catch_panic(|| -> u32 { panic!("boom {}", 1) });
        assert_eq!(caught, Err("boom 1".to_string()));
        let e = chain::internal_error("boom 1");
        assert_eq!(e.code, INTERNAL_ERROR);
        assert!(
            e.message.contains("boom 1") && e.message.contains("please report it"),
            "{}",
            e.message
        );
    }

    /// The real chain thread, on a new devnet: a read and a write whose work panics are
    /// answered -32603, the write's tipset is rolled back, and the node keeps answering.
    #[test]
    fn a_request_that_panics_is_answered_and_rolled_back_and_the_node_keeps_serving() {
        let dir = std::env::temp_dir().join(format!("suite-node-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let wait = Duration::from_secs(5);
        let node = start_chain(&dir, wait, None, false, Mode::Instant, Duration::from_secs(3600)).unwrap();
        let head = || node.read(|s| Ok(s.head().height)).unwrap();
        let before = head();

        let read = node.read(|_| -> Result<(), RpcError> { panic!("a bug in a read") });
        let e = read.unwrap_err();
        assert_eq!(e.code, INTERNAL_ERROR);
        assert!(e.message.contains("a bug in a read"), "{}", e.message);
        assert_eq!(head(), before, "the node answers after a panic");

        // A write that mined a tipset (and moved the devnet's record), then panicked.
        let write = node.write(|s| -> Result<(), RpcError> {
            s.mine(Vec::new())?;
            s.d.record.deal_endings.clear();
            s.d.record.next_key += 1000;
            panic!("a bug after mining")
        });
        assert_eq!(write.unwrap_err().code, INTERNAL_ERROR);
        assert_eq!(head(), before, "the panicking write's tipset was rolled back");
        let next_key = node.read(|s| Ok(s.d.record.next_key)).unwrap();
        assert!(
            next_key < 1000,
            "the devnet's record was rolled back: next_key {next_key}"
        );
        assert_eq!(
            node.index.read().unwrap().head().record.height,
            before,
            "nothing of the panicking write was published"
        );

        // The machine was reopened: mining works on it.
        node.write(|s| Ok(s.mine(Vec::new())?)).unwrap();
        assert_eq!(head(), before + 1);
        assert_eq!(node.index.read().unwrap().head().record.height, before + 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
