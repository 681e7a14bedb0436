//! The hyperthermia scenario of Jiang et al. 2022: a tissue block with a
//! tumor at its centre, heated by a cloud of injected magnetite particles.
//! It turns an injection cloud (`mnp-physics`) into a Pennes problem
//! (`lbm-bioheat`): φ → Q = q·φ (Eq. A.1), φ → ((ρc)_nf, k_nf) (Eqs. 2a,
//! 2b), tumor and healthy perfusion (Eqs. 3, 4, or the user's laws), blood at 37 °C with
//! c_b = 3800 J/(kg·K) (Jiang et al. 2022, Table 1), adiabatic sides.

use crate::error::{Error, Result};
use lbm_bioheat::{
    Grid, HealthyTissuePerfusion, PennesProblem, PerfusionModel, Shape, TumorPerfusion,
};
use mnp_physics::constants::PAPER_TEMPERATURE_K;
use mnp_physics::{
    AcField, CarrierFluid, CellGrid, GaussianSite, HeatingModel, InjectionCloud, InjectionPlan,
    InjectionReference, Nanofluid, NormalizedInjection, Particle, Rosensweig,
};
use ndarray::Array2;
use std::f64::consts::PI;
use std::sync::Arc;

/// `n` sites evenly spaced in angle on a circle of radius k_d·d0 around the
/// origin, the first at angle `rotation` (rad) from the x axis; one site sits
/// at the centre (Jiang et al. 2022, §3.1). Each holds the cloud of Eq. 8.
///
/// # Errors
/// `n` = 0 or a non-finite rotation.
pub fn circular_injection(
    reference: &InjectionReference,
    n: usize,
    k: &NormalizedInjection,
    rotation: f64,
) -> Result<InjectionCloud> {
    reference.plan(n, k)?; // validates n
    let d = k.k_d() * reference.d0();
    let sites: Vec<GaussianSite> = (0..n)
        .map(|i| {
            let a = rotation + 2.0 * PI * i as f64 / n as f64;
            let (x, y) = if n == 1 {
                (0.0, 0.0)
            } else {
                (d * a.cos(), d * a.sin())
            };
            reference.site(k, x, y)
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok(InjectionCloud::new(sites))
}

/// Table 2's eight-site circular optimum of Jiang et al. 2022, the case of
/// Table B.1: t_opt = 1.1 min, V_opt = 0.376 mm², d_opt = 2.82 mm (Eq. 11),
/// normalized against `reference` (for the paper's reference: k_φ = 0.6839,
/// k_σ = 0.2345, k_d = 0.6267). Its cloud is
/// `circular_injection(reference, 8, &k, 0.0)`.
///
/// # Errors
/// A reference for which this plan is outside the search box.
pub fn table2_eight_site_optimum(reference: &InjectionReference) -> Result<NormalizedInjection> {
    let plan = InjectionPlan {
        waiting_time: 1.1 * 60.0,
        total_volume: 0.376e-6,
        distance: 2.82e-3,
    };
    Ok(reference.normalize(8, &plan)?)
}

/// Where the lattice sits relative to the tumor centre. In scenario files:
/// `node_at_centre` or `cell_centred`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "cli",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
pub enum GridAlignment {
    /// A lattice node (cell centre) at the tumor centre: nodes at
    /// x = −L/2 + i·dx, i = 0..n, so the block spans
    /// [−L/2 − dx/2, L/2 − dx/2]. This is the lattice of Jiang et al. 2022:
    /// it reproduces Table B.1 on every grid, including the coarse 50²
    /// whose result depends on where the narrow particle clouds are sampled
    /// (docs/VALIDATION.md).
    #[default]
    NodeAtCentre,
    /// The block spans exactly [−L/2, L/2]²; the tumor centre is a cell
    /// corner.
    CellCentred,
}

/// How a cloud's volume fraction φ (and so Q = q·φ and the mixture
/// properties) is put on the cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceSampling {
    /// φ at each cell centre: the lattice Boltzmann method's nodal values
    /// (Jiang et al. 2022; reproduces Table B.1 with the LBM).
    #[default]
    CellCentre,
    /// φ averaged over each cell (exact for the Gaussian clouds): the
    /// finite-volume source, which keeps each cloud's heat in the right
    /// cells even when σ is narrower than a cell. With it the
    /// finite-volume steady state at 100² is within 0.03 °C of the
    /// grid-converged solution, against 0.08 °C from point values
    /// (docs/VALIDATION.md).
    CellAverage,
}

/// The tumor region: an analytic shape or any mask of cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Tumor {
    /// A circle, ellipse or rectangle (cells whose centres lie inside).
    Shape(Shape),
    /// Any set of cells, shape (nx, ny) of the scenario's grid.
    Mask(Array2<bool>),
}

