//! Well-known facts about the builtin actors (reference §1, §7, §8).

use fvm_shared::ActorID;

pub const SYSTEM_ACTOR_ID: ActorID = 0;
pub const INIT_ACTOR_ID: ActorID = 1;
pub const REWARD_ACTOR_ID: ActorID = 2;
pub const CRON_ACTOR_ID: ActorID = 3;
pub const STORAGE_POWER_ACTOR_ID: ActorID = 4;
pub const STORAGE_MARKET_ACTOR_ID: ActorID = 5;
pub const VERIFIED_REGISTRY_ACTOR_ID: ActorID = 6;
pub const DATACAP_ACTOR_ID: ActorID = 7;
pub const EAM_ACTOR_ID: ActorID = 10;
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
/// First ID handed to a non-singleton actor.
pub const FIRST_NON_SINGLETON_ID: ActorID = 100;

/// Builtin actor types: the position of the code CID in the manifest, starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum BuiltinType {
    System = 1,
    Init = 2,
    Cron = 3,
    Account = 4,
    Power = 5,
    Miner = 6,
    Market = 7,
    PaymentChannel = 8,
    Multisig = 9,
    Reward = 10,
    VerifiedRegistry = 11,
    DataCap = 12,
    Placeholder = 13,
    Evm = 14,
    Eam = 15,
    EthAccount = 16,
}

impl BuiltinType {
    /// Every type in manifest order, with the manifest name.
    pub const ALL: [(BuiltinType, &'static str); 16] = [
        (BuiltinType::System, "system"),
        (BuiltinType::Init, "init"),
        (BuiltinType::Cron, "cron"),
        (BuiltinType::Account, "account"),
        (BuiltinType::Power, "storagepower"),
        (BuiltinType::Miner, "storageminer"),
        (BuiltinType::Market, "storagemarket"),
        (BuiltinType::PaymentChannel, "paymentchannel"),
        (BuiltinType::Multisig, "multisig"),
        (BuiltinType::Reward, "reward"),
        (BuiltinType::VerifiedRegistry, "verifiedregistry"),
        (BuiltinType::DataCap, "datacap"),
        (BuiltinType::Placeholder, "placeholder"),
        (BuiltinType::Evm, "evm"),
        (BuiltinType::Eam, "eam"),
        (BuiltinType::EthAccount, "ethaccount"),
    ];

    pub fn from_id(id: u32) -> Option<Self> {
        Self::ALL.iter().map(|(t, _)| *t).find(|t| *t as u32 == id)
    }

    pub fn name(self) -> &'static str {
        Self::ALL[self as usize - 1].1
    }
}

/// Market actor-specific exit codes (reference §2.2).
pub const EX_DEAL_EXPIRED: u32 = 32;
pub const EX_DEAL_NOT_ACTIVATED: u32 = 33;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_positions_are_the_type_numbers() {
        for (i, (t, _)) in BuiltinType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i + 1);
            assert_eq!(BuiltinType::from_id(i as u32 + 1), Some(*t));
        }
        assert_eq!(BuiltinType::Miner.name(), "storageminer");
        assert_eq!(BuiltinType::from_id(0), None);
    }
}
