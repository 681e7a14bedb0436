//! Conjugate gradients preconditioned by an aggregation multigrid V-cycle
//! for the symmetric 5-point (2D) and 7-point (3D) systems of the
//! finite-volume solver.
//!
//! Every level holds an operator of the same form,
//! (A x)_k = (Σ_nb c_k,nb + s_k) x_k − Σ_nb c_k,nb x_nb,
//! with face conductances c (fixed for a problem) and a diagonal "sink" s
//! (walls, perfusion and its slope, the time-derivative mass: it changes at
//! every Newton iteration). A coarse cell is a 2 × 2 (3D: 2 × 2 × 2) block
//! of fine cells (one cell thinner along an axis where its size is odd, or
//! one cell thick); the
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
/// Red–black Gauss–Seidel sweeps before and after each coarse correction:
/// V(1,1) in 2D (fewer CG iterations per unit of work than V(2,2) on the
/// paper's problems), V(2,2) in 3D (17 rather than 28 CG iterations on the
/// nonlinear 64³ benchmark, 10 % less time: a 2 × 2 × 2 aggregate leaves
/// more to the smoother than a 2 × 2 one; docs/PERFORMANCE.md).
fn sweeps(axes: usize) -> usize {
    if axes == 3 { 2 } else { 1 }
}
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

/// Levels with at least this many cells run their row loops on the rayon
/// pool (with the `rayon` feature). Rows are independent within each loop
/// and every reduction has a fixed order, so the results are the same on
/// any number of threads.
/// (About 100³: below it, handing rows to the pool costs more than it
/// saves on two cores; every 2D grid up to 1 000² stays on one thread.)
const PARALLEL_CELLS: usize = 1 << 20;

/// Runs `f(row_start, row)` over the interior rows of `out` (chunks of
/// `row_len` elements: the padding cell, the row's cells, the padding
/// cell), in parallel on large levels. `interior(q)` gives chunk q's padded
/// index of its first interior cell, or `None` for a padding row.
fn for_rows<F>(
    out: &mut [f64],
    row_len: usize,
    parallel: bool,
    interior: impl Fn(usize) -> Option<usize> + Sync,
    f: F,
) where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let run = |(q, row): (usize, &mut [f64])| {
        if let Some(c) = interior(q) {
            f(c, row);
        }
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        out.par_chunks_mut(row_len)
            .enumerate()
            .with_min_len(8)
            .for_each(run);
        return;
    }
    let _ = parallel;
    out.chunks_mut(row_len).enumerate().for_each(run);
}

/// Threads of the current rayon pool (1 without the `rayon` feature).
fn threads() -> usize {
    #[cfg(feature = "rayon")]
    return rayon::current_num_threads();
    #[cfg(not(feature = "rayon"))]
    1
}

/// One level of the hierarchy, stored with one layer of padding cells
/// around the grid (zero conductance, zero value) so that the loops need
/// no boundary branches. Rows run along the last axis (y in 2D, z in 3D);
/// cell (i, j[, k]) sits at Σ_a (index_a + 1)·stride_a.
#[derive(Debug, Clone)]
struct Level {
    axes: usize,
    /// Cells per axis (1 beyond the active axes).
    n: [usize; 3],
    /// Padded strides per axis.
    ps: [usize; 3],
    /// Cells per row (along the last axis).
    inner: usize,
    /// Padded index of the first interior cell of every row, in row-major
    /// order of the other axes.
    rows: Vec<usize>,
    /// Parity of each row's outer coordinates.
    parity: Vec<usize>,
    /// For each row, the row of the next coarser level it restricts to.
    coarse_row: Vec<usize>,
    /// Conductance to the next cell along each axis; 0 on the last layer
    /// and the padding (empty beyond the active axes).
    c: [Vec<f64>; 3],
    /// Σ conductances per cell (fixed).
    csum: Vec<f64>,
    diag: Vec<f64>,
    inv_diag: Vec<f64>,
    /// Scratch: right-hand side, solution and residual of this level, and
    /// the Gauss–Seidel partial sums.
    b: Vec<f64>,
    x: Vec<f64>,
    r: Vec<f64>,
    tmp: Vec<f64>,
}

