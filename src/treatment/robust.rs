//! Plans under uncertain tissue: an uncertainty model of the tissue and
//! particle properties, the distribution of a plan's outcomes over
//! samples of it, global sensitivity, and robust optimization.
//!
//! Each uncertain property is a dimensionless factor on its nominal value
//! (the scenario's): the perfusion laws ṁ_b(T) of the tumor and of the
//! healthy tissue (Eqs. 3, 4) are multiplied by it, the tissue's k and
//! (ρc) (before mixing with the particles, Eqs. 2a, 2b), the heating power
//! per volume fraction q (Eq. A.1), and the diffusivity D of the particles.
//! A plan fixes the injected volume and the waiting time t, so a factor f_D
//! on D widens each cloud to σ² = f_D·σ_nominal² (σ² = 2Dt, Eq. 5) with
//! the same volume.
//!
//! Every candidate plan is evaluated on the same samples (common random
//! numbers), so the robust objective the swarm sees is a deterministic
//! function of the plan, and a run depends on its seeds only, never on the
//! thread count.

use crate::distributed::{Ranks, SingleProcess, Wire, map_on};
use crate::error::{Error, Result};
use crate::treatment::assessment::{DoseSettings, assess_dose_layout};
use crate::treatment::objective::{TreatmentMetrics, TreatmentProblem, Workspace, is_overheating};
use crate::treatment::optimize::{
    GenerationRecord, OptimizationSettings, generation_records, paper_swarm,
};
use crate::treatment::scenario::Scenario;
use crate::treatment::strategy::InjectionLayout;
use crate::uncertainty::distribution::{Distribution, Truncated};
use crate::uncertainty::sampling::{Sampling, unit_points};
use crate::uncertainty::sensitivity::{
    SaltelliSettings, SobolIndices, saltelli_points, sobol_indices_from,
};
use crate::uncertainty::statistics::{Summary, lower_cvar_sorted};
use mnp_physics::{GaussianSite, InjectionCloud, Material, Nanofluid};
use pso::{BatchFailure, Goal, Objective};
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Instant;

/// An uncertain property, sampled as a factor on its nominal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TissueProperty {
    /// The tumor's perfusion law ṁ_b(T) (Eq. 4).
    TumorPerfusion,
    /// The healthy tissue's perfusion law ṁ_b(T) (Eq. 3).
    HealthyPerfusion,
    /// The tissue's thermal conductivity k (W/(m·K)).
    Conductivity,
    /// The tissue's volumetric heat capacity ρc (J/(m³·K)): the specific
    /// heat is scaled, the density kept. A steady state does not depend on
    /// it; the dose transient does.
    HeatCapacity,
    /// The particles' heating power per volume fraction q (W/m³, Eq. A.1).
    HeatingPower,
    /// The particles' diffusivity D (m²/s): σ² = f_D·σ² at the same
    /// waiting time (Eq. 5).
    Diffusivity,
}

impl TissueProperty {
    /// Every property, in the order of [`TissueFactors`].
    pub const ALL: [TissueProperty; 6] = [
        TissueProperty::TumorPerfusion,
        TissueProperty::HealthyPerfusion,
        TissueProperty::Conductivity,
        TissueProperty::HeatCapacity,
        TissueProperty::HeatingPower,
        TissueProperty::Diffusivity,
    ];

