//! The figures of the treatment pipelines (Jiang et al. 2022, Figs. 2, 3,
//! 5, 6, 8, 9) as PNG or SVG, chosen by the file extension:
//!
//! - [`field_map`]: a temperature, concentration or ablation map of the
//!   whole computed field (or a chosen [`Window`]) at equal scale in x and
//!   y (a circle is drawn round), with a colour bar in the field's unit,
//!   the 43 and 46 °C isotherms on temperature maps, the tumor outline and
//!   the injection sites;
//! - [`convergence`]: PSO convergence;
//! - [`ablation_curves`]: R_CEM43 in tumor and healthy tissue against time;
//! - [`treatment_report`]: one page per run with the maps, the convergence,
//!   the ablation curves of dose runs and the key numbers.

use crate::app::plot::{ensure_font, plot_err};
use crate::error::{Error, Result};
use crate::patient::dvh::DoseVolumeHistogram;
use crate::treatment::assessment::DoseSample;
use crate::treatment::objective::{HYPERTHERMIA_MAX_C, HYPERTHERMIA_MIN_C};
use crate::treatment::optimize::GenerationRecord;
use lbm_bioheat::Grid;
use ndarray::Array2;
use plotters::coord::Shift;
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

/// Draws `$chart`'s axes with the descriptions `$x` and `$y` and whole
/// numbers on the x axis (generations, minutes).
macro_rules! axes {
    ($chart:expr, $x:expr, $y:expr) => {
        $chart
            .configure_mesh()
            .x_desc($x)
            .y_desc($y)
            .x_label_formatter(&|v| whole(*v))
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?
    };
}

/// A tick label for a whole-number axis: the number, or nothing between
/// whole numbers (a short axis gets ticks at halves).
fn whole(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        // + 0.0 turns −0 into 0.
        format!("{:.0}", v.round() + 0.0)
    } else {
        String::new()
    }
}

/// A drawing area of any plotters backend.
type Area<DB> = DrawingArea<DB, Shift>;

/// Draws `s` in the sans-serif font of `size` pixels with its top left
/// corner at `at` (pixels) of `area`.
fn text<DB: DrawingBackend>(area: &Area<DB>, s: &str, at: (i32, i32), size: u32) -> Result<()> {
    area.draw(&Text::new(
        s.to_string(),
        at,
        ("sans-serif", size).into_font(),
    ))
    .map_err(plot_err)
}

/// Linear interpolation between colour anchors at v ∈ [0, 1].
fn interpolate(anchors: &[(u8, u8, u8)], v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0) * (anchors.len() - 1) as f64;
    let k = (v.floor() as usize).min(anchors.len() - 2);
    let f = v - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (anchors[k], anchors[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Anchors of matplotlib's viridis colour map, from 0 to 1.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// Anchors of matplotlib's inferno colour map, from 0 to 1.
const INFERNO: [(u8, u8, u8); 8] = [
    (0, 0, 4),
    (40, 11, 84),
    (101, 21, 110),
    (159, 42, 99),
    (212, 72, 66),
    (245, 125, 21),
    (250, 193, 39),
    (252, 255, 164),
];

/// Colour of the 43 °C isotherm.
const ISOTHERM_43: RGBColor = RGBColor(0, 200, 255);
/// Colour of the 46 °C isotherm.
const ISOTHERM_46: RGBColor = RGBColor(120, 255, 120);
/// Colour of ablated cells on ablation maps.
const ABLATED: RGBColor = RGBColor(250, 170, 40);
/// Colour of living cells on ablation maps.
const LIVING: RGBColor = RGBColor(40, 40, 60);

/// What a map shows, and so its colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MapKind {
    /// Temperature (°C), Figs. 3 and 6: the inferno colour map over the
    /// shown range with a colour bar in °C, and the 43 and 46 °C isotherms.
    Temperature,
    /// Particle volume fraction φ (dimensionless): viridis from 0 to the
    /// largest shown value, with a colour bar.
    Concentration,
    /// CEM43 (min), Fig. 9: ablated cells (≥ the lethal dose) orange, the
    /// others dark, and the lethal-dose contour.
    Ablation {
        /// Lethal CEM43 (min).
        lethal_min: f64,
    },
}

/// The part of the tissue block a map shows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Window {
    /// The whole computed field.
    #[default]
    Whole,
    /// A square of side `side_m` (m) centred on `centre_m` (m), clipped to
    /// the block.
    Square {
        /// Centre (x, y) (m).
        centre_m: (f64, f64),
        /// Side (m).
        side_m: f64,
    },
}

impl Window {
    /// A square of side `side_m` (m) centred on the origin (the tumor's
    /// centre in the paper's scenarios).
    pub fn centred(side_m: f64) -> Self {
        Window::Square {
            centre_m: (0.0, 0.0),
            side_m,
        }
    }

