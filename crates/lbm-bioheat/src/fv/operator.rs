//! The cell-centred finite-volume discretization of the Pennes operator
//! (Jiang et al. 2022, Eq. 1) on a [`PennesProblem`]'s 2D or 3D grid.
//!
//! Every cell balance is multiplied by the cell measure |V| (the area dx²
//! per unit depth in 2D, the volume dx·dy·dz in 3D): a face between cells
//! P and N along axis a conducts c = (A_a/h_a)·2k_P k_N/(k_P + k_N), the
//! harmonic mean that keeps the flux continuous across a jump in k, with
//! A_a the face area (dx per unit depth in 2D, so A_a/h_a = 1) and h_a the
//! cell size along a; a wall half a cell away conducts (A_a/h_a)·2k_P
//! (fixed temperature) or (A_a/h_a)·2k_P h h_a/(2k_P + h h_a) (convective,
//! the series resistance of the half cell and the film), exactly the walls
//! of the LBM's half-way bounce-back. Perfusion W(T) = ṁ_b(T)c_b and the
//! sources enter per cell times |V|.

use crate::lattice::Lattice;
use crate::perfusion::PerfusionModel;
use crate::problem::{Boundary, PennesProblem};
use std::sync::Arc;

/// The assembled operator. The net heat loss of cell k at temperature T,
/// per cell (W/m in 2D, W in 3D), is
/// L̃_k(T) = Σ_nb c(T_k − T_nb) + b_k T_k − b_k T_wall,k + P_k(T_k)(T_k − T_b) − S_k.
#[derive(Clone)]
pub(crate) struct Operator {
    /// Spatial dimensions (2 or 3).
    pub axes: usize,
    /// Cells per axis (nz = 1 in 2D).
    pub n: [usize; 3],
    /// Flat-index strides per axis: [ny·nz, nz, 1].
    pub stride: [usize; 3],
    /// Cell measure |V| (m² per unit depth in 2D, m³ in 3D).
    pub measure: f64,
    /// Face conductance to the next cell along each axis (0 on the last
    /// layer); the z array is empty in 2D.
    pub c: [Vec<f64>; 3],
    /// Wall conductance b_k and b_k·T_wall,k.
    pub wall: Vec<f64>,
    pub wall_t: Vec<f64>,
    /// (Q + Q_m)·|V|.
    pub source: Vec<f64>,
    /// (ρc)·|V|.
    pub capacity: Vec<f64>,
    labels: Vec<u8>,
    models: Vec<Arc<dyn PerfusionModel>>,
    /// The regions' constant rates, where constant.
    constant: Vec<Option<f64>>,
    /// c_b·|V|.
    cb_measure: f64,
    pub t_blood: f64,
}

impl Operator {
    pub(crate) fn new<G: Lattice>(p: &PennesProblem<G>) -> Self {
        let grid = p.grid();
        let n = grid.extents();
        let len = grid.cells();
        let measure = grid.cell_measure();
        let models: Vec<Arc<dyn PerfusionModel>> =
            p.regions().iter().map(|r| r.perfusion_arc()).collect();
        let constant = models.iter().map(|m| m.constant_rate()).collect();
        let axes = G::AXES;
        let mut op = Self {
            axes,
            n,
            stride: [n[1] * n[2], n[2], 1],
            measure,
            c: std::array::from_fn(|a| if a < axes { vec![0.0; len] } else { Vec::new() }),
            wall: vec![0.0; len],
            wall_t: vec![0.0; len],
            source: vec![0.0; len],
            capacity: vec![0.0; len],
            labels: p.labels().iter().copied().collect(),
            models,
            constant,
            cb_measure: p.blood_specific_heat() * measure,
            t_blood: p.blood_temperature(),
        };
        op.set_properties(p);
        op.set_source(p);
        op
    }

    /// The cell coordinates of flat index `k`.
    fn coords(&self, k: usize) -> [usize; 3] {
        [
            k / self.stride[0],
            (k / self.stride[1]) % self.n[1],
            k % self.n[2],
        ]
    }

