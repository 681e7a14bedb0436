//! Treatment planning (Jiang et al. 2022): the tumor block heated by an
//! injection cloud ([`scenario`]), injection parametrizations
//! ([`strategy`]), the objective J ([`objective`], Eqs. 9–10), its
//! maximization by PSO ([`optimize`], App. C), the thermal-dose transient
//! ([`assessment`], Eqs. 12–13) and the paper's tables ([`tables`]).
//!
//! Data flows in that order: a point of the search box → sites and clouds
//! → heat and properties → a steady temperature field → J; the optimum →
//! a transient with spreading clouds → CEM43 and Arrhenius dose maps.

pub mod assessment;
pub mod objective;
pub mod optimize;
pub mod predicted_sar;
pub mod robust;
pub mod scenario;
pub mod strategy;
pub mod tables;
