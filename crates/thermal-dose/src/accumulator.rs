//! Dose accumulated cell by cell over a sequence of temperature fields.

use crate::ablation::{AblationRatios, ablated_fraction, ablation_ratios};
use crate::error::{DoseError, Result, positive};
use crate::model::DoseModel;
use ndarray::{Array, ArrayView, Dimension, IntoDimension, Ix2, Zip};

/// Accumulates a dose field: fed one temperature field (°C) per time step,
/// it adds rate(T)·δt to every cell. Works for fields of any dimension
/// (`Ix2` by default). A step with a bad temperature is rejected whole: the
/// dose is left as it was.
#[derive(Debug, Clone)]
pub struct DoseAccumulator<M: DoseModel, D: Dimension = Ix2> {
    model: M,
    dose: Array<f64, D>,
    increment: Array<f64, D>,
    elapsed_s: f64,
    steps: usize,
}

impl<M: DoseModel, D: Dimension> DoseAccumulator<M, D> {
    /// A zero dose field of shape `shape` for `model`.
    pub fn new<Sh: IntoDimension<Dim = D>>(model: M, shape: Sh) -> Self {
        let dim = shape.into_dimension();
        Self {
            model,
            dose: Array::zeros(dim.clone()),
            increment: Array::zeros(dim),
            elapsed_s: 0.0,
            steps: 0,
        }
    }

    /// Adds one step of length `dt_s` (s) at the temperatures `temperatures_c`
    /// (°C): dose += rate(T)·δt cell by cell (the rectangle rule of Eq. 12).
    ///
    /// # Errors
    /// A shape other than the accumulator's, a non-positive `dt_s`, a
    /// non-finite temperature, or an overflowing rate or dose (naming the
    /// cell).
    pub fn add_step(&mut self, temperatures_c: &ArrayView<f64, D>, dt_s: f64) -> Result<()> {
        let dt = positive("time step dt (s)", dt_s)?;
        self.check_shape(temperatures_c)?;
        let (model, shape) = (&self.model, self.dose.shape());
        for (k, ((&t, inc), &dose)) in temperatures_c
            .iter()
            .zip(self.increment.iter_mut())
            .zip(self.dose.iter())
            .enumerate()
        {
            *inc = checked_rate(model, t, k, shape)? * dt;
            check_total(dose + *inc, t, k, shape)?;
        }
        self.commit(dt);
        Ok(())
    }

    /// Adds one step of length `dt_s` (s) from the fields at its start and
    /// end by the trapezoidal rule: dose += ½(rate(T_start) + rate(T_end))·δt.
    ///
    /// # Errors
    /// As [`DoseAccumulator::add_step`], for either field.
    pub fn add_interval(
        &mut self,
        start_c: &ArrayView<f64, D>,
        end_c: &ArrayView<f64, D>,
        dt_s: f64,
    ) -> Result<()> {
        let dt = positive("time step dt (s)", dt_s)?;
        self.check_shape(start_c)?;
        self.check_shape(end_c)?;
        let (model, shape) = (&self.model, self.dose.shape());
        for (k, (((&a, &b), inc), &dose)) in start_c
            .iter()
            .zip(end_c.iter())
            .zip(self.increment.iter_mut())
            .zip(self.dose.iter())
            .enumerate()
        {
            *inc =
                0.5 * (checked_rate(model, a, k, shape)? + checked_rate(model, b, k, shape)?) * dt;
            check_total(dose + *inc, a.max(b), k, shape)?;
        }
        self.commit(dt);
        Ok(())
    }

    fn commit(&mut self, dt: f64) {
        Zip::from(&mut self.dose)
            .and(&self.increment)
            .for_each(|d, &i| *d += i);
        self.elapsed_s += dt;
        self.steps += 1;
    }

    fn check_shape(&self, field: &ArrayView<f64, D>) -> Result<()> {
        if field.shape() == self.dose.shape() {
            Ok(())
        } else {
            Err(DoseError::ShapeMismatch {
                what: "temperature field",
                expected: self.dose.shape().to_vec(),
                found: field.shape().to_vec(),
            })
        }
    }

    /// The dose field so far (in the model's unit).
    pub fn dose(&self) -> &Array<f64, D> {
        &self.dose
    }
    /// The dose field, consuming the accumulator.
    pub fn into_dose(self) -> Array<f64, D> {
        self.dose
    }
    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }
    /// Time accumulated so far (s).
    pub fn elapsed_s(&self) -> f64 {
        self.elapsed_s
    }
    /// Steps accumulated so far.
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// Cells whose dose has reached the model's lethal dose.
    pub fn lethal_mask(&self) -> Array<bool, D> {
        let lethal = self.model.lethal_dose();
        self.dose.mapv(|d| d >= lethal)
    }
    /// Fraction of the cells of `region` (named `name` in errors) whose dose
    /// has reached the lethal dose (Eq. 13).
    ///
    /// # Errors
    /// A mask of another shape, or an empty region.
    pub fn ablated_fraction(&self, region: &ArrayView<bool, D>, name: &str) -> Result<f64> {
        ablated_fraction(&self.dose.view(), region, self.model.lethal_dose(), name)
    }
    /// R_CEM43-style ratios in the tumor (`tumor` mask) and in the rest.
    ///
    /// # Errors
    /// As [`crate::ablation_ratios`].
    pub fn ablation_ratios(&self, tumor: &ArrayView<bool, D>) -> Result<AblationRatios> {
        ablation_ratios(&self.dose.view(), tumor, self.model.lethal_dose())
    }
}

/// rate(T), or an error naming the cell. `k` is the cell's position in
/// logical (row-major) order, turned into a multi-index only on error.
fn checked_rate<M: DoseModel>(model: &M, t: f64, k: usize, shape: &[usize]) -> Result<f64> {
    let r = model.dose_rate(t);
    if t.is_finite() && r.is_finite() && t >= crate::series::ABSOLUTE_ZERO_C {
        return Ok(r);
    }
    let location = format!("cell {:?}", unravel(k, shape));
    Err(if t.is_finite() && t < crate::series::ABSOLUTE_ZERO_C {
        DoseError::BelowAbsoluteZero { location, value: t }
    } else if t.is_finite() {
        DoseError::DoseOverflow {
            location,
            temperature_c: t,
        }
    } else {
        DoseError::NonFiniteTemperature { location, value: t }
    })
}

/// A cell's dose after a step, refused when it is no longer finite (the
/// step's temperature `t` named).
fn check_total(total: f64, t: f64, k: usize, shape: &[usize]) -> Result<()> {
    if total.is_finite() {
        return Ok(());
    }
    Err(DoseError::DoseOverflow {
        location: format!("cell {:?}", unravel(k, shape)),
        temperature_c: t,
    })
}

/// The multi-index of the `k`-th element in row-major order.
fn unravel(mut k: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        idx[i] = k % n;
        k /= n;
    }
    idx
}
