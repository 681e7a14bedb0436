//! Patient-specific planning on a synthetic segmentation: an irregular
//! tumor (two overlapping ellipsoids, about 1 cm³) in healthy tissue,
//! 1 mm voxels, an affine with a rotation and a translation. The example
//! writes the segmentation as NIfTI, reads it back, optimizes a four-site
//! plan on the tumor's principal axes by the paper's swarm (20 particles ×
//! 100 generations) on a box of 68 × 61 × 60 cells (about 63³), runs the dose transient,
//! and writes the maps (NIfTI, VTK), figures and JSON to
//! `examples-out/patient_3d/`.
//!
//! It then checks the 3D planner against the 2D one: the paper's circular
//! tumor as a cylinder through a block with adiabatic z faces, clouds
//! extruded along z, optimized in 3D, against the 2D four-site optimum.
//!
//! ```text
//! cargo run --release --example patient_3d
//! ```

use mnp_suite::app::output::RunOutput;
use mnp_suite::app::patient_output::{PatientFiles, dose_json, optimize_json, write_patient_files};
use mnp_suite::dose::DoseModel;
use mnp_suite::patient::nifti_io::{read_label_volume, write_scalar_volume};
use mnp_suite::patient::phantom::{TUMOR_LABEL, cylinder, two_ellipsoids};
use mnp_suite::patient::{
    Anatomy, CloudShape, CropSettings, PatientProblem, PatientSettings, PrincipalAxes, TissueMap,
    assess_patient_dose, optimize_patient,
};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::assessment::DoseSettings;
use mnp_suite::treatment::objective::{ObjectiveWeights, SolverChoice, TreatmentProblem};
use mnp_suite::treatment::optimize::{OptimizationSettings, optimize};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Voxels per side of the synthetic image.
const IMAGE: usize = 80;
/// Healthy tissue kept around the tumor (mm): with the tumor's extent,
/// a box of about 64³ cells (the paper's 2D block keeps 20 mm around its
/// 10 mm tumor).
const MARGIN_MM: f64 = 25.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let seed = 0;
    let mut out = RunOutput::prepare(
        Path::new("examples-out/patient_3d"),
        "example patient_3d",
        Some(seed),
    )?;

    // The segmentation, through a NIfTI file as a user's would come.
    let phantom = two_ellipsoids(IMAGE, 30.0)?;
    let mask = out.path("mask.nii.gz")?;
    write_scalar_volume(&mask, &phantom.labels().mapv(f64::from), &phantom)?;
    let volume = read_label_volume(&mask)?;
    let map = TissueMap::tumor_in_healthy(&[TUMOR_LABEL])?;
    let crop = CropSettings::default().with_margin_mm(MARGIN_MM)?;
    let anatomy = Arc::new(Anatomy::new(&volume, &map, &crop)?);
    let (nx, ny, nz) = anatomy.grid().shape();
    let g = anatomy.geometry();
    println!("Synthetic segmentation: {IMAGE}³ voxels of 1 mm, rotated 30° about z");
    println!(
        "  tumor {:.0} mm³, semi-axes {:.1} × {:.1} × {:.1} mm; solved box {nx} × {ny} × {nz} cells ({:.0}³)",
        g.volume_m3 * 1e9,
        g.semi_axes[0] * 1e3,
        g.semi_axes[1] * 1e3,
        g.semi_axes[2] * 1e3,
        ((nx * ny * nz) as f64).cbrt()
    );

    // The four-site plan on the principal axes.
    let problem = PatientProblem::new(
        anatomy.clone(),
        Arc::new(PrincipalAxes::new(4)?),
        PatientSettings::default(),
    )?;
    let settings = OptimizationSettings::new(20, 100)?.with_seed(seed);
    let run = optimize_patient(&problem, &settings, &mut |_, _| {})?;
    let m = run.best.metrics;
    println!(
        "\n{} ({} evaluations, {:.1} s)",
        run.strategy, run.evaluations, run.runtime_s
    );
    for (name, x) in run.variables.iter().zip(&run.best_position) {
        println!("  {name:>8} = {x:.4}");
    }
    println!(
        "  R_tum {:.3}  R_tis {:.3}  R_int {:.3}  R_dose {:.3}  J {:.4}",
        m.r_tum, m.r_tis, m.r_int, m.r_dose, m.j
    );
    println!("  sites (patient mm):");
    for (p, v) in &run.best.layout.sites_mm {
        println!(
            "    ({:8.2}, {:8.2}, {:8.2})  {:.3} mm³",
            p[0],
            p[1],
            p[2],
            v * 1e9
        );
    }

    // The dose transient of the optimum.
    let dose_settings = DoseSettings::default();
    let dose = assess_patient_dose(
        &problem,
        &run.best_position,
        &dose_settings,
        &[],
        &mut |_| {},
    )?;
    println!(
        "\nDose: tumor ablated (CEM43 ≥ 60 min everywhere) at {}; first healthy damage at {}",
        minutes(dose.tumor_ablated_min),
        minutes(dose.healthy_damage_min)
    );

    let title = run.strategy.clone();
    write_patient_files(
        &out,
        &PatientFiles {
            volume: &volume,
            anatomy: &anatomy,
            evaluation: &run.best,
            history: Some((&run.history, &run.variables)),
            dose: Some((&dose, dose_settings.cem43().lethal_dose())),
            title: &title,
        },
    )?;
    let optimized = optimize_json(&anatomy, &run);
    out.write("optimize.json", &serde_json::to_string_pretty(&optimized)?)?;
    out.write(
        "dose.json",
        &serde_json::to_string_pretty(&dose_json(&dose, &optimized))?,
    )?;

    // The 3D planner against the 2D one on the paper's circular tumor.
    let (j_3d, j_2d) = extruded_check(seed)?;
    println!(
        "\nExtruded cylinder, four sites: J 3D {j_3d:.4}, J 2D {j_2d:.4} (|Δ| {:.4})",
        (j_3d - j_2d).abs()
    );
    if (j_3d - j_2d).abs() > 0.01 {
        return Err(format!(
            "the extruded 3D plan's J {j_3d:.4} is not within 0.01 of the 2D plan's {j_2d:.4}"
        )
        .into());
    }

    out.commit()?;
    let line = json!({
        "tumor_volume_mm3": optimized["tumor_volume_mm3"],
        "cells": optimized["cells"],
        "j": m.j,
        "r_tum": m.r_tum,
        "r_tis": m.r_tis,
        "r_int": m.r_int,
        "r_dose": m.r_dose,
        "sites_mm": optimized["sites_mm"],
        "ablation_complete_min": dose.tumor_ablated_min,
        "healthy_damage_min": dose.healthy_damage_min,
        "r_cem43_tumor_at_damage": dose.r_cem43_tumor_at_damage,
        "optimize_s": run.runtime_s,
        "runtime_s": start.elapsed().as_secs_f64(),
        "extruded_2d": {"j_3d": j_3d, "j_2d": j_2d},
    });
    println!("{line}");
    Ok(())
}

