//! `mnp optimize|dose|solve --mask`: a segmentation in, NIfTI maps with its
//! header, figures and one JSON line out; bad segmentations and flags
//! refused before any work, naming the file or the flag.
#![cfg(feature = "cli")]

use mnp_suite::app::output::Manifest;
use mnp_suite::patient::nifti_io::{read_label_volume, write_scalar_volume};
use mnp_suite::patient::phantom::two_ellipsoids;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mnp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mnp"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mnp_patient_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 36³ phantom (1 mm voxels, rotated 20°) written to `dir/mask.nii.gz`.
fn phantom(dir: &Path) -> PathBuf {
    let p = two_ellipsoids(36, 20.0).unwrap();
    let path = dir.join("mask.nii.gz");
    write_scalar_volume(&path, &p.labels().mapv(f64::from), &p).unwrap();
    path
}

fn last_json(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn optimize_and_dose_on_a_segmentation_write_overlaying_maps() {
    let dir = scratch("run");
    let mask = phantom(&dir);
    let out = dir.join("out");
    let run = mnp()
        .args([
            "dose",
            "--tumor-label",
            "2",
            "--margin-mm",
            "4",
            "--cell-mm",
            "1.5",
        ])
        .args(["--particles", "4", "--generations", "3", "--sites", "2"])
        .arg("--mask")
        .arg(&mask)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v = last_json(&run);
    assert_eq!(v["sites_mm"].as_array().unwrap().len(), 2);
    // The last line is dose.json.
    let dose: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("dose.json")).unwrap()).unwrap();
    assert_eq!(v, dose);
    assert!(v.get("ablation_complete_min").is_some());
    // The march stops at the first healthy damage (the protocol), or runs
    // the whole 4 h.
    let simulated = v["simulated_min"].as_f64().unwrap();
    match v["healthy_damage_min"].as_f64() {
        Some(t) => assert!((simulated - t).abs() < 1e-9, "{simulated} vs {t}"),
        None => assert!((simulated - 240.0).abs() < 1e-9, "{simulated}"),
    }
    let volume = v["tumor_volume_mm3"].as_f64().unwrap();
    assert!(volume > 600.0 && volume < 1300.0, "{volume}");
    let manifest = Manifest::read(&out).unwrap();
    for f in [
        "temperature.nii.gz",
        "concentration.nii.gz",
        "cem43.nii.gz",
        "arrhenius.nii.gz",
        "fields.vti",
        "dvh.csv",
        "dvh.png",
        "temperature_ij.png",
        "cem43_ik.png",
        "convergence.png",
        "ablation.png",
        "ablation.csv",
        "optimize.json",
        "dose.json",
    ] {
        assert!(
            manifest.files.iter().any(|m| m == f),
            "{f} missing: {:?}",
            manifest.files
        );
    }
    // The maps have the segmentation's shape and affine.
    let input = read_label_volume(&mask).unwrap();
    for map in ["temperature.nii.gz", "cem43.nii.gz"] {
        let header = nifti::NiftiHeader::from_file(out.join(map)).unwrap();
        assert_eq!(&header.dim[..4], &[3, 36, 36, 36]);
        let expected = input.affine().rows();
        for (row, got) in expected
            .iter()
            .zip([header.srow_x, header.srow_y, header.srow_z])
        {
            for (e, g) in row.iter().zip(got) {
                assert!((e - f64::from(g)).abs() < 1e-4, "{map}: {row:?} vs {got:?}");
            }
        }
    }
    let dvh = std::fs::read_to_string(out.join("dvh.csv")).unwrap();
    assert!(
        dvh.starts_with("quantity,level,tumor_fraction,healthy_fraction\ntemperature_c,37,1,1\n")
    );
    assert!(dvh.contains("\ncem43_min,60,"));
    // solve at the optimum reproduces its J.
    let optimum: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap();
    let position: Vec<String> = optimum["position"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{}", x.as_f64().unwrap()))
        .collect();
    let solved = mnp()
        .args([
            "solve",
            "--tumor-label",
            "2",
            "--margin-mm",
            "4",
            "--cell-mm",
            "1.5",
            "--sites",
            "2",
        ])
        .arg("--mask")
        .arg(&mask)
        .arg("--position")
        .arg(position.join(","))
        .arg("--out")
        .arg(dir.join("solved"))
        .output()
        .unwrap();
    assert!(
        solved.status.success(),
        "{}",
        String::from_utf8_lossy(&solved.stderr)
    );
    let s = last_json(&solved);
    assert!((s["j"].as_f64().unwrap() - optimum["j"].as_f64().unwrap()).abs() < 1e-9);
    std::fs::remove_dir_all(&dir).ok();
}

