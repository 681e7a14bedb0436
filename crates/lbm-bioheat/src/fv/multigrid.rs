//! Conjugate gradients preconditioned by an aggregation multigrid V-cycle
//! for the symmetric 5-point systems of the finite-volume solver.
//!
//! Every level holds an operator of the same form,
//! (A x)_k = (Σ_nb c_k,nb + s_k) x_k − Σ_nb c_k,nb x_nb,
//! with face conductances c (fixed for a problem) and a diagonal "sink" s
//! (walls, perfusion and its slope, the time-derivative mass: it changes at
//! every Newton iteration). A coarse cell is a 2 × 2 block of fine cells
//! (1 × 2 or 2 × 1 where a size is odd, 2 × 1 on a one-row grid); the
//! Galerkin product Pᵀ A P with piecewise-constant P is again of that
//! form: coarse conductances are the sums of the fine ones crossing the
//! block's faces, and coarse sinks the sums of the block's sinks. So
//! coarsening never changes the conductances' harmonic averages, handles
//! any grid size, and re-aggregating the sinks after each Newton update
//! costs O(n).
//!
//! The V-cycle smooths with forward Gauss–Seidel before and backward after
//! the coarse correction, and solves the coarsest level (≤ 64 cells) by a
//! dense Cholesky factorization: it is a symmetric positive definite
//! preconditioner whenever A is, as CG requires.

/// Largest number of cells of the coarsest level.
const COARSEST_CELLS: usize = 64;
/// Red–black Gauss–Seidel sweeps before and after each coarse correction
/// (V(1,1): fewer CG iterations per unit of work than V(2,2) on the
/// paper's problems).
const SWEEPS: usize = 1;
/// The coarse correction is scaled by this factor. Piecewise-constant
/// aggregation makes the coarse operator too stiff by about 2 for smooth
/// modes of a Laplacian; over-correcting compensates (Braess 1995; Vaněk
/// et al.'s unsmoothed aggregation). 1.8 was the best of 1.0–2.0 in CG
/// iteration counts on the paper's problems at 100²–400², where it makes
/// them nearly independent of the grid (docs/PERFORMANCE.md).
const OVER_CORRECTION: f64 = 1.8;

/// Why a linear solve failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LinearFailure {
    /// The matrix (or the preconditioner) is not positive definite.
    Indefinite,
    /// The tolerance was not reached; the relative residual reached.
    NotConverged(f64),
}

/// One level of the hierarchy, stored with one layer of padding cells
/// around the grid (zero conductance, zero value) so that the loops need
/// no boundary branches: cell (i, j) sits at (i + 1)·py + j + 1.
#[derive(Debug, Clone)]
struct Level {
    nx: usize,
    ny: usize,
    py: usize,
    /// Conductance to (i + 1, j); 0 on the last column and the padding.
    ce: Vec<f64>,
    /// Conductance to (i, j + 1); 0 on the last row and the padding.
    cn: Vec<f64>,
    /// Σ conductances per cell (fixed).
    csum: Vec<f64>,
    diag: Vec<f64>,
    inv_diag: Vec<f64>,
    /// Scratch: right-hand side, solution and residual of this level.
    b: Vec<f64>,
    x: Vec<f64>,
    r: Vec<f64>,
}

impl Level {
    /// A level from unpadded row-major conductances (index i·ny + j).
    fn new(nx: usize, ny: usize, ce: &[f64], cn: &[f64]) -> Self {
        let mut level = Self::empty(nx, ny);
        level.set_conductances(ce, cn);
        level
    }

    /// A level of `nx` × `ny` cells with zero conductances.
    fn empty(nx: usize, ny: usize) -> Self {
        let py = ny + 2;
        let len = (nx + 2) * py;
        Self {
            nx,
            ny,
            py,
            ce: vec![0.0; len],
            cn: vec![0.0; len],
            csum: vec![0.0; len],
            diag: vec![0.0; len],
            inv_diag: vec![0.0; len],
            b: vec![0.0; len],
            x: vec![0.0; len],
            r: vec![0.0; len],
        }
    }