    /// Recomputes the face and wall conductances and the capacities from
    /// `p`'s (ρc) and k, in place (the grid and boundaries unchanged).
    pub(crate) fn set_properties<G: Lattice>(&mut self, p: &PennesProblem<G>) {
        let h = p.grid().spacing();
        // A_a/h_a per axis: 1 in 2D (unit depth, square cells).
        let factor: [f64; 3] = std::array::from_fn(|a| {
            let area: f64 = (0..3).filter(|&b| b != a).map(|b| h[b]).product();
            area / h[a]
        });
        // Logical (row-major) order whatever the array's memory layout.
        let k: Vec<f64> = p.conductivity().iter().copied().collect();
        let harmonic = |a: f64, b: f64| 2.0 * a * b / (a + b);
        for cell in 0..k.len() {
            let at = self.coords(cell);
            for a in 0..self.axes {
                if at[a] + 1 < self.n[a] {
                    let s = self.stride[a];
                    self.c[a][cell] = factor[a] * harmonic(k[cell], k[cell + s]);
                }
            }
        }
        self.wall.fill(0.0);
        self.wall_t.fill(0.0);
        for slot in 0..2 * self.axes {
            let (a, high) = (slot / 2, slot % 2 == 1);
            let (g, t) = match p.boundary_slot(slot) {
                Boundary::Adiabatic => continue,
                Boundary::Temperature(tw) => (None, tw),
                Boundary::Convective { h: film, ambient_c } => (Some(film), ambient_c),
            };
            let ha = h[a];
            for (cell, &kc) in k.iter().enumerate() {
                let idx = self.coords(cell)[a];
                let on_face = if high { idx + 1 == self.n[a] } else { idx == 0 };
                if !on_face {
                    continue;
                }
                let cond = match g {
                    None => 2.0 * kc,
                    Some(film) => 2.0 * kc * film * ha / (2.0 * kc + film * ha),
                };
                let cond = factor[a] * cond;
                self.wall[cell] += cond;
                self.wall_t[cell] += cond * t;
            }
        }
        for (c, rc) in self.capacity.iter_mut().zip(p.heat_capacity()) {
            *c = rc * self.measure;
        }
    }

