//! Rules about sqlgate's own directives in the scripts.

pub mod config_weakened;
pub mod suppression_without_reason;
pub mod unknown_rule_in_suppression;
pub mod unused_suppression;
