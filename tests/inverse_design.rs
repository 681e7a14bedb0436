//! Data-backed: inverse particle design on the DiMag models
//! (`mnp_suite::ml::design`) and the `mnp design` command. Reads
//! `$MNP_DATA_DIR/dimag`; run with `MNP_DATA_DIR=../shared/data cargo test
//! -- --ignored`.

use mnp_suite::dataset::ColumnData;
use mnp_suite::dataset::dimag::{DimagData, DimagTarget, load_dimag};
use mnp_suite::ml::design::{
    CONCENTRATION, DesignReport, DesignSettings, FIELD_AMPLITUDE, FIELD_FREQUENCY, SEARCHED, design,
};
mod common;
use common::dimag_dir;

fn text(d: &DimagData, name: &str) -> Vec<String> {
    match &d.table.column(name).unwrap().data {
        ColumnData::Text(v) => v.iter().map(|s| s.clone().unwrap_or_default()).collect(),
        ColumnData::Numeric(_) => panic!("{name} is not text"),
    }
}

fn small(sar: &DimagData, r2: &DimagData, r2_min: Option<f64>) -> DesignSettings {
    DesignSettings {
        r2_min,
        candidates: 4,
        particles: 8,
        generations: 12,
        seed: 5,
        ..DesignSettings::medians(sar, r2).unwrap()
    }
}

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn candidates_stay_where_the_data_are() {
    let sar = load_dimag(&dimag_dir(), DimagTarget::Sar).unwrap();
    let r2 = load_dimag(&dimag_dir(), DimagTarget::R2).unwrap();
    let medians = DesignSettings::medians(&sar, &r2).unwrap();
    // The data's medians (docs/MODEL.md §8.6 for the units).
    assert_eq!(
        (
            medians.field_amplitude,
            medians.field_frequency,
            medians.concentration,
            medians.field_strength
        ),
        (270.9, 0.3, 3.0, 3.0)
    );
    let settings = small(&sar, &r2, Some(150.0));
    let report: DesignReport = design(&sar, &r2, &settings).unwrap();
    assert_eq!(report.candidates.len(), 4);
    let (core, shell) = (
        text(&sar, "Core composition"),
        text(&sar, "Shell composition"),
    );
    let column = |name: &str| sar.table.numeric(name).unwrap().to_vec();
    for w in report.candidates.windows(2) {
        assert!(w[0].sar_lo >= w[1].sar_lo, "ranked by the lower SAR bound");
    }
    for c in &report.candidates {
        assert!(c.feasible, "{c:?}");
        assert!(c.sar_lo <= c.sar_pred && c.sar_pred <= c.sar_hi);
        // Within the nearest-neighbour bound, and r2 above the threshold.
        assert!(c.nearest_distance <= report.nn_distance_p95);
        assert!(c.r2_pred.unwrap() >= 150.0);
        assert!(!c.extrapolated);
        // A composition seen in the data, with the descriptors that follow
        // from it taken from the data's rows of it.
        let rows: Vec<usize> = (0..core.len())
            .filter(|&i| core[i] == c.core && shell[i] == c.shell)
            .collect();
        assert!(
            !rows.is_empty(),
            "{} / {} is not in the data",
            c.core,
            c.shell
        );
        for name in [
            "Magnetic moment of core",
            "LogP of organic coating",
            "Number H acceptors of organic coating",
        ] {
            assert_eq!(Some(c.descriptors[name]), column(name)[rows[0]], "{name}");
        }
        let shape = c.descriptors["Max/min(size)"];
        assert!(shape == 0.0 || shape == 1.0);
        // The conditions are the settings; the searched descriptors lie in
        // the data's range.
        assert_eq!(c.descriptors[CONCENTRATION], settings.concentration);
        assert_eq!(c.descriptors[FIELD_AMPLITUDE], settings.field_amplitude);
        assert_eq!(c.descriptors[FIELD_FREQUENCY], settings.field_frequency);
        for name in SEARCHED {
            let v: Vec<f64> = column(name).into_iter().flatten().collect();
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            assert!((lo..=hi).contains(&c.descriptors[name]), "{name}");
        }
        // Three nearest training particles, nearest first, with DOIs.
        assert_eq!(c.neighbours.len(), 3);
        assert_eq!(c.neighbours[0].distance, c.nearest_distance);
        assert!(
            c.neighbours
                .windows(2)
                .all(|w| w[0].distance <= w[1].distance)
        );
        for n in &c.neighbours {
            assert_eq!(n.doi, sar.doi[n.row]);
            assert_eq!(n.sar, sar.y[n.row]);
        }
    }
    // Seeded: the same report again.
    assert_eq!(design(&sar, &r2, &settings).unwrap(), report);
    // A threshold no particle reaches leaves no feasible candidate.
    let none = design(&sar, &r2, &small(&sar, &r2, Some(1e6))).unwrap();
    assert!(none.candidates.iter().all(|c| !c.feasible));
    // Bad settings are refused, naming what is wrong.
    for bad in [
        DesignSettings {
            alpha: 1.0,
            ..settings.clone()
        },
        DesignSettings {
            candidates: 0,
            ..settings.clone()
        },
        DesignSettings {
            r2_min: Some(-1.0),
            ..settings.clone()
        },
        DesignSettings {
            field_frequency: f64::NAN,
            ..settings.clone()
        },
    ] {
        let e = design(&sar, &r2, &bad).unwrap_err().to_string();
        assert!(e.starts_with("design settings:"), "{e}");
    }
}

#[cfg(feature = "cli")]
#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn mnp_design_writes_its_folder_and_json() {
    let data = dimag_dir().parent().unwrap().to_path_buf();
    let out = std::env::temp_dir().join(format!("mnp_design_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mnp"))
        .args(["design", "--r2-min", "100", "--candidates", "2"])
        .args(["--particles", "6", "--generations", "8", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("design.json")).unwrap()).unwrap();
    assert_eq!(last["candidates"], saved["candidates"]);
    let candidates = last["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2);
    for key in [
        "descriptors",
        "sar_pred",
        "sar_lo",
        "sar_hi",
        "r2_pred",
        "nearest_distance",
        "extrapolated",
        "neighbours",
    ] {
        assert!(candidates[0].get(key).is_some(), "{key}");
    }
    assert!(last["runtime_s"].as_f64().unwrap() > 0.0);
    assert!(out.join("manifest.json").is_file());
    // Bad flags are named before any work.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_mnp"))
        .args(["design", "--alpha", "0", "--out"])
        .arg(out.join("never"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--alpha"));
    assert!(!out.join("never").exists());
    std::fs::remove_dir_all(&out).unwrap();
}
