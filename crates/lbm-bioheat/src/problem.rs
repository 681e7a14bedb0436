//! A Pennes bioheat problem on a 2D or 3D grid (Jiang et al. 2022, Eq. 1):
//! (ρc) ∂T/∂t = ∇·(k∇T) + ṁ_b(T) c_b (T_b − T) + Q + Q_m,
//! with per-cell properties, per-region perfusion and per-face boundaries.

use crate::error::{BioheatError, Result, finite, non_negative, positive};
use crate::grid::Grid;
use crate::lattice::Lattice;
use crate::perfusion::PerfusionModel;
use crate::shape3::RegionShape;
use ndarray::{Array, ArrayView};
use std::fmt;
use std::sync::Arc;

/// A side of the rectangular domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// x = x0 (left).
    West,
    /// x = x0 + nx·dx (right).
    East,
    /// y = y0 (bottom).
    South,
    /// y = y0 + ny·dx (top).
    North,
}

impl Side {
    /// All four sides, in the order West, East, South, North.
    pub const ALL: [Side; 4] = [Side::West, Side::East, Side::South, Side::North];
}

/// A thermal boundary condition on one side (2D) or face (3D).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Boundary {
    /// Zero normal heat flux (the paper's choice on all four sides).
    #[default]
    Adiabatic,
    /// A fixed wall temperature (°C).
    Temperature(f64),
    /// Convective (Robin): −k ∂T/∂n = h (T_wall − T_ambient), with the heat
    /// transfer coefficient `h` (W/(m²·K)) and `ambient_c` (°C).
    Convective {
        /// Heat transfer coefficient h (W/(m²·K)).
        h: f64,
        /// Ambient temperature (°C).
        ambient_c: f64,
    },
}

/// A named region of the tissue and its perfusion law.
#[derive(Clone)]
pub struct Region {
    name: String,
    perfusion: Arc<dyn PerfusionModel>,
}

impl Region {
    /// The region's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its perfusion law.
    pub fn perfusion(&self) -> &dyn PerfusionModel {
        self.perfusion.as_ref()
    }
    /// Its perfusion law, shared.
    pub fn perfusion_arc(&self) -> Arc<dyn PerfusionModel> {
        Arc::clone(&self.perfusion)
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("name", &self.name)
            .field("constant_rate", &self.perfusion.constant_rate())
            .finish()
    }
}

/// A field on the lattice `G`: `Array2` on a [`Grid`], `Array3` on a
/// [`Grid3`](crate::Grid3).
pub type Field<G, T = f64> = Array<T, <G as Lattice>::Dim>;

/// A complete Pennes problem on the lattice `G` (a 2D [`Grid`] by default,
/// or a [`Grid3`](crate::Grid3)): grid, regions, fields, blood and
/// boundaries. Build it with [`PennesProblem::builder`]; every field has
/// been checked (shape, finiteness, sign) by then.
#[derive(Debug, Clone)]
pub struct PennesProblem<G: Lattice = Grid> {
    grid: G,
    labels: Field<G, u8>,
    regions: Vec<Region>,
    heat_capacity: Field<G>,
    conductivity: Field<G>,
    heat_source: Field<G>,
    metabolic_heat: Field<G>,
    blood_temperature: f64,
    blood_specific_heat: f64,
    /// One per face, in [`Lattice::face_slot`] order (the last two unused
    /// in 2D).
    boundaries: [Boundary; 6],
    initial_temperature: Field<G>,
    /// Whether nothing can remove heat (set by the builder): see
    /// [`PennesProblem::steady_is_singular`].
    singular: bool,
}

/// A Pennes problem on a 3D grid.
pub type PennesProblem3 = PennesProblem<crate::grid3::Grid3>;

