//! Scenario files (TOML) for the `mnp` command line: every parameter of a
//! run, each defaulting to Jiang et al. 2022 (the four-site circular case).
//! Unknown keys and out-of-range values are refused with the key named.
//!
//! ```toml
//! [grid]
//! cells = 100          # cells per side
//! side_mm = 50.0       # block side
//! alignment = "node_at_centre"   # or "cell_centred"
//!
//! [tumor]
//! shape = "circle"     # "circle", "ellipse" or "mask"
//! radius_mm = 5.0      # circle
//! semi_major_mm = 6.25 # ellipse, along x
//! semi_minor_mm = 4.0
//! angle_deg = 0.0
//! mask_file = "tumor.csv"  # mask: cells × cells of 0/1, row i = x index
//!
//! [injection]
//! strategy = "circular"  # "circular", "elliptical" or "sites"
//! sites = 4
//! rotation_deg = 0.0     # circular
//! beta_fixed_deg = 30.0  # elliptical, eight sites (omit to search β)
//! # strategy = "sites": [[injection.site]] x_mm = 1.0, y_mm = 0.0, weight = 1.0
//!
//! [objective]
//! w_tumor = 0.3
//! w_tissue = 0.3
//! w_interface = 0.2
//! w_dose = 0.2
//! include_dose = true
//!
//! [pso]
//! particles = 20
//! generations = 300
//! seed = 0
//!
//! [solver]
//! kind = "fv"        # or "lbm"
//! lbm_tau = 2.0
//!
//! [dose]
//! duration_min = 240.0
//! time_step_s = 5.0
//! cloud_update_s = 30.0
//! record_every_s = 60.0
//! lethal_cem43_min = 60.0
//! snapshots_min = [30.0, 60.0, 120.0]
//!
//! [uncertainty]          # mnp robust
//! samples = 16           # per plan in a robust optimization
//! evaluation_samples = 1024  # fresh samples a plan is judged on
//! sampling = "sobol"     # or "latin_hypercube"
//! seed = 1
//! sensitivity_samples = 1024     # Saltelli N (0: none)
//! ablation_samples = 0   # dose transients on that many samples: ablation times
//! objective = "cvar"     # "mean", "mean_minus_sd" (lambda) or "cvar" (beta)
//! lambda = 1.0
//! beta = 0.25
//! # chance_r_tis_min = 0.99          # P(R_tis < 0.99) ≤ 5 %
//! # chance_max_probability = 0.05
//! # Factors on the nominal values (1 = the scenario's). Properties:
//! # tumor_perfusion, healthy_perfusion, conductivity, heat_capacity,
//! # heating_power, diffusivity. Omit the tables for the illustrative
//! # model (`mnp scenario` writes it out); any table replaces it whole.
//! [uncertainty.properties.tumor_perfusion]
//! distribution = "log_normal"   # mu, sigma of ln; "normal": mean, sd; "uniform": low, high
//! mu = 0.0
//! sigma = 0.3
//! lower = 0.0            # truncation, default [0, ∞); conductivity, heat_capacity
//! # and diffusivity need lower > 0 unless log-normal
//! ```

use crate::app::patient_scenario::PatientSection;
use crate::error::{Error, Result};
use crate::treatment::assessment::DoseSettings;
use crate::treatment::objective::{ObjectiveWeights, SolverChoice, TreatmentProblem};
use crate::treatment::optimize::OptimizationSettings;
use crate::treatment::robust::{
    ChanceConstraint, Outcome, RobustObjective, TissueProperty, UncertaintyModel,
};
use crate::treatment::scenario::{GridAlignment, Scenario, Tumor};
use crate::treatment::strategy::{Circular, Elliptical, InjectionStrategy, UserSites};
use crate::uncertainty::sampling::SOBOL_MAX_POINTS;
use crate::uncertainty::{Distribution, Sampling};
use lbm_bioheat::Shape;
use mnp_physics::InjectionReference;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thermal_dose::Cem43;

/// The tumor's shape in a scenario file (`tumor.shape`) and on the command
/// line (`--tumor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum TumorShape {
    /// A circle of `radius_mm`.
    Circle,
    /// An ellipse of `semi_major_mm` × `semi_minor_mm`, rotated by
    /// `angle_deg`.
    Ellipse,
    /// A mask file of 0/1 cells (`mask_file`).
    Mask,
}

