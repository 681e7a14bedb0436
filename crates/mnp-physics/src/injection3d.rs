//! Particle clouds in three dimensions: the Gaussian sites of Jiang et al.
//! 2022 (Eqs. 5–8) in a volume, for treatment planning on 3D tumors.
//!
//! One site holds the injected volume V_i (m³) as the Gaussian
//! φ_i(x) = V_i/((2π)^{3/2}σ³) exp(−|x − x_i|²/(2σ²)), whose integral over
//! space is V_i; it spreads by diffusion, σ² = σ0² + 2Dt along every axis
//! (Eq. 5); sites superpose (Eq. 7). A 2D site of the paper is the slice
//! of a line source: integrating a 3D site over z gives the 2D site of the
//! same V and σ (tested).

use crate::error::{PhysicsError, Result, count, finite, non_negative, positive};
use crate::injection::{InjectionPlan, InjectionReference, NormalizedInjection};
use crate::injection::{erf_difference, gaussian_factor};
use ndarray::Array3;
use std::f64::consts::PI;

/// The most cells a [`CellGrid3`] may have: 2^28, as for
/// [`crate::CellGrid`] (a field of f64 then takes 2.1 GB).
pub const MAX_CELLS_3D: usize = 1 << 28;

/// A uniform grid of box cells through their centres: cell (i, j, k) has
/// its centre at origin + ((i + ½)d_x, (j + ½)d_y, (k + ½)d_z). Fields on
/// it are `Array3` of shape (n_x, n_y, n_z), indexed `[[i, j, k]]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellGrid3 {
    n: [usize; 3],
    d: [f64; 3],
    origin: [f64; 3],
}

impl CellGrid3 {
    /// `n` cells along (x, y, z) of size `d` (m) whose lowest corner is at
    /// `origin` (m).
    ///
    /// # Errors
    /// A zero cell count, more than [`MAX_CELLS_3D`] cells, a non-positive
    /// or non-finite cell size, or a non-finite origin.
    pub fn new(n: [usize; 3], d: [f64; 3], origin: [f64; 3]) -> Result<Self> {
        let total = n
            .iter()
            .try_fold(1usize, |acc, &m| acc.checked_mul(m))
            .filter(|&c| c <= MAX_CELLS_3D);
        if total.is_none() {
            return Err(PhysicsError::InvalidParameter {
                name: "cells (nx × ny × nz)",
                value: n.iter().map(|&m| m as f64).product(),
                allowed: "at most 2^28 = 268 435 456 cells (2.1 GB per field)",
            });
        }
        let names = [
            ("nx (cells along x)", "dx (m)", "x0 (m)"),
            ("ny (cells along y)", "dy (m)", "y0 (m)"),
            ("nz (cells along z)", "dz (m)", "z0 (m)"),
        ];
        let mut grid = Self { n, d, origin };
        for (axis, (cells, size, corner)) in names.into_iter().enumerate() {
            grid.n[axis] = count(cells, n[axis])?;
            grid.d[axis] = positive(size, d[axis])?;
            grid.origin[axis] = finite(corner, origin[axis])?;
        }
        Ok(grid)
    }

    /// A cube of side `side` (m) in `n`³ cubic cells, centred on the origin.
    ///
    /// # Errors
    /// `n` = 0, a non-positive side, or more than [`MAX_CELLS_3D`] cells.
    pub fn centered_cube(n: usize, side: f64) -> Result<Self> {
        let side = positive("side (m)", side)?;
        let n = count("n (cells per side)", n)?;
        let h = side / n as f64;
        Self::new([n; 3], [h; 3], [-side / 2.0; 3])
    }

    /// Cells along x, y and z.
    pub fn shape(&self) -> (usize, usize, usize) {
        (self.n[0], self.n[1], self.n[2])
    }
    /// Cell sizes (d_x, d_y, d_z) (m).
    pub fn spacing(&self) -> [f64; 3] {
        self.d
    }
    /// The lowest corner (m).
    pub fn origin(&self) -> [f64; 3] {
        self.origin
    }
    /// Volume of one cell d_x d_y d_z (m³).
    pub fn cell_volume(&self) -> f64 {
        self.d[0] * self.d[1] * self.d[2]
    }
    /// Centre coordinate (m) of the cells with index `i` along `axis`
    /// (0 = x, 1 = y, 2 = z).
    ///
    /// # Panics
    /// `axis` > 2.
    pub fn centre(&self, axis: usize, i: usize) -> f64 {
        self.origin[axis] + (i as f64 + 0.5) * self.d[axis]
    }
    /// Lower face coordinate (m) of the cells with index `i` along `axis`.
    fn face(&self, axis: usize, i: usize) -> f64 {
        self.origin[axis] + i as f64 * self.d[axis]
    }
}

/// One injection site in 3D: a Gaussian cloud holding V_i (m³).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianSite3 {
    centre: [f64; 3],
    volume: f64,
    sigma: f64,
}

