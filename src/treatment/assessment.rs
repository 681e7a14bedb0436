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
use crate::treatment::strategy::InjectionLayout;
use lbm_bioheat::{
    Field, FvConfig, FvSolver, ImplicitStep, Lattice, Observer, PennesProblem, TimeScheme,
    TransientSolver,
};
use ndarray::{Array, ArrayView, Dimension, Ix2};
use std::ops::ControlFlow;
use thermal_dose::{AblationHistory, AblationSample, Arrhenius, Cem43, DoseAccumulator};

/// Settings of an assessment; build with `DoseSettings::default()` and the
/// validated `with_*` setters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseSettings {
    duration_s: f64,
    time_step_s: f64,
    cloud_update_s: f64,
    record_every_s: f64,
    stop_at_healthy_damage: bool,
    cem43: Cem43,
    arrhenius: Arrhenius,
}

impl Default for DoseSettings {
    /// 4 h at most, 5 s steps, clouds updated every 30 s, a record a
    /// minute, stop at the first healthy damage, the paper's CEM43 and the
    /// Arrhenius model of Henriques (1947) for skin.
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

fn positive_setting(key: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Error::Scenario {
            key: key.into(),
            message: format!("must be finite and > 0, got {v}"),
        })
    }
}

impl DoseSettings {
    /// The longest treatment simulated (s).
    ///
    /// # Errors
    /// A value that is not finite and > 0 ([`Error::Scenario`] naming
    /// `dose.duration_s`).
    pub fn with_duration_s(self, duration_s: f64) -> Result<Self> {
        let duration_s = positive_setting("dose.duration_s", duration_s)?;
        Ok(Self { duration_s, ..self })
    }
    /// The Crank–Nicolson time step (s).
    ///
    /// # Errors
    /// A value that is not finite and > 0.
    pub fn with_time_step_s(self, time_step_s: f64) -> Result<Self> {
        let time_step_s = positive_setting("dose.time_step_s", time_step_s)?;
        Ok(Self {
            time_step_s,
            ..self
        })
    }
    /// How often the clouds' spread is updated (s); it changes over
    /// minutes.
    ///
    /// # Errors
    /// A value that is not finite and > 0.
    pub fn with_cloud_update_s(self, cloud_update_s: f64) -> Result<Self> {
        let cloud_update_s = positive_setting("dose.cloud_update_s", cloud_update_s)?;
        Ok(Self {
            cloud_update_s,
            ..self
        })
    }
    /// How often R_CEM43 and the Arrhenius ratios are recorded (s).
    ///
    /// # Errors
    /// A value that is not finite and > 0.
    pub fn with_record_every_s(self, record_every_s: f64) -> Result<Self> {
        let record_every_s = positive_setting("dose.record_every_s", record_every_s)?;
        Ok(Self {
            record_every_s,
            ..self
        })
    }
    /// Stop once healthy tissue has started to die (both Table 7 figures
    /// are then known), or march the whole duration.
    pub fn with_stop_at_healthy_damage(self, stop: bool) -> Self {
        Self {
            stop_at_healthy_damage: stop,
            ..self
        }
    }
    /// The CEM43 model (R 0.5 above 43 °C, 0.25 below; lethal at 60 min by
    /// default).
    pub fn with_cem43(self, cem43: Cem43) -> Self {
        Self { cem43, ..self }
    }
    /// The Arrhenius model.
    pub fn with_arrhenius(self, arrhenius: Arrhenius) -> Self {
        Self { arrhenius, ..self }
    }
    /// Longest treatment simulated (s).
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }
    /// Crank–Nicolson time step (s).
    pub fn time_step_s(&self) -> f64 {
        self.time_step_s
    }
    /// Cloud update interval (s).
    pub fn cloud_update_s(&self) -> f64 {
        self.cloud_update_s
    }
    /// Record interval (s).
    pub fn record_every_s(&self) -> f64 {
        self.record_every_s
    }
    /// Whether the march stops at the first healthy damage.
    pub fn stop_at_healthy_damage(&self) -> bool {
        self.stop_at_healthy_damage
    }
    /// The CEM43 model.
    pub fn cem43(&self) -> &Cem43 {
        &self.cem43
    }
    /// The Arrhenius model.
    pub fn arrhenius(&self) -> &Arrhenius {
        &self.arrhenius
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

/// What an assessment found, on a 2D grid (`D` = `Ix2`, the default) or
/// in 3D (`Ix3`).
#[derive(Debug, Clone)]
pub struct DoseReport<D: Dimension = Ix2> {
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
    pub snapshots: Vec<(f64, Array<f64, D>)>,
    /// CEM43 (min) when the march stopped.
    pub cem43_min: Array<f64, D>,
    /// Arrhenius damage Ω when the march stopped.
    pub arrhenius: Array<f64, D>,
    /// Temperature (°C) when the march stopped.
    pub temperature: Array<f64, D>,
    /// Time simulated (min).
    pub simulated_min: f64,
}

/// The samples of a dose report as CSV: `time_min, r_cem43_tumor,
/// r_cem43_healthy, r_arrhenius_tumor, r_arrhenius_healthy, max_tumor_c`.
pub fn ablation_csv<D: Dimension>(report: &DoseReport<D>) -> String {
    let mut s = String::from(
        "time_min,r_cem43_tumor,r_cem43_healthy,r_arrhenius_tumor,r_arrhenius_healthy,max_tumor_c\n",
    );
    for p in &report.samples {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            p.time_min,
            p.r_cem43_tumor,
            p.r_cem43_healthy,
            p.r_arrhenius_tumor,
            p.r_arrhenius_healthy,
            p.max_tumor_c
        ));
    }
    s
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
    let layout = problem.strategy().layout(problem.reference(), x)?;
    let diffusivity = problem.reference().diffusivity();
    assess_dose_layout(
        problem,
        &layout,
        diffusivity,
        settings,
        snapshot_min,
        progress,
    )
}

