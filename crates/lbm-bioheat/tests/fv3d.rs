//! The 3D finite volumes: a heated sphere against its closed form, a 2D
//! problem extruded in z against the 2D solver, the shared solver's
//! second order, and 3D bad input.

use lbm_bioheat::output::{vti_string, write_csv};
use lbm_bioheat::probe::{region_stats, trilinear};
use lbm_bioheat::validation3d::{extruded, extrusion_max_diff, extrusion_problem, heated_sphere};
use lbm_bioheat::{
    BioheatError, Boundary, Face, FvConfig, FvSolver, FvSolver3, Grid3, HealthyTissuePerfusion,
    PennesProblem, PennesProblem3, Shape3, Side, TumorPerfusion,
};
use ndarray::Array3;

fn fv(tolerance: f64) -> impl Fn(PennesProblem3) -> lbm_bioheat::Result<FvSolver3> {
    move |p| FvSolver::new(p, FvConfig::default().with_tolerance(tolerance)?)
}

#[test]
fn heated_sphere_matches_its_closed_form_at_second_order() {
    let coarse = heated_sphere(24, fv(1e-9)).unwrap();
    let fine = heated_sphere(48, fv(1e-9)).unwrap();
    let (e1, e2) = (coarse.centre_cells_error_c, fine.centre_cells_error_c);
    eprintln!("sphere errors: 24³ {e1:.5} K, 48³ {e2:.5} K");
    // Centre excess 9.50 K: within 0.05 K on 48³ cells of 1.33 mm.
    assert!((fine.tc_exact_c - 46.5).abs() < 0.01, "{fine:?}");
    assert!(e2.abs() < 0.05 && fine.max_error_c < 0.1, "{fine:?}");
    // The trilinear probe between the eight centre cells adds the
    // curvature's interpolation error, θ''·3dx²/8 ≈ −0.09 K here.
    assert!((fine.tc_c - fine.tc_exact_c).abs() < 0.15, "{fine:?}");
    let order = (e1 / e2).abs().log2();
    assert!(
        (1.8..=2.3).contains(&order),
        "errors {e1} {e2}: order {order}"
    );
}

#[test]
fn extruded_problem_reproduces_the_2d_solution() {
    let tight = FvConfig::default()
        .with_tolerance(1e-11)
        .unwrap()
        .with_linear_tolerance(1e-12, 500)
        .unwrap();
    let p = extrusion_problem().unwrap();
    let worst = extrusion_max_diff(
        &p,
        4,
        |p| FvSolver::new(p, tight),
        |p| FvSolver::new(p, tight),
    )
    .unwrap();
    assert!(worst <= 1e-6, "max |T3 − T2| = {worst} °C");
    // The extruded problem carries the regions and walls over.
    let p3 = extruded(&p, 4).unwrap();
    assert_eq!(p3.regions().len(), 2);
    assert_eq!(p3.boundary(Face::North), p.boundary(Side::North));
    assert_eq!(p3.boundary(Face::Top), Boundary::Adiabatic);
    // Perfusion per cell, the same in 2D and in every layer of 3D.
    let w = p.perfusion_at((11, 8), 44.0).unwrap();
    assert_eq!(p3.perfusion_at((11, 8, 2), 44.0).unwrap(), w);
    assert_eq!(w, p.perfusion_coefficient(11, 8, 44.0));
    assert!(p3.perfusion_at((11, 8, 4), 44.0).is_err());
    assert_eq!(
        p3.region_mask("tumor")
            .unwrap()
            .iter()
            .filter(|m| **m)
            .count(),
        4 * p
            .region_mask("tumor")
            .unwrap()
            .iter()
            .filter(|m| **m)
            .count()
    );
}