    /// The shown rectangle ((x0, x1), (y0, y1)) (m) on `grid`.
    fn bounds(&self, grid: &Grid) -> Result<((f64, f64), (f64, f64))> {
        let bx = (grid.x0(), grid.x0() + grid.nx() as f64 * grid.dx());
        let by = (grid.y0(), grid.y0() + grid.ny() as f64 * grid.dx());
        match *self {
            Window::Whole => Ok((bx, by)),
            Window::Square {
                centre_m: (cx, cy),
                side_m,
            } => {
                let h = 0.5 * side_m;
                let x = (bx.0.max(cx - h), bx.1.min(cx + h));
                let y = (by.0.max(cy - h), by.1.min(cy + h));
                if !(side_m > 0.0 && cx.is_finite() && cy.is_finite() && x.0 < x.1 && y.0 < y.1) {
                    return Err(Error::Plot(format!(
                        "the window of side {side_m} m at ({cx}, {cy}) m does not overlap the \
                         block [{}, {}] × [{}, {}] m",
                        bx.0, bx.1, by.0, by.1
                    )));
                }
                Ok((x, y))
            }
        }
    }
}

/// A field map: what [`field_map`] draws.
#[derive(Debug, Clone, Copy)]
pub struct FieldMap<'a> {
    /// Title above the map.
    pub title: &'a str,
    /// The grid the field lives on.
    pub grid: &'a Grid,
    /// One value per cell, of the grid's shape: °C, φ or CEM43 minutes by
    /// `kind`.
    pub field: &'a Array2<f64>,
    /// What the field is.
    pub kind: MapKind,
    /// The tumor outline, a closed polygon (m); empty for none.
    pub outline: &'a [(f64, f64)],
    /// More of the tumor outline as separate segments (m), e.g. a 3D
    /// tumor's cut through a slice; empty for none.
    pub outline_segments: &'a [[(f64, f64); 2]],
    /// The names of the horizontal and vertical axes ("x", "y" for a
    /// block), shown with "(mm)".
    pub axes: (&'a str, &'a str),
    /// Injection sites (m), drawn as crosses.
    pub sites: &'a [(f64, f64)],
    /// The part shown.
    pub window: Window,
}

/// The cells of a map's window, with the colour scale.
struct Prepared {
    x: (f64, f64),
    y: (f64, f64),
    /// Cell index ranges [i0, i1) × [j0, j1) inside the window.
    i: (usize, usize),
    j: (usize, usize),
    /// Colour-scale range.
    lo: f64,
    hi: f64,
}

impl FieldMap<'_> {
    fn prepare(&self) -> Result<Prepared> {
        let g = self.grid;
        if self.field.dim() != g.shape() {
            return Err(Error::Plot(format!(
                "{}: a field of shape {:?} on a grid of shape {:?}",
                self.title,
                self.field.dim(),
                g.shape()
            )));
        }
        if let Some(((i, j), v)) = self.field.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Plot(format!(
                "{}: cell ({i}, {j}) holds {v}; a map needs finite values",
                self.title
            )));
        }
        let (x, y) = self.window.bounds(g)?;
        let h = 0.5 * g.dx();
        let range = |lo: f64, hi: f64, n: usize, at: &dyn Fn(usize) -> f64| {
            let first = (0..n).find(|&k| at(k) + h > lo).unwrap_or(n);
            let last = (0..n).rfind(|&k| at(k) - h < hi).map_or(first, |k| k + 1);
            (first, last.max(first))
        };
        let i = range(x.0, x.1, g.nx(), &|k| g.x(k));
        let j = range(y.0, y.1, g.ny(), &|k| g.y(k));
        if i.0 == i.1 || j.0 == j.1 {
            return Err(Error::Plot(format!(
                "{}: no cell in the window",
                self.title
            )));
        }
        let shown = self
            .field
            .slice(ndarray::s![i.0..i.1, j.0..j.1])
            .iter()
            .copied()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (lo, hi) = match self.kind {
            MapKind::Temperature => shown,
            MapKind::Concentration => (0.0_f64.min(shown.0), shown.1),
            MapKind::Ablation { .. } => (0.0, 1.0),
        };
        let (lo, hi) = if hi - lo > 1e-12 * hi.abs().max(1.0) {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        Ok(Prepared { x, y, i, j, lo, hi })
    }

    fn colour(&self, p: &Prepared, v: f64) -> RGBColor {
        let t = (v - p.lo) / (p.hi - p.lo);
        match self.kind {
            MapKind::Temperature => interpolate(&INFERNO, t),
            MapKind::Concentration => interpolate(&VIRIDIS, t),
            MapKind::Ablation { lethal_min } => {
                if v >= lethal_min {
                    ABLATED
                } else {
                    LIVING
                }
            }
        }
    }

    /// The contour levels drawn, with their colours and legend texts.
    fn contours(&self) -> Vec<(f64, RGBColor, String)> {
        match self.kind {
            MapKind::Temperature => vec![
                (HYPERTHERMIA_MIN_C, ISOTHERM_43, "43 °C".into()),
                (HYPERTHERMIA_MAX_C, ISOTHERM_46, "46 °C".into()),
            ],
            MapKind::Concentration => Vec::new(),
            MapKind::Ablation { lethal_min } => {
                vec![(lethal_min, ISOTHERM_43, format!("CEM43 = {lethal_min} min"))]
            }
        }
    }
}

