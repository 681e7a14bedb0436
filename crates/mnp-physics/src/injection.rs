//! Particle clouds from intratumoral injections (Jiang et al. 2022,
//! Eqs. 5–8 and 11).
//!
//! The model is two-dimensional: an injected "volume" V_i is an area (m²) and
//! the particle volume fraction of one site is the Gaussian
//! φ_i(x, y) = V_i/(2πσ²) exp(−|x − x_i|²/(2σ²)) (Eq. 6), whose integral over
//! the plane is V_i. Sites superpose (Eq. 7).

use crate::error::{PhysicsError, Result, count, finite, non_negative, positive};
use crate::nanofluid::Material;
use ndarray::Array2;
use std::f64::consts::PI;

/// The most cells a [`CellGrid`] may have: 2^28 (a field of f64 then takes
/// 2.1 GB); a larger grid is refused when built, not aborted on later.
pub const MAX_CELLS: usize = 1 << 28;

/// A uniform grid of rectangular cells, through their centres:
/// cell (i, j) has its centre at (x0 + (i + ½)dx, y0 + (j + ½)dy).
/// Fields on it are `Array2` of shape (nx, ny), indexed `[[i, j]]` with i
/// along x and j along y.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellGrid {
    nx: usize,
    ny: usize,
    dx: f64,
    dy: f64,
    x0: f64,
    y0: f64,
}

impl CellGrid {
    /// `nx` × `ny` cells of size `dx` × `dy` (m) whose lower-left corner is
    /// at (`x0`, `y0`) (m).
    ///
    /// # Errors
    /// A zero cell count, a non-positive or non-finite cell size, or a
    /// non-finite origin.
    pub fn new(nx: usize, ny: usize, dx: f64, dy: f64, x0: f64, y0: f64) -> Result<Self> {
        if nx.checked_mul(ny).is_none_or(|c| c > MAX_CELLS) {
            return Err(PhysicsError::InvalidParameter {
                name: "cells (nx × ny)",
                value: nx as f64 * ny as f64,
                allowed: "at most 2^28 = 268 435 456 cells (2.1 GB per field)",
            });
        }
        Ok(Self {
            nx: count("nx (cells along x)", nx)?,
            ny: count("ny (cells along y)", ny)?,
            dx: positive("dx (m)", dx)?,
            dy: positive("dy (m)", dy)?,
            x0: finite("x0 (m)", x0)?,
            y0: finite("y0 (m)", y0)?,
        })
    }

    /// A square block of side `side` (m) in `n` × `n` cells, centred on the
    /// origin (the tumor centre in Jiang et al. 2022: 50 mm and 100 × 100).
    ///
    /// # Errors
    /// `n` = 0 or a non-positive side.
    pub fn centered_square(n: usize, side: f64) -> Result<Self> {
        let side = positive("side (m)", side)?;
        let n = count("n (cells per side)", n)?;
        Self::new(
            n,
            n,
            side / n as f64,
            side / n as f64,
            -side / 2.0,
            -side / 2.0,
        )
    }

    /// Cells along x.
    pub fn nx(&self) -> usize {
        self.nx
    }
    /// Cells along y.
    pub fn ny(&self) -> usize {
        self.ny
    }
    /// Cell width (m).
    pub fn dx(&self) -> f64 {
        self.dx
    }
    /// Cell height (m).
    pub fn dy(&self) -> f64 {
        self.dy
    }
    /// Cell area dx·dy (m²).
    pub fn cell_area(&self) -> f64 {
        self.dx * self.dy
    }
    /// x of the centre of column `i` (m).
    pub fn x(&self, i: usize) -> f64 {
        self.x0 + (i as f64 + 0.5) * self.dx
    }
    /// y of the centre of row `j` (m).
    pub fn y(&self, j: usize) -> f64 {
        self.y0 + (j as f64 + 0.5) * self.dy
    }
    /// The shape (nx, ny) of fields on this grid.
    pub fn shape(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }
}

/// One injection site: a Gaussian cloud of particles (Eqs. 5, 6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianSite {
    x: f64,
    y: f64,
    volume: f64,
    sigma: f64,
}