impl Level {
    /// A level of `n` cells per axis (`axes` active) with zero
    /// conductances.
    fn empty(axes: usize, n: [usize; 3]) -> Self {
        let pd: [usize; 3] = std::array::from_fn(|a| if a < axes { n[a] + 2 } else { 1 });
        let ps = [pd[1] * pd[2], pd[2], 1];
        let len = pd.iter().product();
        let inner = n[axes - 1];
        let (mut rows, mut parity) = (Vec::new(), Vec::new());
        let outer1 = if axes == 3 { n[1] } else { 1 };
        for i in 0..n[0] {
            for j in 0..outer1 {
                rows.push((i + 1) * ps[0] + if axes == 3 { (j + 1) * ps[1] } else { 0 } + 1);
                parity.push((i + j) % 2);
            }
        }
        let vec = || vec![0.0; len];
        Self {
            axes,
            n,
            ps,
            inner,
            coarse_row: Vec::new(),
            rows,
            parity,
            c: std::array::from_fn(|a| if a < axes { vec![0.0; len] } else { Vec::new() }),
            csum: vec(),
            diag: vec(),
            inv_diag: vec(),
            b: vec(),
            x: vec(),
            r: vec(),
            // Only the rayon path's Gauss–Seidel needs a whole-level buffer.
            tmp: if cfg!(feature = "rayon") && n.iter().product::<usize>() >= PARALLEL_CELLS {
                vec()
            } else {
                Vec::new()
            },
        }
    }

    /// A level from unpadded row-major conductances (one slice per axis).
    fn new(n: [usize; 3], c: &[&[f64]]) -> Self {
        let mut level = Self::empty(c.len(), n);
        level.set_conductances(c);
        level
    }

    /// Calls `f(unpadded index, padded index, coordinates)` for every cell
    /// in row-major order.
    fn for_cells(&self, mut f: impl FnMut(usize, usize, [usize; 3])) {
        let mut u = 0;
        for i in 0..self.n[0] {
            for j in 0..self.n[1] {
                for k in 0..self.n[2] {
                    let at = [i, j, k];
                    f(u, self.at(at), at);
                    u += 1;
                }
            }
        }
    }

    /// Copies unpadded conductances in (those leading out of the grid are
    /// ignored).
    fn set_conductances(&mut self, c: &[&[f64]]) {
        let mut fresh = std::mem::take(&mut self.c);
        self.for_cells(|u, k, at| {
            for a in 0..self.axes {
                fresh[a][k] = if at[a] + 1 < self.n[a] { c[a][u] } else { 0.0 };
            }
        });
        self.c = fresh;
        self.sum_conductances();
    }

    fn sum_conductances(&mut self) {
        let mut csum = std::mem::take(&mut self.csum);
        self.for_cells(|_, k, _| {
            let mut v = self.c[0][k] + self.c[0][k - self.ps[0]];
            for a in 1..self.axes {
                v += self.c[a][k];
                v += self.c[a][k - self.ps[a]];
            }
            csum[k] = v;
        });
        self.csum = csum;
    }

    fn cells(&self) -> usize {
        self.n.iter().product()
    }

    fn parallel(&self) -> bool {
        #[cfg(feature = "rayon")]
        return self.cells() >= PARALLEL_CELLS;
        #[cfg(not(feature = "rayon"))]
        false
    }

    /// Padded index of the cell at `at`.
    fn at(&self, at: [usize; 3]) -> usize {
        (0..self.axes).map(|a| (at[a] + 1) * self.ps[a]).sum()
    }

    /// Padded index of the cell with unpadded index `u`.
    fn padded(&self, u: usize) -> usize {
        let (nyz, nz) = (self.n[1] * self.n[2], self.n[2]);
        self.at([u / nyz, (u / nz) % self.n[1], u % nz])
    }

