//! Section: `suite node` over HTTP on loopback: signed messages pushed → included → receipt found
//! per second (PostBounty and ClaimBounty from several clients and providers at once), and the
//! latency of ChainHead and StateCall. The node is the `suite` binary next to this one
//! (`cargo build -p suite-cli`; `scripts/bench.sh` builds it), on a fresh devnet in a temporary
//! directory, killed at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use cid::Cid;
use data_encoding::BASE64;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use integration_tests::client::wallet::{Key, KeyType, SignedMessage};
use serde_json::{json, Value};
use suite_interfaces::bounty::{
    ClaimBountyParams, IdParams, PostBountyParams, METHOD_CLAIM_BOUNTY, METHOD_GET_BOUNTY, METHOD_POST_BOUNTY,
};

use super::report::{Section, Table};
use super::{Findings, Options};

struct Node {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn suite_binary() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("SUITE_BIN") {
        return Ok(path.into());
    }
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("suite");
    ensure!(
        path.exists(),
        "no `suite` binary at {} (build it first: cargo build --locked -p suite-cli, or set SUITE_BIN)",
        path.display()
    );
    Ok(path)
}

impl Node {
    fn start(block_time: &str) -> Result<(Self, u64)> {
        let suite = suite_binary()?;
        let dir = std::env::temp_dir().join(format!("suite-bench-node-{}-{block_time}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = dir.join("devnet");
        let mut child = Command::new(&suite)
            .arg("--data-dir")
            .arg(&data)
            .args(["node", "--listen", "127.0.0.1:0", "--block-time", block_time])
            .env(
                "RUST_LOG",
                std::env::var("SUITE_BENCH_NODE_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let line = lines.next().context("the node printed nothing")??;
        std::thread::spawn(move || for _ in lines {});
        let port = line
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| anyhow!("unexpected first line {line:?}"))?;
        let node = Node { child, port, dir };
        let deployment = node.call("Devnet.Deployment", json!([]))?;
        let market = deployment["actors"]["bounty-market"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow!("no bounty market in {deployment}"))?;
        Ok((node, market))
    }

    fn call(&self, method: &str, params: Value) -> Result<Value> {
        let a = rpc(self.port, method, params)?;
        if let Some(e) = a.get("error") {
            bail!("{method}: {e}");
        }
        Ok(a["result"].clone())
    }
}

/// One JSON-RPC call over a fresh HTTP/1.1 connection (as most JS clients make them).
fn rpc(port: u16, method: &str, params: Value) -> Result<Value> {
    let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_nodelay(true)?;
    write!(
        s,
        "POST /rpc/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP answer")?;
    serde_json::from_str(body)
        .with_context(|| format!("{method}: the answer is not JSON: {head}\n{body:.300}"))
}

fn lotus_signed(s: &SignedMessage) -> Value {
    let m = &s.message;
    let kind = match s.signature.sig_type {
        fvm_shared::crypto::signature::SignatureType::Secp256k1 => 1,
        fvm_shared::crypto::signature::SignatureType::BLS => 2,
    };
    json!({
        "Message": {
            "Version": 0, "To": m.to.to_string(), "From": m.from.to_string(), "Nonce": m.sequence,
            "Value": m.value.atto().to_string(), "GasLimit": m.gas_limit,
            "GasFeeCap": m.gas_fee_cap.atto().to_string(), "GasPremium": m.gas_premium.atto().to_string(),
            "Method": m.method_num, "Params": BASE64.encode(m.params.bytes()),
        },
        "Signature": {"Type": kind, "Data": BASE64.encode(&s.signature.bytes)},
    })
}

fn message(
    from: &Key,
    to: Address,
    nonce: u64,
    method: u64,
    params: RawBytes,
    value: TokenAmount,
) -> Message {
    Message {
        version: 0,
        from: from.address(),
        to,
        sequence: nonce,
        value,
        method_num: method,
        params,
        // PostBounty uses a few tens of millions, ClaimBounty about 70 M and more as the
        // escrow's state grows; unused gas is over-estimation (burnt, not charged twice).
        gas_limit: if method == METHOD_CLAIM_BOUNTY {
            500_000_000
        } else {
            100_000_000
        },
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

fn push(port: u16, key: &Key, m: Message) -> Result<Cid> {
    let s = SignedMessage::sign(key, m)?;
    let a = rpc(port, "Filecoin.MpoolPush", json!([lotus_signed(&s)]))?;
    let cid = a["result"]["/"]
        .as_str()
        .ok_or_else(|| anyhow!("MpoolPush refused: {a}"))?;
    Ok(cid.parse()?)
}

/// Waits for a receipt; its return bytes.
fn receipt(port: u16, cid: &Cid) -> Result<Vec<u8>> {
    let found = rpc(
        port,
        "Filecoin.StateWaitMsg",
        json!([{"/": cid.to_string()}, 0, -1, false]),
    )?;
    let r = &found["result"]["Receipt"];
    if r["ExitCode"] != 0 {
        // The receipt has no reason (as in Lotus): replay the message with StateCall for it.
        let m = rpc(port, "Filecoin.ChainGetMessage", json!([{"/": cid.to_string()}]))?;
        let replay = rpc(port, "Filecoin.StateCall", json!([m["result"], null]))?;
        bail!(
            "message {cid} failed with exit {}: {}",
            r["ExitCode"],
            replay["result"]["Error"]
        );
    }
    Ok(match r["Return"].as_str() {
        Some(b) => BASE64.decode(b.as_bytes())?,
        None => Vec::new(),
    })
}

fn piece() -> Cid {
    "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy"
        .parse()
        .expect("a piece CID")
}

/// One client and one provider (a miner owned by a secp256k1 key, with one active deal for the
/// piece per bounty it will claim: a deal backs one claim).
struct Pair {
    client: Key,
    owner: Key,
    miner: Address,
    deals: Vec<u64>,
}

fn setup_pair(node: &Node, rounds: u64) -> Result<Pair> {
    let fund = |key: &Key, fil: u64| {
        node.call(
            "Devnet.Faucet",
            json!([
                key.address().to_string(),
                TokenAmount::from_whole(fil).atto().to_string()
            ]),
        )
    };
    let client = Key::generate(KeyType::Secp256k1)?;
    let owner = Key::generate(KeyType::Secp256k1)?;
    let worker = Key::generate(KeyType::Bls)?;
    fund(&client, 100_000)?;
    fund(&owner, 100_000)?;
    fund(&worker, 10)?;
    let miner = node.call(
        "Devnet.CreateMiner",
        json!([owner.address().to_string(), worker.address().to_string()]),
    )?;
    let miner_text = miner.as_str().context("miner address")?.to_string();
    node.call("Devnet.AddSector", json!([miner_text, 1, 0, 0, null]))?;
    let head = node.call("Filecoin.ChainHead", json!([]))?["Height"]
        .as_i64()
        .unwrap_or(0);
    let start = head + 3 * rounds as i64 + 10;
    let mut deals = Vec::new();
    for _ in 0..rounds {
        let deal = node.call(
            "Devnet.PublishDeal",
            json!([{
                "Client": client.address().to_string(), "Provider": miner_text,
                "PieceCID": {"/": piece().to_string()}, "PieceSize": 128,
                "StartEpoch": start, "EndEpoch": start + 1_000_000,
            }]),
        )?;
        let deal = deal.as_u64().context("deal id")?;
        node.call("Devnet.ActivateDeal", json!([deal, 1]))?;
        deals.push(deal);
    }
    // Past the deals' start: they are active.
    let head = node.call("Filecoin.ChainHead", json!([]))?["Height"]
        .as_i64()
        .unwrap_or(0);
    node.call("Devnet.AdvanceEpochs", json!([(start - head).max(1)]))?;
    let miner: Address = format!("f{}", &miner_text[1..]).parse()?;
    Ok(Pair {
        client,
        owner,
        miner,
        deals,
    })
}

/// Each client pushes `rounds` PostBounty back to back (consecutive nonces, no waiting between
/// pushes), then every receipt is awaited; then each provider claims its client's bounties the
/// same way. Returns (messages, elapsed).
fn post_and_claim(
    node: &Node,
    market: Address,
    pairs: &[Pair],
    rounds: u64,
    claim: bool,
) -> Result<(u64, Duration)> {
    let port = node.port;
    let started = Instant::now();
    let post = PostBountyParams {
        piece_cid: piece(),
        piece_size: 128,
        replicas: 1,
        reward_per_replica: TokenAmount::from_whole(1),
        collateral_per_replica: TokenAmount::from_nano(1_000_000),
        min_duration: 3_000,
        expiry: 1_000_000,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
        renewals: 0,
    };
    let post_params = RawBytes::new(to_vec(&post)?);
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = pairs
            .iter()
            .map(|pair| {
                let post_params = post_params.clone();
                scope.spawn(move || -> Result<()> {
                    // The owner's nonce moved when the devnet created its miner as it.
                    let nonce = |key: &Key| -> Result<u64> {
                        let r = rpc(port, "Filecoin.MpoolGetNonce", json!([key.address().to_string()]))?;
                        r["result"].as_u64().ok_or_else(|| anyhow!("MpoolGetNonce: {r}"))
                    };
                    let (client_nonce, owner_nonce) = (nonce(&pair.client)?, nonce(&pair.owner)?);
                    let mut cids = Vec::new();
                    for n in client_nonce..client_nonce + rounds {
                        let m = message(
                            &pair.client,
                            market,
                            n,
                            METHOD_POST_BOUNTY,
                            post_params.clone(),
                            TokenAmount::from_whole(1),
                        );
                        cids.push(push(port, &pair.client, m)?);
                    }
                    let mut bounties = Vec::new();
                    for cid in &cids {
                        bounties.push(from_slice::<u64>(&receipt(port, cid)?)?);
                    }
                    if !claim {
                        return Ok(());
                    }
                    let mut cids = Vec::new();
                    for ((n, bounty_id), deal_id) in (owner_nonce..).zip(bounties).zip(&pair.deals) {
                        let c = ClaimBountyParams {
                            bounty_id,
                            provider: pair.miner,
                            deal_id: *deal_id,
                            // Every deal was activated in sector 1, above.
                            sector: 1,
                            sector_location: None,
                        };
                        let m = message(
                            &pair.owner,
                            market,
                            n,
                            METHOD_CLAIM_BOUNTY,
                            RawBytes::new(to_vec(&c)?),
                            TokenAmount::from_nano(1_000_000),
                        );
                        cids.push(push(port, &pair.owner, m)?);
                    }
                    for cid in &cids {
                        receipt(port, cid)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| anyhow!("a pusher panicked"))??;
        }
        Ok(())
    })?;
    let per_round = if claim { 2 } else { 1 };
    Ok((pairs.len() as u64 * rounds * per_round, started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn latency(n: usize, mut call: impl FnMut() -> Result<()>) -> Result<(f64, f64)> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        call()?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}

pub fn run(options: &Options, findings: &mut Findings) -> Result<Section> {
    let (pairs, rounds, samples) = if options.quick {
        (4, 5, 200)
    } else {
        (8, 40, 2_000)
    };
    let mut throughput_rows = Vec::new();
    let mut latency_rows = Vec::new();
    let mut headline = String::new();
    for block_time in ["instant", "100ms"] {
        let (node, market_id) = Node::start(block_time)?;
        let market = Address::new_id(market_id);
        let set: Vec<Pair> = (0..pairs)
            .map(|_| setup_pair(&node, rounds))
            .collect::<Result<_>>()?;
        // Untimed: one post and claim, so that every actor's module is compiled (once per
        // node process) before the clock starts.
        let warm = setup_pair(&node, 1)?;
        post_and_claim(&node, market, std::slice::from_ref(&warm), 1, true)?;
        let (messages, took) = post_and_claim(&node, market, &set, rounds, true)?;
        let rate = messages as f64 / took.as_secs_f64();
        throughput_rows.push(vec![
            block_time.to_string(),
            "PostBounty, then ClaimBounty of it (1:1)".to_string(),
            format!("{pairs} clients + {pairs} providers"),
            messages.to_string(),
            format!("{:.2}", took.as_secs_f64()),
            format!("{rate:.0}"),
        ]);
        let (posts, took) = post_and_claim(&node, market, &set, rounds, false)?;
        let posts_rate = posts as f64 / took.as_secs_f64();
        throughput_rows.push(vec![
            block_time.to_string(),
            "PostBounty only".to_string(),
            format!("{pairs} clients"),
            posts.to_string(),
            format!("{:.2}", took.as_secs_f64()),
            format!("{posts_rate:.0}"),
        ]);
        let port = node.port;
        let (head50, head99) = latency(samples, || {
            rpc(port, "Filecoin.ChainHead", json!([]))?;
            Ok(())
        })?;
        let get = json!({
            "To": market.to_string(), "From": set[0].client.address().to_string(),
            "Method": METHOD_GET_BOUNTY, "Params": BASE64.encode(&to_vec(&IdParams { id: 0 })?),
        });
        let (call50, call99) = latency(samples / 4, || {
            let r = rpc(port, "Filecoin.StateCall", json!([get, null]))?;
            ensure!(r["result"]["MsgRct"]["ExitCode"] == 0, "GetBounty: {r}");
            Ok(())
        })?;
        latency_rows.push(vec![
            block_time.to_string(),
            format!("{head50:.2}"),
            format!("{head99:.2}"),
            format!("{call50:.2}"),
            format!("{call99:.2}"),
        ]);
        if block_time == "instant" {
            headline = format!(
                "suite node (instant mining): {rate:.0} signed messages/s pushed → included → receipt (PostBounty + ClaimBounty 1:1, {pairs} client/provider pairs), {posts_rate:.0}/s PostBounty alone; ChainHead p50 {head50:.2} ms, p99 {head99:.2} ms; StateCall GetBounty p50 {call50:.2} ms"
            );
        }
    }
    findings.headlines.push(headline);
    Ok(Section {
        title: "suite node (JSON-RPC)".into(),
        facts: vec![
            "The `suite` binary of this build serving a fresh devnet over HTTP on loopback; the \
             clients are in this process, one fresh TCP connection per request, as a JS client's \
             fetch makes them. A message counts once MpoolPush accepted it and StateWaitMsg \
             found its receipt (exit 0); each client posts a bounty, then its provider claims it \
             with an active deal; each sender pushes its messages back to back (consecutive \
             nonces) and then awaits their receipts."
                .into(),
        ],
        tables: vec![
            Table {
                caption: "Signed messages pushed → included → receipt found".into(),
                header: [
                    "mining",
                    "workload",
                    "senders",
                    "messages",
                    "seconds",
                    "messages/s",
                ]
                .map(String::from)
                .to_vec(),
                rows: throughput_rows,
                notes: vec![
                    "instant: each message in its own tipset, answered once on disk (tipsets \
                     arriving together share one redb transaction); 100ms: a tipset every 100 ms \
                     with the messages waiting."
                        .into(),
                ],
            },
            Table {
                caption: format!(
                    "Latency in ms ({samples} ChainHead, {} StateCall GetBounty)",
                    samples / 4
                ),
                header: [
                    "mining",
                    "ChainHead p50",
                    "ChainHead p99",
                    "StateCall p50",
                    "StateCall p99",
                ]
                .map(String::from)
                .to_vec(),
                rows: latency_rows,
                notes: Vec::new(),
            },
        ],
    })
}
