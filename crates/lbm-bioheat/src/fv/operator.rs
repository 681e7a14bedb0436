//! The cell-centred finite-volume discretization of the Pennes operator
//! (Jiang et al. 2022, Eq. 1) on a [`PennesProblem`]'s grid.
//!
//! Every cell balance is multiplied by the cell area dx², so all quantities
//! are per unit depth: a face between cells P and N conducts
//! c = 2k_P k_N/(k_P + k_N) (W/(m·K)), the harmonic mean that keeps the
//! flux continuous across a jump in k; a wall half a cell away conducts
//! 2k_P (fixed temperature) or 2k_P h dx/(2k_P + h dx) (convective, the
//! series resistance of the half cell and the film), exactly the walls of
//! the LBM's half-way bounce-back. Perfusion W(T) = ṁ_b(T)c_b and the
//! sources enter per cell times dx².

use crate::perfusion::PerfusionModel;
use crate::problem::{Boundary, PennesProblem, Side};
use std::sync::Arc;

/// The assembled operator. The net heat loss of cell k at temperature T,
/// per unit depth (W/m), is
/// L̃_k(T) = Σ_nb c(T_k − T_nb) + b_k T_k − b_k T_wall,k + P_k(T_k)(T_k − T_b) − S_k.
#[derive(Clone)]
pub(crate) struct Operator {
    pub nx: usize,
    pub ny: usize,
    /// Cell area dx² (m²).
    pub area: f64,
    /// Face conductance to (i + 1, j) (0 on the last column).
    pub ce: Vec<f64>,
    /// Face conductance to (i, j + 1) (0 on the last row).
    pub cn: Vec<f64>,
    /// Wall conductance b_k and b_k·T_wall,k.
    pub wall: Vec<f64>,
    pub wall_t: Vec<f64>,
    /// (Q + Q_m)·dx² (W/m).
    pub source: Vec<f64>,
    /// (ρc)·dx² (J/(m·K)).
    pub capacity: Vec<f64>,
    labels: Vec<u8>,
    models: Vec<Arc<dyn PerfusionModel>>,
    /// The regions' constant rates, where constant.
    constant: Vec<Option<f64>>,
    /// c_b·dx².
    cb_area: f64,
    pub t_blood: f64,
}

impl Operator {
    pub(crate) fn new(p: &PennesProblem) -> Self {
        let (nx, ny) = p.grid().shape();
        let dx = p.grid().dx();
        let area = dx * dx;
        let n = nx * ny;
        let models: Vec<Arc<dyn PerfusionModel>> =
            p.regions().iter().map(|r| r.perfusion_arc()).collect();
        let constant = models.iter().map(|m| m.constant_rate()).collect();
        let mut op = Self {
            nx,
            ny,
            area,
            ce: vec![0.0; n],
            cn: vec![0.0; n],
            wall: vec![0.0; n],
            wall_t: vec![0.0; n],
            source: vec![0.0; n],
            capacity: vec![0.0; n],
            labels: p.labels().iter().copied().collect(),
            models,
            constant,
            cb_area: p.blood_specific_heat() * area,
            t_blood: p.blood_temperature(),
        };
        op.set_properties(p);
        op.set_source(p);
        op
    }

    /// Recomputes the face and wall conductances and the capacities from
    /// `p`'s (ρc) and k, in place (the grid and boundaries unchanged).
    pub(crate) fn set_properties(&mut self, p: &PennesProblem) {
        let (nx, ny) = (self.nx, self.ny);
        let dx = p.grid().dx();
        // Logical (i, j) order whatever the array's memory layout.
        let kf = p.conductivity();
        let k = |c: usize| kf[[c / ny, c % ny]];
        let harmonic = |a: f64, b: f64| 2.0 * a * b / (a + b);
        for i in 0..nx {
            for j in 0..ny {
                let c = i * ny + j;
                if i + 1 < nx {
                    self.ce[c] = harmonic(k(c), k(c + ny));
                }
                if j + 1 < ny {
                    self.cn[c] = harmonic(k(c), k(c + 1));
                }
            }
        }
        self.wall.fill(0.0);
        self.wall_t.fill(0.0);
        let (wall, wall_t) = (&mut self.wall, &mut self.wall_t);
        let mut add_wall = |c: usize, side: Side| {
            let kc = k(c);
            let (g, t) = match p.boundary(side) {
                Boundary::Adiabatic => (0.0, 0.0),
                Boundary::Temperature(tw) => (2.0 * kc, tw),
                Boundary::Convective { h, ambient_c } => {
                    (2.0 * kc * h * dx / (2.0 * kc + h * dx), ambient_c)
                }
            };
            wall[c] += g;
            wall_t[c] += g * t;
        };
        for j in 0..ny {
            add_wall(j, Side::West);
            add_wall((nx - 1) * ny + j, Side::East);
        }
        for i in 0..nx {
            add_wall(i * ny, Side::South);
            add_wall(i * ny + ny - 1, Side::North);
        }
        for (c, rc) in self.capacity.iter_mut().zip(p.heat_capacity()) {
            *c = rc * self.area;
        }
    }

    /// Recomputes (Q + Q_m)·dx² from `p`, in place.
    pub(crate) fn set_source(&mut self, p: &PennesProblem) {
        for ((s, q), qm) in self
            .source
            .iter_mut()
            .zip(p.heat_source())
            .zip(p.metabolic_heat())
        {
            *s = (q + qm) * self.area;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// P_k(T) = ṁ_b(T)·c_b·dx² of cell k (W/(m·K)).
    pub(crate) fn perfusion(&self, k: usize, t: f64) -> f64 {
        let r = self.labels[k] as usize;
        self.constant[r].unwrap_or_else(|| self.models[r].rate(t)) * self.cb_area
    }

    /// out = L̃(T), the net heat loss per cell (W/m), and per cell P_k(T)
    /// and dP_k/dT (for the Jacobian at T).
    pub(crate) fn balance(&self, t: &[f64], out: &mut [f64], perf: &mut [f64], slope: &mut [f64]) {
        let (nx, ny) = (self.nx, self.ny);
        for i in 0..nx {
            for j in 0..ny {
                let k = i * ny + j;
                let tk = t[k];
                let r = self.labels[k] as usize;
                let (p, dp) = match self.constant[r] {
                    Some(rate) => (rate, 0.0),
                    None => self.models[r].rate_and_slope(tk),
                };
                let (p, dp) = (p * self.cb_area, dp * self.cb_area);
                perf[k] = p;
                slope[k] = dp;
                let mut v =
                    self.wall[k] * tk - self.wall_t[k] - self.source[k] + p * (tk - self.t_blood);
                if i > 0 {
                    v += self.ce[k - ny] * (tk - t[k - ny]);
                }
                if i + 1 < nx {
                    v += self.ce[k] * (tk - t[k + ny]);
                }
                if j > 0 {
                    v += self.cn[k - 1] * (tk - t[k - 1]);
                }
                if j + 1 < ny {
                    v += self.cn[k] * (tk - t[k + 1]);
                }
                out[k] = v;
            }
        }
    }

    /// True when nothing ties the steady temperature down: no perfusion in
    /// any cell at `t`, and no fixed-temperature or convective wall.
    pub(crate) fn steady_is_singular(&self, t: &[f64]) -> bool {
        self.wall.iter().all(|&w| w == 0.0)
            && (0..self.len()).all(|k| self.perfusion(k, t[k]) == 0.0)
    }
}
