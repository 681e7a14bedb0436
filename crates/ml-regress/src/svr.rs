//! ε-support vector regression solved by SMO with LIBSVM's second-order
//! working-set selection (Fan, Chen & Lin 2005), in scikit-learn's
//! parametrization: kernels linear, poly (γ, coef0, degree), RBF (γ) and
//! sigmoid (γ, coef0), with γ = "scale" or "auto" as scikit-learn defines
//! them.

use crate::error::{RegressError, Result, invalid};
use crate::traits::{Predict, Regressor, check_data, check_features};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// The kernel's γ.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gamma {
    /// 1/(n_features · Var(X)), Var over all entries (scikit-learn's default).
    Scale,
    /// 1/n_features.
    Auto,
    /// A fixed value ≥ 0.
    Value(f64),
}

/// The kernel function.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    /// x·z.
    Linear,
    /// (γ x·z + coef0)^degree.
    Poly {
        /// γ.
        gamma: Gamma,
        /// coef0.
        coef0: f64,
        /// Degree (≥ 1).
        degree: u32,
    },
    /// exp(−γ‖x − z‖²).
    Rbf {
        /// γ.
        gamma: Gamma,
    },
    /// tanh(γ x·z + coef0).
    Sigmoid {
        /// γ.
        gamma: Gamma,
        /// coef0.
        coef0: f64,
    },
}

/// Unchecked SVR hyper-parameters (scikit-learn's defaults: RBF with
/// γ = scale, C = 1, ε = 0.1, tol = 1e-3).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvrParams {
    /// The kernel.
    pub kernel: Kernel,
    /// Box constraint C > 0.
    pub c: f64,
    /// Width ε ≥ 0 of the insensitive tube.
    pub epsilon: f64,
    /// Stopping tolerance on the KKT violation (> 0).
    pub tol: f64,
    /// Iteration limit.
    pub max_iter: usize,
    /// Kernel cache budget in MB (scikit-learn's `cache_size`): rows of the
    /// kernel matrix are computed when the solver first needs them and kept
    /// in a least-recently-used cache of this size (at least two rows).
    /// Results do not depend on it; only the time does.
    pub cache_mb: f64,
    /// LIBSVM's shrinking heuristic (scikit-learn's `shrinking`): variables
    /// stuck at a bound leave the working set; the model agrees with the
    /// unshrunk one within the tolerance. Off by default: our gradient
    /// reconstruction recomputes every support vector's kernel row (LIBSVM
    /// keeps the bound variables' share, Ḡ, to avoid that), so on the
    /// benches it costs more than it saves (docs/PERFORMANCE.md).
    pub shrinking: bool,
}

impl Default for SvrParams {
    fn default() -> Self {
        Self {
            kernel: Kernel::Rbf {
                gamma: Gamma::Scale,
            },
            c: 1.0,
            epsilon: 0.1,
            tol: 1e-3,
            max_iter: 10_000_000,
            cache_mb: 200.0,
            shrinking: false,
        }
    }
}

impl SvrParams {
    /// Validates the hyper-parameters.
    ///
    /// # Errors
    /// C ≤ 0, ε < 0, γ < 0, degree 0, tol ≤ 0, cache_mb ≤ 0, max_iter 0,
    /// non-finite values.
    pub fn check(self) -> Result<Svr> {
        if self.max_iter == 0 {
            return Err(invalid(
                "max_iter",
                0.0,
                "at least 1 (a fit that stops at max_iter keeps its last iterate, as scikit-learn does; SvrModel::iterations tells)",
            ));
        }
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(invalid("C", self.c, "a finite value > 0"));
        }
        if !(self.epsilon.is_finite() && self.epsilon >= 0.0) {
            return Err(invalid("epsilon", self.epsilon, "a finite value >= 0"));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(invalid("tol", self.tol, "a finite value > 0"));
        }
        if !(self.cache_mb.is_finite() && self.cache_mb > 0.0) {
            return Err(invalid(
                "cache_mb",
                self.cache_mb,
                "a finite value > 0 (MB)",
            ));
        }
        let gamma = match self.kernel {
            Kernel::Linear => None,
            Kernel::Poly {
                gamma,
                degree,
                coef0,
            } => {
                if degree == 0 {
                    return Err(invalid("degree", 0.0, "at least 1"));
                }
                if !coef0.is_finite() {
                    return Err(invalid("coef0", coef0, "a finite value"));
                }
                Some(gamma)
            }
            Kernel::Rbf { gamma } => Some(gamma),
            Kernel::Sigmoid { gamma, coef0 } => {
                if !coef0.is_finite() {
                    return Err(invalid("coef0", coef0, "a finite value"));
                }
                Some(gamma)
            }
        };
        if let Some(Gamma::Value(g)) = gamma
            && !(g.is_finite() && g >= 0.0)
        {
            return Err(invalid("gamma", g, "a finite value >= 0"));
        }
        Ok(Svr { params: self })
    }
}

