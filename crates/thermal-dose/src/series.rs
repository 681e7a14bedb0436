//! Dose of a single temperature history (one point in space).

use crate::error::{DoseError, Result, positive};
use crate::model::DoseModel;

/// How the dose rate is integrated between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quadrature {
    /// Each interval at its starting temperature: Σ rate(T_i)(t_{i+1} − t_i).
    Left,
    /// Each interval at its ending temperature: Σ rate(T_{i+1})(t_{i+1} − t_i).
    /// This is Eq. 12 of Jiang et al. 2022 when T_i is the temperature after
    /// the i-th time step.
    Right,
    /// The trapezoidal rule on the dose rate (the most accurate for smooth
    /// sampled histories).
    #[default]
    Trapezoid,
}

/// Dose (in the model's unit) of a constant temperature `temperature_c` (°C)
/// held for `duration_s` (s): rate(T)·duration.
///
/// # Errors
/// A non-finite temperature, a non-positive duration, or an overflow.
pub fn constant_temperature_dose<M: DoseModel>(
    model: &M,
    temperature_c: f64,
    duration_s: f64,
) -> Result<f64> {
    let d = positive("duration (s)", duration_s)?;
    rate_checked(model, temperature_c, 0)
        .map(|r| r * d)
        .and_then(|dose| {
            if dose.is_finite() {
                Ok(dose)
            } else {
                Err(DoseError::DoseOverflow {
                    location: "constant exposure".into(),
                    temperature_c,
                })
            }
        })
}

/// The cumulative dose at every sample of the history (`times_s` in s,
/// strictly increasing; `temperatures_c` in °C): element 0 is 0 and the last
/// is the total.
///
/// # Errors
/// Lengths that differ, times that are non-finite or do not increase
/// strictly, non-finite temperatures, or an overflow.
pub fn cumulative_dose<M: DoseModel>(
    model: &M,
    times_s: &[f64],
    temperatures_c: &[f64],
    rule: Quadrature,
) -> Result<Vec<f64>> {
    if times_s.len() != temperatures_c.len() {
        return Err(DoseError::ShapeMismatch {
            what: "temperatures",
            expected: vec![times_s.len()],
            found: vec![temperatures_c.len()],
        });
    }
    let mut out = Vec::with_capacity(times_s.len());
    let Some(&t0) = times_s.first() else {
        return Ok(out);
    };
    crate::error::finite("t[0] (s)", t0)?;
    let mut previous_rate = rate_checked(model, temperatures_c[0], 0)?;
    let mut total = 0.0;
    out.push(total);
    for i in 1..times_s.len() {
        let (ta, tb) = (times_s[i - 1], times_s[i]);
        if !(tb.is_finite() && tb > ta) {
            return Err(DoseError::NonIncreasingTime {
                index: i,
                value: tb,
                previous: ta,
            });
        }
        let rate = rate_checked(model, temperatures_c[i], i)?;
        let dt = tb - ta;
        total += match rule {
            Quadrature::Left => previous_rate * dt,
            Quadrature::Right => rate * dt,
            Quadrature::Trapezoid => 0.5 * (previous_rate + rate) * dt,
        };
        if !total.is_finite() {
            return Err(DoseError::DoseOverflow {
                location: format!("sample {i}"),
                temperature_c: temperatures_c[i],
            });
        }
        previous_rate = rate;
        out.push(total);
    }
    Ok(out)
}

/// The total dose of a temperature history; see [`cumulative_dose`].
///
/// # Errors
/// As [`cumulative_dose`].
pub fn dose_series<M: DoseModel>(
    model: &M,
    times_s: &[f64],
    temperatures_c: &[f64],
    rule: Quadrature,
) -> Result<f64> {
    Ok(cumulative_dose(model, times_s, temperatures_c, rule)?
        .last()
        .copied()
        .unwrap_or(0.0))
}

/// Absolute zero (°C).
pub(crate) const ABSOLUTE_ZERO_C: f64 = -273.15;

fn rate_checked<M: DoseModel>(model: &M, temperature_c: f64, index: usize) -> Result<f64> {
    if !temperature_c.is_finite() {
        return Err(DoseError::NonFiniteTemperature {
            location: format!("sample {index}"),
            value: temperature_c,
        });
    }
    if temperature_c < ABSOLUTE_ZERO_C {
        return Err(DoseError::BelowAbsoluteZero {
            location: format!("sample {index}"),
            value: temperature_c,
        });
    }
    let r = model.dose_rate(temperature_c);
    if r.is_finite() {
        Ok(r)
    } else {
        Err(DoseError::DoseOverflow {
            location: format!("sample {index}"),
            temperature_c,
        })
    }
}