    /// The padded length of one row chunk (its cells and two padding
    /// cells), and the map from a chunk to its first interior cell.
    fn row_chunks(&self) -> (usize, impl Fn(usize) -> Option<usize> + Sync + use<>) {
        let (axes, n, row_len) = (self.axes, self.n, self.inner + 2);
        let interior = move |q: usize| {
            let (pi, pj) = if axes == 3 {
                (q / (n[1] + 2), q % (n[1] + 2))
            } else {
                (q, 1)
            };
            let inside = (1..=n[0]).contains(&pi) && (axes == 2 || (1..=n[1]).contains(&pj));
            inside.then(|| q * row_len + 1)
        };
        (row_len, interior)
    }

    /// The next coarser level (2 × 2 × 2 blocks, 2 × 2 in 2D).
    fn coarsen(&mut self) -> Level {
        let n = std::array::from_fn(|a| {
            if a < self.axes {
                self.n[a].div_ceil(2)
            } else {
                1
            }
        });
        let mut coarse = Level::empty(self.axes, n);
        let outer1 = if self.axes == 3 { self.n[1] } else { 1 };
        let coarse_outer1 = if self.axes == 3 { n[1] } else { 1 };
        self.coarse_row = (0..self.rows.len())
            .map(|r| (r / outer1 / 2) * coarse_outer1 + (r % outer1) / 2)
            .collect();
        self.restrict_conductances(&mut coarse);
        coarse
    }

    /// Sets `coarse`'s conductances (the next coarser level's) from this
    /// level's: a fine face is a coarse face when it leaves its block, and
    /// the coarse face conducts the sum of its fine faces.
    fn restrict_conductances(&self, coarse: &mut Level) {
        for c in &mut coarse.c[..self.axes] {
            c.fill(0.0);
        }
        self.for_cells(|_, k, at| {
            let kc = coarse.at(at.map(|v| v / 2));
            for (a, &index) in at.iter().enumerate().take(self.axes) {
                if index % 2 == 1 {
                    coarse.c[a][kc] += self.c[a][k];
                }
            }
        });
        coarse.sum_conductances();
    }

