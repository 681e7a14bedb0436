//! The treatment objective on a patient (Jiang et al. 2022, Eqs. 9–10, in
//! 3D): a plan's clouds → φ per cell → Q = q·φ and each tissue's mixture
//! properties (Eqs. 2a, 2b, A.1) → steady Pennes temperature (finite
//! volumes, Newton–multigrid) → R_tum and R_tis as volume fractions, R_int
//! over the tumor's surface, R_dose and J.

use crate::error::{Error, Result};
use crate::patient::anatomy::Anatomy;
use crate::patient::strategy::{CloudShape, DoseReference, PatientLayout, PatientStrategy};
use crate::treatment::objective::{
    HYPERTHERMIA_MIN_C, ObjectiveWeights, TreatmentMetrics, band_fractions,
};
use lbm_bioheat::{Boundary, Face, FvConfig, FvSolver3, Grid3, PennesProblem3, SteadySolver};
use mnp_physics::constants::PAPER_TEMPERATURE_K;
use mnp_physics::{
    AcField, CarrierFluid, HeatingModel, InjectionReference, Material, Nanofluid, Particle,
    Rosensweig,
};
use ndarray::Array3;
use std::sync::Arc;

/// One face between a tumor cell and a healthy cell: the two cells, the
/// face's area (m²), and where along the segment from the tumor cell's
/// centre to the healthy one's the tumor's surface crosses it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceFace {
    /// The tumor-side cell.
    pub inside: (usize, usize, usize),
    /// The healthy-side cell.
    pub outside: (usize, usize, usize),
    /// Face area (m²).
    pub area: f64,
    /// The surface's position between the two centres, from 0 (the tumor
    /// cell's centre) to 1 (the healthy cell's).
    pub crossing: f64,
}

/// The tumor indicator averaged over each cell's 3 × 3 × 3 neighbourhood
/// (the cells that exist).
fn smoothed_indicator(tumor: &Array3<bool>) -> Array3<f64> {
    let mut s = tumor.mapv(|m| f64::from(u8::from(m)));
    for axis in 0..3 {
        let before = s.clone();
        let n = before.shape()[axis];
        for (idx, v) in s.indexed_iter_mut() {
            let mut at = [idx.0, idx.1, idx.2];
            let c = at[axis];
            let (lo, hi) = (c.saturating_sub(1), (c + 1).min(n - 1));
            let mut sum = 0.0;
            for q in lo..=hi {
                at[axis] = q;
                sum += before[at];
            }
            *v = sum / (hi - lo + 1) as f64;
        }
    }
    s
}

/// The faces between the tumor's cells and the others: the tumor's
/// surface, where Eq. 9c samples the temperature. A voxel mask's faces
/// form a staircase up to half a cell off the smooth surface it samples;
/// each face's crossing is where the tumor indicator, averaged over 3³
/// cells, passes ½ between the two centres (a flat surface: the face
/// itself; a corner: the staircase cut towards the smooth surface).
pub fn tumor_surface(grid: &Grid3, tumor: &Array3<bool>) -> Vec<SurfaceFace> {
    let (nx, ny, nz) = tumor.dim();
    let [hx, hy, hz] = grid.spacing();
    let areas = [hy * hz, hx * hz, hx * hy];
    let smooth = smoothed_indicator(tumor);
    let mut faces = Vec::new();
    for ((i, j, k), &m) in tumor.indexed_iter() {
        let next = [(i + 1, j, k), (i, j + 1, k), (i, j, k + 1)];
        let inside = [i + 1 < nx, j + 1 < ny, k + 1 < nz];
        for a in 0..3 {
            if inside[a] && tumor[next[a]] != m {
                let (t, h) = if m {
                    ((i, j, k), next[a])
                } else {
                    (next[a], (i, j, k))
                };
                let (st, sh) = (smooth[t], smooth[h]);
                let crossing = if st > sh {
                    ((st - 0.5) / (st - sh)).clamp(0.0, 1.0)
                } else {
                    0.5
                };
                faces.push(SurfaceFace {
                    inside: t,
                    outside: h,
                    area: areas[a],
                    crossing,
                });
            }
        }
    }
    faces
}

