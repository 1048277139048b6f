//! Vigie's domain: pure logic with no I/O. Everything here is a function of its inputs (time
//! included), so it is table-tested and reused by the engine, the CLI and the desktop shell.

pub mod approval;
pub mod health;
pub mod level;
pub mod model;
pub mod playbook;
pub mod publish;
pub mod query;
pub mod richtext;
pub mod schedule;
pub mod text;

pub use level::{Level, Thresholds};
pub use model::*;
pub use query::{Query, QueryError, QueryProblem};