/// The line segments of the level set {v = level} of cell-centred values
/// (marching squares on the square of every four neighbouring centres,
/// saddles resolved by the square's mean; coordinates by linear
/// interpolation along the square's edges).
///
/// `xs` and `ys` are the centres' coordinates, `values[[i, j]]` the value
/// at (xs\[i\], ys\[j\]).
pub fn isolines(
    xs: &[f64],
    ys: &[f64],
    values: &ndarray::ArrayView2<'_, f64>,
    level: f64,
) -> Vec<[(f64, f64); 2]> {
    let mut segments = Vec::new();
    let (ni, nj) = values.dim();
    for i in 0..ni.saturating_sub(1) {
        for j in 0..nj.saturating_sub(1) {
            // Corners counter-clockwise from (i, j).
            let corners = [
                (xs[i], ys[j], values[[i, j]]),
                (xs[i + 1], ys[j], values[[i + 1, j]]),
                (xs[i + 1], ys[j + 1], values[[i + 1, j + 1]]),
                (xs[i], ys[j + 1], values[[i, j + 1]]),
            ];
            let above = corners.map(|c| c.2 >= level);
            // Crossing on edge e (from corner e to corner e + 1), if any.
            let crossing = |e: usize| -> Option<(f64, f64)> {
                let (a, b) = (corners[e], corners[(e + 1) % 4]);
                (above[e] != above[(e + 1) % 4]).then(|| {
                    let t = (level - a.2) / (b.2 - a.2);
                    (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
                })
            };
            let hits: Vec<(usize, (f64, f64))> =
                (0..4).filter_map(|e| crossing(e).map(|p| (e, p))).collect();
            match hits.len() {
                2 => segments.push([hits[0].1, hits[1].1]),
                4 => {
                    let mean = corners.iter().map(|c| c.2).sum::<f64>() / 4.0;
                    let p = |e: usize| hits[e].1;
                    if (mean >= level) == above[0] {
                        // Corners 0 and 2 connected: cut off corners 1 and 3.
                        segments.push([p(0), p(1)]);
                        segments.push([p(2), p(3)]);
                    } else {
                        // Cut off corners 0 and 2.
                        segments.push([p(3), p(0)]);
                        segments.push([p(1), p(2)]);
                    }
                }
                _ => {}
            }
        }
    }
    segments
}

/// Splits `area` into a plot rectangle of the aspect ratio `span_x :
/// span_y` (so one metre is as long in x as in y), centred, with `left`
/// and `bottom` pixels of room for the axes' labels and `pad` around.
fn equal_scale_area<DB: DrawingBackend>(
    area: &Area<DB>,
    (span_x, span_y): (f64, f64),
    left: u32,
    bottom: u32,
    pad: u32,
) -> (Area<DB>, (u32, u32)) {
    let (w, h) = area.dim_in_pixel();
    let room_w = w.saturating_sub(left + 2 * pad).max(1) as f64;
    let room_h = h.saturating_sub(bottom + 2 * pad).max(1) as f64;
    let scale = (room_w / span_x).min(room_h / span_y);
    let pw = (span_x * scale).floor().max(1.0) as u32;
    let ph = (span_y * scale).floor().max(1.0) as u32;
    let cw = pw + left + 2 * pad;
    let ch = ph + bottom + 2 * pad;
    let x0 = (w.saturating_sub(cw) / 2) as i32;
    let y0 = (h.saturating_sub(ch) / 2) as i32;
    let sub = area.clone().shrink((x0, y0), (cw, ch));
    (sub, (pw, ph))
}

/// Draws a [`FieldMap`] on `area`: the map (left) and its colour bar
/// (right), the title above and the legend of the lines below.
fn draw_field_map<DB: DrawingBackend>(area: &Area<DB>, map: &FieldMap<'_>) -> Result<()> {
    let p = map.prepare()?;
    let g = map.grid;
    area.fill(&WHITE).map_err(plot_err)?;
    let (w, _) = area.dim_in_pixel();
    let (head, rest) = area.split_vertically(40);
    text(&head, map.title, (12, 10), 20)?;
    let (_, rest_h) = rest.dim_in_pixel();
    let (body, foot) = rest.split_vertically(rest_h.saturating_sub(34));
    let (left, right) = body.split_horizontally(w.saturating_sub(130));
    let mm = |v: f64| v * 1e3;
    let (plot_area, _) = equal_scale_area(&left, (p.x.1 - p.x.0, p.y.1 - p.y.0), 60, 45, 8);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(8)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(mm(p.x.0)..mm(p.x.1), mm(p.y.0)..mm(p.y.1))
        .map_err(plot_err)?;
    // Cells, averaged over blocks of `stride`² so at most ~250 per side are
    // drawn (an SVG of a large grid stays small; a PNG pixel holds about
    // one block).
    let (ni, nj) = (p.i.1 - p.i.0, p.j.1 - p.j.0);
    let stride = ni.max(nj).div_ceil(250).max(1);
    let h = 0.5 * g.dx();
    let mut cells = Vec::with_capacity(ni.div_ceil(stride) * nj.div_ceil(stride));
    for bi in (p.i.0..p.i.1).step_by(stride) {
        for bj in (p.j.0..p.j.1).step_by(stride) {
            let (ei, ej) = ((bi + stride).min(p.i.1), (bj + stride).min(p.j.1));
            let block = map.field.slice(ndarray::s![bi..ei, bj..ej]);
            let v = match map.kind {
                // A block is ablated when most of it is.
                MapKind::Ablation { lethal_min } => {
                    let dead = block.iter().filter(|&&v| v >= lethal_min).count();
                    if 2 * dead >= block.len() {
                        lethal_min
                    } else {
                        lethal_min - 1.0
                    }
                }
                _ => block.mean().unwrap_or(0.0),
            };
            let x = ((g.x(bi) - h).max(p.x.0), (g.x(ei - 1) + h).min(p.x.1));
            let y = ((g.y(bj) - h).max(p.y.0), (g.y(ej - 1) + h).min(p.y.1));
            cells.push(Rectangle::new(
                [(mm(x.0), mm(y.0)), (mm(x.1), mm(y.1))],
                map.colour(&p, v).filled(),
            ));
        }
    }
    chart.draw_series(cells).map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(format!("{} (mm)", map.axes.0))
        .y_desc(format!("{} (mm)", map.axes.1))
        .x_label_formatter(&|v| tick_text(*v, mm(p.x.0), mm(p.x.1)))
        .y_label_formatter(&|v| tick_text(*v, mm(p.y.0), mm(p.y.1)))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(plot_err)?;
    // Contours on the full-resolution window (one cell beyond it on each
    // side where there is one, so lines reach the edge).
    let (ci, cj) = (
        (p.i.0.saturating_sub(1), (p.i.1 + 1).min(g.nx())),
        (p.j.0.saturating_sub(1), (p.j.1 + 1).min(g.ny())),
    );
    let xs: Vec<f64> = (ci.0..ci.1).map(|i| g.x(i)).collect();
    let ys: Vec<f64> = (cj.0..cj.1).map(|j| g.y(j)).collect();
    let window_values = map.field.slice(ndarray::s![ci.0..ci.1, cj.0..cj.1]);
    let inside = |(x, y): (f64, f64)| {
        x >= p.x.0 - 1e-12 && x <= p.x.1 + 1e-12 && y >= p.y.0 - 1e-12 && y <= p.y.1 + 1e-12
    };
    let mut legend: Vec<(Mark, String)> = Vec::new();
    for (level, colour, label) in map.contours() {
        let segments = isolines(&xs, &ys, &window_values, level);
        let drawn = segments
            .iter()
            .filter(|s| inside(s[0]) && inside(s[1]))
            .map(|s| {
                PathElement::new(
                    vec![(mm(s[0].0), mm(s[0].1)), (mm(s[1].0), mm(s[1].1))],
                    colour.stroke_width(2),
                )
            });
        chart.draw_series(drawn).map_err(plot_err)?;
        let note = if segments.is_empty() {
            format!("{label} (not reached)")
        } else {
            label
        };
        legend.push((Mark::Line(colour), note));
    }
    if !map.outline.is_empty() {
        let mut ring: Vec<(f64, f64)> = map.outline.iter().map(|&(x, y)| (mm(x), mm(y))).collect();
        ring.push(ring[0]);
        chart
            .draw_series(DashedLineSeries::new(ring, 7, 4, WHITE.stroke_width(2)))
            .map_err(plot_err)?;
        legend.push((Mark::Dashed(WHITE), "tumor".into()));
    }
    if !map.outline_segments.is_empty() {
        let drawn = map
            .outline_segments
            .iter()
            .filter(|s| inside(s[0]) && inside(s[1]))
            .map(|s| {
                PathElement::new(
                    vec![(mm(s[0].0), mm(s[0].1)), (mm(s[1].0), mm(s[1].1))],
                    WHITE.stroke_width(2),
                )
            });
        chart.draw_series(drawn).map_err(plot_err)?;
        legend.push((Mark::Line(WHITE), "tumor".into()));
    }
    if !map.sites.is_empty() {
        let sites = map.sites.iter().filter(|&&s| inside(s));
        chart
            .draw_series(
                sites
                    .clone()
                    .map(|&(x, y)| Cross::new((mm(x), mm(y)), 6, BLACK.stroke_width(4))),
            )
            .map_err(plot_err)?;
        chart
            .draw_series(sites.map(|&(x, y)| Cross::new((mm(x), mm(y)), 6, WHITE.stroke_width(2))))
            .map_err(plot_err)?;
        legend.push((Mark::Cross, "injection sites".into()));
    }
    if let MapKind::Ablation { lethal_min } = map.kind {
        legend.push((
            Mark::Swatch(ABLATED),
            format!("ablated (CEM43 ≥ {lethal_min} min)"),
        ));
        legend.push((Mark::Swatch(LIVING), "not ablated".into()));
    }
    draw_line_legend(&foot, &legend)?;
    draw_colour_bar(&right, map, &p)
}

/// The sample drawn before a legend text.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled square.
    Swatch(RGBColor),
    /// An injection site's cross.
    Cross,
}

