//! The 3D verification cases, runnable against any 3D solver (a factory
//! `make` turns the problem into a solver, as in [`crate::validation`]),
//! and the 3D benchmark problem. Tests run them on small grids; the
//! `bioheat3d_validation` example at publication resolution.

use crate::analytic::sphere_source;
use crate::error::Result;
use crate::grid::Grid;
use crate::grid3::Grid3;
use crate::lattice::Face;
use crate::perfusion::{ConstantPerfusion, HealthyTissuePerfusion, TumorPerfusion};
use crate::probe::trilinear;
use crate::problem::{Boundary, PennesProblem, PennesProblem3, Side};
use crate::shape3::Shape3;
use crate::solver::SteadySolver;
use ndarray::{Array2, Array3, Axis, Ix3};

/// A ball heated uniformly inside a cube of perfused tissue whose faces
/// are held at the blood temperature (the closed form of
/// [`sphere_source`] for an infinite medium; the faces are far enough for
/// their effect on the centre to stay below 10⁻⁴ °C).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatedSphere {
    /// Cube side (m).
    pub block_m: f64,
    /// Ball radius R (m).
    pub radius_m: f64,
    /// Heat source inside the ball (W/m³).
    pub q_w_m3: f64,
    /// Conductivity k (W/(m·K)).
    pub k_w_mk: f64,
    /// Perfusion W = ṁ_b c_b (W/(m³·K)), inside and out.
    pub w_w_m3k: f64,
    /// Blood and wall temperature (°C).
    pub blood_c: f64,
}

impl HeatedSphere {
    /// R = 8 mm, Q = 4·10⁵ W/m³, k = 0.5 W/(m·K), W = 2·10⁴ W/(m³·K)
    /// (m = 200 m⁻¹, a 5 mm decay length), a 64 mm cube at 37 °C: the
    /// centre rises by 9.50 °C.
    pub fn standard() -> Self {
        Self {
            block_m: 0.064,
            radius_m: 8e-3,
            q_w_m3: 4e5,
            k_w_mk: 0.5,
            w_w_m3k: 2e4,
            blood_c: 37.0,
        }
    }

    /// The closed-form temperature (°C) at distance `r` (m) from the centre.
    pub fn exact(&self, r: f64) -> f64 {
        self.blood_c + sphere_source(r, self.radius_m, self.q_w_m3, self.w_w_m3k, self.k_w_mk)
    }

    /// The problem on `n`³ cubic cells centred on the ball. The source is
    /// Q times each cell's volume fraction inside the ball (16³ midpoint
    /// samples in the cells the surface cuts): the exact cell means of the
    /// uniform source up to that rule, so the finite volumes converge at
    /// second order.
    ///
    /// # Errors
    /// As [`Grid3::new`].
    pub fn problem(&self, n: usize) -> Result<PennesProblem3> {
        const CB: f64 = 4000.0;
        let grid = Grid3::centered_cube(n, self.block_m)?;
        let ball = Shape3::sphere([0.0; 3], self.radius_m)?;
        let heat = ball.volume_fractions(&grid, 16)? * self.q_w_m3;
        let mut builder =
            PennesProblem::builder(grid, "tissue", ConstantPerfusion(self.w_w_m3k / CB))
                .blood(self.blood_c, CB)
                .tissue(4e6, self.k_w_mk)
                .heat_source(heat)
                .initial_temperature(self.blood_c);
        for face in Face::ALL {
            builder = builder.boundary(face, Boundary::Temperature(self.blood_c));
        }
        builder.build()
    }
}

/// What [`heated_sphere`] reports.
#[derive(Debug, Clone, PartialEq)]
pub struct SphereReport {
    /// The computed centre temperature (°C), trilinear between the eight
    /// cells around the centre.
    pub tc_c: f64,
    /// The closed form at the centre (°C).
    pub tc_exact_c: f64,
    /// Mean over the eight cells around the centre of computed − closed
    /// form at their centres (°C): the scheme's error, free of the probe's
    /// interpolation.
    pub centre_cells_error_c: f64,
    /// max |computed − closed form| over all cell centres (°C).
    pub max_error_c: f64,
    /// The computed steady field (°C).
    pub temperature: Array3<f64>,
}

/// Solves [`HeatedSphere::standard`] on `n`³ cells (n even: the centre is
/// a cell corner) with the solver `make` returns, against the closed form.
///
/// # Errors
/// An odd `n`; from the grid, the factory or the solver.
pub fn heated_sphere<S, F>(n: usize, make: F) -> Result<SphereReport>
where
    S: SteadySolver<Ix3>,
    F: FnOnce(PennesProblem3) -> Result<S>,
{
    if n % 2 == 1 {
        return Err(crate::BioheatError::InvalidParameter {
            name: "cells per side of the heated sphere",
            value: n as f64,
            allowed: "an even number (the centre on a cell corner)",
        });
    }
    let case = HeatedSphere::standard();
    let p = case.problem(n)?;
    let grid = *p.grid();
    let t = make(p)?.solve_steady(None)?.temperature;
    let radius = |i: usize, j: usize, k: usize| {
        grid.centre(i, j, k)
            .iter()
            .map(|c| c * c)
            .sum::<f64>()
            .sqrt()
    };
    let mut centre_error = 0.0;
    let mid = n / 2;
    for i in mid - 1..=mid {
        for j in mid - 1..=mid {
            for k in mid - 1..=mid {
                centre_error += t[[i, j, k]] - case.exact(radius(i, j, k));
            }
        }
    }
    let max_error = t
        .indexed_iter()
        .map(|((i, j, k), v)| (v - case.exact(radius(i, j, k))).abs())
        .fold(0.0, f64::max);
    Ok(SphereReport {
        tc_c: trilinear(&grid, &t, [0.0; 3])?,
        tc_exact_c: case.exact(0.0),
        centre_cells_error_c: centre_error / 8.0,
        max_error_c: max_error,
        temperature: t,
    })
}

