//! The suite's actor interfaces, usable without fvm_sdk: method numbers (FRC-42), parameter
//! and return types (tuple-encoded CBOR), event names, and the reputation score function.
//! Actors, the harness, the CLI and dApps all encode calls with these.

pub mod bounty;
pub mod escrow;
pub mod reputation;
mod u8_enum;

/// What [`u8_enum!`] expands to refers to, so that its users need no serde dependency of their own.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

pub use frc42_dispatch::method_hash;

/// The constructor's method number (never hashed).
pub const METHOD_CONSTRUCTOR: fvm_shared::MethodNum = 1;

/// `(number, name)` of every FRC-42 method name, hashed at compile time.
macro_rules! named_methods {
    ($($name:tt),* $(,)?) => {
        &[$((method_hash!($name), $name)),*]
    };
}

/// Every method the suite knows by number: the suite's own (the three actors' exported
/// methods and the escrow's callback) and the builtin exported methods the suite calls or
/// receives (FRC-42 hashes of their names, as builtin-actors exports them). Several actors
/// share a name (`GetPolicy`, `OnCollateralChanged`), and so its number.
pub const METHOD_NAMES: &[(fvm_shared::MethodNum, &str)] = {
    const HASHED: &[(fvm_shared::MethodNum, &str)] = named_methods![
        // BountyMarket.
        "PostBounty",
        "ClaimBounty",
        "Withdraw",
        "CancelBounty",
        "Reclaim",
        "GetBounty",
        "ListBounties",
        "GetClaim",
        "GetProviderBalance",
        "GetPolicy",
        "DepositCollateral",
        "WithdrawCollateral",
        "GetCollateral",
        "FundBounty",
        "RefundSponsor",
        "GetContribution",
        "FundRenewals",
        "ReclaimRenewals",
        "RenewClaim",
        // CollateralEscrow and its callback.
        "Lock",
        "TopUp",
        "ReportFault",
        "Release",
        "GetLock",
        "ListLocks",
        "GetTotals",
        "OnCollateralChanged",
        // ProviderReputation.
        "AddReporter",
        "RemoveReporter",
        "TransferAdmin",
        "AcceptAdmin",
        "RegisterProvider",
        "UpdateMetadata",
        "RecordOutcome",
        "GetReputation",
        "GetScores",
        "ListProviders",
        "GetAdmin",
        "IsReporter",
        // Builtin storage market (f05).
        "AddBalance",
        "GetBalance",
        "GetDealDataCommitment",
        "GetDealClient",
        "GetDealProvider",
        "GetDealLabel",
        "GetDealTerm",
        "GetDealTotalPrice",
        "GetDealClientCollateral",
        "GetDealProviderCollateral",
        "GetDealVerified",
        "GetDealActivation",
        "GetDealSector",
        // Builtin storage miner.
        "GetOwner",
        "IsControllingAddress",
        "GetSectorSize",
        "GetAvailableBalance",
        "GenerateSectorLocation",
        "ValidateSectorStatus",
        "GetNominalSectorExpiration",
        // Received from a miner after ProveCommitSectors3 (DDO).
        "SectorContentChanged",
        // Builtin accounts.
        "AuthenticateMessage",
    ];
    HASHED
};

