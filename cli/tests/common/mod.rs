//! Running the real `suite` binary from the CLI's test binaries: each test gets a fresh
//! directory (its devnet in `<dir>/devnet`), and every run its stdout, stderr and status.

// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A fresh directory for one test's files and devnet (`group` names the test binary).
pub fn temp_dir(group: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("suite-{group}-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn suite_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_suite"))
        .arg("--data-dir")
        .arg(dir.join("devnet"))
        .args(args)
        .env_remove("SUITE_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running suite");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn suite(dir: &Path, args: &[&str]) -> Run {
    suite_with_stdin(dir, args, &[])
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let r = suite(dir, args);
    assert!(r.ok, "suite {args:?} failed:\n{}{}", r.stdout, r.stderr);
    r.stdout
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = suite(dir, &all);
    assert!(r.ok, "suite {all:?} failed:\n{}{}", r.stdout, r.stderr);
    r.json()
}