/// Checked SVR settings.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Svr {
    params: SvrParams,
}

/// A fitted SVR: f(x) = Σ dual_coef_k K(sv_k, x) + intercept.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct SvrModel {
    kernel: Kernel,
    gamma: f64,
    /// The support vectors (rows with α − α* ≠ 0).
    pub support_vectors: Array2<f64>,
    /// Their training row indices.
    pub support: Vec<usize>,
    /// α − α* of each support vector.
    pub dual_coef: Array1<f64>,
    /// The intercept b = −ρ.
    pub intercept: f64,
    /// SMO iterations taken.
    pub iterations: usize,
    /// The most of the 2l dual variables that shrinking held out of the
    /// working set at once (0 without shrinking).
    pub max_inactive: usize,
}

impl SvrModel {
    /// The γ actually used (after "scale"/"auto" were resolved).
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
}

fn kernel_value(kernel: Kernel, gamma: f64, a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    match kernel {
        Kernel::Linear => a.dot(&b),
        Kernel::Poly { coef0, degree, .. } => (gamma * a.dot(&b) + coef0).powi(degree as i32),
        Kernel::Rbf { .. } => {
            let d2: f64 = a.iter().zip(b.iter()).map(|(x, y)| (x - y).powi(2)).sum();
            (-gamma * d2).exp()
        }
        Kernel::Sigmoid { coef0, .. } => (gamma * a.dot(&b) + coef0).tanh(),
    }
}

fn resolve_gamma(kernel: Kernel, x: &ArrayView2<f64>) -> f64 {
    let g = match kernel {
        Kernel::Linear => return 0.0,
        Kernel::Poly { gamma, .. } | Kernel::Rbf { gamma } | Kernel::Sigmoid { gamma, .. } => gamma,
    };
    let p = x.ncols() as f64;
    match g {
        Gamma::Value(v) => v,
        Gamma::Auto => 1.0 / p,
        Gamma::Scale => {
            let n = x.len() as f64;
            let mean = x.sum() / n;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            if var > 0.0 { 1.0 / (p * var) } else { 1.0 }
        }
    }
}

/// Rows of the kernel matrix within the cache budget. When the whole
/// matrix fits, it is computed once up front from its lower triangle (half
/// the kernel evaluations of computing rows; SMO touches nearly every row
/// anyway: 1.5× faster on the bench). Otherwise rows are computed on demand
/// and kept in a least-recently-used cache of `capacity` rows (LIBSVM's
/// kernel cache): the rows the working-set selection keeps returning to
/// stay cached and the others are recomputed.
struct KernelRows<'a> {
    x: ArrayView2<'a, f64>,
    kernel: Kernel,
    gamma: f64,
    /// The whole matrix, when it fits in the budget.
    full: Option<Array2<f64>>,
    /// Cached rows, one per slot.
    slots: Vec<Vec<f64>>,
    /// The slot holding row i, if cached.
    slot_of: Vec<Option<usize>>,
    /// The row held by each slot.
    row_of_slot: Vec<usize>,
    /// Last use of each slot (a counter of accesses).
    last_used: Vec<u64>,
    capacity: usize,
    clock: u64,
}

impl<'a> KernelRows<'a> {
    fn new(x: ArrayView2<'a, f64>, kernel: Kernel, gamma: f64, cache_mb: f64) -> Self {
        let l = x.nrows();
        // At least two rows: the SMO step needs K_i and K_j together.
        let capacity = ((cache_mb * 1e6 / (8.0 * l as f64)) as usize).clamp(2, l.max(2));
        let full = (capacity >= l).then(|| {
            let mut k = Array2::zeros((l, l));
            for i in 0..l {
                for j in 0..=i {
                    let v = kernel_value(kernel, gamma, x.row(i), x.row(j));
                    k[[i, j]] = v;
                    k[[j, i]] = v;
                }
            }
            k
        });
        Self {
            x,
            kernel,
            gamma,
            full,
            slots: Vec::new(),
            slot_of: vec![None; l],
            row_of_slot: Vec::new(),
            last_used: Vec::new(),
            capacity,
            clock: 0,
        }
    }

