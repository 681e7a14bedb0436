//! The LBM on 1D slabs against Zhang 2008 and the cosh profile.

use lbm_bioheat::validation::{cosh_profile, observed_orders, zhang_2008};
use lbm_bioheat::{LbmConfig, LbmSolver, TimeStep};

fn lbm(
    time_step: TimeStep,
    tolerance: f64,
) -> impl Fn(lbm_bioheat::PennesProblem) -> lbm_bioheat::Result<LbmSolver> {
    move |p| {
        let cfg = LbmConfig::default()
            .with_time_step(time_step)?
            .with_steady_tolerance(tolerance)?;
        LbmSolver::new(p, cfg)
    }
}

#[test]
fn zhang_2008_transient() {
    let r = zhang_2008(80, lbm(TimeStep::Seconds(0.25), 1e-9)).unwrap();
    // Our tolerance is 0.02 °C; the scheme does far better.
    assert!(r.max_error < 2e-3, "{r:?}");
    for (ours, published) in r.ours.iter().zip(&r.published) {
        assert!((ours - published).abs() < 0.02, "{r:?}");
    }
}

#[test]
fn cosh_profile_converges_at_second_order() {
    let errors: Vec<f64> = [10, 20, 40, 80]
        .iter()
        .map(|&n| cosh_profile(n, lbm(TimeStep::Tau(1.0), 1e-11)).unwrap())
        .collect();
    assert!(errors[3] < 1e-3, "errors {errors:?}");
    let orders = observed_orders(&errors);
    // Second order, approached from below: 1.82, 1.91, 1.95 on 10..80 cells.
    assert!(orders.windows(2).all(|o| o[1] > o[0]), "orders {orders:?}");
    assert!((orders[2] - 2.0).abs() < 0.1, "orders {orders:?}");
}