    /// Copies unpadded conductances in (the last column's `ce` and the last
    /// row's `cn` are ignored: they lead out of the grid).
    fn set_conductances(&mut self, ce: &[f64], cn: &[f64]) {
        let (nx, ny) = (self.nx, self.ny);
        for i in 0..nx {
            for j in 0..ny {
                let k = self.at(i, j);
                self.ce[k] = if i + 1 < nx { ce[i * ny + j] } else { 0.0 };
                self.cn[k] = if j + 1 < ny { cn[i * ny + j] } else { 0.0 };
            }
        }
        self.sum_conductances();
    }

    fn sum_conductances(&mut self) {
        let py = self.py;
        let len = self.padded_len();
        for k in py..len - py {
            self.csum[k] = self.ce[k] + self.ce[k - py] + self.cn[k] + self.cn[k - 1];
        }
    }

    fn cells(&self) -> usize {
        self.nx * self.ny
    }

    fn padded_len(&self) -> usize {
        (self.nx + 2) * self.py
    }

    /// Padded index of cell (i, j).
    fn at(&self, i: usize, j: usize) -> usize {
        (i + 1) * self.py + j + 1
    }

    /// The next coarser level.
    fn coarsen(&self) -> Level {
        let mut coarse = Level::empty(self.nx.div_ceil(2), self.ny.div_ceil(2));
        self.restrict_conductances(&mut coarse);
        coarse
    }

    /// Sets `coarse`'s conductances (the next coarser level's) from this
    /// level's: a fine face is a coarse face when it leaves its 2 × 2 block,
    /// and the coarse face conducts the sum of its fine faces.
    fn restrict_conductances(&self, coarse: &mut Level) {
        coarse.ce.fill(0.0);
        coarse.cn.fill(0.0);
        for i in 0..self.nx {
            for j in 0..self.ny {
                let k = self.at(i, j);
                let c = coarse.at(i / 2, j / 2);
                if i % 2 == 1 {
                    coarse.ce[c] += self.ce[k];
                }
                if j % 2 == 1 {
                    coarse.cn[c] += self.cn[k];
                }
            }
        }
        coarse.sum_conductances();
    }

