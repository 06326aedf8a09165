//! The suite's own small actor runtime: what `fil_actors_runtime` gives builtin actors, for
//! FVM v4 user actors (crates.io has no FVM v4 release of it).
//!
//! The host-side modules (errors, params, maps, token math, events, facts) are plain Rust and
//! carry the actors' logic in tests; `shell` is the thin fvm_sdk layer compiled into wasm.

pub mod builtin;
mod error;
pub mod events;
mod facts;
pub mod map;
pub mod params;
pub mod token;
pub mod vector;

#[cfg(any(target_arch = "wasm32", clippy))]
pub mod shell;

pub use error::{
    ActorContext, ActorError, ActorResult, OrActorError, OrNotFound, FIRST_ACTOR_SPECIFIC_EXIT_CODE,
};
pub use events::EventBuilder;
pub use facts::Facts;
pub use frc42_dispatch::method_hash;
pub use map::{Map, MapKey, Page};
pub use vector::Vector;

/// The constructor's method number (never hashed).
pub const METHOD_CONSTRUCTOR: fvm_shared::MethodNum = 1;

/// Exports the wasm `invoke` the FVM calls, running `dispatch` (a function or closure
/// `&shell::Runtime -> ActorResult<Option<IpldBlock>>`) through [`shell::invoke`]:
///
/// ```ignore
/// actor_runtime::entry_point!(dispatch);
///
/// fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
///     match rt.method() {
///         METHOD_CONSTRUCTOR => constructor(rt),
///         METHOD_INCREMENT => increment(rt),
///         _ => rt.unhandled("counter"),
///     }
/// }
/// ```
#[macro_export]
macro_rules! entry_point {
    ($dispatch:expr) => {
        #[no_mangle]
        pub extern "C" fn invoke(params: u32) -> u32 {
            $crate::shell::invoke(params, $dispatch)
        }
    };
}
