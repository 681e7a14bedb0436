//! Patient-specific planning: NIfTI in and out, label mapping, patient
//! coordinates, the 3D objective against the 2D pipeline, a small 3D
//! optimization against a grid search, and every bad input.

use approx::assert_abs_diff_eq;
use mnp_suite::bioheat::ConstantPerfusion;
use mnp_suite::patient::phantom::{HEALTHY_LABEL, TUMOR_LABEL, two_ellipsoids};
use mnp_suite::patient::strategy::SitePlan;
use mnp_suite::patient::*;
use mnp_suite::physics::{InjectionReference, Material};
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace,
};
use mnp_suite::treatment::optimize::OptimizationSettings;
use mnp_suite::treatment::scenario::{GridAlignment, Scenario, Tumor};
use mnp_suite::treatment::strategy::Circular;
use ndarray::Array3;
use std::sync::Arc;

fn healthy_and_tumor() -> TissueMap {
    TissueMap::tumor_in_healthy(&[TUMOR_LABEL]).unwrap()
}

/// The tumor voxels' mean index, by hand.
fn mean_tumor_index(volume: &LabelVolume) -> [f64; 3] {
    let (mut s, mut n) = ([0.0; 3], 0.0);
    for ((i, j, k), &l) in volume.labels().indexed_iter() {
        if l == TUMOR_LABEL {
            s[0] += i as f64;
            s[1] += j as f64;
            s[2] += k as f64;
            n += 1.0;
        }
    }
    s.map(|v| v / n)
}

