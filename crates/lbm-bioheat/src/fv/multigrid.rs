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
//! The V-cycle smooths with red–black Gauss–Seidel (red then black before
//! the coarse correction, black then red after) and solves the coarsest
//! level (≤ 64 cells) by a dense Cholesky factorization: it is a symmetric
//! positive definite preconditioner whenever A is, as CG requires. Its
//! matrices are stored in single precision (its vectors and arithmetic
//! stay double), so it is the exact V-cycle of a slightly rounded A: still
//! a fixed SPD preconditioner, moving half the bytes.
//!
//! Rows run along the last axis and store their even cells, then their
//! odd ones, so each colour of a row is one contiguous loop. The
//! smoothing stages and the residual (or the prolongation and the
//! post-smoothing stages) run as one wavefront over the planes
//! ([`Level::pipeline`]), one pass through memory per half V-cycle.

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

/// The number type of a level's matrix (conductances and diagonal):
/// `f64` for the finest-level operator that CG iterates on, `f32` for the
/// V-cycle's levels. The V-cycle is then the exact V-cycle of a matrix
/// rounded to single precision, computed in double precision: a fixed
/// linear, symmetric positive definite preconditioner as CG requires, that
/// streams 4 rather than 8 bytes per matrix entry through its
/// memory-bound sweeps.
trait Entry: Copy + Default + Send + Sync + std::fmt::Debug + std::ops::AddAssign + 'static {
    fn narrow(v: f64) -> Self;
    fn wide(self) -> f64;
}

impl Entry for f64 {
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
}

impl Entry for f32 {
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        f64::from(self)
    }
}

/// Levels with at least this many cells (64³, or 512² in 2D) run their
/// row loops on the rayon pool (with the `rayon` feature). Rows are
/// independent within each loop, so the results are the same on any
/// number of threads. (Taking the 128³ grid's second level along keeps
/// its coarse-grid work off the serial path.)
#[cfg(feature = "rayon")]
const PARALLEL_CELLS: usize = 1 << 18;

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
/// no boundary branches. Rows run along the last axis (y in 2D, z in 3D)
/// and hold their cells split by the parity of the index along the row:
/// a padding cell, the even cells, a padding cell, the odd cells, a
/// padding cell. A row's cells of one Gauss–Seidel colour are then all
/// even or all odd, so each colour sweeps contiguous memory (the loop
/// vectorizes) and its in-row neighbours lie in the other half, at a
/// fixed offset. Cell (i, j[, k]) sits at Σ_outer (index + 1)·stride +
/// [`Level::slot`] of its index along the row.
#[derive(Debug, Clone)]
struct Level<T> {
    axes: usize,
    /// Cells per axis (1 beyond the active axes).
    n: [usize; 3],
    /// Padded strides per axis.
    ps: [usize; 3],
    /// Cells per row (along the last axis).
    inner: usize,
    /// Even cells per row (the odd ones are `inner − even`).
    even: usize,
    /// Padded index of the first interior cell of every row, in row-major
    /// order of the other axes.
    rows: Vec<usize>,
    /// Parity of each row's outer coordinates.
    parity: Vec<usize>,
    /// For each row, the row of the next coarser level it restricts to.
    coarse_row: Vec<usize>,
    /// Conductance to the next cell along each axis; 0 on the last layer
    /// and the padding (empty beyond the active axes).
    c: [Vec<T>; 3],
    /// Σ conductances per cell (fixed).
    csum: Vec<f64>,
    diag: Vec<T>,
    inv_diag: Vec<T>,
    /// Scratch: right-hand side, solution and residual of this level.
    b: Vec<f64>,
    x: Vec<f64>,
    r: Vec<f64>,
}

/// One stage of a smoothing pipeline ([`Level::pipeline`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// x += (over-corrected) x of the coarse cell of each cell's block.
    Prolong,
    /// Gauss–Seidel on the cells of one colour (true: red, an even sum of
    /// coordinates).
    Relax(bool),
    /// The first red half-sweep from x = 0 (whatever x holds): red cells
    /// b/diagonal, black cells 0.
    RelaxFromZero,
    /// r = b − A x.
    Residual,
}

/// [`Level::set_diagonal`]'s rows on one thread.
fn serial_diagonal<T: Entry>(
    diag: &mut [T],
    inv: &mut [T],
    row_len: usize,
    with_inverse: bool,
    run: impl Fn((usize, (&mut [T], &mut [T]))) -> bool,
) -> bool {
    let mut ok = true;
    if with_inverse {
        for (q, pair) in diag
            .chunks_mut(row_len)
            .zip(inv.chunks_mut(row_len))
            .enumerate()
        {
            ok &= run((q, pair));
        }
    } else {
        for (q, d) in diag.chunks_mut(row_len).enumerate() {
            ok &= run((q, (d, &mut [])));
        }
    }
    ok
}

/// The rows each stage of a pipeline works on in one band
/// ([`Level::band`]): stage p on rows `rows[p]` of every plane.
struct Band<'a, T> {
    shared: Shared,
    stages: &'a [Stage],
    coarse: Option<&'a Level<T>>,
    rows: [std::ops::Range<usize>; MAX_STAGES],
}

/// Whether the CPU supports AVX2 (checked once, then cached by the
/// standard library).
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The most stages of a pipeline: the prolongation and two sweeps.
const MAX_STAGES: usize = 5;
/// The bytes of a band's planes in flight that a pipeline aims to keep in
/// a core's private cache (about a third of a 2 MiB L2): tiles of rows
/// are sized so that every stage's rows of the planes in flight fit
/// ([`Level::tile_rows`]); levels whose whole planes in flight take at
/// most twice this are not tiled (docs/PERFORMANCE.md).
const TILE_BYTES: usize = 3 << 18;
/// The fewest rows of a tile.
const MIN_TILE_ROWS: usize = 8;
/// The fewest rows per plane of a pipeline's segment on one thread
/// ([`Level::pipeline`]): at least twice the stages, so that the wedges
/// on either side of a segment never overlap (and a little more, so that
/// the segment keeps rows of its own at every stage).
const MIN_SEGMENT_ROWS: usize = 2 * MAX_STAGES + 2;

/// A level's x and r, and optionally the per-row sums, as raw pointers,
/// for the segments or wedges of a pipeline that run at once (see [`Level::pipeline`] for why no element
/// that one of them writes is read or written by another).
#[derive(Clone, Copy)]
struct Shared {
    x: *mut f64,
    r: *mut f64,
    /// Length of both vectors.
    len: usize,
    /// Per-row-chunk sums b·x taken after the last stage (null: none),
    /// one per row chunk of the level.
    sums: *mut f64,
}
// SAFETY: the pointers are only dereferenced by `Level::stage_row` and
// `Level::row_sum`, and no element that one concurrently running segment
// or wedge writes is read or written by another (proved at
// `Level::pipeline`; each row's sum is written by the one task that runs
// the row's last stage).
unsafe impl Send for Shared {}
// SAFETY: as for `Send`.
unsafe impl Sync for Shared {}

/// One half of a row (its even or its odd cells): the padded index of
/// its first cell, its number of cells, and the offsets from a cell to
/// its lower and upper neighbours along the row (in the other half).
#[derive(Debug, Clone, Copy)]
struct Half {
    start: usize,
    len: usize,
    lower: isize,
    upper: isize,
}

