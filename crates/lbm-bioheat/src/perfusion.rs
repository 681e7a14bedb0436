//! Blood perfusion models ṁ_b(T) (kg/(m³·s)) for the Pennes sink
//! ṁ_b c_b (T_b − T) (Jiang et al. 2022, Eqs. 1, 3, 4).

/// A perfusion law: the mass flow rate of blood per unit tissue volume as a
/// function of the local temperature. Implement it (or pass a closure
/// `Fn(f64) -> f64`) to plug in your own law.
pub trait PerfusionModel: Send + Sync {
    /// ṁ_b (kg/(m³·s)) at temperature `temperature_c` (°C); finite and ≥ 0.
    fn rate(&self, temperature_c: f64) -> f64;

    /// `Some(rate)` when the rate does not depend on temperature; solvers
    /// then treat the problem as linear. The default is `None`.
    fn constant_rate(&self) -> Option<f64> {
        None
    }

    /// ṁ_b (kg/(m³·s)) and its slope dṁ_b/dT (kg/(m³·s·K)) at
    /// `temperature_c` (°C), for Newton's method. The default takes a
    /// central difference with a step of 10⁻⁴ °C (three calls of
    /// [`PerfusionModel::rate`]); override it with the exact slope when the
    /// law is costly.
    fn rate_and_slope(&self, temperature_c: f64) -> (f64, f64) {
        const H: f64 = 1e-4;
        let slope = (self.rate(temperature_c + H) - self.rate(temperature_c - H)) / (2.0 * H);
        (self.rate(temperature_c), slope)
    }

    /// [`PerfusionModel::rate_and_slope`] for every temperature of
    /// `temperatures_c` (°C) into `rates` (kg/(m³·s)) and `slopes`
    /// (kg/(m³·s·K)), all of one length: the form the finite-volume solver
    /// calls, once per run of cells of one region, so a law is called
    /// through one dynamic dispatch per run rather than per cell. The
    /// default loops over `rate_and_slope`; the results must equal it.
    fn rates_and_slopes(&self, temperatures_c: &[f64], rates: &mut [f64], slopes: &mut [f64]) {
        for ((t, r), s) in temperatures_c.iter().zip(rates).zip(slopes) {
            (*r, *s) = self.rate_and_slope(*t);
        }
    }
}

/// A shared law is a law: problems built from another problem's regions
/// (an extruded 2D problem, say) share its laws.
impl<P: PerfusionModel + ?Sized> PerfusionModel for std::sync::Arc<P> {
    fn rate(&self, temperature_c: f64) -> f64 {
        (**self).rate(temperature_c)
    }
    fn constant_rate(&self) -> Option<f64> {
        (**self).constant_rate()
    }
    fn rate_and_slope(&self, temperature_c: f64) -> (f64, f64) {
        (**self).rate_and_slope(temperature_c)
    }
    fn rates_and_slopes(&self, temperatures_c: &[f64], rates: &mut [f64], slopes: &mut [f64]) {
        (**self).rates_and_slopes(temperatures_c, rates, slopes)
    }
}

/// A temperature-independent perfusion ṁ_b (kg/(m³·s)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantPerfusion(pub f64);

impl PerfusionModel for ConstantPerfusion {
    fn rate(&self, _temperature_c: f64) -> f64 {
        self.0
    }
    fn constant_rate(&self) -> Option<f64> {
        Some(self.0)
    }
    fn rate_and_slope(&self, _temperature_c: f64) -> (f64, f64) {
        (self.0, 0.0)
    }
}

/// Healthy tissue after Lang et al. 1999 (Jiang et al. 2022, Eq. 3):
/// ṁ_b = 0.45 + 3.55 exp(−(T − 45)²/12) for T ≤ 45 °C, 4.0 above.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HealthyTissuePerfusion;

impl PerfusionModel for HealthyTissuePerfusion {
    fn rate(&self, t: f64) -> f64 {
        if t <= 45.0 {
            0.45 + 3.55 * (-(t - 45.0).powi(2) / 12.0).exp()
        } else {
            4.0
        }
    }
    /// The exact slope −3.55·(T − 45)/6·exp(−(T − 45)²/12) below 45 °C, 0 above.
    fn rate_and_slope(&self, t: f64) -> (f64, f64) {
        if t <= 45.0 {
            let e = 3.55 * (-(t - 45.0).powi(2) / 12.0).exp();
            (0.45 + e, -e * (t - 45.0) / 6.0)
        } else {
            (4.0, 0.0)
        }
    }
}

/// Tumor tissue after Lang et al. 1999 (Jiang et al. 2022, Eq. 4):
/// 0.833 for T ≤ 37 °C; 0.8333 − (T − 37)^4.8/5438 for 37 < T ≤ 42; 0.416
/// above 42 °C. (The paper leaves T = 37 °C to no branch; the first one is
/// used.)
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TumorPerfusion;

impl PerfusionModel for TumorPerfusion {
    fn rate(&self, t: f64) -> f64 {
        if t <= 37.0 {
            0.833
        } else if t <= 42.0 {
            0.8333 - (t - 37.0).powf(4.8) / 5438.0
        } else {
            0.416
        }
    }
    /// The exact slope −4.8·(T − 37)^3.8/5438 between 37 and 42 °C, 0 elsewhere.
    fn rate_and_slope(&self, t: f64) -> (f64, f64) {
        if t <= 37.0 || t > 42.0 {
            (self.rate(t), 0.0)
        } else {
            let p = (t - 37.0).powf(3.8) / 5438.0;
            (0.8333 - p * (t - 37.0), -4.8 * p)
        }
    }
}

impl<F: Fn(f64) -> f64 + Send + Sync> PerfusionModel for F {
    fn rate(&self, temperature_c: f64) -> f64 {
        self(temperature_c)
    }
}
