//! The thermal dose of a plan on a patient (Jiang et al. 2022, §3.3, in
//! 3D): the field switched on over tissue at 37 °C, the clouds spreading
//! (σ² = σ_opt² + 2Dt), the transient Pennes equation marched by
//! Crank–Nicolson, CEM43 and Arrhenius damage accumulated voxel by voxel.

use crate::error::Result;
use crate::patient::objective::PatientProblem;
use crate::patient::strategy::PatientLayout;
use crate::treatment::assessment::{DoseReport, DoseSettings, march_dose};
use ndarray::Ix3;

/// Assesses the plan at `x` (the strategy's variables) on `problem`'s
/// patient: `snapshot_min` lists the times (min) whose CEM43 field to
/// keep; `progress` sees the time (min).
///
/// # Errors
/// Invalid variables, a non-physical field, or a failed step.
pub fn assess_patient_dose(
    problem: &PatientProblem,
    x: &[f64],
    settings: &DoseSettings,
    snapshot_min: &[f64],
    progress: &mut dyn FnMut(f64),
) -> Result<DoseReport<Ix3>> {
    let layout = problem.layout(x)?;
    assess_patient_layout(problem, &layout, settings, snapshot_min, progress)
}

/// [`assess_patient_dose`] of a layout; its clouds spread with the
/// reference's diffusivity during the treatment.
///
/// # Errors
/// As [`assess_patient_dose`].
pub fn assess_patient_layout(
    problem: &PatientProblem,
    layout: &PatientLayout,
    settings: &DoseSettings,
    snapshot_min: &[f64],
    progress: &mut dyn FnMut(f64),
) -> Result<DoseReport<Ix3>> {
    let diffusivity = problem.reference().diffusivity();
    let base = problem.heated_problem(&problem.heating(&layout.cloud)?)?;
    march_dose(
        base,
        problem.anatomy().tumor_mask().clone(),
        settings,
        snapshot_min,
        progress,
        &mut |age| {
            let h = problem.heating(&layout.cloud.spread(diffusivity, age)?)?;
            Ok((h.heat_capacity, h.conductivity, h.heat_source))
        },
    )
}