impl GaussianSite {
    /// A cloud centred at (`x`, `y`) (m) holding the injected volume
    /// `volume` V_i (m², an area in this 2D model), with standard deviation
    /// `sigma` σ (m), Eq. 6.
    ///
    /// # Errors
    /// Non-finite coordinates, a negative volume, a non-positive σ, or a σ
    /// and volume whose peak V_i/(2πσ²) is not a finite number (σ² below
    /// the smallest normal f64, a volume near f64's limit).
    pub fn new(x: f64, y: f64, volume: f64, sigma: f64) -> Result<Self> {
        let site = Self {
            x: finite("site x (m)", x)?,
            y: finite("site y (m)", y)?,
            volume: non_negative("injected volume V_i (m^2)", volume)?,
            sigma: positive("cloud standard deviation sigma (m)", sigma)?,
        };
        if !(sigma * sigma).is_normal() {
            return Err(PhysicsError::InvalidParameter {
                name: "cloud standard deviation sigma (m)",
                value: sigma,
                allowed: "a value whose square is a normal f64 (above 1.5e-154)",
            });
        }
        if !site.peak_volume_fraction().is_finite() {
            return Err(PhysicsError::InvalidParameter {
                name: "injected volume V_i (m^2)",
                value: volume,
                allowed: "a volume whose peak V/(2 pi sigma^2) is finite",
            });
        }
        Ok(site)
    }

    /// The cloud a time `time` t (s) after a point injection, with mass
    /// diffusivity `diffusivity` D (m²/s): variance σ² = 2Dt (Eq. 5).
    ///
    /// # Errors
    /// As [`GaussianSite::new`], or D or t non-finite or ≤ 0.
    pub fn from_diffusion(
        x: f64,
        y: f64,
        volume: f64,
        diffusivity: f64,
        time: f64,
    ) -> Result<Self> {
        let d = positive("mass diffusivity D (m^2/s)", diffusivity)?;
        let t = positive("diffusion time (s)", time)?;
        Self::new(x, y, volume, (2.0 * d * t).sqrt())
    }

    /// The same cloud after diffusing a further `dt` (s, ≥ 0):
    /// σ² → σ² + 2D·dt (used while the field is on, Jiang et al. 2022, §3.3).
    ///
    /// # Errors
    /// D non-finite or ≤ 0, dt non-finite or < 0, or a spread cloud that
    /// [`GaussianSite::new`] would refuse (σ² beyond f64's range).
    pub fn spread(&self, diffusivity: f64, dt: f64) -> Result<Self> {
        let d = positive("mass diffusivity D (m^2/s)", diffusivity)?;
        let dt = non_negative("diffusion time step (s)", dt)?;
        Self::new(
            self.x,
            self.y,
            self.volume,
            (self.sigma * self.sigma + 2.0 * d * dt).sqrt(),
        )
    }

    /// Centre x (m).
    pub fn x(&self) -> f64 {
        self.x
    }
    /// Centre y (m).
    pub fn y(&self) -> f64 {
        self.y
    }
    /// Injected volume V_i (m²).
    pub fn volume(&self) -> f64 {
        self.volume
    }
    /// Standard deviation σ (m).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Peak volume fraction V_i/(2πσ²) at the centre.
    pub fn peak_volume_fraction(&self) -> f64 {
        self.volume / (2.0 * PI * self.sigma * self.sigma)
    }
    /// Volume fraction φ_i(x, y) of Eq. 6 at the point (`x`, `y`) (m).
    ///
    /// # Errors
    /// A non-finite coordinate.
    pub fn volume_fraction(&self, x: f64, y: f64) -> Result<f64> {
        let r2 = (finite("x (m)", x)? - self.x).powi(2) + (finite("y (m)", y)? - self.y).powi(2);
        Ok(self.peak_volume_fraction() * (-r2 / (2.0 * self.sigma * self.sigma)).exp())
    }
}

/// The superposition of several injection sites, Eq. 7.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InjectionCloud {
    sites: Vec<GaussianSite>,
}

impl InjectionCloud {
    /// A cloud from its sites (possibly none).
    pub fn new(sites: Vec<GaussianSite>) -> Self {
        Self { sites }
    }
    /// Adds a site.
    pub fn push(&mut self, site: GaussianSite) {
        self.sites.push(site);
    }
    /// The sites.
    pub fn sites(&self) -> &[GaussianSite] {
        &self.sites
    }
    /// Total injected volume Σ V_i (m²).
    pub fn total_volume(&self) -> f64 {
        self.sites.iter().map(GaussianSite::volume).sum()
    }
    /// φ(x, y) = Σ φ_i(x, y) at the point (`x`, `y`) (m), Eq. 7.
    ///
    /// # Errors
    /// A non-finite coordinate.
    pub fn volume_fraction(&self, x: f64, y: f64) -> Result<f64> {
        self.sites.iter().map(|s| s.volume_fraction(x, y)).sum()
    }

