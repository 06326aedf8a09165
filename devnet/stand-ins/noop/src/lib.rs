//! Stand-in for every builtin actor the suite never calls (cron, power, reward, ...). The
//! harness gives each manifest entry its own code CID by appending a named custom section to
//! this one module.

#[cfg(any(target_arch = "wasm32", clippy))]
#[no_mangle]
pub extern "C" fn invoke(params: u32) -> u32 {
    actor_runtime::shell::invoke(params, |rt| {
        rt.validate_caller_any()?;
        Err(
            actor_runtime::actor_error!(unhandled_message; "stand-in actor implements no method {}", rt.method()),
        )
    })
}
