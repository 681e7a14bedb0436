//! Inverse particle design on the DiMag models: which particle, by the
//! data, heats best for sure (the highest lower bound of a CV+ interval of
//! its predicted SAR), optionally while staying visible in MRI (predicted
//! r2 above a threshold), and without leaving the data?
//!
//! A candidate is a composition seen in SAR.csv (its core and coating),
//! a shape flag seen in the data, and four searched descriptors: the
//! surface-to-volume ratio, the saturation magnetization, the coercivity
//! and the remanence, each within the range SAR.csv holds. Descriptors
//! that follow from the composition are taken from it (the core's magnetic
//! moment, the coating's LogP and H-acceptor count, and for r2 the core's
//! surface spin from r2.csv); the measurement conditions (field amplitude
//! and frequency, particle concentration, the MRI field) are fixed by the
//! user, by default at the data's medians. For each composition and shape
//! a seeded particle swarm maximizes the lower SAR bound subject to
//! g₁ = d_nn − d₉₅ ≤ 0, d_nn the candidate's distance to its nearest
//! training particle and d₉₅ the 95th percentile of the training
//! particles' own nearest-neighbour distances (both in the min-max scaled
//! particle descriptors, measurement conditions left out), g₂ = M_r − M_s
//! ≤ 0 (remanence cannot exceed saturation), and, with a threshold,
//! g₃ = log10 r2_min − log10 r̂2 ≤ 0 (Deb's feasibility rules).
//!
//! Intervals: CV+ (docs/MODEL.md §8.3a) over all rows of each file, the
//! point prediction the mean of the fold models, calibrated by default
//! across articles ([`Calibration::Articles`]: a designed particle is a new
//! synthesis). CV+ assumes the new particle exchangeable with the
//! calibration ones; a particle chosen because its prediction is high is
//! not, so read the interval as the models' spread near the data, not as
//! a guarantee.

use crate::error::{Error, Result};
use crate::ml::dimag::{FittedTreeModel, TreeModel, log_target, paper_model};
use ml_regress::Predict;
use ml_regress::conformal::CvPlus;
use mnp_dataset::dimag::DimagData;
use mnp_dataset::split::{GroupKFold, KFold, Split};
use mnp_dataset::transform::FittedScaler;
use mnp_dataset::{NumericImputation, Pipeline, Scaling, UnknownCategory};
use ndarray::Array2;
use pso::{Bounds, Fallible, Goal, Pso};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use serde::Serialize;
use std::collections::BTreeMap;

/// SAR.csv's particle concentration column.
pub const CONCENTRATION: &str = "Concentration of particles";
/// SAR.csv's field amplitude column (units not stated by the data; most
/// plausibly Oe, docs/MODEL.md §8.6).
pub const FIELD_AMPLITUDE: &str = "Field amplitude";
/// SAR.csv's field frequency column (reads as MHz, docs/MODEL.md §8.6).
pub const FIELD_FREQUENCY: &str = "Field frequency";
/// r2.csv's MRI field column (T).
pub const FIELD_STRENGTH: &str = "Field strength";
const MOMENT: &str = "Magnetic moment of core";
const LOGP: &str = "LogP of organic coating";
const H_ACCEPTORS: &str = "Number H acceptors of organic coating";
const SPIN: &str = "Spin of surface elements";
const SHAPE: &str = "Max/min(size)";
/// The searched descriptors, in the order of a swarm position.
pub const SEARCHED: [&str; 4] = [
    "Area/volume",
    "Saturation magnetization",
    "Coercivity",
    "Remanence magnetization",
];
/// SAR descriptors that are measurement conditions, not the particle's.
const CONDITIONS: [&str; 3] = [CONCENTRATION, FIELD_AMPLITUDE, FIELD_FREQUENCY];

/// How the CV+ intervals are calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Calibration {
    /// Folds of whole articles (GroupKFold(10) by normalized DOI): every
    /// residual from a model that never saw the row's article, the error
    /// a new synthesis meets (docs/VALIDATION.md: about twice as wide as
    /// row folds for SAR). The default: a designed particle is a new
    /// synthesis.
    #[default]
    Articles,
    /// Ten folds of rows in a seeded order (rows of one article on both
    /// sides of a fold): narrower, and optimistic for a new synthesis.
    Rows,
}

