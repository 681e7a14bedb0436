//! The treatment objective of Jiang et al. 2022 (Eqs. 9–10) and one
//! evaluation of it: injection layout → particle field φ → heat Q = q·φ and
//! mixture properties → steady Pennes temperature → R_tum, R_tis, R_int,
//! R_dose and J.

use crate::error::{Error, Result};
use crate::treatment::scenario::{Scenario, SourceSampling};
use crate::treatment::strategy::{InjectionLayout, InjectionStrategy};
use lbm_bioheat::probe::bilinear;
use lbm_bioheat::{
    FvConfig, FvSolver, Grid, LbmConfig, LbmSolver, PennesProblem, SteadySolver, TimeStep,
};
use mnp_physics::{InjectionCloud, InjectionReference};
use ndarray::Array2;
use std::sync::Arc;

/// Lower bound of the hyperthermia band (°C, Eq. 9a).
pub const HYPERTHERMIA_MIN_C: f64 = 43.0;
/// Upper bound of the hyperthermia band (°C, Eq. 9a).
pub const HYPERTHERMIA_MAX_C: f64 = 46.0;

/// The weights ω1…ω4 of J (Eq. 10): each finite and ≥ 0, not all zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectiveWeights {
    tumor: f64,
    tissue: f64,
    interface: f64,
    dose: Option<f64>,
}

impl ObjectiveWeights {
    /// ω1 (R_tum), ω2 (R_tis), ω3 (R_int) and ω4 (R_dose; `None` drops
    /// R_dose from J, as Table 3 does).
    ///
    /// # Errors
    /// A negative or non-finite weight, or all zero.
    pub fn new(tumor: f64, tissue: f64, interface: f64, dose: Option<f64>) -> Result<Self> {
        let w = Self {
            tumor,
            tissue,
            interface,
            dose,
        };
        w.check()?;
        Ok(w)
    }
    /// ω1 of R_tum.
    pub fn tumor(&self) -> f64 {
        self.tumor
    }
    /// ω2 of R_tis.
    pub fn tissue(&self) -> f64 {
        self.tissue
    }
    /// ω3 of R_int.
    pub fn interface(&self) -> f64 {
        self.interface
    }
    /// ω4 of R_dose, or `None` when J leaves R_dose out.
    pub fn dose(&self) -> Option<f64> {
        self.dose
    }
    /// The paper's 0.3, 0.3, 0.2, 0.2.
    pub fn paper() -> Self {
        Self {
            tumor: 0.3,
            tissue: 0.3,
            interface: 0.2,
            dose: Some(0.2),
        }
    }
    /// Table 3's runs: R_dose dropped, the other weights kept.
    pub fn without_dose() -> Self {
        Self {
            dose: None,
            ..Self::paper()
        }
    }
    /// J = ω1 R_tum + ω2 R_tis + ω3 R_int + ω4 R_dose (Eq. 10; without
    /// the last term when J leaves R_dose out).
    pub fn combine(&self, r_tum: f64, r_tis: f64, r_int: f64, r_dose: f64) -> f64 {
        self.tumor * r_tum
            + self.tissue * r_tis
            + self.interface * r_int
            + self.dose.map_or(0.0, |w| w * r_dose)
    }
    fn check(&self) -> Result<()> {
        let all = [
            self.tumor,
            self.tissue,
            self.interface,
            self.dose.unwrap_or(0.0),
        ];
        if all.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || all.iter().all(|&w| w == 0.0) {
            return Err(Error::Invalid {
                name: "objective weights",
                reason: format!("must be finite, ≥ 0 and not all zero, got {all:?}"),
            });
        }
        Ok(())
    }
}

impl Default for ObjectiveWeights {
    fn default() -> Self {
        Self::paper()
    }
}

/// The four requirements and J (Eqs. 9a–9d, 10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreatmentMetrics {
    /// Area fraction of the tumor with 43 ≤ T < 46 °C (Eq. 9a).
    pub r_tum: f64,
    /// Area fraction of healthy tissue with T < 43 °C (Eq. 9b).
    pub r_tis: f64,
    /// exp(−RMS(T_interface − 43 °C)) (Eq. 9c).
    pub r_int: f64,
    /// 1 − (V/φ0)^(1/3) = 1 − (n k_φ k_σ²)^(1/3) (Eq. 9d), reported even
    /// when J drops it.
    pub r_dose: f64,
    /// J (Eq. 10).
    pub j: f64,
}