fn minutes(t: Option<f64>) -> String {
    t.map_or_else(|| "never (within 4 h)".into(), |t| format!("{t:.1} min"))
}

/// J of the four-site plan optimized in 3D on the paper's tumor as a
/// cylinder through a 50 × 50 × 3 block of 1 mm voxels (adiabatic faces,
/// clouds extruded along z), and J of the 2D four-site optimum on the
/// paper's 50² block.
fn extruded_check(seed: u64) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let settings = OptimizationSettings::new(20, 100)?.with_seed(seed);
    let (_, volume) = cylinder(50, 3)?;
    let anatomy = Anatomy::new(
        &volume,
        &TissueMap::tumor_in_healthy(&[TUMOR_LABEL])?,
        &CropSettings::default().whole_image(),
    )?;
    let three_d = PatientProblem::new(
        Arc::new(anatomy),
        Arc::new(PrincipalAxes::new(4)?),
        PatientSettings {
            cloud_shape: CloudShape::ExtrudedZ,
            ..PatientSettings::default()
        },
    )?;
    let j_3d = optimize_patient(&three_d, &settings, &mut |_, _| {})?
        .best
        .metrics
        .j;
    let two_d = TreatmentProblem::new(
        Scenario::paper_circular(50, 0.05, GridAlignment::NodeAtCentre)?,
        Arc::new(Circular::new(4)?),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )?;
    let j_2d = optimize(&two_d, &settings, &mut |_, _| {})?.best.metrics.j;
    Ok((j_3d, j_2d))
}