    /// Copies row i of the kernel matrix into `out`.
    fn row(&mut self, i: usize, out: &mut [f64]) {
        if let Some(k) = &self.full {
            out.copy_from_slice(k.row(i).as_slice().expect("standard layout"));
            return;
        }
        self.clock += 1;
        if let Some(s) = self.slot_of[i] {
            self.last_used[s] = self.clock;
            out.copy_from_slice(&self.slots[s]);
            return;
        }
        let s = if self.slots.len() < self.capacity {
            self.slots.push(vec![0.0; self.x.nrows()]);
            self.row_of_slot.push(i);
            self.last_used.push(0);
            self.slots.len() - 1
        } else {
            // Evict the least recently used row.
            let s = (0..self.slots.len())
                .min_by_key(|&s| self.last_used[s])
                .expect("capacity >= 2");
            self.slot_of[self.row_of_slot[s]] = None;
            self.row_of_slot[s] = i;
            s
        };
        let xi = self.x.row(i);
        for (j, o) in self.slots[s].iter_mut().enumerate() {
            *o = kernel_value(self.kernel, self.gamma, xi, self.x.row(j));
        }
        self.slot_of[i] = Some(s);
        self.last_used[s] = self.clock;
        out.copy_from_slice(&self.slots[s]);
    }
}

/// LIBSVM's second-order working-set selection (WSS2) over the variables
/// `vars` (indices into the 2l variables, increasing): i maximizes −y·G over
/// I_up; j minimizes −b²/a over I_low with b = Gmax + y·G > 0. Returns
/// (i, j, Gmax, max over I_low of y·G) and leaves row i of the kernel in
/// `ki`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn select_pair(
    vars: impl Iterator<Item = usize> + Clone,
    l: usize,
    c: f64,
    alpha: &[f64],
    grad: &[f64],
    diag: &[f64],
    ki: &mut [f64],
    rows: &mut KernelRows,
    tau: f64,
) -> (Option<usize>, Option<usize>, f64, f64) {
    let mut gmax = f64::NEG_INFINITY;
    let mut i_sel = None;
    for t in vars.clone() {
        let (up, yg) = if t < l {
            (alpha[t] < c, -grad[t])
        } else {
            (alpha[t] > 0.0, grad[t])
        };
        if up && yg >= gmax {
            gmax = yg;
            i_sel = Some(t);
        }
    }
    let mut j_sel = None;
    let mut gmax2 = f64::NEG_INFINITY;
    if let Some(i) = i_sel {
        rows.row(i % l, ki);
        let mut obj_min = f64::INFINITY;
        let kii = diag[i % l];
        // t in the α half (y = +1): in I_low when α_t > 0, y·G = G_t; in
        // the α* half (y = −1): when α*_t < C, y·G = −G_{l+t}.
        // Q_ii + Q_tt − 2 y_i y_t Q_it = K_ii + K_tt − 2 K_it either way.
        for t in vars {
            let (low, yg) = if t < l {
                (alpha[t] > 0.0, grad[t])
            } else {
                (alpha[t] < c, -grad[t])
            };
            if !low {
                continue;
            }
            gmax2 = gmax2.max(yg);
            let b = gmax + yg;
            if b > 0.0 {
                let k = if t < l { t } else { t - l };
                let a = kii + diag[k] - 2.0 * ki[k];
                let a = if a > 0.0 { a } else { tau };
                let obj = -(b * b) / a;
                if obj <= obj_min {
                    obj_min = obj;
                    j_sel = Some(t);
                }
            }
        }
    }
    (i_sel, j_sel, gmax, gmax2)
}