    /// The name in scenario files and reports, e.g. `tumor_perfusion`.
    pub fn name(self) -> &'static str {
        match self {
            TissueProperty::TumorPerfusion => "tumor_perfusion",
            TissueProperty::HealthyPerfusion => "healthy_perfusion",
            TissueProperty::Conductivity => "conductivity",
            TissueProperty::HeatCapacity => "heat_capacity",
            TissueProperty::HeatingPower => "heating_power",
            TissueProperty::Diffusivity => "diffusivity",
        }
    }

    /// The property called `name`.
    ///
    /// # Errors
    /// An unknown name ([`Error::Uncertainty`] naming it and the known
    /// ones).
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| Error::Uncertainty {
                property: name.to_string(),
                message: format!(
                    "is not an uncertain property; known: {}",
                    Self::ALL.map(|p| p.name()).join(", ")
                ),
            })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One sample of the factors (1 = nominal), indexed by [`TissueProperty`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TissueFactors([f64; 6]);

impl Default for TissueFactors {
    /// The nominal tissue: every factor 1.
    fn default() -> Self {
        Self([1.0; 6])
    }
}

impl TissueFactors {
    /// The factor of `property`.
    pub fn get(&self, property: TissueProperty) -> f64 {
        self.0[property.index()]
    }
    /// The same factors with `property` at `value`.
    pub fn with(mut self, property: TissueProperty, value: f64) -> Self {
        self.0[property.index()] = value;
        self
    }

    /// `nominal` with these factors applied to its perfusion laws, tissue
    /// k and ρc, and q.
    ///
    /// # Errors
    /// A factor that makes a property non-physical (zero k, say).
    pub fn scenario(&self, nominal: &Scenario) -> Result<Scenario> {
        use TissueProperty as P;
        let nf = nominal.nanofluid();
        let t = &nf.tissue;
        let tissue = Material::new(
            t.density(),
            t.specific_heat() * self.get(P::HeatCapacity),
            t.conductivity() * self.get(P::Conductivity),
        )?;
        let q = nominal.power_per_volume_fraction() * self.get(P::HeatingPower);
        nominal
            .clone()
            .with_perfusion_scaled(self.get(P::HealthyPerfusion), self.get(P::TumorPerfusion))?
            .with_nanofluid(Nanofluid {
                tissue,
                particles: nf.particles,
            })
            .with_power_per_volume_fraction(q)
    }

    /// `layout` with every cloud's variance times the diffusivity factor
    /// (the same volumes at the same waiting time, Eq. 5).
    ///
    /// # Errors
    /// A cloud the factor makes invalid (a zero width).
    pub fn layout(&self, layout: &InjectionLayout) -> Result<InjectionLayout> {
        let f = self.get(TissueProperty::Diffusivity);
        if f == 1.0 {
            return Ok(layout.clone());
        }
        let scale = f.sqrt();
        let sites = layout
            .cloud
            .sites()
            .iter()
            .map(|s| GaussianSite::new(s.x(), s.y(), s.volume(), s.sigma() * scale))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(InjectionLayout {
            cloud: InjectionCloud::new(sites),
            ..layout.clone()
        })
    }
}

impl std::fmt::Display for TissueFactors {
    /// The factors by name, e.g. `tumor_perfusion 1.021, …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, p) in TissueProperty::ALL.iter().enumerate() {
            let sep = if k == 0 { "" } else { ", " };
            write!(f, "{sep}{} {:.3}", p.name(), self.get(*p))?;
        }
        Ok(())
    }
}

/// The uncertain properties and their distributions (of factors on the
/// nominal values); properties not listed stay nominal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UncertaintyModel {
    entries: Vec<(TissueProperty, Truncated)>,
}

impl UncertaintyModel {
    /// No uncertain property yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `property` with the factor's `distribution` truncated to
    /// [`lower`, `upper`] (default [0, ∞): a factor is never negative).
    ///
    /// # Errors
    /// A property given twice, a lower bound below 0, invalid parameters
    /// or a truncation that leaves no probability (each naming the
    /// property).
    pub fn with(
        mut self,
        property: TissueProperty,
        distribution: Distribution,
        lower: Option<f64>,
        upper: Option<f64>,
    ) -> Result<Self> {
        let named = |message: String| Error::Uncertainty {
            property: property.name().into(),
            message,
        };
        if self.entries.iter().any(|(p, _)| *p == property) {
            return Err(named("is given twice".into()));
        }
        distribution.check().map_err(|e| named(e.to_string()))?;
        let lower = lower.unwrap_or(0.0);
        if lower.is_nan() || lower < 0.0 {
            return Err(named(format!(
                "a factor on a physical property is ≥ 0: the lower truncation is {lower}"
            )));
        }
        // k, ρc and D must stay positive: a distribution reaching 0 needs a
        // positive lower truncation (a log-normal never reaches 0).
        let positive = matches!(
            property,
            TissueProperty::Conductivity
                | TissueProperty::HeatCapacity
                | TissueProperty::Diffusivity
        );
        let reaches_zero = match distribution {
            Distribution::LogNormal { .. } => false,
            Distribution::Uniform { low, .. } => low <= 0.0,
            Distribution::Normal { .. } => true,
        };
        if positive && lower <= 0.0 && reaches_zero {
            return Err(named(format!(
                "the factor must stay > 0 ({distribution:?} reaches 0): give a positive lower \
                 truncation"
            )));
        }
        let upper = upper.unwrap_or(f64::INFINITY);
        let t = Truncated::new(distribution, lower, upper).map_err(|e| named(e.to_string()))?;
        self.entries.push((property, t));
        Ok(self)
    }

    /// An illustrative model of inter-patient variation ("tens of
    /// percent"), not taken from a study: perfusion factors log-normal with
    /// median 1 and σ_ln = 0.3 (tumor) and 0.2 (healthy); k and ρc normal
    /// 1 ± 0.1 on [0.5, 1.5]; q normal 1 ± 0.2 on [0.2, 2]; D log-normal
    /// with median 1 and σ_ln = 0.3.
    pub fn illustrative() -> Self {
        use Distribution as D;
        use TissueProperty as P;
        let ln = |sigma| D::LogNormal { mu: 0.0, sigma };
        let n = |sd| D::Normal { mean: 1.0, sd };
        let build = || -> Result<Self> {
            Self::new()
                .with(P::TumorPerfusion, ln(0.3), None, None)?
                .with(P::HealthyPerfusion, ln(0.2), None, None)?
                .with(P::Conductivity, n(0.1), Some(0.5), Some(1.5))?
                .with(P::HeatCapacity, n(0.1), Some(0.5), Some(1.5))?
                .with(P::HeatingPower, n(0.2), Some(0.2), Some(2.0))?
                .with(P::Diffusivity, ln(0.3), None, None)
        };
        build().expect("the illustrative model's distributions are valid")
    }