/// What the design searches for and how hard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignSettings {
    /// Field amplitude, in SAR.csv's units.
    pub field_amplitude: f64,
    /// Field frequency, in SAR.csv's units (MHz).
    pub field_frequency: f64,
    /// Particle concentration, in SAR.csv's units.
    pub concentration: f64,
    /// MRI field for the r2 prediction (T).
    pub field_strength: f64,
    /// Predicted r2 must reach this (mM⁻¹ s⁻¹), when set.
    pub r2_min: Option<f64>,
    /// Miscoverage of the intervals (0.1: 90 % intervals).
    pub alpha: f64,
    /// How the intervals are calibrated.
    pub calibration: Calibration,
    /// How many candidates to report (the best composition and shape each).
    pub candidates: usize,
    /// Swarm size per composition and shape.
    pub particles: usize,
    /// Generations per composition and shape.
    pub generations: usize,
    /// Seed of the folds, the models and the swarms.
    pub seed: u64,
}

/// The median of a column of `data`.
fn column_median(data: &DimagData, name: &str) -> Result<f64> {
    let mut v: Vec<f64> = data
        .table
        .numeric(name)?
        .iter()
        .flatten()
        .copied()
        .collect();
    if v.is_empty() {
        return Err(Error::Invalid {
            name: "data",
            reason: format!("column '{name}' has no values"),
        });
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Ok(0.5 * (v[(n - 1) / 2] + v[n / 2]))
}

impl DesignSettings {
    /// The conditions at the data's medians (field amplitude, frequency and
    /// concentration of SAR.csv, the MRI field of r2.csv); no r2 threshold;
    /// 90 % intervals calibrated across articles; 5 candidates; 20
    /// particles × 60 generations; seed 0.
    ///
    /// # Errors
    /// A file without one of those columns.
    pub fn medians(sar: &DimagData, r2: &DimagData) -> Result<Self> {
        Ok(Self {
            field_amplitude: column_median(sar, FIELD_AMPLITUDE)?,
            field_frequency: column_median(sar, FIELD_FREQUENCY)?,
            concentration: column_median(sar, CONCENTRATION)?,
            field_strength: column_median(r2, FIELD_STRENGTH)?,
            r2_min: None,
            alpha: 0.1,
            calibration: Calibration::Articles,
            candidates: 5,
            particles: 20,
            generations: 60,
            seed: 0,
        })
    }

    fn check(&self) -> Result<()> {
        let positive = [
            ("field amplitude", self.field_amplitude),
            ("field frequency", self.field_frequency),
            ("concentration", self.concentration),
            ("field strength", self.field_strength),
            ("r2 threshold", self.r2_min.unwrap_or(1.0)),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::Invalid {
                    name: "design settings",
                    reason: format!("the {name} must be finite and > 0, got {v}"),
                });
            }
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::Invalid {
                name: "design settings",
                reason: format!("alpha must lie in (0, 1), got {}", self.alpha),
            });
        }
        if self.candidates == 0 || self.particles == 0 || self.generations == 0 {
            return Err(Error::Invalid {
                name: "design settings",
                reason: "candidates, particles and generations must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// A training particle near a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbour {
    /// Its 0-based data row in SAR.csv.
    pub row: usize,
    /// Its article (normalized DOI).
    pub doi: String,
    /// Distance in the scaled particle descriptors.
    pub distance: f64,
    /// Its measured SAR (W/g).
    pub sar: f64,
    /// The field amplitude and frequency it was measured at (SAR.csv's
    /// units), which the particle distance leaves out.
    pub field: (f64, f64),
}

/// One designed particle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignCandidate {
    /// Core composition (as in the data).
    pub core: String,
    /// Coating (as in the data; empty for none).
    pub shell: String,
    /// Every SAR model input by column name, in the data's units.
    pub descriptors: BTreeMap<String, f64>,
    /// Predicted SAR (W/g): 10 to the mean of the fold models' log10.
    pub sar_pred: f64,
    /// Lower end of its CV+ interval (W/g).
    pub sar_lo: f64,
    /// Upper end (W/g).
    pub sar_hi: f64,
    /// Predicted r2 (mM⁻¹ s⁻¹); `None` when r2.csv has no particle of
    /// this core (no surface spin to take).
    pub r2_pred: Option<f64>,
    /// Distance to the nearest training particle (scaled particle
    /// descriptors).
    pub nearest_distance: f64,
    /// Whether any model input lies outside its training range, or the
    /// candidate is farther from the data than the 95th percentile.
    pub extrapolated: bool,
    /// Whether it meets the constraints.
    pub feasible: bool,
    /// The three nearest training particles.
    pub neighbours: Vec<Neighbour>,
}

/// The design's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignReport {
    /// The best candidates, feasible ones first, by lower SAR bound.
    pub candidates: Vec<DesignCandidate>,
    /// The 95th percentile of the training particles' nearest-neighbour
    /// distances (the bound on a candidate's).
    pub nn_distance_p95: f64,
    /// Compositions × shapes searched.
    pub searches: usize,
    /// Objective evaluations in all.
    pub evaluations: usize,
}