/// The injection strategy (`injection.strategy`, `--strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum StrategyKind {
    /// `sites` sites on a circle around the centre (the circular tumor's).
    Circular,
    /// 1, 2, 4 or 8 sites on the ellipse's axes (Table 4).
    Elliptical,
    /// The user's `[[injection.site]]` list.
    Sites,
}

/// The steady solver (`solver.kind`, `--solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum SolverKind {
    /// Finite volumes, Newton–multigrid (milliseconds per solve).
    Fv,
    /// The D2Q5 MRT lattice Boltzmann method marched to steady state.
    Lbm,
}

/// `[grid]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GridSection {
    /// Cells per side.
    pub cells: usize,
    /// Side of the square block (mm).
    pub side_mm: f64,
    /// `node_at_centre` (the paper's lattice) or `cell_centred`.
    pub alignment: GridAlignment,
}

impl Default for GridSection {
    fn default() -> Self {
        Self {
            cells: 100,
            side_mm: 50.0,
            alignment: GridAlignment::NodeAtCentre,
        }
    }
}

/// `[tumor]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TumorSection {
    /// `circle`, `ellipse` or `mask`.
    pub shape: TumorShape,
    /// Circle radius (mm).
    pub radius_mm: f64,
    /// Ellipse semi-axis along its own x (mm).
    pub semi_major_mm: f64,
    /// Ellipse semi-axis along its own y (mm).
    pub semi_minor_mm: f64,
    /// Ellipse rotation (degrees, counter-clockwise).
    pub angle_deg: f64,
    /// Centre x (mm).
    pub centre_x_mm: f64,
    /// Centre y (mm).
    pub centre_y_mm: f64,
    /// Mask file (CSV of 0/1, `cells` rows of `cells` values; row i is
    /// the i-th cell along x), relative to the scenario file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask_file: Option<PathBuf>,
}

impl Default for TumorSection {
    fn default() -> Self {
        Self {
            shape: TumorShape::Circle,
            radius_mm: 5.0,
            semi_major_mm: 6.25,
            semi_minor_mm: 4.0,
            angle_deg: 0.0,
            centre_x_mm: 0.0,
            centre_y_mm: 0.0,
            mask_file: None,
        }
    }
}

/// One user-defined site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEntry {
    /// x (mm).
    pub x_mm: f64,
    /// y (mm).
    pub y_mm: f64,
    /// Dose weight (V_i = weight·k_σ²k_φφ0).
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// `[injection]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InjectionSection {
    /// `circular`, `elliptical` or `sites`.
    pub strategy: StrategyKind,
    /// Number of sites (circular: any ≥ 1; elliptical: 1, 2, 4, 8).
    pub sites: usize,
    /// Circular: angle of the first site (degrees).
    pub rotation_deg: f64,
    /// Elliptical eight sites: a fixed β (degrees) instead of searching it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta_fixed_deg: Option<f64>,
    /// `sites`: the user's sites.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub site: Vec<SiteEntry>,
}

impl Default for InjectionSection {
    fn default() -> Self {
        Self {
            strategy: StrategyKind::Circular,
            sites: 4,
            rotation_deg: 0.0,
            beta_fixed_deg: None,
            site: Vec::new(),
        }
    }
}

/// `[objective]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectiveSection {
    /// ω1 (R_tum).
    pub w_tumor: f64,
    /// ω2 (R_tis).
    pub w_tissue: f64,
    /// ω3 (R_int).
    pub w_interface: f64,
    /// ω4 (R_dose).
    pub w_dose: f64,
    /// Whether J includes R_dose.
    pub include_dose: bool,
}

impl Default for ObjectiveSection {
    fn default() -> Self {
        Self {
            w_tumor: 0.3,
            w_tissue: 0.3,
            w_interface: 0.2,
            w_dose: 0.2,
            include_dose: true,
        }
    }
}

/// `[pso]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PsoSection {
    /// Swarm size.
    pub particles: usize,
    /// Generations.
    pub generations: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for PsoSection {
    fn default() -> Self {
        Self {
            particles: 20,
            generations: 300,
            seed: 0,
        }
    }
}

/// `[solver]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverSection {
    /// `fv` (finite volumes, default) or `lbm`.
    pub kind: SolverKind,
    /// τ of the most diffusive cell for the LBM.
    pub lbm_tau: f64,
}

