//! Thermal-dose assessment of an injection plan (Jiang et al. 2022, §3.3,
//! Eqs. 12–13, Table 7, Figs. 8–9): the field switched on at t = 0 over
//! tissue at 37 °C, the particle clouds still spreading (σ² = σ_opt² + 2Dt),
//! the transient Pennes equation marched by Crank–Nicolson, and CEM43 and
//! Arrhenius damage accumulated cell by cell.
//!
//! The transient always uses the finite-volume Crank–Nicolson solver
//! (`FvSolver`); the problem's steady-solver choice only sets how φ is put
//! on the cells (cell means for the finite volumes, node values for the
//! LBM).

use crate::error::{Error, Result};
use crate::treatment::objective::{HYPERTHERMIA_MAX_C, TreatmentProblem};
use lbm_bioheat::{FvConfig, FvSolver, ImplicitStep, TimeScheme, TransientSolver};
use ndarray::Array2;
use thermal_dose::{Arrhenius, Cem43, DoseAccumulator};

/// Settings of an assessment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseSettings {
    /// Longest treatment simulated (s).
    pub duration_s: f64,
    /// Crank–Nicolson time step (s).
    pub time_step_s: f64,
    /// The clouds' spread is updated this often (s); it changes over
    /// minutes.
    pub cloud_update_s: f64,
    /// R_CEM43 and the Arrhenius ratios are recorded this often (s).
    pub record_every_s: f64,
    /// Stop once healthy tissue has started to die (both Table 7 figures
    /// are then known).
    pub stop_at_healthy_damage: bool,
    /// The CEM43 model (R 0.5 above 43 °C, 0.25 below; lethal at 60 min).
    pub cem43: Cem43,
    /// The Arrhenius model (A = 3.1·10⁹⁸ 1/s, E_a = 6.28·10⁵ J/mol).
    pub arrhenius: Arrhenius,
}

impl Default for DoseSettings {
    /// 4 h at most, 5 s steps, clouds updated every 30 s, a record a
    /// minute, stop at the first healthy damage, the paper's CEM43 and
    /// SPEC §9's Arrhenius model.
    fn default() -> Self {
        Self {
            duration_s: 4.0 * 3600.0,
            time_step_s: 5.0,
            cloud_update_s: 30.0,
            record_every_s: 60.0,
            stop_at_healthy_damage: true,
            cem43: Cem43::new(),
            arrhenius: Arrhenius::skin_henriques(),
        }
    }
}

impl DoseSettings {
    fn check(&self) -> Result<()> {
        for (name, v) in [
            ("dose.duration_s", self.duration_s),
            ("dose.time_step_s", self.time_step_s),
            ("dose.cloud_update_s", self.cloud_update_s),
            ("dose.record_every_s", self.record_every_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::Scenario {
                    key: name.into(),
                    message: format!("must be finite and > 0, got {v}"),
                });
            }
        }
        Ok(())
    }
}

/// Ablated fractions at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseSample {
    /// Time since the field was switched on (min).
    pub time_min: f64,
    /// R_CEM43 in the tumor (Eq. 13).
    pub r_cem43_tumor: f64,
    /// R_CEM43 in healthy tissue.
    pub r_cem43_healthy: f64,
    /// Fraction with Ω ≥ 1 in the tumor.
    pub r_arrhenius_tumor: f64,
    /// Fraction with Ω ≥ 1 in healthy tissue.
    pub r_arrhenius_healthy: f64,
    /// Hottest tumor cell (°C).
    pub max_tumor_c: f64,
}

/// What an assessment found.
#[derive(Debug, Clone)]
pub struct DoseReport {
    /// Ratios over time (every `record_every_s`, and at the events).
    pub samples: Vec<DoseSample>,
    /// When the whole tumor reached CEM43 ≥ the lethal dose (min).
    pub tumor_ablated_min: Option<f64>,
    /// When the first healthy cell did (min): Table 7's exposure time.
    pub healthy_damage_min: Option<f64>,
    /// R_CEM43 in the tumor at that time (Table 7).
    pub r_cem43_tumor_at_damage: Option<f64>,
    /// R_CEM43 in healthy tissue when the tumor was fully ablated.
    pub r_cem43_healthy_at_ablation: Option<f64>,
    /// First and last time (min) some tumor cell exceeded 46 °C.
    pub overheat_min: Option<(f64, f64)>,
    /// CEM43 fields (min) at the requested snapshot times (Fig. 9).
    pub snapshots: Vec<(f64, Array2<f64>)>,
    /// CEM43 (min) when the march stopped.
    pub cem43_min: Array2<f64>,
    /// Temperature (°C) when the march stopped.
    pub temperature: Array2<f64>,
    /// Time simulated (min).
    pub simulated_min: f64,
}