/// R_tum, R_tis, R_int, R_dose and J (Eqs. 9a–9d, 10) of a 3D temperature
/// field (°C): R_tum the tumor's volume fraction with 43 ≤ T < 46 °C,
/// R_tis the other cells' volume fraction with T < 43 °C (every tissue of
/// the solved box but the tumor, so it depends on the margin), R_int =
/// exp(−RMS(T − 43 °C)) over `surface` (T at each face's crossing,
/// linear between its two cells; weighted by area), R_dose =
/// 1 − dose_ratio^{1/3}.
///
/// # Errors
/// Mismatched shapes, no tumor or healthy cell, an empty surface, a
/// non-finite temperature.
pub fn patient_metrics(
    temperature: &Array3<f64>,
    tumor: &Array3<bool>,
    surface: &[SurfaceFace],
    dose_ratio: f64,
    weights: &ObjectiveWeights,
) -> Result<TreatmentMetrics> {
    if temperature.dim() != tumor.dim() {
        return Err(Error::Shape {
            what: "temperature",
            expected: tumor.len(),
            found: temperature.len(),
        });
    }
    if let Some((idx, t)) = temperature.indexed_iter().find(|(_, t)| !t.is_finite()) {
        return Err(Error::Invalid {
            name: "temperature",
            reason: format!("is not finite at cell {idx:?} ({t})"),
        });
    }
    let (r_tum, r_tis) = band_fractions(temperature.iter().zip(tumor))?;
    if surface.is_empty() {
        return Err(Error::Invalid {
            name: "tumor",
            reason: "needs a surface between tumor and healthy cells".into(),
        });
    }
    let (mut sq, mut area) = (0.0, 0.0);
    for f in surface {
        let t =
            temperature[f.inside] + f.crossing * (temperature[f.outside] - temperature[f.inside]);
        sq += f.area * (t - HYPERTHERMIA_MIN_C).powi(2);
        area += f.area;
    }
    let r_int = (-(sq / area).sqrt()).exp();
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

/// One evaluation on a patient: the plan, the fields and the metrics.
#[derive(Debug, Clone)]
pub struct PatientEvaluation {
    /// Sites, clouds and Eq. 11's quantities.
    pub layout: PatientLayout,
    /// φ per cell.
    pub volume_fraction: Array3<f64>,
    /// Steady temperature (°C).
    pub temperature: Array3<f64>,
    /// R_tum, R_tis, R_int, R_dose, J.
    pub metrics: TreatmentMetrics,
}

/// The φ-dependent fields of a heated patient problem.
#[derive(Debug, Clone)]
pub struct PatientHeating {
    /// φ per cell.
    pub volume_fraction: Array3<f64>,
    /// (ρc)_nf per cell (J/(m³·K), Eq. 2a).
    pub heat_capacity: Array3<f64>,
    /// k_nf per cell (W/(m·K), Eq. 2b).
    pub conductivity: Array3<f64>,
    /// Q = q·φ per cell (W/m³, Eq. A.1).
    pub heat_source: Array3<f64>,
}

/// A patient's anatomy, an injection strategy, the reference values, the
/// weights and the particles: everything an evaluation of J in 3D needs.
#[derive(Debug, Clone)]
pub struct PatientProblem {
    anatomy: Arc<Anatomy>,
    strategy: Arc<dyn PatientStrategy>,
    reference: InjectionReference,
    weights: ObjectiveWeights,
    cloud_shape: CloudShape,
    reference_volume: f64,
    nanofluids: Vec<Nanofluid>,
    power_per_volume_fraction: f64,
    surface: Vec<SurfaceFace>,
    base: PennesProblem3,
    id: u64,
}

/// The next [`PatientProblem`] identity (a workspace's solver belongs to
/// one problem).
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Settings of a [`PatientProblem`] beyond the anatomy and the strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatientSettings {
    /// Reference values of the normalized variables.
    pub reference: InjectionReference,
    /// The weights of J.
    pub weights: ObjectiveWeights,
    /// Point or extruded clouds.
    pub cloud_shape: CloudShape,
    /// The reference volume V0 of a point cloud.
    pub dose_reference: DoseReference,
    /// The boundary condition on the six faces of the solved box.
    pub boundary: Boundary,
    /// The particle material (Table 1 magnetite by default).
    pub particles: Material,
    /// q = Q/φ (W/m³, Eq. A.1).
    pub power_per_volume_fraction: f64,
}

impl Default for PatientSettings {
    /// The paper's reference and weights, point clouds, adiabatic faces
    /// (as the paper's block), magnetite of Table 1, q from the Rosensweig
    /// model with Table A.1 at 43 °C.
    fn default() -> Self {
        let q = Rosensweig::paper()
            .power_per_volume_fraction(
                &Particle::table_a1(),
                &CarrierFluid::table_a1(),
                &AcField::table_a1(),
                PAPER_TEMPERATURE_K,
            )
            .unwrap_or(f64::NAN);
        Self {
            reference: InjectionReference::paper(),
            weights: ObjectiveWeights::paper(),
            cloud_shape: CloudShape::Point,
            dose_reference: DoseReference::TumorScaled,
            boundary: Boundary::Adiabatic,
            particles: Material::magnetite_table1(),
            power_per_volume_fraction: q,
        }
    }
}

impl PatientProblem {
    /// Prepares the evaluations.
    ///
    /// # Errors
    /// A non-finite or negative q, a tumor with no surface, or a problem
    /// the solver refuses (an invalid boundary).
    pub fn new(
        anatomy: Arc<Anatomy>,
        strategy: Arc<dyn PatientStrategy>,
        settings: PatientSettings,
    ) -> Result<Self> {
        let q = settings.power_per_volume_fraction;
        if !(q.is_finite() && q >= 0.0) {
            return Err(Error::Invalid {
                name: "power per volume fraction (W/m³)",
                reason: format!("must be finite and ≥ 0, got {q}"),
            });
        }
        let reference_volume = settings
            .dose_reference
            .volume(&settings.reference, anatomy.geometry().volume_m3)?;
        let grid = *anatomy.grid();
        let surface = tumor_surface(&grid, anatomy.tumor_mask());
        if surface.is_empty() {
            return Err(Error::Invalid {
                name: "tumor",
                reason: "has no surface inside the solved box".into(),
            });
        }
        let tissues = anatomy.tissues();
        let index = anatomy.tissue_index();
        let mut builder = PennesProblem3::builder(grid, tissues[0].name(), tissues[0].perfusion());
        for (t, tissue) in tissues.iter().enumerate().skip(1) {
            let mask = index.mapv(|c| usize::from(c) == t);
            if mask.iter().any(|&m| m) {
                builder = builder.region_mask(tissue.name(), &mask, tissue.perfusion());
            }
        }
        for face in Face::ALL {
            builder = builder.boundary(face, settings.boundary);
        }
        let base = builder
            .blood(37.0, 3800.0)
            .initial_temperature(37.0)
            .build()?;
        let nanofluids = tissues
            .iter()
            .map(|t| Nanofluid {
                tissue: *t.material(),
                particles: settings.particles,
            })
            .collect();
        let mut problem = Self {
            anatomy,
            strategy,
            reference: settings.reference,
            weights: settings.weights,
            cloud_shape: settings.cloud_shape,
            reference_volume,
            nanofluids,
            power_per_volume_fraction: q,
            surface,
            base,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        // Sites that do not move with the variables (the user's) must lie
        // in the box; at the lower bounds the principal axes sit at the
        // centroid.
        problem.layout(&problem.strategy.bounds().0)?;
        // The particle-free fields: each tissue's own properties.
        let zero = Array3::zeros(grid.shape());
        let h = problem.heating_fields(zero)?;
        problem
            .base
            .set_properties(h.heat_capacity, h.conductivity)?;
        Ok(problem)
    }

    /// The anatomy.
    pub fn anatomy(&self) -> &Anatomy {
        &self.anatomy
    }
    /// The strategy.
    pub fn strategy(&self) -> &dyn PatientStrategy {
        self.strategy.as_ref()
    }
    /// The reference values.
    pub fn reference(&self) -> &InjectionReference {
        &self.reference
    }
    /// The weights of J.
    pub fn weights(&self) -> &ObjectiveWeights {
        &self.weights
    }
    /// The reference volume V0 of a point cloud (m³).
    pub fn reference_volume(&self) -> f64 {
        self.reference_volume
    }
    /// The tumor's surface faces.
    pub fn surface(&self) -> &[SurfaceFace] {
        &self.surface
    }
    /// The particle-free problem (each tissue's properties and perfusion).
    pub fn base_problem(&self) -> &PennesProblem3 {
        &self.base
    }

    /// The plan at `x` (the strategy's variables).
    ///
    /// # Errors
    /// Wrong variables or a cloud the physics refuses.
    pub fn layout(&self, x: &[f64]) -> Result<PatientLayout> {
        let plan = self.site_plan(x)?;
        if let Some((i, p, _)) = self.outside_box(&plan) {
            let (lo, hi) = self.anatomy.voxel_box();
            return Err(Error::Invalid {
                name: "injection site",
                reason: format!(
                    "site {} at ({:.2}, {:.2}, {:.2}) patient mm lies outside the solved box \
                     (image voxels {lo:?} to {hi:?}, exclusive): its particles would be lost; \
                     widen the margin or move the site",
                    i + 1,
                    p[0],
                    p[1],
                    p[2]
                ),
            });
        }
        PatientLayout::new(
            &self.reference,
            self.reference_volume,
            &self.anatomy,
            self.cloud_shape,
            (x[0], x[1]),
            plan,
        )
    }

    /// The strategy's sites at `x`.
    fn site_plan(&self, x: &[f64]) -> Result<crate::patient::strategy::SitePlan> {
        if x.len() < 2 {
            return Err(Error::Shape {
                what: "injection variables",
                expected: self.strategy.variables().len(),
                found: x.len(),
            });
        }
        self.strategy.sites(&self.anatomy, x)
    }

    /// The first site outside the solved box: its index, patient position
    /// (mm) and distance to the box (m).
    fn outside_box(
        &self,
        plan: &crate::patient::strategy::SitePlan,
    ) -> Option<(usize, [f64; 3], f64)> {
        let g = self.anatomy.grid();
        let (lo, hi) = (g.origin(), g.end());
        plan.sites.iter().enumerate().find_map(|(i, (c, _))| {
            let d2: f64 = (0..3)
                .map(|a| (lo[a] - c[a]).max(c[a] - hi[a]).max(0.0).powi(2))
                .sum();
            (d2 > 0.0).then(|| (i, self.anatomy.frame_to_patient_mm(*c), d2.sqrt()))
        })
    }

    /// (ρc)_nf, k_nf (each cell's tissue mixed with the particles,
    /// Eqs. 2a, 2b) and Q = q·φ from φ.
    ///
    /// # Errors
    /// φ outside [0, 1] somewhere.
    pub fn heating_fields(&self, volume_fraction: Array3<f64>) -> Result<PatientHeating> {
        let index = self.anatomy.tissue_index();
        let mut heat_capacity = Array3::zeros(volume_fraction.dim());
        let mut conductivity = Array3::zeros(volume_fraction.dim());
        for (((rc, k), &phi), &t) in heat_capacity
            .iter_mut()
            .zip(conductivity.iter_mut())
            .zip(&volume_fraction)
            .zip(index)
        {
            let p = self.nanofluids[usize::from(t)].properties(phi)?;
            *rc = p.heat_capacity;
            *k = p.conductivity;
        }
        let q = self.power_per_volume_fraction;
        Ok(PatientHeating {
            heat_source: volume_fraction.mapv(|p| q * p),
            volume_fraction,
            heat_capacity,
            conductivity,
        })
    }

    /// The heating of `layout`'s clouds (φ averaged over the cells).
    ///
    /// # Errors
    /// φ outside [0, 1] somewhere.
    pub fn heating(
        &self,
        cloud: &crate::patient::strategy::PatientCloud,
    ) -> Result<PatientHeating> {
        self.heating_fields(cloud.cell_average(self.anatomy.grid())?)
    }

    /// How far the plan at `x` exceeds φ = 1: the largest cell mean of φ
    /// minus 1 (≤ 0: a physical plan), sampled only when the sum of the
    /// sites' peaks exceeds 1; for a site outside the solved box, its
    /// distance to the box (mm), so a swarm keeps its sites inside.
    ///
    /// # Errors
    /// Wrong variables, or a value the clouds refuse.
    pub fn volume_fraction_excess(&self, x: &[f64]) -> Result<f64> {
        // A site outside the box is infeasible too, by its distance (mm).
        if let Some((_, _, d)) = self.outside_box(&self.site_plan(x)?) {
            return Ok(d * 1e3);
        }
        let layout = self.layout(x)?;
        let bound = layout.cloud.peak_bound();
        if bound <= 1.0 {
            return Ok(bound - 1.0);
        }
        let phi = layout.cloud.cell_average(self.anatomy.grid())?;
        Ok(phi.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)) - 1.0)
    }

    /// The particle-free problem heated by `heating`.
    ///
    /// # Errors
    /// A field the solver refuses.
    pub fn heated_problem(&self, heating: &PatientHeating) -> Result<PennesProblem3> {
        let mut problem = self.base.clone();
        problem.set_properties(heating.heat_capacity.clone(), heating.conductivity.clone())?;
        problem.set_heat_source(heating.heat_source.clone())?;
        Ok(problem)
    }

    /// J at `x`, warm-starting from `workspace`'s last solution.
    ///
    /// # Errors
    /// Wrong variables, a non-physical φ, or a failed solve.
    pub fn evaluate(
        &self,
        x: &[f64],
        workspace: &mut PatientWorkspace,
    ) -> Result<PatientEvaluation> {
        self.evaluate_layout(self.layout(x)?, workspace)
    }

    /// [`PatientProblem::evaluate`] of a layout.
    ///
    /// # Errors
    /// As [`PatientProblem::evaluate`].
    pub fn evaluate_layout(
        &self,
        layout: PatientLayout,
        workspace: &mut PatientWorkspace,
    ) -> Result<PatientEvaluation> {
        let heating = self.heating(&layout.cloud)?;
        if workspace.owner != self.id {
            workspace.fv = None;
            workspace.owner = self.id;
        }
        let solver = match &mut workspace.fv {
            Some(s) => s,
            slot => slot.insert(FvSolver3::new(self.base.clone(), FvConfig::default())?),
        };
        solver.set_properties(heating.heat_capacity, heating.conductivity)?;
        solver.set_heat_source(heating.heat_source)?;
        let temperature = solver.solve_steady(None)?.temperature;
        let metrics = patient_metrics(
            &temperature,
            self.anatomy.tumor_mask(),
            &self.surface,
            layout.dose_ratio,
            &self.weights,
        )?;
        Ok(PatientEvaluation {
            layout,
            volume_fraction: heating.volume_fraction,
            temperature,
            metrics,
        })
    }
}