    /// Every site after diffusing a further `dt` (s), see
    /// [`GaussianSite::spread`].
    ///
    /// # Errors
    /// As [`GaussianSite::spread`].
    pub fn spread(&self, diffusivity: f64, dt: f64) -> Result<Self> {
        Ok(Self {
            sites: self
                .sites
                .iter()
                .map(|s| s.spread(diffusivity, dt))
                .collect::<Result<_>>()?,
        })
    }

    /// φ sampled at every cell centre of `grid`: an array of shape (nx, ny).
    /// Each Gaussian is separable, so a site costs nx + ny exponentials and
    /// one rank-one update of the field.
    ///
    /// Contributions below e⁻³⁰⁰ ≈ 5·10⁻¹³¹ of a site's peak along either
    /// axis are set to zero: they are physically meaningless and, as
    /// subnormal numbers, would slow the update by an order of magnitude.
    ///
    /// φ is not clipped: extreme parameters can give φ > 1, which the
    /// property functions of [`crate::nanofluid`] then reject.
    pub fn evaluate(&self, grid: &CellGrid) -> Array2<f64> {
        let (nx, ny) = grid.shape();
        // Per-site factors: φ_s(x_i, y_j) = ex[s][i] · ey[s][j], the peak
        // folded into ey.
        let mut ex = vec![0.0; self.sites.len() * nx];
        let mut ey = vec![0.0; self.sites.len() * ny];
        for (s, site) in self.sites.iter().enumerate() {
            let inv_two_var = 1.0 / (2.0 * site.sigma * site.sigma);
            for (i, e) in ex[s * nx..(s + 1) * nx].iter_mut().enumerate() {
                *e = gaussian_factor((grid.x(i) - site.x).powi(2) * inv_two_var);
            }
            let peak = site.peak_volume_fraction();
            for (j, e) in ey[s * ny..(s + 1) * ny].iter_mut().enumerate() {
                *e = peak * gaussian_factor((grid.y(j) - site.y).powi(2) * inv_two_var);
            }
        }
        outer_sum(nx, ny, &ex, &ey)
    }

    /// The mean of φ over every cell of `grid` (the finite-volume source):
    /// an array of shape (nx, ny). A Gaussian site integrates exactly over a
    /// rectangle, V/(4·dx·dy)·Δerf_x·Δerf_y with
    /// Δerf_x = erf((x_{i+½} − x_s)/(σ√2)) − erf((x_{i−½} − x_s)/(σ√2))
    /// (computed from erfc in the tails, without cancellation), so the
    /// cells of a block that contains the cloud hold its whole volume V
    /// (Σ φ̄·dx·dy = V), however narrow the cloud: point values
    /// ([`InjectionCloud::evaluate`]) misplace the heat of a cloud narrower
    /// than a cell.
    pub fn evaluate_cell_average(&self, grid: &CellGrid) -> Array2<f64> {
        let (nx, ny) = grid.shape();
        let mut ex = vec![0.0; self.sites.len() * nx];
        let mut ey = vec![0.0; self.sites.len() * ny];
        for (s, site) in self.sites.iter().enumerate() {
            let scale = 1.0 / (site.sigma * std::f64::consts::SQRT_2);
            let edge_x = |i: usize| (grid.x0 + i as f64 * grid.dx - site.x) * scale;
            for (i, e) in ex[s * nx..(s + 1) * nx].iter_mut().enumerate() {
                *e = erf_difference(edge_x(i), edge_x(i + 1));
            }
            let factor = site.volume / (4.0 * grid.dx * grid.dy);
            let edge_y = |j: usize| (grid.y0 + j as f64 * grid.dy - site.y) * scale;
            for (j, e) in ey[s * ny..(s + 1) * ny].iter_mut().enumerate() {
                *e = factor * erf_difference(edge_y(j), edge_y(j + 1));
            }
        }
        outer_sum(nx, ny, &ex, &ey)
    }
}