/// The name of a method number: `Send` (0), `Constructor` (1), or an entry of
/// [`METHOD_NAMES`]; None for a number the suite does not know.
pub fn method_name(method: fvm_shared::MethodNum) -> Option<&'static str> {
    match method {
        fvm_shared::METHOD_SEND => Some("Send"),
        METHOD_CONSTRUCTOR => Some("Constructor"),
        m => METHOD_NAMES.iter().find(|(n, _)| *n == m).map(|(_, name)| *name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_of_the_three_actors_has_its_name() {
        use crate::{bounty as b, escrow as e, reputation as r};
        let named = [
            (b::METHOD_CONSTRUCTOR, "Constructor"),
            (b::METHOD_POST_BOUNTY, "PostBounty"),
            (b::METHOD_CLAIM_BOUNTY, "ClaimBounty"),
            (b::METHOD_WITHDRAW, "Withdraw"),
            (b::METHOD_CANCEL_BOUNTY, "CancelBounty"),
            (b::METHOD_RECLAIM, "Reclaim"),
            (b::METHOD_GET_BOUNTY, "GetBounty"),
            (b::METHOD_LIST_BOUNTIES, "ListBounties"),
            (b::METHOD_GET_CLAIM, "GetClaim"),
            (b::METHOD_GET_PROVIDER_BALANCE, "GetProviderBalance"),
            (b::METHOD_GET_POLICY, "GetPolicy"),
            (b::METHOD_FUND_BOUNTY, "FundBounty"),
            (b::METHOD_REFUND_SPONSOR, "RefundSponsor"),
            (b::METHOD_GET_CONTRIBUTION, "GetContribution"),
            (b::METHOD_FUND_RENEWALS, "FundRenewals"),
            (b::METHOD_RECLAIM_RENEWALS, "ReclaimRenewals"),
            (b::METHOD_RENEW_CLAIM, "RenewClaim"),
            (b::METHOD_ON_COLLATERAL_CHANGED, "OnCollateralChanged"),
            (b::METHOD_SECTOR_CONTENT_CHANGED, "SectorContentChanged"),
            (b::METHOD_DEPOSIT_COLLATERAL, "DepositCollateral"),
            (b::METHOD_WITHDRAW_COLLATERAL, "WithdrawCollateral"),
            (b::METHOD_GET_COLLATERAL, "GetCollateral"),
            (e::METHOD_LOCK, "Lock"),
            (e::METHOD_TOP_UP, "TopUp"),
            (e::METHOD_REPORT_FAULT, "ReportFault"),
            (e::METHOD_RELEASE, "Release"),
            (e::METHOD_GET_LOCK, "GetLock"),
            (e::METHOD_LIST_LOCKS, "ListLocks"),
            (e::METHOD_GET_TOTALS, "GetTotals"),
            (e::METHOD_GET_POLICY, "GetPolicy"),
            (e::METHOD_ON_COLLATERAL_CHANGED, "OnCollateralChanged"),
            (r::METHOD_ADD_REPORTER, "AddReporter"),
            (r::METHOD_REMOVE_REPORTER, "RemoveReporter"),
            (r::METHOD_TRANSFER_ADMIN, "TransferAdmin"),
            (r::METHOD_ACCEPT_ADMIN, "AcceptAdmin"),
            (r::METHOD_REGISTER_PROVIDER, "RegisterProvider"),
            (r::METHOD_UPDATE_METADATA, "UpdateMetadata"),
            (r::METHOD_RECORD_OUTCOME, "RecordOutcome"),
            (r::METHOD_GET_REPUTATION, "GetReputation"),
            (r::METHOD_GET_SCORES, "GetScores"),
            (r::METHOD_LIST_PROVIDERS, "ListProviders"),
            (r::METHOD_GET_ADMIN, "GetAdmin"),
            (r::METHOD_IS_REPORTER, "IsReporter"),
        ];
        for (number, name) in named {
            assert_eq!(method_name(number), Some(name), "method {number}");
        }
        assert_eq!(method_name(0), Some("Send"));
        assert_eq!(method_name(339822128), Some("Lock"));
        assert_eq!(b::METHOD_SECTOR_CONTENT_CHANGED, 2034386435);
        assert_eq!(method_name(12345), None);
    }

    #[test]
    fn no_two_names_share_a_number() {
        for (i, (n, a)) in METHOD_NAMES.iter().enumerate() {
            for (m, b) in &METHOD_NAMES[i + 1..] {
                assert!(n != m, "{a} and {b} both hash to {n}");
            }
            assert!(*n > 1, "{a}");
        }
    }
}
