//! A local look-alike of Multicert's Sign'Stash service.

pub mod pades;
pub mod pki;
pub mod tsa;
