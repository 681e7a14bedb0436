//! From a segmentation to the solver's grid: which label is which tissue,
//! the box around the tumor that is solved, and the tumor's geometry
//! (volume, centroid, principal axes, surface).
//!
//! Coordinates: the solver works in the image's *voxel frame*, in metres,
//! where voxel (i, j, k) of the whole image has its centre at
//! (i·h_x, j·h_y, k·h_z) (h: the voxel spacing). The affine takes voxel
//! indices to patient mm; [`Anatomy::frame_to_patient_mm`] and
//! [`Anatomy::patient_mm_to_frame`] convert.

use crate::error::{Error, Result};
use crate::patient::affine::Affine;
use crate::patient::volume::LabelVolume;
use lbm_bioheat::{Grid3, HealthyTissuePerfusion, PerfusionModel, TumorPerfusion};
use mnp_physics::Material;
use nalgebra::{Matrix3, SymmetricEigen, Vector3};
use ndarray::Array3;
use std::sync::Arc;

/// A tissue: a name, the labels of the segmentation that are this tissue,
/// its thermal properties and its perfusion law.
#[derive(Clone)]
pub struct Tissue {
    name: String,
    labels: Vec<u32>,
    material: Material,
    perfusion: Arc<dyn PerfusionModel>,
}

impl std::fmt::Debug for Tissue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tissue")
            .field("name", &self.name)
            .field("labels", &self.labels)
            .field("material", &self.material)
            .field("perfusion_at_37_c", &self.perfusion.rate(37.0))
            .finish()
    }
}

impl Tissue {
    /// A tissue of `labels` with `material` (density kg/m³, specific heat
    /// J/(kg·K), conductivity W/(m·K): (ρc) and k of Eq. 1) and the
    /// perfusion law ṁ_b(T) (kg/(m³·s)).
    ///
    /// # Errors
    /// An empty name.
    pub fn new(
        name: &str,
        labels: Vec<u32>,
        material: Material,
        perfusion: impl PerfusionModel + 'static,
    ) -> Result<Self> {
        if name.trim().is_empty() {
            return Err(Error::Invalid {
                name: "tissue name",
                reason: "must not be empty".into(),
            });
        }
        Ok(Self {
            name: name.into(),
            labels,
            material,
            perfusion: Arc::new(perfusion),
        })
    }
    /// The tissue's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its labels.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }
    /// Its thermal properties.
    pub fn material(&self) -> &Material {
        &self.material
    }
    /// Its perfusion law, shared.
    pub fn perfusion(&self) -> Arc<dyn PerfusionModel> {
        Arc::clone(&self.perfusion)
    }
}

/// The most tissues a map holds (the tumor included).
pub const MAX_TISSUES: usize = 255;

/// Which labels are the tumor, which are other tissues, and what the
/// remaining labels are (a catch-all tissue, or refused).
#[derive(Debug, Clone)]
pub struct TissueMap {
    /// The tumor first, then the other tissues, then the catch-all.
    tissues: Vec<Tissue>,
    catch_all: bool,
}

impl TissueMap {
    /// The tumor and the other tissues; a label that none of them lists is
    /// refused when the map meets a volume.
    ///
    /// # Errors
    /// A tumor without labels, a label in two tissues, or two tissues of
    /// one name.
    pub fn new(tumor: Tissue, others: Vec<Tissue>) -> Result<Self> {
        let bad = |reason: String| Error::Invalid {
            name: "tissue map",
            reason,
        };
        if tumor.labels.is_empty() {
            return Err(bad("the tumor needs at least one label".into()));
        }
        let mut tissues = vec![tumor];
        tissues.extend(others);
        if tissues.len() > MAX_TISSUES {
            return Err(bad(format!(
                "has {} tissues; at most {MAX_TISSUES}",
                tissues.len()
            )));
        }
        for (a, ta) in tissues.iter().enumerate() {
            for tb in &tissues[a + 1..] {
                if ta.name == tb.name {
                    return Err(bad(format!("two tissues are called '{}'", ta.name)));
                }
                if let Some(l) = ta.labels.iter().find(|l| tb.labels.contains(l)) {
                    return Err(bad(format!(
                        "label {l} is both tissue '{}' and tissue '{}'",
                        ta.name, tb.name
                    )));
                }
            }
        }
        Ok(Self {
            tissues,
            catch_all: false,
        })
    }