impl PennesProblem3 {
    /// The sub-problem of the x-planes `planes` (cells i in
    /// [start, end)): the same regions, blood and boundaries, every field
    /// cut to those planes, the grid's origin moved to plane `start`. A
    /// domain decomposition's part ([`crate::LbmSolver3::slab`]).
    ///
    /// # Errors
    /// An empty range or one beyond the grid's nx.
    pub fn slab_x(&self, planes: std::ops::Range<usize>) -> Result<Self> {
        let [nx, ny, nz] = self.grid.extents();
        if planes.start >= planes.end || planes.end > nx {
            return Err(BioheatError::InvalidParameter {
                name: "slab x-planes (end)",
                value: planes.end as f64,
                allowed: "a non-empty range of the grid's x-planes",
            });
        }
        let [dx, dy, dz] = self.grid.spacing();
        let [x0, y0, z0] = self.grid.origin();
        let grid = crate::grid3::Grid3::new(
            [planes.len(), ny, nz],
            [dx, dy, dz],
            [x0 + planes.start as f64 * dx, y0, z0],
        )?;
        let cut = ndarray::s![planes.clone(), .., ..];
        Ok(Self {
            grid,
            labels: self.labels.slice(cut).to_owned(),
            regions: self.regions.clone(),
            heat_capacity: self.heat_capacity.slice(cut).to_owned(),
            conductivity: self.conductivity.slice(cut).to_owned(),
            heat_source: self.heat_source.slice(cut).to_owned(),
            metabolic_heat: self.metabolic_heat.slice(cut).to_owned(),
            blood_temperature: self.blood_temperature,
            blood_specific_heat: self.blood_specific_heat,
            boundaries: self.boundaries,
            initial_temperature: self.initial_temperature.slice(cut).to_owned(),
            singular: self.singular,
        })
    }
}

/// The temperatures (°C) over which a perfusion law is checked when a
/// problem is built: from freezing to well beyond any ablation.
pub const PERFUSION_CHECK_RANGE_C: (f64, f64) = (0.0, 100.0);

/// Refuses a perfusion law with a negative or non-finite rate, or a
/// non-finite slope, at a temperature of [`PERFUSION_CHECK_RANGE_C`]
/// (every 0.5 °C); otherwise says whether the rate is positive at one of
/// those temperatures.
fn check_perfusion(region: &Region) -> Result<bool> {
    let law = region.perfusion();
    let bad = |temperature_c: f64, rate: f64| BioheatError::InvalidPerfusion {
        region: region.name().to_string(),
        temperature_c,
        rate,
    };
    if let Some(rate) = law.constant_rate()
        && !(rate.is_finite() && rate >= 0.0)
    {
        return Err(bad(PERFUSION_CHECK_RANGE_C.0, rate));
    }
    let (lo, hi) = PERFUSION_CHECK_RANGE_C;
    let steps = ((hi - lo) / 0.5).round() as usize;
    let samples = || (0..=steps).map(|k| lo + 0.5 * k as f64);
    // Rates first, so a law that fails at some temperature is reported
    // there rather than by a slope straddling it.
    let mut perfuses = false;
    for t in samples() {
        let rate = law.rate(t);
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(bad(t, rate));
        }
        perfuses |= rate > 0.0;
    }
    for t in samples() {
        let (rate, slope) = law.rate_and_slope(t);
        if !slope.is_finite() {
            return Err(bad(t, if rate.is_finite() { slope } else { rate }));
        }
    }
    Ok(perfuses)
}

impl<G: Lattice> PennesProblem<G> {
    /// Starts a problem on `grid` whose every cell belongs to the
    /// background region `background` (for example "healthy") with the
    /// perfusion law `perfusion`. Defaults: Table 1 tissue
    /// ((ρc) = 1052·3800 J/(m³·K), k = 0.5 W/(m·K)), no heat source, no
    /// metabolic heat, blood at 37 °C with c_b = 3800 J/(kg·K) (Jiang et al. 2022, Table 1),
    /// adiabatic sides, initial temperature 37 °C.
    pub fn builder(
        grid: G,
        background: &str,
        perfusion: impl PerfusionModel + 'static,
    ) -> PennesProblemBuilder<G> {
        let constant = |v: f64| Array::from_elem(grid.raw_dim(), v);
        PennesProblemBuilder {
            problem: PennesProblem {
                grid,
                labels: Array::zeros(grid.raw_dim()),
                regions: vec![Region {
                    name: background.to_string(),
                    perfusion: Arc::new(perfusion),
                }],
                heat_capacity: constant(1052.0 * 3800.0),
                conductivity: constant(0.5),
                heat_source: constant(0.0),
                metabolic_heat: constant(0.0),
                blood_temperature: 37.0,
                blood_specific_heat: 3800.0,
                boundaries: [Boundary::Adiabatic; 6],
                initial_temperature: constant(37.0),
                singular: false,
            },
            error: None,
        }
    }

