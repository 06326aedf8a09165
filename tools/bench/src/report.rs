//! The report: sections of tables, printed as text and as Markdown.

use std::fmt::Write as _;
use std::time::Duration;

use integration_tests::client::text::Table as TextTable;

pub struct Report {
    pub sections: Vec<Section>,
    pub findings: super::Findings,
    /// (what, value): the machine and the versions.
    pub environment: Vec<(String, String)>,
    pub quick: bool,
    pub elapsed: Duration,
}

pub struct Section {
    pub title: String,
    /// One-line facts printed before the tables.
    pub facts: Vec<String>,
    pub tables: Vec<Table>,
}

pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// The report's static analysis text (`tools/bench/report.md`).
const PROSE: &str = include_str!("../report.md");

/// The paragraph of the report template under `[key]`, its lines joined with a space.
pub fn prose(key: &str) -> String {
    let heading = format!("[{key}]");
    let mut lines = PROSE.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no [{key}] in tools/bench/report.md");
    let text: Vec<&str> = lines.take_while(|l| !l.trim().is_empty()).collect();
    assert!(!text.is_empty(), "[{key}] of tools/bench/report.md is empty");
    text.join(" ")
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    }
}

fn cores() -> String {
    std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

impl Report {
    fn mode(&self) -> &'static str {
        if self.quick {
            "quick run (N = 10, 100)"
        } else {
            "full run (N = 10, 1,000, 10,000)"
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            let _ = writeln!(out, "\n=== {} ===", s.title);
            for f in &s.facts {
                let _ = writeln!(out, "{f}");
            }
            for t in &s.tables {
                out.push('\n');
                t.text(&mut out);
            }
        }
        if !self.findings.headlines.is_empty() {
            let _ = writeln!(out, "\n=== Summary ===");
            for h in &self.findings.headlines {
                let _ = writeln!(out, "- {h}");
            }
            for (i, c) in self.findings.costs.iter().enumerate() {
                let _ = writeln!(out, "{}. {c}", i + 1);
            }
        }
        for (what, value) in &self.environment {
            let _ = writeln!(out, "{what}: {value}");
        }
        let _ = writeln!(
            out,
            "\nbench: {}, {} profile, {} cores, {:.1} s",
            self.mode(),
            profile(),
            cores(),
            self.elapsed.as_secs_f64()
        );
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("# Benchmarks\n\n");
        let _ = writeln!(
            out,
            "Gas is `gas_used` of each message's receipt: the suite's real wasm on ref-fvm 4.8 \
             through the local harness (`integration-tests`). Produced by `scripts/bench.sh`: \
             {}; harness built with the {} profile; {} cores; {:.0} s. Gas does not depend on \
             the machine, wall times do.",
            self.mode(),
            profile(),
            cores(),
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "\nThis file is written by the program (`scripts/bench.sh --out docs/benchmarks.md`); \
             every figure in it was measured in that run but the \"before\" column of issue 13's \
             targets, which it quotes.\n\n{}\n\n| machine and versions | |\n|---|---|",
            prose("real-builtins")
        );
        for (what, value) in &self.environment {
            let _ = writeln!(out, "| {what} | {value} |");
        }
        if let Some(t) = targets_table(&self.findings) {
            let _ = writeln!(out, "\n## Issue 13's gas targets\n");
            t.markdown(&mut out);
        }
        if !self.findings.headlines.is_empty() || !self.findings.costs.is_empty() {
            let _ = writeln!(out, "\n## Summary\n\nHeadline figures:\n");
            for h in &self.findings.headlines {
                let _ = writeln!(out, "- {h}");
            }
            if !self.findings.costs.is_empty() {
                let _ = writeln!(out, "\nThe biggest costs found, and what could cut them:\n");
                for (i, c) in self.findings.costs.iter().enumerate() {
                    let _ = writeln!(out, "{}. {c}", i + 1);
                }
            }
        }
        for s in &self.sections {
            let _ = writeln!(out, "\n## {}\n", s.title);
            for f in &s.facts {
                let _ = writeln!(out, "- {f}");
            }
            for t in &s.tables {
                out.push('\n');
                t.markdown(&mut out);
            }
        }
        out
    }
}

impl Table {
    /// The caption, the table (first column left-aligned, the others right-aligned, as every
    /// tool of the suite prints tables) and the notes.
    fn text(&self, out: &mut String) {
        let _ = writeln!(out, "{}", self.caption);
        let columns: Vec<String> = self
            .header
            .iter()
            .enumerate()
            .map(|(i, h)| if i == 0 { h.clone() } else { format!(">{h}") })
            .collect();
        let mut table = TextTable::new(&columns.iter().map(String::as_str).collect::<Vec<_>>());
        for row in &self.rows {
            table.row(row.clone());
        }
        out.push_str(&table.render());
        for n in &self.notes {
            let _ = writeln!(out, "  {n}");
        }
    }

