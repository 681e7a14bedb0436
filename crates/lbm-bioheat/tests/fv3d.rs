//! The 3D finite volumes: a heated sphere against its closed form, a 2D
//! problem extruded in z against the 2D solver, the shared solver's
//! second order, and 3D bad input.

use lbm_bioheat::analytic::sphere_source;
use lbm_bioheat::probe::{region_stats, trilinear};
use lbm_bioheat::{
    BioheatError, Boundary, ConstantPerfusion, Face, FvConfig, FvSolver, Grid, Grid3,
    HealthyTissuePerfusion, PennesProblem, Shape, Shape3, Side, SteadySolver, TumorPerfusion,
};
use ndarray::{Array3, Axis};

/// The heated sphere of docs/VALIDATION.md: R = 8 mm, Q = 4·10⁵ W/m³,
/// k = 0.5 W/(m·K), W = 2·10⁴ W/(m³·K), in a 64 mm cube held at 37 °C.
/// Returns the error (K) at the eight cells around the centre (mean of
/// computed − closed form at their centres).
fn sphere_centre_error(n: usize) -> f64 {
    let (radius, q, k, w) = (8e-3, 4e5, 0.5, 2e4);
    let grid = Grid3::centered_cube(n, 0.064).unwrap();
    let sphere = Shape3::sphere([0.0; 3], radius).unwrap();
    let heat = sphere.volume_fractions(&grid, 12).unwrap() * q;
    let mut builder = PennesProblem::builder(grid, "tissue", ConstantPerfusion(5.0))
        .blood(37.0, 4000.0)
        .tissue(4e6, k)
        .heat_source(heat);
    for face in Face::ALL {
        builder = builder.boundary(face, Boundary::Temperature(37.0));
    }
    let problem = builder.build().unwrap();
    let config = FvConfig::default().with_tolerance(1e-9).unwrap();
    let t = FvSolver::new(problem, config)
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    let mut error = 0.0;
    for i in n / 2 - 1..=n / 2 {
        for j in n / 2 - 1..=n / 2 {
            for l in n / 2 - 1..=n / 2 {
                let r = grid
                    .centre(i, j, l)
                    .iter()
                    .map(|c| c * c)
                    .sum::<f64>()
                    .sqrt();
                error += t[[i, j, l]] - (37.0 + sphere_source(r, radius, q, w, k));
            }
        }
    }
    error / 8.0
}

#[test]
fn heated_sphere_matches_its_closed_form_at_second_order() {
    let (coarse, fine) = (sphere_centre_error(24), sphere_centre_error(48));
    // Centre excess ≈ 9.5 K: within 0.05 K on 48³ cells of 1.33 mm.
    eprintln!("sphere errors: 24³ {coarse:.5} K, 48³ {fine:.5} K");
    assert!(fine.abs() < 0.05, "48³: error {fine} K");
    let order = (coarse / fine).abs().log2();
    assert!(
        (1.8..=2.3).contains(&order),
        "errors {coarse} {fine}: order {order}"
    );
}

/// A nonlinear 2D problem with a jump in k and (ρc), a convective and a
/// fixed-temperature wall.
fn problem_2d() -> PennesProblem {
    let grid = Grid::new(23, 17, 1e-3, -0.011, -0.008).unwrap();
    let heat = grid.field(|x, y| 3e5 * (-(x * x + y * y) / (2.0 * 3e-3f64.powi(2))).exp());
    let k = grid.field(|x, _| if x > 0.002 { 0.6 } else { 0.45 });
    let rc = grid.field(|_, y| if y > 0.0 { 3.6e6 } else { 4.1e6 });
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region(
            "tumor",
            &Shape::circle(0.0, 0.0, 4e-3).unwrap(),
            TumorPerfusion,
        )
        .properties(rc, k)
        .heat_source(heat)
        .boundary(
            Side::North,
            Boundary::Convective {
                h: 20.0,
                ambient_c: 22.0,
            },
        )
        .boundary(Side::West, Boundary::Temperature(36.0))
        .build()
        .unwrap()
}

/// `field` repeated `nz` times along z.
fn extrude<T: Clone>(field: &ndarray::Array2<T>, nz: usize) -> Array3<T> {
    let (nx, ny) = field.dim();
    Array3::from_shape_fn((nx, ny, nz), |(i, j, _)| field[[i, j]].clone())
}

#[test]
fn extruded_problem_reproduces_the_2d_solution() {
    let p2 = problem_2d();
    let tight = FvConfig::default()
        .with_tolerance(1e-11)
        .unwrap()
        .with_linear_tolerance(1e-12, 500)
        .unwrap();
    let t2 = FvSolver::new(p2.clone(), tight)
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    let g2 = *p2.grid();
    let nz = 4;
    let g3 = Grid3::new(
        [g2.nx(), g2.ny(), nz],
        [g2.dx(); 3],
        [g2.x0(), g2.y0(), 0.0],
    )
    .unwrap();
    let labels = extrude(p2.labels(), nz);
    let p3 = PennesProblem::builder(g3, "healthy", HealthyTissuePerfusion)
        .region_label("tumor", &labels, 1u8, TumorPerfusion)
        .properties(
            extrude(p2.heat_capacity(), nz),
            extrude(p2.conductivity(), nz),
        )
        .heat_source(extrude(p2.heat_source(), nz))
        .boundary(Face::North, p2.boundary(Side::North))
        .boundary(Face::West, p2.boundary(Side::West))
        .build()
        .unwrap();
    let t3 = FvSolver::new(p3, tight)
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    let mut worst: f64 = 0.0;
    for layer in t3.axis_iter(Axis(2)) {
        for (a, b) in layer.iter().zip(&t2) {
            worst = worst.max((a - b).abs());
        }
    }
    assert!(worst <= 1e-6, "max |T3 − T2| = {worst} °C");
    // And the solution is not trivial: the tumor is heated.
    assert!(t2.iter().cloned().fold(0.0, f64::max) > 40.0);
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