/// erf(b) − erf(a) for a ≤ b, from erfc on the side where both are in one
/// tail (1 − erf would cancel there); subnormal results are flushed to zero
/// as in [`gaussian_factor`].
pub(crate) fn erf_difference(a: f64, b: f64) -> f64 {
    let d = if a >= 0.0 {
        libm::erfc(a) - libm::erfc(b)
    } else if b <= 0.0 {
        libm::erfc(-b) - libm::erfc(-a)
    } else {
        libm::erf(b) - libm::erf(a)
    };
    if d < 1e-130 { 0.0 } else { d }
}

/// field[i, j] = Σ_s ex[s][i]·ey[s][j] for per-site factors stored site
/// after site (`ex` holds nx values a site, `ey` ny).
fn outer_sum(nx: usize, ny: usize, ex: &[f64], ey: &[f64]) -> Array2<f64> {
    let mut field = Array2::zeros((nx, ny));
    // `field` is a fresh standard-layout array: each row (fixed i) is a
    // contiguous run of ny values, updated by every site while it sits in
    // L1, and the inner loop vectorizes.
    let data = field.as_slice_mut().expect("Array2::zeros is contiguous");
    for (i, row) in data.chunks_exact_mut(ny).enumerate() {
        for (ex_s, ey_s) in ex.chunks_exact(nx).zip(ey.chunks_exact(ny)) {
            let exi = ex_s[i];
            if exi == 0.0 {
                continue;
            }
            for (v, &eyj) in row.iter_mut().zip(ey_s) {
                *v += exi * eyj;
            }
        }
    }
    field
}

/// exp(−arg) for arg ≥ 0, flushed to zero beyond arg = 300 so that no
/// product of two factors is subnormal.
pub(crate) fn gaussian_factor(arg: f64) -> f64 {
    if arg > 300.0 { 0.0 } else { (-arg).exp() }
}

/// Mass diffusivity D = α/Le (m²/s) from the thermal diffusivity
/// `thermal_diffusivity` α (m²/s) and the Lewis number `lewis` Le = α/D
/// (Jiang et al. 2022 use Le = 125).
///
/// # Errors
/// Either argument non-finite or ≤ 0.
pub fn mass_diffusivity_from_lewis(thermal_diffusivity: f64, lewis: f64) -> Result<f64> {
    Ok(
        positive("thermal diffusivity (m^2/s)", thermal_diffusivity)?
            / positive("Lewis number", lewis)?,
    )
}

/// The normalized search variables of Jiang et al. 2022 (§2.3): dose ratio
/// k_φ, spread ratio k_σ = σ/σ0 and distance ratio k_d = d/d0.
/// The paper searches each in [0, 1]; larger values are accepted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalizedInjection {
    k_phi: f64,
    k_sigma: f64,
    k_d: f64,
}

impl NormalizedInjection {
    /// Ratios `k_phi` ≥ 0, `k_sigma` > 0 and `k_d` ≥ 0 (dimensionless).
    ///
    /// # Errors
    /// A non-finite or negative ratio, or k_σ = 0 (a cloud needs a width).
    pub fn new(k_phi: f64, k_sigma: f64, k_d: f64) -> Result<Self> {
        Ok(Self {
            k_phi: non_negative("k_phi", k_phi)?,
            k_sigma: positive("k_sigma", k_sigma)?,
            k_d: non_negative("k_d", k_d)?,
        })
    }
    /// Dose ratio k_φ.
    pub fn k_phi(&self) -> f64 {
        self.k_phi
    }
    /// Spread ratio k_σ.
    pub fn k_sigma(&self) -> f64 {
        self.k_sigma
    }
    /// Distance ratio k_d.
    pub fn k_d(&self) -> f64 {
        self.k_d
    }
}

/// The physical injection plan of Eq. 11.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InjectionPlan {
    /// Waiting time between injection and field-on, t_opt (s), Eq. 11a.
    pub waiting_time: f64,
    /// Total injected volume of all n sites, V_opt, Eq. 11b: m² from
    /// [`InjectionReference::plan`] (the paper's 2D model), m³ from
    /// [`InjectionReference::plan_3d`].
    pub total_volume: f64,
    /// Distance of the sites from the tumor centre, d_opt (m), Eq. 11c.
    pub distance: f64,
}