/// R_tum, R_tis, R_int, R_dose and J of a temperature field (°C) on `grid`,
/// with the tumor's cells `tumor`, the interface points `interface` (m,
/// sampled bilinearly) and the dose ratio V/φ0.
///
/// # Errors
/// Mismatched shapes, an empty tumor or healthy region, no interface
/// point or one outside the grid, a non-finite temperature.
pub fn treatment_metrics(
    grid: &Grid,
    temperature: &Array2<f64>,
    tumor: &Array2<bool>,
    interface: &[(f64, f64)],
    dose_ratio: f64,
    weights: &ObjectiveWeights,
) -> Result<TreatmentMetrics> {
    for (what, dim) in [
        ("temperature", temperature.dim()),
        ("tumor mask", tumor.dim()),
    ] {
        if dim != grid.shape() {
            return Err(Error::Shape {
                what,
                expected: grid.nx() * grid.ny(),
                found: dim.0 * dim.1,
            });
        }
    }
    if let Some(t) = temperature.iter().find(|t| !t.is_finite()) {
        return Err(Error::Invalid {
            name: "temperature",
            reason: format!("is not finite ({t})"),
        });
    }
    let (r_tum, r_tis) = band_fractions(temperature.iter().zip(tumor))?;
    if interface.is_empty() {
        return Err(Error::Invalid {
            name: "tumor",
            reason: "needs interface points".into(),
        });
    }
    let mut sq = 0.0;
    for &(x, y) in interface {
        let t = bilinear(grid, temperature, x, y)?;
        sq += (t - HYPERTHERMIA_MIN_C).powi(2);
    }
    let r_int = (-(sq / interface.len() as f64).sqrt()).exp();
    let r_dose = 1.0 - dose_ratio.max(0.0).cbrt();
    let j = weights.combine(r_tum, r_tis, r_int, r_dose);
    Ok(TreatmentMetrics {
        r_tum,
        r_tis,
        r_int,
        r_dose,
        j,
    })
}

/// R_tum and R_tis (Eqs. 9a, 9b) of (temperature °C, in the tumor) pairs,
/// cells of equal size: the tumor's fraction with 43 ≤ T < 46 °C and the
/// other cells' fraction with T < 43 °C.
///
/// # Errors
/// No tumor cell or no other cell.
pub(crate) fn band_fractions<'a>(
    cells: impl IntoIterator<Item = (&'a f64, &'a bool)>,
) -> Result<(f64, f64)> {
    let (mut n_tum, mut in_band, mut n_tis, mut cool) = (0usize, 0usize, 0usize, 0usize);
    for (&t, &m) in cells {
        if m {
            n_tum += 1;
            in_band += usize::from((HYPERTHERMIA_MIN_C..HYPERTHERMIA_MAX_C).contains(&t));
        } else {
            n_tis += 1;
            cool += usize::from(t < HYPERTHERMIA_MIN_C);
        }
    }
    if n_tum == 0 || n_tis == 0 {
        return Err(Error::Invalid {
            name: "tumor",
            reason: "needs tumor cells and healthy cells".into(),
        });
    }
    Ok((in_band as f64 / n_tum as f64, cool as f64 / n_tis as f64))
}

/// Which steady solver an evaluation uses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SolverChoice {
    /// The finite-volume Newton–multigrid solver with cell-averaged φ
    /// (milliseconds; the default).
    #[default]
    FiniteVolume,
    /// The LBM marched to steady state with φ at its nodes (seconds; the
    /// paper's method) at relaxation time τ for the most diffusive cell.
    Lbm {
        /// τ_T of the most diffusive cell.
        tau: f64,
    },
}

impl SolverChoice {
    /// How this solver takes φ.
    pub fn sampling(&self) -> SourceSampling {
        match self {
            SolverChoice::FiniteVolume => SourceSampling::CellAverage,
            SolverChoice::Lbm { .. } => SourceSampling::CellCentre,
        }
    }
}

/// One evaluation: the layout, the fields and the metrics.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Sites, clouds and Eq. 11's quantities.
    pub layout: InjectionLayout,
    /// Particle volume fraction φ per cell.
    pub volume_fraction: Array2<f64>,
    /// Steady temperature (°C).
    pub temperature: Array2<f64>,
    /// R_tum, R_tis, R_int, R_dose, J.
    pub metrics: TreatmentMetrics,
}

impl Evaluation {
    /// The columns of Tables 2 and 5: R_tum, R_tis, R_int, R_dose, J,
    /// t_opt (min) and V_opt (mm²).
    pub fn table_row(&self) -> [f64; 7] {
        let m = self.metrics;
        [
            m.r_tum,
            m.r_tis,
            m.r_int,
            m.r_dose,
            m.j,
            self.layout.waiting_time_s / 60.0,
            self.layout.total_volume_m2 * 1e6,
        ]
    }
}