    /// The same map with every label that no tissue lists taken as
    /// `rest` (its own labels are ignored).
    ///
    /// # Errors
    /// `rest` has the name of a listed tissue.
    pub fn with_rest_as(mut self, rest: Tissue) -> Result<Self> {
        if self.tissues.iter().any(|t| t.name == rest.name) || self.tissues.len() >= MAX_TISSUES {
            return Err(Error::Invalid {
                name: "tissue map",
                reason: format!(
                    "the rest of the labels cannot be tissue '{}': the name is taken or the \
                     map is full ({MAX_TISSUES} tissues)",
                    rest.name
                ),
            });
        }
        self.tissues.push(Tissue {
            labels: Vec::new(),
            ..rest
        });
        self.catch_all = true;
        Ok(self)
    }

    /// The command line's map: `tumor_labels` are the tumor (Table 1
    /// tissue, perfusion of Eq. 4), every other label healthy tissue
    /// (Table 1, Eq. 3) (Jiang et al. 2022).
    ///
    /// # Errors
    /// No tumor label.
    pub fn tumor_in_healthy(tumor_labels: &[u32]) -> Result<Self> {
        let tissue = Material::tissue_table1();
        Self::new(
            Tissue::new("tumor", tumor_labels.to_vec(), tissue, TumorPerfusion)?,
            Vec::new(),
        )?
        .with_rest_as(Tissue::new(
            "healthy",
            Vec::new(),
            tissue,
            HealthyTissuePerfusion,
        )?)
    }

    /// The tissues: the tumor first.
    pub fn tissues(&self) -> &[Tissue] {
        &self.tissues
    }

    /// The tissue index of `label`, if mapped.
    fn classify(&self, label: u32) -> Option<u8> {
        self.tissues
            .iter()
            .position(|t| t.labels.contains(&label))
            .or_else(|| self.catch_all.then_some(self.tissues.len() - 1))
            .map(|i| i as u8)
    }
}

/// How the solved box is cut from the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropSettings {
    /// `None`: the whole image.
    margin_mm: Option<f64>,
    cell_mm: Option<f64>,
}

impl Default for CropSettings {
    /// A 10 mm margin around the tumor, the image's own voxels.
    fn default() -> Self {
        Self {
            margin_mm: Some(10.0),
            cell_mm: None,
        }
    }
}

impl CropSettings {
    /// The margin of healthy tissue kept around the tumor's bounding box
    /// (mm) on every side.
    ///
    /// # Errors
    /// A negative or non-finite margin.
    pub fn with_margin_mm(self, margin_mm: f64) -> Result<Self> {
        if !(margin_mm.is_finite() && margin_mm >= 0.0) {
            return Err(Error::Invalid {
                name: "margin (mm)",
                reason: format!("must be finite and ≥ 0, got {margin_mm}"),
            });
        }
        Ok(Self {
            margin_mm: Some(margin_mm),
            ..self
        })
    }
    /// Solve the whole image as the block (its faces take the boundary
    /// conditions), the tumor allowed to reach its edges: for phantoms and
    /// blocks built for the purpose, like the paper's.
    pub fn whole_image(self) -> Self {
        Self {
            margin_mm: None,
            ..self
        }
    }
    /// Resample the box to cubic cells of `cell_mm` (nearest label), for
    /// anisotropic voxels or a coarser solve; `None` keeps the voxels.
    ///
    /// # Errors
    /// A non-positive or non-finite cell size.
    pub fn with_cell_mm(self, cell_mm: Option<f64>) -> Result<Self> {
        if let Some(c) = cell_mm
            && !(c.is_finite() && c > 0.0)
        {
            return Err(Error::Invalid {
                name: "cell size (mm)",
                reason: format!("must be finite and > 0, got {c}"),
            });
        }
        Ok(Self { cell_mm, ..self })
    }
    /// The margin (mm), or `None` for the whole image.
    pub fn margin_mm(&self) -> Option<f64> {
        self.margin_mm
    }
    /// The resampled cell size (mm), if any.
    pub fn cell_mm(&self) -> Option<f64> {
        self.cell_mm
    }
}

