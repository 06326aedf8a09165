//! Reading the FVM's execution trace: the tree of calls a message made, the gas charges of
//! each, and a floor script replaying a flow's unavoidable work.

use std::collections::BTreeMap;

use actor_runtime::builtin::{market, miner, STORAGE_MARKET_ACTOR_ID};
use anyhow::{bail, Result};
use fvm::trace::ExecutionEvent;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum, METHOD_SEND};
use test_actor_floor::{Script, Step};

/// One gas charge: its name, compute and other gas (milligas).
#[derive(Debug, Clone)]
pub struct Charge {
    pub name: String,
    pub compute: u64,
    pub other: u64,
}

/// One send as the trace saw it, with what it charged itself and the sends it made.
#[derive(Debug, Clone)]
pub struct Call {
    pub to: Address,
    pub method: MethodNum,
    pub params: Option<IpldBlock>,
    pub value: TokenAmount,
    pub read_only: bool,
    /// Charges made while this call ran, outside its nested calls.
    pub charges: Vec<Charge>,
    pub calls: Vec<Call>,
    /// `None` when the send failed as a syscall.
    pub exit: Option<ExitCode>,
}

impl Call {
    /// Milligas charged by this call, outside its nested calls.
    pub fn own(&self) -> u64 {
        self.charges.iter().map(|c| c.compute + c.other).sum()
    }

    /// Milligas charged by this call and everything it called.
    pub fn total(&self) -> u64 {
        self.own() + self.calls.iter().map(Call::total).sum::<u64>()
    }

    /// Whether this call wrote a new state root.
    pub fn saves_state(&self) -> bool {
        self.charges.iter().any(|c| c.name == "OnActorSetRoot")
    }

    /// This call and every nested call, depth first, with their depth.
    pub fn walk(&self, depth: usize, out: &mut Vec<(usize, Call)>) {
        let mut flat = self.clone();
        flat.calls.clear();
        out.push((depth, flat));
        for c in &self.calls {
            c.walk(depth + 1, out);
        }
    }

    /// Every charge of this call and its nested calls.
    pub fn all_charges(&self) -> Vec<Charge> {
        let mut out = self.charges.clone();
        for c in &self.calls {
            out.extend(c.all_charges());
        }
        out
    }
}

/// A message's trace as a tree: charges outside any call (message inclusion), and the call
/// the message made.
#[derive(Debug, Clone)]
pub struct Tree {
    pub outside: Vec<Charge>,
    pub root: Call,
}

impl Tree {
    /// Milligas of every charge.
    pub fn total(&self) -> u64 {
        self.outside.iter().map(|c| c.compute + c.other).sum::<u64>() + self.root.total()
    }

    pub fn all_charges(&self) -> Vec<Charge> {
        let mut out = self.outside.clone();
        out.extend(self.root.all_charges());
        out
    }
}

/// The call tree of a traced message.
pub fn parse(trace: &[ExecutionEvent]) -> Result<Tree> {
    let mut outside = Vec::new();
    let mut stack: Vec<Call> = Vec::new();
    let mut root = None;
    for event in trace {
        match event {
            ExecutionEvent::GasCharge(c) => {
                let charge = Charge {
                    name: c.name.to_string(),
                    compute: c.compute_gas.as_milligas(),
                    other: c.other_gas.as_milligas(),
                };
                match stack.last_mut() {
                    Some(call) => call.charges.push(charge),
                    None => outside.push(charge),
                }
            }
            ExecutionEvent::Call {
                to,
                method,
                params,
                value,
                read_only,
                ..
            } => stack.push(Call {
                to: *to,
                method: *method,
                params: params.clone(),
                value: value.clone(),
                read_only: *read_only,
                charges: Vec::new(),
                calls: Vec::new(),
                exit: None,
            }),
            ExecutionEvent::CallReturn(..) | ExecutionEvent::CallError(_) => {
                let Some(mut call) = stack.pop() else {
                    bail!("a return without a call in the trace");
                };
                if let ExecutionEvent::CallReturn(exit, _) = event {
                    call.exit = Some(*exit);
                }
                match stack.last_mut() {
                    Some(parent) => parent.calls.push(call),
                    None => root = Some(call),
                }
            }
            _ => {}
        }
    }
    match (root, stack.is_empty()) {
        (Some(root), true) => Ok(Tree { outside, root }),
        _ => bail!("the trace holds no complete call (is tracing on?)"),
    }
}

/// Names for the actors and methods a trace mentions.
pub struct Names {
    actors: BTreeMap<ActorID, String>,
    methods: BTreeMap<MethodNum, &'static str>,
}

