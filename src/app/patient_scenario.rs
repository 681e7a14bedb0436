//! The `[patient]` section of a scenario file: a segmentation (NIfTI-1),
//! which labels are the tumor and which other tissues, the solved box,
//! the injection strategy and the boundary of the box.
//!
//! ```toml
//! [patient]
//! mask = "mask.nii.gz"     # relative to the scenario file
//! tumor_labels = [2]
//! margin_mm = 10.0         # healthy tissue kept around the tumor
//! # cell_mm = 1.0          # resample to cubic cells (anisotropic voxels)
//! sites = 4                # on the principal axes: 1, 2, 4, 6 or 8
//! boundary = "adiabatic"   # or "body_temperature" (37 °C on the box faces)
//! # [[patient.site]]       # the user's sites instead, patient mm
//! # position_mm = [-75.0, 88.0, 27.5]
//! # weight = 1.0
//! # [patient.tumor]       # the tumor's own properties (default: Table 1, Eq. 4)
//! # conductivity = 0.55
//! # perfusion_rate = 0.8
//! # Without [[patient.tissue]], every other label is healthy tissue
//! # (Table 1, Eq. 3); with them, a label no tissue lists is refused.
//! # [[patient.tissue]]
//! # name = "muscle"
//! # labels = [3]
//! # density = 1090.0       # kg/m³
//! # specific_heat = 3421.0 # J/(kg K)
//! # conductivity = 0.49    # W/(m K)
//! # perfusion = "healthy"  # "healthy" (Eq. 3, the default) or "tumor" (Eq. 4),
//! # perfusion_rate = 0.5   # or a constant rate in kg/(m³ s): one of the two
//! ```

use crate::error::{Error, Result};
use crate::patient::anatomy::{Anatomy, CropSettings, Tissue, TissueMap};
use crate::patient::nifti_io::read_label_volume;
use crate::patient::objective::{PatientProblem, PatientSettings};
use crate::patient::strategy::{PatientSites, PatientStrategy, PrincipalAxes};
use crate::patient::volume::LabelVolume;
use crate::treatment::objective::ObjectiveWeights;
use lbm_bioheat::{Boundary, ConstantPerfusion, HealthyTissuePerfusion, TumorPerfusion};
use mnp_physics::Material;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

/// The faces of the solved box (`patient.boundary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "cli",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
pub enum BoxBoundary {
    /// No heat through the faces (the paper's block).
    #[default]
    Adiabatic,
    /// The faces held at 37 °C (the body around the box).
    BodyTemperature,
}

/// A named perfusion law (`patient.tissue.perfusion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerfusionKind {
    /// Healthy tissue, Eq. 3 of Jiang et al. 2022.
    Healthy,
    /// Tumor, Eq. 4.
    Tumor,
}

/// One user-defined site (`[[patient.site]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientSiteEntry {
    /// Patient coordinates (mm), as the image's affine gives them.
    pub position_mm: [f64; 3],
    /// Dose weight (V_i = weight·k_σ³k_φV0).
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// One tissue (`[[patient.tissue]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TissueEntry {
    /// Its name.
    pub name: String,
    /// Its labels in the segmentation.
    pub labels: Vec<u32>,
    /// Density (kg/m³); Table 1 tissue by default.
    #[serde(default = "table1_density")]
    pub density: f64,
    /// Specific heat (J/(kg·K)).
    #[serde(default = "table1_specific_heat")]
    pub specific_heat: f64,
    /// Conductivity (W/(m·K)).
    #[serde(default = "table1_conductivity")]
    pub conductivity: f64,
    /// A named perfusion law (default: healthy, Eq. 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perfusion: Option<PerfusionKind>,
    /// A constant perfusion rate (kg/(m³·s)) instead of a named law.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perfusion_rate: Option<f64>,
}

impl TissueEntry {
    /// Its properties.
    pub fn properties(&self) -> TissueProperties {
        TissueProperties {
            density: self.density,
            specific_heat: self.specific_heat,
            conductivity: self.conductivity,
            perfusion: self.perfusion,
            perfusion_rate: self.perfusion_rate,
        }
    }
}

/// A tissue's thermal properties and perfusion (`[patient.tumor]`, and
/// the keys of each `[[patient.tissue]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TissueProperties {
    /// Density (kg/m³); Table 1 tissue by default.
    #[serde(default = "table1_density")]
    pub density: f64,
    /// Specific heat (J/(kg·K)).
    #[serde(default = "table1_specific_heat")]
    pub specific_heat: f64,
    /// Conductivity (W/(m·K)).
    #[serde(default = "table1_conductivity")]
    pub conductivity: f64,
    /// A named perfusion law (default: healthy, Eq. 3; the tumor's: Eq. 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perfusion: Option<PerfusionKind>,
    /// A constant perfusion rate (kg/(m³·s)) instead of a named law.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perfusion_rate: Option<f64>,
}

impl TissueProperties {
    /// The tissue of `labels` called `name`; `key` names it in errors, and
    /// `default` is its law when none is given.
    fn tissue(
        &self,
        name: &str,
        labels: &[u32],
        key: &str,
        default: PerfusionKind,
    ) -> Result<Tissue> {
        let material = Material::new(self.density, self.specific_heat, self.conductivity)
            .map_err(|e| bad(key, e.to_string()))?;
        let tissue = match (self.perfusion_rate, self.perfusion) {
            (Some(_), Some(_)) => {
                return Err(bad(key, "give perfusion or perfusion_rate, not both"));
            }
            (Some(rate), None) => {
                if !(rate.is_finite() && rate >= 0.0) {
                    return Err(bad(
                        &format!("{key}.perfusion_rate"),
                        format!("must be finite and ≥ 0, got {rate}"),
                    ));
                }
                Tissue::new(name, labels.to_vec(), material, ConstantPerfusion(rate))
            }
            (None, kind) => match kind.unwrap_or(default) {
                PerfusionKind::Healthy => {
                    Tissue::new(name, labels.to_vec(), material, HealthyTissuePerfusion)
                }
                PerfusionKind::Tumor => {
                    Tissue::new(name, labels.to_vec(), material, TumorPerfusion)
                }
            },
        };
        tissue.map_err(|e| bad(key, e.to_string()))
    }
}

