//! Mixture properties (Eqs. 2a, 2b) and injection clouds (Eqs. 5–8, 11).

use approx::assert_relative_eq;
use mnp_physics::{
    CellGrid, GaussianSite, InjectionCloud, InjectionPlan, InjectionReference, Material, Nanofluid,
    NormalizedInjection, mass_diffusivity_from_lewis, maxwell_conductivity, mixture_heat_capacity,
};

#[test]
fn maxwell_endpoints_and_bounds() {
    let (kt, kp) = (0.5, 6.0);
    assert_relative_eq!(
        maxwell_conductivity(0.0, kt, kp).unwrap(),
        kt,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        maxwell_conductivity(1.0, kt, kp).unwrap(),
        kp,
        max_relative = 1e-15
    );
    let mut last = kt;
    for i in 1..100 {
        let k = maxwell_conductivity(i as f64 / 100.0, kt, kp).unwrap();
        assert!(k > last && k < kp);
        last = k;
    }
    // Dilute limit: k ≈ k_t (1 + 3φ (k_p − k_t)/(k_p + 2k_t)).
    let phi = 1e-6;
    assert_relative_eq!(
        maxwell_conductivity(phi, kt, kp).unwrap(),
        kt * (1.0 + 3.0 * phi * (kp - kt) / (kp + 2.0 * kt)),
        max_relative = 1e-11
    );
}

#[test]
fn mixture_heat_capacity_is_linear() {
    let (t, p) = (Material::tissue_table1(), Material::magnetite_table1());
    assert_relative_eq!(mixture_heat_capacity(0.0, &t, &p).unwrap(), 1052.0 * 3800.0);
    assert_relative_eq!(mixture_heat_capacity(1.0, &t, &p).unwrap(), 5200.0 * 670.0);
    assert_relative_eq!(
        mixture_heat_capacity(0.25, &t, &p).unwrap(),
        0.25 * 5200.0 * 670.0 + 0.75 * 1052.0 * 3800.0
    );
    let props = Nanofluid::table1().properties(0.0).unwrap();
    assert_relative_eq!(
        props.thermal_diffusivity(),
        0.5 / (1052.0 * 3800.0),
        max_relative = 1e-15
    );
}

#[test]
fn lewis_number_gives_the_papers_diffusivity() {
    let alpha = Material::tissue_table1().thermal_diffusivity();
    let d = mass_diffusivity_from_lewis(alpha, 125.0).unwrap();
    assert_relative_eq!(d, 1.0006003602161297e-09, max_relative = 1e-12);
    assert_eq!(d, InjectionReference::paper().diffusivity());
    // Jiang et al. 2022, §2.2: sqrt(2 D · 20 min) ≈ σ0 = 1.55 mm.
    assert_relative_eq!((2.0 * d * 1200.0).sqrt(), 1.55e-3, max_relative = 1e-3);
}

/// ∫φ_i dA = V_i: the cell-centre sum of a Gaussian converges spectrally, so
/// a grid with dx = σ/10 already gives machine-level agreement.
#[test]
fn cloud_mass_equals_injected_volume() {
    let grid = CellGrid::centered_square(400, 0.05).unwrap();
    let a = GaussianSite::new(1.0e-3, -0.5e-3, 0.3e-6, 1.2e-3).unwrap();
    let b = GaussianSite::new(-2.0e-3, 2.5e-3, 0.1e-6, 0.8e-3).unwrap();
    let cloud = InjectionCloud::new(vec![a, b]);
    let phi = cloud.evaluate(&grid);
    let mass = phi.sum() * grid.cell_area();
    assert_relative_eq!(mass, 0.4e-6, max_relative = 1e-10);
    assert_relative_eq!(cloud.total_volume(), 0.4e-6, max_relative = 1e-15);
}

#[test]
fn grid_evaluation_matches_pointwise_superposition() {
    let grid = CellGrid::new(7, 5, 1e-3, 2e-3, -3e-3, -4e-3).unwrap();
    let cloud = InjectionCloud::new(vec![
        GaussianSite::new(0.0, 0.0, 1e-6, 1e-3).unwrap(),
        GaussianSite::new(1e-3, -1e-3, 2e-6, 2e-3).unwrap(),
    ]);
    let phi = cloud.evaluate(&grid);
    assert_eq!(phi.dim(), (7, 5));
    for i in 0..7 {
        for j in 0..5 {
            let (x, y) = (grid.x(i), grid.y(j));
            assert_relative_eq!(
                phi[[i, j]],
                cloud.volume_fraction(x, y).unwrap(),
                max_relative = 1e-13
            );
        }
    }
    assert_relative_eq!(grid.x(0), -2.5e-3);
    assert_relative_eq!(grid.y(4), 5e-3);
}