impl Regressor for Svr {
    type Model = SvrModel;

    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<SvrModel> {
        check_data(&x, &y)?;
        let p = &self.params;
        let l = x.nrows();
        let gamma = resolve_gamma(p.kernel, &x);
        let mut rows = KernelRows::new(x, p.kernel, gamma, p.cache_mb);
        let diag: Vec<f64> = (0..l)
            .map(|i| kernel_value(p.kernel, gamma, x.row(i), x.row(i)))
            .collect();
        // 2l variables: t < l is α_t (sign +1), t ≥ l is α*_{t−l} (sign −1).
        let n2 = 2 * l;
        let sign = |t: usize| if t < l { 1.0 } else { -1.0 };
        let mut alpha = vec![0.0; n2];
        let mut grad: Vec<f64> = (0..n2)
            .map(|t| {
                if t < l {
                    p.epsilon - y[t]
                } else {
                    p.epsilon + y[t - l]
                }
            })
            .collect();
        let c = p.c;
        let (mut ki, mut kj) = (vec![0.0; l], vec![0.0; l]);
        let tau = 1e-12;
        let mut iterations = 0;
        // Shrinking (LIBSVM): `active` lists, in increasing order, the
        // variables that working-set selection and the gradient update visit.
        // Variables stuck at a bound leave it every min(l, 1000) iterations;
        // the gradients of inactive variables go stale and are rebuilt from
        // the support vectors' kernel rows when the violation first falls
        // below 10·tol and at convergence, where optimality is then checked
        // on the full set. Without shrinking every variable stays active.
        let linear_term = grad.clone();
        let mut active: Vec<usize> = (0..n2).collect();
        let mut unshrunk = false;
        let mut max_inactive = 0;
        let mut counter = l.min(1000) + 1;
        let reconstruct =
            |grad: &mut [f64], alpha: &[f64], active: &[usize], rows: &mut KernelRows| {
                let mut inactive = vec![true; n2];
                for &t in active {
                    inactive[t] = false;
                }
                for t in 0..n2 {
                    if inactive[t] {
                        grad[t] = linear_term[t];
                    }
                }
                let mut row = vec![0.0; l];
                for k in 0..l {
                    let beta = alpha[k] - alpha[k + l];
                    if beta == 0.0 {
                        continue;
                    }
                    rows.row(k, &mut row);
                    for t in 0..n2 {
                        if inactive[t] {
                            // Q_ts α_s summed over both halves of s = k:
                            // y_t (α_k − α*_k) K(t mod l, k).
                            let v = beta * row[t % l];
                            grad[t] += if t < l { v } else { -v };
                        }
                    }
                }
            };
        loop {
            if p.shrinking {
                counter -= 1;
                if counter == 0 {
                    counter = l.min(1000);
                    // Gmax1 over I_up of −y·G, Gmax2 over I_low of y·G.
                    let (mut g1, mut g2) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                    for &t in &active {
                        let (up, low, yg) = if t < l {
                            (alpha[t] < c, alpha[t] > 0.0, grad[t])
                        } else {
                            (alpha[t] > 0.0, alpha[t] < c, -grad[t])
                        };
                        if up {
                            g1 = g1.max(-yg);
                        }
                        if low {
                            g2 = g2.max(yg);
                        }
                    }
                    if !unshrunk && g1 + g2 <= 10.0 * p.tol {
                        unshrunk = true;
                        reconstruct(&mut grad, &alpha, &active, &mut rows);
                        active = (0..n2).collect();
                    }
                    active.retain(|&t| {
                        let g = grad[t];
                        if alpha[t] >= c {
                            if t < l { -g <= g1 } else { -g <= g2 }
                        } else if alpha[t] <= 0.0 {
                            if t < l { g <= g2 } else { g <= g1 }
                        } else {
                            true
                        }
                    });
                    max_inactive = max_inactive.max(n2 - active.len());
                }
            }
            // Working-set selection (WSS2) over the active variables: plain
            // ranges while all are active (the loops the compiler optimizes
            // best), the active list once shrinking has removed some.
            let wss = |ki: &mut [f64], rows: &mut KernelRows| {
                if active.len() == n2 {
                    select_pair(0..n2, l, c, &alpha, &grad, &diag, ki, rows, tau)
                } else {
                    select_pair(
                        active.iter().copied(),
                        l,
                        c,
                        &alpha,
                        &grad,
                        &diag,
                        ki,
                        rows,
                        tau,
                    )
                }
            };
            let (i_sel, j_sel, gmax, gmax2) = wss(&mut ki, &mut rows);
            let optimal = i_sel.is_none() || gmax + gmax2 < p.tol || j_sel.is_none();
            if optimal && active.len() < n2 {
                // Optimal on the active set: check the full set.
                reconstruct(&mut grad, &alpha, &active, &mut rows);
                active = (0..n2).collect();
                // The next selection runs on the full set, before any new
                // shrinking (LIBSVM's order): optimal there ends the solve.
                counter = 2;
                continue;
            }
            if optimal || iterations >= p.max_iter {
                break;
            }
            let (Some(i), Some(j)) = (i_sel, j_sel) else {
                break;
            };
            iterations += 1;
            rows.row(j % l, &mut kj);
            let (yi, yj) = (sign(i), sign(j));
            let qij = yi * yj * ki[j % l];
            let (qii, qjj) = (diag[i % l], diag[j % l]);
            let (old_i, old_j) = (alpha[i], alpha[j]);
            if yi != yj {
                let quad = (qii + qjj + 2.0 * qij).max(tau);
                let delta = (-grad[i] - grad[j]) / quad;
                let diff = alpha[i] - alpha[j];
                alpha[i] += delta;
                alpha[j] += delta;
                if diff > 0.0 {
                    if alpha[j] < 0.0 {
                        alpha[j] = 0.0;
                        alpha[i] = diff;
                    }
                } else if alpha[i] < 0.0 {
                    alpha[i] = 0.0;
                    alpha[j] = -diff;
                }
                if diff > 0.0 {
                    if alpha[i] > c {
                        alpha[i] = c;
                        alpha[j] = c - diff;
                    }
                } else if alpha[j] > c {
                    alpha[j] = c;
                    alpha[i] = c + diff;
                }
            } else {
                let quad = (qii + qjj - 2.0 * qij).max(tau);
                let delta = (grad[i] - grad[j]) / quad;
                let sum = alpha[i] + alpha[j];
                alpha[i] -= delta;
                alpha[j] += delta;
                if sum > c {
                    if alpha[i] > c {
                        alpha[i] = c;
                        alpha[j] = sum - c;
                    }
                } else if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = sum;
                }
                if sum > c {
                    if alpha[j] > c {
                        alpha[j] = c;
                        alpha[i] = sum - c;
                    }
                } else if alpha[i] < 0.0 {
                    alpha[i] = 0.0;
                    alpha[j] = sum;
                }
            }
            let (a, b) = (yi * (alpha[i] - old_i), yj * (alpha[j] - old_j));
            // Q_ti = y_t y_i K(t mod l, i): the α half gains, the α* half loses.
            if active.len() == n2 {
                // Contiguous halves: no modulo and no sign branch, so it vectorizes.
                let (g_plus, g_minus) = grad.split_at_mut(l);
                for ((gp, gm), (&k1, &k2)) in g_plus
                    .iter_mut()
                    .zip(g_minus.iter_mut())
                    .zip(ki.iter().zip(kj.iter()))
                {
                    let d = a * k1 + b * k2;
                    *gp += d;
                    *gm -= d;
                }
            } else {
                for &t in &active {
                    let k = t % l;
                    let d = a * ki[k] + b * kj[k];
                    if t < l {
                        grad[t] += d;
                    } else {
                        grad[t] -= d;
                    }
                }
            }
        }
        if active.len() < n2 {
            // Stopped by the iteration limit while shrunk: every gradient
            // enters ρ below.
            reconstruct(&mut grad, &alpha, &active, &mut rows);
        }
        // ρ as LIBSVM computes it.
        let (mut ub, mut lb, mut sum_free, mut nr_free) =
            (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
        for t in 0..n2 {
            let yg = sign(t) * grad[t];
            let at_upper = alpha[t] >= c;
            let at_lower = alpha[t] <= 0.0;
            if at_upper {
                if sign(t) < 0.0 {
                    ub = ub.min(yg)
                } else {
                    lb = lb.max(yg)
                }
            } else if at_lower {
                if sign(t) > 0.0 {
                    ub = ub.min(yg)
                } else {
                    lb = lb.max(yg)
                }
            } else {
                nr_free += 1;
                sum_free += yg;
            }
        }
        let rho = if nr_free > 0 {
            sum_free / nr_free as f64
        } else {
            0.5 * (ub + lb)
        };
        let coef: Vec<(usize, f64)> = (0..l)
            .map(|k| (k, alpha[k] - alpha[k + l]))
            .filter(|(_, v)| *v != 0.0)
            .collect();
        let support: Vec<usize> = coef.iter().map(|(k, _)| *k).collect();
        let mut sv = Array2::zeros((support.len(), x.ncols()));
        for (r, &k) in support.iter().enumerate() {
            sv.row_mut(r).assign(&x.row(k));
        }
        if !rho.is_finite() {
            return Err(RegressError::NonFinite {
                what: "SVR intercept",
                row: 0,
            });
        }
        Ok(SvrModel {
            kernel: p.kernel,
            gamma,
            support_vectors: sv,
            support,
            dual_coef: coef.iter().map(|(_, v)| *v).collect(),
            intercept: -rho,
            iterations,
            max_inactive,
        })
    }
}

impl Predict for SvrModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_features(self.support_vectors.ncols(), &x)?;
        Ok(x.rows()
            .into_iter()
            .map(|r| {
                self.support_vectors
                    .rows()
                    .into_iter()
                    .zip(&self.dual_coef)
                    .map(|(sv, c)| c * kernel_value(self.kernel, self.gamma, sv, r))
                    .sum::<f64>()
                    + self.intercept
            })
            .collect())
    }
}