    /// Recomputes (Q + Q_m)·|V| from `p`, in place.
    pub(crate) fn set_source<G: Lattice>(&mut self, p: &PennesProblem<G>) {
        for ((s, q), qm) in self
            .source
            .iter_mut()
            .zip(p.heat_source())
            .zip(p.metabolic_heat())
        {
            *s = (q + qm) * self.measure;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.n.iter().product()
    }

    /// The conductances of the active axes, for the multigrid hierarchy.
    pub(crate) fn conductances(&self) -> Vec<&[f64]> {
        self.c[..self.axes].iter().map(Vec::as_slice).collect()
    }

    /// P_k(T) = ṁ_b(T)·c_b·|V| of cell k.
    pub(crate) fn perfusion(&self, k: usize, t: f64) -> f64 {
        let r = self.labels[k] as usize;
        self.constant[r].unwrap_or_else(|| self.models[r].rate(t)) * self.cb_measure
    }

    /// Calls `f(k, neighbour, c)` for every neighbour of cell k (flat index
    /// `k`, coordinates `at`), axis by axis, the lower neighbour first.
    #[inline]
    fn for_neighbours(&self, k: usize, at: [usize; 3], mut f: impl FnMut(usize, f64)) {
        for (a, &index) in at.iter().enumerate().take(self.axes) {
            let s = self.stride[a];
            if index > 0 {
                f(k - s, self.c[a][k - s]);
            }
            if index + 1 < self.n[a] {
                f(k + s, self.c[a][k]);
            }
        }
    }

    /// Calls `f(k, coordinates)` for every cell in flat order.
    #[inline]
    fn for_cells(&self, mut f: impl FnMut(usize, [usize; 3])) {
        let mut k = 0;
        for i in 0..self.n[0] {
            for j in 0..self.n[1] {
                for l in 0..self.n[2] {
                    f(k, [i, j, l]);
                    k += 1;
                }
            }
        }
    }

    /// out = L̃(T), the net heat loss per cell, and per cell P_k(T) and
    /// dP_k/dT (for the Jacobian at T). Planes along the first axis go to
    /// the rayon pool on grids of at least 2²⁰ cells (each cell's values
    /// depend on no other's: the same results on any number of threads).
    pub(crate) fn balance(&self, t: &[f64], out: &mut [f64], perf: &mut [f64], slope: &mut [f64]) {
        let plane = self.n[1] * self.n[2];
        type Planes<'a> = (usize, ((&'a mut [f64], &'a mut [f64]), &'a mut [f64]));
        let run = |(i, ((out, perf), slope)): Planes<'_>| {
            let row = self.n[self.axes - 1];
            let mut local = 0;
            while local < plane {
                let k0 = i * plane + local;
                self.row_balance(
                    t,
                    k0,
                    &mut out[local..local + row],
                    &mut perf[local..local + row],
                    &mut slope[local..local + row],
                );
                local += row;
            }
        };
        #[cfg(feature = "rayon")]
        if self.len() >= 1 << 20 {
            use rayon::prelude::*;
            out.par_chunks_mut(plane)
                .zip(perf.par_chunks_mut(plane))
                .zip(slope.par_chunks_mut(plane))
                .enumerate()
                .for_each(run);
            return;
        }
        out.chunks_mut(plane)
            .zip(perf.chunks_mut(plane))
            .zip(slope.chunks_mut(plane))
            .enumerate()
            .for_each(run);
    }

    /// The net heat losses of the row (along the last axis) starting at
    /// cell `k0`, with its P(T) and dP/dT: term by term over the whole row
    /// (so each loop vectorizes), in the order of
    /// [`Operator::for_neighbours`].
    #[inline]
    fn row_balance(
        &self,
        t: &[f64],
        k0: usize,
        out: &mut [f64],
        perf: &mut [f64],
        slope: &mut [f64],
    ) {
        let l = out.len();
        let tr = &t[k0..k0 + l];
        // P and dP/dT run by run of cells of one region: one call of the
        // region's law per run.
        let labels = &self.labels[k0..k0 + l];
        let mut j = 0;
        while j < l {
            let r = labels[j] as usize;
            let end = j + labels[j..].iter().take_while(|&&q| q as usize == r).count();
            match self.constant[r] {
                Some(rate) => {
                    perf[j..end].fill(rate);
                    slope[j..end].fill(0.0);
                }
                None => self.models[r].rates_and_slopes(
                    &tr[j..end],
                    &mut perf[j..end],
                    &mut slope[j..end],
                ),
            }
            j = end;
        }
        for (j, ((o, p), dp)) in out
            .iter_mut()
            .zip(perf.iter_mut())
            .zip(slope.iter_mut())
            .enumerate()
        {
            let (k, tk) = (k0 + j, tr[j]);
            (*p, *dp) = (*p * self.cb_measure, *dp * self.cb_measure);
            *o = self.wall[k] * tk - self.wall_t[k] - self.source[k] + *p * (tk - self.t_blood);
        }
        let at = self.coords(k0);
        let last = self.axes - 1;
        for (a, &index) in at.iter().enumerate().take(last) {
            let s = self.stride[a];
            if index > 0 {
                let (c, tn) = (&self.c[a][k0 - s..][..l], &t[k0 - s..][..l]);
                for j in 0..l {
                    out[j] += c[j] * (tr[j] - tn[j]);
                }
            }
            if index + 1 < self.n[a] {
                let (c, tn) = (&self.c[a][k0..][..l], &t[k0 + s..][..l]);
                for j in 0..l {
                    out[j] += c[j] * (tr[j] - tn[j]);
                }
            }
        }
        let c = &self.c[last][k0..k0 + l];
        for j in 1..l {
            out[j] += c[j - 1] * (tr[j] - tr[j - 1]);
        }
        for j in 0..l.saturating_sub(1) {
            out[j] += c[j] * (tr[j] - tr[j + 1]);
        }
    }

    /// The off-diagonal entries (row k, column nb, −c) of the symmetric
    /// conductance matrix in row order, and each row's conductance sum.
    pub(crate) fn stencil(&self, mut entry: impl FnMut(usize, usize, f64)) {
        self.for_cells(|k, at| self.for_neighbours(k, at, |nb, c| entry(k, nb, c)));
    }

    /// True when the steady Jacobian at `t` has no heat sink: no perfusion
    /// in any cell at `t`, and no fixed-temperature or convective wall.
    pub(crate) fn sinkless_at(&self, t: &[f64]) -> bool {
        self.wall.iter().all(|&w| w == 0.0)
            && (0..self.len()).all(|k| self.perfusion(k, t[k]) == 0.0)
    }
}