/// Cell means hold the whole volume even for a cloud narrower than a cell
/// (where point values miss it), agree with a fine midpoint average, and
/// tend to the point values when σ ≫ dx.
#[test]
fn cell_averages_conserve_volume_and_match_quadrature() {
    // σ = 0.36 mm on 0.5 mm cells (Table 2's eight-site optimum at 100²),
    // the site off the cell centres.
    let grid = CellGrid::centered_square(40, 0.02).unwrap();
    let site = GaussianSite::new(0.13e-3, -0.21e-3, 0.047e-6, 0.36e-3).unwrap();
    let cloud = InjectionCloud::new(vec![site]);
    let mean = cloud.evaluate_cell_average(&grid);
    assert_relative_eq!(
        mean.sum() * grid.cell_area(),
        0.047e-6,
        max_relative = 1e-13
    );
    // Midpoint rule on 64 × 64 sub-cells per cell.
    let m = 64;
    let fine = CellGrid::new(
        40 * m,
        40 * m,
        grid.dx() / m as f64,
        grid.dy() / m as f64,
        -0.01,
        -0.01,
    )
    .unwrap();
    let f = cloud.evaluate(&fine);
    let peak = mean.iter().copied().fold(0.0, f64::max);
    for i in 16..24 {
        for j in 16..24 {
            let mut acc = 0.0;
            for a in 0..m {
                for b in 0..m {
                    acc += f[[i * m + a, j * m + b]];
                }
            }
            let quad = acc / (m * m) as f64;
            assert!(
                (mean[[i, j]] - quad).abs() <= 1e-4 * peak,
                "cell ({i}, {j}): {} vs {quad}",
                mean[[i, j]]
            );
        }
    }
    // Far tails stay accurate (no 1 − erf cancellation) and positive.
    assert!(mean[[0, 0]] >= 0.0 && mean[[39, 39]] >= 0.0);
    assert!(mean[[28, 20]] > 0.0 && mean[[28, 20]] < 1e-20 * peak);
    // Wide cloud: mean − point value = (dx²/24)∇²φ + O(dx⁴), at most
    // dx²/(12σ²) = 1.3e-3 of the peak here.
    let wide = InjectionCloud::new(vec![GaussianSite::new(0.0, 0.0, 1e-6, 4e-3).unwrap()]);
    let (pm, pp) = (wide.evaluate_cell_average(&grid), wide.evaluate(&grid));
    let peak = pp.iter().copied().fold(0.0, f64::max);
    let worst = pm
        .iter()
        .zip(&pp)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1.4e-3 * peak && worst >= 1e-4 * peak, "{worst}");
}

/// Eq. 5 at time t equals Eq. 6 with σ² = 2Dt, and spreading adds 2D·dt.
#[test]
fn diffusion_and_spreading() {
    let d = 1e-9;
    let s = GaussianSite::from_diffusion(0.0, 0.0, 1e-6, d, 600.0).unwrap();
    assert_relative_eq!(s.sigma().powi(2), 2.0 * d * 600.0, max_relative = 1e-14);
    let later = s.spread(d, 600.0).unwrap();
    assert_relative_eq!(
        later.sigma().powi(2),
        2.0 * d * 1200.0,
        max_relative = 1e-14
    );
    assert_eq!(later.volume(), s.volume());
    // Eq. 5 directly: Φ = V/(4πDt) exp(−r²/(4Dt)).
    let (t, r2) = (1200.0, 1e-6f64);
    let eq5 = 1e-6 / (4.0 * std::f64::consts::PI * d * t) * (-r2 / (4.0 * d * t)).exp();
    assert_relative_eq!(
        later.volume_fraction(1e-3, 0.0).unwrap(),
        eq5,
        max_relative = 1e-13
    );
}

/// Eq. 8 has peak k_φ φ0/(2πσ0²), whatever k_σ.
#[test]
fn normalized_site_matches_eq8() {
    let r = InjectionReference::paper();
    let k = NormalizedInjection::new(0.6, 0.4, 0.5).unwrap();
    let s = r.site(&k, 0.0, 0.0).unwrap();
    let peak = 0.6 * 1.25e-6 / (2.0 * std::f64::consts::PI * 1.55e-3f64.powi(2));
    assert_relative_eq!(s.peak_volume_fraction(), peak, max_relative = 1e-14);
    assert_relative_eq!(s.sigma(), 0.4 * 1.55e-3, max_relative = 1e-15);
    assert_relative_eq!(s.volume(), 0.16 * 0.6 * 1.25e-6, max_relative = 1e-15);
}

