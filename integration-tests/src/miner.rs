//! Typed helpers for stand-in storage miners.
