//! FIP-0049 events with the builtin actors' conventions: a `$type` entry first (flags 0x03,
//! CBOR text), then one CBOR entry per field, flags 0x03 when indexed and 0x01 otherwise.

use fvm_ipld_encoding::{to_vec, CBOR};
use fvm_shared::event::{ActorEvent, Entry, Flags};
use serde::Serialize;

use crate::{ActorError, ActorResult};

/// Longest key the FVM accepts.
pub const MAX_KEY_BYTES: usize = 31;
/// Largest total of values the FVM accepts in one event.
pub const MAX_VALUES_BYTES: usize = 8 * 1024;

pub struct EventBuilder {
    entries: Vec<Entry>,
    values_bytes: usize,
    error: Option<ActorError>,
}

impl EventBuilder {
    /// Starts an event named `event_type` (e.g. "bounty-posted").
    pub fn new(event_type: &str) -> Self {
        let builder = Self {
            entries: Vec::new(),
            values_bytes: 0,
            error: None,
        };
        builder.push("$type", Flags::FLAG_INDEXED_ALL, &event_type)
    }

    /// A field that indexers can filter on.
    pub fn indexed<T: Serialize + ?Sized>(self, key: &str, value: &T) -> Self {
        self.push(key, Flags::FLAG_INDEXED_ALL, value)
    }

    /// A field carried in the event but not indexed by value.
    pub fn field<T: Serialize + ?Sized>(self, key: &str, value: &T) -> Self {
        self.push(key, Flags::FLAG_INDEXED_KEY, value)
    }

    pub fn build(self) -> ActorResult<ActorEvent> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(ActorEvent {
                entries: self.entries,
            }),
        }
    }

    fn push<T: Serialize + ?Sized>(mut self, key: &str, flags: Flags, value: &T) -> Self {
        if self.error.is_some() {
            return self;
        }
        if key.len() > MAX_KEY_BYTES {
            self.error = Some(ActorError::assertion_failed(format!(
                "event key {key} is too long"
            )));
            return self;
        }
        match to_vec(value) {
            Ok(bytes) => {
                self.values_bytes += bytes.len();
                if self.values_bytes > MAX_VALUES_BYTES {
                    self.error = Some(ActorError::assertion_failed("event values exceed 8 KiB"));
                    return self;
                }
                self.entries.push(Entry {
                    flags,
                    key: key.to_owned(),
                    codec: CBOR,
                    value: bytes,
                });
            }
            Err(e) => self.error = Some(ActorError::serialization(format!("event field {key}: {e}"))),
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_entry_is_the_type_and_flags_follow_the_convention() {
        let event = EventBuilder::new("bounty-posted")
            .indexed("id", &7u64)
            .field("note", "x")
            .build()
            .unwrap();
        assert_eq!(event.entries.len(), 3);
        assert_eq!(event.entries[0].key, "$type");
        assert_eq!(event.entries[0].flags, Flags::FLAG_INDEXED_ALL);
        // CBOR text "bounty-posted" (13 bytes): 0x6d then the bytes.
        assert_eq!(event.entries[0].value[0], 0x6d);
        assert_eq!(event.entries[1].flags, Flags::FLAG_INDEXED_ALL);
        assert_eq!(event.entries[1].value, vec![0x07]);
        assert_eq!(event.entries[2].flags, Flags::FLAG_INDEXED_KEY);
        assert!(event.entries.iter().all(|e| e.codec == CBOR));
    }

    #[test]
    fn oversized_keys_and_values_are_refused() {
        assert!(EventBuilder::new("t")
            .field(&"k".repeat(32), &1u8)
            .build()
            .is_err());
        assert!(EventBuilder::new("t")
            .field("big", &vec![0u8; 9000])
            .build()
            .is_err());
    }
}
