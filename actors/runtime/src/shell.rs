//! The thin fvm_sdk shell: reading the message, caller validation, state root, sends, events
//! and the exported `invoke` glue. Only compiled into wasm (and for clippy's eyes on the host).

use std::cell::Cell;

use cid::Cid;
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::CborStore;
use fvm_sdk as sdk;
use fvm_shared::address::Address;
use fvm_shared::bigint::Zero;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum, Response, METHOD_SEND};
use multihash_codetable::Code;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::builtin::BuiltinType;
use crate::params::{decode_params, decode_return, expect_no_params};
use crate::{ActorError, ActorResult, Facts};

/// The VM's blockstore, seen through the `Blockstore` trait so HAMTs work unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct SdkBlockstore;

impl Blockstore for SdkBlockstore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        // Every block an actor can name is reachable; a missing one is a real error.
        sdk::ipld::get(k)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("get {k}: {e}"))
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let code = k.hash().code();
        let size = k.hash().size() as u32;
        let cid = sdk::ipld::put(code, size, k.codec(), block).map_err(|e| anyhow::anyhow!("put: {e}"))?;
        anyhow::ensure!(cid == *k, "put block under {k} but the VM computed {cid}");
        Ok(())
    }

    fn put<D: AsRef<[u8]>>(&self, code: Code, block: &Block<D>) -> anyhow::Result<Cid> {
        // Let the VM hash: cheaper than hashing in wasm.
        sdk::ipld::put(code.into(), 32, block.codec, block.data.as_ref())
            .map_err(|e| anyhow::anyhow!("put: {e}"))
    }
}

/// What a method sees of the VM during one invocation.
pub struct Runtime {
    params: Option<IpldBlock>,
    facts: Facts,
    caller_validations: Cell<u32>,
}

