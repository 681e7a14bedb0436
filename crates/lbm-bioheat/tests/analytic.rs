//! The closed forms themselves: Bessel functions and the slab series.

use approx::assert_relative_eq;
use lbm_bioheat::analytic::{Slab1d, bessel_i, bessel_k, disk_source, gaussian_hill};

#[test]
fn bessel_functions_match_tables_and_the_wronskian() {
    // Abramowitz & Stegun, Table 9.8 values.
    assert_relative_eq!(bessel_i(0, 1.0), 1.266065877752008, max_relative = 1e-13);
    assert_relative_eq!(bessel_i(1, 1.0), 0.565159103992485, max_relative = 1e-13);
    assert_relative_eq!(bessel_k(0, 1.0), 0.421024438240708, max_relative = 1e-12);
    assert_relative_eq!(bessel_k(1, 1.0), 0.601907230197235, max_relative = 1e-12);
    assert_relative_eq!(bessel_i(0, 2.0), 2.279585302336067, max_relative = 1e-13);
    assert_relative_eq!(bessel_k(0, 0.5), 0.924419071227666, max_relative = 1e-12);
    assert_relative_eq!(bessel_k(1, 3.0), 0.040156431128194, max_relative = 1e-11);
    // I0 K1 + I1 K0 = 1/x exactly.
    for x in [0.01, 0.3, 1.7, 5.0, 12.0, 40.0] {
        let w = bessel_i(0, x) * bessel_k(1, x) + bessel_i(1, x) * bessel_k(0, x);
        assert_relative_eq!(w, 1.0 / x, max_relative = 1e-12);
    }
}

#[test]
fn slab_series_starts_uniform_and_ends_steady() {
    let s = Slab1d::zhang_2008();
    assert_relative_eq!(s.equilibrium(), 37.0 + 400.0 / 399.76, max_relative = 1e-14);
    // The series at small t reproduces the uniform start away from the wall.
    assert_relative_eq!(s.transient(0.0, 1.0), s.equilibrium(), max_relative = 1e-9);
    assert_relative_eq!(s.transient(0.0, 1e7), s.steady(0.0), max_relative = 1e-12);
    assert_relative_eq!(s.steady(0.04), 30.0, max_relative = 1e-14);
    // Zhang 2008's LBM values at x = 0 agree with the exact series to 2e-3 °C.
    for (t, zhang) in [
        (300.0, 38.00054),
        (1000.0, 37.83182),
        (3000.0, 36.09737),
        (10000.0, 33.68265),
    ] {
        assert!(
            (s.transient(0.0, t) - zhang).abs() < 2e-3,
            "t = {t}: {}",
            s.transient(0.0, t)
        );
    }
    assert!((s.steady(0.0) - 33.32401).abs() < 2e-3, "{}", s.steady(0.0));
}

#[test]
fn disk_and_hill_limits() {
    // Continuity at the disk edge and the deep-inside limit q0/W.
    let (r0, q0, w, k) = (5e-3, 1e5, 1.5e4, 0.5);
    assert_relative_eq!(
        disk_source(r0 * (1.0 - 1e-12), r0, q0, w, k),
        disk_source(r0 * (1.0 + 1e-12), r0, q0, w, k),
        max_relative = 1e-9
    );
    assert_relative_eq!(disk_source(0.0, 1.0, q0, w, k), q0 / w, max_relative = 1e-9);
    // Gaussian hill: mass A·2πσ² decays as exp(−βt).
    let m0 = gaussian_hill(0.0, 0.0, 2.0, 1e-3, 1e-7, 1e-3) * 1e-6;
    let m1 = gaussian_hill(0.0, 100.0, 2.0, 1e-3, 1e-7, 1e-3) * (1e-6 + 2e-7 * 100.0);
    assert_relative_eq!(m1 / m0, (-0.1f64).exp(), max_relative = 1e-14);
}
