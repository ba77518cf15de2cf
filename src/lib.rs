//! sqlgate guards database migrations in Git: it reads the SQL migration
//! files a commit range adds or changes, parses them, and reports what breaks
//! a naming, reversibility, ordering, safety or promotion rule.
//!
//! The modules follow the pipeline of `ARCHITECTURE.md`; `main.rs` and
//! `cli.rs` (in the binary) are the only places that know the command line.

pub mod cache;
pub mod ci;
pub mod config;
pub mod error;
pub mod finding;
pub mod git;
pub mod hooks;
pub mod init;
pub mod layout;
pub mod new;
pub mod pipeline;
pub mod plan;
pub mod report;
pub mod rules;
pub mod source;
pub mod sql;
