//! ε-SVR against scikit-learn 1.9.1 and exact cases.

use ml_regress::{Gamma, Kernel, Predict, RegressError, Regressor, SvrParams};
use ndarray::{Array1, Array2, array};

fn data() -> (Array2<f64>, Array1<f64>, Array2<f64>) {
    let x = Array2::from_shape_fn((30, 5), |(i, j)| {
        (i as f64 * (j + 1) as f64 * 0.7).sin() + 0.1 * j as f64
    });
    let y = x.dot(&array![2.0, -1.0, 0.0, 0.5, 0.0])
        + 1.5
        + Array1::from_shape_fn(30, |i| 0.1 * (3.0 * i as f64).cos());
    let xt = Array2::from_shape_fn((4, 5), |(i, j)| (i as f64 * (j + 2) as f64 * 0.3).cos());
    (x, y, xt)
}

/// scikit-learn 1.9.1: `SVR(tol=1e-9, **kw).fit(X, y)`: support count,
/// intercept, predictions at the four test rows. LIBSVM (inside
/// scikit-learn) keeps kernel values in 32-bit floats while we solve in f64.
#[test]
fn every_kernel_matches_scikit_learn() {
    let (x, y, xt) = data();
    let cases: [(Kernel, f64, f64, usize, f64, [f64; 4]); 4] = [
        (
            Kernel::Linear,
            2.0,
            0.1,
            6,
            1.5242993340747084,
            [
                2.9534954186884126,
                2.5930913834095115,
                2.0452608747497125,
                1.853219626194677,
            ],
        ),
        (
            Kernel::Poly {
                gamma: Gamma::Value(0.5),
                coef0: 1.0,
                degree: 3,
            },
            5.0,
            0.05,
            24,
            1.4881553152620346,
            [
                2.858473898453227,
                2.2167235546864412,
                1.3900033421471623,
                1.2998338642000893,
            ],
        ),
        (
            Kernel::Rbf {
                gamma: Gamma::Scale,
            },
            10.0,
            0.1,
            11,
            1.58076150303246,
            [
                2.056399533295783,
                2.519903576470557,
                1.7322515486544403,
                1.4790384945514465,
            ],
        ),
        (
            Kernel::Sigmoid {
                gamma: Gamma::Value(0.1),
                coef0: 0.5,
            },
            0.5,
            0.2,
            22,
            1.5557336696391229,
            [
                2.0907419923096136,
                1.9884819085201584,
                1.7931302593088345,
                1.5640925222022766,
            ],
        ),
    ];
    for (kernel, c, epsilon, n_sv, intercept, pred) in cases {
        let m = SvrParams {
            kernel,
            c,
            epsilon,
            tol: 1e-9,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
        let ours = m.predict(xt.view()).unwrap();
        // Measured: linear, RBF and sigmoid agree to 1e-7; the cubic kernel
        // (entries up to ~40) is ill-conditioned: scikit-learn's own answer
        // moves by 5e-5 between tol 1e-6 and 1e-9, and LIBSVM's 32-bit kernel
        // values leave us 1.2e-5 apart. All within the 1e-3 asked for.
        let tol = if matches!(kernel, Kernel::Poly { .. }) {
            1e-4
        } else {
            1e-6
        };
        for (a, b) in ours.iter().zip(pred) {
            assert!((a - b).abs() < tol * b.abs(), "{kernel:?}: {a} vs {b}");
        }
        assert!(
            (m.intercept - intercept).abs() < tol,
            "{kernel:?}: intercept {} vs {intercept}",
            m.intercept
        );
        assert_eq!(m.support.len(), n_sv, "{kernel:?}");
    }
    // γ = "scale": 1/(p · Var(X)).
    let m = SvrParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    assert!((m.gamma() - 0.4007732116390954).abs() < 1e-12);
}

#[test]
fn exact_cases() {
    let (x, y, _) = data();
    // ε wider than the target's range: no support vector, a constant prediction.
    let range = y.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - y.iter().cloned().fold(f64::INFINITY, f64::min);
    let m = SvrParams {
        epsilon: range,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    assert!(m.support.is_empty());
    let p = m.predict(x.view()).unwrap();
    assert!(p.iter().all(|v| (v - p[0]).abs() < 1e-12));
    // RBF with a huge C and ε = 0 interpolates its training points.
    let m = SvrParams {
        kernel: Kernel::Rbf {
            gamma: Gamma::Value(2.0),
        },
        c: 1e6,
        epsilon: 0.0,
        tol: 1e-10,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let p = m.predict(x.view()).unwrap();
    for (a, b) in p.iter().zip(&y) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
}

#[test]
fn bad_hyper_parameters() {
    let bad = |p: SvrParams| p.check().unwrap_err();
    assert!(matches!(
        bad(SvrParams {
            c: 0.0,
            ..Default::default()
        }),
        RegressError::InvalidParameter { name: "C", .. }
    ));
    assert!(matches!(
        bad(SvrParams {
            epsilon: -0.1,
            ..Default::default()
        }),
        RegressError::InvalidParameter { .. }
    ));
    assert!(matches!(
        bad(SvrParams {
            kernel: Kernel::Rbf {
                gamma: Gamma::Value(-1.0)
            },
            ..Default::default()
        }),
        RegressError::InvalidParameter { name: "gamma", .. }
    ));
    assert!(matches!(
        bad(SvrParams {
            kernel: Kernel::Poly {
                gamma: Gamma::Auto,
                coef0: 0.0,
                degree: 0
            },
            ..Default::default()
        }),
        RegressError::InvalidParameter { name: "degree", .. }
    ));
}

/// Fitted models survive a JSON round trip (feature `serde`, which the
/// workspace enables through the facade).
#[cfg(feature = "serde")]
#[test]
fn fitted_models_round_trip_through_json() {
    let (x, y, xt) = data();
    let m = SvrParams {
        kernel: Kernel::Poly {
            gamma: Gamma::Scale,
            coef0: 1.0,
            degree: 2,
        },
        c: 3.0,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let back: ml_regress::SvrModel =
        serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
    assert_eq!(
        back.predict(xt.view()).unwrap(),
        m.predict(xt.view()).unwrap()
    );
    let en = ml_regress::ElasticNetParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    let back: ml_regress::ElasticNetModel =
        serde_json::from_str(&serde_json::to_string(&en).unwrap()).unwrap();
    assert_eq!(back, en);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    /// Predictions do not depend on the order of the training rows (to the
    /// solver's tolerance: SMO's working-set ties may resolve differently).
    #[test]
    fn invariant_to_row_order(perm_seed in proptest::prelude::any::<u64>()) {
        let (x, y, xt) = data();
        let mut order: Vec<usize> = (0..30).collect();
        let mut s = perm_seed;
        for i in (1..30).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let svr = SvrParams { kernel: Kernel::Rbf { gamma: Gamma::Value(0.4) }, c: 10.0, tol: 1e-10, ..Default::default() }.check().unwrap();
        let a = svr.fit(x.view(), y.view()).unwrap().predict(xt.view()).unwrap();
        let xs = x.select(ndarray::Axis(0), &order);
        let ys = y.select(ndarray::Axis(0), &order);
        let b = svr.fit(xs.view(), ys.view()).unwrap().predict(xt.view()).unwrap();
        for (p, q) in a.iter().zip(&b) {
            proptest::prop_assert!((p - q).abs() < 1e-7, "{} vs {}", p, q);
        }
    }
}

/// The kernel cache changes the time, never the answer: the least-recently
/// used cache at its floor of two rows (nearly every access a miss and an
/// eviction) gives the same bits as the whole precomputed matrix, for every
/// kernel; a cache size ≤ 0 is refused.
#[test]
fn kernel_cache_size_does_not_change_the_model() {
    let x = Array2::from_shape_fn((120, 4), |(i, j)| {
        ((i * 7 + j * 3) as f64 * 0.37).sin() + 0.2 * j as f64
    });
    let y = Array1::from_shape_fn(120, |i| (i as f64 * 0.11).sin() * 3.0 + 0.05 * i as f64);
    let kernels = [
        Kernel::Linear,
        Kernel::Poly {
            gamma: Gamma::Scale,
            coef0: 1.0,
            degree: 2,
        },
        Kernel::Rbf {
            gamma: Gamma::Scale,
        },
        Kernel::Sigmoid {
            gamma: Gamma::Value(0.05),
            coef0: 0.0,
        },
    ];
    for kernel in kernels {
        let fit = |cache_mb: f64| {
            SvrParams {
                kernel,
                c: 5.0,
                epsilon: 0.05,
                cache_mb,
                ..Default::default()
            }
            .check()
            .unwrap()
            .fit(x.view(), y.view())
            .unwrap()
        };
        // 2 rows of 120 × 8 B are 1 920 B: 1e-6 MB rounds up to that floor.
        let (small, large) = (fit(1e-6), fit(200.0));
        assert_eq!(small.iterations, large.iterations, "{kernel:?}");
        assert_eq!(small.support, large.support, "{kernel:?}");
        assert_eq!(
            small.intercept.to_bits(),
            large.intercept.to_bits(),
            "{kernel:?}"
        );
        for (a, b) in small.dual_coef.iter().zip(&large.dual_coef) {
            assert_eq!(a.to_bits(), b.to_bits(), "{kernel:?}");
        }
        assert!(large.iterations > 10, "{kernel:?}: a trivial problem");
    }
    for bad in [0.0, -1.0, f64::NAN] {
        let err = SvrParams {
            cache_mb: bad,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        assert!(
            matches!(
                err,
                RegressError::InvalidParameter {
                    name: "cache_mb",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

/// Shrinking reaches the same optimum: with a tight tolerance the models
/// with and without it predict the same values to 1e-6, while it held out
/// most bound variables.
#[test]
fn shrinking_reaches_the_same_model() {
    let (n, p) = (400usize, 3usize);
    let x = Array2::from_shape_fn((n, p), |(i, j)| ((i * (j + 2)) as f64 * 0.013).sin());
    let y = Array1::from_shape_fn(n, |i| {
        (i as f64 * 0.05).sin() + 0.3 * ((i * 7919) % 13) as f64 / 13.0
    });
    for kernel in [
        Kernel::Linear,
        Kernel::Rbf {
            gamma: Gamma::Value(2.0),
        },
    ] {
        let fit = |shrinking: bool| {
            SvrParams {
                kernel,
                c: 0.5,
                epsilon: 0.05,
                tol: 1e-9,
                shrinking,
                ..Default::default()
            }
            .check()
            .unwrap()
            .fit(x.view(), y.view())
            .unwrap()
        };
        let (with, without) = (fit(true), fit(false));
        let (pw, po) = (
            with.predict(x.view()).unwrap(),
            without.predict(x.view()).unwrap(),
        );
        let worst = pw
            .iter()
            .zip(&po)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{kernel:?}: iterations {} with shrinking ({} of {} variables held out at most), {} without; max |dpred| {worst:.1e}",
            with.iterations,
            with.max_inactive,
            2 * n,
            without.iterations
        );
        assert!(worst < 1e-6, "{kernel:?}: {worst}");
        assert_eq!(without.max_inactive, 0);
        assert!(
            with.max_inactive > n / 4,
            "{kernel:?}: {}",
            with.max_inactive
        );
    }
}