    /// The grid.
    pub fn grid(&self) -> &G {
        &self.grid
    }
    /// Region label of every cell (an index into [`PennesProblem::regions`]).
    pub fn labels(&self) -> &Field<G, u8> {
        &self.labels
    }
    /// The regions, the background first.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }
    /// The cells of the region called `name`.
    ///
    /// # Errors
    /// [`BioheatError::UnknownRegion`].
    pub fn region_mask(&self, name: &str) -> Result<Field<G, bool>> {
        let id = self
            .regions
            .iter()
            .position(|r| r.name == name)
            .ok_or_else(|| BioheatError::UnknownRegion(name.to_string()))?;
        Ok(self.labels.mapv(|l| l as usize == id))
    }
    /// Volumetric heat capacity (ρc) per cell (J/(m³·K)).
    pub fn heat_capacity(&self) -> &Field<G> {
        &self.heat_capacity
    }
    /// Thermal conductivity k per cell (W/(m·K)).
    pub fn conductivity(&self) -> &Field<G> {
        &self.conductivity
    }
    /// Heat source Q per cell (W/m³), for example from nanoparticles.
    pub fn heat_source(&self) -> &Field<G> {
        &self.heat_source
    }
    /// Metabolic heat Q_m per cell (W/m³).
    pub fn metabolic_heat(&self) -> &Field<G> {
        &self.metabolic_heat
    }
    /// Arterial blood temperature T_b (°C).
    pub fn blood_temperature(&self) -> f64 {
        self.blood_temperature
    }
    /// Blood specific heat c_b (J/(kg·K)).
    pub fn blood_specific_heat(&self) -> f64 {
        self.blood_specific_heat
    }
    /// The boundary condition on `face` (a [`Side`] in 2D, a
    /// [`Face`](crate::Face) in 3D).
    pub fn boundary(&self, face: G::Face) -> Boundary {
        self.boundaries[G::face_slot(face)]
    }
    /// The boundary condition on the face of slot `slot` (see
    /// [`Lattice::face_slot`]).
    pub(crate) fn boundary_slot(&self, slot: usize) -> Boundary {
        self.boundaries[slot]
    }
    /// The initial temperature field (°C).
    pub fn initial_temperature(&self) -> &Field<G> {
        &self.initial_temperature
    }
    /// True when the steady problem has no unique solution because nothing
    /// can remove heat: every face is adiabatic (or convective with
    /// h = 0), and no region that holds
    /// cells has a positive perfusion rate at any temperature of
    /// [`PERFUSION_CHECK_RANGE_C`] (sampled every 0.5 °C). Then a steady
    /// state exists only without net heating, and any constant added to
    /// it is one too. The steady solvers refuse such a problem
    /// ([`BioheatError::SingularSystem`]).
    pub fn steady_is_singular(&self) -> bool {
        self.singular
    }

    /// True when every region's perfusion is temperature-independent.
    pub fn is_linear(&self) -> bool {
        self.regions
            .iter()
            .all(|r| r.perfusion.constant_rate().is_some())
    }

    /// The perfusion coefficient W = ṁ_b(T) c_b (W/(m³·K)) of the cell at
    /// `cell` ((i, j) in 2D, (i, j, k) in 3D) at temperature `t` (°C).
    ///
    /// # Errors
    /// A cell outside the grid.
    pub fn perfusion_at(&self, cell: <G::Dim as ndarray::Dimension>::Pattern, t: f64) -> Result<f64>
    where
        <G::Dim as ndarray::Dimension>::Pattern: ndarray::NdIndex<G::Dim>,
    {
        let label = self
            .labels
            .get(cell)
            .ok_or(BioheatError::InvalidParameter {
                name: "cell index",
                value: f64::NAN,
                allowed: "a cell of the grid",
            })?;
        Ok(self.regions[*label as usize].perfusion.rate(t) * self.blood_specific_heat)
    }