    /// The uncertain properties, in the order of the sample coordinates.
    pub fn properties(&self) -> Vec<TissueProperty> {
        self.entries.iter().map(|(p, _)| *p).collect()
    }
    /// The distribution of `property`'s factor, if it is uncertain.
    pub fn distribution(&self, property: TissueProperty) -> Option<&Truncated> {
        self.entries
            .iter()
            .find_map(|(p, t)| (*p == property).then_some(t))
    }

    /// The factors at probabilities `u` (one per uncertain property, in
    /// the order of [`UncertaintyModel::properties`], each in (0, 1)).
    ///
    /// # Errors
    /// A wrong number of probabilities, or one outside (0, 1).
    pub fn factors_at(&self, u: &[f64]) -> Result<TissueFactors> {
        if u.len() != self.entries.len() {
            return Err(Error::Shape {
                what: "probabilities of the uncertain properties",
                expected: self.entries.len(),
                found: u.len(),
            });
        }
        let mut f = TissueFactors::default();
        for ((p, t), &u) in self.entries.iter().zip(u) {
            if !(u > 0.0 && u < 1.0) {
                return Err(Error::Uncertainty {
                    property: p.name().into(),
                    message: format!("a sample's probability must lie in (0, 1), got {u}"),
                });
            }
            f = f.with(*p, t.quantile(u));
        }
        Ok(f)
    }

    /// `n` samples of the factors drawn as `sampling` from `seed`.
    ///
    /// # Errors
    /// `n` = 0, no uncertain property, or more Sobol points than exist.
    pub fn sample(&self, n: usize, sampling: Sampling, seed: u64) -> Result<Vec<TissueFactors>> {
        unit_points(n, self.entries.len(), sampling, seed)?
            .iter()
            .map(|u| self.factors_at(u))
            .collect()
    }
}

/// A plan's outcome on one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleOutcome {
    /// R_tum, R_tis, R_int, R_dose and J (Eqs. 9, 10).
    pub metrics: TreatmentMetrics,
    /// The hottest healthy-tissue cell (°C).
    pub max_healthy_c: f64,
}

impl Wire for SampleOutcome {
    const WIDTH: usize = 6;
    fn write(&self, out: &mut Vec<f64>) {
        let m = &self.metrics;
        out.extend([m.r_tum, m.r_tis, m.r_int, m.r_dose, m.j, self.max_healthy_c]);
    }
    fn read(v: &[f64]) -> Self {
        Self {
            metrics: TreatmentMetrics {
                r_tum: v[0],
                r_tis: v[1],
                r_int: v[2],
                r_dose: v[3],
                j: v[4],
            },
            max_healthy_c: v[5],
        }
    }
}

/// A (plan, sample) pair of the robust swarm: its outcome, or none (the
/// plan heats past the solver's limit in that sample, or was not solved).
impl Wire for Option<SampleOutcome> {
    const WIDTH: usize = 7;
    fn write(&self, out: &mut Vec<f64>) {
        match self {
            Some(o) => {
                out.push(1.0);
                o.write(out);
            }
            None => out.extend([0.0; 7]),
        }
    }
    fn read(v: &[f64]) -> Self {
        (v[0] == 1.0).then(|| SampleOutcome::read(&v[1..]))
    }
}

/// An outcome of a plan that statistics and chance constraints refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// J (Eq. 10).
    J,
    /// R_tum (Eq. 9a).
    RTum,
    /// R_tis (Eq. 9b).
    RTis,
    /// R_int (Eq. 9c).
    RInt,
    /// The hottest healthy-tissue temperature (°C).
    MaxHealthyC,
}

impl Outcome {
    /// The value of this outcome in `o`.
    pub fn of(self, o: &SampleOutcome) -> f64 {
        match self {
            Outcome::J => o.metrics.j,
            Outcome::RTum => o.metrics.r_tum,
            Outcome::RTis => o.metrics.r_tis,
            Outcome::RInt => o.metrics.r_int,
            Outcome::MaxHealthyC => o.max_healthy_c,
        }
    }
}

/// The distribution of a plan's outcomes over a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStatistics {
    /// J.
    pub j: Summary,
    /// R_tum.
    pub r_tum: Summary,
    /// R_tis.
    pub r_tis: Summary,
    /// R_int.
    pub r_int: Summary,
    /// The hottest healthy-tissue temperature (°C).
    pub max_healthy_c: Summary,
    /// Every sample's outcome, in sample order.
    pub outcomes: Vec<SampleOutcome>,
}