    /// y = A x over the interior (padding of y left untouched, x's zero).
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        match self.axes {
            2 => self.apply_axes::<2, false>(x, y),
            _ => self.apply_axes::<3, false>(x, y),
        }
    }

    /// r = b − A x over the interior.
    fn residual(&mut self) {
        let mut r = std::mem::take(&mut self.r);
        match self.axes {
            2 => self.apply_axes::<2, true>(&self.x, &mut r),
            _ => self.apply_axes::<3, true>(&self.x, &mut r),
        }
        self.r = r;
    }

    /// y = A x (`RESIDUAL` false) or y = b − A x, row by row: each row
    /// works on windows of exactly `inner` cells, so the loop has no bounds
    /// checks and vectorizes. The terms are summed axis by axis, the lower
    /// neighbour first.
    fn apply_axes<const A: usize, const RESIDUAL: bool>(&self, x: &[f64], y: &mut [f64]) {
        let n = self.inner;
        let (row_len, interior) = self.row_chunks();
        for_rows(y, row_len, self.parallel(), interior, |c, row| {
            let xc = &x[c..c + n];
            let xm: [&[f64]; A] = std::array::from_fn(|a| &x[c - self.ps[a]..][..n]);
            let xp: [&[f64]; A] = std::array::from_fn(|a| &x[c + self.ps[a]..][..n]);
            let cm: [&[f64]; A] = std::array::from_fn(|a| &self.c[a][c - self.ps[a]..][..n]);
            let cp: [&[f64]; A] = std::array::from_fn(|a| &self.c[a][c..][..n]);
            let (d, b) = (&self.diag[c..c + n], &self.b[c..c + n]);
            let y = &mut row[1..1 + n];
            for j in 0..n {
                let mut v = d[j] * xc[j];
                for a in 0..A {
                    v -= cm[a][j] * xm[a][j];
                    v -= cp[a][j] * xp[a][j];
                }
                y[j] = if RESIDUAL { b[j] - v } else { v };
            }
        });
    }

    /// Gauss–Seidel on the cells of one colour (red: an even sum of
    /// coordinates) of row `r`, in `x`. A cell reads only cells of the
    /// other colour.
    #[inline]
    fn relax_row<const A: usize>(&self, x: &mut [f64], r: usize, red: bool) {
        let n = self.inner;
        let c = self.rows[r];
        // Split x into the cells before the row, the row with its two
        // padding cells (cur[jj] is cell c + jj − 1), and the rest: the
        // other rows' neighbours lie in the outer parts.
        let (before, rest) = x.split_at_mut(c - 1);
        let (cur, after) = rest.split_at_mut(n + 2);
        let behind = c + n + 1; // index of after[0]
        // The other axes' neighbour windows (A − 1 of them; the unused
        // slot repeats the first).
        let pick = |a: usize| if a + 1 < A { a } else { 0 };
        let xm: [&[f64]; 2] = std::array::from_fn(|a| &before[c - self.ps[pick(a)]..][..n]);
        let xp: [&[f64]; 2] = std::array::from_fn(|a| &after[c + self.ps[pick(a)] - behind..][..n]);
        let cm: [&[f64]; 2] =
            std::array::from_fn(|a| &self.c[pick(a)][c - self.ps[pick(a)]..][..n]);
        let cp: [&[f64]; 2] = std::array::from_fn(|a| &self.c[pick(a)][c..][..n]);
        let (b, inv) = (&self.b[c..c + n], &self.inv_diag[c..c + n]);
        let ci = &self.c[A - 1][c - 1..c + n];
        let mut j = usize::from((self.parity[r] == 1) == red);
        while j < n {
            let mut v = b[j];
            for a in 0..A - 1 {
                v += cm[a][j] * xm[a][j];
                v += cp[a][j] * xp[a][j];
            }
            cur[j + 1] = (v + ci[j] * cur[j] + ci[j + 1] * cur[j + 2]) * inv[j];
            j += 2;
        }
    }

    /// One symmetric half of red–black Gauss–Seidel: red then black
    /// (`forward`) or black then red. On one thread both colours go in one
    /// pass over the planes (along the first axis), the second colour one
    /// plane behind the first: a cell of the second colour in plane i − 1
    /// reads first-colour cells of planes i − 2 … i, all updated by then,
    /// and a first-colour cell of plane i reads second-colour cells not yet
    /// updated, so the result is that of two whole passes with half the
    /// memory traffic. On the rayon pool, two passes of
    /// [`Level::relax_two_pass`].
    fn sweep(&mut self, forward: bool) {
        match self.axes {
            2 => self.sweep_axes::<2>(forward),
            _ => self.sweep_axes::<3>(forward),
        }
    }

    fn sweep_axes<const A: usize>(&mut self, first: bool) {
        if self.parallel() && threads() > 1 {
            self.relax_two_pass::<A>(first);
            self.relax_two_pass::<A>(!first);
            return;
        }
        let per_plane = if A == 3 { self.n[1] } else { 1 };
        let mut x = std::mem::take(&mut self.x);
        for i in 0..=self.n[0] {
            if i < self.n[0] {
                for r in i * per_plane..(i + 1) * per_plane {
                    self.relax_row::<A>(&mut x, r, first);
                }
            }
            if i >= 1 {
                for r in (i - 1) * per_plane..i * per_plane {
                    self.relax_row::<A>(&mut x, r, !first);
                }
            }
        }
        self.x = x;
    }

    /// One colour of Gauss–Seidel on the rayon pool, with the same results
    /// as [`Level::relax_row`] over every row:
    /// every row's right-hand side and other-row neighbours go to `tmp`
    /// first (reading x), then each row updates in place with its in-row
    /// neighbours.
    fn relax_two_pass<const A: usize>(&mut self, red: bool) {
        let mut tmp = std::mem::take(&mut self.tmp);
        let mut x = std::mem::take(&mut self.x);
        let this = &*self;
        let n = this.inner;
        let (row_len, interior) = this.row_chunks();
        // The first cell of the colour in the row starting at c.
        let first = |c: usize| usize::from((this.parity[this.row_of(c)] == 1) == red);
        {
            let x = &x;
            for_rows(&mut tmp, row_len, true, &interior, |c, row| {
                let mut j = first(c);
                while j < n {
                    let k = c + j;
                    let mut v = this.b[k];
                    for a in 0..A - 1 {
                        let s = this.ps[a];
                        v += this.c[a][k - s] * x[k - s];
                        v += this.c[a][k] * x[k + s];
                    }
                    row[1 + j] = v;
                    j += 2;
                }
            });
        }
        {
            let (ci, inv, tmp) = (&this.c[A - 1], &this.inv_diag, &tmp);
            for_rows(&mut x, row_len, true, &interior, |c, cur| {
                // cur[jj] is cell c + jj − 1.
                let base = c - 1;
                let mut jj = 1 + first(c);
                while jj <= n {
                    let k = base + jj;
                    cur[jj] = (tmp[k] + ci[k - 1] * cur[jj - 1] + ci[k] * cur[jj + 1]) * inv[k];
                    jj += 2;
                }
            });
        }
        self.x = x;
        self.tmp = tmp;
    }

    /// The rows of this level that restrict to row `cr` of `coarse` (the
    /// next coarser level), in increasing order.
    fn rows_into(&self, cr: usize, coarse: &Level) -> impl Iterator<Item = usize> + use<> {
        let (axes, n) = (self.axes, self.n);
        let (ci, cj) = if axes == 3 {
            (cr / coarse.n[1], cr % coarse.n[1])
        } else {
            (cr, 0)
        };
        let outer1 = if axes == 3 { n[1] } else { 1 };
        let dj = if axes == 3 { 2 } else { 1 };
        (2 * ci..(2 * ci + 2).min(n[0])).flat_map(move |i| {
            let j0 = if axes == 3 { 2 * cj } else { 0 };
            (j0..(j0 + dj).min(outer1)).map(move |j| i * outer1 + j)
        })
    }

    /// The row whose first interior cell is `c`.
    fn row_of(&self, c: usize) -> usize {
        if self.axes == 3 {
            let (pi, pj) = (c / self.ps[0], (c % self.ps[0]) / self.ps[1]);
            (pi - 1) * self.n[1] + (pj - 1)
        } else {
            c / self.ps[0] - 1
        }
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
    /// The per-chunk partial sums of a parallel dot product.
    partials: Vec<f64>,
}

