//! What the D2Q5 and D3Q7 solvers share: the per-cell coefficients in
//! lattice units, the time step, the reference heat capacity, the
//! equilibrium start, and the wall populations.

use crate::error::{BioheatError, Result};
use crate::lattice::Lattice;
use crate::lbm::kernel::KernelParams;
use crate::lbm::{LbmConfig, TimeStep};
use crate::perfusion::PerfusionModel;
use crate::problem::{Boundary, PennesProblem};
use std::sync::Arc;

/// Per padded cell: 1/τ, r = (ρc)₀/(ρc), and the source terms in lattice
/// units, with the region labels and laws for nonlinear perfusion.
#[derive(Clone)]
pub(crate) struct Coefficients {
    pub omega: Vec<f64>,
    /// r = (ρc)₀/(ρc) per cell.
    pub ratio: Vec<f64>,
    /// Whether (ρc) varies (some r ≠ 1).
    pub hetero: bool,
    /// (ρc)₀, the smallest (ρc) (J/(m³·K)).
    pub rc0: f64,
    /// W' = W δt/(ρc)₀ per cell (linear) or c_b δt/(ρc)₀ (nonlinear).
    pub perfusion: Vec<f64>,
    /// Q' = (Q + Q_m) δt/(ρc)₀ per cell.
    pub source: Vec<f64>,
    /// The kernel's per-cell coefficients: a = 1/(1 + rW'/2) and
    /// c₁ = ½(W' T_b + Q') for linear problems; W's factor and Q'
    /// otherwise.
    pub kernel_a: Vec<f64>,
    pub kernel_b: Vec<f64>,
    pub labels: Vec<u8>,
    /// The regions' perfusion laws, shared with the problem.
    pub models: Vec<Arc<dyn PerfusionModel>>,
    pub linear: bool,
    /// (ρc)₀ and whether (ρc) varies, fixed by the whole problem when this
    /// lattice is one part of a decomposition (so every part collides
    /// exactly as the whole would); `None`: from the problem prepared.
    pub whole_reference: Option<(f64, bool)>,
}

impl Coefficients {
    /// Zeroed coefficients for `len` padded cells.
    pub fn new(len: usize, linear: bool) -> Self {
        Self {
            omega: vec![0.0; len],
            ratio: vec![1.0; len],
            hetero: false,
            rc0: 1.0,
            perfusion: vec![0.0; len],
            source: vec![0.0; len],
            kernel_a: vec![0.0; len],
            kernel_b: vec![0.0; len],
            labels: vec![0; len],
            models: Vec::new(),
            linear,
            whole_reference: None,
        }
    }

    /// Fills the coefficients of `p` for the time step `dt` (s), lattice
    /// speed of sound squared `cs2` and spacing `dx` (m); `padded` maps a
    /// cell's coordinates to its padded index.
    ///
    /// # Errors
    /// [`BioheatError::UnstableRelaxation`] if a cell's τ would be ≤ ½.
    pub fn prepare<G: Lattice>(
        &mut self,
        p: &PennesProblem<G>,
        dt: f64,
        cs2: f64,
        dx: f64,
        padded: impl Fn([usize; 3]) -> usize,
    ) -> Result<()> {
        self.models = p.regions().iter().map(|r| r.perfusion_arc()).collect();
        let scale = dt / (cs2 * dx * dx);
        let cb = p.blood_specific_heat();
        let (rc0, hetero) = self.whole_reference.unwrap_or_else(|| {
            let rc0 = reference_heat_capacity(p);
            (rc0, p.heat_capacity().iter().any(|&rc| rc != rc0))
        });
        self.rc0 = rc0;
        self.hetero = hetero;
        let [_, ny, nz] = p.grid().extents();
        let cells = p
            .heat_capacity()
            .iter()
            .zip(p.conductivity())
            .zip(p.labels())
            .zip(p.heat_source().iter().zip(p.metabolic_heat()));
        for (flat, (((&rc, &k), &label), (&q, &qm))) in cells.enumerate() {
            let c = padded([flat / (ny * nz), (flat / nz) % ny, flat % nz]);
            let r = rc0 / rc;
            self.ratio[c] = r;
            let tau = 0.5 + k / rc0 * scale;
            if !(tau > 0.5 && tau.is_finite()) {
                return Err(BioheatError::UnstableRelaxation {
                    tau,
                    cell: p.grid().cell_index(flat),
                });
            }
            self.omega[c] = 1.0 / tau;
            self.labels[c] = label;
            let factor = cb * dt / rc0;
            self.perfusion[c] = if self.linear {
                // The problem was linear when the solver was built: a law
                // whose `constant_rate` changed since is refused, not trusted.
                let region = &p.regions()[label as usize];
                let rate = region.perfusion().constant_rate().ok_or_else(|| {
                    BioheatError::InvalidPerfusion {
                        region: region.name().to_string(),
                        temperature_c: f64::NAN,
                        rate: f64::NAN,
                    }
                })?;
                rate * factor
            } else {
                factor
            };
            self.source[c] = (q + qm) * dt / rc0;
            if self.linear {
                let w = self.perfusion[c];
                self.kernel_a[c] = 1.0 / (1.0 + 0.5 * r * w);
                self.kernel_b[c] = 0.5 * (w * p.blood_temperature() + self.source[c]);
            } else {
                self.kernel_a[c] = self.perfusion[c];
                self.kernel_b[c] = self.source[c];
            }
        }
        Ok(())
    }