#[test]
fn probes_and_statistics_in_3d() {
    let grid = Grid3::new([4, 5, 6], [1e-3, 2e-3, 0.5e-3], [0.0, -0.005, 0.001]).unwrap();
    // Trilinear interpolation is exact on a trilinear field between centres.
    let f = grid.field(|x, y, z| 1.0 + 2.0 * x + 3.0 * y - 4.0 * z + 5e3 * x * z);
    let p = [1.7e-3, -1.2e-3, 2.3e-3];
    let v = trilinear(&grid, &f, p).unwrap();
    let exact = 1.0 + 2.0 * p[0] + 3.0 * p[1] - 4.0 * p[2] + 5e3 * p[0] * p[2];
    assert!((v - exact).abs() < 1e-12, "{v} vs {exact}");
    assert!(matches!(
        trilinear(&grid, &f, [0.0, 0.0, 0.0]),
        Err(BioheatError::OutsideDomain { .. })
    ));
    // VTK image data and CSV on the 3D grid: x fastest in the VTK array.
    let doc = vti_string(&grid, &[("t", &f)]).unwrap();
    assert!(doc.contains(r#"WholeExtent="0 4 0 5 0 6""#), "{doc}");
    assert!(doc.contains(r#"Spacing="0.001 0.002 0.0005""#), "{doc}");
    let values: Vec<f64> = doc
        .split("format=\"ascii\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(values.len(), 120);
    assert_eq!(values[1], f[[1, 0, 0]]);
    assert_eq!(values[4 * 5], f[[0, 0, 1]]);
    let path = std::env::temp_dir().join(format!("lbm-bioheat-3d-{}.csv", std::process::id()));
    write_csv(&path, &grid, &[("t", &f)]).unwrap();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["i", "j", "k", "x_m", "y_m", "z_m", "t"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 120);
    assert_eq!(rows[1].iter().take(3).collect::<Vec<_>>(), ["0", "0", "1"]);
    assert_eq!(rows[1][6].parse::<f64>().unwrap(), f[[0, 0, 1]]);
    std::fs::remove_file(&path).unwrap();
    let mask = f.mapv(|_| true);
    let stats = region_stats(&grid, &f, &mask).unwrap();
    assert_eq!(stats.cells, 120);
    assert!((stats.measure - 120.0 * 1e-9).abs() < 1e-20);
    // A box's volume fractions are exact: they sum to its volume.
    let cuboid = Shape3::cuboid([0.3e-3, -0.0041, 0.0013], [2.9e-3, 0.0037, 0.0031]).unwrap();
    let fractions = cuboid.volume_fractions(&grid, 1).unwrap();
    let volume = fractions.sum() * grid.cell_volume();
    assert!((volume - cuboid.volume()).abs() < 1e-12 * cuboid.volume() + 1e-24);
    // A sphere's, to the midpoint rule in the cut cells.
    let g = Grid3::centered_cube(20, 0.02).unwrap();
    let ball = Shape3::sphere([1e-4, -2e-4, 3e-4], 6e-3).unwrap();
    let v = ball.volume_fractions(&g, 16).unwrap().sum() * g.cell_volume();
    assert!((v / ball.volume() - 1.0).abs() < 2e-3, "{v}");
}

#[test]
fn bad_3d_input_is_refused_with_the_value() {
    assert_eq!(
        Grid3::new([8, 1, 8], [1e-3; 3], [0.0; 3]).unwrap_err(),
        BioheatError::LatticeTooSmall {
            axis: "ny",
            cells: 1,
            minimum: 2
        }
    );
    let grid = Grid3::centered_cube(6, 0.006).unwrap();
    let wrong = Array3::<u8>::zeros((6, 6, 5));
    match PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region_label("tumor", &wrong, 1, TumorPerfusion)
        .build()
        .unwrap_err()
    {
        BioheatError::ShapeMismatch {
            what,
            expected,
            found,
        } => {
            assert_eq!(what, "label volume");
            assert_eq!((expected, found), (vec![6, 6, 6], vec![6, 6, 5]));
        }
        e => panic!("{e:?}"),
    }
    // A label found in no cell: the region is empty.
    let labels = Array3::<u8>::zeros((6, 6, 6));
    assert_eq!(
        PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
            .region_label("tumor", &labels, 3, TumorPerfusion)
            .build()
            .unwrap_err(),
        BioheatError::EmptyRegion {
            region: "tumor".into()
        }
    );
    // A sphere between the cell centres: no cell.
    let tiny = Shape3::sphere([0.0; 3], 1e-5).unwrap();
    assert!(matches!(
        PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
            .region("tumor", &tiny, TumorPerfusion)
            .build(),
        Err(BioheatError::EmptyRegion { .. })
    ));
    // A bad value names its 3D cell.
    let mut k = grid.constant(0.5);
    k[[1, 2, 3]] = -1.0;
    let e = PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .properties(grid.constant(4e6), k)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("(1, 2, 3)"), "{e}");
}

/// A solve large enough for the parallel paths (the wavefront smoothing
/// split over row blocks, row loops, chunked Newton loops) gives the same
/// bits on pools of 1, 2 and 3 threads, and the solution is physical:
/// warmest at the centre, 37 °C nowhere exceeded downwards.
#[test]
fn the_parallel_solve_is_identical_on_any_thread_count() {
    use lbm_bioheat::SteadySolver;
    use lbm_bioheat::validation3d::nonlinear_tumor_problem;
    let problem = nonlinear_tumor_problem(64).unwrap();
    let solve = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
        pool.install(|| s.solve_steady(None).unwrap().temperature)
    };
    let one = solve(1);
    for threads in [2, 3] {
        let t = solve(threads);
        assert!(
            one.iter().zip(&t).all(|(a, b)| a.to_bits() == b.to_bits()),
            "1 and {threads} threads differ"
        );
    }
    let centre = one[[32, 32, 32]].max(one[[31, 31, 31]]);
    let max = one.iter().copied().fold(f64::MIN, f64::max);
    let min = one.iter().copied().fold(f64::MAX, f64::min);
    assert!(
        (centre - max).abs() < 1e-9 && max > 45.0 && max < 55.0,
        "max {max}"
    );
    assert!(min >= 37.0 - 1e-9, "min {min}");
}