/// [`assess_dose`] of a layout whose clouds keep spreading with the
/// diffusivity `diffusivity` (m²/s) during the treatment (an uncertain
/// tissue's own D, say).
///
/// # Errors
/// As [`assess_dose`], or a non-positive diffusivity.
pub fn assess_dose_layout(
    problem: &TreatmentProblem,
    layout: &InjectionLayout,
    diffusivity: f64,
    settings: &DoseSettings,
    snapshot_min: &[f64],
    progress: &mut dyn FnMut(f64),
) -> Result<DoseReport> {
    let (base, _) = problem.heated_problem(layout)?;
    march_dose(
        base,
        problem.tumor_mask().clone(),
        settings,
        snapshot_min,
        progress,
        &mut |age| {
            let heating = problem.heating(&layout.cloud.spread(diffusivity, age)?)?;
            Ok((
                heating.heat_capacity,
                heating.conductivity,
                heating.heat_source,
            ))
        },
    )
}

/// The φ-dependent fields of a heated problem at some time: (ρc)_nf
/// (J/(m³·K)), k_nf (W/(m·K)) and Q (W/m³).
pub(crate) type HeatingFields<G> = (Field<G>, Field<G>, Field<G>);

/// The dose transient of `base` (2D or 3D) from its initial temperature:
/// Crank–Nicolson steps of `settings`, the heating replaced every cloud
/// update by `heating_at(age)` (the clouds as they are `age` s after the
/// field is switched on, at the middle of the interval), CEM43 and
/// Arrhenius damage accumulated cell by cell, the tumor's and healthy
/// ratios recorded.
///
/// # Errors
/// Invalid settings, a field the solver refuses, or a failed step.
pub(crate) fn march_dose<G: Lattice>(
    base: PennesProblem<G>,
    tumor: Array<bool, G::Dim>,
    settings: &DoseSettings,
    snapshot_min: &[f64],
    progress: &mut dyn FnMut(f64),
    heating_at: &mut dyn FnMut(f64) -> Result<HeatingFields<G>>,
) -> Result<DoseReport<G::Dim>> {
    let config = FvConfig::default()
        .with_scheme(TimeScheme::CrankNicolson)
        .with_time_step(ImplicitStep::Fixed(settings.time_step_s))?;
    let mut solver = FvSolver::new(base, config)?;
    let shape = tumor.raw_dim();
    let dt = settings.time_step_s;
    let steps = (settings.duration_s / dt).ceil() as usize;
    let update = ((settings.cloud_update_s / dt).round() as usize).max(1);
    let mut snapshots: Vec<f64> = snapshot_min.to_vec();
    snapshots.sort_by(f64::total_cmp);
    let mut march = March {
        settings,
        tumor,
        cem: DoseAccumulator::new(settings.cem43, shape.clone()),
        omega: DoseAccumulator::new(settings.arrhenius, shape),
        history: AblationHistory::new(),
        every: ((settings.record_every_s / dt).round() as usize).max(1),
        steps,
        before: solver.temperature(),
        last_step: 0,
        snapshots,
        next_snapshot: 0,
        samples: Vec::new(),
        kept: Vec::new(),
        overheat_min: None,
        ablated: false,
        damaged: false,
        done: false,
        error: None,
        progress,
    };
    // The transient in intervals of one cloud update: the clouds as they
    // are at the middle of each interval, then the solver's own run with
    // the march observing every step.
    let mut start = 0;
    while start < steps && !march.done {
        let t_start = start as f64 * dt;
        let age = t_start + 0.5 * settings.cloud_update_s.min(settings.duration_s - t_start);
        let (heat_capacity, conductivity, heat_source) = heating_at(age)?;
        solver.set_properties(heat_capacity, conductivity)?;
        solver.set_heat_source(heat_source)?;
        let n = update.min(steps - start);
        solver.run(n, 1, &mut march)?;
        if let Some(e) = march.error.take() {
            return Err(e);
        }
        start += n;
    }
    let at = |s: &AblationSample| s.time_s / 60.0;
    let ablated = march.history.tumor_reaches(1.0);
    let damage = march.history.healthy_damage_onset();
    Ok(DoseReport {
        tumor_ablated_min: ablated.map(at),
        r_cem43_healthy_at_ablation: ablated.map(|s| s.ratios.healthy),
        healthy_damage_min: damage.map(at),
        r_cem43_tumor_at_damage: damage.map(|s| s.ratios.tumor),
        overheat_min: march.overheat_min,
        simulated_min: march.last_step as f64 * dt / 60.0,
        samples: march.samples,
        snapshots: march.kept,
        cem43_min: march.cem.into_dose(),
        arrhenius: march.omega.into_dose(),
        temperature: march.before,
    })
}