/// A scenario, an injection strategy, the reference values and the
/// weights: everything an evaluation of J needs.
#[derive(Debug, Clone)]
pub struct TreatmentProblem {
    scenario: Scenario,
    strategy: Arc<dyn InjectionStrategy>,
    reference: InjectionReference,
    weights: ObjectiveWeights,
    solver: SolverChoice,
    tumor_mask: Array2<bool>,
    interface: Vec<(f64, f64)>,
    /// The problem without particles (its φ-dependent fields are replaced
    /// at each evaluation).
    base: PennesProblem,
    /// Identifies `base` (shared by clones): a workspace's solver holds
    /// the perfusion laws of the problem that built it, so a workspace
    /// that moves to another problem rebuilds its solver.
    id: u64,
}

/// The next [`TreatmentProblem`] identity.
static NEXT_PROBLEM_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Interface points of Eq. 9c on a circle or ellipse (one a degree).
pub const INTERFACE_POINTS: usize = 360;

impl TreatmentProblem {
    /// Prepares the evaluations.
    ///
    /// # Errors
    /// Invalid weights, a tumor mask that cannot be built, or an invalid
    /// LBM relaxation time.
    pub fn new(
        scenario: Scenario,
        strategy: Arc<dyn InjectionStrategy>,
        reference: InjectionReference,
        weights: ObjectiveWeights,
        solver: SolverChoice,
    ) -> Result<Self> {
        if let SolverChoice::Lbm { tau } = solver {
            LbmConfig::default().with_time_step(TimeStep::Tau(tau))?;
        }
        let tumor_mask = scenario.tumor().mask(scenario.grid())?;
        let interface = scenario
            .tumor()
            .interface_points(scenario.grid(), INTERFACE_POINTS)?;
        let base = scenario.problem(&mnp_physics::InjectionCloud::default())?;
        Ok(Self {
            scenario,
            strategy,
            reference,
            weights,
            solver,
            tumor_mask,
            interface,
            base,
            id: NEXT_PROBLEM_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The same strategy, reference, weights and solver on another
    /// scenario (other tissue properties, say).
    ///
    /// # Errors
    /// As [`TreatmentProblem::new`].
    pub fn with_scenario(&self, scenario: Scenario) -> Result<Self> {
        Self::new(
            scenario,
            self.strategy.clone(),
            self.reference,
            self.weights,
            self.solver,
        )
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    /// The strategy.
    pub fn strategy(&self) -> &dyn InjectionStrategy {
        self.strategy.as_ref()
    }
    /// The reference values of the normalized variables.
    pub fn reference(&self) -> &InjectionReference {
        &self.reference
    }
    /// The weights of J.
    pub fn weights(&self) -> &ObjectiveWeights {
        &self.weights
    }
    /// The steady solver used.
    pub fn solver(&self) -> SolverChoice {
        self.solver
    }
    /// The tumor's cells.
    pub fn tumor_mask(&self) -> &Array2<bool> {
        &self.tumor_mask
    }
    /// The interface points of Eq. 9c (m).
    pub fn interface(&self) -> &[(f64, f64)] {
        &self.interface
    }

    /// φ on the cells for this problem's solver, then (ρc)_nf, k_nf and
    /// Q = q·φ: the fields `cloud` gives every evaluation and transient step.
    ///
    /// # Errors
    /// φ outside [0, 1] somewhere.
    pub fn heating(&self, cloud: &InjectionCloud) -> Result<Heating> {
        let volume_fraction = self
            .scenario
            .volume_fraction_sampled(cloud, self.solver.sampling())?;
        let (heat_capacity, conductivity, heat_source) =
            self.scenario.heating_fields(&volume_fraction)?;
        Ok(Heating {
            volume_fraction,
            heat_capacity,
            conductivity,
            heat_source,
        })
    }

    /// The problem without particles with `heating`'s fields.
    fn problem_with(&self, heating: Heating) -> Result<PennesProblem> {
        let mut problem = self.base.clone();
        problem.set_properties(heating.heat_capacity, heating.conductivity)?;
        problem.set_heat_source(heating.heat_source)?;
        Ok(problem)
    }

    /// The Pennes problem heated by `layout`'s clouds (φ sampled for the
    /// chosen solver), and that φ.
    ///
    /// # Errors
    /// φ outside [0, 1] somewhere.
    pub fn heated_problem(&self, layout: &InjectionLayout) -> Result<(PennesProblem, Array2<f64>)> {
        let mut heating = self.heating(&layout.cloud)?;
        let phi = std::mem::take(&mut heating.volume_fraction);
        Ok((self.problem_with(heating)?, phi))
    }

    /// How far the plan at `x` exceeds a particle volume fraction of 1: the
    /// largest φ on the cells (as the solver samples it) minus 1, ≤ 0 for a
    /// physical plan. This is the constraint the optimizer keeps, so a plan
    /// that crowds particles is infeasible in a search, not fatal. The sum
    /// of the sites' peaks bounds φ, so the field is sampled only when that
    /// bound exceeds 1.
    ///
    /// # Errors
    /// Wrong variables, or a value the clouds refuse.
    pub fn volume_fraction_excess(&self, x: &[f64]) -> Result<f64> {
        self.layout_volume_fraction_excess(&self.strategy.layout(&self.reference, x)?)
    }

    /// [`TreatmentProblem::volume_fraction_excess`] of a layout.
    ///
    /// # Errors
    /// A value the clouds refuse.
    pub fn layout_volume_fraction_excess(&self, layout: &InjectionLayout) -> Result<f64> {
        let bound: f64 = layout
            .cloud
            .sites()
            .iter()
            .map(|s| s.peak_volume_fraction())
            .sum();
        if bound <= 1.0 {
            return Ok(bound - 1.0);
        }
        let phi = self
            .scenario
            .volume_fraction_sampled(&layout.cloud, self.solver.sampling())?;
        Ok(phi.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)) - 1.0)
    }

    /// Evaluates J at `x` with a reusable `workspace` (warm starts from its
    /// last solution with the finite-volume solver).
    ///
    /// # Errors
    /// Wrong variables, non-physical particle fields, or a failed solve
    /// (the solver's typed error).
    pub fn evaluate(&self, x: &[f64], workspace: &mut Workspace) -> Result<Evaluation> {
        self.evaluate_layout(self.strategy.layout(&self.reference, x)?, workspace)
    }

    /// [`TreatmentProblem::evaluate`] of a layout (its clouds changed, for
    /// example, by an uncertain diffusivity).
    ///
    /// # Errors
    /// As [`TreatmentProblem::evaluate`].
    pub fn evaluate_layout(
        &self,
        layout: InjectionLayout,
        workspace: &mut Workspace,
    ) -> Result<Evaluation> {
        let mut heating = self.heating(&layout.cloud)?;
        let phi = std::mem::take(&mut heating.volume_fraction);
        let temperature = match self.solver {
            SolverChoice::FiniteVolume => {
                if workspace.owner != self.id {
                    workspace.fv = None;
                    workspace.owner = self.id;
                }
                let solver = match &mut workspace.fv {
                    Some(s) => s,
                    slot => slot.insert(FvSolver::new(self.base.clone(), FvConfig::default())?),
                };
                solver.set_properties(heating.heat_capacity, heating.conductivity)?;
                solver.set_heat_source(heating.heat_source)?;
                solver.solve_steady(None)?.temperature
            }
            SolverChoice::Lbm { tau } => {
                let config = LbmConfig::default().with_time_step(TimeStep::Tau(tau))?;
                LbmSolver::new(self.problem_with(heating)?, config)?
                    .solve_steady(None)?
                    .temperature
            }
        };
        let metrics = treatment_metrics(
            self.scenario.grid(),
            &temperature,
            &self.tumor_mask,
            &self.interface,
            layout.dose_ratio,
            &self.weights,
        )?;
        Ok(Evaluation {
            layout,
            volume_fraction: phi,
            temperature,
            metrics,
        })
    }
}

/// Whether `e` is a steady solve that ran past the solver's temperature
/// limit (1000 °C by default) with finite temperatures: a plan that heats
/// that much is the worst possible plan, not a failure of the solver. A
/// non-finite temperature stays an error.
pub fn is_overheating(e: &Error) -> bool {
    matches!(e, Error::Bioheat(lbm_bioheat::BioheatError::Diverged { value, .. }) if value.is_finite())
}

/// The φ-dependent fields of a heated problem (Eqs. 2a, 2b, A.1).
#[derive(Debug, Clone, Default)]
pub struct Heating {
    /// Particle volume fraction φ per cell.
    pub volume_fraction: Array2<f64>,
    /// (ρc)_nf per cell (J/(m³·K)).
    pub heat_capacity: Array2<f64>,
    /// k_nf per cell (W/(m·K)).
    pub conductivity: Array2<f64>,
    /// Q per cell (W/m³).
    pub heat_source: Array2<f64>,
}

/// Reusable solver state of one evaluator (one per swarm particle, so each
/// particle's solve starts from its own previous solution).
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    fv: Option<FvSolver>,
    /// The problem whose solver `fv` is (0: none).
    owner: u64,
}