/// Reusable solver state of one evaluator (one per swarm particle).
#[derive(Debug, Default, Clone)]
pub struct PatientWorkspace {
    fv: Option<FvSolver3>,
    owner: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn slab_surface_samples_the_faces_and_r_int_has_its_closed_form() {
        // A slab tumor (cells 3..7 along x, every y and z) in a linear
        // field T = 43 + g (x − x_left) with g = 0.4 °C/mm: its two faces
        // are flat, the crossing is the face, and T there is 43 and
        // 43 + 4 g·mm; RMS = 1.6/√2 °C.
        let grid = Grid3::new([10, 4, 5], [1e-3; 3], [0.0; 3]).unwrap();
        let tumor = Array3::from_shape_fn((10, 4, 5), |(i, _, _)| (3..7).contains(&i));
        let surface = tumor_surface(&grid, &tumor);
        assert_eq!(surface.len(), 2 * 4 * 5);
        for f in &surface {
            assert_abs_diff_eq!(f.crossing, 0.5, epsilon = 1e-12);
            assert_abs_diff_eq!(f.area, 1e-6, epsilon = 1e-18);
        }
        let t = grid.field(|x, _, _| 43.0 + 400.0 * (x - 3e-3));
        let m = patient_metrics(&t, &tumor, &surface, 0.125, &ObjectiveWeights::paper()).unwrap();
        assert_abs_diff_eq!(m.r_int, (-1.6 / 2f64.sqrt()).exp(), epsilon = 1e-12);
        assert_abs_diff_eq!(m.r_dose, 0.5, epsilon = 1e-12);
        // Tumor cells at x = 3.5 … 6.5 mm: T = 43.2 … 44.4, all in band;
        // healthy cells below 43: x < 3 mm, 3 of the 6 columns.
        assert_eq!((m.r_tum, m.r_tis), (1.0, 0.5));
        let mut hot = t.clone();
        hot[[0, 0, 0]] = f64::NAN;
        assert!(patient_metrics(&hot, &tumor, &surface, 0.1, &ObjectiveWeights::paper()).is_err());
    }