/// The tumor's size, position and orientation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TumorGeometry {
    /// Tumor volume (m³): its cells times the cell volume.
    pub volume_m3: f64,
    /// Centroid in the voxel frame (m).
    pub centroid: [f64; 3],
    /// Principal axes (unit vectors in the voxel frame), longest first.
    pub axes: [[f64; 3]; 3],
    /// Semi-axes (m) of the solid ellipsoid with the tumor's second
    /// moments: a_i = √(5 λ_i), λ_i the covariance's eigenvalues.
    pub semi_axes: [f64; 3],
}

/// The solved box of a patient: its grid, each cell's tissue, the tumor's
/// cells and geometry, and where the box sits in the image.
#[derive(Debug, Clone)]
pub struct Anatomy {
    source_name: String,
    image_shape: [usize; 3],
    affine: Affine,
    voxel_m: [f64; 3],
    box_lo: [usize; 3],
    box_hi: [usize; 3],
    grid: Grid3,
    tissues: Vec<Tissue>,
    tissue: Array3<u8>,
    tumor: Array3<bool>,
    geometry: TumorGeometry,
}

impl Anatomy {
    /// The box of `volume` around the tumor (as `map` says which labels
    /// it is) with `crop`'s margin, on the image's voxels or resampled.
    ///
    /// # Errors
    /// [`Error::Image`] naming the volume: a label no tissue lists, no
    /// tumor voxel, a tumor touching the edge of the image, a box (tumor
    /// plus margin) larger than the image, a sheared voxel grid.
    pub fn new(volume: &LabelVolume, map: &TissueMap, crop: &CropSettings) -> Result<Self> {
        let affine = *volume.affine();
        if affine.shear() > 1e-4 {
            return Err(volume.error(format!(
                "has a sheared voxel grid (axes {:.4} from orthogonal, as a cosine); the \
                 solvers need box-shaped voxels: resample it without shear",
                affine.shear()
            )));
        }
        let shape = volume.shape();
        let labels = volume.labels();
        // Every label mapped; the tumor's bounding box.
        let mut classes = Array3::zeros(labels.dim());
        let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
        for ((idx, &l), c) in labels.indexed_iter().zip(classes.iter_mut()) {
            let Some(t) = map.classify(l) else {
                return Err(volume.error(format!(
                    "label {l} (first at voxel {idx:?}) is no tissue's; list it in a tissue \
                     of the scenario file"
                )));
            };
            *c = t;
            if t == 0 {
                let v = [idx.0, idx.1, idx.2];
                for a in 0..3 {
                    lo[a] = lo[a].min(v[a]);
                    hi[a] = hi[a].max(v[a]);
                }
            }
        }
        let tumor_labels = &map.tissues[0].labels;
        if lo[0] == usize::MAX {
            return Err(volume.error(format!(
                "has no voxel of tumor label(s) {tumor_labels:?} (its labels: {:?})",
                volume.distinct_labels()
            )));
        }
        const AXES: [&str; 3] = ["i (x)", "j (y)", "k (z)"];
        for a in 0..3 {
            if crop.margin_mm.is_some() && (lo[a] == 0 || hi[a] == shape[a] - 1) {
                return Err(volume.error(format!(
                    "the tumor touches the edge of the image along axis {} (voxels {}..={} of \
                     {}): no healthy tissue around it can be solved",
                    AXES[a], lo[a], hi[a], shape[a]
                )));
            }
        }
        let spacing_mm = affine.spacing_mm();
        let (mut box_lo, mut box_hi) = ([0usize; 3], [0usize; 3]);
        for a in 0..3 {
            let Some(margin_mm) = crop.margin_mm else {
                box_hi[a] = shape[a];
                continue;
            };
            // Spacings read from files carry float32 rounding: a relative
            // 1e-6 keeps a 25 mm margin on 1 mm voxels at 25 voxels.
            let pad = (margin_mm / spacing_mm[a] * (1.0 - 1e-6)).ceil().max(1.0) as usize;
            if pad > lo[a] || hi[a] + pad > shape[a] - 1 {
                return Err(volume.error(format!(
                    "the box of the tumor plus a {} mm margin is larger than the image along \
                     axis {}: it needs voxels {}..={} of 0..{} ({} voxels of {:.3} mm); use a \
                     smaller margin",
                    margin_mm,
                    AXES[a],
                    lo[a] as i128 - pad as i128,
                    hi[a] as i128 + pad as i128,
                    shape[a],
                    pad,
                    spacing_mm[a]
                )));
            }
            box_lo[a] = lo[a] - pad;
            box_hi[a] = hi[a] + pad + 1;
        }
        let voxel_m = spacing_mm.map(|h| h * 1e-3);
        let (grid, cell_voxel): (Grid3, [Vec<usize>; 3]) = match crop.cell_mm {
            None => {
                let n: [usize; 3] = std::array::from_fn(|a| box_hi[a] - box_lo[a]);
                let origin = std::array::from_fn(|a| (box_lo[a] as f64 - 0.5) * voxel_m[a]);
                (
                    Grid3::new(n, voxel_m, origin).map_err(|e| box_error(volume, n, &e))?,
                    std::array::from_fn(|a| (box_lo[a]..box_hi[a]).collect()),
                )
            }
            Some(cell_mm) => {
                let h = cell_mm * 1e-3;
                let extent: [f64; 3] =
                    std::array::from_fn(|a| (box_hi[a] - box_lo[a]) as f64 * voxel_m[a]);
                let n: [usize; 3] =
                    std::array::from_fn(|a| ((extent[a] / h).round() as usize).max(2));
                let origin: [f64; 3] = std::array::from_fn(|a| {
                    (box_lo[a] as f64 - 0.5) * voxel_m[a] + 0.5 * (extent[a] - n[a] as f64 * h)
                });
                let grid = Grid3::new(n, [h; 3], origin).map_err(|e| box_error(volume, n, &e))?;
                let nearest = |a: usize| -> Vec<usize> {
                    (0..n[a])
                        .map(|c| {
                            let x = origin[a] + (c as f64 + 0.5) * h;
                            ((x / voxel_m[a]).round().max(0.0) as usize)
                                .clamp(box_lo[a], box_hi[a] - 1)
                        })
                        .collect()
                };
                (grid, [nearest(0), nearest(1), nearest(2)])
            }
        };
        let (nx, ny, nz) = grid.shape();
        let tissue = Array3::from_shape_fn((nx, ny, nz), |(i, j, k)| {
            classes[[cell_voxel[0][i], cell_voxel[1][j], cell_voxel[2][k]]]
        });
        let tumor = tissue.mapv(|t| t == 0);
        let geometry = tumor_geometry(&grid, &tumor).ok_or_else(|| {
            volume.error(format!(
                "the tumor (label(s) {tumor_labels:?}) covers no cell at a {:?} mm cell size",
                crop.cell_mm
            ))
        })?;
        Ok(Self {
            source_name: volume.source_name().into(),
            image_shape: shape,
            affine,
            voxel_m,
            box_lo,
            box_hi,
            grid,
            tissues: map.tissues.clone(),
            tissue,
            tumor,
            geometry,
        })
    }

