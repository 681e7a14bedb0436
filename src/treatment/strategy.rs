//! Injection parametrizations (Jiang et al. 2022, §2.3, §3.2, Table 4): how
//! a point of the search box becomes injection sites and their clouds.
//!
//! Every strategy maps normalized variables, each in [0, 1] (k_σ in
//! [0.001, 1]: a cloud needs a width), to sites carrying the clouds of
//! Eq. 8: σ = k_σ σ0 and V_i = w_i k_σ² k_φ φ0 with per-site dose weights
//! w_i (1 for the paper's strategies). The first two variables are always
//! k_φ and k_σ. Implement [`InjectionStrategy`] for a parametrization of
//! your own.

use crate::error::{Error, Result};
use mnp_physics::InjectionReference;
use mnp_physics::layout::{circular_sites, elliptical_sites};

/// Lower bound of k_σ in the search box (σ = 0 is not a cloud).
pub const K_SIGMA_MIN: f64 = 1e-3;

pub use mnp_physics::layout::InjectionLayout;

/// A parametrization of the injection sites.
pub trait InjectionStrategy: Send + Sync + std::fmt::Debug {
    /// A short description, e.g. "circular, 4 sites".
    fn name(&self) -> String;
    /// The search variables' names, k_φ and k_σ first.
    fn variables(&self) -> Vec<&'static str>;
    /// Lower and upper bounds of the variables (default: [0, 1] with k_σ
    /// from [`K_SIGMA_MIN`]).
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let d = self.variables().len();
        let mut lower = vec![0.0; d];
        lower[1] = K_SIGMA_MIN;
        (lower, vec![1.0; d])
    }
    /// Number of sites.
    fn sites(&self) -> usize;
    /// The layout at `x` (one value per variable).
    ///
    /// # Errors
    /// A wrong number of variables or a value the clouds refuse.
    fn layout(&self, reference: &InjectionReference, x: &[f64]) -> Result<InjectionLayout>;
}

fn check_len(x: &[f64], expected: usize) -> Result<()> {
    if x.len() == expected {
        Ok(())
    } else {
        Err(Error::Shape {
            what: "injection variables",
            expected,
            found: x.len(),
        })
    }
}

/// The circular tumor's strategy (§3.1): `n` sites evenly spaced in angle
/// at distance k_d d0 from the centre, the first at `rotation_deg` from the
/// x axis (0°, or 45° for Fig. 4's rotated four sites); one site sits at
/// the centre. Variables (k_φ, k_σ, k_d), or (k_φ, k_σ) for one site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circular {
    n: usize,
    rotation_deg: f64,
}

impl Circular {
    /// `n` sites, the first on the x axis.
    ///
    /// # Errors
    /// `n` = 0.
    pub fn new(n: usize) -> Result<Self> {
        Self::rotated(n, 0.0)
    }
    /// `n` sites, the first at `rotation_deg`.
    ///
    /// # Errors
    /// `n` = 0 or a non-finite angle.
    pub fn rotated(n: usize, rotation_deg: f64) -> Result<Self> {
        if n == 0 || !rotation_deg.is_finite() {
            return Err(Error::Invalid {
                name: "circular strategy",
                reason: format!("needs n ≥ 1 and a finite rotation (n = {n}, {rotation_deg}°)"),
            });
        }
        Ok(Self { n, rotation_deg })
    }
    /// Angle of the first site from the x axis (degrees).
    pub fn rotation_deg(&self) -> f64 {
        self.rotation_deg
    }
}

impl InjectionStrategy for Circular {
    fn name(&self) -> String {
        if self.rotation_deg == 0.0 {
            format!("circular, {} site(s)", self.n)
        } else {
            format!(
                "circular, {} site(s), rotated {}°",
                self.n, self.rotation_deg
            )
        }
    }
    fn variables(&self) -> Vec<&'static str> {
        if self.n == 1 {
            vec!["k_phi", "k_sigma"]
        } else {
            vec!["k_phi", "k_sigma", "k_d"]
        }
    }
    fn sites(&self) -> usize {
        self.n
    }
    fn layout(&self, reference: &InjectionReference, x: &[f64]) -> Result<InjectionLayout> {
        check_len(x, self.variables().len())?;
        let d = if self.n == 1 {
            0.0
        } else {
            x[2] * reference.d0()
        };
        let points = circular_sites(self.n, d, self.rotation_deg.to_radians());
        Ok(InjectionLayout::equal(
            reference,
            x[0],
            x[1],
            &points,
            vec![("d_mm", d * 1e3)],
        )?)
    }
}

/// The elliptical tumor's strategies (§3.2, Table 4), major axis along x:
/// 1 site at the centre; 2 at ±k_dh d_h0 on the major axis; 4 adds
/// ±k_dv d_v0 on the minor axis; 8 adds four at distance k_di d_i0 on the
/// lines at ±β from the major axis (β = k_β β0, or fixed). d_h0 = 1.25 d0,
/// d_v0 = 0.8 d0, d_i0 = d0, β0 = 90°.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elliptical {
    n: usize,
    fixed_beta_deg: Option<f64>,
}

