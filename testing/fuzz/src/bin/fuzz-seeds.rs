//! Writes every target's seeds into `DIR/<target>/seed-N` (scripts/fuzz.sh runs it before
//! libFuzzer, so that a run starts from valid inputs).
//!   fuzz-seeds testing/fuzz/corpus

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: fuzz-seeds DIR   (e.g. fuzz-seeds testing/fuzz/corpus)");
        std::process::exit(2);
    };
    for (name, _) in suite_fuzz::TARGETS {
        let target_dir = std::path::Path::new(&dir).join(name);
        std::fs::create_dir_all(&target_dir)
            .unwrap_or_else(|e| panic!("creating {}: {e}", target_dir.display()));
        for (i, seed) in suite_fuzz::seeds(name).iter().enumerate() {
            let path = target_dir.join(format!("seed-{i}"));
            std::fs::write(&path, seed).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        }
    }
}