impl DesignReport {
    /// The report as JSON: `settings`, `nn_distance_p95`, `candidates`
    /// (each with `descriptors`, `sar_pred`, `sar_lo`, `sar_hi`, `r2_pred`,
    /// `nearest_distance`, `extrapolated`, …) and `runtime_s`.
    pub fn to_json(&self, settings: &DesignSettings, runtime_s: f64) -> serde_json::Value {
        serde_json::json!({
            "settings": settings,
            "nn_distance_p95": self.nn_distance_p95,
            "searches": self.searches,
            "evaluations": self.evaluations,
            "candidates": self.candidates,
            "runtime_s": runtime_s,
        })
    }
}

/// A table for people: one block per candidate with its descriptors and
/// its three nearest training particles.
impl std::fmt::Display for DesignReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} compositions × shapes searched, {} evaluations; nearest-neighbour bound {:.3}",
            self.searches, self.evaluations, self.nn_distance_p95
        )?;
        writeln!(
            f,
            "{:<3} {:<24} {:<24} {:>8} {:>8} {:>8} {:>6} {:>6} {:>8} {:>6}",
            "#", "core", "coating", "SAR lo", "SAR", "SAR hi", "r2", "d_nn", "feasible", "extrap"
        )?;
        for (k, c) in self.candidates.iter().enumerate() {
            let short = |s: &str| s.chars().take(24).collect::<String>();
            writeln!(
                f,
                "{:<3} {:<24} {:<24} {:>8.1} {:>8.1} {:>8.1} {:>6} {:>6.3} {:>8} {:>6}",
                k + 1,
                short(&c.core),
                short(if c.shell.is_empty() { "-" } else { &c.shell }),
                c.sar_lo,
                c.sar_pred,
                c.sar_hi,
                c.r2_pred.map_or("-".into(), |v| format!("{v:.0}")),
                c.nearest_distance,
                c.feasible,
                c.extrapolated
            )?;
            let searched: Vec<String> = SEARCHED
                .iter()
                .map(|n| {
                    format!(
                        "{n} {:.4}",
                        c.descriptors.get(*n).copied().unwrap_or(f64::NAN)
                    )
                })
                .collect();
            writeln!(f, "    {}", searched.join(", "))?;
            for n in &c.neighbours {
                writeln!(
                    f,
                    "    near: row {} ({}), distance {:.3}, measured SAR {:.1} W/g at field {} / {}",
                    n.row, n.doi, n.distance, n.sar, n.field.0, n.field.1
                )?;
            }
        }
        Ok(())
    }
}

/// A composition's fixed descriptors.
#[derive(Debug, Clone)]
struct Composition {
    core: String,
    shell: String,
    moment: f64,
    logp: f64,
    h_acceptors: f64,
    spin: Option<f64>,
}

/// A trained CV+ model with its input scaling.
struct IntervalModel {
    names: Vec<String>,
    scaler: FittedScaler,
    cv: CvPlus<FittedTreeModel>,
    range: Vec<(f64, f64)>,
}