impl Default for SolverSection {
    fn default() -> Self {
        Self {
            kind: SolverKind::Fv,
            lbm_tau: 2.0,
        }
    }
}

/// `[dose]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DoseSection {
    /// Longest treatment (min).
    pub duration_min: f64,
    /// Crank–Nicolson step (s).
    pub time_step_s: f64,
    /// Cloud spread update interval (s).
    pub cloud_update_s: f64,
    /// Record interval (s).
    pub record_every_s: f64,
    /// CEM43 lethal dose (min).
    pub lethal_cem43_min: f64,
    /// Times (min) of the ablation maps (Fig. 9).
    pub snapshots_min: Vec<f64>,
}

impl Default for DoseSection {
    fn default() -> Self {
        Self {
            duration_min: 240.0,
            time_step_s: 5.0,
            cloud_update_s: 30.0,
            record_every_s: 60.0,
            lethal_cem43_min: 60.0,
            snapshots_min: vec![30.0, 60.0, 120.0],
        }
    }
}

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScenarioFile {
    /// `[grid]`.
    pub grid: GridSection,
    /// `[tumor]`.
    pub tumor: TumorSection,
    /// `[injection]`.
    pub injection: InjectionSection,
    /// `[objective]`.
    pub objective: ObjectiveSection,
    /// `[pso]`.
    pub pso: PsoSection,
    /// `[solver]`.
    pub solver: SolverSection,
    /// `[dose]`.
    pub dose: DoseSection,
    /// `[uncertainty]`.
    pub uncertainty: UncertaintySection,
    /// `[patient]`: plan on a segmentation in 3D instead of the 2D block
    /// (see [`crate::app::patient_scenario`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientSection>,
}

/// The family of an uncertain property's distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistributionKind {
    /// `mean`, `sd`.
    Normal,
    /// `mu`, `sigma` of the logarithm.
    LogNormal,
    /// `low`, `high`.
    Uniform,
}

/// `[uncertainty.properties.<name>]`: the distribution of a factor on the
/// nominal value, truncated to [`lower`, `upper`] (default [0, ∞)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertySpec {
    /// `normal`, `log_normal` or `uniform`.
    pub distribution: DistributionKind,
    /// Normal mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Normal standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Log-normal μ of ln X.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Log-normal σ of ln X.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// Uniform lower end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Uniform upper end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Lower truncation (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper truncation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
}

/// The robust objective (`uncertainty.objective`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "cli",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
pub enum RobustObjectiveKind {
    /// The mean of J.
    Mean,
    /// mean − λ·sd of J (`lambda`).
    MeanMinusSd,
    /// CVaR_β of J (`beta`).
    Cvar,
}

/// `[uncertainty]`: the uncertain tissue of `mnp robust`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UncertaintySection {
    /// Samples per plan in a robust optimization.
    pub samples: usize,
    /// Fresh samples a plan is evaluated on (out of sample).
    pub evaluation_samples: usize,
    /// `latin_hypercube` or `sobol`.
    pub sampling: Sampling,
    /// Seed of the optimization's samples; the evaluation samples use
    /// seed + 1, the sensitivity analysis seed + 2.
    pub seed: u64,
    /// N of the Saltelli design (0: no sensitivity analysis).
    pub sensitivity_samples: usize,
    /// Dose transients (`[dose]`) on the first this many evaluation
    /// samples, for the distribution of the ablation time (0: none).
    pub ablation_samples: usize,
    /// What a robust optimization maximizes.
    pub objective: RobustObjectiveKind,
    /// λ of mean − λ·sd.
    pub lambda: f64,
    /// β of CVaR_β.
    pub beta: f64,
    /// Chance constraint P(R_tis < `chance_r_tis_min`) ≤
    /// `chance_max_probability` (omit either to drop it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance_r_tis_min: Option<f64>,
    /// See `chance_r_tis_min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance_max_probability: Option<f64>,
    /// Property name → distribution (by default the illustrative model,
    /// `UncertaintyModel::illustrative`, written out by `mnp scenario`;
    /// a `[uncertainty.properties.*]` table replaces it whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, PropertySpec>>,
}