/// A row of legend entries: each mark on a grey band (so white lines
/// show), then its text.
fn draw_line_legend<DB: DrawingBackend>(area: &Area<DB>, entries: &[(Mark, String)]) -> Result<()> {
    let mut x = 70;
    let y = 12;
    for (mark, label) in entries {
        area.draw(&Rectangle::new(
            [(x - 4, y - 8), (x + 26, y + 8)],
            RGBColor(90, 90, 90).filled(),
        ))
        .map_err(plot_err)?;
        match *mark {
            Mark::Line(c) => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 22, y)],
                    c.stroke_width(3),
                ))
                .map_err(plot_err)?,
            Mark::Dashed(c) => {
                for k in 0..3 {
                    area.draw(&PathElement::new(
                        vec![(x + 8 * k, y), (x + 8 * k + 5, y)],
                        c.stroke_width(2),
                    ))
                    .map_err(plot_err)?;
                }
            }
            Mark::Swatch(c) => area
                .draw(&Rectangle::new(
                    [(x + 5, y - 6), (x + 17, y + 6)],
                    c.filled(),
                ))
                .map_err(plot_err)?,
            Mark::Cross => area
                .draw(&Cross::new((x + 11, y), 5, WHITE.stroke_width(2)))
                .map_err(plot_err)?,
        }
        text(area, label, (x + 32, y - 7), 14)?;
        x += 48 + 8 * label.chars().count() as i32;
    }
    Ok(())
}