impl GaussianSite3 {
    /// A cloud centred at `centre` (m) holding the injected volume `volume`
    /// V_i (m³), with standard deviation `sigma` σ (m) along every axis.
    ///
    /// # Errors
    /// A non-finite coordinate, a negative volume, a non-positive σ, or a
    /// peak V_i/((2π)^{3/2}σ³) that is not a finite number.
    pub fn new(centre: [f64; 3], volume: f64, sigma: f64) -> Result<Self> {
        for (c, name) in centre
            .iter()
            .zip(["site x (m)", "site y (m)", "site z (m)"])
        {
            finite(name, *c)?;
        }
        let site = Self {
            centre,
            volume: non_negative("injected volume V_i (m^3)", volume)?,
            sigma: positive("cloud standard deviation sigma (m)", sigma)?,
        };
        if !(sigma * sigma * sigma).is_normal() {
            return Err(PhysicsError::InvalidParameter {
                name: "cloud standard deviation sigma (m)",
                value: sigma,
                allowed: "a value whose cube is a normal f64 (from about 2.8e-103 to 5.6e102)",
            });
        }
        if !site.peak_volume_fraction().is_finite() {
            return Err(PhysicsError::InvalidParameter {
                name: "injected volume V_i (m^3)",
                value: volume,
                allowed: "a volume whose peak V/((2 pi)^1.5 sigma^3) is finite",
            });
        }
        Ok(site)
    }

    /// The cloud a time `time` t (s) after a point injection, with mass
    /// diffusivity `diffusivity` D (m²/s): σ² = 2Dt along every axis
    /// (Eq. 5).
    ///
    /// # Errors
    /// As [`GaussianSite3::new`], or D or t non-finite or ≤ 0.
    pub fn from_diffusion(
        centre: [f64; 3],
        volume: f64,
        diffusivity: f64,
        time: f64,
    ) -> Result<Self> {
        let d = positive("mass diffusivity D (m^2/s)", diffusivity)?;
        let t = positive("diffusion time (s)", time)?;
        Self::new(centre, volume, (2.0 * d * t).sqrt())
    }

    /// The same cloud after diffusing a further `dt` (s, ≥ 0):
    /// σ² → σ² + 2D·dt.
    ///
    /// # Errors
    /// D non-finite or ≤ 0, dt non-finite or < 0, or a spread cloud that
    /// [`GaussianSite3::new`] would refuse (σ³ beyond f64's range).
    pub fn spread(&self, diffusivity: f64, dt: f64) -> Result<Self> {
        let d = positive("mass diffusivity D (m^2/s)", diffusivity)?;
        let dt = non_negative("diffusion time step (s)", dt)?;
        Self::new(
            self.centre,
            self.volume,
            (self.sigma * self.sigma + 2.0 * d * dt).sqrt(),
        )
    }

    /// Centre (m).
    pub fn centre(&self) -> [f64; 3] {
        self.centre
    }
    /// Injected volume V_i (m³).
    pub fn volume(&self) -> f64 {
        self.volume
    }
    /// Standard deviation σ (m).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Peak volume fraction V_i/((2π)^{3/2}σ³) at the centre.
    pub fn peak_volume_fraction(&self) -> f64 {
        self.volume / ((2.0 * PI).powf(1.5) * self.sigma.powi(3))
    }
    /// Volume fraction φ_i at the point `p` (m).
    ///
    /// # Errors
    /// A non-finite coordinate.
    pub fn volume_fraction(&self, p: [f64; 3]) -> Result<f64> {
        let mut r2 = 0.0;
        for (&x, &c) in p.iter().zip(&self.centre) {
            r2 += (finite("point coordinate (m)", x)? - c).powi(2);
        }
        Ok(self.peak_volume_fraction() * (-r2 / (2.0 * self.sigma * self.sigma)).exp())
    }
}

/// The superposition of several 3D injection sites (Eq. 7).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InjectionCloud3 {
    sites: Vec<GaussianSite3>,
}

impl InjectionCloud3 {
    /// A cloud from its sites (possibly none).
    pub fn new(sites: Vec<GaussianSite3>) -> Self {
        Self { sites }
    }
    /// The sites.
    pub fn sites(&self) -> &[GaussianSite3] {
        &self.sites
    }
    /// Total injected volume Σ V_i (m³).
    pub fn total_volume(&self) -> f64 {
        self.sites.iter().map(GaussianSite3::volume).sum()
    }
    /// φ = Σ φ_i at the point `p` (m).
    ///
    /// # Errors
    /// A non-finite coordinate.
    pub fn volume_fraction(&self, p: [f64; 3]) -> Result<f64> {
        self.sites.iter().map(|s| s.volume_fraction(p)).sum()
    }
    /// Every site after diffusing a further `dt` (s).
    ///
    /// # Errors
    /// As [`GaussianSite3::spread`].
    pub fn spread(&self, diffusivity: f64, dt: f64) -> Result<Self> {
        Ok(Self {
            sites: self
                .sites
                .iter()
                .map(|s| s.spread(diffusivity, dt))
                .collect::<Result<_>>()?,
        })
    }