impl Half {
    /// The padded index `offset` cells from the first one.
    fn shift(&self, offset: isize) -> usize {
        self.start.wrapping_add_signed(offset)
    }
}

impl<T: Entry> Level<T> {
    /// A level of `n` cells per axis (`axes` active) with zero
    /// conductances; with `scratch`, the vectors of a V-cycle level.
    fn empty(axes: usize, n: [usize; 3], scratch: bool) -> Self {
        // Three padding cells along the rows, two along the other axes.
        let pd: [usize; 3] = std::array::from_fn(|a| match a {
            _ if a + 1 == axes => n[a] + 3,
            _ if a < axes => n[a] + 2,
            _ => 1,
        });
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
        let vec = |want: bool| if want { vec![0.0; len] } else { Vec::new() };
        let matrix = |want: bool| {
            if want {
                vec![T::default(); len]
            } else {
                Vec::new()
            }
        };
        Self {
            axes,
            n,
            ps,
            inner,
            even: inner.div_ceil(2),
            coarse_row: Vec::new(),
            rows,
            parity,
            c: std::array::from_fn(|a| matrix(a < axes)),
            csum: vec(true),
            diag: matrix(true),
            inv_diag: matrix(scratch),
            b: vec(scratch),
            x: vec(scratch),
            r: vec(scratch),
        }
    }

