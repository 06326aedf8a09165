//! One error type for every actor in the suite: an exit code plus a message, with context
//! kept as the error travels up.

use std::fmt::{self, Display};

use fvm_shared::error::ExitCode;

/// First exit code an actor may define for itself (builtin-actors' FIRST_ACTOR_SPECIFIC_EXIT_CODE).
pub const FIRST_ACTOR_SPECIFIC_EXIT_CODE: u32 = 32;

/// An actor failure: the exit code the message aborts with and a human readable reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorError {
    exit_code: ExitCode,
    message: String,
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $name:ident => $code:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(message: impl Into<String>) -> Self {
                Self::new(ExitCode::$code, message)
            }
        )*
    };
}

impl ActorError {
    /// An error with an explicit exit code. Codes in the system range (below 16) are not
    /// allowed to user actors; they are turned into USR_ASSERTION_FAILED so a bug can never
    /// make the VM report a system failure.
    pub fn new(exit_code: ExitCode, message: impl Into<String>) -> Self {
        let message = message.into();
        if exit_code.is_system_error() || exit_code.is_success() {
            return Self {
                exit_code: ExitCode::USR_ASSERTION_FAILED,
                message: format!("invalid exit code {exit_code}: {message}"),
            };
        }
        Self { exit_code, message }
    }

    /// An actor-specific code (32 and above), as the builtin market's EX_DEAL_EXPIRED.
    pub fn actor_specific(code: u32, message: impl Into<String>) -> Self {
        if code < FIRST_ACTOR_SPECIFIC_EXIT_CODE {
            return Self::assertion_failed(format!(
                "actor-specific exit code {code} is below {FIRST_ACTOR_SPECIFIC_EXIT_CODE}"
            ));
        }
        Self::new(ExitCode::new(code), message)
    }

    constructors! {
        /// 16: the parameters are wrong.
        illegal_argument => USR_ILLEGAL_ARGUMENT,
        /// 17: the thing asked for does not exist.
        not_found => USR_NOT_FOUND,
        /// 18: the caller may not do this.
        forbidden => USR_FORBIDDEN,
        /// 19: not enough funds (sent or held).
        insufficient_funds => USR_INSUFFICIENT_FUNDS,
        /// 20: the state does not allow this now (or is corrupt).
        illegal_state => USR_ILLEGAL_STATE,
        /// 21: bytes that do not decode.
        serialization => USR_SERIALIZATION,
        /// 22: no such method.
        unhandled_message => USR_UNHANDLED_MESSAGE,
        /// 23: a failure with no better code.
        unspecified => USR_UNSPECIFIED,
        /// 24: an internal invariant broke (a bug).
        assertion_failed => USR_ASSERTION_FAILED,
        /// 25: a state change was attempted in a read-only call.
        read_only => USR_READ_ONLY,
        /// 26: value was sent to a method that does not take any.
        not_payable => USR_NOT_PAYABLE,
    }

    pub fn exit_code(&self) -> ExitCode {
        self.exit_code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefix the message with where the error passed, keeping the exit code.
    pub fn wrap(self, context: impl Display) -> Self {
        Self {
            exit_code: self.exit_code,
            message: format!("{context}: {}", self.message),
        }
    }
}

impl Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (exit {})", self.message, self.exit_code.value())
    }
}

impl std::error::Error for ActorError {}

impl From<fvm_ipld_encoding::Error> for ActorError {
    fn from(e: fvm_ipld_encoding::Error) -> Self {
        Self::serialization(e.to_string())
    }
}

impl From<fvm_ipld_hamt::Error> for ActorError {
    fn from(e: fvm_ipld_hamt::Error) -> Self {
        Self::illegal_state(format!("hamt: {e}"))
    }
}

/// `actor_error!(not_found; "no bounty {}", id)`.
#[macro_export]
macro_rules! actor_error {
    ($kind:ident; $($fmt:tt)+) => {
        $crate::ActorError::$kind(format!($($fmt)+))
    };
}

/// Fail with the given error kind unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $kind:ident; $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::actor_error!($kind; $($fmt)+));
        }
    };
}

/// Add context to an error already carrying an exit code.
pub trait ActorContext<T> {
    fn context(self, context: impl Display) -> Result<T, ActorError>;
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T, ActorError>;
}

impl<T> ActorContext<T> for Result<T, ActorError> {
    fn context(self, context: impl Display) -> Result<T, ActorError> {
        self.map_err(|e| e.wrap(context))
    }

    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T, ActorError> {
        self.map_err(|e| e.wrap(f()))
    }
}

/// Turn a foreign error (blockstore, encoding, anyhow) into an `ActorError` of a chosen kind.
pub trait OrActorError<T> {
    fn or_illegal_state(self, context: impl Display) -> Result<T, ActorError>;
    fn or_illegal_argument(self, context: impl Display) -> Result<T, ActorError>;
    fn or_serialization(self, context: impl Display) -> Result<T, ActorError>;
}

impl<T, E: Display> OrActorError<T> for Result<T, E> {
    fn or_illegal_state(self, context: impl Display) -> Result<T, ActorError> {
        self.map_err(|e| ActorError::illegal_state(format!("{context}: {e}")))
    }
    fn or_illegal_argument(self, context: impl Display) -> Result<T, ActorError> {
        self.map_err(|e| ActorError::illegal_argument(format!("{context}: {e}")))
    }
    fn or_serialization(self, context: impl Display) -> Result<T, ActorError> {
        self.map_err(|e| ActorError::serialization(format!("{context}: {e}")))
    }
}

/// `Option::None` as a not-found error.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: impl Display) -> Result<T, ActorError>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self, what: impl Display) -> Result<T, ActorError> {
        self.ok_or_else(|| ActorError::not_found(format!("{what} not found")))
    }
}

pub type ActorResult<T> = Result<T, ActorError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_pick_their_exit_codes() {
        assert_eq!(
            ActorError::illegal_argument("x").exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
        assert_eq!(ActorError::not_found("x").exit_code(), ExitCode::USR_NOT_FOUND);
        assert_eq!(ActorError::forbidden("x").exit_code(), ExitCode::USR_FORBIDDEN);
        assert_eq!(
            ActorError::not_payable("x").exit_code(),
            ExitCode::USR_NOT_PAYABLE
        );
        assert_eq!(ActorError::actor_specific(32, "x").exit_code(), ExitCode::new(32));
    }

    #[test]
    fn system_and_low_codes_become_assertions() {
        let e = ActorError::new(ExitCode::SYS_OUT_OF_GAS, "bad");
        assert_eq!(e.exit_code(), ExitCode::USR_ASSERTION_FAILED);
        let e = ActorError::actor_specific(17, "bad");
        assert_eq!(e.exit_code(), ExitCode::USR_ASSERTION_FAILED);
    }

    #[test]
    fn context_keeps_the_code_and_prefixes_the_message() {
        let r: ActorResult<()> = Err(ActorError::not_found("deal 7"));
        let e = r.context("claim").unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_NOT_FOUND);
        assert_eq!(e.message(), "claim: deal 7");
        let none: Option<u8> = None;
        assert_eq!(
            none.or_not_found("bounty 3").unwrap_err().message(),
            "bounty 3 not found"
        );
    }
}