impl PlanStatistics {
    /// The statistics of `outcomes`.
    ///
    /// # Errors
    /// No outcome or a non-finite one.
    pub fn new(outcomes: Vec<SampleOutcome>) -> Result<Self> {
        let summary =
            |o: Outcome| Summary::of(&outcomes.iter().map(|s| o.of(s)).collect::<Vec<_>>());
        Ok(Self {
            j: summary(Outcome::J)?,
            r_tum: summary(Outcome::RTum)?,
            r_tis: summary(Outcome::RTis)?,
            r_int: summary(Outcome::RInt)?,
            max_healthy_c: summary(Outcome::MaxHealthyC)?,
            outcomes,
        })
    }
    /// The values of `outcome`, in sample order.
    pub fn values(&self, outcome: Outcome) -> Vec<f64> {
        self.outcomes.iter().map(|o| outcome.of(o)).collect()
    }
    /// CVaR_β of J: the mean of the worst fraction β of the samples.
    ///
    /// # Errors
    /// β outside (0, 1].
    pub fn j_cvar(&self, beta: f64) -> Result<f64> {
        let mut j = self.values(Outcome::J);
        j.sort_by(f64::total_cmp);
        lower_cvar_sorted(&j, beta)
    }
}

/// What the robust optimization maximizes over the samples' J.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RobustObjective {
    /// The mean of J.
    Mean,
    /// mean − λ·sd of J (λ ≥ 0).
    MeanMinusSd {
        /// λ.
        lambda: f64,
    },
    /// CVaR_β of J: the mean of the worst fraction β ∈ (0, 1] of samples.
    Cvar {
        /// β.
        beta: f64,
    },
}

impl RobustObjective {
    /// Checks λ and β.
    ///
    /// # Errors
    /// λ negative or not finite; β outside (0, 1].
    pub fn check(&self) -> Result<()> {
        match *self {
            RobustObjective::Mean => Ok(()),
            RobustObjective::MeanMinusSd { lambda } if lambda.is_finite() && lambda >= 0.0 => {
                Ok(())
            }
            RobustObjective::Cvar { beta } if beta > 0.0 && beta <= 1.0 => Ok(()),
            other => Err(Error::Invalid {
                name: "robust objective",
                reason: format!("{other:?}: λ must be finite and ≥ 0, β in (0, 1]"),
            }),
        }
    }
    /// The objective's value on the samples' J.
    ///
    /// # Errors
    /// No value or a non-finite one, or λ, β out of range.
    pub fn value(&self, j: &[f64]) -> Result<f64> {
        self.check()?;
        if j.is_empty() || j.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid {
                name: "robust objective",
                reason: format!("needs finite values of J, got {j:?}"),
            });
        }
        let n = j.len() as f64;
        let mean = j.iter().sum::<f64>() / n;
        Ok(match *self {
            RobustObjective::Mean => mean,
            RobustObjective::MeanMinusSd { lambda } => {
                let var = if j.len() > 1 {
                    j.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
                } else {
                    0.0
                };
                mean - lambda * var.sqrt()
            }
            RobustObjective::Cvar { beta } => {
                let mut s = j.to_vec();
                s.sort_by(f64::total_cmp);
                lower_cvar_sorted(&s, beta)?
            }
        })
    }
}

/// A chance constraint P(outcome < threshold) ≤ p (or > threshold): for
/// example P(R_tis < 0.99) ≤ 5 %, or P(hottest healthy cell > 46 °C) ≤ 5 %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChanceConstraint {
    /// The outcome constrained.
    pub outcome: Outcome,
    /// The threshold.
    pub threshold: f64,
    /// `true`: the event is outcome < threshold; `false`: outcome >
    /// threshold.
    pub below: bool,
    /// The largest probability allowed, in [0, 1].
    pub max_probability: f64,
}

impl ChanceConstraint {
    /// The sample frequency of the event.
    ///
    /// # Errors
    /// No outcome.
    pub fn probability(&self, outcomes: &[SampleOutcome]) -> Result<f64> {
        if outcomes.is_empty() {
            return Err(Error::Invalid {
                name: "chance constraint",
                reason: "no sampled outcome to count".into(),
            });
        }
        let hits = outcomes
            .iter()
            .filter(|o| {
                let v = self.outcome.of(o);
                if self.below {
                    v < self.threshold
                } else {
                    v > self.threshold
                }
            })
            .count();
        Ok(hits as f64 / outcomes.len() as f64)
    }
    /// g = P̂ − p (≤ 0 when the constraint holds).
    ///
    /// # Errors
    /// No outcome.
    pub fn value(&self, outcomes: &[SampleOutcome]) -> Result<f64> {
        Ok(self.probability(outcomes)? - self.max_probability)
    }
    fn check(&self) -> Result<()> {
        if self.threshold.is_finite() && (0.0..=1.0).contains(&self.max_probability) {
            Ok(())
        } else {
            Err(Error::Invalid {
                name: "chance constraint",
                reason: format!("{self:?}: needs a finite threshold and a probability in [0, 1]"),
            })
        }
    }
}

/// A treatment problem under an uncertainty model, with a fixed sample of
/// it: every plan is evaluated on these samples.
#[derive(Debug, Clone)]
pub struct RobustProblem {
    nominal: TreatmentProblem,
    model: UncertaintyModel,
    samples: Vec<TissueFactors>,
    problems: Vec<TreatmentProblem>,
}