    /// What a kernel reads besides the populations, for a lattice of padded
    /// `strides`, blood at `t_blood` (°C) and the energy moment's ϖ.
    pub fn kernel_params(
        &self,
        strides: [usize; 2],
        t_blood: f64,
        varpi: f64,
        config: &LbmConfig,
    ) -> KernelParams<'_> {
        KernelParams {
            strides,
            omega: &self.omega,
            ratio: &self.ratio,
            perfusion: &self.kernel_a,
            source: &self.kernel_b,
            labels: &self.labels,
            models: &self.models,
            t_blood,
            varpi,
            s_e: config.s_e,
            s_q: config.s_q,
            limit: config.temperature_limit,
        }
    }

    /// W' of padded cell `c` at temperature `t`.
    pub fn perfusion_lattice(&self, c: usize, t: f64) -> f64 {
        if self.linear {
            self.perfusion[c]
        } else {
            self.perfusion[c] * self.models[self.labels[c] as usize].rate(t)
        }
    }

    /// The post-collision populations of a uniform-equilibrium start at
    /// temperature `t` in padded cell `c`, with `moving` moving directions
    /// of weight `w`: E* = E + ½S(T), the moving ones w rE*, the rest
    /// (1 − moving·w·r)E*. Returns (rest, each moving one).
    pub fn equilibrium_start(
        &self,
        c: usize,
        t: f64,
        t_blood: f64,
        w: f64,
        moving: f64,
    ) -> (f64, f64) {
        let s = self.perfusion_lattice(c, t) * (t_blood - t) + self.source[c];
        let r = self.ratio[c];
        let m = t / r + 0.5 * s;
        ((1.0 - moving * w * r) * m, w * r * m)
    }

    /// The smallest and largest τ over the padded cells `cells`.
    pub fn tau_range(&self, cells: impl Iterator<Item = usize>) -> (f64, f64) {
        cells.fold((f64::INFINITY, 0.0f64), |r, c| {
            let tau = 1.0 / self.omega[c];
            (r.0.min(tau), r.1.max(tau))
        })
    }
}

/// (ρc)₀: the smallest (ρc) of the problem (J/(m³·K)), the reference of the
/// conserved energy moment.
pub(crate) fn reference_heat_capacity<G: Lattice>(problem: &PennesProblem<G>) -> f64 {
    problem
        .heat_capacity()
        .iter()
        .fold(f64::INFINITY, |a, &rc| a.min(rc))
}

/// The time step (s) of `config` on `problem` with spacing `dx` (m) and
/// lattice c_s² `cs2`: given, or from τ of the most diffusive cell (the
/// largest k/(ρc)₀ sets the smallest τ).
pub(crate) fn choose_time_step<G: Lattice>(
    config: &LbmConfig,
    problem: &PennesProblem<G>,
    dx: f64,
    cs2: f64,
) -> f64 {
    match config.time_step {
        TimeStep::Seconds(dt) => dt,
        TimeStep::Tau(tau) => {
            let k_max = problem
                .conductivity()
                .iter()
                .fold(0.0, |a: f64, &k| a.max(k));
            let alpha_max = k_max / reference_heat_capacity(problem);
            (tau - 0.5) * cs2 * dx * dx / alpha_max
        }
    }
}

/// The wall's reply to the population `v` leaving the boundary cell (of
/// temperature `t1`, conductivity `kc`) through a wall with condition `b`:
/// bounce-back (adiabatic), anti-bounce-back to T_w (fixed temperature,
/// moving weight `w`), or bounce-back carrying the convective flux
/// h(T_w − T_a) (scaled by `flux_scale` = δt/(δx (ρc)₀)), with T_w from the
/// Robin balance and the second-order one-sided gradient through the two
/// outer centres (`t2` the next cell inward; `None` on a lattice one cell
/// thick, where the first-order half-cell balance is used).
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn wall_population(
    b: Boundary,
    v: f64,
    t1: f64,
    t2: Option<f64>,
    kc: f64,
    w: f64,
    dx: f64,
    flux_scale: f64,
) -> f64 {
    match b {
        Boundary::Adiabatic => v,
        Boundary::Temperature(tw) => -v + 2.0 * w * tw,
        Boundary::Convective { h, ambient_c } => {
            let tw = match t2 {
                Some(t2) => {
                    (kc * (9.0 * t1 - t2) + 3.0 * h * dx * ambient_c) / (8.0 * kc + 3.0 * h * dx)
                }
                None => (2.0 * kc * t1 + h * dx * ambient_c) / (2.0 * kc + h * dx),
            };
            v - flux_scale * h * (tw - ambient_c)
        }
    }
}
