//! Data-backed: heating from a predicted SAR — the DiMag SAR model's
//! prediction and interval for a particle description, the plan optimized
//! at it and judged across the interval, and `mnp optimize --particle`.
//! Reads `$MNP_DATA_DIR/dimag`; run with `MNP_DATA_DIR=../shared/data
//! cargo test -- --ignored`.

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::ml::design::{Calibration, SarPredictor};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace,
};
use mnp_suite::treatment::optimize::OptimizationSettings;
use mnp_suite::treatment::predicted_sar::{
    plan_at_predicted_sar, power_per_volume_fraction_from_sar,
};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use std::collections::BTreeMap;
use std::sync::Arc;
mod common;
use common::dimag_dir;

fn particle() -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/particles/magnetite_citrate.toml"),
    )
    .unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn a_particle_becomes_a_plan_judged_across_its_sar_interval() {
    let sar = load_dimag(&dimag_dir(), DimagTarget::Sar).unwrap();
    let predictor = SarPredictor::train(&sar, 0.1, Calibration::Articles, 0).unwrap();
    assert_eq!(predictor.descriptors().len(), 11);
    let p = predictor.predict(&particle()).unwrap();
    assert!(p.lower_w_g < p.sar_w_g && p.sar_w_g < p.upper_w_g, "{p:?}");
    // Inside the data's SAR range (0.21–4214 W/g) and not extrapolated.
    assert!(p.sar_w_g > 0.21 && p.sar_w_g < 4214.0 && !p.outside_data_range);

    let problem = TreatmentProblem::new(
        Scenario::paper_circular(24, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Circular::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap();
    let settings = OptimizationSettings::new(6, 5).unwrap().with_seed(2);
    let plan = plan_at_predicted_sar(&problem, &p, &settings, &mut |_, _| {}).unwrap();
    // q = SAR·ρ_p with Table 1's magnetite (5200 kg/m³).
    for (q, s) in plan
        .q_w_m3
        .iter()
        .zip([p.lower_w_g, p.sar_w_g, p.upper_w_g])
    {
        approx::assert_relative_eq!(*q, s * 1e3 * 5200.0, max_relative = 1e-15);
    }
    assert_eq!(plan.metrics[1], plan.report.best.metrics);
    // The ends of the interval are the same plan at the ends' q.
    let at_upper = problem
        .with_scenario(
            problem
                .scenario()
                .clone()
                .with_power_per_volume_fraction(plan.q_w_m3[2])
                .unwrap(),
        )
        .unwrap()
        .evaluate(&plan.report.best_position, &mut Workspace::default())
        .unwrap();
    assert_eq!(plan.metrics[2], at_upper.metrics);
    // Ten times the predicted SAR overheats healthy tissue: R_tis falls.
    assert!(plan.metrics[2].r_tis < plan.metrics[1].r_tis);
}

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn particle_descriptions_are_checked_by_name() {
    let sar = load_dimag(&dimag_dir(), DimagTarget::Sar).unwrap();
    let predictor = SarPredictor::train(&sar, 0.1, Calibration::Rows, 0).unwrap();
    let mut unknown = particle();
    unknown.insert("Diameter".into(), 20.0);
    let e = predictor.predict(&unknown).unwrap_err().to_string();
    assert!(e.contains("'Diameter' is not a SAR descriptor"), "{e}");
    let mut missing = particle();
    missing.remove("Coercivity");
    let e = predictor.predict(&missing).unwrap_err().to_string();
    assert!(e.contains("'Coercivity'"), "{e}");
    let r1 = load_dimag(&dimag_dir(), DimagTarget::R1).unwrap();
    assert!(SarPredictor::train(&r1, 0.1, Calibration::Rows, 0).is_err());
    assert!(SarPredictor::train(&sar, 1.5, Calibration::Rows, 0).is_err());
}

#[test]
fn sar_converts_to_heating_power_per_volume_fraction() {
    // The paper's q (4.4595·10⁷ W/m³, Table A.1) is 8.576 W per gram of
    // Table 1's magnetite.
    let q = power_per_volume_fraction_from_sar(8.576, 5200.0).unwrap();
    approx::assert_relative_eq!(q, 4.45952e7, max_relative = 1e-6);
    assert!(power_per_volume_fraction_from_sar(-1.0, 5200.0).is_err());
    assert!(power_per_volume_fraction_from_sar(10.0, 0.0).is_err());
}

#[cfg(feature = "cli")]
#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn mnp_optimize_particle_reports_j_across_the_sar_interval() {
    let out = std::env::temp_dir().join(format!("mnp_particle_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/particles/magnetite_citrate.toml");
    let data = dimag_dir().parent().unwrap().to_path_buf();
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mnp"))
            .args([
                "optimize",
                "--cells",
                "24",
                "--particles",
                "4",
                "--generations",
                "3",
            ])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .env_remove("MNP_DATA_DIR")
            .output()
            .unwrap()
    };
    let o = run(&[
        "--particle",
        file.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let (lo, mid, hi) = (
        v["sar_w_g"]["lower"].as_f64().unwrap(),
        v["sar_w_g"]["predicted"].as_f64().unwrap(),
        v["sar_w_g"]["upper"].as_f64().unwrap(),
    );
    assert!(lo < mid && mid < hi);
    assert_eq!(v["j_across_sar"]["predicted"], v["j"]);
    assert!(out.join("optimize.json").exists() && out.join("fields.vti").exists());
    let _ = std::fs::remove_dir_all(&out);
    // Without the data, the flag to give is named; nothing is written.
    let o = run(&["--particle", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("--data"), "{err}");
    assert!(!out.exists());
    // A file that is not a particle description names the flag and file.
    let o = run(&[
        "--particle",
        env!("CARGO_MANIFEST_DIR"),
        "--data",
        data.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains(env!("CARGO_MANIFEST_DIR")),
        "{err}"
    );
}