impl RobustProblem {
    /// `n` samples of `model` drawn as `sampling` from `seed`.
    ///
    /// # Errors
    /// As [`UncertaintyModel::sample`], or a sample that makes the
    /// scenario non-physical.
    pub fn new(
        nominal: TreatmentProblem,
        model: UncertaintyModel,
        n: usize,
        sampling: Sampling,
        seed: u64,
    ) -> Result<Self> {
        let samples = model.sample(n, sampling, seed)?;
        let problems = samples
            .iter()
            .map(|f| nominal.with_scenario(f.scenario(nominal.scenario())?))
            .collect::<Result<_>>()?;
        Ok(Self {
            nominal,
            model,
            samples,
            problems,
        })
    }

    /// The nominal problem.
    pub fn nominal(&self) -> &TreatmentProblem {
        &self.nominal
    }
    /// The uncertainty model.
    pub fn model(&self) -> &UncertaintyModel {
        &self.model
    }
    /// The samples.
    pub fn samples(&self) -> &[TissueFactors] {
        &self.samples
    }

    /// The largest particle volume fraction excess (φ − 1) of the plan at
    /// `x` over the samples (≤ 0: physical in every sample).
    ///
    /// # Errors
    /// Wrong variables.
    pub fn volume_fraction_excess(&self, x: &[f64]) -> Result<f64> {
        let layout = self
            .nominal
            .strategy()
            .layout(self.nominal.reference(), x)?;
        let mut worst = f64::NEG_INFINITY;
        for f in &self.samples {
            worst = worst.max(
                self.nominal
                    .layout_volume_fraction_excess(&f.layout(&layout)?)?,
            );
        }
        Ok(worst)
    }

    /// The plan at `x` on every sample, `workspaces[s]` warm-starting
    /// sample s (resized to the sample count).
    ///
    /// # Errors
    /// Wrong variables or a failed solve.
    pub fn evaluate(
        &self,
        x: &[f64],
        workspaces: &mut Vec<Workspace>,
    ) -> Result<Vec<SampleOutcome>> {
        workspaces.resize_with(self.samples.len(), Workspace::default);
        let layout = self
            .nominal
            .strategy()
            .layout(self.nominal.reference(), x)?;
        self.samples
            .iter()
            .zip(&self.problems)
            .zip(workspaces.iter_mut())
            .map(|((f, p), w)| outcome(p, f.layout(&layout)?, w))
            .collect()
    }

    /// The plan at `x` on sample `s` alone, `workspace` warm-starting it:
    /// the same bits as sample s of [`RobustProblem::evaluate`].
    fn evaluate_sample(
        &self,
        x: &[f64],
        s: usize,
        workspace: &mut Workspace,
    ) -> Result<SampleOutcome> {
        let layout = self
            .nominal
            .strategy()
            .layout(self.nominal.reference(), x)?;
        outcome(
            &self.problems[s],
            self.samples[s].layout(&layout)?,
            workspace,
        )
    }

    /// The ablation times of the plan at `x` in the first `count` samples
    /// ([`ablation_time`]), in parallel with the `rayon` feature (each from
    /// 37 °C: the result does not depend on the thread count).
    ///
    /// # Errors
    /// `count` of 0 or above the sample count, or as [`ablation_time`].
    pub fn ablation(
        &self,
        x: &[f64],
        settings: &DoseSettings,
        count: usize,
    ) -> Result<AblationStatistics> {
        self.ablation_on(x, settings, count, &SingleProcess)
    }

    /// [`RobustProblem::ablation`] with the samples shared over `ranks`:
    /// the same statistics on every rank, bit for bit those of one
    /// process.
    ///
    /// # Errors
    /// As [`RobustProblem::ablation`], on every rank.
    pub fn ablation_on(
        &self,
        x: &[f64],
        settings: &DoseSettings,
        count: usize,
        ranks: &dyn Ranks,
    ) -> Result<AblationStatistics> {
        if count == 0 || count > self.samples.len() {
            return Err(Error::Invalid {
                name: "ablation samples",
                reason: format!(
                    "must lie in [1, {}] (the samples drawn), got {count}",
                    self.samples.len()
                ),
            });
        }
        let one = |s: usize| ablation_time(&self.nominal, &self.samples[s], x, settings);
        let times_min: Vec<Option<f64>> = map_on(ranks, count, true, one).map_err(|f| f.error)?;
        let ablated: Vec<f64> = times_min.iter().flatten().copied().collect();
        Ok(AblationStatistics {
            ablated_fraction: ablated.len() as f64 / count as f64,
            time_min: if ablated.is_empty() {
                None
            } else {
                Some(Summary::of(&ablated)?)
            },
            times_min,
        })
    }

    /// The statistics of the plan at `x` over the samples, evaluated in
    /// parallel (with the `rayon` feature; each sample from a cold start,
    /// so the result does not depend on the thread count).
    ///
    /// # Errors
    /// As [`RobustProblem::evaluate`].
    pub fn analyze(&self, x: &[f64]) -> Result<PlanStatistics> {
        self.analyze_on(x, &SingleProcess)
    }