    /// A level from unpadded row-major conductances (one slice per axis).
    fn new(n: [usize; 3], c: &[&[f64]], scratch: bool) -> Self {
        let mut level = Self::empty(c.len(), n, scratch);
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
                fresh[a][k] = T::narrow(if at[a] + 1 < self.n[a] { c[a][u] } else { 0.0 });
            }
        });
        self.c = fresh;
        self.sum_conductances();
    }

    fn sum_conductances(&mut self) {
        let mut csum = std::mem::take(&mut self.csum);
        let last = self.axes - 1;
        self.for_cells(|_, k, at| {
            let mut v = 0.0;
            for a in 0..self.axes {
                // The conductance to the lower neighbour: one stride back,
                // or along the row the previous cell's slot (0 for the
                // first cell).
                let lower = if a < last {
                    self.c[a][k - self.ps[a]].wide()
                } else if at[a] > 0 {
                    let mut prev = at;
                    prev[a] -= 1;
                    self.c[a][self.at(prev)].wide()
                } else {
                    0.0
                };
                let own = self.c[a][k].wide();
                v = if a == 0 { own + lower } else { v + own + lower };
            }
            csum[k] = v;
        });
        self.csum = csum;
    }

    fn cells(&self) -> usize {
        self.n.iter().product()
    }

    /// Whether the level's loops go to the pool: large levels, and a pool
    /// of more than one thread (every parallel loop computes what its
    /// serial form does, so the choice never changes a result).
    fn parallel(&self) -> bool {
        #[cfg(feature = "rayon")]
        return self.cells() >= PARALLEL_CELLS && threads() > 1;
        #[cfg(not(feature = "rayon"))]
        false
    }

    /// Padded index of the cell at `at`.
    fn at(&self, at: [usize; 3]) -> usize {
        let last = self.axes - 1;
        (0..last).map(|a| (at[a] + 1) * self.ps[a]).sum::<usize>() + self.slot(at[last])
    }

    /// The position of the cell with index `j` along the row within its
    /// row chunk: 1 + j/2 for even j, even + 2 + j/2 for odd j.
    fn slot(&self, j: usize) -> usize {
        if j.is_multiple_of(2) {
            1 + j / 2
        } else {
            self.even + 2 + j / 2
        }
    }

    /// The two halves of the row whose chunk starts at `c` − 1: for the
    /// even then the odd cells, the padded index of the first cell, the
    /// number of cells and the offsets of the in-row lower and upper
    /// neighbours (which sit in the other half).
    fn halves(&self, c: usize) -> [Half; 2] {
        let e = self.even as isize;
        [
            Half {
                start: c,
                len: self.even,
                lower: e,
                upper: e + 1,
            },
            Half {
                start: c + self.even + 1,
                len: self.inner - self.even,
                lower: -e - 1,
                upper: -e,
            },
        ]
    }

    /// Padded index of the cell with unpadded index `u`.
    fn padded(&self, u: usize) -> usize {
        let (nyz, nz) = (self.n[1] * self.n[2], self.n[2]);
        self.at([u / nyz, (u / nz) % self.n[1], u % nz])
    }

    /// The padded length of one row chunk (its cells and two padding
    /// cells), and the map from a chunk to its first interior cell.
    fn row_chunks(&self) -> (usize, impl Fn(usize) -> Option<usize> + Sync + use<T>) {
        let (axes, n, row_len) = (self.axes, self.n, self.inner + 3);
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
    fn coarsen(&mut self) -> Level<T> {
        let n = std::array::from_fn(|a| {
            if a < self.axes {
                self.n[a].div_ceil(2)
            } else {
                1
            }
        });
        let mut coarse = Level::empty(self.axes, n, true);
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
    fn restrict_conductances(&self, coarse: &mut Level<T>) {
        for c in &mut coarse.c[..self.axes] {
            c.fill(T::default());
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

    /// y = A x over the interior (padding of y left untouched, x's zero),
    /// row by row (on the rayon pool for large levels), and returns x·y
    /// from the same pass through memory: each row's x·y is taken while
    /// its y is in cache and kept in `sums` (one per row chunk), and the
    /// rows' sums are added in order, so the result does not depend on
    /// the number of threads.
    fn apply_dot(&self, x: &[f64], y: &mut [f64], sums: &mut [f64]) -> f64 {
        match self.axes {
            2 => self.apply_dot_axes::<2>(x, y, sums),
            _ => self.apply_dot_axes::<3>(x, y, sums),
        }
    }

    /// [`Level::apply_dot`] for this level's number of axes.
    fn apply_dot_axes<const A: usize>(&self, x: &[f64], y: &mut [f64], sums: &mut [f64]) -> f64 {
        let (row_len, interior) = self.row_chunks();
        let sums = &mut sums[..y.len() / row_len];
        let avx2 = has_avx2();
        let run = |c: usize, row: &mut [f64]| -> f64 {
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                // SAFETY: the CPU supports AVX2 (detected at run time).
                unsafe { self.apply_row_avx2::<A>(x, c, row) };
                return dot_serial(&x[c - 1..][..row.len()], row);
            }
            let _ = avx2;
            self.apply_row::<A>(x, c, row);
            dot_serial(&x[c - 1..][..row.len()], row)
        };
        let each = |(q, (row, s)): (usize, (&mut [f64], &mut f64))| {
            *s = interior(q).map_or(0.0, |c| run(c, row));
        };
        #[cfg(feature = "rayon")]
        if self.parallel() {
            use rayon::prelude::*;
            y.par_chunks_mut(row_len)
                .zip(sums.par_iter_mut())
                .enumerate()
                .with_min_len(8)
                .for_each(each);
            return sums.iter().sum();
        }
        y.chunks_mut(row_len)
            .zip(sums.iter_mut())
            .enumerate()
            .for_each(each);
        sums.iter().sum()
    }

    /// y = A x on the row whose chunk `row` starts at padded index c − 1.
    #[inline(always)]
    fn apply_row<const A: usize>(&self, x: &[f64], c: usize, row: &mut [f64]) {
        for h in self.halves(c) {
            let window = |k: usize| &x[k..][..h.len];
            let out = &mut row[h.start + 1 - c..][..h.len];
            self.stencil_values::<A, false>(&h, window, out);
        }
    }

    /// [`Level::apply_row`] compiled for AVX2 (same results, as for
    /// [`Level::band_avx2`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn apply_row_avx2<const A: usize>(&self, x: &[f64], c: usize, row: &mut [f64]) {
        self.apply_row::<A>(x, c, row);
    }

    /// A x (`RESIDUAL` false) or b − A x on the half row `h` into `out`,
    /// reading x through `window(k)` (the `h.len` values from padded
    /// index k): windows of exactly the half's length, so the loop has no
    /// bounds checks and vectorizes. The terms are summed axis by axis,
    /// the lower neighbour first.
    #[inline(always)]
    fn stencil_values<'a, const A: usize, const RESIDUAL: bool>(
        &self,
        h: &Half,
        window: impl Fn(usize) -> &'a [f64],
        out: &mut [f64],
    ) {
        let (k, n) = (h.start, h.len);
        // Lower and upper neighbours along each axis: a stride away, or in
        // the other half along the row.
        let lower = |a: usize| {
            if a + 1 < A {
                k - self.ps[a]
            } else {
                h.shift(h.lower)
            }
        };
        let upper = |a: usize| {
            if a + 1 < A {
                k + self.ps[a]
            } else {
                h.shift(h.upper)
            }
        };
        let xc = window(k);
        let xm: [&[f64]; A] = std::array::from_fn(|a| window(lower(a)));
        let xp: [&[f64]; A] = std::array::from_fn(|a| window(upper(a)));
        let cm: [&[T]; A] = std::array::from_fn(|a| &self.c[a][lower(a)..][..n]);
        let cp: [&[T]; A] = std::array::from_fn(|a| &self.c[a][k..][..n]);
        let d = &self.diag[k..k + n];
        // (The b of A x alone is never read.)
        let b = if RESIDUAL { &self.b[k..k + n] } else { xc };
        let out = &mut out[..n];
        for j in 0..n {
            let mut v = d[j].wide() * xc[j];
            for a in 0..A {
                v -= cm[a][j].wide() * xm[a][j];
                v -= cp[a][j].wide() * xp[a][j];
            }
            out[j] = if RESIDUAL { b[j] - v } else { v };
        }
    }

    /// Whether the even cells of row `r` have colour `red` (red: an even
    /// sum of coordinates).
    fn even_is(&self, r: usize, red: bool) -> bool {
        (self.parity[r] == 1) != red
    }

    /// New Gauss–Seidel values of the half row `h` into `out`, from the
    /// windows (each `h.len` long) of x at its neighbours: `xm`, `xp`
    /// along the other axes, `xl`, `xr` along the row.
    #[inline(always)]
    fn relax_values<const A: usize>(
        &self,
        h: &Half,
        xm: [&[f64]; 2],
        xp: [&[f64]; 2],
        (xl, xr): (&[f64], &[f64]),
        out: &mut [f64],
    ) {
        let (k, n) = (h.start, h.len);
        let pick = |a: usize| if a + 1 < A { a } else { 0 };
        let cm: [&[T]; 2] = std::array::from_fn(|a| &self.c[pick(a)][k - self.ps[pick(a)]..][..n]);
        let cp: [&[T]; 2] = std::array::from_fn(|a| &self.c[pick(a)][k..][..n]);
        let cl = &self.c[A - 1][h.shift(h.lower)..][..n];
        let cr = &self.c[A - 1][k..k + n];
        let (b, inv) = (&self.b[k..k + n], &self.inv_diag[k..k + n]);
        let out = &mut out[..n];
        for j in 0..n {
            let mut v = b[j];
            for a in 0..A - 1 {
                v += cm[a][j].wide() * xm[a][j];
                v += cp[a][j].wide() * xp[a][j];
            }
            out[j] = (v + cl[j].wide() * xl[j] + cr[j].wide() * xr[j]) * inv[j].wide();
        }
    }

    /// [`Level::pipeline`] for this level's number of axes.
    fn run_pipeline(
        &mut self,
        stages: &[Stage],
        coarse: Option<&Level<T>>,
        sums: Option<&mut [f64]>,
    ) {
        match self.axes {
            2 => self.pipeline::<2>(stages, coarse, sums),
            _ => self.pipeline::<3>(stages, coarse, sums),
        }
    }

    /// Runs `stages` over the level as a wavefront along the first axis:
    /// at step s, stage p works on plane s − p, the stages in order. A
    /// stage on a row of plane i reads that row and its neighbours in
    /// planes i − 1 … i + 1 only (the row's own cells, and the rows beside
    /// it along the second axis in 3D): the stage before has finished them
    /// (it is one plane ahead) and the stage after has not reached them
    /// (one plane behind), so the result is that of each stage over the
    /// whole level in turn, in one pass through memory: the planes in
    /// flight stay in cache. `coarse` is the next coarser level (for
    /// [`Stage::Prolong`]).
    ///
    /// **Tiles.** When the planes in flight would not fit a core's cache
    /// (3D levels more than about 70 cells across: [`Level::tile_rows`]),
    /// the wavefront runs over bands of rows, one after another, each band
    /// a tile of J rows skewed by one row per stage: in band B, stage p
    /// works on rows
    /// [B·J − p, (B + 1)·J − p). Stage p's row j then follows stage p − 1
    /// on row j − 1 (in the same band, or an earlier one that finished it
    /// on every plane) and on row j + 1 (in the same band, where the
    /// wavefront orders the planes), as the wavefront requires; no stage
    /// reads a row that a later stage has already rewritten.
    ///
    /// **Threads.** On the rayon pool (large 3D levels) the rows of each
    /// plane split into segments, one per thread, each tiled as above on
    /// its own and shrinking by one row per stage at its inner ends: stage
    /// p works on [lo + p + 1, hi − p). The segments touch disjoint rows
    /// (the closest are row hi − 1 written at stage 0 by one, and row
    /// hi + 1 by the next, with row hi read by both at most), so they run
    /// at once; then the wedges between them, stage p on
    /// [m − p, m + p + 1) around each boundary m, whose neighbours the
    /// segments finished. Within a stage on one plane rows are independent
    /// (a Gauss–Seidel colour writes that colour's cells of its own rows and
    /// reads only the other colour; the residual and the prolongation write
    /// their own rows only), so the order of the rows never changes a
    /// value: the result is the same for any tiling and any number of
    /// threads. (Levels with fewer than 2 × [`MIN_SEGMENT_ROWS`] rows per
    /// plane run on one thread.)
    ///
    /// With `sums` (one per row chunk), each row's b·x after the last
    /// stage is kept there (padding rows: 0), taken while the row is in
    /// cache; added in order they give b·x independently of the tiling
    /// and the threads.
    fn pipeline<const A: usize>(
        &mut self,
        stages: &[Stage],
        coarse: Option<&Level<T>>,
        sums: Option<&mut [f64]>,
    ) {
        let per_plane = if A == 3 { self.n[1] } else { 1 };
        let segments = if self.parallel() {
            threads().min(per_plane / MIN_SEGMENT_ROWS).max(1)
        } else {
            1
        };
        let tile = self.tile_rows(stages.len());
        self.pipeline_in::<A>(stages, coarse, sums, segments, tile);
    }

    /// [`Level::pipeline`] on `segments` segments (run at once) of tiles of
    /// `tile` rows.
    fn pipeline_in<const A: usize>(
        &mut self,
        stages: &[Stage],
        coarse: Option<&Level<T>>,
        sums: Option<&mut [f64]>,
        segments: usize,
        tile: usize,
    ) {
        let per_plane = if A == 3 { self.n[1] } else { 1 };
        // What the schedule's proof needs: segments at least twice as high
        // as the stages (wedges apart), and tiles of at least one row.
        assert!(tile > 0 && segments > 0, "a pipeline needs rows to work on");
        assert!(
            segments == 1 || per_plane / segments >= 2 * stages.len(),
            "pipeline segments of fewer than two rows per stage"
        );
        let (mut x, mut r) = (std::mem::take(&mut self.x), std::mem::take(&mut self.r));
        let shared = Shared {
            x: x.as_mut_ptr(),
            r: r.as_mut_ptr(),
            len: x.len(),
            sums: match sums {
                Some(sums) => {
                    assert_eq!(sums.len(), x.len() / self.row_chunks().0);
                    sums.fill(0.0);
                    sums.as_mut_ptr()
                }
                None => std::ptr::null_mut(),
            },
        };
        let this = &*self;
        let count = stages.len();
        let avx2 = has_avx2();
        let run = |rows: [std::ops::Range<usize>; MAX_STAGES]| {
            let work = Band {
                shared,
                stages,
                coarse,
                rows,
            };
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                // SAFETY: the CPU supports AVX2 (detected at run time).
                unsafe { this.band_avx2::<A>(work) };
                return;
            }
            let _ = avx2;
            this.band::<A>(work);
        };
        let bound = |t: usize| t * per_plane / segments;
        // Segment t, tiled: stage p on [lo (+ p + 1 inside), hi (− p
        // inside)), band by band.
        let segment = |t: usize| {
            let (lo, hi) = (bound(t), bound(t + 1));
            let ends = |p: usize| {
                let from = if t > 0 { lo + p + 1 } else { lo };
                let to = if t + 1 < segments { hi - p } else { hi };
                (from, to)
            };
            // One band when the segment fits a tile.
            let tile = if tile + count > hi - lo {
                hi - lo + count
            } else {
                tile
            };
            let mut base = lo;
            loop {
                run(std::array::from_fn(|p| {
                    if p >= count {
                        return 0..0;
                    }
                    let (from, to) = ends(p);
                    let start = (base.saturating_sub(p)).max(from);
                    start..(base + tile).saturating_sub(p).min(to).max(start)
                }));
                if base + tile + 1 >= hi + count {
                    break;
                }
                base += tile;
            }
        };
        // The wedge around boundary m (between segments t − 1 and t).
        let wedge = |t: usize| {
            let m = bound(t);
            run(std::array::from_fn(|p| {
                if p < count { m - p..m + p + 1 } else { 0..0 }
            }));
        };
        if segments == 1 {
            segment(0);
        } else {
            #[cfg(feature = "rayon")]
            {
                use rayon::prelude::*;
                (0..segments).into_par_iter().for_each(segment);
                (1..segments).into_par_iter().for_each(wedge);
            }
            #[cfg(not(feature = "rayon"))]
            {
                (0..segments).for_each(segment);
                (1..segments).for_each(wedge);
            }
        }
        self.x = x;
        self.r = r;
    }

    /// The rows of a tile ([`Level::pipeline`]) for a pipeline of `stages`
    /// stages: as many as keep every stage's rows of the planes in flight
    /// (stages + 2 planes, J + stages + 1 rows of each) within
    /// [`TILE_BYTES`], counting x, b and r (double) and the matrix
    /// (conductances, diagonal and its inverse) of each cell.
    fn tile_rows(&self, stages: usize) -> usize {
        let per_cell = 3 * std::mem::size_of::<f64>() + (self.axes + 2) * std::mem::size_of::<T>();
        let per_row = (self.inner + 3) * per_cell;
        // One row of each plane in flight.
        let across = (stages + 2) * per_row;
        let rows = if self.axes == 3 { self.n[1] } else { 1 };
        if across * rows <= 2 * TILE_BYTES {
            // The whole planes fit (64³ and smaller, and every 2D level):
            // one tile.
            return rows;
        }
        (TILE_BYTES / across)
            .saturating_sub(stages + 1)
            .max(MIN_TILE_ROWS)
    }

    /// One band of [`Level::pipeline`]: the wavefront over all planes,
    /// each stage on its rows.
    #[inline(always)]
    fn band<const A: usize>(&self, work: Band<'_, T>) {
        let per_plane = if A == 3 { self.n[1] } else { 1 };
        for step in 0..self.n[0] + work.stages.len() - 1 {
            for (p, &stage) in work.stages.iter().enumerate() {
                let Some(plane) = step.checked_sub(p).filter(|&i| i < self.n[0]) else {
                    continue;
                };
                let last = p + 1 == work.stages.len() && !work.shared.sums.is_null();
                for j in work.rows[p].clone() {
                    let row = plane * per_plane + j;
                    self.stage_row::<A>(work.shared, stage, row, work.coarse);
                    if last {
                        self.row_sum(work.shared, row);
                    }
                }
            }
        }
    }

    /// [`Level::band`] compiled for AVX2: the stencil loops then handle
    /// four values per instruction instead of two (the results are the
    /// same: each value is computed by the same operations in the same
    /// order, and nothing is fused). About 8 % off the 64³ benchmark's
    /// solve (docs/PERFORMANCE.md).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn band_avx2<const A: usize>(&self, work: Band<'_, T>) {
        self.band::<A>(work);
    }

    /// b·x over row `row`'s chunk (its cells and padding), into its slot
    /// of the shared sums: called once the row has been through the
    /// pipeline's last stage.
    #[inline(always)]
    fn row_sum(&self, v: Shared, row: usize) {
        let row_len = self.inner + 3;
        let start = self.rows[row] - 1;
        let q = start / row_len;
        assert!(start + row_len <= v.len && q < v.len / row_len);
        // SAFETY: in bounds (checked); the row has been through every
        // stage, so nothing writes its x any more during the pipeline
        // (the pipeline's argument), and slot q belongs to this row
        // alone, written by the one task that runs its last stage.
        let (x, sum) = unsafe {
            (
                std::slice::from_raw_parts(v.x.add(start), row_len),
                &mut *v.sums.add(q),
            )
        };
        *sum = dot_serial(&self.b[start..start + row_len], x);
    }

    /// One stage of [`Level::pipeline`] on row `row`, through the shared
    /// pointers to x and r.
    #[inline(always)]
    fn stage_row<const A: usize>(
        &self,
        v: Shared,
        stage: Stage,
        row: usize,
        coarse: Option<&Level<T>>,
    ) {
        let c = self.rows[row];
        // The `n` values of x from padded index k, for reading.
        let window = |k: usize, n: usize| -> &[f64] {
            assert!(k + n <= v.len);
            // SAFETY: in bounds (checked); the pipeline's argument shows
            // that nothing writes these elements while this stage reads
            // them (neither this thread nor a concurrent segment or wedge).
            unsafe { std::slice::from_raw_parts(v.x.add(k), n) }
        };
        match stage {
            Stage::Relax(red) => {
                let [even, odd] = self.halves(c);
                let h = if self.even_is(row, red) { even } else { odd };
                let n = h.len;
                let pick = |a: usize| if a + 1 < A { a } else { 0 };
                let xm = std::array::from_fn(|a| window(h.start - self.ps[pick(a)], n));
                let xp = std::array::from_fn(|a| window(h.start + self.ps[pick(a)], n));
                let along = (window(h.shift(h.lower), n), window(h.shift(h.upper), n));
                assert!(h.start + n <= v.len);
                // SAFETY: in bounds (checked); these are this row's cells
                // of the colour being relaxed, which no concurrent segment
                // or wedge touches (the pipeline's argument); the windows
                // read above are all of the other colour or in other rows,
                // so they do not overlap it.
                let cur = unsafe { std::slice::from_raw_parts_mut(v.x.add(h.start), n) };
                self.relax_values::<A>(&h, xm, xp, along, cur);
            }
            Stage::RelaxFromZero => {
                // From x = 0 the red cells' new values are b/diagonal; the
                // black ones are set to 0 (x is not cleared beforehand).
                let [even, odd] = self.halves(c);
                let (red, black) = if self.even_is(row, true) {
                    (even, odd)
                } else {
                    (odd, even)
                };
                let end = red.start.max(black.start) + red.len.max(black.len);
                assert!(end <= v.len);
                // SAFETY: in bounds (checked); these are this row's cells,
                // which no concurrent segment or wedge touches (the
                // pipeline's argument; the stage reads no x at all).
                let (cur, zero) = unsafe {
                    (
                        std::slice::from_raw_parts_mut(v.x.add(red.start), red.len),
                        std::slice::from_raw_parts_mut(v.x.add(black.start), black.len),
                    )
                };
                let k = red.start;
                let (b, inv) = (&self.b[k..k + red.len], &self.inv_diag[k..k + red.len]);
                for ((x, &b), &inv) in cur.iter_mut().zip(b).zip(inv) {
                    *x = b * inv.wide();
                }
                zero.fill(0.0);
            }
            Stage::Residual => {
                for h in self.halves(c) {
                    assert!(h.start + h.len <= v.len);
                    // SAFETY: in bounds (checked); r of this row is written
                    // here alone and read by nothing in the pipeline.
                    let out = unsafe { std::slice::from_raw_parts_mut(v.r.add(h.start), h.len) };
                    self.stencil_values::<A, true>(&h, |k| window(k, h.len), out);
                }
            }
            Stage::Prolong => {
                let coarse = coarse.expect("a coarse level to prolong from");
                let base = coarse.rows[self.coarse_row[row]] - 1;
                let (ne, no) = (self.even, self.inner - self.even);
                assert!(c + ne + 1 + no <= v.len);
                // SAFETY: in bounds (checked); this row's cells, which no
                // concurrent segment or wedge touches (the pipeline's
                // argument).
                let cells = unsafe { std::slice::from_raw_parts_mut(v.x.add(c), ne + 1 + no) };
                let (even, odd) = cells.split_at_mut(ne + 1);
                let correction = |m: usize| OVER_CORRECTION * coarse.x[base + coarse.slot(m)];
                for (m, x) in even[..ne].iter_mut().enumerate() {
                    *x += correction(m);
                }
                for (m, x) in odd.iter_mut().enumerate() {
                    *x += correction(m);
                }
            }
        }
    }

    /// Sets the diagonal (and, on a V-cycle level, its inverse) from the
    /// unpadded sinks: Σ conductances + sink per cell, row by row (on the
    /// rayon pool for large levels). False when some diagonal is not
    /// positive and finite.
    fn set_diagonal(&mut self, sink: &[f64]) -> bool {
        let (mut diag, mut inv) = (
            std::mem::take(&mut self.diag),
            std::mem::take(&mut self.inv_diag),
        );
        let this = &*self;
        let (row_len, interior) = this.row_chunks();
        let (n, ne) = (this.inner, this.even);
        let with_inverse = !inv.is_empty();
        let run = |(q, (d, inv)): (usize, (&mut [T], &mut [T]))| -> bool {
            let Some(c) = interior(q) else {
                return true;
            };
            let s = &sink[this.row_of(c) * n..][..n];
            let csum = &this.csum[c - 1..][..row_len];
            let mut ok = true;
            // Even cells j = 2m at chunk position 1 + m, odd cells
            // j = 2m + 1 at ne + 2 + m.
            for (first, at) in [(0, 1), (1, ne + 2)] {
                for (m, &s) in s.iter().skip(first).step_by(2).enumerate() {
                    let k = at + m;
                    let full = csum[k] + s;
                    d[k] = T::narrow(full);
                    if with_inverse {
                        inv[k] = T::narrow(1.0 / full);
                        ok &= inv[k].wide().is_finite();
                    }
                    ok &= full > 0.0 && d[k].wide().is_finite();
                }
            }
            ok
        };
        // A level without an inverse (the operator) passes empty chunks.
        let ok;
        #[cfg(feature = "rayon")]
        {
            use rayon::prelude::*;
            ok = if this.parallel() {
                if with_inverse {
                    diag.par_chunks_mut(row_len)
                        .zip(inv.par_chunks_mut(row_len))
                        .enumerate()
                        .map(run)
                        .reduce(|| true, |a, b| a & b)
                } else {
                    diag.par_chunks_mut(row_len)
                        .enumerate()
                        .map(|(q, d)| run((q, (d, &mut []))))
                        .reduce(|| true, |a, b| a & b)
                }
            } else {
                serial_diagonal(&mut diag, &mut inv, row_len, with_inverse, run)
            };
        }
        #[cfg(not(feature = "rayon"))]
        {
            ok = serial_diagonal(&mut diag, &mut inv, row_len, with_inverse, run);
        }
        self.diag = diag;
        self.inv_diag = inv;
        ok
    }

    /// The rows of this level that restrict to row `cr` of `coarse` (the
    /// next coarser level), in increasing order.
    fn rows_into(&self, cr: usize, coarse: &Level<T>) -> impl Iterator<Item = usize> + use<T> {
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
    /// The finest level's operator in double precision (conductances and
    /// diagonal only): the A that CG iterates on.
    op: Level<f64>,
    /// The V-cycle's levels, the finest first, with single-precision
    /// matrices.
    levels: Vec<Level<f32>>,
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
    /// The per-row partial sums of a dot product fused into a pass over
    /// the finest level's rows.
    row_sums: Vec<f64>,
}

