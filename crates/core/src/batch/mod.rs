//! The batch engine: documents grouped into requests, a bounded number in flight, one outcome per
//! document.

pub mod plan;
