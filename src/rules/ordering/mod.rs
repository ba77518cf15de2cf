//! Rules about the order and identity of migrations across a change.

pub mod applied_migration_modified;
pub mod atlas_sum_mismatch;
pub mod duplicate_version;
pub mod unknown_object;
pub mod version_order;

use crate::plan::{Migration, Plan};

// The version helpers belong to Plans; `version-order` names them from here.
pub use crate::plan::version::{next_version, now_secs};

/// The migrations that the target already has: the base Plan, and the
/// target tip's Plan when the target moved on since the base.
pub(crate) fn on_target<'p>(
    base: &'p Plan,
    target: Option<&'p Plan>,
) -> Vec<(&'p Migration, crate::finding::Side)> {
    let mut out: Vec<_> = base
        .migrations
        .iter()
        .map(|m| (m, crate::finding::Side::Base))
        .collect();
    if let Some(target) = target {
        for m in &target.migrations {
            if !base.migrations.iter().any(|b| b.id == m.id) {
                out.push((m, crate::finding::Side::Target));
            }
        }
    }
    out
}