impl Hierarchy {
    /// The hierarchy for conductances `c` (one slice per axis, unpadded,
    /// row-major) on a grid of `n` cells per axis (n[2] = 1 in 2D).
    pub(crate) fn new(n: [usize; 3], c: &[&[f64]]) -> Self {
        let mut levels = vec![Level::new(n, c)];
        while levels.last().expect("one level").cells() > COARSEST_CELLS {
            let next = levels.last_mut().expect("one level").coarsen();
            levels.push(next);
        }
        let sinks = levels.iter().map(|l| vec![0.0; l.cells()]).collect();
        let len = levels[0].b.len();
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
            partials: vec![0.0; len.div_ceil(VECTOR_CHUNK)],
        }
    }

    /// Replaces the face conductances (same grid) in place, without
    /// allocating; set the sinks again before solving.
    pub(crate) fn set_conductances(&mut self, c: &[&[f64]]) {
        self.levels[0].set_conductances(c);
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
            // Row by row: each coarse cell adds its block's sinks in the
            // fine cells' row-major order.
            let (level, cn) = (&self.levels[l - 1], self.levels[l].inner);
            for (s, &cr) in fine.chunks_exact(level.inner).zip(&level.coarse_row) {
                let row = &mut coarse[cr * cn..(cr + 1) * cn];
                for (j, &v) in s.iter().enumerate() {
                    row[j / 2] += v;
                }
            }
        }
        for (level, sink) in self.levels.iter_mut().zip(&self.sinks) {
            let n = level.inner;
            let mut ok = true;
            for (r, s) in sink.chunks_exact(n).enumerate() {
                let c = level.rows[r];
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
        let (n, m) = (level.n, level.cells());
        let unpadded_stride = [n[1] * n[2], n[2], 1];
        let a = &mut self.chol;
        a.fill(0.0);
        level.for_cells(|k, pk, at| {
            a[k * m + k] = level.diag[pk];
            for ax in 0..level.axes {
                if at[ax] + 1 < n[ax] {
                    a[(k + unpadded_stride[ax]) * m + k] = -level.c[ax][pk];
                }
            }
        });
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
        let m = level.cells();
        let a = &self.chol;
        let mut y = [0.0f64; COARSEST_CELLS];
        let y = &mut y[..m];
        for (k, v) in y.iter_mut().enumerate() {
            *v = level.b[level.padded(k)];
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
            let pk = level.padded(k);
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
            for _ in 0..sweeps(level.axes) {
                level.sweep(true);
            }
            level.residual();
        }
        // Restriction: each coarse cell sums the residuals of its block,
        // row by coarse row (its fine rows in order).
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let (fine, coarse) = (&mut fine[l], &mut coarse[0]);
        let (n, cn) = (fine.inner, coarse.inner);
        let mut b = std::mem::take(&mut coarse.b);
        {
            let (row_len, interior) = coarse.row_chunks();
            let (fine, coarse) = (&*fine, &*coarse);
            for_rows(&mut b, row_len, fine.parallel(), interior, |c0, row| {
                let row = &mut row[1..1 + cn];
                row.fill(0.0);
                for fr in fine.rows_into(coarse.row_of(c0), coarse) {
                    let f0 = fine.rows[fr];
                    for (c, pair) in row.iter_mut().zip(fine.r[f0..f0 + n].chunks(2)) {
                        *c += pair.iter().sum::<f64>();
                    }
                }
            });
        }
        coarse.b = b;
        self.vcycle(l + 1);
        // Prolongation: each fine cell takes its block's (over-)correction.
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let (fine, coarse) = (&mut fine[l], &coarse[0]);
        let mut x = std::mem::take(&mut fine.x);
        {
            let (row_len, interior) = fine.row_chunks();
            let fine = &*fine;
            for_rows(&mut x, row_len, fine.parallel(), interior, |f0, row| {
                let c0 = coarse.rows[fine.coarse_row[fine.row_of(f0)]];
                for (pair, &c) in row[1..1 + n].chunks_mut(2).zip(&coarse.x[c0..c0 + cn]) {
                    for v in pair {
                        *v += OVER_CORRECTION * c;
                    }
                }
            });
        }
        fine.x = x;
        for _ in 0..sweeps(fine.axes) {
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
        let fine = &self.levels[0];
        let n = fine.inner;
        self.x.fill(0.0);
        self.r.fill(0.0);
        for (&c, src) in fine.rows.iter().zip(b.chunks_exact(n)) {
            self.r[c..c + n].copy_from_slice(src);
        }
        let result = self.cg(rtol, max_iterations);
        let fine = &self.levels[0];
        for (&c, dst) in fine.rows.iter().zip(x.chunks_exact_mut(n)) {
            dst.copy_from_slice(&self.x[c..c + n]);
        }
        result
    }

    fn cg(&mut self, rtol: f64, max_iterations: usize) -> Result<usize, LinearFailure> {
        let norm_b = dot(&self.r, &self.r, &mut self.partials).sqrt();
        if norm_b == 0.0 {
            return Ok(0);
        }
        self.precondition();
        self.p.copy_from_slice(&self.z);
        let mut rz = dot(&self.r, &self.z, &mut self.partials);
        for it in 1..=max_iterations {
            self.levels[0].apply(&self.p, &mut self.q);
            let pq = dot(&self.p, &self.q, &mut self.partials);
            let positive = pq > 0.0 && rz > 0.0; // false for NaN as well
            if !positive {
                return Err(LinearFailure::Indefinite);
            }
            let alpha = rz / pq;
            update_solution(&mut self.x, &mut self.r, &self.p, &self.q, alpha);
            let rel = dot(&self.r, &self.r, &mut self.partials).sqrt() / norm_b;
            if rel <= rtol {
                return Ok(it);
            }
            if !rel.is_finite() {
                return Err(LinearFailure::Indefinite);
            }
            self.precondition();
            let rz_new = dot(&self.r, &self.z, &mut self.partials);
            let beta = rz_new / rz;
            rz = rz_new;
            update_direction(&mut self.p, &self.z, beta);
        }
        Err(LinearFailure::NotConverged(
            dot(&self.r, &self.r, &mut self.partials).sqrt() / norm_b,
        ))
    }
}

/// Vectors at least this long (padded cells) have their dot products and
/// updates split into chunks of [`VECTOR_CHUNK`] run on the rayon pool;
/// the chunks' partial sums are added in order, so the result does not
/// depend on the number of threads. Shorter vectors take [`dot_serial`]
/// (2D grids up to about 1 400² keep their results bit for bit).
#[cfg(feature = "rayon")]
const PARALLEL_VECTOR_LEN: usize = 1 << 21;
/// Elements per chunk of the parallel vector operations.
const VECTOR_CHUNK: usize = 1 << 15;

/// x += αp and r −= αq, element by element (on the rayon pool, in chunks,
/// for long vectors).
fn update_solution(x: &mut [f64], r: &mut [f64], p: &[f64], q: &[f64], alpha: f64) {
    type Pairs<'a> = ((&'a mut [f64], &'a mut [f64]), (&'a [f64], &'a [f64]));
    let update = |((x, r), (p, q)): Pairs<'_>| {
        for ((x, r), (p, q)) in x.iter_mut().zip(r.iter_mut()).zip(p.iter().zip(q)) {
            *x += alpha * p;
            *r -= alpha * q;
        }
    };
    #[cfg(feature = "rayon")]
    if x.len() >= PARALLEL_VECTOR_LEN {
        use rayon::prelude::*;
        let (xr, pq) = (
            x.par_chunks_mut(VECTOR_CHUNK)
                .zip(r.par_chunks_mut(VECTOR_CHUNK)),
            p.par_chunks(VECTOR_CHUNK).zip(q.par_chunks(VECTOR_CHUNK)),
        );
        xr.zip(pq).for_each(update);
        return;
    }
    update(((x, r), (p, q)));
}