impl IntervalModel {
    fn train(
        data: &DimagData,
        model: TreeModel,
        alpha: f64,
        calibration: Calibration,
        seed: u64,
    ) -> Result<Self> {
        let features = data.features()?;
        let fitted = Pipeline::new(
            NumericImputation::Mean,
            Some(Scaling::MinMax),
            UnknownCategory::AllZeros,
        )
        .fit(&features)?;
        let scaler = fitted.scaler.clone().ok_or_else(|| Error::Invalid {
            name: "design",
            reason: "the pipeline has no scaler".into(),
        })?;
        let x = fitted.transform(&features)?;
        let y = ndarray::Array1::from(log_target(data)?);
        let folds = match calibration {
            Calibration::Articles => GroupKFold { k: 10 }.split(&data.doi)?,
            Calibration::Rows => {
                // Ten folds over the rows in a seeded order.
                let mut order: Vec<usize> = (0..y.len()).collect();
                order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
                let map = |v: &[usize]| v.iter().map(|&i| order[i]).collect::<Vec<_>>();
                KFold {
                    k: 10,
                    shuffle: None,
                }
                .split(y.len())?
                .iter()
                .map(|s| Split {
                    train: map(&s.train),
                    test: map(&s.test),
                })
                .collect()
            }
        };
        let cv = CvPlus::fit(
            &model.with_seed(seed),
            x.data.view(),
            y.view(),
            &folds,
            alpha,
        )?;
        let range = data
            .descriptors
            .iter()
            .map(|name| {
                let v = data.table.numeric(name)?;
                Ok(v.iter()
                    .flatten()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    }))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            names: data.descriptors.clone(),
            scaler,
            cv,
            range,
        })
    }

    /// The scaled model input of a row given by column name.
    fn input(&self, row: &BTreeMap<String, f64>) -> Result<Array2<f64>> {
        let mut x = Array2::zeros((1, self.names.len()));
        for (j, name) in self.names.iter().enumerate() {
            let v = *row.get(name).ok_or_else(|| Error::Invalid {
                name: "design",
                reason: format!("no value for the model input '{name}'"),
            })?;
            x[[0, j]] = self.scaler.scale(name, v)?;
        }
        Ok(x)
    }

    /// (prediction, lower, upper) on the log10 scale.
    fn interval(&self, row: &BTreeMap<String, f64>) -> Result<(f64, f64, f64)> {
        let i = self.cv.predict_interval(self.input(row)?.view())?;
        Ok((i.prediction[0], i.lower[0], i.upper[0]))
    }

    /// The point prediction (log10): the mean of the fold models'.
    fn point(&self, row: &BTreeMap<String, f64>) -> Result<f64> {
        let x = self.input(row)?;
        let mut sum = 0.0;
        for m in self.cv.models() {
            sum += m.predict(x.view())?[0];
        }
        Ok(sum / self.cv.models().len() as f64)
    }

    fn outside_range(&self, row: &BTreeMap<String, f64>) -> bool {
        self.names
            .iter()
            .zip(&self.range)
            .any(|(n, &(lo, hi))| row.get(n).is_some_and(|&v| v < lo || v > hi))
    }
}

/// The predicted SAR of one particle and its CV+ interval (W/g).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SarPrediction {
    /// The point prediction: 10 to the mean of the fold models' log10 SAR.
    pub sar_w_g: f64,
    /// The interval's lower end.
    pub lower_w_g: f64,
    /// The interval's upper end.
    pub upper_w_g: f64,
    /// The interval's miscoverage (0.1: a 90 % interval).
    pub alpha: f64,
    /// Whether a descriptor lies outside the range SAR.csv holds (the
    /// prediction extrapolates).
    pub outside_data_range: bool,
}

/// The DiMag SAR model (LightGBM's, docs/MODEL.md §8.6) with CV+
/// intervals (§8.3a), for particles described by SAR.csv's descriptors.
pub struct SarPredictor {
    model: IntervalModel,
    alpha: f64,
}

impl std::fmt::Debug for SarPredictor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SarPredictor")
            .field("descriptors", &self.model.names)
            .field("alpha", &self.alpha)
            .finish()
    }
}