impl Default for TissueProperties {
    fn default() -> Self {
        Self {
            density: table1_density(),
            specific_heat: table1_specific_heat(),
            conductivity: table1_conductivity(),
            perfusion: None,
            perfusion_rate: None,
        }
    }
}

fn table1_density() -> f64 {
    Material::tissue_table1().density()
}
fn table1_specific_heat() -> f64 {
    Material::tissue_table1().specific_heat()
}
fn table1_conductivity() -> f64 {
    Material::tissue_table1().conductivity()
}

/// `[patient]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientSection {
    /// The label volume (NIfTI-1, `.nii` or `.nii.gz`).
    pub mask: PathBuf,
    /// The tumor's labels.
    pub tumor_labels: Vec<u32>,
    /// Healthy tissue kept around the tumor (mm).
    #[serde(default = "ten")]
    pub margin_mm: f64,
    /// Resample the box to cubic cells of this size (mm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_mm: Option<f64>,
    /// Sites on the principal axes (1, 2, 4, 6 or 8).
    #[serde(default = "four")]
    pub sites: usize,
    /// The box's faces.
    #[serde(default)]
    pub boundary: BoxBoundary,
    /// The user's sites (patient mm) instead of the principal axes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site: Vec<PatientSiteEntry>,
    /// The tumor's own properties (default: Table 1, Eq. 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tumor: Option<TissueProperties>,
    /// Tissues other than the tumor (none: every other label healthy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tissue: Vec<TissueEntry>,
}

fn ten() -> f64 {
    10.0
}
fn four() -> usize {
    4
}

/// A patient scenario, read and checked.
#[derive(Debug, Clone)]
pub struct BuiltPatient {
    /// The segmentation.
    pub volume: LabelVolume,
    /// The solved box.
    pub anatomy: Arc<Anatomy>,
    /// What J evaluates.
    pub problem: PatientProblem,
}

fn bad(key: &str, message: impl Into<String>) -> Error {
    Error::Scenario {
        key: key.into(),
        message: message.into(),
    }
}

impl PatientSection {
    /// The tissue map: the tumor (Table 1, Eq. 4) and the listed tissues,
    /// or every other label healthy when none is listed.
    ///
    /// # Errors
    /// No tumor label, a tissue with bad properties, a label in two
    /// tissues.
    pub fn tissue_map(&self) -> Result<TissueMap> {
        if self.tumor_labels.is_empty() {
            return Err(bad("patient.tumor_labels", "needs at least one label"));
        }
        let tumor = self.tumor.clone().unwrap_or_default().tissue(
            "tumor",
            &self.tumor_labels,
            "patient.tumor",
            PerfusionKind::Tumor,
        )?;
        let others = self
            .tissue
            .iter()
            .map(|t| {
                let key = format!("patient.tissue.{}", t.name);
                t.properties()
                    .tissue(&t.name, &t.labels, &key, PerfusionKind::Healthy)
            })
            .collect::<Result<Vec<_>>>()?;
        let map = if others.is_empty() {
            TissueMap::new(tumor, Vec::new()).and_then(|m| {
                m.with_rest_as(Tissue::new(
                    "healthy",
                    Vec::new(),
                    Material::tissue_table1(),
                    HealthyTissuePerfusion,
                )?)
            })
        } else {
            TissueMap::new(tumor, others)
        };
        map.map_err(|e| bad("patient.tissue", e.to_string()))
    }

    /// Reads the segmentation and builds the problem with `weights`.
    ///
    /// # Errors
    /// A bad key (named), or the segmentation's errors (naming the file).
    pub fn build(&self, weights: ObjectiveWeights) -> Result<BuiltPatient> {
        let map = self.tissue_map()?;
        let crop = CropSettings::default()
            .with_margin_mm(self.margin_mm)
            .map_err(|e| bad("patient.margin_mm", e.to_string()))?
            .with_cell_mm(self.cell_mm)
            .map_err(|e| bad("patient.cell_mm", e.to_string()))?;
        let strategy: Arc<dyn PatientStrategy> = if self.site.is_empty() {
            Arc::new(
                PrincipalAxes::new(self.sites).map_err(|e| bad("patient.sites", e.to_string()))?,
            )
        } else {
            Arc::new(
                PatientSites::new(
                    self.site
                        .iter()
                        .map(|s| (s.position_mm, s.weight))
                        .collect(),
                )
                .map_err(|e| bad("patient.site", e.to_string()))?,
            )
        };
        let volume = read_label_volume(&self.mask)?;
        let anatomy = Arc::new(Anatomy::new(&volume, &map, &crop)?);
        let settings = PatientSettings {
            weights,
            boundary: match self.boundary {
                BoxBoundary::Adiabatic => Boundary::Adiabatic,
                BoxBoundary::BodyTemperature => Boundary::Temperature(37.0),
            },
            ..PatientSettings::default()
        };
        let problem = PatientProblem::new(anatomy.clone(), strategy, settings)?;
        Ok(BuiltPatient {
            volume,
            anatomy,
            problem,
        })
    }
}
