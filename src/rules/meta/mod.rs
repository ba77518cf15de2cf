//! Rules about sqlgate's own directives in the scripts.

pub mod suppression_without_reason;