impl Hierarchy {
    /// The hierarchy for conductances `c` (one slice per axis, unpadded,
    /// row-major) on a grid of `n` cells per axis (n[2] = 1 in 2D).
    pub(crate) fn new(n: [usize; 3], c: &[&[f64]]) -> Self {
        let op = Level::new(n, c, false);
        let mut levels = vec![Level::new(n, c, true)];
        while levels.last().expect("one level").cells() > COARSEST_CELLS {
            let next = levels.last_mut().expect("one level").coarsen();
            levels.push(next);
        }
        let sinks = levels.iter().map(|l| vec![0.0; l.cells()]).collect();
        let len = levels[0].b.len();
        let row_sums = vec![0.0; len / levels[0].row_chunks().0];
        let m = levels.last().expect("one level").cells();
        Self {
            op,
            levels,
            chol: vec![0.0; m * m],
            sinks,
            x: vec![0.0; len],
            r: vec![0.0; len],
            z: vec![0.0; len],
            p: vec![0.0; len],
            q: vec![0.0; len],
            partials: vec![0.0; len.div_ceil(VECTOR_CHUNK)],
            row_sums,
        }
    }

    /// Replaces the face conductances (same grid) in place, without
    /// allocating; set the sinks again before solving.
    pub(crate) fn set_conductances(&mut self, c: &[&[f64]]) {
        self.op.set_conductances(c);
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
            // Coarse row by coarse row: each coarse cell adds its block's
            // sinks in the fine cells' row-major order.
            let (level, next) = (&self.levels[l - 1], &self.levels[l]);
            let n = level.inner;
            let run = |(cr, row): (usize, &mut [f64])| {
                row.fill(0.0);
                for fr in level.rows_into(cr, next) {
                    for (j, &v) in fine[fr * n..(fr + 1) * n].iter().enumerate() {
                        row[j / 2] += v;
                    }
                }
            };
            #[cfg(feature = "rayon")]
            if level.parallel() {
                use rayon::prelude::*;
                coarse.par_chunks_mut(next.inner).enumerate().for_each(run);
                continue;
            }
            coarse.chunks_mut(next.inner).enumerate().for_each(run);
        }
        // The operator's diagonal, then the V-cycle's rounded diagonals
        // and their inverses (a cell's new value is inv·(b + Σ c x)).
        let mut ok = self.op.set_diagonal(&self.sinks[0]);
        for (level, sink) in self.levels.iter_mut().zip(&self.sinks) {
            ok &= level.set_diagonal(sink);
        }
        if !ok {
            return Err(LinearFailure::Indefinite);
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
            a[k * m + k] = f64::from(level.diag[pk]);
            for ax in 0..level.axes {
                if at[ax] + 1 < n[ax] {
                    a[(k + unpadded_stride[ax]) * m + k] = -f64::from(level.c[ax][pk]);
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
            // Pre-smoothing from x = 0 (red, black per sweep), then the
            // residual, in one pipeline.
            let level = &mut self.levels[l];
            let sweeps = sweeps(level.axes);
            let mut stages = [Stage::Residual; MAX_STAGES];
            for (s, stage) in stages.iter_mut().enumerate().take(2 * sweeps) {
                *stage = if s == 0 {
                    Stage::RelaxFromZero
                } else {
                    Stage::Relax(s % 2 == 0)
                };
            }
            level.run_pipeline(&stages[..2 * sweeps + 1], None, None);
        }
        // Restriction: each coarse cell sums the residuals of its block,
        // row by coarse row (its fine rows in order).
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let (fine, coarse) = (&mut fine[l], &mut coarse[0]);
        // Coarse cell m of a row takes fine cells 2m (even half, m) and
        // 2m + 1 (odd half, m) of each of its fine rows.
        let (ne, no, cn) = (fine.even, fine.inner - fine.even, coarse.inner);
        let mut b = std::mem::take(&mut coarse.b);
        {
            let (row_len, interior) = coarse.row_chunks();
            let (fine, coarse) = (&*fine, &*coarse);
            for_rows(&mut b, row_len, fine.parallel(), interior, |c0, row| {
                row.fill(0.0);
                for fr in fine.rows_into(coarse.row_of(c0), coarse) {
                    let f0 = fine.rows[fr];
                    let (even, odd) = (&fine.r[f0..f0 + ne], &fine.r[f0 + ne + 1..][..no]);
                    for m in 0..cn {
                        let pair = if m < no { even[m] + odd[m] } else { even[m] };
                        row[coarse.slot(m)] += pair;
                    }
                }
            });
        }
        coarse.b = b;
        self.vcycle(l + 1);
        // The prolongation (each fine cell takes its block's
        // over-correction), then post-smoothing in the reverse colour
        // order, in one pipeline.
        let (fine, coarse) = self.levels.split_at_mut(l + 1);
        let sweeps = sweeps(fine[l].axes);
        let mut stages = [Stage::Prolong; MAX_STAGES];
        for (s, stage) in stages[1..].iter_mut().enumerate().take(2 * sweeps) {
            *stage = Stage::Relax(s % 2 == 1);
        }
        let sums = if l == 0 {
            Some(&mut self.row_sums[..])
        } else {
            None
        };
        fine[l].run_pipeline(&stages[..2 * sweeps + 1], Some(&coarse[0]), sums);
    }

    /// z = M⁻¹ r by one V-cycle.
    /// The vectors are swapped in and out of the finest level rather than
    /// copied (all keep zero padding).
    /// Returns r·z: summed row by row by the finest level's last
    /// pipeline while z is in cache (the plain dot product when the
    /// finest level is the coarsest).
    fn precondition(&mut self) -> f64 {
        std::mem::swap(&mut self.r, &mut self.levels[0].b);
        self.vcycle(0);
        std::mem::swap(&mut self.r, &mut self.levels[0].b);
        std::mem::swap(&mut self.z, &mut self.levels[0].x);
        if self.levels.len() > 1 {
            self.row_sums.iter().sum()
        } else {
            dot(&self.r, &self.z, &mut self.partials)
        }
    }

    /// `b` (unpadded, cell order) into CG's residual `r` (split rows).
    fn load(&mut self, b: &[f64]) {
        let fine = &self.op;
        let (row_len, interior) = fine.row_chunks();
        for_rows(
            &mut self.r,
            row_len,
            fine.parallel(),
            &interior,
            |c, row| {
                let src = &b[fine.row_of(c) * fine.inner..][..fine.inner];
                for (first, at) in [(0, 1), (1, fine.even + 2)] {
                    for (v, &s) in row[at..].iter_mut().zip(src.iter().skip(first).step_by(2)) {
                        *v = s;
                    }
                }
            },
        );
    }

    /// The split rows of `from` (a fine-level vector) into `x` (unpadded,
    /// cell order).
    fn store(&self, from: &[f64], x: &mut [f64]) {
        let fine = &self.op;
        let (row_len, _) = fine.row_chunks();
        let n = fine.inner;
        let copy = |(r, dst): (usize, &mut [f64])| {
            let chunk = &from[fine.rows[r] - 1..][..row_len];
            for (first, at) in [(0, 1), (1, fine.even + 2)] {
                for (d, &v) in dst.iter_mut().skip(first).step_by(2).zip(&chunk[at..]) {
                    *d = v;
                }
            }
        };
        #[cfg(feature = "rayon")]
        if fine.parallel() {
            use rayon::prelude::*;
            x.par_chunks_exact_mut(n).enumerate().for_each(copy);
            return;
        }
        x.chunks_exact_mut(n).enumerate().for_each(copy);
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
        self.x.fill(0.0);
        self.load(b);
        let result = self.cg(rtol, max_iterations);
        self.store(&self.x, x);
        result
    }

    fn cg(&mut self, rtol: f64, max_iterations: usize) -> Result<usize, LinearFailure> {
        let norm_b = dot(&self.r, &self.r, &mut self.partials).sqrt();
        if norm_b == 0.0 {
            return Ok(0);
        }
        let mut rz = self.precondition();
        // p = z without a copy: the buffers trade places. p's old buffer,
        // now z and holding stale values, becomes the finest level's x at
        // the next V-cycle, whose first stage overwrites every interior
        // cell; its padding is zero, as p's stays while β is finite (p =
        // z + βp on zero padding), which the loop checks.
        std::mem::swap(&mut self.p, &mut self.z);
        for it in 1..=max_iterations {
            let pq = self.op.apply_dot(&self.p, &mut self.q, &mut self.row_sums);
            let positive = pq > 0.0 && rz > 0.0; // false for NaN as well
            if !positive {
                return Err(LinearFailure::Indefinite);
            }
            let alpha = rz / pq;
            if !alpha.is_finite() {
                return Err(LinearFailure::Indefinite);
            }
            let rr = update_solution(
                &mut self.x,
                &mut self.r,
                &self.p,
                &self.q,
                alpha,
                &mut self.partials,
            );
            let rel = rr.sqrt() / norm_b;
            if rel <= rtol {
                return Ok(it);
            }
            if !rel.is_finite() {
                return Err(LinearFailure::Indefinite);
            }
            let rz_new = self.precondition();
            let beta = rz_new / rz;
            if !beta.is_finite() {
                // Before the update, so that no NaN reaches p's padding,
                // which the vectors' rotation through the V-cycle keeps.
                return Err(LinearFailure::Indefinite);
            }
            rz = rz_new;
            update_direction(&mut self.p, &self.z, beta);
        }
        Err(LinearFailure::NotConverged(
            dot(&self.r, &self.r, &mut self.partials).sqrt() / norm_b,
        ))
    }
}

/// Vectors at least this long (padded cells) have their dot products and
/// updates split into chunks of [`VECTOR_CHUNK`], run on the rayon pool
/// when it has more than one thread and one after another otherwise; the
/// chunks' partial sums are added in order, so the result does not depend
/// on the number of threads. Shorter vectors (2D grids up to
/// about 1 400², 3D up to about 125³) take [`dot_serial`].
#[cfg(feature = "rayon")]
const PARALLEL_VECTOR_LEN: usize = 1 << 21;
/// Elements per chunk of the parallel vector operations.
const VECTOR_CHUNK: usize = 1 << 15;

/// x += αp and r −= αq, element by element, returning the new r·r: block
/// by block, each block's r summed while it is still in cache (one pass
/// through memory instead of two). The sum is [`dot`]'s, bit for bit: the
/// same chunks (on the rayon pool for long vectors), and within each the
/// same four running sums in the same order.
fn update_solution(
    x: &mut [f64],
    r: &mut [f64],
    p: &[f64],
    q: &[f64],
    alpha: f64,
    partials: &mut [f64],
) -> f64 {
    /// Elements per block (a multiple of 4, so that each block's r·r
    /// continues the running sums where the previous one stopped).
    const BLOCK: usize = 1 << 10;
    let piece = |x: &mut [f64], r: &mut [f64], p: &[f64], q: &[f64]| -> f64 {
        let mut acc = [0.0f64; 4];
        let mut tail = 0.0;
        let blocks = x
            .chunks_mut(BLOCK)
            .zip(r.chunks_mut(BLOCK))
            .zip(p.chunks(BLOCK).zip(q.chunks(BLOCK)));
        for ((x, r), (p, q)) in blocks {
            for ((x, r), (p, q)) in x.iter_mut().zip(r.iter_mut()).zip(p.iter().zip(q)) {
                *x += alpha * p;
                *r -= alpha * q;
            }
            // Only the last block can leave a remainder.
            tail = dot_accumulate(r, r, &mut acc);
        }
        dot_finish(&acc, tail)
    };
    #[cfg(feature = "rayon")]
    if x.len() >= PARALLEL_VECTOR_LEN {
        let partials = &mut partials[..x.len().div_ceil(VECTOR_CHUNK)];
        if threads() > 1 {
            use rayon::prelude::*;
            x.par_chunks_mut(VECTOR_CHUNK)
                .zip(r.par_chunks_mut(VECTOR_CHUNK))
                .zip(p.par_chunks(VECTOR_CHUNK).zip(q.par_chunks(VECTOR_CHUNK)))
                .zip(partials.par_iter_mut())
                .for_each(|(((x, r), (p, q)), s)| *s = piece(x, r, p, q));
        } else {
            let chunks = x
                .chunks_mut(VECTOR_CHUNK)
                .zip(r.chunks_mut(VECTOR_CHUNK))
                .zip(p.chunks(VECTOR_CHUNK).zip(q.chunks(VECTOR_CHUNK)));
            for (((x, r), (p, q)), s) in chunks.zip(partials.iter_mut()) {
                *s = piece(x, r, p, q);
            }
        }
        return partials.iter().sum();
    }
    let _ = partials;
    piece(x, r, p, q)
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
    if p.len() >= PARALLEL_VECTOR_LEN && threads() > 1 {
        use rayon::prelude::*;
        p.par_chunks_mut(VECTOR_CHUNK)
            .zip(z.par_chunks(VECTOR_CHUNK))
            .for_each(update);
        return;
    }
    update((p, z));
}

/// a·b: for long vectors, in fixed-order chunks (on the rayon pool when it
/// has more than one thread), their partial sums kept in `partials`, one
/// per chunk, and added in order; [`dot_serial`] otherwise. The chunks and
/// their order depend on the length alone, so the result does not depend
/// on the number of threads.
fn dot(a: &[f64], b: &[f64], partials: &mut [f64]) -> f64 {
    #[cfg(feature = "rayon")]
    if a.len() >= PARALLEL_VECTOR_LEN {
        let partials = &mut partials[..a.len().div_ceil(VECTOR_CHUNK)];
        if threads() > 1 {
            use rayon::prelude::*;
            a.par_chunks(VECTOR_CHUNK)
                .zip(b.par_chunks(VECTOR_CHUNK))
                .zip(partials.par_iter_mut())
                .for_each(|((x, y), s)| *s = dot_serial(x, y));
        } else {
            let chunks = a.chunks(VECTOR_CHUNK).zip(b.chunks(VECTOR_CHUNK));
            for ((x, y), s) in chunks.zip(partials.iter_mut()) {
                *s = dot_serial(x, y);
            }
        }
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
    let tail = dot_accumulate(a, b, &mut acc);
    dot_finish(&acc, tail)
}

/// Adds a·b over the groups of four elements to the running sums `acc`
/// (element 4m + k to sum k); returns the sum of the last `len % 4`
/// products, which no group holds.
#[inline(always)]
fn dot_accumulate(a: &[f64], b: &[f64], acc: &mut [f64; 4]) -> f64 {
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
    tail
}

/// The dot product from [`dot_accumulate`]'s running sums and tail.
#[inline(always)]
fn dot_finish(acc: &[f64; 4], tail: f64) -> f64 {
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiles of any height and any number of segments (run at once on the
    /// pool) give the untiled single pass's x and r bit for bit, for the
    /// pre-smoothing pipeline (from zero, with the residual) and the
    /// post-smoothing one (prolongation first).
    #[test]
    fn tiled_and_segmented_pipelines_match_one_pass() {
        let n = [9usize, 40, 11];
        let cells = n.iter().product::<usize>();
        let wave = |k: usize, a: usize| 0.5 + ((k * (7 + a) + 3 * a) % 13) as f64 / 6.0;
        let c: Vec<Vec<f64>> = (0..3)
            .map(|a| (0..cells).map(|k| wave(k, a)).collect())
            .collect();
        let slices: Vec<&[f64]> = c.iter().map(Vec::as_slice).collect();
        let mut h = Hierarchy::new(n, &slices);
        let sink: Vec<f64> = (0..cells).map(|k| 1e-2 * (1 + k % 5) as f64).collect();
        h.set_sink(&sink).unwrap();
        let (fine, coarse) = h.levels.split_at_mut(1);
        let (fine, coarse) = (&mut fine[0], &coarse[0]);
        for (k, b) in fine.b.iter_mut().enumerate() {
            // Zero on the padding, as a V-cycle keeps it.
            *b = if fine.csum[k] > 0.0 {
                ((k * 37 % 101) as f64 - 50.0) / 50.0
            } else {
                0.0
            };
        }
        let mut coarse = coarse.clone();
        for (k, x) in coarse.x.iter_mut().enumerate() {
            if coarse.csum[k] > 0.0 {
                *x = ((k * 11 % 29) as f64 - 14.0) / 30.0;
            }
        }
        let pre = [
            Stage::RelaxFromZero,
            Stage::Relax(false),
            Stage::Relax(true),
            Stage::Relax(false),
            Stage::Residual,
        ];
        let post = [
            Stage::Prolong,
            Stage::Relax(false),
            Stage::Relax(true),
            Stage::Relax(false),
            Stage::Relax(true),
        ];
        let run = |segments: usize, tile: usize| {
            let mut level = fine.clone();
            level.pipeline_in::<3>(&pre, None, None, segments, tile);
            let after_pre = (level.x.clone(), level.r.clone());
            let mut sums = vec![f64::NAN; level.x.len() / level.row_chunks().0];
            level.pipeline_in::<3>(&post, Some(&coarse), Some(&mut sums), segments, tile);
            // Each row's fused b·x is the plain one of its final x (0 on
            // the padding rows), whatever the layout.
            let (row_len, interior) = level.row_chunks();
            let rows = level.b.chunks(row_len).zip(level.x.chunks(row_len));
            for (q, ((b, x), s)) in rows.zip(&sums).enumerate() {
                let plain = if interior(q).is_some() {
                    dot_serial(b, x)
                } else {
                    0.0
                };
                assert_eq!(s.to_bits(), plain.to_bits(), "row chunk {q}");
            }
            (after_pre, level.x)
        };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let ((x0, r0), z0) = run(1, n[1]);
        assert!(r0.iter().any(|&v| v != 0.0) && z0.iter().any(|&v| v != 0.0));
        for (segments, tile) in [(1, 8), (1, 13), (2, n[1]), (2, 8), (3, 8), (3, 9)] {
            let ((x, r), z) = run(segments, tile);
            let layout = format!("{segments} segments, tiles of {tile}");
            assert_eq!(bits(&x), bits(&x0), "{layout}: x after pre-smoothing");
            assert_eq!(bits(&r), bits(&r0), "{layout}: residual");
            assert_eq!(bits(&z), bits(&z0), "{layout}: x after post-smoothing");
        }
    }

    /// A p with p·q, in 2D and 3D: q by the unpadded definition of A, and
    /// the returned p·q the rows' dot products added in order.
    #[test]
    fn apply_dot_gives_a_p_and_p_dot_q() {
        for n in [[7usize, 9, 1], [5, 6, 7]] {
            let axes = if n[2] == 1 { 2 } else { 3 };
            let cells: usize = n.iter().product();
            let c: Vec<Vec<f64>> = (0..axes)
                .map(|a| {
                    (0..cells)
                        .map(|k| 0.5 + ((k * (3 + a)) % 7) as f64)
                        .collect()
                })
                .collect();
            let slices: Vec<&[f64]> = c.iter().map(Vec::as_slice).collect();
            let mut h = Hierarchy::new(n, &slices);
            let sink: Vec<f64> = (0..cells).map(|k| 0.1 * (1 + k % 4) as f64).collect();
            h.set_sink(&sink).unwrap();
            let l = &h.op;
            let value = |k: usize| ((k * 13 % 17) as f64 - 8.0) / 8.0;
            let mut p = vec![0.0; l.csum.len()];
            for u in 0..cells {
                p[l.padded(u)] = value(u);
            }
            let mut q = vec![0.0; p.len()];
            let mut sums = vec![f64::NAN; h.row_sums.len()];
            let pq = l.apply_dot(&p, &mut q, &mut sums);
            let at = |i: [usize; 3]| i[0] * n[1] * n[2] + i[1] * n[2] + i[2];
            let mut plain_pq = 0.0;
            for u in 0..cells {
                let i = [u / (n[1] * n[2]), u / n[2] % n[1], u % n[2]];
                // Conductances of the unpadded definition: c[a][cell] to
                // the next cell along a (0 on the last layer).
                let mut want = (l.csum[l.padded(u)] + sink[u]) * value(u);
                for a in 0..axes {
                    let last = if axes == 2 && a == 1 { n[1] } else { n[a] };
                    let along = if axes == 2 && a == 1 { i[1] } else { i[a] };
                    let mut step = i;
                    if along > 0 {
                        step[if axes == 2 && a == 1 { 1 } else { a }] -= 1;
                        want -= c[a][at(step)] * value(at(step));
                    }
                    let mut step = i;
                    if along + 1 < last {
                        step[if axes == 2 && a == 1 { 1 } else { a }] += 1;
                        want -= c[a][u] * value(at(step));
                    }
                }
                let got = q[l.padded(u)];
                assert!(
                    (got - want).abs() < 1e-12 * (1.0 + want.abs()),
                    "{n:?} cell {u}"
                );
                plain_pq += got * value(u);
            }
            assert!((pq - plain_pq).abs() < 1e-12 * plain_pq.abs(), "{n:?}");
            let (row_len, _) = l.row_chunks();
            let rows: f64 = p
                .chunks(row_len)
                .zip(q.chunks(row_len))
                .map(|(p, q)| dot_serial(p, q))
                .sum();
            assert_eq!(pq.to_bits(), rows.to_bits(), "{n:?}");
        }
    }

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
            let l = &h.op;
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