    /// y = A x over the interior (padding of y left untouched, x's zero).
    /// Each row works on windows of exactly `ny` cells, so the loop has no
    /// bounds checks and vectorizes.
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        let (py, n) = (self.py, self.ny);
        for i in 1..=self.nx {
            let c = i * py + 1; // first interior cell of the row
            let xc = &x[c..c + n];
            let (xw, xe) = (&x[c - py..c - py + n], &x[c + py..c + py + n]);
            let (xs, xn) = (&x[c - 1..c - 1 + n], &x[c + 1..c + 1 + n]);
            let (cw, ce) = (&self.ce[c - py..c - py + n], &self.ce[c..c + n]);
            let (cs, cn) = (&self.cn[c - 1..c - 1 + n], &self.cn[c..c + n]);
            let d = &self.diag[c..c + n];
            let y = &mut y[c..c + n];
            for j in 0..n {
                y[j] = d[j] * xc[j] - cw[j] * xw[j] - ce[j] * xe[j] - cs[j] * xs[j] - cn[j] * xn[j];
            }
        }
    }

    /// r = b − A x over the interior, row by row like [`Level::apply`].
    fn residual(&mut self) {
        let (py, n) = (self.py, self.ny);
        let x = &self.x;
        for i in 1..=self.nx {
            let c = i * py + 1;
            let xc = &x[c..c + n];
            let (xw, xe) = (&x[c - py..c - py + n], &x[c + py..c + py + n]);
            let (xs, xn) = (&x[c - 1..c - 1 + n], &x[c + 1..c + 1 + n]);
            let (cw, ce) = (&self.ce[c - py..c - py + n], &self.ce[c..c + n]);
            let (cs, cn) = (&self.cn[c - 1..c - 1 + n], &self.cn[c..c + n]);
            let (d, b) = (&self.diag[c..c + n], &self.b[c..c + n]);
            let r = &mut self.r[c..c + n];
            for j in 0..n {
                r[j] = b[j]
                    - (d[j] * xc[j]
                        - cw[j] * xw[j]
                        - ce[j] * xe[j]
                        - cs[j] * xs[j]
                        - cn[j] * xn[j]);
            }
        }
    }

    /// Gauss–Seidel on the cells of one colour ((i + j) even: red). A cell
    /// reads only cells of the other colour, so each row is split from its
    /// neighbours and updated in place with no bounds checks.
    fn relax_colour(&mut self, red: bool) {
        let (py, n) = (self.py, self.ny);
        for i in 1..=self.nx {
            let row = i * py;
            let (above, rest) = self.x.split_at_mut(row);
            let (cur, below) = rest.split_at_mut(py);
            let (up, down) = (&above[row - py..], &below[..py]);
            let (cw, ce) = (&self.ce[row - py..row], &self.ce[row..row + py]);
            let cn = &self.cn[row..row + py];
            let (b, inv) = (&self.b[row..row + py], &self.inv_diag[row..row + py]);
            // Interior (i − 1, jj − 1) is red when (i + jj) is even.
            let mut jj = 1 + usize::from(((i + 1) % 2 == 0) != red);
            while jj <= n {
                cur[jj] = (b[jj]
                    + cw[jj] * up[jj]
                    + ce[jj] * down[jj]
                    + cn[jj - 1] * cur[jj - 1]
                    + cn[jj] * cur[jj + 1])
                    * inv[jj];
                jj += 2;
            }
        }
    }

    /// One symmetric half of red–black Gauss–Seidel: red then black
    /// (`forward`) or black then red.
    fn sweep(&mut self, forward: bool) {
        self.relax_colour(forward);
        self.relax_colour(!forward);
    }
}

/// The multigrid hierarchy and the coarsest level's factor.
#[derive(Debug, Clone)]
pub(crate) struct Hierarchy {
    levels: Vec<Level>,
    /// Lower-triangular Cholesky factor of the coarsest matrix (row-major,
    /// unpadded cell order).
    chol: Vec<f64>,
    /// Sinks of every level, unpadded (scratch for aggregation).
    sinks: Vec<Vec<f64>>,
    /// CG vectors (padded like the finest level).
    x: Vec<f64>,
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
}

impl Hierarchy {
    /// The hierarchy for conductances `ce`, `cn` (unpadded, index i·ny + j)
    /// on an `nx` × `ny` grid.
    pub(crate) fn new(nx: usize, ny: usize, ce: &[f64], cn: &[f64]) -> Self {
        let mut levels = vec![Level::new(nx, ny, ce, cn)];
        while levels.last().expect("one level").cells() > COARSEST_CELLS {
            let next = levels.last().expect("one level").coarsen();
            levels.push(next);
        }
        let sinks = levels.iter().map(|l| vec![0.0; l.cells()]).collect();
        let len = levels[0].padded_len();
        let m = levels.last().expect("one level").cells();
        Self {
            levels,
            chol: vec![0.0; m * m],
            sinks,
            x: vec![0.0; len],
            r: vec![0.0; len],
            z: vec![0.0; len],
            p: vec![0.0; len],
            q: vec![0.0; len],
        }
    }

    /// Replaces the face conductances (same grid) in place, without
    /// allocating; set the sinks again before solving.
    pub(crate) fn set_conductances(&mut self, ce: &[f64], cn: &[f64]) {
        self.levels[0].set_conductances(ce, cn);
        for l in 1..self.levels.len() {
            let (fine, coarse) = self.levels.split_at_mut(l);
            fine[l - 1].restrict_conductances(&mut coarse[0]);
        }
    }

