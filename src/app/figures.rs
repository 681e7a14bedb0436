//! The figures of the treatment pipelines (Jiang et al. 2022, Figs. 2, 3, 5,
//! 6, 8, 9) as PNG or SVG, chosen by the file extension: temperature and
//! concentration maps with the tumor outline, the injection sites and the
//! 43 / 46 °C bands; PSO convergence; ablation curves; ablation maps.

use crate::app::plot::{ensure_font, plot_err};
use crate::error::{Error, Result};
use crate::treatment::assessment::DoseSample;
use crate::treatment::objective::{HYPERTHERMIA_MAX_C, HYPERTHERMIA_MIN_C};
use crate::treatment::optimize::GenerationRecord;
use lbm_bioheat::Grid;
use ndarray::Array2;
use plotters::prelude::*;
use std::path::Path;

/// Runs `$body` with `$root` bound to a PNG or an SVG drawing area, by
/// `$path`'s extension (the body is compiled once per backend).
macro_rules! render {
    ($path:expr, $size:expr, $root:ident => $body:block) => {{
        let path: &Path = $path;
        ensure_font()?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("svg") => draw_on!(SVGBackend, path, $size, $root => $body),
            Some("png") => draw_on!(BitMapBackend, path, $size, $root => $body),
            _ => {
                return Err(Error::Plot(format!(
                    "{}: the file name must end in .png or .svg",
                    path.display()
                )));
            }
        }
        Ok(())
    }};
}

/// One backend's half of [`render!`]: draw, then write the file.
macro_rules! draw_on {
    ($backend:ident, $path:expr, $size:expr, $root:ident => $body:block) => {{
        let area = $backend::new($path, $size).into_drawing_area();
        {
            let $root = &area;
            $body
        }
        area.present()
            .map_err(|e| Error::Plot(format!("writing {}: {e}", $path.display())))?;
    }};
}

/// Draws `$chart`'s series labels at `$position` (a `SeriesLabelPosition`).
macro_rules! legend {
    ($chart:expr, $position:ident) => {
        $chart
            .configure_series_labels()
            .position(SeriesLabelPosition::$position)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?
    };
}