/// Assesses the plan at `x` (the strategy's variables) by a transient from
/// 37 °C; `snapshot_min` lists the times (min) whose CEM43 field to keep;
/// `progress` sees the time (min).
///
/// # Errors
/// Invalid settings or variables, a non-physical field, or a failed step.
pub fn assess_dose(
    problem: &TreatmentProblem,
    x: &[f64],
    settings: &DoseSettings,
    snapshot_min: &[f64],
    progress: &mut dyn FnMut(f64),
) -> Result<DoseReport> {
    settings.check()?;
    let layout = problem.strategy().layout(problem.reference(), x)?;
    let diffusivity = problem.reference().diffusivity();
    let (base, _) = problem.heated_problem(&layout)?;
    let config = FvConfig::default()
        .with_scheme(TimeScheme::CrankNicolson)
        .with_time_step(ImplicitStep::Fixed(settings.time_step_s))?;
    let mut solver = FvSolver::new(base, config)?;
    let tumor = problem.tumor_mask().clone();
    let shape = tumor.dim();
    let mut cem = DoseAccumulator::new(settings.cem43, shape);
    let mut omega = DoseAccumulator::new(settings.arrhenius, shape);
    let dt = settings.time_step_s;
    let steps = (settings.duration_s / dt).ceil() as usize;
    let every = ((settings.record_every_s / dt).round() as usize).max(1);
    let update = ((settings.cloud_update_s / dt).round() as usize).max(1);
    let mut report = DoseReport {
        samples: Vec::new(),
        tumor_ablated_min: None,
        healthy_damage_min: None,
        r_cem43_tumor_at_damage: None,
        r_cem43_healthy_at_ablation: None,
        overheat_min: None,
        snapshots: Vec::new(),
        cem43_min: Array2::zeros(shape),
        temperature: solver.temperature(),
        simulated_min: 0.0,
    };
    let mut snapshots: Vec<f64> = snapshot_min.to_vec();
    snapshots.sort_by(f64::total_cmp);
    let mut next_snapshot = 0;
    let mut before = solver.temperature();
    for step in 1..=steps {
        let t_start = (step - 1) as f64 * dt;
        if (step - 1) % update == 0 {
            // The clouds as they are at the middle of the coming interval.
            let age = t_start + 0.5 * settings.cloud_update_s.min(settings.duration_s - t_start);
            let heating = problem.heating(&layout.cloud.spread(diffusivity, age)?)?;
            solver.set_properties(heating.heat_capacity, heating.conductivity)?;
            solver.set_heat_source(heating.heat_source)?;
        }
        solver.step()?;
        let after = solver.temperature();
        cem.add_interval(&before.view(), &after.view(), dt)?;
        omega.add_interval(&before.view(), &after.view(), dt)?;
        let t_min = step as f64 * dt / 60.0;
        let ratios = cem.ablation_ratios(&tumor.view())?;
        let max_tumor = after
            .iter()
            .zip(&tumor)
            .filter(|(_, m)| **m)
            .map(|(t, _)| *t)
            .fold(f64::NEG_INFINITY, f64::max);
        if max_tumor > HYPERTHERMIA_MAX_C {
            report.overheat_min = Some(match report.overheat_min {
                Some((a, _)) => (a, t_min),
                None => (t_min, t_min),
            });
        }
        let mut event = false;
        if report.tumor_ablated_min.is_none() && ratios.tumor >= 1.0 {
            report.tumor_ablated_min = Some(t_min);
            report.r_cem43_healthy_at_ablation = Some(ratios.healthy);
            event = true;
        }
        if report.healthy_damage_min.is_none() && ratios.healthy > 0.0 {
            report.healthy_damage_min = Some(t_min);
            report.r_cem43_tumor_at_damage = Some(ratios.tumor);
            event = true;
        }
        if step % every == 0 || event || step == steps {
            let arr = omega.ablation_ratios(&tumor.view())?;
            report.samples.push(DoseSample {
                time_min: t_min,
                r_cem43_tumor: ratios.tumor,
                r_cem43_healthy: ratios.healthy,
                r_arrhenius_tumor: arr.tumor,
                r_arrhenius_healthy: arr.healthy,
                max_tumor_c: max_tumor,
            });
            progress(t_min);
        }
        while next_snapshot < snapshots.len() && t_min + 1e-9 >= snapshots[next_snapshot] {
            report
                .snapshots
                .push((snapshots[next_snapshot], cem.dose().clone()));
            next_snapshot += 1;
        }
        before = after;
        report.simulated_min = t_min;
        if settings.stop_at_healthy_damage
            && report.healthy_damage_min.is_some()
            && next_snapshot >= snapshots.len()
        {
            break;
        }
    }
    report.cem43_min = cem.dose().clone();
    report.temperature = before;
    Ok(report)
}
