//! Closed-form solutions of the Pennes equation, for verification
//! (Zhang 2008 and the steady slab). With θ = T − T_b − Q_m/W, W = ṁ_b c_b, m = √(W/k),
//! α = k/(ρc) and β = W/(ρc):
//!
//! - [`Slab1d`]: a slab 0 ≤ x ≤ L, adiabatic at x = 0, held at T_L at x = L,
//!   starting uniform at T_e = T_b + Q_m/W (Zhang 2008's transient):
//!   steady T = T_e + (T_L − T_e) cosh(mx)/cosh(mL), plus a cosine series
//!   for the transient;
//! - [`disk_source`]: a uniform source q0 in a disk of radius R in an
//!   infinite medium: θ = (q0/W)[1 − mR K1(mR) I0(mr)] inside and
//!   (q0/W) mR I1(mR) K0(mr) outside;
//! - [`sphere_source`]: a uniform source q0 in a ball of radius R in an
//!   infinite medium (3D): θ = (q0/W)[1 − (1 + mR)e^(−mR) sinh(mr)/(mr)]
//!   inside and (q0/W)[mR cosh(mR) − sinh(mR)] e^(−mr)/(mr) outside;
//! - [`gaussian_hill`]: a Gaussian excess without sources spreads as
//!   σ² = σ0² + 2αt and decays as exp(−βt).

use std::f64::consts::PI;

/// Modified Bessel function I_ν(x) for ν = 0 or 1 and x ≥ 0, by its power
/// series Σ (x/2)^(2k+ν)/(k!(k+ν)!) (all terms positive: accurate to
/// rounding for the arguments used here, x ≲ 100).
pub fn bessel_i(nu: u32, x: f64) -> f64 {
    let y = 0.25 * x * x;
    let mut term = if nu == 0 { 1.0 } else { 0.5 * x };
    let mut sum = term;
    let mut k = 1.0;
    while term > sum * 1e-17 {
        term *= y / (k * (k + nu as f64));
        sum += term;
        k += 1.0;
    }
    sum
}

/// Modified Bessel function K_ν(x) for ν = 0 or 1 and x > 0, from
/// K_ν(x) = ∫₀^∞ exp(−x cosh t) cosh(νt) dt by the trapezoidal rule, which
/// converges exponentially for this integrand (error ≪ 10⁻¹² for
/// 10⁻³ ≤ x ≤ 700).
pub fn bessel_k(nu: u32, x: f64) -> f64 {
    let h: f64 = 0.01;
    let mut sum = 0.5 * (-x).exp();
    let mut t = h;
    loop {
        let term = (-x * t.cosh()).exp() * (nu as f64 * t).cosh();
        sum += term;
        if term < 1e-18 * sum || t > 30.0 {
            break;
        }
        t += h;
    }
    sum * h
}

/// The 1D slab of Zhang 2008, in SI units and °C.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slab1d {
    /// Length L (m).
    pub length: f64,
    /// Conductivity k (W/(m·K)).
    pub conductivity: f64,
    /// Volumetric heat capacity ρc (J/(m³·K)).
    pub heat_capacity: f64,
    /// Perfusion coefficient W = ṁ_b c_b (W/(m³·K)).
    pub perfusion: f64,
    /// Blood temperature T_b (°C).
    pub blood_temperature: f64,
    /// Metabolic heat Q_m (W/m³).
    pub metabolic_heat: f64,
    /// Wall temperature at x = L (°C).
    pub wall_temperature: f64,
}

impl Slab1d {
    /// Zhang 2008: L = 0.04 m, k = 0.5, ρ = ρ_b = 1052, c = c_b = 3800,
    /// ω_b = 10⁻⁴ 1/s (W = ω_b ρ_b c_b = 399.76 W/(m³·K)), Q_m = 400 W/m³,
    /// T_a = 37 °C, the wall at 30 °C.
    pub fn zhang_2008() -> Self {
        Self {
            length: 0.04,
            conductivity: 0.5,
            heat_capacity: 1052.0 * 3800.0,
            perfusion: 1e-4 * 1052.0 * 3800.0,
            blood_temperature: 37.0,
            metabolic_heat: 400.0,
            wall_temperature: 30.0,
        }
    }

