//! Gaussian clouds in 3D against their closed forms: the exact cell means
//! hold the whole volume, the point values are the formula, a z-integral
//! gives the paper's 2D site, diffusion adds 2Dt to σ², and the 3D site of
//! a plan has the 2D site's peak.

use approx::assert_relative_eq;
use mnp_physics::{
    CellGrid, CellGrid3, GaussianSite, GaussianSite3, InjectionCloud, InjectionCloud3,
    InjectionReference, NormalizedInjection, PhysicsError,
};
use std::f64::consts::PI;

#[test]
fn cell_means_hold_the_whole_volume_however_narrow_the_cloud() {
    // 36 mm cube of 1.5 mm cells; the clouds sit at least 8σ from a wall.
    let grid = CellGrid3::centered_cube(24, 0.036).unwrap();
    for sigma in [0.2e-3, 1e-3, 2e-3] {
        let cloud = InjectionCloud3::new(vec![
            GaussianSite3::new([0.3e-3, -1.1e-3, 0.7e-3], 2e-9, sigma).unwrap(),
            GaussianSite3::new([-2e-3, 2e-3, -1e-3], 1e-9, sigma).unwrap(),
        ]);
        let held: f64 = cloud.evaluate_cell_average(&grid).sum() * grid.cell_volume();
        assert_relative_eq!(held, 3e-9, max_relative = 1e-12);
    }
}

#[test]
fn point_values_are_the_formula() {
    let grid = CellGrid3::new([7, 5, 6], [1e-3, 0.8e-3, 1.2e-3], [-3e-3, -2e-3, -4e-3]).unwrap();
    let site = GaussianSite3::new([0.4e-3, -0.3e-3, 0.1e-3], 5e-10, 1.5e-3).unwrap();
    let field = InjectionCloud3::new(vec![site]).evaluate(&grid);
    let peak = 5e-10 / ((2.0 * PI).powf(1.5) * 1.5e-3f64.powi(3));
    assert_relative_eq!(site.peak_volume_fraction(), peak, max_relative = 1e-15);
    for ((i, j, k), &v) in field.indexed_iter() {
        let p = [grid.centre(0, i), grid.centre(1, j), grid.centre(2, k)];
        let r2: f64 = (0..3).map(|a| (p[a] - site.centre()[a]).powi(2)).sum();
        let exact = peak * (-r2 / (2.0 * 1.5e-3f64.powi(2))).exp();
        assert_relative_eq!(v, exact, max_relative = 1e-13);
        assert_relative_eq!(
            site.volume_fraction(p).unwrap(),
            exact,
            max_relative = 1e-13
        );
    }
}

#[test]
fn integrating_over_z_gives_the_two_dimensional_site() {
    // ∫ V/((2π)^{3/2}σ³) e^{−(r² + z²)/(2σ²)} dz = V/(2πσ²) e^{−r²/(2σ²)}:
    // the cell means summed along z (a z range holding the cloud) equal the
    // 2D cell means of the same V and σ.
    let (n, side, sigma, v) = (16, 0.016, 1.2e-3, 3e-9);
    let grid3 = CellGrid3::centered_cube(n, side).unwrap();
    let grid2 = CellGrid::centered_square(n, side).unwrap();
    let c3 = InjectionCloud3::new(vec![
        GaussianSite3::new([1e-3, -0.5e-3, 0.0], v, sigma).unwrap(),
    ]);
    let c2 = InjectionCloud::new(vec![GaussianSite::new(1e-3, -0.5e-3, v, sigma).unwrap()]);
    let f3 = c3.evaluate_cell_average(&grid3);
    let f2 = c2.evaluate_cell_average(&grid2);
    let dz = grid3.spacing()[2];
    for i in 0..n {
        for j in 0..n {
            let column: f64 = (0..n).map(|k| f3[[i, j, k]]).sum::<f64>() * dz;
            assert_relative_eq!(column, f2[[i, j]], max_relative = 1e-9, epsilon = 1e-300);
        }
    }
}