impl Names {
    pub fn new(actors: &[(ActorID, &str)]) -> Self {
        use suite_interfaces::{bounty as b, escrow as e, reputation as r};
        let methods = [
            (METHOD_SEND, "send (method 0)"),
            (b::METHOD_POST_BOUNTY, "PostBounty"),
            (b::METHOD_CLAIM_BOUNTY, "ClaimBounty"),
            (b::METHOD_WITHDRAW, "Withdraw"),
            (b::METHOD_CANCEL_BOUNTY, "CancelBounty"),
            (b::METHOD_RECLAIM, "Reclaim"),
            (b::METHOD_ON_COLLATERAL_CHANGED, "OnCollateralChanged"),
            (e::METHOD_LOCK, "Lock"),
            (e::METHOD_TOP_UP, "TopUp"),
            (e::METHOD_REPORT_FAULT, "ReportFault"),
            (e::METHOD_RELEASE, "Release"),
            (r::METHOD_RECORD_OUTCOME, "RecordOutcome"),
            (r::METHOD_GET_SCORES, "GetScores"),
            (market::GET_DEAL_DATA_COMMITMENT, "GetDealDataCommitment"),
            (market::GET_DEAL_CLIENT, "GetDealClient"),
            (market::GET_DEAL_PROVIDER, "GetDealProvider"),
            (market::GET_DEAL_TERM, "GetDealTerm"),
            (market::GET_DEAL_ACTIVATION, "GetDealActivation"),
            (market::GET_DEAL_SECTOR, "GetDealSector"),
            (miner::GET_OWNER, "GetOwner"),
            (miner::IS_CONTROLLING_ADDRESS, "IsControllingAddress"),
            (miner::GET_SECTOR_SIZE, "GetSectorSize"),
            (miner::VALIDATE_SECTOR_STATUS, "ValidateSectorStatus"),
            (miner::GENERATE_SECTOR_LOCATION, "GenerateSectorLocation"),
            (miner::GET_NOMINAL_SECTOR_EXPIRATION, "GetNominalSectorExpiration"),
            (test_actor_floor::METHOD_RUN, "Run"),
        ]
        .into_iter()
        .collect();
        let mut names: BTreeMap<ActorID, String> =
            actors.iter().map(|(id, n)| (*id, n.to_string())).collect();
        names.insert(STORAGE_MARKET_ACTOR_ID, "f05 market".into());
        Self {
            actors: names,
            methods,
        }
    }

    pub fn actor(&self, a: &Address) -> String {
        match a.id().ok().and_then(|id| self.actors.get(&id)) {
            Some(name) => name.clone(),
            None => a.to_string(),
        }
    }

    pub fn call(&self, c: &Call) -> String {
        let method = match self.methods.get(&c.method) {
            Some(m) => m.to_string(),
            None => format!("method {}", c.method),
        };
        format!("{} {method}", self.actor(&c.to))
    }
}

/// Charges summed by name: (name, count, compute, other), by total, largest first (milligas).
pub fn by_name(charges: &[Charge]) -> Vec<(String, u64, u64, u64)> {
    let mut sums: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for c in charges {
        let e = sums.entry(&c.name).or_default();
        e.0 += 1;
        e.1 += c.compute;
        e.2 += c.other;
    }
    let mut out: Vec<_> = sums
        .into_iter()
        .map(|(n, (count, compute, other))| (n.to_string(), count, compute, other))
        .collect();
    out.sort_by_key(|(_, _, compute, other)| std::cmp::Reverse(compute + other));
    out
}

/// The floor script of a traced call: its state write, and each send it made, with the
/// suite's actors replaced by floors (`floor_of`) running their own scripts.
pub fn script(call: &Call, floor_of: &dyn Fn(&Address) -> Option<Address>) -> Script {
    let steps = call
        .calls
        .iter()
        .map(|c| {
            let (codec, params) = match &c.params {
                Some(p) => (p.codec, RawBytes::new(p.data.clone())),
                None => (0, RawBytes::default()),
            };
            let base = Step {
                to: c.to,
                method: c.method,
                codec,
                params,
                value: c.value.clone(),
                read_only: c.read_only,
                gas_limit: None,
                nested: None,
            };
            match floor_of(&c.to) {
                Some(floor) => Step {
                    to: floor,
                    codec: 0,
                    params: RawBytes::default(),
                    nested: Some(script(c, floor_of)),
                    ..base
                },
                None => base,
            }
        })
        .collect();
    Script {
        save: call.saves_state(),
        steps,
    }
}

/// The bytes of each block a trace's OnBlockLink charges wrote: their storage part is 506,000
/// gas per block + 3,340 per byte in ref-fvm 4's price list.
pub fn bytes_written(charges: &[Charge]) -> Vec<u64> {
    charges
        .iter()
        .filter(|c| c.name == "OnBlockLink")
        .map(|c| (c.other / 1000).saturating_sub(506_000) / 3_340)
        .collect()
}