    /// The solver's grid (voxel frame, m).
    pub fn grid(&self) -> &Grid3 {
        &self.grid
    }
    /// The tissues, the tumor first; [`Anatomy::tissue_index`] points
    /// into it.
    pub fn tissues(&self) -> &[Tissue] {
        &self.tissues
    }
    /// Each cell's tissue (0: the tumor).
    pub fn tissue_index(&self) -> &Array3<u8> {
        &self.tissue
    }
    /// The tumor's cells.
    pub fn tumor_mask(&self) -> &Array3<bool> {
        &self.tumor
    }
    /// The tumor's volume, centroid and principal axes.
    pub fn geometry(&self) -> &TumorGeometry {
        &self.geometry
    }
    /// The image's voxels per axis.
    pub fn image_shape(&self) -> [usize; 3] {
        self.image_shape
    }
    /// The image's voxel-to-patient affine.
    pub fn affine(&self) -> &Affine {
        &self.affine
    }
    /// The solved box in image voxels: [lo, hi) per axis.
    pub fn voxel_box(&self) -> ([usize; 3], [usize; 3]) {
        (self.box_lo, self.box_hi)
    }
    /// The label volume's name (its file).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// A point of the voxel frame (m) in patient coordinates (mm).
    pub fn frame_to_patient_mm(&self, p: [f64; 3]) -> [f64; 3] {
        self.affine
            .voxel_to_patient(std::array::from_fn(|a| p[a] / self.voxel_m[a]))
    }
    /// A patient position (mm) in the voxel frame (m).
    pub fn patient_mm_to_frame(&self, p: [f64; 3]) -> [f64; 3] {
        let v = self.affine.patient_to_voxel(p);
        std::array::from_fn(|a| v[a] * self.voxel_m[a])
    }