    /// Replaces the heat source Q (W/m³), for example when the particle
    /// cloud spreads during treatment.
    ///
    /// # Errors
    /// A wrong shape or a non-finite value.
    pub fn set_heat_source(&mut self, heat_source: Field<G>) -> Result<()> {
        check_field(
            &self.grid,
            "heat source Q (W/m^3)",
            &heat_source.view(),
            Sign::Any,
        )?;
        self.heat_source = heat_source;
        Ok(())
    }

    /// Replaces the thermal properties per cell: (ρc) (J/(m³·K)) and
    /// k (W/(m·K)).
    ///
    /// # Errors
    /// A wrong shape or a non-finite or non-positive value.
    pub fn set_properties(
        &mut self,
        heat_capacity: Field<G>,
        conductivity: Field<G>,
    ) -> Result<()> {
        check_field(
            &self.grid,
            "heat capacity (J/(m^3 K))",
            &heat_capacity.view(),
            Sign::Positive,
        )?;
        check_field(
            &self.grid,
            "conductivity (W/(m K))",
            &conductivity.view(),
            Sign::Positive,
        )?;
        self.heat_capacity = heat_capacity;
        self.conductivity = conductivity;
        Ok(())
    }
}

impl PennesProblem<Grid> {
    /// The perfusion coefficient W = ṁ_b(T) c_b (W/(m³·K)) of cell (i, j)
    /// at temperature `t` (°C).
    pub fn perfusion_coefficient(&self, i: usize, j: usize, t: f64) -> f64 {
        self.regions[self.labels[[i, j]] as usize].perfusion.rate(t) * self.blood_specific_heat
    }
}

/// Checks a temperature field (°C) against `grid`: its shape, and a finite
/// value in every cell.
pub(crate) fn check_temperature<G: Lattice>(
    grid: &G,
    temperature: &ArrayView<f64, G::Dim>,
) -> Result<()> {
    check_field(grid, "temperature (°C)", temperature, Sign::Any)
}

#[derive(Clone, Copy)]
enum Sign {
    Any,
    NonNegative,
    Positive,
}

fn check_field<G: Lattice>(
    grid: &G,
    what: &'static str,
    field: &ArrayView<f64, G::Dim>,
    sign: Sign,
) -> Result<()> {
    grid.check_shape(what, field)?;
    // `iter` visits cells in logical (row-major) order.
    for (flat, &v) in field.iter().enumerate() {
        let (ok, allowed) = match sign {
            Sign::Any => (v.is_finite(), "a finite value"),
            Sign::NonNegative => (v.is_finite() && v >= 0.0, "a finite value >= 0"),
            Sign::Positive => (v.is_finite() && v > 0.0, "a finite value > 0"),
        };
        if !ok {
            return Err(BioheatError::InvalidField {
                what,
                cell: grid.cell_index(flat),
                value: v,
                allowed,
            });
        }
    }
    Ok(())
}

/// Builds a [`PennesProblem`]. Setters never fail on the spot: the first
/// error is kept and returned by [`PennesProblemBuilder::build`].
#[derive(Debug)]
pub struct PennesProblemBuilder<G: Lattice = Grid> {
    problem: PennesProblem<G>,
    error: Option<BioheatError>,
}

impl<G: Lattice> PennesProblemBuilder<G> {
    fn keep(mut self, r: Result<()>) -> Self {
        if let (Err(e), None) = (r, &self.error) {
            self.error = Some(e);
        }
        self
    }

    /// Uniform tissue properties: (ρc) (J/(m³·K)) and k (W/(m·K)).
    pub fn tissue(mut self, heat_capacity: f64, conductivity: f64) -> Self {
        let r = positive("heat capacity (J/(m^3 K))", heat_capacity)
            .and_then(|_| positive("conductivity (W/(m K))", conductivity))
            .map(|_| {
                self.problem.heat_capacity.fill(heat_capacity);
                self.problem.conductivity.fill(conductivity);
            });
        self.keep(r)
    }