/// Tick text for a colour bar spanning [lo, hi]: fixed decimals enough to
/// tell ticks a tenth of the span apart, scientific for very small or very
/// large values.
fn tick_text(v: f64, lo: f64, hi: f64) -> String {
    let scale = lo.abs().max(hi.abs());
    if scale >= 1e5 || (scale > 0.0 && scale < 1e-3) {
        return format!("{v:.2e}");
    }
    let step = (hi - lo) / 10.0;
    let decimals = if step > 0.0 {
        (-step.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        1
    };
    format!("{v:.decimals$}")
}

/// The colour bar of a map: the colour scale against the field's unit, the
/// contour levels marked on it.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &Area<DB>,
    map: &FieldMap<'_>,
    p: &Prepared,
) -> Result<()> {
    let label = match map.kind {
        MapKind::Temperature => "T (°C)",
        MapKind::Concentration => "φ",
        // Two colours, named in the legend below the map.
        MapKind::Ablation { .. } => return Ok(()),
    };
    let (w, h) = area.dim_in_pixel();
    let bar = area.margin(75, 45 + h / 10, 12, w.saturating_sub(12 + 28 + 56));
    let mut chart = ChartBuilder::on(&bar)
        .y_label_area_size(0)
        .right_y_label_area_size(56)
        .build_cartesian_2d(0.0..1.0, p.lo..p.hi)
        .map_err(plot_err)?;
    let steps = 120;
    let band = (p.hi - p.lo) / steps as f64;
    chart
        .draw_series((0..steps).map(|k| {
            let v = p.lo + k as f64 * band;
            Rectangle::new(
                [(0.0, v), (1.0, v + band)],
                map.colour(p, v + 0.5 * band).filled(),
            )
        }))
        .map_err(plot_err)?;
    for (level, colour, _) in map.contours() {
        if level > p.lo && level < p.hi {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, level), (1.0, level)],
                    colour.stroke_width(3),
                )))
                .map_err(plot_err)?;
        }
    }
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(8)
        .y_label_formatter(&|v| tick_text(*v, p.lo, p.hi))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    text(area, label, (12, 45), 16)?;
    Ok(())
}

/// Writes a field map (see [`FieldMap`]) to `path` (.png or .svg, 860 ×
/// 760 pixels).
///
/// # Errors
/// [`Error::Plot`] for a field of another shape than the grid, a
/// non-finite value (naming its cell), a window off the block, or a file
/// that cannot be written.
pub fn field_map(path: &Path, map: &FieldMap<'_>) -> Result<()> {
    render!(path, (860, 760), root => { draw_field_map(root, map)?; })
}

/// PSO convergence on `area`: the best J and the generation's mean J
/// (top), the best position's variables (bottom).
fn draw_convergence<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    history: &[GenerationRecord],
    variables: &[&str],
) -> Result<()> {
    if history.is_empty() {
        return Err(Error::Plot("no generations to plot".into()));
    }
    let last = history.len() as f64;
    area.fill(&WHITE).map_err(plot_err)?;
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(h / 2);
    let finite = |v: f64| v.is_finite().then_some(v);
    let lo = history
        .iter()
        .filter_map(|g| finite(g.mean_j))
        .fold(f64::INFINITY, f64::min)
        .min(
            history
                .iter()
                .filter_map(|g| finite(g.best_j))
                .fold(f64::INFINITY, f64::min),
        );
    let hi = history
        .iter()
        .filter_map(|g| finite(g.best_j))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo < hi {
        (lo, hi + 0.02 * (hi - lo))
    } else {
        (hi - 0.1, hi + 0.1)
    };
    let mut chart = ChartBuilder::on(&top)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .margin_right(24)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..last, lo..hi)
        .map_err(plot_err)?;
    axes!(chart, "", "J");
    // The mean first, so the best J is drawn over it once they meet.
    for (label, colour, pick) in [
        ("mean J of the generation", RGBColor(150, 150, 150), 1),
        ("best J", BLUE, 0usize),
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
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..last, 0.0..1.05)
        .map_err(plot_err)?;
    axes!(chart, "generation", "best position");
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
    Ok(())
}

