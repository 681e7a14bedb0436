//! Heating from a predicted SAR: from a particle's description to a
//! treatment plan. The DiMag SAR model predicts the particle's specific
//! absorption rate with a conformal interval (`ml::design::SarPredictor`);
//! the heating power per volume fraction follows as
//!
//! ```text
//! q = SAR · ρ_p      (W/g × g/m³ = W/m³ per unit φ; Q = q·φ, Eq. A.1)
//! ```
//!
//! with ρ_p the particles' density (the scenario's, Table 1's magnetite
//! 5200 kg/m³ by default), reading SAR as watts per gram of particles. The
//! plan is optimized at the predicted SAR and its metrics are reported at
//! both ends of the interval, so the plan's sensitivity to the model's
//! uncertainty is explicit.

use crate::error::{Error, Result};
use crate::ml::design::SarPrediction;
use crate::treatment::objective::{TreatmentMetrics, TreatmentProblem, Workspace};
use crate::treatment::optimize::{OptimizationReport, OptimizationSettings, optimize};

/// q (W/m³ per unit volume fraction) of particles of density
/// `particle_density_kg_m3` (kg/m³) heating at `sar_w_g` (W per gram of
/// particles): q = SAR·1000·ρ_p.
///
/// # Errors
/// A negative or non-finite SAR, or a non-positive density.
pub fn power_per_volume_fraction_from_sar(
    sar_w_g: f64,
    particle_density_kg_m3: f64,
) -> Result<f64> {
    if !(sar_w_g.is_finite() && sar_w_g >= 0.0) {
        return Err(Error::Invalid {
            name: "SAR (W/g)",
            reason: format!("must be finite and ≥ 0, got {sar_w_g}"),
        });
    }
    if !(particle_density_kg_m3.is_finite() && particle_density_kg_m3 > 0.0) {
        return Err(Error::Invalid {
            name: "particle density (kg/m³)",
            reason: format!("must be finite and > 0, got {particle_density_kg_m3}"),
        });
    }
    Ok(sar_w_g * 1e3 * particle_density_kg_m3)
}

/// A plan optimized at a predicted SAR and judged across its interval.
#[derive(Debug, Clone)]
pub struct PredictedSarPlan {
    /// The prediction and its interval (W/g).
    pub sar: SarPrediction,
    /// q at the interval's lower end, the prediction and the upper end
    /// (W/m³ per unit φ).
    pub q_w_m3: [f64; 3],
    /// The optimization at the predicted SAR.
    pub report: OptimizationReport,
    /// The optimum's metrics at the lower end, the prediction and the
    /// upper end of the SAR interval.
    pub metrics: [TreatmentMetrics; 3],
}

/// Optimizes `problem`'s plan with the particles heating at the predicted
/// SAR of `sar` (the scenario's q replaced), then evaluates the optimum at
/// the interval's ends.
///
/// # Errors
/// A non-physical SAR, or as [`optimize`].
pub fn plan_at_predicted_sar(
    problem: &TreatmentProblem,
    sar: &SarPrediction,
    settings: &OptimizationSettings,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<PredictedSarPlan> {
    let density = problem.scenario().nanofluid().particles.density();
    let q = [
        power_per_volume_fraction_from_sar(sar.lower_w_g, density)?,
        power_per_volume_fraction_from_sar(sar.sar_w_g, density)?,
        power_per_volume_fraction_from_sar(sar.upper_w_g, density)?,
    ];
    let at = |q: f64| {
        problem.with_scenario(
            problem
                .scenario()
                .clone()
                .with_power_per_volume_fraction(q)?,
        )
    };
    let predicted = at(q[1])?;
    let report = optimize(&predicted, settings, progress)?;
    let mut metrics = [report.best.metrics; 3];
    for k in [0, 2] {
        metrics[k] = at(q[k])?
            .evaluate(&report.best_position, &mut Workspace::default())?
            .metrics;
    }
    Ok(PredictedSarPlan {
        sar: *sar,
        q_w_m3: q,
        report,
        metrics,
    })
}