impl Tumor {
    /// The tumor's cells on `grid`.
    ///
    /// # Errors
    /// A mask of another shape than the grid's, or no tumor cell.
    pub fn mask(&self, grid: &Grid) -> Result<Array2<bool>> {
        let mask = match self {
            Tumor::Shape(shape) => shape.mask(grid),
            Tumor::Mask(mask) => {
                if mask.dim() != grid.shape() {
                    return Err(Error::Scenario {
                        key: "tumor.mask".into(),
                        message: format!("has shape {:?}, the grid {:?}", mask.dim(), grid.shape()),
                    });
                }
                mask.clone()
            }
        };
        if !mask.iter().any(|&m| m) {
            return Err(Error::Scenario {
                key: "tumor".into(),
                message: "covers no cell of the grid".into(),
            });
        }
        Ok(mask)
    }

    /// `n` points on the tumor–tissue interface (m), where Eq. 9c samples
    /// the temperature: evenly spaced in angle on a circle or ellipse
    /// ([`Shape::boundary_points`]); for a mask, the midpoints of the faces
    /// between tumor and healthy cells (`n` is then ignored).
    ///
    /// # Errors
    /// As [`Tumor::mask`].
    pub fn interface_points(&self, grid: &Grid, n: usize) -> Result<Vec<(f64, f64)>> {
        match self {
            Tumor::Shape(shape) => Ok(shape.boundary_points(n)),
            Tumor::Mask(_) => {
                let mask = self.mask(grid)?;
                let (nx, ny) = mask.dim();
                let h = grid.dx() / 2.0;
                let mut points = Vec::new();
                for i in 0..nx {
                    for j in 0..ny {
                        if i + 1 < nx && mask[[i, j]] != mask[[i + 1, j]] {
                            points.push((grid.x(i) + h, grid.y(j)));
                        }
                        if j + 1 < ny && mask[[i, j]] != mask[[i, j + 1]] {
                            points.push((grid.x(i), grid.y(j) + h));
                        }
                    }
                }
                Ok(points)
            }
        }
    }
}

/// A tissue block with a tumor and the particles' heating. The tumor lies
/// inside the block and covers at least one cell; q is finite and ≥ 0.
#[derive(Debug, Clone)]
pub struct Scenario {
    grid: Grid,
    tumor: Tumor,
    nanofluid: Nanofluid,
    power_per_volume_fraction: f64,
    healthy_perfusion: SharedPerfusion,
    tumor_perfusion: SharedPerfusion,
}

/// A perfusion law shared between the scenario and the problems it builds.
#[derive(Clone)]
struct SharedPerfusion(Arc<dyn PerfusionModel>);

impl std::fmt::Debug for SharedPerfusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A law is a function; its values at 37 and 45 °C identify it.
        write!(
            f,
            "PerfusionModel(37 °C: {}, 45 °C: {} kg/(m³·s))",
            self.0.rate(37.0),
            self.0.rate(45.0)
        )
    }
}

