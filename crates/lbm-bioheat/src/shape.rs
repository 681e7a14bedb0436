//! Analytic region shapes: circles, rotated ellipses and rectangles, their
//! cell masks and points on their boundaries.

use crate::error::{Result, finite, positive};
use crate::grid::Grid;
use ndarray::Array2;
use std::f64::consts::PI;

/// A 2D shape in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A disk of centre (cx, cy) and radius r.
    Circle {
        /// Centre x (m).
        cx: f64,
        /// Centre y (m).
        cy: f64,
        /// Radius (m).
        r: f64,
    },
    /// An ellipse of centre (cx, cy), semi-axes a (along its own x) and b,
    /// rotated by `angle` (rad, counter-clockwise).
    Ellipse {
        /// Centre x (m).
        cx: f64,
        /// Centre y (m).
        cy: f64,
        /// Semi-axis along the rotated x direction (m).
        a: f64,
        /// Semi-axis along the rotated y direction (m).
        b: f64,
        /// Rotation (rad).
        angle: f64,
    },
    /// An axis-aligned rectangle [x_min, x_max] × [y_min, y_max].
    Rectangle {
        /// Left (m).
        x_min: f64,
        /// Bottom (m).
        y_min: f64,
        /// Right (m).
        x_max: f64,
        /// Top (m).
        y_max: f64,
    },
}

impl Shape {
    /// A circle; errors on a non-positive radius or non-finite centre.
    ///
    /// # Errors
    /// As stated.
    pub fn circle(cx: f64, cy: f64, r: f64) -> Result<Self> {
        Ok(Self::Circle {
            cx: finite("circle cx (m)", cx)?,
            cy: finite("circle cy (m)", cy)?,
            r: positive("circle radius (m)", r)?,
        })
    }

    /// An ellipse; errors on non-positive semi-axes or non-finite values.
    ///
    /// # Errors
    /// As stated.
    pub fn ellipse(cx: f64, cy: f64, a: f64, b: f64, angle: f64) -> Result<Self> {
        Ok(Self::Ellipse {
            cx: finite("ellipse cx (m)", cx)?,
            cy: finite("ellipse cy (m)", cy)?,
            a: positive("ellipse semi-axis a (m)", a)?,
            b: positive("ellipse semi-axis b (m)", b)?,
            angle: finite("ellipse angle (rad)", angle)?,
        })
    }

    /// A rectangle; errors unless x_min < x_max and y_min < y_max.
    ///
    /// # Errors
    /// As stated.
    pub fn rectangle(x_min: f64, y_min: f64, x_max: f64, y_max: f64) -> Result<Self> {
        positive(
            "rectangle width (m)",
            finite("x_max (m)", x_max)? - finite("x_min (m)", x_min)?,
        )?;
        positive(
            "rectangle height (m)",
            finite("y_max (m)", y_max)? - finite("y_min (m)", y_min)?,
        )?;
        Ok(Self::Rectangle {
            x_min,
            y_min,
            x_max,
            y_max,
        })
    }

    /// Whether the point (x, y) (m) lies inside or on the shape.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match *self {
            Self::Circle { cx, cy, r } => (x - cx).powi(2) + (y - cy).powi(2) <= r * r,
            Self::Ellipse {
                cx,
                cy,
                a,
                b,
                angle,
            } => {
                let (s, c) = angle.sin_cos();
                let (dx, dy) = (x - cx, y - cy);
                let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
                (u / a).powi(2) + (v / b).powi(2) <= 1.0
            }
            Self::Rectangle {
                x_min,
                y_min,
                x_max,
                y_max,
            } => (x_min..=x_max).contains(&x) && (y_min..=y_max).contains(&y),
        }
    }

    /// The mask of the cells of `grid` whose centres lie in the shape.
    pub fn mask(&self, grid: &Grid) -> Array2<bool> {
        Array2::from_shape_fn(grid.shape(), |(i, j)| self.contains(grid.x(i), grid.y(j)))
    }

    /// Area of the shape (m²).
    pub fn area(&self) -> f64 {
        match *self {
            Self::Circle { r, .. } => PI * r * r,
            Self::Ellipse { a, b, .. } => PI * a * b,
            Self::Rectangle {
                x_min,
                y_min,
                x_max,
                y_max,
            } => (x_max - x_min) * (y_max - y_min),
        }
    }

    /// `n` points on the boundary. Circles and ellipses: evenly spaced in
    /// the parametric angle, starting on the (rotated) x axis, so for a
    /// circle evenly spaced in polar angle (Eq. 9c's interface points).
    /// Rectangles: evenly spaced in arc length, from the lower-left corner,
    /// counter-clockwise.
    pub fn boundary_points(&self, n: usize) -> Vec<(f64, f64)> {
        match *self {
            Self::Circle { cx, cy, r } => (0..n)
                .map(|k| {
                    let t = 2.0 * PI * k as f64 / n as f64;
                    (cx + r * t.cos(), cy + r * t.sin())
                })
                .collect(),
            Self::Ellipse {
                cx,
                cy,
                a,
                b,
                angle,
            } => {
                let (s, c) = angle.sin_cos();
                (0..n)
                    .map(|k| {
                        let t = 2.0 * PI * k as f64 / n as f64;
                        let (u, v) = (a * t.cos(), b * t.sin());
                        (cx + c * u - s * v, cy + s * u + c * v)
                    })
                    .collect()
            }
            Self::Rectangle {
                x_min,
                y_min,
                x_max,
                y_max,
            } => {
                let (w, h) = (x_max - x_min, y_max - y_min);
                let perimeter = 2.0 * (w + h);
                (0..n)
                    .map(|k| {
                        let s = perimeter * k as f64 / n as f64;
                        if s < w {
                            (x_min + s, y_min)
                        } else if s < w + h {
                            (x_max, y_min + (s - w))
                        } else if s < 2.0 * w + h {
                            (x_max - (s - w - h), y_max)
                        } else {
                            (x_min, y_max - (s - 2.0 * w - h))
                        }
                    })
                    .collect()
            }
        }
    }
}