    /// Number of levels (the finest included).
    pub(crate) fn depth(&self) -> usize {
        self.levels.len()
    }

    /// Sets the diagonal sinks of the finest level (unpadded), aggregates
    /// them to the coarse levels and factors the coarsest. Fails when a
    /// level's matrix is not positive definite (for example a steady
    /// problem with neither perfusion nor a temperature-fixing wall: a
    /// singular system).
    pub(crate) fn set_sink(&mut self, sink: &[f64]) -> Result<(), LinearFailure> {
        self.sinks[0].copy_from_slice(sink);
        for l in 1..self.levels.len() {
            let (fine, coarse) = self.sinks.split_at_mut(l);
            let (fine, coarse) = (&fine[l - 1], &mut coarse[0]);
            coarse.fill(0.0);
            let (nx, ny) = (self.levels[l - 1].nx, self.levels[l - 1].ny);
            let cy = self.levels[l].ny;
            for i in 0..nx {
                for j in 0..ny {
                    coarse[(i / 2) * cy + j / 2] += fine[i * ny + j];
                }
            }
        }
        for (level, sink) in self.levels.iter_mut().zip(&self.sinks) {
            let n = level.ny;
            let mut ok = true;
            for (i, s) in sink.chunks_exact(n).enumerate() {
                let c = level.at(i, 0);
                let (d, inv) = (&mut level.diag[c..c + n], &mut level.inv_diag[c..c + n]);
                for (((d, inv), &c), &s) in d.iter_mut().zip(inv).zip(&level.csum[c..c + n]).zip(s)
                {
                    *d = c + s;
                    *inv = 1.0 / *d;
                    ok &= *d > 0.0 && d.is_finite();
                }
            }
            if !ok {
                return Err(LinearFailure::Indefinite);
            }
        }
        self.factor_coarsest()
    }

    fn factor_coarsest(&mut self) -> Result<(), LinearFailure> {
        let level = self.levels.last().expect("one level");
        let (nx, ny, m) = (level.nx, level.ny, level.cells());
        let a = &mut self.chol;
        a.fill(0.0);
        for i in 0..nx {
            for j in 0..ny {
                let (k, pk) = (i * ny + j, level.at(i, j));
                a[k * m + k] = level.diag[pk];
                if i + 1 < nx {
                    a[(k + ny) * m + k] = -level.ce[pk];
                }
                if j + 1 < ny {
                    a[(k + 1) * m + k] = -level.cn[pk];
                }
            }
        }
        // In-place Cholesky of the lower triangle; a pivot that is not
        // clearly positive means a (numerically) singular system.
        let scale = (0..m).map(|k| a[k * m + k]).fold(0.0, f64::max);
        for j in 0..m {
            let mut d = a[j * m + j];
            for k in 0..j {
                d -= a[j * m + k] * a[j * m + k];
            }
            // Written to catch NaN too: a NaN pivot fails `d > …`.
            let clearly_positive = d > 1e-12 * scale;
            if !clearly_positive {
                return Err(LinearFailure::Indefinite);
            }
            let d = d.sqrt();
            a[j * m + j] = d;
            for i in j + 1..m {
                let mut v = a[i * m + j];
                for k in 0..j {
                    v -= a[i * m + k] * a[j * m + k];
                }
                a[i * m + j] = v / d;
            }
        }
        Ok(())
    }

    /// Solves the coarsest level on its `b` into its `x`.
    fn solve_coarsest(&mut self) {
        let level = self.levels.last_mut().expect("one level");
        let (ny, m) = (level.ny, level.cells());
        let a = &self.chol;
        let mut y = [0.0f64; COARSEST_CELLS];
        let y = &mut y[..m];
        for (k, v) in y.iter_mut().enumerate() {
            *v = level.b[level.at(k / ny, k % ny)];
        }
        for i in 0..m {
            let mut v = y[i];
            for k in 0..i {
                v -= a[i * m + k] * y[k];
            }
            y[i] = v / a[i * m + i];
        }
        for i in (0..m).rev() {
            let mut v = y[i];
            for k in i + 1..m {
                v -= a[k * m + i] * y[k];
            }
            y[i] = v / a[i * m + i];
        }
        for (k, &v) in y.iter().enumerate() {
            let pk = level.at(k / ny, k % ny);
            level.x[pk] = v;
        }
    }