impl Default for UncertaintySection {
    fn default() -> Self {
        Self {
            samples: 16,
            evaluation_samples: 1024,
            sampling: Sampling::Sobol,
            seed: 1,
            sensitivity_samples: 1024,
            ablation_samples: 0,
            objective: RobustObjectiveKind::Cvar,
            lambda: 1.0,
            beta: 0.25,
            chance_r_tis_min: None,
            chance_max_probability: None,
            properties: Some(property_specs(&UncertaintyModel::illustrative())),
        }
    }
}

/// The scenario-file form of `model`'s distributions (infinite bounds
/// left out).
pub fn property_specs(model: &UncertaintyModel) -> BTreeMap<String, PropertySpec> {
    model
        .properties()
        .into_iter()
        .filter_map(|p| model.distribution(p).map(|t| (p, t)))
        .map(|(p, t)| {
            let blank = PropertySpec {
                distribution: DistributionKind::Normal,
                mean: None,
                sd: None,
                mu: None,
                sigma: None,
                low: None,
                high: None,
                lower: Some(t.lower()).filter(|v| v.is_finite()),
                upper: Some(t.upper()).filter(|v| v.is_finite()),
            };
            let spec = match t.distribution() {
                Distribution::Normal { mean, sd } => PropertySpec {
                    mean: Some(mean),
                    sd: Some(sd),
                    ..blank
                },
                Distribution::LogNormal { mu, sigma } => PropertySpec {
                    distribution: DistributionKind::LogNormal,
                    mu: Some(mu),
                    sigma: Some(sigma),
                    ..blank
                },
                Distribution::Uniform { low, high } => PropertySpec {
                    distribution: DistributionKind::Uniform,
                    low: Some(low),
                    high: Some(high),
                    ..blank
                },
            };
            (p.name().to_string(), spec)
        })
        .collect()
}

/// What `[uncertainty]` builds.
#[derive(Debug, Clone)]
pub struct BuiltUncertainty {
    /// The uncertain properties.
    pub model: UncertaintyModel,
    /// The robust objective.
    pub objective: RobustObjective,
    /// The chance constraint, if any.
    pub chance: Option<ChanceConstraint>,
}

