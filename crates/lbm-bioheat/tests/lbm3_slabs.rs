//! The D3Q7 lattice split into slabs of x-planes, stepped with the halo
//! exchange done by copying (as MPI ranks would by messages), against the
//! whole lattice: the same temperatures, bit for bit.

use lbm_bioheat::{
    Boundary, Face, Grid3, HealthyTissuePerfusion, LbmConfig, LbmSolver3, PennesProblem,
    PennesProblem3, Shape3, TransientSolver, TumorPerfusion,
};
use ndarray::{Axis, concatenate};

/// A problem with everything a slab must get right: nonlinear perfusion in
/// a tumor, (ρc) and k jumps (the first slab's (ρc) uniform), a heat
/// source, and fixed, convective and adiabatic walls, the x ones included.
fn problem(n: usize) -> PennesProblem3 {
    let grid = Grid3::new([n, n - 1, n + 1], [1e-3; 3], [0.0; 3]).unwrap();
    let heat = grid.field(|x, y, z| 4e5 * (-((x - 3e-3).powi(2) + y * y + z * z) / 2e-5).exp());
    let rc = grid.field(|x, _, _| if x > 2.5e-3 { 5e6 } else { 4e6 });
    let k = grid.field(|_, y, _| if y > 2e-3 { 0.6 } else { 0.5 });
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region(
            "tumor",
            &Shape3::sphere([3e-3, 2e-3, 2e-3], 1.5e-3).unwrap(),
            TumorPerfusion,
        )
        .properties(rc, k)
        .heat_source(heat)
        .boundary(Face::West, Boundary::Temperature(36.0))
        .boundary(
            Face::East,
            Boundary::Convective {
                h: 30.0,
                ambient_c: 20.0,
            },
        )
        .boundary(Face::North, Boundary::Temperature(38.0))
        .build()
        .unwrap()
}

/// One step of every slab, neighbours' planes copied across.
fn step_all(slabs: &mut [LbmSolver3]) {
    let sent: Vec<[Vec<f64>; 2]> = slabs
        .iter()
        .map(|s| s.halo_send().map(<[f64]>::to_vec))
        .collect();
    for (r, slab) in slabs.iter_mut().enumerate() {
        slab.step_interior().unwrap();
        let [low, high] = slab.halo_receive();
        if r > 0 {
            low.copy_from_slice(&sent[r - 1][1]);
        }
        if r + 1 < sent.len() {
            high.copy_from_slice(&sent[r + 1][0]);
        }
        slab.step_interface_planes().unwrap();
    }
}

#[test]
fn slabs_step_as_the_whole_lattice_bit_for_bit() {
    for (n, cuts) in [
        (7usize, vec![0, 2, 4, 7]),
        (24, vec![0, 11, 24]),
        (24, vec![0, 24]),
    ] {
        let p = problem(n);
        let config = LbmConfig::d3q7();
        let mut whole = LbmSolver3::new(p.clone(), config).unwrap();
        let mut slabs: Vec<LbmSolver3> = cuts
            .windows(2)
            .map(|w| LbmSolver3::slab(&p, config, w[0]..w[1]).unwrap())
            .collect();
        assert_eq!(slabs[0].interfaces(), [false, cuts.len() > 2]);
        for s in &slabs {
            assert_eq!(s.time_step().to_bits(), whole.time_step().to_bits());
        }
        for step in 1..=9 {
            whole.step().unwrap();
            step_all(&mut slabs);
            let parts: Vec<_> = slabs.iter().map(|s| s.temperature()).collect();
            let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
            let joined = concatenate(Axis(0), &views).unwrap();
            let t = whole.temperature();
            assert_eq!(joined.dim(), t.dim());
            let differ = t
                .iter()
                .zip(&joined)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            assert_eq!(differ, 0, "n {n}, cuts {cuts:?}: step {step}");
            let largest = slabs.iter().map(|s| s.last_change()).fold(0.0, f64::max);
            assert_eq!(largest.to_bits(), whole.last_change().to_bits());
        }
        // Heating happened: the comparison is not of untouched fields.
        assert!(whole.temperature().iter().any(|&t| t > 37.01));
    }
}

#[test]
fn a_slab_refuses_steps_out_of_order_and_bad_ranges() {
    let p = problem(7);
    let config = LbmConfig::d3q7();
    let mut slab = LbmSolver3::slab(&p, config, 2..5).unwrap();
    assert_eq!((slab.first_plane(), slab.interfaces()), (2, [true, true]));
    // step() would read stale neighbour planes.
    assert!(slab.step().is_err());
    assert!(slab.step_interface_planes().is_err());
    slab.step_interior().unwrap();
    assert!(slab.step_interior().is_err());
    slab.step_interface_planes().unwrap();
    assert_eq!(slab.steps(), 1);
    // Empty, one plane (a grid needs two cells per axis), beyond nx.
    for bad in [3..3, 3..4, 5..8] {
        assert!(LbmSolver3::slab(&p, config, bad).is_err());
    }
}

#[test]
fn slab_pieces_and_the_parallel_index_place_each_slab_in_the_whole() {
    use lbm_bioheat::output::{pvti_string, vti_piece_string};
    let p = problem(7);
    let slab = LbmSolver3::slab(&p, LbmConfig::d3q7(), 4..7).unwrap();
    let t = slab.temperature();
    let grid = *slab.problem().grid();
    // The slab's grid starts 4 mm along x; the piece keeps the whole's
    // origin and places itself by its extent.
    assert_eq!(grid.origin()[0], 4e-3);
    let piece = vti_piece_string(&grid, &[("T", &t)], [4, 0, 0], [0.0; 3], [7, 6, 8]).unwrap();
    assert!(
        piece.contains(r#"WholeExtent="0 7 0 6 0 8" Origin="0 0 0""#),
        "{piece}"
    );
    assert!(piece.contains(r#"<Piece Extent="4 7 0 6 0 8">"#), "{piece}");
    // 3 × 6 × 8 values, x fastest.
    let body = piece.split("ascii\">").nth(1).unwrap();
    let values: Vec<f64> = body
        .split("</DataArray>")
        .next()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(values.len(), 3 * 6 * 8);
    assert_eq!(values[1], t[[1, 0, 0]]);
    assert_eq!(values[3], t[[0, 1, 0]]);
    let index = pvti_string(
        [7, 6, 8],
        [0.0; 3],
        [1e-3; 3],
        &["T"],
        &[
            ([0..4, 0..6, 0..8], "t_0.vti".into()),
            ([4..7, 0..6, 0..8], "t_1.vti".into()),
        ],
    )
    .unwrap();
    assert!(index.contains(r#"<PImageData WholeExtent="0 7 0 6 0 8" GhostLevel="0""#));
    assert!(index.contains(r#"<Piece Extent="4 7 0 6 0 8" Source="t_1.vti"/>"#));
    assert!(index.contains(r#"<PDataArray type="Float64" Name="T"/>"#));
}