    /// The perfusion equilibrium T_e = T_b + Q_m/W (°C): the initial state.
    pub fn equilibrium(&self) -> f64 {
        self.blood_temperature + self.metabolic_heat / self.perfusion
    }

    fn m(&self) -> f64 {
        (self.perfusion / self.conductivity).sqrt()
    }

    /// The steady temperature at `x` (m).
    pub fn steady(&self, x: f64) -> f64 {
        let m = self.m();
        let te = self.equilibrium();
        te + (self.wall_temperature - te) * (m * x).cosh() / (m * self.length).cosh()
    }

    /// The temperature at `x` (m) and time `t` (s > 0) after the wall is set
    /// to T_L, from the uniform start at T_e: the steady profile plus
    /// Σ a_n cos(λ_n x) exp(−(αλ_n² + β)t), λ_n = (2n + 1)π/(2L),
    /// a_n = −(2/L)(T_L − T_e)(−1)ⁿ λ_n/(m² + λ_n²).
    pub fn transient(&self, x: f64, t: f64) -> f64 {
        let (l, m2) = (self.length, self.perfusion / self.conductivity);
        let alpha = self.conductivity / self.heat_capacity;
        let beta = self.perfusion / self.heat_capacity;
        let theta_l = self.wall_temperature - self.equilibrium();
        let mut sum = 0.0;
        for n in 0..20_000 {
            let lambda = (2 * n + 1) as f64 * PI / (2.0 * l);
            let decay = (-(alpha * lambda * lambda + beta) * t).exp();
            let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
            let term = -2.0 / l * theta_l * sign * lambda / (m2 + lambda * lambda)
                * (lambda * x).cos()
                * decay;
            sum += term;
            if decay < 1e-17 {
                break;
            }
        }
        self.steady(x) + sum
    }
}

/// Excess temperature θ = T − T_b (°C) at distance `r` (m) from the centre
/// of a disk of radius `radius` (m) holding a uniform source `q0` (W/m³), in
/// an infinite medium of conductivity `k` (W/(m·K)) with perfusion
/// coefficient `w` (W/(m³·K)).
pub fn disk_source(r: f64, radius: f64, q0: f64, w: f64, k: f64) -> f64 {
    let m = (w / k).sqrt();
    let mr0 = m * radius;
    if r <= radius {
        q0 / w * (1.0 - mr0 * bessel_k(1, mr0) * bessel_i(0, m * r))
    } else {
        q0 / w * mr0 * bessel_i(1, mr0) * bessel_k(0, m * r)
    }
}

/// Steady excess temperature θ = T − T_b (K) at distance `r` (m) from the
/// centre of a ball of radius `radius` (m) heated uniformly by `q0` (W/m³),
/// in an infinite medium of conductivity `k` (W/(m·K)) and perfusion
/// `w` = ṁ_b c_b (W/(m³·K)), the same inside and out (Pennes, Jiang et al.
/// 2022 Eq. 1 with constant coefficients, in spherical symmetry). With
/// m = √(w/k) the bounded solution of θ'' + 2θ'/r − m²θ = −q0/k inside is
/// q0/w + A sinh(mr)/r, the decaying one outside B e^(−mr)/r; θ and θ'
/// continuous at R give
/// θ = (q0/w)[1 − (1 + mR)e^(−mR) sinh(mr)/(mr)] for r ≤ R and
/// θ = (q0/w)[mR cosh(mR) − sinh(mR)] e^(−mr)/(mr) for r ≥ R; at the
/// centre (q0/w)[1 − (1 + mR)e^(−mR)]. Derivation in docs/VALIDATION.md.
pub fn sphere_source(r: f64, radius: f64, q0: f64, w: f64, k: f64) -> f64 {
    let m = (w / k).sqrt();
    let (mr, m_big) = (m * r.abs(), m * radius);
    // sinh(x)/x, continuous at x = 0.
    let sinhc = |x: f64| if x < 1e-8 { 1.0 } else { x.sinh() / x };
    if r.abs() <= radius {
        q0 / w * (1.0 - (1.0 + m_big) * (-m_big).exp() * sinhc(mr))
    } else {
        q0 / w * (m_big * m_big.cosh() - m_big.sinh()) * (-mr).exp() / mr
    }
}