impl UncertaintySection {
    /// The model, objective and chance constraint, checked.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming the key: zero samples, an unknown
    /// property, a parameter missing for its distribution, an invalid
    /// distribution or truncation, λ or β out of range.
    pub fn build(&self) -> Result<BuiltUncertainty> {
        for (key, n) in [
            ("uncertainty.samples", self.samples),
            ("uncertainty.evaluation_samples", self.evaluation_samples),
        ] {
            if n == 0 {
                return Err(bad(key, "must be at least 1, got 0"));
            }
            if self.sampling == Sampling::Sobol && n > SOBOL_MAX_POINTS {
                return Err(bad(
                    key,
                    format!("Sobol sampling gives at most {SOBOL_MAX_POINTS} points, got {n}"),
                ));
            }
        }
        if self.ablation_samples > self.evaluation_samples {
            return Err(bad(
                "uncertainty.ablation_samples",
                format!(
                    "must not exceed evaluation_samples ({}), got {}",
                    self.evaluation_samples, self.ablation_samples
                ),
            ));
        }
        let n = self.sensitivity_samples;
        if n == 1 || n > SOBOL_MAX_POINTS {
            return Err(bad(
                "uncertainty.sensitivity_samples",
                format!("must be 0 (no analysis) or in [2, {SOBOL_MAX_POINTS}], got {n}"),
            ));
        }
        let model = match &self.properties {
            None => UncertaintyModel::illustrative(),
            Some(map) => {
                let mut model = UncertaintyModel::new();
                for name in map.keys() {
                    TissueProperty::from_name(name).map_err(|e| match e {
                        Error::Uncertainty { message, .. } => {
                            bad(&format!("uncertainty.properties.{name}"), message)
                        }
                        other => other,
                    })?;
                }
                // In the properties' own order (not the file's), so a file
                // listing the illustrative model samples exactly as it does.
                let listed = TissueProperty::ALL
                    .into_iter()
                    .filter_map(|p| map.get(p.name()).map(|spec| (p, p.name(), spec)));
                for (property, name, spec) in listed {
                    let key = format!("uncertainty.properties.{name}");
                    let kind = match spec.distribution {
                        DistributionKind::Normal => "normal",
                        DistributionKind::LogNormal => "log_normal",
                        DistributionKind::Uniform => "uniform",
                    };
                    let need = |v: Option<f64>, field: &str| {
                        v.ok_or_else(|| {
                            bad(
                                &format!("{key}.{field}"),
                                format!("is required for a {kind} distribution"),
                            )
                        })
                    };
                    // Parameters of another family are refused, not ignored.
                    let own: &[&str] = match spec.distribution {
                        DistributionKind::Normal => &["mean", "sd"],
                        DistributionKind::LogNormal => &["mu", "sigma"],
                        DistributionKind::Uniform => &["low", "high"],
                    };
                    for (field, v) in [
                        ("mean", spec.mean),
                        ("sd", spec.sd),
                        ("mu", spec.mu),
                        ("sigma", spec.sigma),
                        ("low", spec.low),
                        ("high", spec.high),
                    ] {
                        if v.is_some() && !own.contains(&field) {
                            return Err(bad(
                                &format!("{key}.{field}"),
                                format!(
                                    "is not a parameter of a {kind} distribution (it takes {})",
                                    own.join(" and ")
                                ),
                            ));
                        }
                    }
                    let distribution = match spec.distribution {
                        DistributionKind::Normal => Distribution::Normal {
                            mean: need(spec.mean, "mean")?,
                            sd: need(spec.sd, "sd")?,
                        },
                        DistributionKind::LogNormal => Distribution::LogNormal {
                            mu: need(spec.mu, "mu")?,
                            sigma: need(spec.sigma, "sigma")?,
                        },
                        DistributionKind::Uniform => Distribution::Uniform {
                            low: need(spec.low, "low")?,
                            high: need(spec.high, "high")?,
                        },
                    };
                    model = model
                        .with(property, distribution, spec.lower, spec.upper)
                        .map_err(|e| match e {
                            // The key already names the property.
                            Error::Uncertainty { message, .. } => bad(&key, message),
                            other => bad(&key, other.to_string()),
                        })?;
                }
                if model.properties().is_empty() {
                    return Err(bad(
                        "uncertainty.properties",
                        "lists no property: give at least one, or omit the table for the \
                         illustrative model",
                    ));
                }
                model
            }
        };
        let objective = match self.objective {
            RobustObjectiveKind::Mean => RobustObjective::Mean,
            RobustObjectiveKind::MeanMinusSd => RobustObjective::MeanMinusSd {
                lambda: self.lambda,
            },
            RobustObjectiveKind::Cvar => RobustObjective::Cvar { beta: self.beta },
        };
        objective
            .check()
            .map_err(|e| bad("uncertainty.objective", e.to_string()))?;
        let chance = match (self.chance_r_tis_min, self.chance_max_probability) {
            (Some(threshold), Some(p)) => {
                if !(threshold.is_finite() && (0.0..=1.0).contains(&p)) {
                    return Err(bad(
                        "uncertainty.chance_max_probability",
                        format!(
                            "needs a finite R_tis threshold and a probability in [0, 1], got {threshold} and {p}"
                        ),
                    ));
                }
                Some(ChanceConstraint {
                    outcome: Outcome::RTis,
                    threshold,
                    below: true,
                    max_probability: p,
                })
            }
            (None, None) => None,
            _ => {
                return Err(bad(
                    "uncertainty.chance_r_tis_min",
                    "and chance_max_probability go together",
                ));
            }
        };
        Ok(BuiltUncertainty {
            model,
            objective,
            chance,
        })
    }
}

/// A built scenario: the problem and the run settings.
#[derive(Debug, Clone)]
pub struct BuiltScenario {
    /// What J evaluates.
    pub problem: TreatmentProblem,
    /// PSO settings.
    pub settings: OptimizationSettings,
    /// Dose transient settings.
    pub dose: DoseSettings,
    /// Ablation map times (min).
    pub snapshots_min: Vec<f64>,
}

fn bad(key: &str, message: impl Into<String>) -> Error {
    Error::Scenario {
        key: key.into(),
        message: message.into(),
    }
}

fn positive(key: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(bad(key, format!("must be finite and > 0, got {v}")))
    }
}

fn finite(key: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(bad(key, format!("must be finite, got {v}")))
    }
}