    #[test]
    fn corner_faces_are_cut_towards_the_smooth_surface() {
        // A cube tumor: a face's crossing is ½ at its middle; next to an
        // edge it moves towards the tumor. There the averaged indicator is
        // (2·3·2)/27 = 0.44 in the tumor cell and 6/27 outside, both
        // below ½: the crossing stops at the tumor cell's centre (the
        // smooth surface rounds the edge inside it).
        let grid = Grid3::new([9, 9, 9], [1e-3; 3], [0.0; 3]).unwrap();
        let tumor = Array3::from_shape_fn((9, 9, 9), |(i, j, k)| {
            (2..7).contains(&i) && (2..7).contains(&j) && (2..7).contains(&k)
        });
        let surface = tumor_surface(&grid, &tumor);
        assert_eq!(surface.len(), 6 * 25);
        let middle = surface.iter().find(|f| f.inside == (4, 4, 6)).unwrap();
        assert_abs_diff_eq!(middle.crossing, 0.5, epsilon = 1e-12);
        let beside = surface
            .iter()
            .find(|f| f.inside == (4, 5, 6) && f.outside == (4, 5, 7))
            .unwrap();
        // (4, 5, 6): its neighbours along x and y are all tumor, so the
        // face is flat there (indicator 2/3 inside, 1/3 outside).
        assert_abs_diff_eq!(beside.crossing, 0.5, epsilon = 1e-12);
        let edge = surface
            .iter()
            .find(|f| f.inside == (6, 4, 6) && f.outside == (6, 4, 7))
            .unwrap();
        assert_eq!(edge.crossing, 0.0);
    }
}
