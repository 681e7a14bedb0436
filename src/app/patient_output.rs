//! The files of a patient run: maps that overlay the segmentation
//! (NIfTI-1, the input's shape and affine: 37 °C, no particles and no dose
//! outside the solved box), the solved box's fields (VTK image data), the
//! dose-volume histograms (CSV and figure), three orthogonal slices
//! through the tumor's centroid, PSO convergence and ablation curves.

use crate::app::figures::{
    FieldMap, MapKind, Window, ablation_curves, convergence, dose_volume_histograms, field_map,
    isolines,
};
use crate::app::output::RunOutput;
use crate::error::Result;
use crate::patient::anatomy::Anatomy;
use crate::patient::dvh::{DoseVolumeHistogram, cem43_levels, temperature_levels};
use crate::patient::nifti_io::write_scalar_volume;
use crate::patient::objective::PatientEvaluation;
use crate::patient::strategy::PatientCloud;
use crate::patient::volume::LabelVolume;
use crate::treatment::assessment::DoseReport;
use crate::treatment::optimize::GenerationRecord;
use lbm_bioheat::Grid;
use ndarray::{Array2, Array3, Ix3};

/// The sites of a plan in the solver's frame (m).
pub fn frame_sites(cloud: &PatientCloud, grid: &lbm_bioheat::Grid3) -> Vec<[f64; 3]> {
    match cloud {
        PatientCloud::Point(c) => c.sites().iter().map(|s| s.centre()).collect(),
        PatientCloud::ExtrudedZ(c) => {
            let z = grid.origin()[2] + 0.5 * grid.shape().2 as f64 * grid.spacing()[2];
            c.sites().iter().map(|s| [s.x(), s.y(), z]).collect()
        }
    }
}

/// One slice of a 3D field through cell `at` of axis `normal`, on a 2D
/// grid of square pixels (nearest cell, at the finer of the slice's two
/// spacings), with the tumor's outline in the slice and the sites within
/// two cells of it.
struct Slice {
    grid: Grid,
    field: Array2<f64>,
    outline: Vec<[(f64, f64); 2]>,
    sites: Vec<(f64, f64)>,
    axes: (&'static str, &'static str),
}