impl ScenarioFile {
    /// Parses TOML text.
    ///
    /// # Errors
    /// [`Error::Scenario`] for a syntax error, an unknown key or a value
    /// of the wrong type (the parser's message names the key and line).
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| {
            let message = e.message().to_string();
            let Some(span) = e.span() else {
                return bad("file", message);
            };
            let start = span.start.min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            // The offending line, and the text up to its end: a table
            // header on that line ([[injection.site]] for a field missing
            // from it) is the section.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line_text = &text[line_start..line_end];
            let section = text[..line_end].lines().rev().find_map(|l| {
                let l = l.trim();
                (l.starts_with('[') && l.ends_with(']'))
                    .then(|| l.trim_matches(|c| c == '[' || c == ']').to_string())
            });
            // The field: named by the message (an unknown or missing
            // field) or written before `=` on the offending line (a bad
            // value or variant).
            let named = ["unknown field `", "missing field `"]
                .iter()
                .find_map(|p| message.strip_prefix(p))
                .and_then(|rest| rest.split('`').next());
            let field = named.or_else(|| {
                line_text
                    .split_once('=')
                    .map(|(k, _)| k.trim())
                    .filter(|k| !k.is_empty() && !k.starts_with('['))
            });
            let key = match (section, field) {
                (Some(s), Some(f)) => format!("{s}.{f} (line {line})"),
                (None, Some(f)) => format!("{f} (line {line})"),
                (Some(s), None) => format!("{s} (line {line})"),
                (None, None) => format!("line {line}"),
            };
            bad(&key, message)
        })
    }

    /// Reads a file.
    ///
    /// # Errors
    /// [`Error::Io`] or as [`ScenarioFile::from_toml`]; a relative mask
    /// file is resolved against the scenario file's folder.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut file = Self::from_toml(&text)?;
        if let (Some(mask), Some(dir)) = (&file.tumor.mask_file, path.parent())
            && mask.is_relative()
        {
            file.tumor.mask_file = Some(dir.join(mask));
        }
        if let (Some(patient), Some(dir)) = (&mut file.patient, path.parent())
            && patient.mask.is_relative()
        {
            patient.mask = dir.join(&patient.mask);
        }
        Ok(file)
    }

    /// The file as TOML text (every key written; reads back equal).
    ///
    /// # Errors
    /// Never for a valid value (kept fallible).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| bad("file", e.to_string()))
    }

    /// The scenario's block, tumor, strategy and settings, checked.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming the first key out of range: a grid below
    /// 8 cells, a non-positive size, an unknown tumor shape or strategy, a
    /// tumor outside the block or covering no cell, an invalid site count,
    /// weights, PSO sizes, solver or dose settings.
    pub fn build(&self) -> Result<BuiltScenario> {
        let g = &self.grid;
        if g.cells < 8 || g.cells > 4096 {
            return Err(bad(
                "grid.cells",
                format!("must lie in [8, 4096], got {}", g.cells),
            ));
        }
        let side = positive("grid.side_mm", g.side_mm)? * 1e-3;
        let block = Scenario::paper_circular(g.cells, side, g.alignment)?;
        let t = &self.tumor;
        let (cx, cy) = (
            finite("tumor.centre_x_mm", t.centre_x_mm)? * 1e-3,
            finite("tumor.centre_y_mm", t.centre_y_mm)? * 1e-3,
        );
        let tumor = match t.shape {
            TumorShape::Circle => Tumor::Shape(Shape::circle(
                cx,
                cy,
                positive("tumor.radius_mm", t.radius_mm)? * 1e-3,
            )?),
            TumorShape::Ellipse => Tumor::Shape(Shape::ellipse(
                cx,
                cy,
                positive("tumor.semi_major_mm", t.semi_major_mm)? * 1e-3,
                positive("tumor.semi_minor_mm", t.semi_minor_mm)? * 1e-3,
                finite("tumor.angle_deg", t.angle_deg)?.to_radians(),
            )?),
            TumorShape::Mask => {
                let path = t
                    .mask_file
                    .as_ref()
                    .ok_or_else(|| bad("tumor.mask_file", "is required for shape = \"mask\""))?;
                Tumor::Mask(read_mask(path, g.cells)?)
            }
        };
        let scenario = block.with_tumor(tumor)?;
        let inj = &self.injection;
        let strategy: Arc<dyn InjectionStrategy> = match inj.strategy {
            StrategyKind::Circular => Arc::new(
                Circular::rotated(inj.sites, inj.rotation_deg)
                    .map_err(|e| bad("injection.sites", e.to_string()))?,
            ),
            StrategyKind::Elliptical => Arc::new(match inj.beta_fixed_deg {
                Some(beta) if inj.sites == 8 => Elliptical::eight_fixed_beta(beta)
                    .map_err(|e| bad("injection.beta_fixed_deg", e.to_string()))?,
                Some(_) => {
                    return Err(bad(
                        "injection.beta_fixed_deg",
                        "applies to eight elliptical sites only",
                    ));
                }
                None => {
                    Elliptical::new(inj.sites).map_err(|e| bad("injection.sites", e.to_string()))?
                }
            }),
            StrategyKind::Sites => Arc::new(
                UserSites::new(
                    inj.site
                        .iter()
                        .map(|s| (s.x_mm * 1e-3, s.y_mm * 1e-3, s.weight))
                        .collect(),
                )
                .map_err(|e| bad("injection.site", e.to_string()))?,
            ),
        };
        let o = &self.objective;
        let weights = ObjectiveWeights::new(
            o.w_tumor,
            o.w_tissue,
            o.w_interface,
            o.include_dose.then_some(o.w_dose),
        )
        .map_err(|e| bad("objective", e.to_string()))?;
        let p = &self.pso;
        if p.particles == 0 || p.particles > 10_000 {
            return Err(bad(
                "pso.particles",
                format!("must lie in [1, 10000], got {}", p.particles),
            ));
        }
        if p.generations == 0 || p.generations > 1_000_000 {
            return Err(bad(
                "pso.generations",
                format!("must lie in [1, 1000000], got {}", p.generations),
            ));
        }
        let solver = match self.solver.kind {
            SolverKind::Fv => SolverChoice::FiniteVolume,
            SolverKind::Lbm => SolverChoice::Lbm {
                tau: positive("solver.lbm_tau", self.solver.lbm_tau)?,
            },
        };
        let d = &self.dose;
        let dose = DoseSettings::default()
            .with_duration_s(positive("dose.duration_min", d.duration_min)? * 60.0)?
            .with_time_step_s(d.time_step_s)?
            .with_cloud_update_s(d.cloud_update_s)?
            .with_record_every_s(d.record_every_s)?
            .with_cem43(
                Cem43::new()
                    .with_lethal_minutes(positive("dose.lethal_cem43_min", d.lethal_cem43_min)?)?,
            );
        for &s in &d.snapshots_min {
            positive("dose.snapshots_min", s)?;
        }
        let problem = TreatmentProblem::new(
            scenario,
            strategy,
            InjectionReference::paper(),
            weights,
            solver,
        )
        .map_err(|e| match e {
            Error::Bioheat(b) => bad("solver.lbm_tau", b.to_string()),
            other => other,
        })?;
        Ok(BuiltScenario {
            problem,
            settings: OptimizationSettings::new(p.particles, p.generations)?.with_seed(p.seed),
            dose,
            snapshots_min: d.snapshots_min.clone(),
        })
    }
}