impl SarPredictor {
    /// Trains on `sar` (SAR.csv) with intervals of miscoverage `alpha`
    /// calibrated as `calibration`, seeded.
    ///
    /// # Errors
    /// Data of another target, α outside (0, 1), or a failed fit.
    pub fn train(sar: &DimagData, alpha: f64, calibration: Calibration, seed: u64) -> Result<Self> {
        if sar.target != mnp_dataset::dimag::DimagTarget::Sar {
            return Err(Error::Invalid {
                name: "data",
                reason: format!("a SAR model needs SAR.csv, got {:?} data", sar.target),
            });
        }
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::Invalid {
                name: "alpha",
                reason: format!("must lie in (0, 1), got {alpha}"),
            });
        }
        Ok(Self {
            model: IntervalModel::train(sar, paper_model(sar.target), alpha, calibration, seed)?,
            alpha,
        })
    }

    /// The descriptors a particle needs (SAR.csv's numeric columns).
    pub fn descriptors(&self) -> &[String] {
        &self.model.names
    }

    /// The SAR of the particle `particle` (descriptor name → value, in
    /// SAR.csv's units) with its interval.
    ///
    /// # Errors
    /// A descriptor missing, unknown or not finite (each named).
    pub fn predict(&self, particle: &BTreeMap<String, f64>) -> Result<SarPrediction> {
        if let Some(name) = particle.keys().find(|k| !self.model.names.contains(k)) {
            return Err(Error::Invalid {
                name: "particle",
                reason: format!(
                    "'{name}' is not a SAR descriptor; the model takes: {}",
                    self.model.names.join(", ")
                ),
            });
        }
        if let Some(name) = self.model.names.iter().find(|n| !particle.contains_key(*n)) {
            return Err(Error::Invalid {
                name: "particle",
                reason: format!("no value for the descriptor '{name}'"),
            });
        }
        if let Some((name, v)) = particle.iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Invalid {
                name: "particle",
                reason: format!("'{name}' is not finite ({v})"),
            });
        }
        let (p, lo, hi) = self.model.interval(particle)?;
        Ok(SarPrediction {
            sar_w_g: 10f64.powf(p),
            lower_w_g: 10f64.powf(lo),
            upper_w_g: 10f64.powf(hi),
            alpha: self.alpha,
            outside_data_range: self.model.outside_range(particle),
        })
    }
}

/// The training particles in scaled particle space, for distances.
struct ParticleSpace {
    names: Vec<String>,
    points: Vec<Vec<f64>>,
    p95: f64,
}

