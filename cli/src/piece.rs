//! `suite piece`: the piece CID (CommP) of a file, and whether a deal stores a file; and
//! `--file` for the commands that take a piece (`bounty post`, `deal publish`).
//!
//! Files are hashed before the devnet is opened, so a long CommP never holds its lock.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cid::Cid;
use clap::{Args, Subcommand};
use serde_json::json;
use suite_commp::PieceCommitment;

use crate::output::Output;
use crate::session::{Options, Session};
use crate::units::{parse_piece_cid, parse_size};
use crate::views::bytes;
use crate::{BountyCmd, Command, DealCmd};

#[derive(Subcommand)]
pub enum PieceCmd {
    /// A file's piece CID (CommP v1), padded piece size and payload size; no devnet needed.
    #[command(after_help = "\
Files of any size up to one 64 GiB piece (68,182,605,824 bytes of payload) are hashed in a
stream, on every core. A payload under 127 bytes (also an empty one) is zero-filled to the
smallest piece, 127 bytes (128 padded).

Examples:
  suite piece commp movie.mp4
  tar c photos/ | suite piece commp -
  suite --json piece commp --v2 movie.mp4")]
    Commp {
        /// The file, or `-` for standard input.
        file: PathBuf,
        /// Also print the piece CID v2 of FRC-0069 (`bafkzcib…`: raw codec, the size inside),
        /// as Filecoin Onchain Cloud (PDP) names pieces; deals in f05 use v1.
        #[arg(long)]
        v2: bool,
    },
    /// Check that a deal stores a file: its data commitment (f05 GetDealDataCommitment) is the
    /// file's piece CID and size (or the file zero-filled to the deal's larger piece size).
    #[command(
        after_help = "Example:\n  suite piece verify movie.mp4 --deal 0   # exit status 1 if the deal stores other data"
    )]
    Verify {
        /// The file, or `-` for standard input.
        file: PathBuf,
        #[arg(long)]
        deal: u64,
    },
}

/// A piece as the commands that take one accept it: a piece CID and size, or a file whose
/// piece CID and size `suite` computes.
#[derive(Args)]
pub struct PieceArgs {
    /// Piece CID (a CommP: baga6ea4sea…).
    #[arg(long, required_unless_present = "file")]
    pub piece: Option<String>,
    /// Padded piece size (e.g. 2KiB, 32GiB).
    #[arg(long, required_unless_present = "file")]
    pub size: Option<String>,
    /// Compute the piece CID and size of this file (CommP) instead of --piece and --size.
    #[arg(long, conflicts_with_all = ["piece", "size"])]
    pub file: Option<PathBuf>,
    #[arg(skip)]
    computed: Option<PieceCommitment>,
}

impl PieceArgs {
    /// The piece CID and padded size to use.
    pub fn resolve(&self) -> Result<(Cid, u64)> {
        if let Some(c) = &self.computed {
            return Ok((c.cid(), c.padded_size()));
        }
        match (&self.piece, &self.size, &self.file) {
            (Some(piece), Some(size), None) => Ok((parse_piece_cid(piece)?, parse_size(size)?)),
            (_, _, Some(file)) => bail!("the piece of {} was not computed", file.display()),
            _ => bail!("give --piece and --size, or --file"),
        }
    }
}

/// Computes the piece of every `--file` in the command, before the devnet is opened.
pub fn prepare(command: &mut Command, json: bool) -> Result<()> {
    let args = match command {
        Command::Deal(DealCmd::Publish { piece, .. }) | Command::Bounty(BountyCmd::Post { piece, .. }) => {
            piece
        }
        _ => return Ok(()),
    };
    if let Some(file) = &args.file {
        args.computed = Some(commp(file, json)?);
    }
    Ok(())
}