    /// [`RobustProblem::analyze`] with the samples shared over `ranks`:
    /// the same statistics on every rank, bit for bit those of one
    /// process.
    ///
    /// # Errors
    /// As [`RobustProblem::analyze`] (the first failed sample in sample
    /// order), on every rank.
    pub fn analyze_on(&self, x: &[f64], ranks: &dyn Ranks) -> Result<PlanStatistics> {
        let layout = self
            .nominal
            .strategy()
            .layout(self.nominal.reference(), x)?;
        let one = |s: usize| {
            let sample_layout = self.samples[s].layout(&layout)?;
            crowding_check(&self.nominal, &sample_layout, &self.samples[s], s)?;
            outcome(&self.problems[s], sample_layout, &mut Workspace::default()).map_err(|e| {
                if is_overheating(&e) {
                    Error::Invalid {
                        name: "plan under uncertainty",
                        reason: format!("in sample {s} ({}): {e}", self.samples[s]),
                    }
                } else {
                    e
                }
            })
        };
        // The first error in sample order, whatever the thread or rank count.
        let outcomes = map_on(ranks, self.samples.len(), true, one).map_err(|f| f.error)?;
        PlanStatistics::new(outcomes)
    }
}

/// The time (min) at which the plan at `x` ablates the whole tumor
/// (R_CEM43 = 1, Eq. 13) in the tissue `factors` of `nominal`, by the dose
/// transient of [`crate::treatment::assessment`]: the sample's properties,
/// its clouds widened by f_D at the start and spreading with f_D·D during
/// the treatment; `None` when the tumor is not ablated within
/// `settings`' duration.
///
/// # Errors
/// Wrong variables, a non-physical sample, or a failed step.
pub fn ablation_time(
    nominal: &TreatmentProblem,
    factors: &TissueFactors,
    x: &[f64],
    settings: &DoseSettings,
) -> Result<Option<f64>> {
    let layout = factors.layout(&nominal.strategy().layout(nominal.reference(), x)?)?;
    let problem = nominal.with_scenario(factors.scenario(nominal.scenario())?)?;
    let diffusivity = nominal.reference().diffusivity() * factors.get(TissueProperty::Diffusivity);
    Ok(
        assess_dose_layout(&problem, &layout, diffusivity, settings, &[], &mut |_| {})?
            .tumor_ablated_min,
    )
}

/// Ablation times over samples: how many ablate within the treatment and
/// the statistics of their times.
#[derive(Debug, Clone, PartialEq)]
pub struct AblationStatistics {
    /// Per sample, the time (min) the tumor is fully ablated, or `None`.
    pub times_min: Vec<Option<f64>>,
    /// The fraction of samples ablated within the treatment.
    pub ablated_fraction: f64,
    /// The statistics of the ablated samples' times (`None` if none).
    pub time_min: Option<Summary>,
}

/// A typed error when `layout` (sample `index`, factors `factors`) puts a
/// particle volume fraction above 1 in a cell: narrower clouds than the
/// plan's dose allows, which no mixture law covers.
fn crowding_check(
    nominal: &TreatmentProblem,
    layout: &InjectionLayout,
    factors: &TissueFactors,
    index: usize,
) -> Result<()> {
    let excess = nominal.layout_volume_fraction_excess(layout)?;
    if excess > 0.0 {
        return Err(Error::Invalid {
            name: "plan under uncertainty",
            reason: format!(
                "puts a particle volume fraction of {:.3} in a cell in sample {index} \
                 (diffusivity factor {:.3}): its clouds are too narrow for its dose; use a \
                 smaller dose or a diffusivity distribution with a higher lower truncation",
                1.0 + excess,
                factors.get(TissueProperty::Diffusivity)
            ),
        });
    }
    Ok(())
}

/// The outcome of `layout` on `problem`.
fn outcome(
    problem: &TreatmentProblem,
    layout: InjectionLayout,
    workspace: &mut Workspace,
) -> Result<SampleOutcome> {
    let e = problem.evaluate_layout(layout, workspace)?;
    let max_healthy_c = e
        .temperature
        .iter()
        .zip(problem.tumor_mask())
        .filter(|(_, tumor)| !**tumor)
        .fold(f64::NEG_INFINITY, |m, (&t, _)| m.max(t));
    Ok(SampleOutcome {
        metrics: e.metrics,
        max_healthy_c,
    })
}

/// Sobol indices of J for one plan over the uncertain properties.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSensitivity {
    /// The uncertain properties, in the order of the indices.
    pub properties: Vec<TissueProperty>,
    /// First-order and total indices with their intervals.
    pub indices: SobolIndices,
}

impl PlanSensitivity {
    /// Property name → first-order index.
    pub fn first(&self) -> BTreeMap<&'static str, f64> {
        self.map(&self.indices.first)
    }
    /// Property name → total index.
    pub fn total(&self) -> BTreeMap<&'static str, f64> {
        self.map(&self.indices.total)
    }
    fn map(&self, v: &[f64]) -> BTreeMap<&'static str, f64> {
        self.properties
            .iter()
            .map(|p| p.name())
            .zip(v.iter().copied())
            .collect()
    }
    /// The properties by decreasing total index.
    pub fn ranking(&self) -> Vec<(TissueProperty, f64)> {
        let mut r: Vec<_> = self
            .properties
            .iter()
            .copied()
            .zip(self.indices.total.iter().copied())
            .collect();
        r.sort_by(|a, b| b.1.total_cmp(&a.1));
        r
    }
}

