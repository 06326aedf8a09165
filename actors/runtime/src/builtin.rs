//! Well-known facts about the builtin actors (docs/builtin-actors-interface.md §1, §7, §8).

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

/// Market actor-specific exit codes (docs/builtin-actors-interface.md §2.2).
pub const EX_DEAL_EXPIRED: u32 = 32;
pub const EX_DEAL_NOT_ACTIVATED: u32 = 33;

/// The exported builtin methods the suite calls, with their wire shapes
/// (docs/builtin-actors-interface.md §2, §3).
pub mod market {
    use cid::Cid;
    use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::MethodNum;

    pub const GET_DEAL_DATA_COMMITMENT: MethodNum = 1157985802;
    pub const GET_DEAL_CLIENT: MethodNum = 128053329;
    pub const GET_DEAL_PROVIDER: MethodNum = 935081690;
    pub const GET_DEAL_TERM: MethodNum = 163777312;
    pub const GET_DEAL_ACTIVATION: MethodNum = 2567238399;
    pub const GET_DEAL_SECTOR: MethodNum = 2611213344;

    /// `GetDealDataCommitment`: the piece CID and padded size.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct DataCommitment {
        pub data: Cid,
        pub size: u64,
    }

    /// `GetDealTerm`: end = start + duration.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct DealTerm {
        pub start: ChainEpoch,
        pub duration: ChainEpoch,
    }

    /// `GetDealActivation`: `activated` is -1 until activation; `terminated` is always -1 in
    /// v13+ (a terminated deal answers exit 32 instead).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct DealActivation {
        pub activated: ChainEpoch,
        pub terminated: ChainEpoch,
    }
}

pub mod miner {
    use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::MethodNum;

    pub const GET_OWNER: MethodNum = 3275365574;
    pub const IS_CONTROLLING_ADDRESS: MethodNum = 348244887;
    pub const GET_SECTOR_SIZE: MethodNum = 3858292296;
    pub const VALIDATE_SECTOR_STATUS: MethodNum = 3092458564;
    pub const GENERATE_SECTOR_LOCATION: MethodNum = 1321604665;
    pub const GET_NOMINAL_SECTOR_EXPIRATION: MethodNum = 3010055991;

    /// Sector status codes of FIP-0112.
    pub const STATUS_DEAD: u8 = 0;
    pub const STATUS_ACTIVE: u8 = 1;
    pub const STATUS_FAULTY: u8 = 2;

    /// `GetOwner` return: the owner and a pending new owner, if any.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct GetOwnerReturn {
        pub owner: fvm_shared::address::Address,
        pub proposed: Option<fvm_shared::address::Address>,
    }

    /// `GenerateSectorLocation` return: the status and the CBOR of `[deadline, partition]`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct SectorStatusAndLocation {
        pub status: u8,
        pub aux_data: RawBytes,
    }

    /// `ValidateSectorStatus` params; `aux_data` is the CBOR of `[deadline, partition]`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct ValidateSectorStatusParams {
        pub sector_number: u64,
        pub status: u8,
        pub aux_data: RawBytes,
    }
}

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
