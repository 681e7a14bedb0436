//! Probes, statistics and file output.

use approx::assert_relative_eq;
use lbm_bioheat::output::{vti_string, write_csv, write_vti};
use lbm_bioheat::probe::{
    area_fraction_between, bilinear, line_profile, region_stats, sample_boundary,
};
use lbm_bioheat::{BioheatError, Grid, Shape};
use proptest::prelude::*;

fn grid() -> Grid {
    Grid::new(20, 10, 1e-3, -0.01, -0.005).unwrap()
}

proptest! {
    /// Bilinear interpolation reproduces any linear field exactly, anywhere
    /// inside the hull of the cell centres.
    #[test]
    fn bilinear_is_exact_on_linear_fields(a in -50.0..50.0f64, b in -1e3..1e3f64, c in -1e3..1e3f64,
                                          fx in 0.0..1.0f64, fy in 0.0..1.0f64) {
        let g = grid();
        let f = g.field(|x, y| a + b * x + c * y);
        let (x, y) = (g.x(0) + fx * (g.x(19) - g.x(0)), g.y(0) + fy * (g.y(9) - g.y(0)));
        let v = bilinear(&g, &f, x, y).unwrap();
        prop_assert!((v - (a + b * x + c * y)).abs() < 1e-9 * (1.0 + a.abs() + b.abs() + c.abs()));
    }
}

#[test]
fn probes_profiles_and_boundaries() {
    let g = grid();
    let f = g.field(|x, y| 2.0 + 100.0 * x - 50.0 * y);
    // The border half-cell uses the outer centres' values along the normal.
    assert_relative_eq!(
        bilinear(&g, &f, -0.01, 0.0).unwrap(),
        2.0 + 100.0 * g.x(0),
        max_relative = 1e-12
    );
    assert!(matches!(
        bilinear(&g, &f, 0.02, 0.0),
        Err(BioheatError::OutsideDomain { .. })
    ));
    assert!(bilinear(&g, &f, f64::NAN, 0.0).is_err());
    let p = line_profile(&g, &f, (-0.005, 0.0), (0.005, 0.0), 11).unwrap();
    assert_eq!(p.len(), 11);
    assert_relative_eq!(p[10].s, 0.01, max_relative = 1e-12);
    assert_relative_eq!(p[5].value, 2.0, epsilon = 1e-12);
    assert!(line_profile(&g, &f, (0.0, 0.0), (0.0, 0.0), 1).is_err());
    // A radial field sampled on a circle is constant.
    let radial = g.field(|x, y| x * x + y * y);
    let circle = Shape::circle(0.0, 0.0, 3e-3).unwrap();
    let s = sample_boundary(&g, &radial, &circle, 36).unwrap();
    assert_eq!(s.len(), 36);
    // Bilinear interpolation of r² overestimates by at most dx²/2.
    assert!(
        s.iter().all(|v| (v - 9e-6).abs() <= 0.5e-6 + 1e-12),
        "{s:?}"
    );
}

#[test]
fn region_statistics_and_bands() {
    let g = grid();
    let f = g.field(|x, _| 40.0 + 1000.0 * x); // 30.5 .. 49.5 across x
    let all = g.field(|_, _| 1.0).mapv(|_| true);
    let st = region_stats(&g, &f, &all).unwrap();
    assert_eq!(st.cells, 200);
    assert_relative_eq!(st.measure, 2e-4, max_relative = 1e-12);
    assert_relative_eq!(st.mean, 40.0, epsilon = 1e-9);
    assert_relative_eq!(st.min, 30.5, epsilon = 1e-9);
    assert_relative_eq!(st.max, 49.5, epsilon = 1e-9);
    // Columns with 43 ≤ T < 46: x centres 3.5, 4.5, 5.5 mm → 3 of 20.
    let frac = area_fraction_between(&g, &f, &all, 43.0, 46.0).unwrap();
    assert_relative_eq!(frac, 3.0 / 20.0, max_relative = 1e-12);
    let none = all.mapv(|_| false);
    assert!(matches!(
        region_stats(&g, &f, &none),
        Err(BioheatError::EmptyRegion { .. })
    ));
}

#[test]
fn vti_field_names_are_escaped() {
    let g = grid();
    let t = g.constant(37.0);
    let doc = vti_string(&g, &[("T<&\"x'>", &t)]).unwrap();
    let escaped = "T&lt;&amp;&quot;x&apos;&gt;";
    assert!(doc.contains(&format!(r#"Scalars="{escaped}""#)));
    assert!(doc.contains(&format!(r#"Name="{escaped}""#)));
    // Every attribute value closes where it should: each line holds an
    // even number of double quotes.
    assert!(doc.lines().all(|l| l.matches('"').count() % 2 == 0));
    // Tabs and line breaks as character references; other control
    // characters cannot be written at all.
    let doc = vti_string(&g, &[("a\tb\nc", &t)]).unwrap();
    assert!(doc.contains(r#"Name="a&#9;b&#10;c""#));
    let e = vti_string(&g, &[("bell\u{7}", &t)]).unwrap_err();
    assert!(
        matches!(e, BioheatError::UnwritableName { ref name, .. } if name == "bell\u{7}"),
        "{e:?}"
    );
}

#[test]
fn vti_and_csv_files() {
    let g = grid();
    let t = g.field(|x, y| 37.0 + x + y);
    let phi = g.constant(0.01);
    let doc = vti_string(&g, &[("temperature", &t), ("phi", &phi)]).unwrap();
    assert!(doc.contains(r#"WholeExtent="0 20 0 10 0 0""#));
    assert!(doc.contains(r#"Name="temperature""#) && doc.contains(r#"Name="phi""#));
    let values = doc
        .split("<DataArray")
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split_whitespace()
        .take_while(|w| !w.starts_with('<'))
        .count();
    assert_eq!(values, 200);
    let dir = std::env::temp_dir().join(format!("lbm-bioheat-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write_vti(dir.join("t.vti"), &g, &[("temperature", &t)]).unwrap();
    write_csv(dir.join("t.csv"), &g, &[("temperature", &t)]).unwrap();
    let mut rdr = csv::Reader::from_path(dir.join("t.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["i", "j", "x_m", "y_m", "temperature"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 200);
    let (i, j): (usize, usize) = (rows[13][0].parse().unwrap(), rows[13][1].parse().unwrap());
    assert_eq!((i, j), (1, 3));
    let v: f64 = rows[13][4].parse().unwrap();
    assert_eq!(v, t[[1, 3]]);
    std::fs::remove_dir_all(&dir).unwrap();
    // Errors name the file; wrong shapes are refused.
    let e = write_csv("/nonexistent-dir/x.csv", &g, &[("t", &t)]).unwrap_err();
    assert!(e.to_string().contains("/nonexistent-dir/x.csv"), "{e}");
    assert!(vti_string(&g, &[("bad", &ndarray::Array2::zeros((3, 3)))]).is_err());
}