impl PerfusionModel for SharedPerfusion {
    fn rate(&self, temperature_c: f64) -> f64 {
        self.0.rate(temperature_c)
    }
    fn constant_rate(&self) -> Option<f64> {
        self.0.constant_rate()
    }
    fn rate_and_slope(&self, temperature_c: f64) -> (f64, f64) {
        self.0.rate_and_slope(temperature_c)
    }
}

/// A perfusion law times a constant factor.
struct ScaledPerfusion {
    law: Arc<dyn PerfusionModel>,
    factor: f64,
}

impl PerfusionModel for ScaledPerfusion {
    fn rate(&self, temperature_c: f64) -> f64 {
        self.factor * self.law.rate(temperature_c)
    }
    fn constant_rate(&self) -> Option<f64> {
        self.law.constant_rate().map(|r| self.factor * r)
    }
    fn rate_and_slope(&self, temperature_c: f64) -> (f64, f64) {
        let (r, s) = self.law.rate_and_slope(temperature_c);
        (self.factor * r, self.factor * s)
    }
    fn rates_and_slopes(&self, temperatures_c: &[f64], rates: &mut [f64], slopes: &mut [f64]) {
        self.law.rates_and_slopes(temperatures_c, rates, slopes);
        for (r, s) in rates.iter_mut().zip(slopes.iter_mut()) {
            *r *= self.factor;
            *s *= self.factor;
        }
    }
}

impl Scenario {
    /// The grid of the block.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }
    /// The tumor.
    pub fn tumor(&self) -> &Tumor {
        &self.tumor
    }
    /// Tissue and particle materials (Table 1).
    pub fn nanofluid(&self) -> &Nanofluid {
        &self.nanofluid
    }
    /// q = Q/φ (W/m³) of the particles in the field (Eq. A.1).
    pub fn power_per_volume_fraction(&self) -> f64 {
        self.power_per_volume_fraction
    }

    /// The same block with other materials.
    pub fn with_nanofluid(self, nanofluid: Nanofluid) -> Self {
        Self { nanofluid, ..self }
    }

    /// The same block with other perfusion laws ṁ_b(T) (kg/(m³·s)) for the
    /// healthy tissue (the paper's Eq. 3 by default) and the tumor (Eq. 4),
    /// for example measured constants ([`lbm_bioheat::ConstantPerfusion`])
    /// or a closure `Fn(f64) -> f64`.
    ///
    /// # Errors
    /// A law whose rate at 37 °C or 45 °C is negative or not finite.
    pub fn with_perfusion(
        self,
        healthy: impl PerfusionModel + 'static,
        tumor: impl PerfusionModel + 'static,
    ) -> Result<Self> {
        for (name, law) in [
            ("healthy perfusion", &healthy as &dyn PerfusionModel),
            ("tumor perfusion", &tumor),
        ] {
            for t in [37.0, 45.0] {
                let rate = law.rate(t);
                if !(rate.is_finite() && rate >= 0.0) {
                    return Err(Error::Invalid {
                        name,
                        reason: format!(
                            "gives ṁ_b = {rate} kg/(m³·s) at {t} °C; must be finite and ≥ 0"
                        ),
                    });
                }
            }
        }
        Ok(Self {
            healthy_perfusion: SharedPerfusion(Arc::new(healthy)),
            tumor_perfusion: SharedPerfusion(Arc::new(tumor)),
            ..self
        })
    }

    /// The same block with both perfusion laws scaled: ṁ_b(T) becomes
    /// `healthy`·ṁ_b(T) in the healthy tissue and `tumor`·ṁ_b(T) in the
    /// tumor (uncertain perfusion as a factor on the nominal law).
    ///
    /// # Errors
    /// A negative or non-finite factor.
    pub fn with_perfusion_scaled(self, healthy: f64, tumor: f64) -> Result<Self> {
        for (name, f) in [
            ("healthy perfusion factor", healthy),
            ("tumor perfusion factor", tumor),
        ] {
            if !(f.is_finite() && f >= 0.0) {
                return Err(Error::Invalid {
                    name,
                    reason: format!("must be finite and ≥ 0, got {f}"),
                });
            }
        }
        let scaled = |law: &SharedPerfusion, factor: f64| {
            SharedPerfusion(Arc::new(ScaledPerfusion {
                law: law.0.clone(),
                factor,
            }))
        };
        Ok(Self {
            healthy_perfusion: scaled(&self.healthy_perfusion, healthy),
            tumor_perfusion: scaled(&self.tumor_perfusion, tumor),
            ..self
        })
    }