/// Excess temperature (°C) at distance `r` (m) and time `t` (s) of a 2D
/// Gaussian hill of initial amplitude `amplitude` (°C) and width `sigma0`
/// (m), in a medium of diffusivity `alpha` (m²/s) with perfusion decay rate
/// `beta` = W/(ρc) (1/s) and no source:
/// A (σ0²/σ²) exp(−r²/(2σ²)) exp(−βt), σ² = σ0² + 2αt.
pub fn gaussian_hill(r: f64, t: f64, amplitude: f64, sigma0: f64, alpha: f64, beta: f64) -> f64 {
    let s2 = sigma0 * sigma0 + 2.0 * alpha * t;
    amplitude * sigma0 * sigma0 / s2 * (-r * r / (2.0 * s2)).exp() * (-beta * t).exp()
}

/// A steady two-layer slab on x ∈ [0, L]: layer 1 on [0, a), layer 2 on
/// (a, L], each with its own conductivity k_i, heat capacity (ρc)_i,
/// perfusion coefficient W_i = ṁ_b c_b (W/(m³·K)) and heat source Q_i
/// (W/m³); temperatures fixed at both ends. With θ = T − T_b, each layer
/// obeys k_i θ'' − W_i θ + Q_i = 0, so
/// θ₁ = p₁ + A₁ cosh(m₁x) + B₁ sinh(m₁x) and
/// θ₂ = p₂ + A₂ cosh(m₂(L − x)) + B₂ sinh(m₂(L − x)),
/// with p_i = Q_i/W_i and m_i = √(W_i/k_i); the end temperatures give A₁
/// and A₂, and continuity of T and of k∂T/∂x at x = a give B₁ and B₂ (a
/// 2 × 2 system, solved by Cramer's rule). (ρc) does not enter the steady
/// state; a solver whose steady state moves with it is wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayeredSlab {
    /// Length L (m).
    pub length: f64,
    /// Position a of the interface (m), 0 < a < L.
    pub interface: f64,
    /// Conductivities k₁, k₂ (W/(m·K)).
    pub conductivity: [f64; 2],
    /// Volumetric heat capacities (ρc)₁, (ρc)₂ (J/(m³·K)).
    pub heat_capacity: [f64; 2],
    /// Perfusion coefficients W₁, W₂ = ṁ_b c_b (W/(m³·K)), > 0.
    pub perfusion: [f64; 2],
    /// Heat sources Q₁, Q₂ (W/m³).
    pub source: [f64; 2],
    /// Blood temperature T_b (°C).
    pub blood_temperature: f64,
    /// Temperatures at x = 0 and x = L (°C).
    pub end_temperatures: [f64; 2],
}

impl LayeredSlab {
    /// A 20 mm slab: a heated, well-perfused muscle-like layer (k = 0.5,
    /// (ρc) = 4·10⁶, W = 2000, Q = 2·10⁴) against a fat-like layer (k = 0.2,
    /// (ρc) = 2·10⁶, W = 500, no source), both ends at 37 °C.
    pub fn muscle_and_fat() -> Self {
        Self {
            length: 0.02,
            interface: 0.01,
            conductivity: [0.5, 0.2],
            heat_capacity: [4.0e6, 2.0e6],
            perfusion: [2000.0, 500.0],
            source: [2e4, 0.0],
            blood_temperature: 37.0,
            end_temperatures: [37.0, 37.0],
        }
    }

