//! Typed helpers for the stand-in storage market (f05).