    /// The same block with another heating power per volume fraction q
    /// (W/m³), e.g. from a measured SLP.
    ///
    /// # Errors
    /// A negative or non-finite q.
    pub fn with_power_per_volume_fraction(self, q: f64) -> Result<Self> {
        if !(q.is_finite() && q >= 0.0) {
            return Err(Error::Invalid {
                name: "power per volume fraction (W/m³)",
                reason: format!("must be finite and ≥ 0, got {q}"),
            });
        }
        Ok(Self {
            power_per_volume_fraction: q,
            ..self
        })
    }

    /// The paper's block: `cells` × `cells` of side `side`/`cells` (m)
    /// around a circular tumor of diameter 10 mm, aligned as `alignment`;
    /// Table 1 materials; q from the Rosensweig model with Table A.1 at
    /// 43 °C.
    ///
    /// # Errors
    /// A zero cell count or a non-positive side.
    pub fn paper_circular(cells: usize, side: f64, alignment: GridAlignment) -> Result<Self> {
        let grid = Grid::centered_square(cells, side)?;
        let shift = match alignment {
            GridAlignment::NodeAtCentre => grid.dx() / 2.0,
            GridAlignment::CellCentred => 0.0,
        };
        let grid = Grid::new(
            cells,
            cells,
            grid.dx(),
            grid.x0() - shift,
            grid.y0() - shift,
        )?;
        let q = Rosensweig::paper().power_per_volume_fraction(
            &Particle::table_a1(),
            &CarrierFluid::table_a1(),
            &AcField::table_a1(),
            PAPER_TEMPERATURE_K,
        )?;
        Ok(Self {
            grid,
            tumor: Tumor::Shape(Shape::circle(0.0, 0.0, 5e-3)?),
            nanofluid: Nanofluid::table1(),
            power_per_volume_fraction: q,
            healthy_perfusion: SharedPerfusion(Arc::new(HealthyTissuePerfusion)),
            tumor_perfusion: SharedPerfusion(Arc::new(TumorPerfusion)),
        })
    }

    /// The paper's elliptical tumor (§3.2): major axis 12.5 mm along x,
    /// minor axis 8 mm (the circle's area), in the block of
    /// [`Scenario::paper_circular`].
    ///
    /// # Errors
    /// As [`Scenario::paper_circular`].
    pub fn paper_elliptical(cells: usize, side: f64, alignment: GridAlignment) -> Result<Self> {
        Self::paper_circular(cells, side, alignment)?
            .with_tumor(Tumor::Shape(Shape::ellipse(0.0, 0.0, 6.25e-3, 4e-3, 0.0)?))
    }

    /// The same block with another tumor.
    ///
    /// # Errors
    /// A shape reaching outside the block, or a mask of the wrong shape or
    /// with no cell (errors name the `tumor` key).
    pub fn with_tumor(mut self, tumor: Tumor) -> Result<Self> {
        if let Tumor::Shape(shape) = &tumor {
            let g = &self.grid;
            let (x0, y0) = (g.x0(), g.y0());
            let (x1, y1) = (x0 + g.nx() as f64 * g.dx(), y0 + g.ny() as f64 * g.dx());
            let outside = shape
                .boundary_points(256)
                .into_iter()
                .find(|&(x, y)| !(x0..=x1).contains(&x) || !(y0..=y1).contains(&y));
            if let Some((x, y)) = outside {
                return Err(Error::Scenario {
                    key: "tumor".into(),
                    message: format!(
                        "reaches outside the block: boundary point ({:.2}, {:.2}) mm, block \
                         [{:.2}, {:.2}] × [{:.2}, {:.2}] mm",
                        x * 1e3,
                        y * 1e3,
                        x0 * 1e3,
                        x1 * 1e3,
                        y0 * 1e3,
                        y1 * 1e3
                    ),
                });
            }
        }
        tumor.mask(&self.grid)?;
        self.tumor = tumor;
        Ok(self)
    }

