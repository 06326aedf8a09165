//! A storage miner's exported getters, as the suite's actors call them (method numbers and
//! encodings: `docs/builtin-actors-interface.md`).

use anyhow::{Context, Result};
use fvm_ipld_encoding::{from_slice, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use stand_in_miner::*;

use crate::{get, get_no_params, Chain};

/// A storage miner actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinerClient {
    pub address: Address,
}

impl MinerClient {
    pub fn new(address: Address) -> Self {
        Self { address }
    }

    /// The miner at an ID address.
    pub fn at(id: ActorID) -> Self {
        Self::new(Address::new_id(id))
    }

    pub fn owner<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<GetOwnerReturn, ExitCode>> {
        get_no_params(chain, self.address, METHOD_GET_OWNER)
    }

    pub fn is_controlling_address<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        address: Address,
    ) -> Result<Result<bool, ExitCode>> {
        let answer: Result<IsControllingAddressReturn, ExitCode> = get(
            chain,
            self.address,
            METHOD_IS_CONTROLLING_ADDRESS,
            &IsControllingAddressParams { address },
        )?;
        Ok(answer.map(|r| r.is_controlling))
    }

    /// Bytes.
    pub fn sector_size<C: Chain + ?Sized>(&self, chain: &mut C) -> Result<Result<u64, ExitCode>> {
        let answer: Result<GetSectorSizeReturn, ExitCode> =
            get_no_params(chain, self.address, METHOD_GET_SECTOR_SIZE)?;
        Ok(answer.map(|r| r.sector_size))
    }

    pub fn available_balance<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
    ) -> Result<Result<TokenAmount, ExitCode>> {
        let answer: Result<GetAvailableBalanceReturn, ExitCode> =
            get_no_params(chain, self.address, METHOD_GET_AVAILABLE_BALANCE)?;
        Ok(answer.map(|r| r.available_balance))
    }

    /// The sector's status and location (its `aux_data`, decoded).
    pub fn sector_location<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        sector_number: SectorNumber,
    ) -> Result<Result<(SectorStatusCode, SectorLocation), ExitCode>> {
        let p = GenerateSectorLocationParams { sector_number };
        let answer: Result<GenerateSectorLocationReturn, ExitCode> =
            get(chain, self.address, METHOD_GENERATE_SECTOR_LOCATION, &p)?;
        match answer {
            Ok(ret) => {
                let location: SectorLocation = from_slice(ret.aux_data.bytes()).context("aux_data")?;
                Ok(Ok((ret.status, location)))
            }
            Err(code) => Ok(Err(code)),
        }
    }

    pub fn validate_sector_status<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        sector_number: SectorNumber,
        status: SectorStatusCode,
        location: SectorLocation,
    ) -> Result<Result<bool, ExitCode>> {
        self.validate_sector_status_raw(
            chain,
            ValidateSectorStatusParams::new(sector_number, status, location),
        )
    }

    /// With params as given (any status byte, any `aux_data`).
    pub fn validate_sector_status_raw<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        p: ValidateSectorStatusParams,
    ) -> Result<Result<bool, ExitCode>> {
        let answer: Result<ValidateSectorStatusReturn, ExitCode> =
            get(chain, self.address, METHOD_VALIDATE_SECTOR_STATUS, &p)?;
        Ok(answer.map(|r| r.valid))
    }

    pub fn nominal_sector_expiration<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        sector_number: SectorNumber,
    ) -> Result<Result<ChainEpoch, ExitCode>> {
        let p = GetNominalSectorExpirationParams { sector_number };
        let answer: Result<GetNominalSectorExpirationReturn, ExitCode> =
            get(chain, self.address, METHOD_GET_NOMINAL_SECTOR_EXPIRATION, &p)?;
        Ok(answer.map(|r| r.expiration))
    }

    /// A getter by method number with raw params (for refusal tests of malformed params).
    pub fn read_raw<C: Chain + ?Sized>(
        &self,
        chain: &mut C,
        method: fvm_shared::MethodNum,
        raw: RawBytes,
    ) -> Result<crate::Receipt> {
        chain.read(self.address, method, raw)
    }
}
