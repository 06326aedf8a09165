//! The `suite` command line is product code: no test actor (nor the test crate) is among its
//! dependencies, so its binary embeds only the product's modules.

use std::path::Path;
use std::process::Command;

#[test]
fn the_cli_depends_on_no_test_actor() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for edges in ["normal", "normal,build"] {
        let out = Command::new(&cargo)
            .args(["tree", "-p", "suite-cli", "--prefix", "none", "-e", edges])
            .args(["--offline", "--locked", "--manifest-path"])
            .arg(workspace.join("Cargo.toml"))
            .output()
            .expect("running cargo tree");
        assert!(
            out.status.success(),
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8(out.stdout).unwrap();
        let packages: Vec<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
        assert!(packages.contains(&"suite-devnet"), "{tree}");
        assert!(packages.contains(&"bounty-market"), "{tree}");
        let test_crates: Vec<&&str> = packages
            .iter()
            .filter(|p| p.starts_with("test-actor-") || **p == "integration-tests")
            .collect();
        assert!(test_crates.is_empty(), "-e {edges}: {test_crates:?} in\n{tree}");
    }
}
