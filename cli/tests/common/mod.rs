//! Running the real `suite` binary from the CLI's test binaries, as a user would: against a
//! `suite node` started by the test on a free loopback port, with a fresh `--home` (keystore
//! and address book) per test. [`suite`] uses the test binary's shared node, started on first
//! use and killed when the test binary exits; [`Node::start`] gives a test a node of its own
//! (for a test that moves the clock or compares whole-chain state).

// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A fresh directory for one test's files (`group` names the test binary).
pub fn temp_dir(group: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("suite-{group}-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `suite node` on `data_dir` at a free loopback port, its stdout piped for [`read_port`].
pub fn node_command(data_dir: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_suite"));
    c.arg("--data-dir")
        .arg(data_dir)
        .args(["node", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("SUITE_DATA_DIR")
        .env_remove("SUITE_NODE_TOKEN")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    c
}

/// Waits for the node's first line (`listening on http://127.0.0.1:PORT`); answers the port.
pub fn read_port(child: &mut Child) -> u16 {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines
        .next()
        .expect("the node printed nothing (did it fail to start?)")
        .unwrap();
    let port = line
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    // Keep draining stdout so the node never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    port
}

/// A test's own `suite node`, killed on drop.
pub struct Node {
    child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
}

impl Node {
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Self {
        let mut child = node_command(data_dir, extra)
            .spawn()
            .expect("starting suite node");
        let port = read_port(&mut child);
        Self {
            child,
            port,
            data_dir: data_dir.to_path_buf(),
        }
    }

    pub fn rpc(&self) -> String {
        format!("http://127.0.0.1:{}/rpc/v1", self.port)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test binary's shared node: its URL. The node is spawned from a thread that lives as long
/// as the process, with the kernel told to kill it when that thread dies
/// (`PR_SET_PDEATHSIG`), so it stops when the test binary exits, however the tests end.
pub fn shared_rpc() -> &'static str {
    static RPC: OnceLock<String> = OnceLock::new();
    RPC.get_or_init(|| {
        let data_dir = temp_dir("shared-node", env!("CARGO_CRATE_NAME")).join("devnet");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut command = node_command(&data_dir, &[]);
            #[cfg(target_os = "linux")]
            unsafe {
                use std::os::unix::process::CommandExt;
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let mut child = command.spawn().expect("starting the shared suite node");
            let port = read_port(&mut child);
            tx.send(port).unwrap();
            loop {
                std::thread::park();
            }
        });
        let port = rx.recv().expect("the shared node started");
        format!("http://127.0.0.1:{port}/rpc/v1")
    })
}

/// Runs `suite` as a client of `rpc`, with `home` as its `--home`.
pub fn suite_at(rpc: &str, home: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_suite"))
        .args(args)
        .env("SUITE_RPC", rpc)
        .env("SUITE_HOME", home)
        .env_remove("SUITE_DATA_DIR")
        .env_remove("SUITE_DEPLOYMENT")
        .env_remove("SUITE_RPC_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running suite");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A client of one node with its own home.
pub struct Client {
    pub rpc: String,
    pub home: PathBuf,
}

impl Client {
    /// A client of the shared node, its home in `dir/home`.
    pub fn shared(dir: &Path) -> Self {
        Self {
            rpc: shared_rpc().to_string(),
            home: dir.join("home"),
        }
    }

    /// A client of `node`, its home in `dir/home`.
    pub fn of(node: &Node, dir: &Path) -> Self {
        Self {
            rpc: node.rpc(),
            home: dir.join("home"),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        suite_at(&self.rpc, &self.home, args, &[])
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        suite_at(&self.rpc, &self.home, args, stdin)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.ok, "suite {args:?} failed:\n{}{}", r.stdout, r.stderr);
        r.stdout
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert!(r.ok, "suite {all:?} failed:\n{}{}", r.stdout, r.stderr);
        r.json()
    }
}

/// Whether a command talks to a node: `piece commp` and the keystore's `wallet` commands do not
/// (so tests of those need not wait for the shared node to start).
fn needs_node(args: &[&str]) -> bool {
    let words: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with("--")).collect();
    !matches!(
        words.as_slice(),
        ["piece", "commp", ..] | ["wallet", "new" | "list" | "export" | "import" | "default", ..]
    )
}

/// `suite` against the shared node with `dir/home` (the forms the piece and wallet tests use).
pub fn suite_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    if needs_node(args) {
        Client::shared(dir).run_with_stdin(args, stdin)
    } else {
        // No node: an address nothing listens on, so a command that did ask one would fail.
        suite_at("http://127.0.0.1:9/rpc/v1", &dir.join("home"), args, stdin)
    }
}

pub fn suite(dir: &Path, args: &[&str]) -> Run {
    suite_with_stdin(dir, args, &[])
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    Client::shared(dir).ok(args)
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    Client::shared(dir).json(args)
}