fn slice(
    anatomy: &Anatomy,
    field: &Array3<f64>,
    normal: usize,
    sites: &[[f64; 3]],
) -> Result<Slice> {
    let g = anatomy.grid();
    let (n, h, o) = (
        [g.shape().0, g.shape().1, g.shape().2],
        g.spacing(),
        g.origin(),
    );
    let (a, b) = match normal {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let c = anatomy.geometry().centroid;
    let at = (((c[normal] - o[normal]) / h[normal]).floor().max(0.0) as usize).min(n[normal] - 1);
    let s = h[a].min(h[b]);
    let (ma, mb) = (
        ((n[a] as f64 * h[a] / s).round() as usize).max(1),
        ((n[b] as f64 * h[b] / s).round() as usize).max(1),
    );
    let grid = Grid::new(ma, mb, s, o[a], o[b])?;
    let cell = |axis: usize, x: f64| {
        (((x - o[axis]) / h[axis]).floor().max(0.0) as usize).min(n[axis] - 1)
    };
    let index = |u: usize, v: usize| {
        let mut idx = [0usize; 3];
        idx[normal] = at;
        idx[a] = cell(a, grid.x(u));
        idx[b] = cell(b, grid.y(v));
        idx
    };
    let plane = Array2::from_shape_fn((ma, mb), |(u, v)| {
        let i = index(u, v);
        field[[i[0], i[1], i[2]]]
    });
    let tumor = anatomy.tumor_mask();
    let mask = Array2::from_shape_fn((ma, mb), |(u, v)| {
        let i = index(u, v);
        f64::from(u8::from(tumor[[i[0], i[1], i[2]]]))
    });
    let xs: Vec<f64> = (0..ma).map(|u| grid.x(u)).collect();
    let ys: Vec<f64> = (0..mb).map(|v| grid.y(v)).collect();
    let outline = isolines(&xs, &ys, &mask.view(), 0.5);
    let plane_at = o[normal] + (at as f64 + 0.5) * h[normal];
    let sites = sites
        .iter()
        .filter(|p| (p[normal] - plane_at).abs() <= 2.0 * h[normal])
        .map(|p| (p[a], p[b]))
        .collect();
    const NAMES: [&str; 3] = ["voxel axis i", "voxel axis j", "voxel axis k"];
    Ok(Slice {
        grid,
        field: plane,
        outline,
        sites,
        axes: (NAMES[a], NAMES[b]),
    })
}

/// Three orthogonal slices of `field` through the tumor's centroid,
/// `{name}_{jk,ik,ij}.png`: the tumor outline, the sites (`sites`: in the
/// solver's frame, m) within two cells of the slice, the isotherms of
/// `kind` and a colour bar.
///
/// # Errors
/// A figure that cannot be drawn or written.
pub fn slice_maps(
    out: &RunOutput,
    name: &str,
    title: &str,
    anatomy: &Anatomy,
    field: &Array3<f64>,
    kind: MapKind,
    sites: &[[f64; 3]],
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for (normal, plane) in [(0, "jk"), (1, "ik"), (2, "ij")] {
        let s = slice(anatomy, field, normal, sites)?;
        let file = format!("{name}_{plane}.png");
        let title = format!("{title}, {plane} slice through the tumor's centroid");
        field_map(
            &out.path(&file)?,
            &FieldMap {
                title: &title,
                grid: &s.grid,
                field: &s.field,
                kind,
                outline: &[],
                outline_segments: &s.outline,
                axes: s.axes,
                sites: &s.sites,
                window: Window::Whole,
            },
        )?;
        written.push(file);
    }
    Ok(written)
}

/// What a patient run writes.
#[derive(Debug, Clone, Copy)]
pub struct PatientFiles<'a> {
    /// The segmentation (its header shapes the maps).
    pub volume: &'a LabelVolume,
    /// The solved box.
    pub anatomy: &'a Anatomy,
    /// The plan's steady state.
    pub evaluation: &'a PatientEvaluation,
    /// The optimization's generations and variables, if it ran.
    pub history: Option<(&'a [GenerationRecord], &'a [&'a str])>,
    /// The dose transient and its lethal CEM43 (min), if it ran.
    pub dose: Option<(&'a DoseReport<Ix3>, f64)>,
    /// A title for the figures (the strategy, say).
    pub title: &'a str,
}

/// Writes the maps, fields, histograms and figures of a patient run into
/// `out` and returns the dose-volume histograms.
///
/// # Errors
/// A map, field or figure that cannot be written.
pub fn write_patient_files(
    out: &RunOutput,
    f: &PatientFiles<'_>,
) -> Result<Vec<DoseVolumeHistogram>> {
    let a = f.anatomy;
    let e = f.evaluation;
    let map = |name: &str, field: &Array3<f64>, outside: f64| -> Result<()> {
        write_scalar_volume(out.path(name)?, &a.to_image(field, outside)?, f.volume)
    };
    map("temperature.nii.gz", &e.temperature, 37.0)?;
    map("concentration.nii.gz", &e.volume_fraction, 0.0)?;
    let tumor = a.tumor_mask().mapv(|t| f64::from(u8::from(t)));
    let mut fields: Vec<(&str, &Array3<f64>)> = vec![
        ("temperature_c", &e.temperature),
        ("volume_fraction", &e.volume_fraction),
        ("tumor", &tumor),
    ];
    let mut histograms = vec![DoseVolumeHistogram::new(
        "temperature_c",
        &e.temperature,
        a.tumor_mask(),
        &temperature_levels(
            e.temperature
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
        ),
    )?];
    if let Some((d, _)) = f.dose {
        map("cem43.nii.gz", &d.cem43_min, 0.0)?;
        map("arrhenius.nii.gz", &d.arrhenius, 0.0)?;
        fields.push(("cem43_min", &d.cem43_min));
        fields.push(("arrhenius_omega", &d.arrhenius));
        histograms.push(DoseVolumeHistogram::new(
            "cem43_min",
            &d.cem43_min,
            a.tumor_mask(),
            &cem43_levels(),
        )?);
    }
    lbm_bioheat::output::write_vti(out.path("fields.vti")?, a.grid(), &fields)?;
    let csv: String = histograms
        .iter()
        .enumerate()
        .map(|(k, h)| h.to_csv(k == 0))
        .collect();
    std::fs::write(out.path("dvh.csv")?, csv).map_err(|e| crate::error::Error::Io {
        path: "dvh.csv".into(),
        message: e.to_string(),
    })?;
    let refs: Vec<&DoseVolumeHistogram> = histograms.iter().collect();
    dose_volume_histograms(
        &out.path("dvh.png")?,
        &format!("Dose-volume histograms: {}", f.title),
        &refs,
    )?;
    let sites = frame_sites(&e.layout.cloud, a.grid());
    slice_maps(
        out,
        "temperature",
        "Steady temperature",
        a,
        &e.temperature,
        MapKind::Temperature,
        &sites,
    )?;
    slice_maps(
        out,
        "concentration",
        "Particle volume fraction",
        a,
        &e.volume_fraction,
        MapKind::Concentration,
        &sites,
    )?;
    if let Some((d, lethal_min)) = f.dose {
        std::fs::write(
            out.path("ablation.csv")?,
            crate::treatment::assessment::ablation_csv(d),
        )
        .map_err(|e| crate::error::Error::Io {
            path: "ablation.csv".into(),
            message: e.to_string(),
        })?;
        slice_maps(
            out,
            "cem43",
            "Thermal dose",
            a,
            &d.cem43_min,
            MapKind::Ablation { lethal_min },
            &sites,
        )?;
        ablation_curves(
            &out.path("ablation.png")?,
            &format!("Ablation: {}", f.title),
            &[("plan", &d.samples)],
        )?;
    }
    if let Some((history, variables)) = f.history {
        convergence(
            &out.path("convergence.png")?,
            &format!("PSO: {}", f.title),
            history,
            variables,
        )?;
    }
    Ok(histograms)
}

/// `optimize.json` of a patient run: the tumor, the plan (sites in
/// patient mm), the metrics and the run.
pub fn optimize_json(
    anatomy: &Anatomy,
    run: &crate::patient::optimize::PatientOptimization,
) -> serde_json::Value {
    let e = &run.best;
    let m = e.metrics;
    let (lo, hi) = anatomy.voxel_box();
    let g = anatomy.grid();
    let (volume_unit, volume_scale) = match e.layout.cloud {
        PatientCloud::Point(_) => ("mm3", 1e9),
        PatientCloud::ExtrudedZ(_) => ("mm2 per unit length", 1e6),
    };
    serde_json::json!({
        "source": anatomy.source_name(),
        "tumor_volume_mm3": anatomy.geometry().volume_m3 * 1e9,
        "tumor_centroid_mm": anatomy.frame_to_patient_mm(anatomy.geometry().centroid),
        "tumor_semi_axes_mm": anatomy.geometry().semi_axes.map(|a| a * 1e3),
        "box_voxels": {"lo": lo, "hi": hi},
        "cells": [g.shape().0, g.shape().1, g.shape().2],
        "cell_mm": g.spacing().map(|h| h * 1e3),
        "strategy": run.strategy,
        "variables": run.variables,
        "position": run.best_position,
        "j": m.j,
        "r_tum": m.r_tum,
        "r_tis": m.r_tis,
        "r_int": m.r_int,
        "r_dose": m.r_dose,
        "t_opt_min": e.layout.waiting_time_s / 60.0,
        // Point clouds in mm³; extruded ones in mm² per unit length.
        "volume_unit": volume_unit,
        "total_volume": e.layout.total_volume * volume_scale,
        "sites_mm": e.layout.sites_mm.iter().map(|s| s.0).collect::<Vec<_>>(),
        "site_volumes": e.layout.sites_mm.iter().map(|s| s.1 * volume_scale).collect::<Vec<_>>(),
        "geometry": e.layout.geometry.iter().map(|(k, v)| (k.to_string(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
        "max_temperature_c": e.temperature.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "evaluations": run.evaluations,
        "runtime_s": run.runtime_s,
    })
}

/// `dose.json` of a patient run: the plan's key figures (`plan`: an
/// [`optimize_json`]) and the ablation times and ratios; the samples over
/// time go to `ablation.csv` ([`crate::treatment::assessment::ablation_csv`]).
pub fn dose_json(report: &DoseReport<Ix3>, plan: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "strategy": plan["strategy"],
        "position": plan["position"],
        "tumor_volume_mm3": plan["tumor_volume_mm3"],
        "j": plan["j"],
        "sites_mm": plan["sites_mm"],
        "ablation_complete_min": report.tumor_ablated_min,
        "healthy_damage_min": report.healthy_damage_min,
        "r_cem43_tumor_at_damage": report.r_cem43_tumor_at_damage,
        "r_cem43_healthy_at_ablation": report.r_cem43_healthy_at_ablation,
        "overheat_min": report.overheat_min.map(|(a, b)| [a, b]),
        "simulated_min": report.simulated_min,
    })
}