/// PSO convergence (Figs. 2, 5): the best J and the generation's mean J,
/// and the best position's variables, against the generation (.png or
/// .svg, 760 × 720 pixels).
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
    render!(path, (760, 720), root => { draw_convergence(root, title, history, variables)?; })
}

/// The series colours of ablation curves.
const CURVE_COLOURS: [RGBColor; 8] = [
    BLUE,
    RED,
    GREEN,
    MAGENTA,
    BLACK,
    CYAN,
    RGBColor(255, 140, 0),
    RGBColor(140, 80, 20),
];

/// The latest sample time of ablation curves (min), or an error for none.
fn curves_end(series: &[(&str, &[DoseSample])]) -> Result<f64> {
    let t_max = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|p| p.time_min))
        .fold(0.0, f64::max);
    if t_max > 0.0 {
        Ok(t_max)
    } else {
        Err(Error::Plot("no dose samples to plot".into()))
    }
}

/// Ablation curves on `area`.
fn draw_ablation_curves<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    series: &[(&str, &[DoseSample])],
) -> Result<()> {
    let t_max = curves_end(series)?;
    area.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..t_max, 0.0..1.05)
        .map_err(plot_err)?;
    axes!(chart, "time (min)", "R_CEM43 (tumor solid, healthy dashed)");
    for (k, (label, samples)) in series.iter().enumerate() {
        let colour = CURVE_COLOURS[k % CURVE_COLOURS.len()];
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
    Ok(())
}

/// Ablation curves (Fig. 8): R_CEM43 in the tumor (solid) and in healthy
/// tissue (dashed) against time (min), one colour per labelled series
/// (.png or .svg, 760 × 560 pixels).
///
/// # Errors
/// [`Error::Plot`] for no samples or a file that cannot be written.
pub fn ablation_curves(path: &Path, title: &str, series: &[(&str, &[DoseSample])]) -> Result<()> {
    curves_end(series)?;
    render!(path, (760, 560), root => { draw_ablation_curves(root, title, series)?; })
}

/// What one run's report page shows: see [`treatment_report`].
#[derive(Debug, Clone, Copy)]
pub struct TreatmentReport<'a> {
    /// Page title (the strategy, for example).
    pub title: &'a str,
    /// The grid of the fields.
    pub grid: &'a Grid,
    /// Steady temperature (°C) of the plan.
    pub temperature: &'a Array2<f64>,
    /// Particle volume fraction φ of the plan.
    pub concentration: &'a Array2<f64>,
    /// Tumor outline (m), closed polygon.
    pub outline: &'a [(f64, f64)],
    /// Injection sites (m).
    pub sites: &'a [(f64, f64)],
    /// Part of the block the maps show.
    pub window: Window,
    /// The optimization's history and variable names; `None` when the
    /// plan was given, not optimized.
    pub convergence: Option<(&'a [GenerationRecord], &'a [&'a str])>,
    /// Dose samples of a dose run.
    pub dose: Option<&'a [DoseSample]>,
    /// The key numbers, (name, value with unit), in reading order.
    pub numbers: &'a [(String, String)],
}

/// Key numbers as a text panel on `area`.
fn draw_numbers<DB: DrawingBackend>(
    area: &Area<DB>,
    heading: &str,
    numbers: &[(String, String)],
) -> Result<()> {
    area.fill(&WHITE).map_err(plot_err)?;
    text(area, heading, (30, 30), 20)?;
    for (k, (name, value)) in numbers.iter().enumerate() {
        let y = 75 + 28 * k as i32;
        text(area, name, (40, y), 17)?;
        text(area, value, (260, y), 17)?;
    }
    Ok(())
}

/// A text note in the middle of an otherwise empty panel.
fn draw_note<DB: DrawingBackend>(area: &Area<DB>, note: &str) -> Result<()> {
    area.fill(&WHITE).map_err(plot_err)?;
    let (_, h) = area.dim_in_pixel();
    text(area, note, (40, h as i32 / 2), 17)?;
    Ok(())
}

/// Writes one run's report page to `path` (.png or .svg, 1600 × 1400
/// pixels): the temperature map and the concentration map (top), the PSO
/// convergence (or a note that the plan was given) and, for dose runs, the
/// ablation curves (bottom), with the key numbers (J and its parts, t_opt,
/// V_opt, the distances d_opt, …) in a header line and, when there is no
/// dose panel, in their own panel.
///
/// # Errors
/// [`Error::Plot`] as [`field_map`], [`convergence`] and
/// [`ablation_curves`] do, or for a file that cannot be written.
pub fn treatment_report(path: &Path, report: &TreatmentReport<'_>) -> Result<()> {
    let map = |title, field, kind| FieldMap {
        title,
        grid: report.grid,
        field,
        kind,
        outline: report.outline,
        outline_segments: &[],
        axes: ("x", "y"),
        sites: report.sites,
        window: report.window,
    };
    let temperature = map(
        "Steady temperature",
        report.temperature,
        MapKind::Temperature,
    );
    let concentration = map(
        "Particle volume fraction",
        report.concentration,
        MapKind::Concentration,
    );
    temperature.prepare()?;
    concentration.prepare()?;
    if let Some((history, _)) = report.convergence
        && history.is_empty()
    {
        return Err(Error::Plot("no generations to plot".into()));
    }
    if let Some(samples) = report.dose {
        curves_end(&[("", samples)])?;
    }
    render!(path, (1600, 1400), root => {
        root.fill(&WHITE).map_err(plot_err)?;
        let (head, body) = root.split_vertically(90);
        text(&head, report.title, (20, 12), 26)?;
        let line: Vec<String> = report
            .numbers
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let (first, second) = line.split_at(line.len().min(6));
        for (k, part) in [first, second].iter().enumerate() {
            text(&head, &part.join("  ·  "), (20, 48 + 22 * k as i32), 16)?;
        }
        let panels = body.split_evenly((2, 2));
        draw_field_map(&panels[0], &temperature)?;
        draw_field_map(&panels[1], &concentration)?;
        match report.convergence {
            Some((history, variables)) => {
                draw_convergence(&panels[2], "PSO convergence", history, variables)?
            }
            None => draw_note(&panels[2], "The plan was given, not optimized: no convergence.")?,
        }
        match report.dose {
            Some(samples) => {
                draw_ablation_curves(&panels[3], "Thermal dose", &[("this plan", samples)])?
            }
            None => draw_numbers(&panels[3], "Key numbers", report.numbers)?,
        }
    })
}

/// A histogram of `values` on `area`: `bins` equal bins over their range,
/// bars of the fraction of values in each, and a dashed line at each of
/// `marks` (label, x).
fn draw_histogram<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
    marks: &[(&str, f64)],
) -> Result<()> {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in values {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let n = values.len() as f64;
    let top = counts.iter().copied().max().unwrap_or(0) as f64 / n * 1.1;
    area.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(lo..hi, 0.0..top.max(1e-3))
        .map_err(plot_err)?;
    // Fractional values (J, ratios): decimal tick labels.
    let decimals = if hi - lo < 0.1 { 3 } else { 2 };
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("fraction of samples")
        .x_label_formatter(&|v| format!("{v:.decimals$}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(k, &c)| {
            let x0 = lo + k as f64 * width;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, c as f64 / n)],
                RGBColor(70, 110, 180).filled(),
            )
        }))
        .map_err(plot_err)?;
    for (k, (label, x)) in marks.iter().enumerate() {
        let colour = CURVE_COLOURS[(k + 1) % CURVE_COLOURS.len()];
        chart
            .draw_series(DashedLineSeries::new(
                [(*x, 0.0), (*x, top)],
                6,
                4,
                colour.stroke_width(2),
            ))
            .map_err(plot_err)?
            .label(*label)
            .legend(move |(x, y)| {
                // A dashed legend swatch, as the line it stands for.
                plotters::element::DashedPathElement::new(
                    [(x, y), (x + 20, y)],
                    4,
                    3,
                    colour.stroke_width(2),
                )
            });
    }
    if !marks.is_empty() {
        legend!(chart, UpperLeft);
    }
    Ok(())
}