    /// One V-cycle from level `l` on that level's `b`, from x = 0.
    fn vcycle(&mut self, l: usize) {
        if l + 1 == self.levels.len() {
            self.solve_coarsest();
            return;
        }
        {
            let level = &mut self.levels[l];
            level.x.fill(0.0);
            for _ in 0..SWEEPS {
                level.sweep(true);
            }
            level.residual();
        }
        // Restriction: each coarse cell sums the residuals of its block.
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let (fine, coarse) = (&mut fine[l], &mut coarse[0]);
        coarse.b.fill(0.0);
        let (n, cn) = (fine.ny, coarse.ny);
        for i in 0..fine.nx {
            let f = &fine.r[fine.at(i, 0)..fine.at(i, 0) + n];
            let c0 = coarse.at(i / 2, 0);
            for (c, pair) in coarse.b[c0..c0 + cn].iter_mut().zip(f.chunks(2)) {
                *c += pair.iter().sum::<f64>();
            }
        }
        self.vcycle(l + 1);
        // Prolongation: each fine cell takes its block's (over-)correction.
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let (fine, coarse) = (&mut fine[l], &coarse[0]);
        for i in 0..fine.nx {
            let f0 = fine.at(i, 0);
            let c0 = coarse.at(i / 2, 0);
            for (pair, &c) in fine.x[f0..f0 + n].chunks_mut(2).zip(&coarse.x[c0..c0 + cn]) {
                for v in pair {
                    *v += OVER_CORRECTION * c;
                }
            }
        }
        for _ in 0..SWEEPS {
            fine.sweep(false);
        }
    }

    /// z = M⁻¹ r by one V-cycle.
    /// The vectors are swapped in and out of the finest level rather than
    /// copied (all keep zero padding).
    fn precondition(&mut self) {
        std::mem::swap(&mut self.r, &mut self.levels[0].b);
        self.vcycle(0);
        std::mem::swap(&mut self.r, &mut self.levels[0].b);
        std::mem::swap(&mut self.z, &mut self.levels[0].x);
    }

    /// Solves A x = b (A with the sinks last set; `b` and `x` unpadded) by
    /// preconditioned CG from x = 0, to ‖r‖₂ ≤ `rtol`·‖b‖₂. Returns the
    /// iterations taken.
    pub(crate) fn solve(
        &mut self,
        b: &[f64],
        x: &mut [f64],
        rtol: f64,
        max_iterations: usize,
    ) -> Result<usize, LinearFailure> {
        let (nx, ny) = (self.levels[0].nx, self.levels[0].ny);
        self.x.fill(0.0);
        self.r.fill(0.0);
        for i in 0..nx {
            for j in 0..ny {
                let k = self.levels[0].at(i, j);
                self.r[k] = b[i * ny + j];
            }
        }
        let result = self.cg(rtol, max_iterations);
        for i in 0..nx {
            for j in 0..ny {
                x[i * ny + j] = self.x[self.levels[0].at(i, j)];
            }
        }
        result
    }