/// `field` repeated `nz` times along z.
pub fn extrude<T: Clone>(field: &Array2<T>, nz: usize) -> Array3<T> {
    let (nx, ny) = field.dim();
    Array3::from_shape_fn((nx, ny, nz), |(i, j, _)| field[[i, j]].clone())
}

/// The 3D problem that is `p` extruded `nz` cells along z (cubic cells,
/// adiabatic z faces): every field, region and side boundary carried
/// over, so its solution is the 2D one in every layer.
///
/// # Errors
/// As [`Grid3::new`] (`nz` ≥ 2).
pub fn extruded(p: &PennesProblem, nz: usize) -> Result<PennesProblem3> {
    let g = *p.grid();
    let grid = Grid3::new([g.nx(), g.ny(), nz], [g.dx(); 3], [g.x0(), g.y0(), 0.0])?;
    let regions = p.regions();
    let labels = extrude(p.labels(), nz);
    let mut b = PennesProblem::builder(grid, regions[0].name(), regions[0].perfusion_arc());
    for (id, region) in regions.iter().enumerate().skip(1) {
        b = b.region_label(region.name(), &labels, id as u8, region.perfusion_arc());
    }
    b = b
        .properties(
            extrude(p.heat_capacity(), nz),
            extrude(p.conductivity(), nz),
        )
        .heat_source(extrude(p.heat_source(), nz))
        .metabolic_heat(extrude(p.metabolic_heat(), nz))
        .blood(p.blood_temperature(), p.blood_specific_heat())
        .initial_field(extrude(p.initial_temperature(), nz));
    for side in Side::ALL {
        b = b.boundary(side.into(), p.boundary(side));
    }
    b.build()
}

/// max |T₃ − T₂| (°C) over all layers between the steady solution of `p`
/// extruded `nz` cells in z and that of `p` itself, each by the solver its
/// factory returns.
///
/// # Errors
/// From the factories or the solvers.
pub fn extrusion_max_diff<S2, S3>(
    p: &PennesProblem,
    nz: usize,
    make_2d: impl FnOnce(PennesProblem) -> Result<S2>,
    make_3d: impl FnOnce(PennesProblem3) -> Result<S3>,
) -> Result<f64>
where
    S2: SteadySolver,
    S3: SteadySolver<Ix3>,
{
    let t3 = make_3d(extruded(p, nz)?)?.solve_steady(None)?.temperature;
    let t2 = make_2d(p.clone())?.solve_steady(None)?.temperature;
    let mut worst: f64 = 0.0;
    for layer in t3.axis_iter(Axis(2)) {
        for (a, b) in layer.iter().zip(&t2) {
            worst = worst.max((a - b).abs());
        }
    }
    Ok(worst)
}

/// A nonlinear 2D problem for [`extrusion_max_diff`]: Eqs. 3, 4 perfusion
/// (a 4 mm tumor in healthy tissue), a Gaussian source, jumps in k and
/// (ρc), a convective and a fixed-temperature wall, on 23 × 17 cells of
/// 1 mm.
///
/// # Errors
/// Never.
pub fn extrusion_problem() -> Result<PennesProblem> {
    let grid = Grid::new(23, 17, 1e-3, -0.011, -0.008)?;
    let heat = grid.field(|x, y| 3e5 * (-(x * x + y * y) / (2.0 * 3e-3f64.powi(2))).exp());
    let k = grid.field(|x, _| if x > 0.002 { 0.6 } else { 0.45 });
    let rc = grid.field(|_, y| if y > 0.0 { 3.6e6 } else { 4.1e6 });
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region(
            "tumor",
            &crate::shape::Shape::circle(0.0, 0.0, 4e-3)?,
            TumorPerfusion,
        )
        .properties(rc, k)
        .heat_source(heat)
        .boundary(
            Side::North,
            Boundary::Convective {
                h: 20.0,
                ambient_c: 22.0,
            },
        )
        .boundary(Side::West, Boundary::Temperature(36.0))
        .build()
}

/// The 3D benchmark problem: a 50 mm cube of healthy tissue
/// (perfusion of Eq. 3) around a 10 mm-radius spherical tumor (Eq. 4),
/// heated by a Gaussian source of 5·10⁵ W/m³ peak and 4 mm width at the
/// tumor centre (peak temperature about 49 °C), adiabatic faces (the
/// paper's choice), on `n`³ cells.
///
/// # Errors
/// As [`Grid3::new`].
pub fn nonlinear_tumor_problem(n: usize) -> Result<PennesProblem3> {
    let grid = Grid3::centered_cube(n, 0.05)?;
    let sigma2 = 4e-3f64.powi(2);
    let heat = grid.field(|x, y, z| 5e5 * (-(x * x + y * y + z * z) / (2.0 * sigma2)).exp());
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region("tumor", &Shape3::sphere([0.0; 3], 0.01)?, TumorPerfusion)
        .heat_source(heat)
        .build()
}