/// The reference values that make the search variables dimensionless
/// (Jiang et al. 2022, §2.3 and §3.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InjectionReference {
    phi0: f64,
    sigma0: f64,
    d0: f64,
    diffusivity: f64,
}

impl InjectionReference {
    /// Reference dose `phi0` φ0 (m², an area in 2D), spread `sigma0` σ0 (m),
    /// distance `d0` (m) and mass diffusivity `diffusivity` D (m²/s).
    ///
    /// # Errors
    /// Any argument non-finite or ≤ 0.
    pub fn new(phi0: f64, sigma0: f64, d0: f64, diffusivity: f64) -> Result<Self> {
        Ok(Self {
            phi0: positive("reference dose phi0 (m^2)", phi0)?,
            sigma0: positive("reference spread sigma0 (m)", sigma0)?,
            d0: positive("reference distance d0 (m)", d0)?,
            diffusivity: positive("mass diffusivity D (m^2/s)", diffusivity)?,
        })
    }

    /// The paper's values: φ0 = 1.25 mm², σ0 = 1.55 mm (the spread 20 min
    /// after injection), d0 = 4.5 mm (0.9 of the circular tumor's radius),
    /// and D = α_tis/Le with Table 1's tissue and Le = 125
    /// (D ≈ 1.0·10⁻⁹ m²/s).
    pub fn paper() -> Self {
        Self {
            phi0: 1.25e-6,
            sigma0: 1.55e-3,
            d0: 4.5e-3,
            diffusivity: Material::tissue_table1().thermal_diffusivity() / 125.0,
        }
    }

    /// φ0 (m²).
    pub fn phi0(&self) -> f64 {
        self.phi0
    }
    /// σ0 (m).
    pub fn sigma0(&self) -> f64 {
        self.sigma0
    }
    /// d0 (m).
    pub fn d0(&self) -> f64 {
        self.d0
    }
    /// Mass diffusivity D (m²/s).
    pub fn diffusivity(&self) -> f64 {
        self.diffusivity
    }

    /// One site of Eq. 8 at (`x`, `y`) (m): σ = k_σ σ0 and
    /// V_i = k_σ² k_φ φ0, so its peak is k_φ φ0/(2πσ0²). (The paper prints
    /// V_i = k_φ² k_φ φ0; k_σ² k_φ φ0 is the value consistent with Eqs. 6, 8
    /// and 11b.)
    ///
    /// # Errors
    /// Non-finite coordinates.
    pub fn site(&self, k: &NormalizedInjection, x: f64, y: f64) -> Result<GaussianSite> {
        GaussianSite::new(
            x,
            y,
            k.k_sigma * k.k_sigma * k.k_phi * self.phi0,
            k.k_sigma * self.sigma0,
        )
    }

    /// The physical plan of Eq. 11 for `n` sites: t_opt = k_σ²σ0²/(2D),
    /// V_opt = n k_σ² k_φ φ0, d_opt = k_d d0.
    ///
    /// # Errors
    /// `n` = 0.
    pub fn plan(&self, n: usize, k: &NormalizedInjection) -> Result<InjectionPlan> {
        let n = count("number of sites n", n)? as f64;
        let s2 = k.k_sigma * k.k_sigma;
        Ok(InjectionPlan {
            waiting_time: s2 * self.sigma0 * self.sigma0 / (2.0 * self.diffusivity),
            total_volume: n * s2 * k.k_phi * self.phi0,
            distance: k.k_d * self.d0,
        })
    }

    /// The inverse of [`InjectionReference::plan`]: the ratios that give
    /// `plan` with `n` sites.
    ///
    /// # Errors
    /// `n` = 0, a non-positive waiting time, or a negative volume or
    /// distance.
    pub fn normalize(&self, n: usize, plan: &InjectionPlan) -> Result<NormalizedInjection> {
        let n = count("number of sites n", n)? as f64;
        let t = positive("waiting time (s)", plan.waiting_time)?;
        let v = non_negative("total volume (m^2)", plan.total_volume)?;
        let d = non_negative("distance (m)", plan.distance)?;
        let k_sigma = (2.0 * self.diffusivity * t).sqrt() / self.sigma0;
        NormalizedInjection::new(
            v / (n * k_sigma * k_sigma * self.phi0),
            k_sigma,
            d / self.d0,
        )
    }
}