    /// Per-cell properties (ρc) and k.
    pub fn properties(mut self, heat_capacity: Field<G>, conductivity: Field<G>) -> Self {
        let r = self.problem.set_properties(heat_capacity, conductivity);
        self.keep(r)
    }

    /// Per-cell properties from a particle volume fraction field `phi` and a
    /// property function φ ↦ ((ρc) J/(m³·K), k W/(m·K)), for example the
    /// nanofluid mixture rules of Eqs. 2a, 2b.
    pub fn volume_fraction(self, phi: &Field<G>, properties: impl Fn(f64) -> (f64, f64)) -> Self {
        if let Err(e) = check_field(
            &self.problem.grid,
            "volume fraction phi",
            &phi.view(),
            Sign::NonNegative,
        ) {
            return self.keep(Err(e));
        }
        let rc = phi.mapv(|p| properties(p).0);
        let k = phi.mapv(|p| properties(p).1);
        self.properties(rc, k)
    }

    /// Adds a region `name` made of the cells where `mask` is true, with its
    /// perfusion law; it takes those cells from earlier regions. A name
    /// already taken (by the background or an earlier region) is a
    /// [`BioheatError::DuplicateRegion`].
    pub fn region_mask(
        mut self,
        name: &str,
        mask: &Field<G, bool>,
        perfusion: impl PerfusionModel + 'static,
    ) -> Self {
        let r = self
            .problem
            .grid
            .check_shape("region mask", &mask.view())
            .and_then(|_| {
                if self.problem.regions.iter().any(|r| r.name == name) {
                    return Err(BioheatError::DuplicateRegion {
                        region: name.to_string(),
                    });
                }
                let id = self.problem.regions.len();
                if id > u8::MAX as usize {
                    return Err(BioheatError::TooManyRegions);
                }
                ndarray::Zip::from(&mut self.problem.labels)
                    .and(mask)
                    .for_each(|l, &m| {
                        if m {
                            *l = id as u8;
                        }
                    });
                self.problem.regions.push(Region {
                    name: name.to_string(),
                    perfusion: Arc::new(perfusion),
                });
                Ok(())
            });
        self.keep(r)
    }

    /// Adds a region `name` made of the cells whose centres lie in `shape`
    /// (a [`Shape`](crate::Shape) in 2D, a [`Shape3`](crate::Shape3) in 3D).
    pub fn region(
        self,
        name: &str,
        shape: &impl RegionShape<G>,
        perfusion: impl PerfusionModel + 'static,
    ) -> Self {
        let mask = shape.cell_mask(&self.problem.grid);
        self.region_mask(name, &mask, perfusion)
    }

    /// Adds a region `name` made of the cells whose label in the label
    /// volume `labels` (for example a tumor segmentation) equals `value`.
    /// A label volume whose shape differs from the grid's is a
    /// [`BioheatError::ShapeMismatch`] naming "label volume"; a label found
    /// in no cell leaves the region empty, which [`Self::build`] refuses.
    pub fn region_label<L: Copy + PartialEq>(
        self,
        name: &str,
        labels: &Field<G, L>,
        value: L,
        perfusion: impl PerfusionModel + 'static,
    ) -> Self {
        if let Err(e) = self
            .problem
            .grid
            .check_shape("label volume", &labels.view())
        {
            return self.keep(Err(e));
        }
        let mask = labels.mapv(|l| l == value);
        self.region_mask(name, &mask, perfusion)
    }

    /// The heat source Q per cell (W/m³).
    pub fn heat_source(mut self, heat_source: Field<G>) -> Self {
        let r = self.problem.set_heat_source(heat_source);
        self.keep(r)
    }

    /// Metabolic heat Q_m per cell (W/m³).
    pub fn metabolic_heat(mut self, metabolic: Field<G>) -> Self {
        let r = check_field(
            &self.problem.grid,
            "metabolic heat (W/m^3)",
            &metabolic.view(),
            Sign::Any,
        )
        .map(|_| self.problem.metabolic_heat = metabolic);
        self.keep(r)
    }

