//! Replays every saved input of every fuzz target (`testing/fuzz/corpus/<target>/`, the corpus
//! libFuzzer grew and `scripts/fuzz.sh` minimised, and `testing/fuzz/crashes/<target>/`, the
//! inputs that once found a bug), plus the targets' seeds: seconds on stable, so that a fixed
//! crash stays fixed.

use std::path::Path;

#[test]
fn every_saved_input_of_every_target_still_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    for (name, target) in suite_fuzz::TARGETS {
        let seeds = suite_fuzz::seeds(name);
        assert!(!seeds.is_empty(), "{name} has no seeds");
        for seed in &seeds {
            target(seed);
        }
        replayed += seeds.len();
        for dir in ["corpus", "crashes"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let input = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&input));
                assert!(outcome.is_ok(), "{name} fails on {}", path.display());
                replayed += 1;
            }
        }
    }
    eprintln!("replayed {replayed} inputs");
    assert!(replayed >= suite_fuzz::TARGETS.len());
}