fn refused(args: &[&str], out: &Path) -> String {
    let run = mnp().args(args).arg("--out").arg(out).output().unwrap();
    assert!(!run.status.success(), "{args:?} succeeded");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
    String::from_utf8_lossy(&run.stderr).into_owned()
}

#[test]
fn bad_segmentations_and_flags_are_refused_before_any_work() {
    let dir = scratch("bad");
    let mask = phantom(&dir);
    let m = mask.to_str().unwrap();
    let out = dir.join("out");
    let missing = dir.join("nope.nii.gz");
    let e = refused(
        &[
            "optimize",
            "--mask",
            missing.to_str().unwrap(),
            "--tumor-label",
            "2",
        ],
        &out,
    );
    assert!(
        e.contains("nope.nii.gz") && e.contains("does not exist"),
        "{e}"
    );
    let e = refused(&["optimize", "--mask", m], &out);
    assert!(e.contains("--tumor-label"), "{e}");
    let e = refused(&["optimize", "--mask", m, "--tumor-label", "7"], &out);
    assert!(
        e.contains("mask.nii.gz") && e.contains("no voxel of tumor label"),
        "{e}"
    );
    let e = refused(
        &[
            "optimize",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--margin-mm",
            "40",
        ],
        &out,
    );
    assert!(e.contains("larger than the image"), "{e}");
    let e = refused(
        &[
            "optimize",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--cells",
            "50",
        ],
        &out,
    );
    assert!(e.contains("--cells"), "{e}");
    let e = refused(
        &[
            "optimize",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--margin-mm",
            "-1",
        ],
        &out,
    );
    assert!(e.contains("--margin-mm"), "{e}");
    let e = refused(
        &[
            "optimize",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--margin-mm",
            "4",
            "--cell-mm",
            "0.01",
        ],
        &out,
    );
    assert!(e.contains("mask.nii.gz") && e.contains("cells"), "{e}");
    let e = refused(&["optimize", "--tumor-label", "2"], &out);
    assert!(e.contains("--tumor-label") && e.contains("--mask"), "{e}");
    let e = refused(
        &[
            "optimize",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--sites",
            "3",
        ],
        &out,
    );
    assert!(e.contains("patient.sites"), "{e}");
    let e = refused(
        &[
            "solve",
            "--mask",
            m,
            "--tumor-label",
            "2",
            "--margin-mm",
            "4",
            "--position",
            "0.5,0.5",
        ],
        &out,
    );
    assert!(e.contains("--position") && e.contains("k_1"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_scenario_file_maps_labels_to_tissues() {
    let dir = scratch("scenario");
    let mask = phantom(&dir);
    let scenario = dir.join("patient.toml");
    std::fs::write(
        &scenario,
        format!(
            "[pso]\nparticles = 3\ngenerations = 2\n\n[patient]\nmask = \"{}\"\ntumor_labels = [2]\nmargin_mm = 4.0\ncell_mm = 1.5\nsites = 1\n\n[[patient.tissue]]\nname = \"fat\"\nlabels = [1]\ndensity = 911.0\nspecific_heat = 2348.0\nconductivity = 0.21\nperfusion_rate = 0.3\n",
            mask.file_name().unwrap().to_string_lossy()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let run = mnp()
        .arg("optimize")
        .arg("--scenario")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(last_json(&run)["sites_mm"].as_array().unwrap().len(), 1);
    // A label no tissue lists is refused once tissues are listed.
    std::fs::write(
        &scenario,
        format!(
            "[patient]\nmask = \"{}\"\ntumor_labels = [2]\n\n[[patient.tissue]]\nname = \"fat\"\nlabels = [5]\n",
            mask.display()
        ),
    )
    .unwrap();
    let e = refused(
        &["optimize", "--scenario", scenario.to_str().unwrap()],
        &dir.join("out2"),
    );
    assert!(e.contains("label 1") && e.contains("no tissue's"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