    fn markdown(&self, out: &mut String) {
        let _ = writeln!(out, "### {}\n", self.caption);
        let _ = writeln!(out, "| {} |", self.header.join(" | "));
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { "---" } else { "---:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        for n in &self.notes {
            let _ = writeln!(out, "\n{n}");
        }
    }
}

/// Issue 13's targets (gas, millions, at N = 10 and 10,000): the figures it quoted as "today"
/// (docs/benchmarks.md at commit 07bdb13, before its state redesign) and its targets, by the
/// headline row that measures each flow now.
const TARGETS: &[(&str, &str, [f64; 2], [f64; 2])] = &[
    (
        "market ClaimBounty (with sector_location)",
        "ClaimBounty (with sector location)",
        [69.7, 213.4],
        [30.0, 45.0],
    ),
    ("market PostBounty", "PostBounty", [19.3, 53.9], [10.0, 15.0]),
    (
        "market Withdraw (provider with 32 claims)",
        "Withdraw, 32 claims",
        [70.5, 256.5],
        [35.0, 60.0],
    ),
    (
        "market escrow ReportFault DealTerminated on a claim's lock (whole message)",
        "escrow ReportFault on a claim's lock, whole message incl. the market's callback",
        [83.8, 108.1],
        [35.0, 45.0],
    ),
    (
        "escrow Release",
        "escrow Release (the escrow section's)",
        [27.3, 34.1],
        [18.0, 22.0],
    ),
    (
        "registry RecordOutcome (provider has a record)",
        "registry RecordOutcome",
        [10.6, 34.3],
        [8.0, 12.0],
    ),
    (
        "registry GetScores (100 providers)",
        "registry GetScores(100)",
        [6.1, 163.4],
        [8.0, 25.0],
    ),
    (
        "escrow ListLocks (limit 100, provider with ≥ 100 locks)",
        "escrow ListLocks(100)",
        [31.2, 137.9],
        [20.0, 30.0],
    ),
];

/// The targets next to this run's figures, on a full run (N = 10 to 10,000) only.
fn targets_table(findings: &crate::Findings) -> Option<Table> {
    let millions = |gas: u64| format!("{:.1} M", gas as f64 / 1e6);
    let mut rows = Vec::new();
    for (key, label, before, target) in TARGETS {
        let Some((_, (first, a, last, b))) = findings.measured.iter().find(|(k, _)| k == key) else {
            continue;
        };
        if (*first, *last) != (10, 10_000) {
            return None;
        }
        let met = |now: u64, t: f64| if now as f64 <= t * 1e6 { "met" } else { "not met" };
        rows.push(vec![
            label.to_string(),
            format!("{:.1} M", before[0]),
            format!("{:.1} M", before[1]),
            format!("≤ {:.0} M", target[0]),
            format!("≤ {:.0} M", target[1]),
            millions(*a),
            millions(*b),
            format!("{}, {}", met(*a, target[0]), met(*b, target[1])),
        ]);
    }
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        caption: "Gas of each flow: before issue 13, its targets, and this run (N = 10 and 10,000)".into(),
        header: [
            "flow",
            "before, N = 10",
            "before, N = 10,000",
            "target, N = 10",
            "target, N = 10,000",
            "now, N = 10",
            "now, N = 10,000",
            "",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![prose("targets")],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_print_with_the_suites_text_table() {
        let t = Table {
            caption: "Gas".into(),
            header: vec!["method".into(), "gas".into()],
            rows: vec![vec!["Claim".into(), "1,000".into()]],
            notes: vec!["a note".into()],
        };
        let mut out = String::new();
        t.text(&mut out);
        assert_eq!(
            out,
            "Gas\nmethod    gas\n-------------\nClaim   1,000\n  a note\n"
        );
    }

    #[test]
    fn the_targets_table_compares_a_full_run_and_says_which_are_met() {
        let mut findings = crate::Findings::default();
        findings
            .measured
            .push(("market PostBounty".into(), (10, 9_000_000, 10_000, 16_000_000)));
        let t = targets_table(&findings).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][0], "PostBounty");
        assert_eq!(&t.rows[0][5..], ["9.0 M", "16.0 M", "met, not met"]);
        // A smoke run (N = 10, 100) has nothing to compare with the targets at 10,000.
        findings.measured[0].1 = (10, 9_000_000, 100, 9_500_000);
        assert!(targets_table(&findings).is_none());
    }

    #[test]
    fn every_template_paragraph_is_used_and_found() {
        let sources = [
            include_str!("escrow.rs"),
            include_str!("flows.rs"),
            include_str!("main.rs"),
            include_str!("report.rs"),
            include_str!("market.rs"),
            include_str!("sizes.rs"),
        ]
        .concat();
        let keys: Vec<&str> = PROSE
            .lines()
            .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
            .collect();
        assert!(keys.len() >= 9, "{keys:?}");
        for key in keys {
            assert!(!prose(key).contains("  "), "{key}");
            assert!(
                sources.contains(&format!("prose(\"{key}\")")),
                "[{key}] of report.md is not used"
            );
        }
    }
}