    fn cg(&mut self, rtol: f64, max_iterations: usize) -> Result<usize, LinearFailure> {
        let norm_b = dot(&self.r, &self.r).sqrt();
        if norm_b == 0.0 {
            return Ok(0);
        }
        self.precondition();
        self.p.copy_from_slice(&self.z);
        let mut rz = dot(&self.r, &self.z);
        for it in 1..=max_iterations {
            self.levels[0].apply(&self.p, &mut self.q);
            let pq = dot(&self.p, &self.q);
            let positive = pq > 0.0 && rz > 0.0; // false for NaN as well
            if !positive {
                return Err(LinearFailure::Indefinite);
            }
            let alpha = rz / pq;
            for ((x, r), (p, q)) in self
                .x
                .iter_mut()
                .zip(self.r.iter_mut())
                .zip(self.p.iter().zip(&self.q))
            {
                *x += alpha * p;
                *r -= alpha * q;
            }
            let rel = dot(&self.r, &self.r).sqrt() / norm_b;
            if rel <= rtol {
                return Ok(it);
            }
            if !rel.is_finite() {
                return Err(LinearFailure::Indefinite);
            }
            self.precondition();
            let rz_new = dot(&self.r, &self.z);
            let beta = rz_new / rz;
            rz = rz_new;
            for (p, z) in self.p.iter_mut().zip(&self.z) {
                *p = z + beta * *p;
            }
        }
        Err(LinearFailure::NotConverged(
            dot(&self.r, &self.r).sqrt() / norm_b,
        ))
    }
}

/// a·b with four independent partial sums: a single running sum is a
/// chain of dependent additions that cannot vectorize; four chains can
/// (the order is fixed, so the result is deterministic).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random-ish SPD system: the CG solution satisfies A x = b.
    #[test]
    fn solves_a_jumping_coefficient_system() {
        for (nx, ny) in [(37usize, 23usize), (100, 100), (301, 1), (1, 5)] {
            let n = nx * ny;
            let ce: Vec<f64> = (0..n)
                .map(|k| {
                    if k / ny + 1 < nx {
                        1.0 + 9.0 * ((k % 7) as f64 / 6.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            let cn: Vec<f64> = (0..n)
                .map(|k| {
                    if k % ny + 1 < ny {
                        0.5 + (k % 3) as f64
                    } else {
                        0.0
                    }
                })
                .collect();
            let sink: Vec<f64> = (0..n).map(|k| 1e-3 * (1 + k % 5) as f64).collect();
            let mut h = Hierarchy::new(nx, ny, &ce, &cn);
            h.set_sink(&sink).unwrap();
            let b: Vec<f64> = (0..n)
                .map(|k| ((k * 37 % 101) as f64 - 50.0) / 50.0)
                .collect();
            let mut x = vec![0.0; n];
            let it = h.solve(&b, &mut x, 1e-10, 200).unwrap();
            // The residual by the unpadded definition of A.
            let l = &h.levels[0];
            let mut err: f64 = 0.0;
            for i in 0..nx {
                for j in 0..ny {
                    let k = i * ny + j;
                    let mut v = (l.csum[l.at(i, j)] + sink[k]) * x[k];
                    if i > 0 {
                        v -= ce[k - ny] * x[k - ny];
                    }
                    if i + 1 < nx {
                        v -= ce[k] * x[k + ny];
                    }
                    if j > 0 {
                        v -= cn[k - 1] * x[k - 1];
                    }
                    if j + 1 < ny {
                        v -= cn[k] * x[k + 1];
                    }
                    err = err.max((v - b[k]).abs());
                }
            }
            assert!(
                err < 1e-8,
                "{nx}x{ny}: residual {err} after {it} iterations"
            );
            assert!(it < 60, "{nx}x{ny}: {it} iterations");
        }
    }

    /// Zero sinks and no walls: the Laplacian alone is singular.
    #[test]
    fn singular_system_is_refused() {
        let (nx, ny) = (20, 20);
        let ce: Vec<f64> = (0..nx * ny)
            .map(|k| if k / ny + 1 < nx { 1.0 } else { 0.0 })
            .collect();
        let cn: Vec<f64> = (0..nx * ny)
            .map(|k| if k % ny + 1 < ny { 1.0 } else { 0.0 })
            .collect();
        let mut h = Hierarchy::new(nx, ny, &ce, &cn);
        assert_eq!(
            h.set_sink(&vec![0.0; nx * ny]),
            Err(LinearFailure::Indefinite)
        );
    }
}