    /// A field on the solved cells put back on the whole image: each
    /// voxel of the box takes the value of the cell that holds its centre,
    /// every other voxel `outside`.
    ///
    /// # Errors
    /// A field of another shape than the grid's.
    pub fn to_image(&self, field: &Array3<f64>, outside: f64) -> Result<Array3<f64>> {
        let shape = self.grid.shape();
        if field.dim() != shape {
            return Err(Error::Shape {
                what: "field on the solved box",
                expected: shape.0 * shape.1 * shape.2,
                found: field.len(),
            });
        }
        let [sx, sy, sz] = self.image_shape;
        let h = self.grid.spacing();
        let o = self.grid.origin();
        let n = [shape.0, shape.1, shape.2];
        let cell = |a: usize, v: usize| -> usize {
            let x = v as f64 * self.voxel_m[a];
            (((x - o[a]) / h[a]).floor().max(0.0) as usize).min(n[a] - 1)
        };
        let (lo, hi) = (self.box_lo, self.box_hi);
        Ok(Array3::from_shape_fn((sx, sy, sz), |(i, j, k)| {
            let v = [i, j, k];
            if (0..3).all(|a| (lo[a]..hi[a]).contains(&v[a])) {
                field[[cell(0, i), cell(1, j), cell(2, k)]]
            } else {
                outside
            }
        }))
    }
}

/// The solved box of `n` cells cannot be a grid (too many cells, say).
fn box_error(volume: &LabelVolume, n: [usize; 3], e: &lbm_bioheat::BioheatError) -> Error {
    volume.error(format!(
        "the solved box of {} × {} × {} cells cannot be solved: {e}; use a smaller margin or a \
         larger cell size",
        n[0], n[1], n[2]
    ))
}

/// Volume, centroid and principal axes of the cells of `mask`, or `None`
/// for an empty mask.
pub fn tumor_geometry(grid: &Grid3, mask: &Array3<bool>) -> Option<TumorGeometry> {
    let mut n = 0usize;
    let mut sum = Vector3::zeros();
    for ((i, j, k), _) in mask.indexed_iter().filter(|(_, m)| **m) {
        n += 1;
        sum += Vector3::from(grid.centre(i, j, k));
    }
    if n == 0 {
        return None;
    }
    let c = sum / n as f64;
    let mut cov = Matrix3::zeros();
    for ((i, j, k), _) in mask.indexed_iter().filter(|(_, m)| **m) {
        let d = Vector3::from(grid.centre(i, j, k)) - c;
        cov += d * d.transpose();
    }
    // A cell is a uniform box, not a point: its own second moment h²/12.
    let h = grid.spacing();
    cov /= n as f64;
    for a in 0..3 {
        cov[(a, a)] += h[a] * h[a] / 12.0;
    }
    // Equal moments (a round cross-section) leave the axes free to turn:
    // a relative 1e-9 on the diagonal settles them on the voxel axes x, y,
    // z, in that order, and moves no semi-axis measurably.
    let scale = cov.trace() * 1e-9;
    for a in 0..3 {
        cov[(a, a)] += scale * (3 - a) as f64;
    }
    let eigen = SymmetricEigen::new(cov);
    let mut order = [0usize, 1, 2];
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let axes = order.map(|e| {
        let v = eigen.eigenvectors.column(e);
        // A sign convention, so the same tumor gives the same axes.
        let s = if v
            .iter()
            .fold(0.0, |m: f64, &x| if x.abs() > m.abs() { x } else { m })
            < 0.0
        {
            -1.0
        } else {
            1.0
        };
        [s * v[0], s * v[1], s * v[2]]
    });
    let semi_axes = order.map(|e| (5.0 * eigen.eigenvalues[e].max(0.0)).sqrt());
    Some(TumorGeometry {
        volume_m3: n as f64 * grid.cell_volume(),
        centroid: [c.x, c.y, c.z],
        axes,
        semi_axes,
    })
}
