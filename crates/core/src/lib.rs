//! Samverka's pure domain. No I/O, no SQL, no HTTP: everything here is a value or a function
//! over values, so it can be tested exhaustively.

pub mod actor;
pub mod audit;
pub mod case;
pub mod consent;
pub mod ids;
pub mod meeting;
pub mod national_id;
pub mod org;
pub mod plan;
pub mod policy;
pub mod rules;
pub mod signal;
pub mod synthetic;
pub mod synthetic_signals;
pub mod task;
pub mod validate;

pub use actor::{Actor, Membership, Role};
pub use ids::*;
