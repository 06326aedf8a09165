//! What a command prints: a readable text form (tables and lines) and a JSON form.

use serde_json::Value;

/// A command's result in both forms.
pub struct Output {
    pub json: Value,
    pub text: String,
}

impl Output {
    pub fn new(json: Value, text: impl Into<String>) -> Self {
        Self {
            json,
            text: text.into(),
        }
    }
}

pub use suite_client::text::{thousands, Table};
