//! Figures as PNG files (plotters' bitmap backend). Text is drawn from the
//! DejaVu Sans font embedded in the binary, so figures render the same on a
//! machine with no system fonts.

use crate::error::{Error, Result};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::path::Path;
use std::sync::OnceLock;

/// Registers the embedded DejaVu Sans as plotters' "sans-serif" (the
/// family every figure of this crate and criterion's HTML report use), once
/// per process; later calls return the first call's outcome.
///
/// Call it before anything else draws text through plotters in a program
/// that enables this crate's `figures` feature: that feature builds
/// plotters with its `ab_glyph` text backend, which has no fonts until one
/// is registered, so, for instance, criterion's plotters report would fail
/// with `FontUnavailable`. The benches of this repository call it through
/// their shared configuration.
///
/// # Errors
/// [`Error::Plot`] if the embedded font cannot be parsed (it always can;
/// the check is plotters').
pub fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "the embedded DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
        .map_err(Error::Plot)
}

/// Whether plotters can lay out text in its "sans-serif" family now (after
/// [`register_fonts`], it can).
pub fn fonts_available() -> bool {
    FontDesc::new(FontFamily::SansSerif, 12.0, FontStyle::Normal)
        .box_size("0")
        .is_ok()
}

pub(crate) fn ensure_font() -> Result<()> {
    register_fonts()
}

/// One set of points of a predicted-vs-measured figure.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Legend text.
    pub label: &'a str,
    /// Measured values (x axis).
    pub measured: &'a [f64],
    /// Predicted values (y axis), one per measured value.
    pub predicted: &'a [f64],
}

/// Axis scale of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisScale {
    /// Linear axes.
    #[default]
    Linear,
    /// Both axes logarithmic (all values must be > 0).
    Log,
}

pub(crate) fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::Plot(e.to_string())
}

/// Writes a predicted-vs-measured scatter plot to `path` (PNG, 800 × 800
/// pixels): one marker style per series, the identity line y = x, equal
/// axis ranges, `title` and the axis quantity `quantity` (for example
/// "size (nm)").
///
/// # Errors
/// [`Error::Plot`] for no points, series of unequal lengths, non-finite
/// values (or values ≤ 0 on log axes), or a file that cannot be written.
pub fn predicted_vs_measured(
    path: &Path,
    title: &str,
    quantity: &str,
    scale: AxisScale,
    series: &[Series<'_>],
) -> Result<()> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        if s.measured.len() != s.predicted.len() {
            return Err(Error::Plot(format!(
                "series '{}': {} measured but {} predicted values",
                s.label,
                s.measured.len(),
                s.predicted.len()
            )));
        }
        for &v in s.measured.iter().chain(s.predicted) {
            let ok = v.is_finite() && (scale == AxisScale::Linear || v > 0.0);
            if !ok {
                return Err(Error::Plot(format!(
                    "series '{}' holds {v}: expected finite values{}",
                    s.label,
                    if scale == AxisScale::Log {
                        " > 0 (log axes)"
                    } else {
                        ""
                    }
                )));
            }
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if series.iter().all(|s| s.measured.is_empty()) {
        return Err(Error::Plot("no points to plot".into()));
    }
    ensure_font()?;
    let (lo, hi) = match scale {
        AxisScale::Linear => {
            let pad = 0.05 * (hi - lo).max(hi.abs() * 1e-3).max(1e-12);
            (lo - pad, hi + pad)
        }
        AxisScale::Log => (lo / 1.25, hi * 1.25),
    };
    let root = BitMapBackend::new(path, (800, 800)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let markers = [BLUE, RED, GREEN, MAGENTA, BLACK];
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(format!("measured {quantity}"))
                .y_desc(format!("predicted {quantity}"))
                .label_style(("sans-serif", 18))
                .axis_desc_style(("sans-serif", 22))
                .draw()
                .map_err(plot_err)?;
            chart
                .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.6)))
                .map_err(plot_err)?
                .label("y = x")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.6)));
            for (k, s) in series.iter().enumerate() {
                let colour = markers[k % markers.len()];
                let points = s.measured.iter().zip(s.predicted).map(|(&m, &p)| (m, p));
                chart
                    .draw_series(points.map(|p| Circle::new(p, 4, colour.mix(0.7).filled())))
                    .map_err(plot_err)?
                    .label(s.label)
                    .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font(("sans-serif", 18))
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .draw()
                .map_err(plot_err)?;
        }};
    }
    let builder = |root| {
        let mut b = ChartBuilder::on(root);
        b.caption(title, ("sans-serif", 26))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(80);
        b
    };
    match scale {
        AxisScale::Linear => draw!(
            builder(&root)
                .build_cartesian_2d(lo..hi, lo..hi)
                .map_err(plot_err)?
        ),
        AxisScale::Log => draw!(
            builder(&root)
                .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
                .map_err(plot_err)?
        ),
    }
    root.present()
        .map_err(|e| Error::Plot(format!("writing {}: {e}", path.display())))?;
    Ok(())
}
