//! The scenario-file and mask readers on random input: any text gives a
//! scenario or an error naming a key, never a panic. A cheap fuzz run on
//! every `cargo test`.
#![cfg(feature = "scenario-file")]

use mnp_suite::Error;
use mnp_suite::app::scenario_file::ScenarioFile;
use proptest::prelude::*;

fn check(text: &str) {
    match ScenarioFile::from_toml(text).and_then(|f| f.build().map(|_| ())) {
        Ok(()) | Err(Error::Scenario { .. }) | Err(Error::Io { .. }) => {}
        // Errors of the crates are typed too; what matters is no panic.
        Err(_) => {}
    }
}

/// The default scenario with a small grid, as TOML.
fn small_default() -> String {
    ScenarioFile::default()
        .to_toml()
        .unwrap()
        .replace("cells = 100", "cells = 16")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary text.
    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        check(&text);
    }

    /// The default file with one line replaced by a random one, or a
    /// random value put in: the errors name a key.
    #[test]
    fn mutated_scenarios_never_panic(
        line in 0usize..60,
        replacement in "[a-z_\\[\\]=\" .0-9-]{0,30}",
        value in prop_oneof![
            Just("-1".to_string()), Just("0".to_string()), Just("1e308".to_string()),
            Just("nan".to_string()), Just("inf".to_string()), Just("\"x\"".to_string()),
            Just("99999999999".to_string()), Just("[]".to_string()),
        ],
        use_value in any::<bool>(),
    ) {
        let text = small_default();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let k = line % lines.len();
        if use_value {
            if let Some((key, _)) = lines[k].split_once('=') {
                lines[k] = format!("{key}= {value}");
            }
        } else {
            lines[k] = replacement;
        }
        check(&lines.join("\n"));
    }

    /// Random mask files: rows of 0/1 and junk, of any shape.
    #[test]
    fn random_masks_never_panic(
        rows in prop::collection::vec("[01, x2\\t]{0,40}", 0..20),
    ) {
        let dir = std::env::temp_dir().join(format!("mnp_fuzz_mask_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mask = dir.join("mask.csv");
        std::fs::write(&mask, rows.join("\n")).unwrap();
        let text = small_default().replace(
            "shape = \"circle\"",
            &format!("shape = \"mask\"\nmask_file = {:?}", mask.display().to_string()),
        );
        match ScenarioFile::from_toml(&text).and_then(|f| f.build().map(|_| ())) {
            Err(Error::Scenario { key, .. }) => prop_assert!(key.starts_with("tumor"), "{key}"),
            Ok(()) => {}
            Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
        }
    }
}

/// The base of the mutations builds, and its mask variant reads a good
/// mask: the fuzz cases start from valid input.
#[test]
fn the_fuzz_bases_are_valid() {
    assert!(
        ScenarioFile::from_toml(&small_default())
            .unwrap()
            .build()
            .is_ok()
    );
    let dir = std::env::temp_dir().join(format!("mnp_fuzz_base_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mask = dir.join("mask.csv");
    let row = |i: usize| {
        (0..16)
            .map(|j| {
                if (6..10).contains(&i) && (6..10).contains(&j) {
                    "1"
                } else {
                    "0"
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    std::fs::write(&mask, (0..16).map(row).collect::<Vec<_>>().join("\n")).unwrap();
    let text = small_default().replace(
        "shape = \"circle\"",
        &format!(
            "shape = \"mask\"\nmask_file = {:?}",
            mask.display().to_string()
        ),
    );
    assert!(text.contains("mask_file"));
    ScenarioFile::from_toml(&text).unwrap().build().unwrap();
}