impl ParticleSpace {
    fn new(data: &DimagData, scaler: &FittedScaler) -> Result<Self> {
        let names: Vec<String> = data
            .descriptors
            .iter()
            .filter(|n| !CONDITIONS.contains(&n.as_str()))
            .cloned()
            .collect();
        let columns: Vec<&[Option<f64>]> = names
            .iter()
            .map(|n| data.table.numeric(n))
            .collect::<std::result::Result<_, _>>()?;
        let points = (0..data.y.len())
            .map(|i| {
                names
                    .iter()
                    .zip(&columns)
                    .map(|(n, c)| scaler.scale(n, c[i].unwrap_or(f64::NAN)))
                    .collect::<std::result::Result<Vec<f64>, _>>()
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut nearest: Vec<f64> = (0..points.len())
            .map(|i| {
                (0..points.len())
                    .filter(|&j| j != i)
                    .map(|j| distance(&points[i], &points[j]))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        nearest.sort_by(f64::total_cmp);
        let p95 = quantile(&nearest, 0.95);
        Ok(Self { names, points, p95 })
    }

    fn point(&self, row: &BTreeMap<String, f64>, scaler: &FittedScaler) -> Result<Vec<f64>> {
        self.names
            .iter()
            .map(|n| Ok(scaler.scale(n, row[n])?))
            .collect()
    }

    /// The `k` nearest training particles (row, distance), nearest first.
    fn nearest(&self, p: &[f64], k: usize) -> Vec<(usize, f64)> {
        let mut d: Vec<(usize, f64)> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, q)| (i, distance(p, q)))
            .collect();
        d.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        d.truncate(k);
        d
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Linear interpolation between order statistics (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// The compositions of SAR.csv, in first-seen order, with their fixed
/// descriptors; the core's surface spin from r2.csv where it has the core.
fn compositions(sar: &DimagData, r2: &DimagData) -> Result<Vec<Composition>> {
    let text = |d: &DimagData, name: &str| -> Result<Vec<String>> {
        match &d.table.column(name)?.data {
            mnp_dataset::ColumnData::Text(v) => {
                Ok(v.iter().map(|s| s.clone().unwrap_or_default()).collect())
            }
            mnp_dataset::ColumnData::Numeric(_) => Err(Error::Invalid {
                name: "data",
                reason: format!("column '{name}' is not text"),
            }),
        }
    };
    let (core, shell) = (
        text(sar, "Core composition")?,
        text(sar, "Shell composition")?,
    );
    let (moment, logp, hacc) = (
        sar.table.numeric(MOMENT)?,
        sar.table.numeric(LOGP)?,
        sar.table.numeric(H_ACCEPTORS)?,
    );
    let r2_core = text(r2, "Core composition")?;
    let r2_spin = r2.table.numeric(SPIN)?;
    let mut out: Vec<Composition> = Vec::new();
    for i in 0..core.len() {
        if out.iter().any(|c| c.core == core[i] && c.shell == shell[i]) {
            continue;
        }
        let value = |v: &[Option<f64>], name: &str| {
            v[i].ok_or_else(|| Error::Invalid {
                name: "data",
                reason: format!("row {i}: no value for '{name}'"),
            })
        };
        out.push(Composition {
            core: core[i].clone(),
            shell: shell[i].clone(),
            moment: value(moment, MOMENT)?,
            logp: value(logp, LOGP)?,
            h_acceptors: value(hacc, H_ACCEPTORS)?,
            spin: r2_core
                .iter()
                .position(|c| *c == core[i])
                .and_then(|k| r2_spin[k]),
        });
    }
    Ok(out)
}

/// Designs particles on the DiMag files `sar` (SAR.csv) and `r2` (r2.csv);
/// see the module docs.
///
/// # Errors
/// Invalid settings (naming the setting), files without the columns the
/// design needs, a model or swarm failure.
pub fn design(sar: &DimagData, r2: &DimagData, settings: &DesignSettings) -> Result<DesignReport> {
    settings.check()?;
    for name in SEARCHED
        .iter()
        .chain(&CONDITIONS)
        .chain(&[MOMENT, LOGP, H_ACCEPTORS, SHAPE])
    {
        if !sar.descriptors.iter().any(|d| d == name) {
            return Err(Error::Invalid {
                name: "data",
                reason: format!("SAR data lack the descriptor '{name}'"),
            });
        }
    }
    let (alpha, calibration, seed) = (settings.alpha, settings.calibration, settings.seed);
    let sar_model = IntervalModel::train(sar, paper_model(sar.target), alpha, calibration, seed)?;
    let r2_model = IntervalModel::train(r2, paper_model(r2.target), alpha, calibration, seed)?;
    let space = ParticleSpace::new(sar, &sar_model.scaler)?;
    let bounds_of = |name: &str| -> Result<(f64, f64)> {
        let k = sar_model
            .names
            .iter()
            .position(|n| n == name)
            .expect("checked above");
        Ok(sar_model.range[k])
    };
    let (lo, hi): (Vec<f64>, Vec<f64>) = SEARCHED
        .iter()
        .map(|n| bounds_of(n))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let bounds = Bounds::new(lo, hi)?;
    let mut shapes: Vec<f64> = sar
        .table
        .numeric(SHAPE)?
        .iter()
        .flatten()
        .copied()
        .collect();
    shapes.sort_by(f64::total_cmp);
    shapes.dedup();
    let comps = compositions(sar, r2)?;
    let (amplitude, frequency) = (
        sar.table.numeric(FIELD_AMPLITUDE)?,
        sar.table.numeric(FIELD_FREQUENCY)?,
    );
    let log_r2_min = settings.r2_min.map(f64::log10);
    let mut found = Vec::new();
    let mut evaluations = 0;
    let mut searches = 0;
    for (c_index, comp) in comps.iter().enumerate() {
        if log_r2_min.is_some() && comp.spin.is_none() {
            continue; // r2 cannot be predicted for this core
        }
        for (s_index, &shape) in shapes.iter().enumerate() {
            let row = |x: &[f64]| -> BTreeMap<String, f64> {
                let mut r: BTreeMap<String, f64> = SEARCHED
                    .iter()
                    .zip(x)
                    .map(|(n, &v)| (n.to_string(), v))
                    .collect();
                for (n, v) in [
                    (MOMENT, comp.moment),
                    (LOGP, comp.logp),
                    (H_ACCEPTORS, comp.h_acceptors),
                    (SHAPE, shape),
                    (CONCENTRATION, settings.concentration),
                    (FIELD_AMPLITUDE, settings.field_amplitude),
                    (FIELD_FREQUENCY, settings.field_frequency),
                    (FIELD_STRENGTH, settings.field_strength),
                ] {
                    r.insert(n.to_string(), v);
                }
                if let Some(s) = comp.spin {
                    r.insert(SPIN.to_string(), s);
                }
                r
            };
            // The models are asked once before the search, so that an error
            // surfaces here, typed, rather than as an infeasible particle.
            let middle: Vec<f64> = (0..SEARCHED.len())
                .map(|d| 0.5 * (bounds.lower()[d] + bounds.upper()[d]))
                .collect();
            sar_model.interval(&row(&middle))?;
            if comp.spin.is_some() {
                r2_model.point(&row(&middle))?;
            }
            let objective = Fallible(|x: &[f64]| sar_model.interval(&row(x)).map(|(_, l, _)| l));
            let constraints = |x: &[f64]| -> Vec<f64> {
                let r = row(x);
                let d = space
                    .point(&r, &sar_model.scaler)
                    .map(|p| space.nearest(&p, 1)[0].1)
                    .unwrap_or(f64::NAN);
                // Remanence cannot exceed saturation (x = A/V, M_s, H_c, M_r).
                let mut g = vec![d - space.p95, x[3] - x[1]];
                if let Some(min) = log_r2_min {
                    g.push(min - r2_model.point(&r).unwrap_or(f64::NAN));
                }
                g
            };
            let seed = settings
                .seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add((c_index * shapes.len() + s_index) as u64);
            let swarm = Pso::paper()
                .with_particles(settings.particles)?
                .with_generations(settings.generations)?
                .with_seed(seed);
            let report =
                swarm.run_constrained(&objective, &constraints, Goal::Maximize, &bounds)?;
            evaluations += report.evaluations;
            searches += 1;
            let r = row(&report.best_position);
            let (p, l, h) = sar_model.interval(&r)?;
            let point = space.point(&r, &sar_model.scaler)?;
            let near = space.nearest(&point, 3);
            let nearest_distance = near[0].1;
            let r2_pred = match comp.spin {
                Some(_) => Some(10f64.powf(r2_model.point(&r)?)),
                None => None,
            };
            let feasible = report.feasible();
            let extrapolated = nearest_distance > space.p95
                || sar_model.outside_range(&r)
                || (comp.spin.is_some() && r2_model.outside_range(&r));
            let descriptors = sar_model.names.iter().map(|n| (n.clone(), r[n])).collect();
            found.push(DesignCandidate {
                core: comp.core.clone(),
                shell: comp.shell.clone(),
                descriptors,
                sar_pred: 10f64.powf(p),
                sar_lo: 10f64.powf(l),
                sar_hi: 10f64.powf(h),
                r2_pred,
                nearest_distance,
                extrapolated,
                feasible,
                neighbours: near
                    .iter()
                    .map(|&(row, distance)| Neighbour {
                        row,
                        doi: sar.doi[row].clone(),
                        distance,
                        sar: sar.y[row],
                        field: (
                            amplitude[row].unwrap_or(f64::NAN),
                            frequency[row].unwrap_or(f64::NAN),
                        ),
                    })
                    .collect(),
            });
        }
    }
    found.sort_by(|a, b| {
        b.feasible
            .cmp(&a.feasible)
            .then(b.sar_lo.total_cmp(&a.sar_lo))
    });
    found.truncate(settings.candidates);
    Ok(DesignReport {
        candidates: found,
        nn_distance_p95: space.p95,
        searches,
        evaluations,
    })
}