    /// (ρc)_nf (Eq. 2a), k_nf (Eq. 2b) and Q = q·φ (W/m³) per cell from
    /// the volume fraction `phi`.
    ///
    /// # Errors
    /// φ outside [0, 1] somewhere.
    pub fn heating_fields(
        &self,
        phi: &Array2<f64>,
    ) -> Result<(Array2<f64>, Array2<f64>, Array2<f64>)> {
        let mut rc = phi.clone();
        let mut k = phi.clone();
        for ((r, kk), &p) in rc.iter_mut().zip(k.iter_mut()).zip(phi) {
            let props = self.nanofluid.properties(p)?;
            *r = props.heat_capacity;
            *kk = props.conductivity;
        }
        Ok((rc, k, phi.mapv(|p| self.power_per_volume_fraction * p)))
    }

    /// The cloud's volume fraction φ at the cell centres.
    ///
    /// # Errors
    /// Never for a valid grid (kept fallible for future grids).
    pub fn volume_fraction(&self, cloud: &InjectionCloud) -> Result<ndarray::Array2<f64>> {
        self.volume_fraction_sampled(cloud, SourceSampling::CellCentre)
    }

    /// The cloud's volume fraction φ on the cells, sampled as `sampling`.
    ///
    /// # Errors
    /// Never for a valid grid (kept fallible for future grids).
    pub fn volume_fraction_sampled(
        &self,
        cloud: &InjectionCloud,
        sampling: SourceSampling,
    ) -> Result<ndarray::Array2<f64>> {
        let g = &self.grid;
        let cells = CellGrid::new(g.nx(), g.ny(), g.dx(), g.dx(), g.x0(), g.y0())?;
        Ok(match sampling {
            SourceSampling::CellCentre => cloud.evaluate(&cells),
            SourceSampling::CellAverage => cloud.evaluate_cell_average(&cells),
        })
    }

    /// The Pennes problem heated by `cloud`: healthy tissue (Eq. 3) around
    /// the tumor (Eq. 4), Q = q·φ, mixture properties from φ, with φ at the
    /// cell centres (the LBM's nodes, [`SourceSampling::CellCentre`]).
    ///
    /// # Errors
    /// φ outside [0, 1] anywhere, or an invalid field.
    pub fn problem(&self, cloud: &InjectionCloud) -> Result<PennesProblem> {
        self.problem_sampled(cloud, SourceSampling::CellCentre)
    }

    /// [`Scenario::problem`] with φ sampled as `sampling`: use
    /// [`SourceSampling::CellAverage`] for the finite-volume solver.
    ///
    /// # Errors
    /// As [`Scenario::problem`].
    pub fn problem_sampled(
        &self,
        cloud: &InjectionCloud,
        sampling: SourceSampling,
    ) -> Result<PennesProblem> {
        let phi = self.volume_fraction_sampled(cloud, sampling)?;
        let (rc, k, q) = self.heating_fields(&phi)?;
        Ok(
            PennesProblem::builder(self.grid, "healthy", self.healthy_perfusion.clone())
                .region_mask(
                    "tumor",
                    &self.tumor.mask(&self.grid)?,
                    self.tumor_perfusion.clone(),
                )
                .properties(rc, k)
                .heat_source(q)
                .blood(37.0, 3800.0)
                .initial_temperature(37.0)
                .build()?,
        )
    }
}