/// A histogram of sampled `values` (30 bins over their range; the
/// fraction of samples per bin) with dashed lines at `marks` (label, x),
/// e.g. the mean and the 10th percentile (.png or .svg, 760 × 560 pixels).
///
/// # Errors
/// [`Error::Plot`] for no value, a non-finite one, or a file that cannot
/// be written.
pub fn histogram(
    path: &Path,
    title: &str,
    x_label: &str,
    values: &[f64],
    marks: &[(&str, f64)],
) -> Result<()> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return Err(Error::Plot("a histogram needs finite values".into()));
    }
    render!(path, (760, 560), root => {
        draw_histogram(root, title, x_label, values, 30, marks)?;
    })
}

/// Dose-volume histograms on `area`: one panel per histogram, the
/// fraction of the tumor (solid) and of healthy tissue (dashed) at or
/// above each level.
fn draw_dose_volume_histograms<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    histograms: &[&DoseVolumeHistogram],
) -> Result<()> {
    area.fill(&WHITE).map_err(plot_err)?;
    let (head, body) = area.split_vertically(36);
    text(&head, title, (12, 8), 20)?;
    let panels = body.split_evenly((histograms.len().max(1), 1));
    for (panel, dvh) in panels.iter().zip(histograms) {
        let (lo, hi) = (dvh.levels[0], dvh.levels[dvh.levels.len() - 1]);
        let log = dvh.quantity.starts_with("cem43");
        let unit = if log {
            "CEM43 (min, log scale)"
        } else {
            "temperature (°C)"
        };
        let at = |v: f64| if log { v.log10() } else { v };
        let mut chart = ChartBuilder::on(panel)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(at(lo)..at(hi), 0.0..1.05)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(unit)
            .y_desc("volume fraction ≥ level")
            .x_label_formatter(&|v| {
                let level = if log { 10f64.powf(*v) } else { *v };
                if level >= 10.0 || !log {
                    format!("{level:.0}")
                } else if level >= 1.0 {
                    format!("{level:.1}")
                } else {
                    format!("{level:.2}")
                }
            })
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(plot_err)?;
        let points = |f: &[f64]| -> Vec<(f64, f64)> {
            dvh.levels
                .iter()
                .zip(f)
                .map(|(&l, &v)| (at(l), v))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(points(&dvh.tumor), RED.stroke_width(2)))
            .map_err(plot_err)?
            .label("tumor")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED));
        chart
            .draw_series(DashedLineSeries::new(
                points(&dvh.healthy),
                6,
                4,
                BLUE.stroke_width(2),
            ))
            .map_err(plot_err)?
            .label("healthy tissue")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
        legend!(chart, UpperRight);
    }
    Ok(())
}