/// The dose march: a transient-solver observer that accumulates CEM43 and
/// Arrhenius damage between consecutive states, records R(t) in an
/// [`AblationHistory`] every step (so its events have the step's
/// resolution), keeps samples and snapshots, and stops the solver once the
/// assessment has what it needs.
struct March<'a, D: Dimension> {
    settings: &'a DoseSettings,
    tumor: Array<bool, D>,
    cem: DoseAccumulator<Cem43, D>,
    omega: DoseAccumulator<Arrhenius, D>,
    history: AblationHistory,
    /// Steps between recorded samples.
    every: usize,
    /// Steps of the whole treatment.
    steps: usize,
    /// The temperature after the last step seen.
    before: Array<f64, D>,
    last_step: usize,
    snapshots: Vec<f64>,
    next_snapshot: usize,
    samples: Vec<DoseSample>,
    kept: Vec<(f64, Array<f64, D>)>,
    overheat_min: Option<(f64, f64)>,
    ablated: bool,
    damaged: bool,
    done: bool,
    error: Option<Error>,
    progress: &'a mut dyn FnMut(f64),
}

impl<D: Dimension> March<'_, D> {
    /// Takes the state after `step` steps; true when the march may stop.
    fn advance(&mut self, step: usize, after: ArrayView<f64, D>) -> Result<bool> {
        let dt = self.settings.time_step_s;
        self.cem.add_interval(&self.before.view(), &after, dt)?;
        self.omega.add_interval(&self.before.view(), &after, dt)?;
        let t_min = step as f64 * dt / 60.0;
        let ratios = self.cem.ablation_ratios(&self.tumor.view())?;
        // An event: the step at which the history's tumor_reaches(1.0) or
        // healthy_damage_onset first holds.
        let event =
            (!self.ablated && ratios.tumor >= 1.0) || (!self.damaged && ratios.healthy > 0.0);
        self.ablated |= ratios.tumor >= 1.0;
        self.damaged |= ratios.healthy > 0.0;
        self.history.record(step as f64 * dt, ratios)?;
        let max_tumor = after
            .iter()
            .zip(&self.tumor)
            .filter(|(_, m)| **m)
            .map(|(t, _)| *t)
            .fold(f64::NEG_INFINITY, f64::max);
        if max_tumor > HYPERTHERMIA_MAX_C {
            self.overheat_min = Some(match self.overheat_min {
                Some((a, _)) => (a, t_min),
                None => (t_min, t_min),
            });
        }
        if step.is_multiple_of(self.every) || event || step == self.steps {
            let arr = self.omega.ablation_ratios(&self.tumor.view())?;
            self.samples.push(DoseSample {
                time_min: t_min,
                r_cem43_tumor: ratios.tumor,
                r_cem43_healthy: ratios.healthy,
                r_arrhenius_tumor: arr.tumor,
                r_arrhenius_healthy: arr.healthy,
                max_tumor_c: max_tumor,
            });
            (self.progress)(t_min);
        }
        while self.next_snapshot < self.snapshots.len()
            && t_min + 1e-9 >= self.snapshots[self.next_snapshot]
        {
            self.kept
                .push((self.snapshots[self.next_snapshot], self.cem.dose().clone()));
            self.next_snapshot += 1;
        }
        self.before.assign(&after);
        self.last_step = step;
        Ok(self.settings.stop_at_healthy_damage
            && self.damaged
            && self.next_snapshot >= self.snapshots.len())
    }
}

impl<D: Dimension> Observer<D> for March<'_, D> {
    fn observe(
        &mut self,
        step: usize,
        _time_s: f64,
        temperature: ArrayView<f64, D>,
    ) -> ControlFlow<()> {
        // Each run starts by showing the state it starts from: seen already.
        if step == self.last_step {
            return ControlFlow::Continue(());
        }
        match self.advance(step, temperature) {
            Ok(false) => ControlFlow::Continue(()),
            Ok(true) => {
                self.done = true;
                ControlFlow::Break(())
            }
            Err(e) => {
                self.error = Some(e);
                self.done = true;
                ControlFlow::Break(())
            }
        }
    }
}
