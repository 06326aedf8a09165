//! Parameter and return blocks, decoded and encoded the way builtin actors do it.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{ActorError, ActorResult};

/// Decodes a params block. A missing block is an illegal argument; a block in an unknown
/// codec or one that does not decode is a serialization error (exit 21).
pub fn decode_params<P: DeserializeOwned>(block: Option<&IpldBlock>) -> ActorResult<P> {
    let block = block.ok_or_else(|| ActorError::illegal_argument("method expects arguments"))?;
    match block.codec {
        CBOR | DAG_CBOR | IPLD_RAW => block
            .deserialize()
            .map_err(|e| ActorError::serialization(format!("failed to decode parameters: {e}"))),
        codec => Err(ActorError::serialization(format!(
            "unsupported parameters codec {codec:#x}"
        ))),
    }
}

/// For methods without parameters: any block at all is an illegal argument.
pub fn expect_no_params(block: Option<&IpldBlock>) -> ActorResult<()> {
    match block {
        None => Ok(()),
        Some(_) => Err(ActorError::illegal_argument("method expects no arguments")),
    }
}

/// Encodes a return value as a CBOR block.
pub fn encode_return<R: Serialize + ?Sized>(value: &R) -> ActorResult<Option<IpldBlock>> {
    IpldBlock::serialize_cbor(value)
        .map_err(|e| ActorError::serialization(format!("failed to encode return: {e}")))
}

/// Encodes parameters for a call to another actor.
/// Already-encoded CBOR params as a send's params block; empty bytes mean no params.
pub fn cbor_block(bytes: &[u8]) -> Option<IpldBlock> {
    (!bytes.is_empty()).then(|| IpldBlock {
        codec: CBOR,
        data: bytes.to_vec(),
    })
}

pub fn encode_params<P: Serialize + ?Sized>(value: &P) -> ActorResult<Option<IpldBlock>> {
    IpldBlock::serialize_cbor(value)
        .map_err(|e| ActorError::serialization(format!("failed to encode parameters: {e}")))
}

/// Decodes what another actor returned.
pub fn decode_return<R: DeserializeOwned>(block: Option<&IpldBlock>, what: &str) -> ActorResult<R> {
    let block = block.ok_or_else(|| ActorError::serialization(format!("{what} returned nothing")))?;
    block
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("{what} returned undecodable data: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_shared::error::ExitCode;

    #[test]
    fn params_rules_match_builtin_dispatch() {
        assert_eq!(
            decode_params::<u64>(None).unwrap_err().exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
        let good = encode_params(&1000u64).unwrap();
        assert_eq!(good.as_ref().unwrap().data, vec![0x19, 0x03, 0xe8]);
        assert_eq!(decode_params::<u64>(good.as_ref()).unwrap(), 1000);
        let bad = IpldBlock {
            codec: CBOR,
            data: vec![0xff],
        };
        assert_eq!(
            decode_params::<u64>(Some(&bad)).unwrap_err().exit_code(),
            ExitCode::USR_SERIALIZATION
        );
        let odd_codec = IpldBlock {
            codec: 0x70,
            data: vec![0x01],
        };
        assert_eq!(
            decode_params::<u64>(Some(&odd_codec)).unwrap_err().exit_code(),
            ExitCode::USR_SERIALIZATION
        );
        assert_eq!(
            expect_no_params(good.as_ref()).unwrap_err().exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
        assert!(expect_no_params(None).is_ok());
    }
}