/// Dose-volume histograms (temperature, CEM43, …), one panel each, to
/// `path` (.png or .svg, 760 × 360 pixels a panel).
///
/// # Errors
/// [`Error::Plot`] for no histogram or a file that cannot be written.
pub fn dose_volume_histograms(
    path: &Path,
    title: &str,
    histograms: &[&DoseVolumeHistogram],
) -> Result<()> {
    if histograms.is_empty() {
        return Err(Error::Plot("no dose-volume histogram to plot".into()));
    }
    let height = 36 + 360 * histograms.len() as u32;
    render!(path, (760, height), root => { draw_dose_volume_histograms(root, title, histograms)?; })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolines_of_a_paraboloid_lie_on_the_circle() {
        // v = x² + y² on centres 0.05 apart: the level 0.25 is the circle of
        // radius 0.5. Linear interpolation of a quadratic errs by at most
        // h²/(8 r) ≈ 6e-4 across an edge of h = 0.05.
        let n = 41;
        let xs: Vec<f64> = (0..n).map(|k| -1.0 + 0.05 * k as f64).collect();
        let values = Array2::from_shape_fn((n, n), |(i, j)| xs[i] * xs[i] + xs[j] * xs[j]);
        let segments = isolines(&xs, &xs, &values.view(), 0.25);
        // The circle's length over the segments' total length.
        let length: f64 = segments
            .iter()
            .map(|[a, b]| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
            .sum();
        assert!((length - std::f64::consts::PI).abs() < 0.02, "{length}");
        for [a, b] in &segments {
            for p in [a, b] {
                let r = (p.0 * p.0 + p.1 * p.1).sqrt();
                assert!((r - 0.5).abs() < 1e-3, "{p:?} at r = {r}");
            }
        }
    }

    #[test]
    fn isolines_resolve_saddles_by_the_mean() {
        // Corners 1 and 3 above the level, 0 and 2 below: the mean (0.5)
        // above 0.4 joins 1 and 3, so the segments cut off corners 0 and 2.
        let values = ndarray::array![[0.0, 1.0], [1.0, 0.0]];
        let s = isolines(&[0.0, 1.0], &[0.0, 1.0], &values.view(), 0.4);
        assert_eq!(s.len(), 2);
        let near = |p: (f64, f64), q: (f64, f64)| (p.0 - q.0).abs() + (p.1 - q.1).abs() < 1e-12;
        // Around corner 0 at (0, 0): crossings at (0.4, 0) and (0, 0.4).
        assert!(
            s.iter()
                .any(|[a, b]| (near(*a, (0.0, 0.4)) && near(*b, (0.4, 0.0)))
                    || (near(*b, (0.0, 0.4)) && near(*a, (0.4, 0.0))))
        );
        // Below the mean the other pairing: corners 1 and 3 cut off.
        let s = isolines(&[0.0, 1.0], &[0.0, 1.0], &values.view(), 0.6);
        assert!(
            s.iter()
                .any(|[a, b]| (near(*a, (0.6, 0.0)) && near(*b, (1.0, 0.4)))
                    || (near(*b, (0.6, 0.0)) && near(*a, (1.0, 0.4))))
        );
    }

    #[test]
    fn whole_number_axes_label_only_whole_numbers() {
        assert_eq!(whole(3.0), "3");
        assert_eq!(whole(2.5), "");
        assert_eq!(whole(-0.0), "0");
    }

    #[test]
    fn colour_bar_ticks_tell_their_values_apart() {
        assert_eq!(tick_text(43.0, 37.0, 46.0), "43.0");
        assert_eq!(tick_text(0.012, 0.0, 0.025), "0.012");
        assert_eq!(tick_text(2.5e-4, 0.0, 5e-4), "2.50e-4");
        assert_eq!(tick_text(2.0e6, 0.0, 3e6), "2.00e6");
        assert_eq!(tick_text(120.0, 100.0, 300.0), "120");
    }

    #[test]
    fn maps_are_drawn_at_equal_scale() {
        // A block twice as wide as tall in an area of another shape: the
        // plot rectangle keeps the 2 : 1 ratio to a pixel.
        let mut buffer = vec![0u8; 800 * 700 * 3];
        let area = BitMapBackend::with_buffer(&mut buffer, (800, 700)).into_drawing_area();
        let (plot, (pw, ph)) = equal_scale_area(&area, (0.05, 0.025), 60, 45, 8);
        assert_eq!(plot.dim_in_pixel(), (pw + 60 + 16, ph + 45 + 16));
        assert!(
            (pw as f64 / ph as f64 - 2.0).abs() < 2.0 / ph as f64,
            "{pw} × {ph}"
        );
        assert!(pw <= 800 - 76 && ph <= 700 - 61);
        // The chart built as the maps build it has exactly that plot area.
        let chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..50.0, 0.0..25.0)
            .unwrap();
        assert_eq!(chart.plotting_area().dim_in_pixel(), (pw, ph));
    }
}