#[cfg(feature = "nifti")]
mod nifti_files {
    use super::*;
    use mnp_suite::patient::nifti_io::{read_label_volume, write_scalar_volume};
    use ndarray::Array2;
    use std::path::PathBuf;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mnp_patient_{}_{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn label_volume_and_maps_round_trip_with_their_affine() {
        let dir = scratch("round_trip");
        let phantom = two_ellipsoids(36, 30.0).unwrap();
        for name in ["mask.nii", "mask.nii.gz"] {
            let path = dir.join(name);
            let values = phantom.labels().mapv(f64::from);
            write_scalar_volume(&path, &values, &phantom).unwrap();
            let back = read_label_volume(&path).unwrap();
            assert_eq!(back.labels(), phantom.labels(), "{name}");
            let (a, b) = (phantom.affine().rows(), back.affine().rows());
            for (ra, rb) in a.iter().zip(&b) {
                for (x, y) in ra.iter().zip(rb) {
                    // Stored as 32-bit floats.
                    assert_abs_diff_eq!(x, y, epsilon = 1e-4);
                }
            }
            // A map written "like" the read volume keeps its header.
            let anatomy = Anatomy::new(
                &back,
                &healthy_and_tumor(),
                &CropSettings::default().with_margin_mm(4.0).unwrap(),
            )
            .unwrap();
            // The float32 affine gives the same box as the exact one.
            let exact = Anatomy::new(
                &phantom,
                &healthy_and_tumor(),
                &CropSettings::default().with_margin_mm(4.0).unwrap(),
            )
            .unwrap();
            assert_eq!(anatomy.voxel_box(), exact.voxel_box());
            let field = anatomy.grid().field(|x, _, _| 37.0 + 1e3 * x);
            let image = anatomy.to_image(&field, 37.0).unwrap();
            let out = dir.join(format!("t_{name}"));
            write_scalar_volume(&out, &image, &back).unwrap();
            let map = read_raw(&out);
            assert_eq!(map.shape(), [36, 36, 36]);
            let (lo, hi) = anatomy.voxel_box();
            // Inside the box: the cell's value (voxel i at x = i mm here).
            let v = [lo[0] + 2, lo[1] + 1, lo[2] + 1];
            assert_abs_diff_eq!(map[[v[0], v[1], v[2]]], 37.0 + v[0] as f64, epsilon = 1e-4);
            assert_eq!(map[[0, 0, 0]], 37.0);
            assert_eq!(map[[hi[0], lo[1], lo[2]]], 37.0);
            let header = nifti::NiftiHeader::from_file(&out).unwrap();
            assert_eq!(
                header.srow_x,
                nifti::NiftiHeader::from_file(&path).unwrap().srow_x
            );
            assert_eq!(header.datatype, 16, "float32");
        }
        // No temporary file is left beside the maps.
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(left.is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    fn read_raw(path: &std::path::Path) -> ndarray::ArrayD<f64> {
        use nifti::{IntoNdArray, NiftiObject, ReaderOptions};
        ReaderOptions::new()
            .read_file(path)
            .unwrap()
            .into_volume()
            .into_ndarray::<f64>()
            .unwrap()
    }

    fn write_with_header(
        path: &std::path::Path,
        header: &nifti::NiftiHeader,
        data: &ndarray::ArrayD<f32>,
    ) {
        nifti::writer::WriterOptions::new(path)
            .reference_header(header)
            .write_nifti(data)
            .unwrap();
    }

    #[test]
    fn qform_and_spacing_only_affines() {
        let dir = scratch("qform");
        let data = Array3::from_shape_fn((4, 5, 6), |(i, _, _)| (i % 2) as f32).into_dyn();
        // qform: 90° about z (quaternion d = sin 45°), voxels 2 × 2 × 3 mm.
        let mut h = nifti::NiftiHeader {
            sform_code: 0,
            qform_code: 1,
            quatern_d: std::f32::consts::FRAC_1_SQRT_2,
            quatern_x: 10.0,
            quatern_y: -5.0,
            quatern_z: 1.0,
            xyzt_units: 2,
            ..Default::default()
        };
        h.pixdim = [1.0, 2.0, 2.0, 3.0, 1.0, 1.0, 1.0, 1.0];
        let path = dir.join("q.nii");
        write_with_header(&path, &h, &data);
        let v = read_label_volume(&path).unwrap();
        let p = v.affine().voxel_to_patient([1.0, 1.0, 1.0]);
        // x axis → +y·2, y axis → −x·2, z axis → +z·3.
        for (a, e) in p.iter().zip([10.0 - 2.0, -5.0 + 2.0, 1.0 + 3.0]) {
            assert_abs_diff_eq!(*a, e, epsilon = 1e-5);
        }
        assert_eq!(v.labels()[[1, 0, 0]], 1);
        // Neither form, spacing in metres: the spacing alone, in mm.
        h.qform_code = 0;
        h.xyzt_units = 1;
        h.pixdim = [1.0, 0.001, 0.002, 0.003, 1.0, 1.0, 1.0, 1.0];
        let path = dir.join("plain.nii.gz");
        write_with_header(&path, &h, &data);
        let v = read_label_volume(&path).unwrap();
        let s = v.affine().spacing_mm();
        for (a, e) in s.iter().zip([1.0, 2.0, 3.0]) {
            assert_abs_diff_eq!(*a, e, epsilon = 1e-6);
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The error of reading `path`, which must name the file.
    fn refusal(path: &std::path::Path) -> String {
        let e = read_label_volume(path).unwrap_err();
        assert!(matches!(e, mnp_suite::Error::Image { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        text
    }

    #[test]
    fn bad_files_are_refused_naming_the_file() {
        let dir = scratch("bad_files");
        assert!(refusal(&dir.join("missing.nii")).contains("does not exist"));
        let text = dir.join("notes.nii");
        std::fs::write(&text, "segmentation by hand\n").unwrap();
        assert!(refusal(&text).contains("not a NIfTI-1 file"));
        let mut two = vec![0u8; 560];
        two[..4].copy_from_slice(&540i32.to_le_bytes());
        two[4..12].copy_from_slice(b"n+2\0\r\n\x1a\n");
        let nifti2 = dir.join("v2.nii");
        std::fs::write(&nifti2, &two).unwrap();
        assert!(refusal(&nifti2).contains("NIfTI-2"));
        let gz = dir.join("broken.nii.gz");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
        assert!(refusal(&gz).contains("not a NIfTI"));
        // 4D: two volumes.
        let series = ndarray::Array4::<f32>::zeros((4, 4, 4, 2)).into_dyn();
        let four = dir.join("series.nii");
        write_with_header(&four, &nifti::NiftiHeader::default(), &series);
        assert!(refusal(&four).contains("4D"));
        // 2D.
        let slice = Array2::<f32>::zeros((4, 4)).into_dyn();
        let flat = dir.join("slice.nii");
        write_with_header(&flat, &nifti::NiftiHeader::default(), &slice);
        assert!(refusal(&flat).contains("2D"));
        // Headers the nifti crate would panic on: a NaN qfac, a quaternion
        // that is no rotation, bitpix disagreeing with the data type.
        let data = Array3::<f32>::ones((4, 4, 4)).into_dyn();
        let mut h = nifti::NiftiHeader {
            sform_code: 0,
            qform_code: 1,
            quatern_b: 0.9,
            quatern_c: 0.9,
            ..Default::default()
        };
        h.pixdim = [1.0; 8];
        let quaternion = dir.join("quaternion.nii");
        write_with_header(&quaternion, &h, &data);
        assert!(refusal(&quaternion).contains("quaternion"));
        h.quatern_b = 0.0;
        h.quatern_c = 0.0;
        h.pixdim[0] = f32::NAN;
        let qfac = dir.join("qfac.nii");
        write_with_header(&qfac, &h, &data);
        assert!(refusal(&qfac).contains("qfac"));
        let bits = dir.join("bitpix.nii");
        write_with_header(&bits, &nifti::NiftiHeader::default(), &data);
        let mut bytes = std::fs::read(&bits).unwrap();
        // bitpix (offset 72) from 32 to 16: the crate would read half the
        // bytes an f32 volume needs.
        bytes[72..74].copy_from_slice(&16i16.to_le_bytes());
        std::fs::write(&bits, &bytes).unwrap();
        assert!(refusal(&bits).contains("bitpix"));
        // A gzipped file named .nii.
        let p = two_ellipsoids(34, 0.0).unwrap();
        let real = dir.join("real.nii.gz");
        write_scalar_volume(&real, &p.labels().mapv(f64::from), &p).unwrap();
        let misnamed = dir.join("zipped.nii");
        std::fs::copy(&real, &misnamed).unwrap();
        assert!(refusal(&misnamed).contains("gzip"));
        // Non-integer and negative labels, named by voxel.
        let mut values = Array3::<f32>::ones((4, 4, 4));
        values[[2, 1, 3]] = 1.5;
        let frac = dir.join("fraction.nii");
        write_with_header(
            &frac,
            &nifti::NiftiHeader::default(),
            &values.clone().into_dyn(),
        );
        let e = refusal(&frac);
        assert!(e.contains("(2, 1, 3)") && e.contains("1.5"), "{e}");
        values[[2, 1, 3]] = -2.0;
        let neg = dir.join("negative.nii");
        write_with_header(&neg, &nifti::NiftiHeader::default(), &values.into_dyn());
        let e = refusal(&neg);
        assert!(e.contains("(2, 1, 3)") && e.contains("-2"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn labels_map_to_tissues_and_unlisted_labels_are_refused() {
    let mut labels = two_ellipsoids(36, 0.0).unwrap().labels().clone();
    // A slab of muscle (label 5) across the top of the box.
    for ((_, _, k), l) in labels.indexed_iter_mut() {
        if k >= 26 {
            *l = 5;
        }
    }
    let affine = Affine::from_spacing([1.0; 3]).unwrap();
    let volume = LabelVolume::new(labels, affine, "muscle.nii").unwrap();
    let table1 = Material::tissue_table1();
    let muscle = Material::new(1090.0, 3421.0, 0.49).unwrap();
    let tumor = Tissue::new("tumor", vec![TUMOR_LABEL], table1, ConstantPerfusion(0.6)).unwrap();
    let healthy = Tissue::new("fat", vec![HEALTHY_LABEL], table1, ConstantPerfusion(0.3)).unwrap();
    let muscle_tissue = Tissue::new("muscle", vec![5], muscle, ConstantPerfusion(0.7)).unwrap();
    let crop = CropSettings::default().with_margin_mm(6.0).unwrap();
    // Label 5 listed by no tissue: refused, naming it and the file.
    let partial = TissueMap::new(tumor.clone(), vec![healthy.clone()]).unwrap();
    let e = Anatomy::new(&volume, &partial, &crop)
        .unwrap_err()
        .to_string();
    assert!(e.contains("muscle.nii") && e.contains("label 5"), "{e}");
    // A label in two tissues, or two tissues of one name, is refused.
    assert!(
        TissueMap::new(
            tumor.clone(),
            vec![Tissue::new("x", vec![TUMOR_LABEL], table1, ConstantPerfusion(0.1)).unwrap()]
        )
        .is_err()
    );
    assert!(TissueMap::new(tumor.clone(), vec![healthy.clone(), healthy.clone()]).is_err());
    let map = TissueMap::new(tumor, vec![healthy, muscle_tissue]).unwrap();
    let anatomy = Arc::new(Anatomy::new(&volume, &map, &crop).unwrap());
    let problem = PatientProblem::new(
        anatomy.clone(),
        Arc::new(PrincipalAxes::new(1).unwrap()),
        PatientSettings::default(),
    )
    .unwrap();
    let base = problem.base_problem();
    let (lo, _) = anatomy.voxel_box();
    let mut seen = [false; 3];
    for ((i, j, k), &t) in anatomy.tissue_index().indexed_iter() {
        let (rc, w) = (
            base.heat_capacity()[[i, j, k]],
            base.perfusion_at((i, j, k), 40.0).unwrap(),
        );
        let (expected_rc, expected_w) = match t {
            0 => (1052.0 * 3800.0, 0.6 * 3800.0),
            1 => (1052.0 * 3800.0, 0.3 * 3800.0),
            _ => (1090.0 * 3421.0, 0.7 * 3800.0),
        };
        assert_abs_diff_eq!(rc, expected_rc, epsilon = 1e-6);
        assert_abs_diff_eq!(w, expected_w, epsilon = 1e-9);
        assert_eq!(t == 2, lo[2] + k >= 26);
        seen[usize::from(t)] = true;
    }
    assert_eq!(seen, [true; 3]);
}

#[test]
fn sites_and_centroid_sit_where_the_affine_says() {
    let volume = two_ellipsoids(40, 30.0).unwrap();
    let anatomy =
        Arc::new(Anatomy::new(&volume, &healthy_and_tumor(), &CropSettings::default()).unwrap());
    // The centroid: the tumor voxels' mean index through the affine.
    let expected = volume.affine().voxel_to_patient(mean_tumor_index(&volume));
    let centroid = anatomy.frame_to_patient_mm(anatomy.geometry().centroid);
    for (a, e) in centroid.iter().zip(expected) {
        assert_abs_diff_eq!(*a, e, epsilon = 1e-9);
    }
    // Volume: voxels × 1 mm³.
    let voxels = volume
        .labels()
        .iter()
        .filter(|&&l| l == TUMOR_LABEL)
        .count();
    assert_abs_diff_eq!(
        anatomy.geometry().volume_m3,
        voxels as f64 * 1e-9,
        epsilon = 1e-18
    );
    // The phantom's longest axis lies in the x–y plane, near x (its two
    // ellipsoids are offset along (6, 3) voxels); the shortest is z.
    let axes = anatomy.geometry().axes;
    assert!(
        axes[0][0].abs() > 0.9 && axes[0][2].abs() < 1e-9,
        "{axes:?}"
    );
    assert!(axes[2][2].abs() > 1.0 - 1e-12, "{axes:?}");
    let settings = PatientSettings::default();
    let one = PatientProblem::new(
        anatomy.clone(),
        Arc::new(PrincipalAxes::new(1).unwrap()),
        settings,
    )
    .unwrap();
    let layout = one.layout(&[0.5, 0.5]).unwrap();
    for (a, e) in layout.sites_mm[0].0.iter().zip(expected) {
        assert_abs_diff_eq!(*a, e, epsilon = 1e-9);
    }
    // A user's site at a voxel's patient position lands on that voxel's
    // centre in the solver's frame.
    let voxel = [21.0, 18.0, 19.0];
    let p = volume.affine().voxel_to_patient(voxel);
    let user = PatientSites::new(vec![(p, 2.0), ([p[0], p[1], p[2] + 1.0], 1.0)]).unwrap();
    let plan: SitePlan = user.sites(&anatomy, &[0.5, 0.5]).unwrap();
    for (a, v) in plan.sites[0].0.iter().zip(voxel) {
        assert_abs_diff_eq!(*a, v * 1e-3, epsilon = 1e-12);
    }
    let problem = PatientProblem::new(anatomy.clone(), Arc::new(user), settings).unwrap();
    let layout = problem.layout(&[0.5, 0.5]).unwrap();
    for (a, e) in layout.sites_mm[0].0.iter().zip(p) {
        assert_abs_diff_eq!(*a, e, epsilon = 1e-9);
    }
    // Dose weights: the first site holds twice the second's volume;
    // V = w k_σ³ k_φ V0 in 3D, V0 = φ0 V_tumor/(π (5 mm)²) by default.
    let v0 = settings.reference.phi0() * voxels as f64 * 1e-9 / (std::f64::consts::PI * 25e-6);
    assert_abs_diff_eq!(problem.reference_volume(), v0, epsilon = 1e-12 * v0);
    let unit = 0.125 * 0.5 * v0;
    assert_abs_diff_eq!(layout.sites_mm[0].1, 2.0 * unit, epsilon = 1e-20);
    assert_abs_diff_eq!(layout.sites_mm[1].1, unit, epsilon = 1e-20);
    assert_abs_diff_eq!(layout.dose_ratio, 3.0 * 0.125 * 0.5, epsilon = 1e-12);
}

/// The paper's 2D block at `n`² with a disc tumor of radius 5 cells, and
/// the same block extruded over `nz` cells in z.
fn extruded_pair(n: usize, nz: usize) -> (TreatmentProblem, PatientProblem) {
    let (disc, volume) = mnp_suite::patient::phantom::cylinder(n, nz).unwrap();
    let scenario = Scenario::paper_circular(n, n as f64 * 1e-3, GridAlignment::NodeAtCentre)
        .unwrap()
        .with_tumor(Tumor::Mask(disc.clone()))
        .unwrap();
    let two_d = TreatmentProblem::new(
        scenario,
        Arc::new(Circular::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap();
    let anatomy = Anatomy::new(
        &volume,
        &healthy_and_tumor(),
        &CropSettings::default().whole_image(),
    )
    .unwrap();
    let settings = PatientSettings {
        cloud_shape: CloudShape::ExtrudedZ,
        ..PatientSettings::default()
    };
    let three_d = PatientProblem::new(
        Arc::new(anatomy),
        Arc::new(PrincipalAxes::new(4).unwrap()),
        settings,
    )
    .unwrap();
    (two_d, three_d)
}

#[test]
fn extruded_block_gives_the_2d_temperatures() {
    let (two_d, three_d) = extruded_pair(40, 3);
    let a = three_d.anatomy().geometry().semi_axes;
    // A round cross-section: the first two axes are x and y.
    assert_abs_diff_eq!(a[0], a[1], epsilon = 1e-9);
    assert!(three_d.anatomy().geometry().axes[0][0] > 0.999_999);
    for x in [[0.6, 0.5, 0.6], [0.8, 0.3, 0.7], [0.4, 0.6, 0.2]] {
        let e2 = two_d.evaluate(&x, &mut Workspace::default()).unwrap();
        let d = x[2] * InjectionReference::paper().d0();
        let e3 = three_d
            .evaluate(
                &[x[0], x[1], d / a[0], d / a[1]],
                &mut PatientWorkspace::default(),
            )
            .unwrap();
        for ((i, j, k), t) in e3.temperature.indexed_iter() {
            assert_abs_diff_eq!(*t, e2.temperature[[i, j]], epsilon = 1e-6);
            assert_eq!(
                e3.volume_fraction[[i, j, k]] > 0.0,
                e2.volume_fraction[[i, j]] > 0.0
            );
        }
        // The same cells in and out of the band, the same dose; R_int
        // differs by design (the 2D mask samples the face midpoints, the
        // 3D surface is cut towards the smooth surface).
        let (m2, m3) = (e2.metrics, e3.metrics);
        assert_eq!((m2.r_tum, m2.r_tis), (m3.r_tum, m3.r_tis));
        assert_abs_diff_eq!(m2.r_dose, m3.r_dose, epsilon = 1e-12);
    }
}

#[test]
fn small_optimization_matches_a_grid_search() {
    let volume = two_ellipsoids(34, 20.0).unwrap();
    let crop = CropSettings::default()
        .with_margin_mm(3.0)
        .unwrap()
        .with_cell_mm(Some(1.5))
        .unwrap();
    let anatomy = Arc::new(Anatomy::new(&volume, &healthy_and_tumor(), &crop).unwrap());
    let problem = PatientProblem::new(
        anatomy,
        Arc::new(PrincipalAxes::new(1).unwrap()),
        PatientSettings::default(),
    )
    .unwrap();
    let mut best_grid = f64::NEG_INFINITY;
    let mut ws = PatientWorkspace::default();
    for a in 0..=12 {
        for b in 1..=12 {
            let x = [a as f64 / 12.0, b as f64 / 12.0];
            if problem.volume_fraction_excess(&x).unwrap() > 0.0 {
                continue;
            }
            if let Ok(e) = problem.evaluate(&x, &mut ws) {
                best_grid = best_grid.max(e.metrics.j);
            }
        }
    }
    let settings = OptimizationSettings::new(12, 25).unwrap().with_seed(3);
    let run = optimize_patient(&problem, &settings, &mut |_, _| {}).unwrap();
    println!(
        "grid {best_grid:.5}, swarm {:.5} at {:?}",
        run.best.metrics.j, run.best_position
    );
    assert!(
        run.best.metrics.j >= best_grid - 1e-3,
        "{} < {best_grid}",
        run.best.metrics.j
    );
    assert!(run.best.metrics.j > 0.5 && run.best.metrics.j <= 1.0);
    // The same seed, one thread: the same plan, bit for bit.
    let serial =
        optimize_patient(&problem, &settings.with_parallel(false), &mut |_, _| {}).unwrap();
    assert_eq!(serial.best_position, run.best_position);
    assert_eq!(run.history.len(), 25);
}

#[test]
fn anisotropic_voxels_are_solved_as_they_are_or_resampled() {
    // The phantom at 1 mm, and the same with every other z slice kept
    // (voxels of 1 × 1 × 2 mm): the tumor's volume and J of one plan agree.
    let iso = two_ellipsoids(40, 30.0).unwrap();
    let (nx, ny, nz) = iso.labels().dim();
    let thick = Array3::from_shape_fn((nx, ny, nz / 2), |(i, j, k)| iso.labels()[[i, j, 2 * k]]);
    let rows = iso.affine().rows();
    let mut stretched = rows;
    for row in &mut stretched {
        row[2] *= 2.0;
    }
    let aniso = LabelVolume::new(thick, Affine::new(stretched).unwrap(), "thick.nii").unwrap();
    assert_eq!(
        aniso.affine().spacing_mm().map(|h| (h * 1e6).round() / 1e6),
        [1.0, 1.0, 2.0]
    );
    let crop = CropSettings::default().with_margin_mm(8.0).unwrap();
    let evaluate = |volume: &LabelVolume, crop: &CropSettings| {
        let anatomy = Arc::new(Anatomy::new(volume, &healthy_and_tumor(), crop).unwrap());
        let v = anatomy.geometry().volume_m3;
        let p = PatientProblem::new(
            anatomy,
            Arc::new(PrincipalAxes::new(2).unwrap()),
            PatientSettings::default(),
        )
        .unwrap();
        let e = p
            .evaluate(&[0.9, 0.5, 0.6], &mut PatientWorkspace::default())
            .unwrap();
        (
            v,
            e.metrics.j,
            e.temperature.iter().copied().fold(0.0, f64::max),
        )
    };
    let (v_iso, j_iso, t_iso) = evaluate(&iso, &crop);
    let (v_aniso, j_aniso, t_aniso) = evaluate(&aniso, &crop);
    let resampled = crop.with_cell_mm(Some(1.0)).unwrap();
    let (v_res, j_res, _) = evaluate(&aniso, &resampled);
    println!(
        "iso {v_iso:e} {j_iso:.4} {t_iso:.2}; aniso {v_aniso:e} {j_aniso:.4} {t_aniso:.2}; resampled {v_res:e} {j_res:.4}"
    );
    // Measured: the same volume, J 0.4302 / 0.4331 / 0.4312, hottest
    // cell 48.77 / 48.78 °C.
    assert!((v_aniso / v_iso - 1.0).abs() < 0.02, "{v_aniso} vs {v_iso}");
    assert!((j_aniso - j_iso).abs() < 0.01, "{j_aniso} vs {j_iso}");
    assert!((t_aniso - t_iso).abs() < 0.2, "{t_aniso} vs {t_iso}");
    assert!((v_res / v_aniso - 1.0).abs() < 0.02 && (j_res - j_aniso).abs() < 0.01);
}

#[test]
fn bad_segmentations_are_refused_naming_the_volume() {
    let affine = Affine::from_spacing([1.0; 3]).unwrap();
    let map = healthy_and_tumor();
    let phantom = two_ellipsoids(36, 0.0).unwrap();
    let crop = CropSettings::default();
    let named = |labels: Array3<u32>, crop: &CropSettings| {
        let v = LabelVolume::new(labels, affine, "seg.nii.gz").unwrap();
        let e = Anatomy::new(&v, &map, crop).unwrap_err();
        assert!(matches!(e, mnp_suite::Error::Image { .. }));
        let text = e.to_string();
        assert!(text.starts_with("seg.nii.gz: "), "{text}");
        text
    };
    // No tumor voxel.
    let e = named(Array3::from_elem((8, 8, 8), HEALTHY_LABEL), &crop);
    assert!(
        e.contains("no voxel of tumor label") && e.contains("[1]"),
        "{e}"
    );
    // A tumor touching the edge.
    let mut edge = Array3::from_elem((12, 12, 12), HEALTHY_LABEL);
    edge[[5, 5, 11]] = TUMOR_LABEL;
    assert!(named(edge, &crop).contains("touches the edge"));
    // A margin wider than the image around the tumor.
    let e = named(
        phantom.labels().clone(),
        &CropSettings::default().with_margin_mm(12.0).unwrap(),
    );
    assert!(
        e.contains("larger than the image") && e.contains("12 mm"),
        "{e}"
    );
    // A sheared voxel grid.
    let sheared = Affine::new([
        [1.0, 0.3, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
    ])
    .unwrap();
    let v = LabelVolume::new(phantom.labels().clone(), sheared, "seg.nii.gz").unwrap();
    assert!(
        Anatomy::new(&v, &map, &crop)
            .unwrap_err()
            .to_string()
            .contains("sheared")
    );
    // Bad crop settings and strategies.
    assert!(CropSettings::default().with_margin_mm(-1.0).is_err());
    assert!(CropSettings::default().with_cell_mm(Some(0.0)).is_err());
    assert!(PrincipalAxes::new(3).is_err());
    assert!(PatientSites::new(vec![([0.0, f64::NAN, 0.0], 1.0)]).is_err());
    assert!(PatientSites::new(vec![([0.0; 3], 0.0)]).is_err());
    // A user's site outside the solved box: refused when the problem is
    // built, naming the site in patient mm.
    let anatomy = Arc::new(
        Anatomy::new(
            &phantom,
            &map,
            &CropSettings::default().with_margin_mm(3.0).unwrap(),
        )
        .unwrap(),
    );
    let far = phantom.affine().voxel_to_patient([1.0, 1.0, 1.0]);
    let sites = PatientSites::new(vec![(far, 1.0)]).unwrap();
    let e = PatientProblem::new(anatomy.clone(), Arc::new(sites), PatientSettings::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("site 1") && e.contains("outside the solved box"),
        "{e}"
    );
}

#[test]
fn sites_leaving_the_box_are_infeasible_for_the_swarm() {
    // A cuboid tumor 20 voxels long in x and a margin of one voxel: its
    // semi-axis a = √(5/12)·20 mm = 12.9 mm reaches past its ends (10 mm)
    // and out of the box (11 mm); the swarm sees such a plan as
    // infeasible, by its distance (mm).
    let labels = Array3::from_shape_fn((30, 16, 16), |(i, j, k)| {
        if (5..25).contains(&i) && (6..10).contains(&j) && (6..10).contains(&k) {
            TUMOR_LABEL
        } else {
            HEALTHY_LABEL
        }
    });
    let volume =
        LabelVolume::new(labels, Affine::from_spacing([1.0; 3]).unwrap(), "cuboid").unwrap();
    let crop = CropSettings::default().with_margin_mm(1.0).unwrap();
    let anatomy = Arc::new(Anatomy::new(&volume, &healthy_and_tumor(), &crop).unwrap());
    assert_abs_diff_eq!(
        anatomy.geometry().semi_axes[0],
        (5.0f64 / 12.0).sqrt() * 20e-3,
        epsilon = 1e-6
    );
    let p = PatientProblem::new(
        anatomy,
        Arc::new(PrincipalAxes::new(2).unwrap()),
        PatientSettings::default(),
    )
    .unwrap();
    // The sites at ±12.91 mm from the centre, the box's faces at ±11 mm.
    let out = p.volume_fraction_excess(&[0.5, 0.5, 1.0]).unwrap();
    assert_abs_diff_eq!(out, (5.0f64 / 12.0).sqrt() * 20.0 - 11.0, epsilon = 1e-3);
    assert!(
        p.evaluate(&[0.5, 0.5, 1.0], &mut PatientWorkspace::default())
            .is_err()
    );
    assert!(p.volume_fraction_excess(&[0.5, 0.5, 0.5]).unwrap() < 0.0);
}