/// p = z + βp, element by element (on the rayon pool, in chunks, for long
/// vectors).
fn update_direction(p: &mut [f64], z: &[f64], beta: f64) {
    let update = |(p, z): (&mut [f64], &[f64])| {
        for (p, z) in p.iter_mut().zip(z) {
            *p = z + beta * *p;
        }
    };
    #[cfg(feature = "rayon")]
    if p.len() >= PARALLEL_VECTOR_LEN {
        use rayon::prelude::*;
        p.par_chunks_mut(VECTOR_CHUNK)
            .zip(z.par_chunks(VECTOR_CHUNK))
            .for_each(update);
        return;
    }
    update((p, z));
}

/// a·b: in fixed-order chunks on the rayon pool for long vectors (their
/// partial sums kept in `partials`, one per chunk, and added in order),
/// [`dot_serial`] otherwise.
fn dot(a: &[f64], b: &[f64], partials: &mut [f64]) -> f64 {
    #[cfg(feature = "rayon")]
    if a.len() >= PARALLEL_VECTOR_LEN {
        use rayon::prelude::*;
        let partials = &mut partials[..a.len().div_ceil(VECTOR_CHUNK)];
        a.par_chunks(VECTOR_CHUNK)
            .zip(b.par_chunks(VECTOR_CHUNK))
            .zip(partials.par_iter_mut())
            .for_each(|((x, y), s)| *s = dot_serial(x, y));
        return partials.iter().sum();
    }
    let _ = partials;
    dot_serial(a, b)
}

/// a·b with four independent partial sums: a single running sum is a
/// chain of dependent additions that cannot vectorize; four chains can
/// (the order is fixed, so the result is deterministic).
fn dot_serial(a: &[f64], b: &[f64]) -> f64 {
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
            let mut h = Hierarchy::new([nx, ny, 1], &[&ce, &cn]);
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
                    let mut v = (l.csum[l.at([i, j, 0])] + sink[k]) * x[k];
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
        let mut h = Hierarchy::new([nx, ny, 1], &[&ce, &cn]);
        assert_eq!(
            h.set_sink(&vec![0.0; nx * ny]),
            Err(LinearFailure::Indefinite)
        );
    }
}