impl Elliptical {
    /// d_h0 / d0.
    pub const D_H0: f64 = 1.25;
    /// d_v0 / d0.
    pub const D_V0: f64 = 0.8;
    /// d_i0 / d0.
    pub const D_I0: f64 = 1.0;
    /// β0 (degrees).
    pub const BETA0_DEG: f64 = 90.0;

    /// `n` ∈ {1, 2, 4, 8} sites.
    ///
    /// # Errors
    /// Any other `n`.
    pub fn new(n: usize) -> Result<Self> {
        if ![1, 2, 4, 8].contains(&n) {
            return Err(Error::Invalid {
                name: "elliptical strategy",
                reason: format!("has 1, 2, 4 or 8 sites, not {n}"),
            });
        }
        Ok(Self {
            n,
            fixed_beta_deg: None,
        })
    }

    /// Eight sites with the inclination fixed at `beta_deg` (Table 6:
    /// 30°); k_β is then not searched.
    ///
    /// # Errors
    /// β outside [0°, 90°].
    pub fn eight_fixed_beta(beta_deg: f64) -> Result<Self> {
        if !(0.0..=90.0).contains(&beta_deg) {
            return Err(Error::Invalid {
                name: "beta",
                reason: format!("must lie in [0, 90] degrees, not {beta_deg}"),
            });
        }
        Ok(Self {
            n: 8,
            fixed_beta_deg: Some(beta_deg),
        })
    }

    /// The fixed inclination, if any (degrees).
    pub fn fixed_beta_deg(&self) -> Option<f64> {
        self.fixed_beta_deg
    }
}

impl InjectionStrategy for Elliptical {
    fn name(&self) -> String {
        match self.fixed_beta_deg {
            Some(b) => format!("elliptical, {} sites, beta fixed at {b}°", self.n),
            None => format!("elliptical, {} site(s)", self.n),
        }
    }
    fn variables(&self) -> Vec<&'static str> {
        let mut v = vec!["k_phi", "k_sigma"];
        if self.n >= 2 {
            v.push("k_dh");
        }
        if self.n >= 4 {
            v.push("k_dv");
        }
        if self.n == 8 {
            v.push("k_di");
            if self.fixed_beta_deg.is_none() {
                v.push("k_beta");
            }
        }
        v
    }
    fn sites(&self) -> usize {
        self.n
    }
    fn layout(&self, reference: &InjectionReference, x: &[f64]) -> Result<InjectionLayout> {
        check_len(x, self.variables().len())?;
        let d0 = reference.d0();
        let mut geometry = Vec::new();
        let (mut dh, mut dv, mut di, mut beta) = (0.0, 0.0, 0.0, 0.0);
        if self.n >= 2 {
            dh = x[2] * Self::D_H0 * d0;
            geometry.push(("d_h_mm", dh * 1e3));
        }
        if self.n >= 4 {
            dv = x[3] * Self::D_V0 * d0;
            geometry.push(("d_v_mm", dv * 1e3));
        }
        if self.n == 8 {
            di = x[4] * Self::D_I0 * d0;
            beta = self
                .fixed_beta_deg
                .unwrap_or_else(|| x[5] * Self::BETA0_DEG);
            geometry.push(("d_i_mm", di * 1e3));
            geometry.push(("beta_deg", beta));
        }
        let points = elliptical_sites(self.n, dh, dv, di, beta)?;
        Ok(InjectionLayout::equal(
            reference, x[0], x[1], &points, geometry,
        )?)
    }
}

/// Sites of the user's choosing with per-site dose weights: site i holds
/// V_i = w_i k_σ² k_φ φ0 at its own position. Variables (k_φ, k_σ).
#[derive(Debug, Clone, PartialEq)]
pub struct UserSites {
    sites: Vec<(f64, f64, f64)>,
}

impl UserSites {
    /// Sites (x, y) (m) with dose weights w ≥ 0 (not all zero).
    ///
    /// # Errors
    /// No site, a non-finite coordinate, or a negative or all-zero weight.
    pub fn new(sites: Vec<(f64, f64, f64)>) -> Result<Self> {
        let bad = sites
            .iter()
            .any(|&(x, y, w)| !(x.is_finite() && y.is_finite() && w >= 0.0 && w.is_finite()));
        if sites.is_empty() || bad || sites.iter().all(|s| s.2 == 0.0) {
            return Err(Error::Invalid {
                name: "user sites",
                reason: "need at least one site, finite coordinates and weights ≥ 0, not all zero"
                    .into(),
            });
        }
        Ok(Self { sites })
    }
    /// The sites (x m, y m, weight).
    pub fn list(&self) -> &[(f64, f64, f64)] {
        &self.sites
    }
}

impl InjectionStrategy for UserSites {
    fn name(&self) -> String {
        format!("user-defined, {} site(s)", self.sites.len())
    }
    fn variables(&self) -> Vec<&'static str> {
        vec!["k_phi", "k_sigma"]
    }
    fn sites(&self) -> usize {
        self.sites.len()
    }
    fn layout(&self, reference: &InjectionReference, x: &[f64]) -> Result<InjectionLayout> {
        check_len(x, 2)?;
        Ok(InjectionLayout::new(
            reference,
            x[0],
            x[1],
            &self.sites,
            Vec::new(),
        )?)
    }
}
