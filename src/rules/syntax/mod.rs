//! Rules about whether a script can be read and parsed at all.

pub mod empty_migration;
pub mod syntax_error;