    /// The steady temperature (°C) at `x` (m).
    pub fn steady(&self, x: f64) -> f64 {
        let (l, a) = (self.length, self.interface);
        let [k1, k2] = self.conductivity;
        let m1 = (self.perfusion[0] / k1).sqrt();
        let m2 = (self.perfusion[1] / k2).sqrt();
        let p1 = self.source[0] / self.perfusion[0];
        let p2 = self.source[1] / self.perfusion[1];
        let a1 = self.end_temperatures[0] - self.blood_temperature - p1;
        let a2 = self.end_temperatures[1] - self.blood_temperature - p2;
        let (c1, s1) = ((m1 * a).cosh(), (m1 * a).sinh());
        let (c2, s2) = ((m2 * (l - a)).cosh(), (m2 * (l - a)).sinh());
        // B₁ s₁ − B₂ s₂ = R₁ (temperature), k₁m₁c₁ B₁ + k₂m₂c₂ B₂ = R₂ (flux).
        let r1 = p2 + a2 * c2 - p1 - a1 * c1;
        let r2 = -k2 * m2 * a2 * s2 - k1 * m1 * a1 * s1;
        let det = s1 * k2 * m2 * c2 + s2 * k1 * m1 * c1;
        let b1 = (r1 * k2 * m2 * c2 + s2 * r2) / det;
        let b2 = (s1 * r2 - k1 * m1 * c1 * r1) / det;
        let theta = if x <= a {
            p1 + a1 * (m1 * x).cosh() + b1 * (m1 * x).sinh()
        } else {
            p2 + a2 * (m2 * (l - x)).cosh() + b2 * (m2 * (l - x)).sinh()
        };
        self.blood_temperature + theta
    }
}

/// A steady perfused slab on x ∈ [0, L], adiabatic at x = 0 and cooled at
/// x = L by a convective (Robin) wall −k ∂T/∂x = h (T − T_a). With
/// θ = T − T_b: θ = p + A cosh(mx), p = Q/W, m = √(W/k), and the wall gives
/// A = −h (p + T_b − T_a)/(k m sinh(mL) + h cosh(mL)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobinSlab {
    /// Length L (m).
    pub length: f64,
    /// Conductivity k (W/(m·K)).
    pub conductivity: f64,
    /// Perfusion coefficient W = ṁ_b c_b (W/(m³·K)), > 0.
    pub perfusion: f64,
    /// Heat source Q (W/m³).
    pub source: f64,
    /// Blood temperature T_b (°C).
    pub blood_temperature: f64,
    /// Heat transfer coefficient h (W/(m²·K)).
    pub h: f64,
    /// Ambient temperature T_a (°C).
    pub ambient_c: f64,
}

impl RobinSlab {
    /// A 10 mm strongly perfused slab (W = 4·10⁴ W/(m³·K), k = 0.5) cooled
    /// by h = 200 W/(m²·K) into 20 °C: a Biot number h/(km) of about 1.4,
    /// so the wall temperature is set by the balance, not by either side.
    pub fn cooled_skin() -> Self {
        Self {
            length: 0.01,
            conductivity: 0.5,
            perfusion: 4e4,
            source: 0.0,
            blood_temperature: 37.0,
            h: 200.0,
            ambient_c: 20.0,
        }
    }

    /// The steady temperature (°C) at `x` (m).
    pub fn steady(&self, x: f64) -> f64 {
        let m = (self.perfusion / self.conductivity).sqrt();
        let p = self.source / self.perfusion;
        let ml = m * self.length;
        let a = -self.h * (p + self.blood_temperature - self.ambient_c)
            / (self.conductivity * m * ml.sinh() + self.h * ml.cosh());
        self.blood_temperature + p + a * (m * x).cosh()
    }
}