/// Runs a `suite piece` command.
pub fn run(options: &Options, command: PieceCmd, json: bool) -> Result<Output> {
    match command {
        PieceCmd::Commp { file, v2 } => {
            let c = commp(&file, json)?;
            let mut out = json!({
                "file": file.display().to_string(),
                "piece_cid": c.cid().to_string(),
                "piece_size": c.padded_size(),
                "payload_size": c.payload_size(),
                "unpadded_size": c.unpadded_size(),
            });
            let mut text = format!(
                "piece CID     {}\npiece size    {} ({}, padded)\npayload       {} bytes{}",
                c.cid(),
                c.padded_size(),
                bytes(c.padded_size().into()),
                c.payload_size(),
                if c.padding() > 0 {
                    format!(", zero-filled to {} unpadded", c.unpadded_size())
                } else {
                    String::new()
                }
            );
            if v2 {
                out["piece_cid_v2"] = c.cid_v2().to_string().into();
                text.push_str(&format!("\npiece CID v2  {}", c.cid_v2()));
            }
            Ok(Output::new(out, text))
        }
        PieceCmd::Verify { file, deal } => {
            let c = commp(&file, json)?;
            let mut d = Session::open(options)?;
            let on_chain = crate::calls::answer(
                suite_devnet::StorageMarketClient::new().deal_data_commitment(&mut d, deal),
            )
            .with_context(|| {
                    format!(
                        "deal {deal}: the storage market keeps only live deals: a terminated, settled or expired deal is gone"
                    )
                })?;
            let deal_size = on_chain.size.0;
            // The file's own piece, or the file zero-filled to the deal's larger piece.
            let expected = if deal_size == c.padded_size() {
                Some(c)
            } else {
                c.padded_to(deal_size)
            };
            let name = file.display();
            match expected {
                Some(e) if e.cid() == on_chain.data => {
                    let filled = e.padded_size() > c.padded_size();
                    Ok(Output::new(
                        json!({
                            "deal_id": deal,
                            "file": name.to_string(),
                            "matches": true,
                            "piece_cid": e.cid().to_string(),
                            "piece_size": deal_size,
                            "payload_size": c.payload_size(),
                            "zero_filled": filled,
                        }),
                        format!(
                            "deal {deal} stores {name}: piece {} ({}{})",
                            e.cid(),
                            bytes(deal_size.into()),
                            if filled {
                                format!(
                                    ", the file zero-filled from its own {} piece",
                                    bytes(c.padded_size().into())
                                )
                            } else {
                                String::new()
                            }
                        ),
                    ))
                }
                _ => bail!(
                    "deal {deal} does not store {name}: the deal's piece is {} ({}); the file's is {} ({}){}",
                    on_chain.data,
                    bytes(deal_size.into()),
                    c.cid(),
                    bytes(c.padded_size().into()),
                    match expected {
                        Some(e) if deal_size > c.padded_size() =>
                            format!(", or {} zero-filled to {}", e.cid(), bytes(deal_size.into())),
                        _ => String::new(),
                    }
                ),
            }
        }
    }
}

/// The piece of a file (`-`: standard input), with a progress line on a terminal.
pub fn commp(file: &Path, json: bool) -> Result<PieceCommitment> {
    let stdin = file == Path::new("-");
    let total = if stdin {
        None
    } else {
        let meta = std::fs::metadata(file).with_context(|| format!("{}", file.display()))?;
        if meta.is_dir() {
            bail!(
                "{} is a directory: CommP takes one file (e.g. `tar c DIR | suite piece commp -`)",
                file.display()
            );
        }
        meta.is_file().then_some(meta.len())
    };
    let mut progress = Progress::new(!json && std::io::stderr().is_terminal(), total);
    let result = if stdin {
        suite_commp::piece_commitment_with(std::io::stdin().lock(), 0, &mut |n| progress.show(n))
    } else {
        suite_commp::piece_commitment_of_file(file, &mut |n| progress.show(n))
    };
    progress.clear();
    let what = if stdin {
        "standard input".to_string()
    } else {
        file.display().to_string()
    };
    result.with_context(|| what)
}

/// One line on stderr, rewritten at most 4 times a second, from half a second on.
struct Progress {
    enabled: bool,
    total: Option<u64>,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    fn new(enabled: bool, total: Option<u64>) -> Self {
        Self {
            enabled,
            total,
            started: Instant::now(),
            last: None,
        }
    }

    fn show(&mut self, done: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let due = match self.last {
            None => now.duration_since(self.started) >= Duration::from_millis(500),
            Some(last) => now.duration_since(last) >= Duration::from_millis(250),
        };
        if !due {
            return;
        }
        self.last = Some(now);
        let rate = done as f64 / now.duration_since(self.started).as_secs_f64().max(1e-9);
        let of = match self.total {
            Some(t) if t > 0 => format!(
                " of {} ({:.0} %)",
                bytes(t.into()),
                done as f64 * 100.0 / t as f64
            ),
            _ => String::new(),
        };
        eprint!(
            "\r\x1b[2KCommP: {}{of}, {}/s",
            bytes(done.into()),
            bytes(rate as u128)
        );
    }

    fn clear(&self) {
        if self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}