#[test]
fn diffusion_adds_two_d_t_to_the_variance_along_every_axis() {
    let (d, t) = (1e-9, 1200.0);
    let site = GaussianSite3::from_diffusion([0.0; 3], 1e-9, d, t).unwrap();
    assert_relative_eq!(site.sigma().powi(2), 2.0 * d * t, max_relative = 1e-14);
    let later = site.spread(d, 600.0).unwrap();
    assert_relative_eq!(
        later.sigma().powi(2),
        2.0 * d * 1800.0,
        max_relative = 1e-14
    );
    assert_eq!(later.volume(), site.volume());
    // The peak falls as σ⁻³: (1200/1800)^{3/2}.
    assert_relative_eq!(
        later.peak_volume_fraction() / site.peak_volume_fraction(),
        (1200.0f64 / 1800.0).powf(1.5),
        max_relative = 1e-13
    );
}

#[test]
fn a_plan_in_3d_keeps_the_two_dimensional_peak() {
    let reference = InjectionReference::paper();
    let k = NormalizedInjection::new(0.6839, 0.2345, 0.6267).unwrap();
    let s2 = reference.site(&k, 0.0, 0.0).unwrap();
    let s3 = reference.site_3d(&k, [0.0; 3]).unwrap();
    assert_relative_eq!(
        s3.peak_volume_fraction(),
        s2.peak_volume_fraction(),
        max_relative = 1e-13
    );
    assert_eq!(s3.sigma(), s2.sigma());
    let plan = reference.plan_3d(8, &k).unwrap();
    assert_relative_eq!(plan.total_volume, 8.0 * s3.volume(), max_relative = 1e-14);
    // φ0₃ = √(2π)·σ0·φ0 = √(2π)·1.55 mm·1.25 mm² ≈ 4.857 mm³.
    assert_relative_eq!(
        reference.phi0_3d() * 1e9,
        (2.0 * PI).sqrt() * 1.55 * 1.25,
        max_relative = 1e-14
    );
    assert_eq!(
        plan.waiting_time,
        reference.plan(8, &k).unwrap().waiting_time
    );
}

#[test]
fn bad_grids_and_sites_are_refused() {
    assert!(CellGrid3::new([0, 4, 4], [1e-3; 3], [0.0; 3]).is_err());
    assert!(CellGrid3::new([4; 3], [1e-3, -1e-3, 1e-3], [0.0; 3]).is_err());
    assert!(CellGrid3::new([4; 3], [1e-3; 3], [0.0, f64::NAN, 0.0]).is_err());
    let err = CellGrid3::new([1024, 1024, 1024], [1e-3; 3], [0.0; 3]).unwrap_err();
    assert!(err.to_string().contains("2^28"), "{err}");
    assert!(GaussianSite3::new([0.0, f64::INFINITY, 0.0], 1e-9, 1e-3).is_err());
    assert!(GaussianSite3::new([0.0; 3], -1e-9, 1e-3).is_err());
    assert!(GaussianSite3::new([0.0; 3], 1e-9, 0.0).is_err());
    assert!(GaussianSite3::new([0.0; 3], 1e-9, 1e-120).is_err());
    let site = GaussianSite3::new([0.0; 3], 1e-9, 1e-3).unwrap();
    assert!(site.spread(-1.0, 1.0).is_err());
    assert!(site.volume_fraction([f64::NAN, 0.0, 0.0]).is_err());
    // The parameter at fault is the one named.
    let name = |e: PhysicsError| match e {
        PhysicsError::InvalidParameter { name, .. } => name,
        other => panic!("{other:?}"),
    };
    let e = GaussianSite3::new([0.0; 3], 1e305, 1e-3).unwrap_err();
    assert!(name(e).contains("volume"));
    let e = GaussianSite3::new([0.0; 3], 1e-9, 1e-120).unwrap_err();
    assert!(name(e).contains("sigma"));
    // A spread that leaves f64's range is refused like a new site (in 2D
    // too), not a cloud whose volume vanishes from the cell means.
    for (d, dt) in [(1e300, 1e300), (1e200, 5e5)] {
        assert!(site.spread(d, dt).is_err(), "{d} {dt}");
    }
    let flat = GaussianSite::new(0.0, 0.0, 1e-6, 1e-3).unwrap();
    assert!(flat.spread(1e300, 1e300).is_err());
}