/// Global sensitivity of J of the plan at `x` to the uncertain properties
/// of `model` (Saltelli design, N(d + 2) steady solves, each from a cold
/// start, in parallel with the `rayon` feature).
///
/// # Errors
/// Wrong variables, invalid settings, a failed solve, or a J that does not
/// vary over the samples.
pub fn plan_sensitivity(
    nominal: &TreatmentProblem,
    model: &UncertaintyModel,
    x: &[f64],
    settings: &SaltelliSettings,
) -> Result<PlanSensitivity> {
    plan_sensitivity_on(nominal, model, x, settings, &SingleProcess)
}

/// [`plan_sensitivity`] with the Saltelli points shared over `ranks`: the
/// same indices on every rank, bit for bit those of one process.
///
/// # Errors
/// As [`plan_sensitivity`], on every rank.
pub fn plan_sensitivity_on(
    nominal: &TreatmentProblem,
    model: &UncertaintyModel,
    x: &[f64],
    settings: &SaltelliSettings,
    ranks: &dyn Ranks,
) -> Result<PlanSensitivity> {
    let properties = model.properties();
    let layout = nominal.strategy().layout(nominal.reference(), x)?;
    let points = saltelli_points(properties.len(), settings)?;
    let one = |k: usize| -> Result<f64> {
        let f = model.factors_at(&points[k])?;
        let sample_layout = f.layout(&layout)?;
        crowding_check(nominal, &sample_layout, &f, k)?;
        let problem = nominal.with_scenario(f.scenario(nominal.scenario())?)?;
        Ok(outcome(&problem, sample_layout, &mut Workspace::default())?
            .metrics
            .j)
    };
    // The first error in point order, whatever the thread or rank count.
    let values: Vec<f64> = map_on(ranks, points.len(), true, one).map_err(|f| f.error)?;
    let indices = sobol_indices_from(&values, properties.len(), settings)?;
    Ok(PlanSensitivity {
        properties,
        indices,
    })
}

/// The outcome of a robust optimization.
#[derive(Debug, Clone)]
pub struct RobustOptimization {
    /// The objective maximized.
    pub objective: RobustObjective,
    /// The chance constraint kept, if any.
    pub chance: Option<ChanceConstraint>,
    /// The optimum's variables.
    pub best_position: Vec<f64>,
    /// The objective at the optimum (on the optimization's samples).
    pub value: f64,
    /// The optimum's statistics on the optimization's samples.
    pub statistics: PlanStatistics,
    /// One record per generation (best and mean of the objective).
    pub history: Vec<GenerationRecord>,
    /// Plans evaluated.
    pub evaluations: usize,
    /// Wall time (s).
    pub runtime_s: f64,
}

/// The swarm's objective: the robust objective over the samples. The
/// units of work are (particle, sample) pairs, shared over `ranks` (so a
/// swarm of P particles on S samples spreads over up to P·S ranks), each
/// pair with its own warm start on the rank that always evaluates it.
struct RobustSwarm<'a> {
    problem: &'a RobustProblem,
    objective: RobustObjective,
    chance: Option<ChanceConstraint>,
    /// Pair (i, s)'s workspace at i·S + s.
    workspaces: Vec<Mutex<Workspace>>,
    /// This generation's chance-constraint values by position bits:
    /// particles at one position (a corner of the box, say) share the
    /// lowest slot's value.
    chance_values: Mutex<HashMap<Vec<u64>, f64>>,
    ranks: &'a dyn Ranks,
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

impl RobustSwarm<'_> {
    /// The objective's value over `outcomes` and, with a chance
    /// constraint, its g.
    fn value(&self, outcomes: &[SampleOutcome]) -> Result<(f64, Option<f64>)> {
        let g = self
            .chance
            .as_ref()
            .map(|c| c.value(outcomes))
            .transpose()?;
        let j: Vec<f64> = outcomes.iter().map(|o| o.metrics.j).collect();
        Ok((self.objective.value(&j)?, g))
    }
}