/// A perceptual blue–green–yellow ramp (viridis anchors) at v ∈ [0, 1].
fn ramp(v: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let v = v.clamp(0.0, 1.0) * (ANCHORS.len() - 1) as f64;
    let k = (v.floor() as usize).min(ANCHORS.len() - 2);
    let f = v - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (ANCHORS[k], ANCHORS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// What a map shows, and so its colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MapKind {
    /// Temperature (°C) as in Figs. 3 and 6: white below 43 °C, black above
    /// 46 °C, a colour ramp between.
    Temperature,
    /// Particle volume fraction φ: a ramp from 0 to the maximum.
    Concentration,
    /// CEM43 (min) as in Fig. 9: ablated cells (≥ the given lethal dose)
    /// white, the others dark.
    Ablation {
        /// Lethal CEM43 (min).
        lethal_min: f64,
    },
}

/// A field map of the central `zoom` (m, square side; the whole block if
/// larger) with the tumor outline `outline` (closed, m) and `sites`
/// (crosses, m).
///
/// # Errors
/// [`Error::Plot`] for a field of another shape than the grid, non-finite
/// values, or a file that cannot be written.
#[allow(clippy::too_many_arguments)]
pub fn field_map(
    path: &Path,
    title: &str,
    grid: &Grid,
    field: &Array2<f64>,
    kind: MapKind,
    outline: &[(f64, f64)],
    sites: &[(f64, f64)],
    zoom: f64,
) -> Result<()> {
    if field.dim() != grid.shape() || field.iter().any(|v| !v.is_finite()) {
        return Err(Error::Plot(format!(
            "{title}: the field must be finite and of the grid's shape {:?}",
            grid.shape()
        )));
    }
    let half = 0.5 * zoom.min(grid.nx() as f64 * grid.dx());
    let mm = |v: f64| v * 1e3;
    let max = field.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let colour = |v: f64| -> RGBColor {
        match kind {
            MapKind::Temperature => {
                if v < HYPERTHERMIA_MIN_C {
                    WHITE
                } else if v >= HYPERTHERMIA_MAX_C {
                    BLACK
                } else {
                    ramp((v - HYPERTHERMIA_MIN_C) / (HYPERTHERMIA_MAX_C - HYPERTHERMIA_MIN_C))
                }
            }
            MapKind::Concentration => ramp(if max > 0.0 { v / max } else { 0.0 }),
            MapKind::Ablation { lethal_min } => {
                if v >= lethal_min {
                    WHITE
                } else {
                    RGBColor(40, 40, 60)
                }
            }
        }
    };
    let legend = match kind {
        MapKind::Temperature => "white < 43 °C, 43–46 °C blue→yellow, black ≥ 46 °C".to_string(),
        MapKind::Concentration => format!("φ from 0 (purple) to {max:.3e} (yellow)"),
        MapKind::Ablation { lethal_min } => format!("white: CEM43 ≥ {lethal_min} min"),
    };
    render!(path, (760, 720), root => {
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(-mm(half)..mm(half), -mm(half)..mm(half))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(format!("x (mm); {legend}"))
            .y_desc("y (mm)")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let h = 0.5 * grid.dx();
        let cells = field.indexed_iter().filter_map(|((i, j), &v)| {
            let (x, y) = (grid.x(i), grid.y(j));
            (x.abs() <= half + h && y.abs() <= half + h).then(|| {
                Rectangle::new(
                    [(mm(x - h), mm(y - h)), (mm(x + h), mm(y + h))],
                    colour(v).filled(),
                )
            })
        });
        chart.draw_series(cells).map_err(plot_err)?;
        if !outline.is_empty() {
            let mut ring: Vec<(f64, f64)> = outline.iter().map(|&(x, y)| (mm(x), mm(y))).collect();
            ring.push(ring[0]);
            chart
                .draw_series(LineSeries::new(ring, RED.stroke_width(2)))
                .map_err(plot_err)?;
        }
        chart
            .draw_series(
                sites
                    .iter()
                    .map(|&(x, y)| Cross::new((mm(x), mm(y)), 6, MAGENTA.stroke_width(2))),
            )
            .map_err(plot_err)?;
    })
}

/// PSO convergence (Figs. 2, 5): the best J and the generation's mean J,
/// and the best position's variables, against the generation.
///
/// # Errors
/// [`Error::Plot`] for an empty history or a file that cannot be written.
pub fn convergence(
    path: &Path,
    title: &str,
    history: &[GenerationRecord],
    variables: &[&str],
) -> Result<()> {
    if history.is_empty() {
        return Err(Error::Plot("no generations to plot".into()));
    }
    let last = history.len() as f64;
    render!(path, (760, 720), root => {
        root.fill(&WHITE).map_err(plot_err)?;
        let (top, bottom) = root.split_vertically(360);
        let finite = |v: f64| v.is_finite().then_some(v);
        let lo = history
            .iter()
            .filter_map(|g| finite(g.mean_j))
            .fold(f64::INFINITY, f64::min)
            .min(history.iter().filter_map(|g| finite(g.best_j)).fold(f64::INFINITY, f64::min));
        let hi = history
            .iter()
            .filter_map(|g| finite(g.best_j))
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo < hi { (lo, hi + 0.02 * (hi - lo)) } else { (hi - 0.1, hi + 0.1) };
        let mut chart = ChartBuilder::on(&top)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..last, lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .y_desc("J")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        for (label, colour, pick) in [
            ("best J", BLUE, 0usize),
            ("mean J of the generation", RGBColor(150, 150, 150), 1),
        ] {
            let points = history.iter().filter_map(|g| {
                let v = if pick == 0 { g.best_j } else { g.mean_j };
                finite(v).map(|v| (g.index as f64, v))
            });
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(plot_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
        }
        legend!(chart, LowerRight);
        let mut chart = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..last, 0.0..1.05)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("generation")
            .y_desc("best position")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let colours = [RED, GREEN, BLUE, MAGENTA, CYAN, BLACK];
        for (k, name) in variables.iter().enumerate() {
            let colour = colours[k % colours.len()];
            let points = history
                .iter()
                .filter(|g| g.best_position.len() > k)
                .map(|g| (g.index as f64, g.best_position[k]));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(plot_err)?
                .label(*name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
        }
        legend!(chart, UpperRight);
    })
}

/// Ablation curves (Fig. 8): R_CEM43 in the tumor (solid) and in healthy
/// tissue (dashed) against time, one colour per labelled series.
///
/// # Errors
/// [`Error::Plot`] for no samples or a file that cannot be written.
pub fn ablation_curves(path: &Path, title: &str, series: &[(&str, &[DoseSample])]) -> Result<()> {
    let t_max = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|p| p.time_min))
        .fold(0.0, f64::max);
    if t_max <= 0.0 {
        return Err(Error::Plot("no dose samples to plot".into()));
    }
    render!(path, (760, 560), root => {
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..t_max, 0.0..1.05)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("time (min)")
            .y_desc("R_CEM43 (tumor solid, healthy dashed)")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let colours = [
            BLUE,
            RED,
            GREEN,
            MAGENTA,
            BLACK,
            CYAN,
            RGBColor(255, 140, 0),
            RGBColor(140, 80, 20),
        ];
        for (k, (label, samples)) in series.iter().enumerate() {
            let colour = colours[k % colours.len()];
            chart
                .draw_series(LineSeries::new(
                    samples.iter().map(|s| (s.time_min, s.r_cem43_tumor)),
                    colour.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(*label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
            chart
                .draw_series(DashedLineSeries::new(
                    samples.iter().map(|s| (s.time_min, s.r_cem43_healthy)),
                    6,
                    4,
                    colour.stroke_width(1),
                ))
                .map_err(plot_err)?;
        }
        legend!(chart, UpperLeft);
    })
}