impl Runtime {
    fn new(params: Option<IpldBlock>) -> Self {
        let facts = Facts {
            caller: sdk::message::caller(),
            receiver: sdk::message::receiver(),
            method: sdk::message::method_number(),
            epoch: sdk::network::curr_epoch(),
            value_received: sdk::message::value_received(),
        };
        Self {
            params,
            facts,
            caller_validations: Cell::new(0),
        }
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    pub fn method(&self) -> MethodNum {
        self.facts.method
    }

    pub fn store(&self) -> SdkBlockstore {
        SdkBlockstore
    }

    /// Decodes the parameters (exit 16 if missing, 21 if they do not decode).
    pub fn params<P: DeserializeOwned>(&self) -> ActorResult<P> {
        decode_params(self.params.as_ref())
    }

    /// For methods without parameters (exit 16 if a block was sent).
    pub fn no_params(&self) -> ActorResult<()> {
        expect_no_params(self.params.as_ref())
    }

    /// For methods that take no FIL (exit 26 otherwise; the transfer is rolled back).
    pub fn no_value(&self) -> ActorResult<()> {
        if !self.facts.value_received.is_zero() {
            return Err(ActorError::not_payable(format!(
                "method takes no value, got {}",
                self.facts.value_received
            )));
        }
        Ok(())
    }

    fn mark_validated(&self) -> ActorResult<()> {
        let n = self.caller_validations.get() + 1;
        self.caller_validations.set(n);
        if n > 1 {
            return Err(ActorError::assertion_failed("caller validated more than once"));
        }
        Ok(())
    }

    pub fn validate_caller_any(&self) -> ActorResult<()> {
        self.mark_validated()
    }

    pub fn validate_caller_is(&self, allowed: &[ActorID]) -> ActorResult<()> {
        self.mark_validated()?;
        if !allowed.contains(&self.facts.caller) {
            return Err(ActorError::forbidden(format!(
                "caller f0{} is not allowed",
                self.facts.caller
            )));
        }
        Ok(())
    }

    pub fn validate_caller_type(&self, allowed: &[BuiltinType]) -> ActorResult<()> {
        self.mark_validated()?;
        match self.actor_type(self.facts.caller) {
            Some(t) if allowed.contains(&t) => Ok(()),
            other => Err(ActorError::forbidden(format!(
                "caller f0{} of type {other:?} is not one of {allowed:?}",
                self.facts.caller
            ))),
        }
    }

    /// The answer to a method number the actor does not have, as builtin actors give it:
    /// exit 22 (USR_UNHANDLED_MESSAGE), "<actor> has no method <n>", after the caller check
    /// every method makes.
    pub fn unhandled(&self, actor: &str) -> ActorResult<Option<IpldBlock>> {
        self.validate_caller_any()?;
        Err(ActorError::unhandled_message(format!(
            "{actor} has no method {}",
            self.method()
        )))
    }

    /// Validation that needs the actor's own state or other actors: `check` answers whether
    /// the caller may proceed (with its own error when not).
    pub fn validate_caller_with(&self, check: impl FnOnce(ActorID) -> ActorResult<()>) -> ActorResult<()> {
        self.mark_validated()?;
        check(self.facts.caller)
    }

    /// The builtin type of an actor's code, if it is a builtin actor.
    pub fn actor_type(&self, id: ActorID) -> Option<BuiltinType> {
        let code = sdk::actor::get_actor_code_cid(&Address::new_id(id))?;
        let id = sdk::actor::get_builtin_actor_type(&code)?;
        BuiltinType::from_id(u32::try_from(id).ok()?)
    }

    pub fn resolve(&self, address: &Address) -> Option<ActorID> {
        sdk::actor::resolve_address(address)
    }

    /// The ID of the actor behind `address`, only if an actor exists there (the VM resolves
    /// any ID address to itself, actor or not).
    pub fn resolve_existing(&self, address: &Address) -> Option<ActorID> {
        let id = sdk::actor::resolve_address(address)?;
        sdk::actor::get_actor_code_cid(&Address::new_id(id)).map(|_| id)
    }

    /// The ID of the actor at `address`, or exit 16 naming `what`.
    pub fn existing_actor(&self, address: &Address, what: &str) -> ActorResult<ActorID> {
        self.resolve_existing(address)
            .ok_or_else(|| ActorError::illegal_argument(format!("{what}: no actor at {address}")))
    }

    /// The ID of the storage miner (builtin type 6) at `address`, or exit 16.
    pub fn storage_miner(&self, address: &Address, what: &str) -> ActorResult<ActorID> {
        let id = self.existing_actor(address, what)?;
        if self.actor_type(id) != Some(BuiltinType::Miner) {
            return Err(ActorError::illegal_argument(format!(
                "{what}: f0{id} is not a storage miner"
            )));
        }
        Ok(id)
    }

    /// Validates that the caller is the owner, worker or a control address of `miner` (the
    /// miner's `IsControllingAddress`, read-only); exit 18 otherwise.
    pub fn validate_caller_controls(&self, miner: ActorID) -> ActorResult<()> {
        self.validate_caller_with(|caller| {
            let asked = crate::params::encode_params(&Address::new_id(caller))?;
            let controls: bool = self
                .query(
                    &Address::new_id(miner),
                    crate::builtin::miner::IS_CONTROLLING_ADDRESS,
                    asked,
                )?
                .map_err(|c| {
                    ActorError::unspecified(format!("miner IsControllingAddress failed: exit {}", c.value()))
                })?;
            if !controls {
                return Err(ActorError::forbidden(format!(
                    "f0{caller} is not a controlling address of miner f0{miner}"
                )));
            }
            Ok(())
        })
    }

    pub fn balance(&self) -> TokenAmount {
        sdk::sself::current_balance()
    }

    /// The actor's current state root (a syscall, no block read).
    pub fn state_root(&self) -> ActorResult<Cid> {
        sdk::sself::root().map_err(|e| ActorError::illegal_state(format!("no state root: {e:?}")))
    }

    pub fn state<S: DeserializeOwned>(&self) -> ActorResult<S> {
        let root = self.state_root()?;
        SdkBlockstore
            .get_cbor(&root)
            .map_err(|e| ActorError::illegal_state(format!("state: {e}")))?
            .ok_or_else(|| ActorError::illegal_state("state block missing"))
    }

    pub fn save_state<S: Serialize>(&self, state: &S) -> ActorResult<()> {
        let cid = SdkBlockstore
            .put_cbor(state, Code::Blake2b256)
            .map_err(|e| ActorError::illegal_state(format!("save state: {e}")))?;
        sdk::sself::set_root(&cid).map_err(|e| match e {
            sdk::error::StateUpdateError::ReadOnly => {
                ActorError::read_only("cannot change state in a read-only call")
            }
            other => ActorError::illegal_state(format!("set root: {other}")),
        })
    }

    pub fn emit(&self, event: &fvm_shared::event::ActorEvent) -> ActorResult<()> {
        sdk::event::emit_event(event).map_err(|e| match e {
            ErrorNumber::ReadOnly => ActorError::read_only("cannot emit events in a read-only call"),
            other => ActorError::illegal_state(format!("emit event: {other}")),
        })
    }

    /// A raw send. Syscall failures become actor errors; a callee's non-zero exit is left in
    /// the response for the caller to judge.
    pub fn send(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        read_only: bool,
    ) -> ActorResult<Response> {
        let flags = if read_only {
            SendFlags::READ_ONLY
        } else {
            SendFlags::empty()
        };
        sdk::send::send(to, method, params, value, None, flags).map_err(|e| send_error(to, method, e))
    }

    /// A call whose failure must not undo the caller's work (registry reports, callbacks):
    /// no value, optionally a gas budget the callee cannot exceed. Returns the callee's exit
    /// code, or the code a syscall failure maps to, when it did not succeed.
    pub fn send_best_effort(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        gas_limit: Option<u64>,
    ) -> Option<u32> {
        match sdk::send::send(
            to,
            method,
            params,
            TokenAmount::zero(),
            gas_limit,
            SendFlags::empty(),
        ) {
            Ok(r) if r.exit_code.is_success() => None,
            Ok(r) => Some(r.exit_code.value()),
            Err(e) => Some(send_error(to, method, e).exit_code().value()),
        }
    }

    /// Calls an exported method (`name` names it in errors) and decodes its return. A non-zero
    /// exit aborts this actor with the callee's user code, as builtin-actors does for nested
    /// calls (`ActorError::checked`): an actor-specific code such as the escrow's 33 reaches the
    /// message's sender unchanged, and system codes become USR_UNSPECIFIED. The callee's abort
    /// message does not travel between actors in the FVM; it stays in the message's backtrace.
    pub fn call<R: DeserializeOwned>(
        &self,
        to: &Address,
        method: MethodNum,
        name: &str,
        params: Option<IpldBlock>,
        value: TokenAmount,
    ) -> ActorResult<R> {
        let answer = self.call_undecoded(to, method, name, params, value)?;
        decode_return(answer.as_ref(), &format!("{to} {name}"))
    }

    /// [`Runtime::call`] without decoding the return, for a caller that checks something else
    /// first (the market checks its state root before trusting what the escrow answered).
    pub fn call_undecoded(
        &self,
        to: &Address,
        method: MethodNum,
        name: &str,
        params: Option<IpldBlock>,
        value: TokenAmount,
    ) -> ActorResult<Option<IpldBlock>> {
        let response = self.send(to, method, params, value, false)?;
        expect_success(to, name, &response)?;
        Ok(response.return_data)
    }

    /// A read-only query whose exit code the caller wants to classify (e.g. the market's 32
    /// for a deal that is gone): `Ok(Err(code))` for a non-zero exit.
    pub fn query<R: DeserializeOwned>(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult<Result<R, ExitCode>> {
        let response = self.send(to, method, params, TokenAmount::zero(), true)?;
        if !response.exit_code.is_success() {
            return Ok(Err(response.exit_code));
        }
        decode_return(response.return_data.as_ref(), &format!("{to} method {method}")).map(Ok)
    }

    /// Pays `amount` with a method-0 send, so no code runs at the recipient.
    pub fn transfer(&self, to: &Address, amount: &TokenAmount) -> ActorResult<()> {
        if amount.is_zero() {
            return Ok(());
        }
        let response = self.send(to, METHOD_SEND, None, amount.clone(), false)?;
        expect_success(to, "Send", &response)
    }
}

fn expect_success(to: &Address, name: &str, response: &Response) -> ActorResult<()> {
    let code = response.exit_code;
    if code.is_success() {
        return Ok(());
    }
    let message = format!("{name} on {to} failed with exit {}", code.value());
    if code.is_system_error() {
        Err(ActorError::unspecified(message))
    } else {
        Err(ActorError::new(code, message))
    }
}

fn send_error(to: &Address, method: MethodNum, e: ErrorNumber) -> ActorError {
    let message = format!("send to {to} method {method}: {e}");
    match e {
        ErrorNumber::NotFound => ActorError::not_found(message),
        ErrorNumber::InsufficientFunds => ActorError::insufficient_funds(message),
        ErrorNumber::ReadOnly => ActorError::read_only(message),
        _ => ActorError::unspecified(message),
    }
}

/// The body of an actor's exported `invoke`: installs the panic hook, decodes the message,
/// runs `dispatch`, insists the method validated its caller exactly once, and turns the
/// outcome into a return block id or an abort with the error's code and message.
pub fn invoke(params_id: u32, dispatch: impl FnOnce(&Runtime) -> ActorResult<Option<IpldBlock>>) -> u32 {
    std::panic::set_hook(Box::new(|info| {
        sdk::vm::abort(
            ExitCode::USR_ASSERTION_FAILED.value(),
            Some(&format!("panic: {info}")),
        )
    }));
    let params = match sdk::message::params_raw(params_id) {
        Ok(p) => p,
        Err(e) => sdk::vm::abort(
            ExitCode::USR_SERIALIZATION.value(),
            Some(&format!("cannot read parameters: {e}")),
        ),
    };
    let rt = Runtime::new(params);
    match dispatch(&rt) {
        Ok(ret) => {
            if rt.caller_validations.get() != 1 {
                sdk::vm::abort(
                    ExitCode::USR_ASSERTION_FAILED.value(),
                    Some("method must validate its caller exactly once"),
                );
            }
            match ret {
                None => sdk::NO_DATA_BLOCK_ID,
                Some(block) => sdk::ipld::put_block(block.codec, &block.data).unwrap_or_else(|e| {
                    sdk::vm::abort(
                        ExitCode::USR_SERIALIZATION.value(),
                        Some(&format!("cannot return: {e}")),
                    )
                }),
            }
        }
        Err(e) => sdk::vm::abort(e.exit_code().value(), Some(e.message())),
    }
}
