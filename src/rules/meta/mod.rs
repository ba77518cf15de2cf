//! Rules about sqlgate's own directives in the scripts.

pub mod config_weakened;
pub mod suppression_without_reason;