    /// φ at every cell centre of `grid`, shape (n_x, n_y, n_z). Each site
    /// is separable: n_x + n_y + n_z exponentials and one rank-one update
    /// per site (factors below e⁻³⁰⁰ of the peak are flushed to zero).
    pub fn evaluate(&self, grid: &CellGrid3) -> Array3<f64> {
        self.separable(
            grid,
            |site, axis, i| {
                let u = grid.centre(axis, i) - site.centre[axis];
                gaussian_factor(u * u / (2.0 * site.sigma * site.sigma))
            },
            GaussianSite3::peak_volume_fraction,
        )
    }

    /// The mean of φ over every cell of `grid` (the finite-volume source),
    /// exactly: V/(8 d_x d_y d_z)·Δerf_x·Δerf_y·Δerf_z with
    /// Δerf = erf((face₊ − c)/(σ√2)) − erf((face₋ − c)/(σ√2)), so the cells
    /// of a block that contains the cloud hold its whole volume
    /// (Σ φ̄ d_x d_y d_z = V), however narrow the cloud.
    pub fn evaluate_cell_average(&self, grid: &CellGrid3) -> Array3<f64> {
        let volume = grid.cell_volume();
        self.separable(
            grid,
            |site, axis, i| {
                let scale = 1.0 / (site.sigma * std::f64::consts::SQRT_2);
                let c = site.centre[axis];
                erf_difference(
                    (grid.face(axis, i) - c) * scale,
                    (grid.face(axis, i + 1) - c) * scale,
                )
            },
            |site| site.volume / (8.0 * volume),
        )
    }

    /// Σ_sites amplitude(site)·f(site, x, i)·f(site, y, j)·f(site, z, k).
    fn separable(
        &self,
        grid: &CellGrid3,
        factor: impl Fn(&GaussianSite3, usize, usize) -> f64,
        amplitude: impl Fn(&GaussianSite3) -> f64,
    ) -> Array3<f64> {
        let (nx, ny, nz) = grid.shape();
        let mut field = Array3::zeros((nx, ny, nz));
        for site in &self.sites {
            let fx: Vec<f64> = (0..nx).map(|i| factor(site, 0, i)).collect();
            let fy: Vec<f64> = (0..ny).map(|j| factor(site, 1, j)).collect();
            let a = amplitude(site);
            let fz: Vec<f64> = (0..nz).map(|k| a * factor(site, 2, k)).collect();
            for (i, &x) in fx.iter().enumerate() {
                if x == 0.0 {
                    continue;
                }
                for (j, &y) in fy.iter().enumerate() {
                    let xy = x * y;
                    if xy == 0.0 {
                        continue;
                    }
                    let mut row = field.slice_mut(ndarray::s![i, j, ..]);
                    for (v, &z) in row.iter_mut().zip(&fz) {
                        *v += xy * z;
                    }
                }
            }
        }
        field
    }
}

impl InjectionReference {
    /// The reference dose in 3D, φ0₃ = √(2π) σ0 φ0 (m³): the volume of the
    /// 3D cloud of spread σ0 whose peak equals the 2D reference cloud's,
    /// φ0/(2πσ0²).
    pub fn phi0_3d(&self) -> f64 {
        (2.0 * PI).sqrt() * self.sigma0() * self.phi0()
    }

    /// One site of Eq. 8 in 3D at `centre` (m): σ = k_σ σ0 and
    /// V_i = k_σ³ k_φ φ0₃, so its peak k_φ φ0/(2πσ0²) is the 2D site's.
    ///
    /// # Errors
    /// Non-finite coordinates.
    pub fn site_3d(&self, k: &NormalizedInjection, centre: [f64; 3]) -> Result<GaussianSite3> {
        let s = k.k_sigma();
        GaussianSite3::new(
            centre,
            s * s * s * k.k_phi() * self.phi0_3d(),
            s * self.sigma0(),
        )
    }

    /// The physical plan of Eq. 11 for `n` sites in 3D: t_opt = k_σ²σ0²/(2D),
    /// V_opt = n k_σ³ k_φ φ0₃ (m³), d_opt = k_d d0.
    ///
    /// # Errors
    /// `n` = 0.
    pub fn plan_3d(&self, n: usize, k: &NormalizedInjection) -> Result<InjectionPlan> {
        let plan = self.plan(n, k)?;
        let s = k.k_sigma();
        Ok(InjectionPlan {
            total_volume: n as f64 * s * s * s * k.k_phi() * self.phi0_3d(),
            ..plan
        })
    }
}