impl Objective for RobustSwarm<'_> {
    type Error = Error;

    fn evaluate(&self, x: &[f64]) -> Result<f64> {
        Ok(self.value(&self.problem.evaluate(x, &mut Vec::new())?)?.0)
    }

    fn evaluate_batch(
        &self,
        positions: &[Vec<f64>],
        values: &mut [f64],
        parallel: bool,
    ) -> std::result::Result<(), BatchFailure<Error>> {
        let samples = self.problem.samples.len();
        let at = |index| move |error| BatchFailure { index, error };
        // A crowded plan (φ > 1 in some sample) is not solved: its
        // constraint ranks it.
        let excess = map_on(self.ranks, positions.len(), parallel, |i| {
            self.problem.volume_fraction_excess(&positions[i])
        })
        .map_err(|f| at(f.index)(f.error))?;
        let pairs = map_on(self.ranks, positions.len() * samples, parallel, |pair| {
            let (i, s) = (pair / samples, pair % samples);
            if excess[i] > 0.0 {
                return Ok(None);
            }
            // Pair (i, s) alone uses its workspace: the lock is never
            // contended.
            let mut guard = self.workspaces[pair]
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match self.problem.evaluate_sample(&positions[i], s, &mut guard) {
                Ok(o) => Ok(Some(o)),
                // A plan heating past the solver's limit in some sample
                // ranks below every plan with a value.
                Err(e) if is_overheating(&e) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .map_err(|f| at(f.index / samples.max(1))(f.error))?;
        let mut chance = self.chance_values.lock().unwrap_or_else(|p| p.into_inner());
        chance.clear();
        for (i, (x, v)) in positions.iter().zip(values.iter_mut()).enumerate() {
            let outcomes: Option<Vec<SampleOutcome>> = pairs[i * samples..(i + 1) * samples]
                .iter()
                .copied()
                .collect();
            *v = f64::NAN;
            if excess[i] > 0.0 {
                continue;
            }
            let Some(outcomes) = outcomes else {
                // Overheated in some sample: every warm start of the plan
                // starts over.
                for w in &self.workspaces[i * samples..(i + 1) * samples] {
                    *w.lock().unwrap_or_else(|p| p.into_inner()) = Workspace::default();
                }
                continue;
            };
            let (value, g) = self.value(&outcomes).map_err(at(i))?;
            *v = value;
            if let Some(g) = g {
                // Slots in order: the lowest one at a position keeps it.
                chance.entry(bits(x)).or_insert(g);
            }
        }
        Ok(())
    }
}

/// Maximizes `objective` of J over `problem`'s samples by PSO, keeping
/// φ ≤ 1 in every sample and, optionally, the `chance` constraint (Deb's
/// feasibility rules); `progress` sees each generation's index and best
/// value.
///
/// # Errors
/// Invalid settings or objective, no feasible plan, or the first failed
/// evaluation.
pub fn optimize_robust(
    problem: &RobustProblem,
    objective: RobustObjective,
    chance: Option<ChanceConstraint>,
    settings: &OptimizationSettings,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<RobustOptimization> {
    optimize_robust_on(
        problem,
        objective,
        chance,
        settings,
        &SingleProcess,
        progress,
    )
}

/// [`optimize_robust`] with each generation's (plan, sample) pairs shared
/// over `ranks` (P particles on S samples use up to P·S ranks) and the
/// optimum's statistics' samples shared too: the same result on every
/// rank, bit for bit that of one process with the same seeds.
///
/// # Errors
/// As [`optimize_robust`], on every rank.
pub fn optimize_robust_on(
    problem: &RobustProblem,
    objective: RobustObjective,
    chance: Option<ChanceConstraint>,
    settings: &OptimizationSettings,
    ranks: &dyn Ranks,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<RobustOptimization> {
    let start = Instant::now();
    objective.check()?;
    if let Some(c) = &chance {
        c.check()?;
    }
    let (pso, bounds) = paper_swarm(
        problem.nominal().strategy().bounds(),
        problem.nominal().weights().dose().is_some(),
        settings,
    )?;
    let swarm = RobustSwarm {
        problem,
        objective,
        chance,
        workspaces: (0..settings.particles() * problem.samples.len())
            .map(|_| Mutex::new(Workspace::default()))
            .collect(),
        chance_values: Mutex::new(HashMap::new()),
        ranks,
    };
    let mut observer = |g: &pso::Generation| {
        progress(g.index, g.best);
        ControlFlow::Continue(())
    };
    let constraints = |x: &[f64]| {
        let crowding = problem.volume_fraction_excess(x).unwrap_or(f64::INFINITY);
        let chance_value = swarm
            .chance_values
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&bits(x))
            .copied()
            // A crowded plan was not evaluated: its crowding ranks it.
            .unwrap_or(0.0);
        vec![crowding, chance_value]
    };
    let report = pso.run_with(
        &swarm,
        Some(&constraints),
        Goal::Maximize,
        &bounds,
        &mut observer,
    )?;
    if !report.feasible() {
        return Err(Error::Invalid {
            name: "robust plan",
            reason: format!(
                "no plan the swarm tried keeps φ ≤ 1 in every sample{} (the best violates by \
                 {:.3})",
                if chance.is_some() {
                    " and the chance constraint"
                } else {
                    ""
                },
                report.best_violation
            ),
        });
    }
    let history = generation_records(&report.history);
    let statistics = problem.analyze_on(&report.best_position, ranks)?;
    let value = objective.value(&statistics.values(Outcome::J))?;
    Ok(RobustOptimization {
        objective,
        chance,
        best_position: report.best_position,
        value,
        statistics,
        history,
        evaluations: report.evaluations,
        runtime_s: start.elapsed().as_secs_f64(),
    })
}
