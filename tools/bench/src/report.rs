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
             every figure in it was measured in that run.\n\n{}\n\n| machine and versions | |\n|---|---|",
            prose("real-builtins")
        );
        for (what, value) in &self.environment {
            let _ = writeln!(out, "| {what} | {value} |");
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