/// Table 2's waiting times follow from the k_σ quoted in §3.1
/// (0.93 one-site, 0.23 eight-site) through Eq. 11a.
#[test]
fn table2_waiting_times_from_k_sigma() {
    let r = InjectionReference::paper();
    let one = r
        .plan(1, &NormalizedInjection::new(0.5, 0.93, 0.0).unwrap())
        .unwrap();
    assert_relative_eq!(one.waiting_time / 60.0, 17.3, max_relative = 0.005);
    let eight = r
        .plan(8, &NormalizedInjection::new(0.5, 0.23, 0.6).unwrap())
        .unwrap();
    // k_σ is quoted to 2 digits: 0.23 ↔ 1.06 min; Table 2 says 1.1.
    assert!((eight.waiting_time / 60.0 - 1.1).abs() < 0.06);
}

/// plan → normalize → plan returns the same numbers (t_opt round trip),
/// checked on Table 2's eight-site optimum.
#[test]
fn plan_round_trip() {
    let r = InjectionReference::paper();
    let table2 = InjectionPlan {
        waiting_time: 1.1 * 60.0,
        total_volume: 0.376e-6,
        distance: 2.82e-3,
    };
    let k = r.normalize(8, &table2).unwrap();
    let back = r.plan(8, &k).unwrap();
    assert_relative_eq!(back.waiting_time, table2.waiting_time, max_relative = 1e-13);
    assert_relative_eq!(back.total_volume, table2.total_volume, max_relative = 1e-13);
    assert_relative_eq!(back.distance, table2.distance, max_relative = 1e-13);
    assert_relative_eq!(k.k_d(), 2.82 / 4.5, max_relative = 1e-13);
    assert!(k.k_sigma() > 0.23 && k.k_sigma() < 0.24);
    // R_dose = 1 − (n k_φ k_σ²)^(1/3) = 1 − (V_opt/φ0)^(1/3): Table 2 gives 0.330.
    let r_dose = 1.0 - (8.0 * k.k_phi() * k.k_sigma().powi(2)).cbrt();
    assert_relative_eq!(r_dose, 0.330, max_relative = 0.005);
}

/// The layouts of Jiang et al. 2022 (§3.1–3.2, Table 4): circular sites on
/// a circle, balanced about the centre; elliptical sites on the axes and at
/// ±β; a layout's volume is Eq. 8's sum.
#[test]
fn injection_layouts() {
    use mnp_physics::layout::{InjectionLayout, circular_sites, elliptical_sites};
    let pts = circular_sites(5, 2e-3, 0.3);
    assert_eq!(pts.len(), 5);
    for &(x, y) in &pts {
        assert!(((x * x + y * y).sqrt() - 2e-3).abs() < 1e-15);
    }
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    assert!(sx.abs() < 1e-15 && sy.abs() < 1e-15);
    assert!((pts[0].1 - 2e-3 * 0.3f64.sin()).abs() < 1e-18);
    let e = elliptical_sites(8, 3e-3, 2e-3, 1e-3, 30.0).unwrap();
    assert_eq!(
        &e[..4],
        &[(3e-3, 0.0), (-3e-3, 0.0), (0.0, 2e-3), (0.0, -2e-3)]
    );
    assert!((e[4].0 - 1e-3 * 30f64.to_radians().cos()).abs() < 1e-18);
    assert!((e[4].1 - 0.5e-3).abs() < 1e-15);
    assert_eq!(
        elliptical_sites(1, 1.0, 1.0, 1.0, 0.0).unwrap(),
        [(0.0, 0.0)]
    );
    assert!(elliptical_sites(3, 1.0, 1.0, 1.0, 0.0).is_err());
    let r = InjectionReference::paper();
    let l =
        InjectionLayout::new(&r, 0.5, 0.8, &[(0.0, 0.0, 2.0), (1e-3, 0.0, 0.5)], vec![]).unwrap();
    assert!((l.dose_ratio - 2.5 * 0.64 * 0.5).abs() < 1e-12);
    let sum: f64 = l.cloud.sites().iter().map(|s| s.volume()).sum();
    assert!((sum - 2.5 * 0.64 * 0.5 * r.phi0()).abs() <= 1e-12 * sum);
    assert!(InjectionLayout::new(&r, f64::NAN, 0.8, &[(0.0, 0.0, 1.0)], vec![]).is_err());
    assert!(InjectionLayout::new(&r, 0.5, 0.0, &[(0.0, 0.0, 1.0)], vec![]).is_err());
    assert!(InjectionLayout::new(&r, 0.5, 0.8, &[(0.0, 0.0, -1.0)], vec![]).is_err());
}