/// Reads a cells × cells CSV of 0/1 (row i = the i-th cell along x).
fn read_mask(path: &Path, cells: usize) -> Result<Array2<bool>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    // (file line, text) of the non-blank lines: errors name the file line.
    let rows: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| (k + 1, l))
        .collect();
    if rows.len() != cells {
        return Err(bad(
            "tumor.mask_file",
            format!("{}: {} rows, expected {cells}", path.display(), rows.len()),
        ));
    }
    let mut mask = Array2::from_elem((cells, cells), false);
    for (i, &(line, row)) in rows.iter().enumerate() {
        let values: Vec<&str> = row.split(',').map(str::trim).collect();
        if values.len() != cells {
            return Err(bad(
                "tumor.mask_file",
                format!(
                    "{} line {line}: {} values, expected {cells}",
                    path.display(),
                    values.len()
                ),
            ));
        }
        for (j, v) in values.iter().enumerate() {
            mask[[i, j]] = match *v {
                "0" => false,
                "1" => true,
                other => {
                    return Err(bad(
                        "tumor.mask_file",
                        format!(
                            "{} line {line} column {}: \"{other}\" is not 0 or 1",
                            path.display(),
                            j + 1
                        ),
                    ));
                }
            };
        }
    }
    Ok(mask)
}