    /// Uniform metabolic heat Q_m (W/m³).
    pub fn uniform_metabolic_heat(mut self, q_m: f64) -> Self {
        let r = finite("metabolic heat (W/m^3)", q_m).map(|q| self.problem.metabolic_heat.fill(q));
        self.keep(r)
    }

    /// Blood temperature T_b (°C, above 0 °C and below 100 °C: liquid
    /// blood) and specific heat c_b (J/(kg·K)).
    pub fn blood(mut self, temperature_c: f64, specific_heat: f64) -> Self {
        let r = finite("blood temperature (°C)", temperature_c)
            .and_then(|t| {
                if t > 0.0 && t < 100.0 {
                    Ok(t)
                } else {
                    Err(crate::error::BioheatError::InvalidParameter {
                        name: "blood temperature (°C)",
                        value: t,
                        allowed: "a value in (0, 100) °C (liquid blood)",
                    })
                }
            })
            .and_then(|t| positive("blood specific heat (J/(kg K))", specific_heat).map(|c| (t, c)))
            .map(|(t, c)| {
                self.problem.blood_temperature = t;
                self.problem.blood_specific_heat = c;
            });
        self.keep(r)
    }

    /// The boundary condition on `face` (a [`Side`] in 2D, a
    /// [`Face`](crate::Face) in 3D).
    pub fn boundary(mut self, face: G::Face, boundary: Boundary) -> Self {
        let r = match boundary {
            Boundary::Adiabatic => Ok(()),
            Boundary::Temperature(t) => finite("wall temperature (°C)", t).map(|_| ()),
            Boundary::Convective { h, ambient_c } => {
                non_negative("heat transfer coefficient h (W/(m^2 K))", h)
                    .and_then(|_| finite("ambient temperature (°C)", ambient_c))
                    .map(|_| ())
            }
        }
        .map(|_| self.problem.boundaries[G::face_slot(face)] = boundary);
        self.keep(r)
    }

    /// A uniform initial temperature (°C).
    pub fn initial_temperature(mut self, temperature_c: f64) -> Self {
        let r = finite("initial temperature (°C)", temperature_c)
            .map(|t| self.problem.initial_temperature.fill(t));
        self.keep(r)
    }

    /// An initial temperature field (°C).
    pub fn initial_field(mut self, temperature: Field<G>) -> Self {
        let r = check_field(
            &self.problem.grid,
            "initial temperature (°C)",
            &temperature.view(),
            Sign::Any,
        )
        .map(|_| self.problem.initial_temperature = temperature);
        self.keep(r)
    }

    /// The problem, or the first error met while building it; also
    /// [`BioheatError::EmptyRegion`] when a region ended up with no cell,
    /// and [`BioheatError::InvalidPerfusion`] when a region's perfusion law
    /// gives a negative or non-finite rate (or slope) anywhere in
    /// [`PERFUSION_CHECK_RANGE_C`], sampled every 0.5 °C.
    ///
    /// # Errors
    /// As stated.
    pub fn build(self) -> Result<PennesProblem<G>> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut p = self.problem;
        let perfuses = p
            .regions
            .iter()
            .map(check_perfusion)
            .collect::<Result<Vec<bool>>>()?;
        let mut counts = vec![0usize; p.regions.len()];
        for &l in &p.labels {
            counts[l as usize] += 1;
        }
        // The background may be fully covered; an added region may not be empty.
        if let Some(k) = (1..counts.len()).find(|&k| counts[k] == 0) {
            return Err(BioheatError::EmptyRegion {
                region: p.regions[k].name.clone(),
            });
        }
        // A convective face with h = 0 conducts nothing: adiabatic too.
        let insulated = |b: &Boundary| match *b {
            Boundary::Adiabatic => true,
            Boundary::Convective { h, .. } => h == 0.0,
            Boundary::Temperature(_) => false,
        };
        p.singular = p.boundaries.iter().all(insulated)
            && perfuses.iter().zip(&counts).all(|(&w, &n)| n == 0 || !w);
        Ok(p)
    }
}
