//! Rules about the order and identity of migrations across a change.

pub mod applied_migration_modified;
pub mod atlas_sum_mismatch;
pub mod duplicate_version;
pub mod version_order;

use crate::plan::{Migration, Plan, Version};

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

/// A version that sorts after `latest`, written in the same scheme: a UTC
/// timestamp of the same length for timestamp versions, the next integer
/// with the same zero padding otherwise.
pub fn next_version(latest: &Version, now_secs: u64) -> String {
    let raw = latest.as_str();
    if latest.is_timestamp() && raw.chars().all(|c| c.is_ascii_digit()) {
        let stamp = utc_timestamp(now_secs);
        let candidate: String = stamp.chars().take(raw.len()).collect();
        if candidate.len() == raw.len() && Version::parse(&candidate) > *latest {
            return candidate;
        }
    }
    let split = raw
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let (head, digits) = raw.split_at(split);
    if digits.is_empty() {
        return format!("{raw}1");
    }
    let next = increment(digits);
    format!("{head}{next:0>width$}", width = digits.len())
}

fn increment(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for i in (0..bytes.len()).rev() {
        if bytes[i] == b'9' {
            bytes[i] = b'0';
        } else {
            bytes[i] += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}

/// `YYYYMMDDHHMMSS` for a Unix time, in UTC.
pub fn utc_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_version_keeps_the_scheme() {
        assert_eq!(next_version(&Version::parse("0007"), 0), "0008");
        assert_eq!(next_version(&Version::parse("0099"), 0), "0100");
        assert_eq!(next_version(&Version::parse("1.9"), 0), "1.10");
        // 2024-03-01 12:00:00 UTC
        assert_eq!(utc_timestamp(1_709_294_400), "20240301120000");
        assert_eq!(
            next_version(&Version::parse("20240101000000"), 1_709_294_400),
            "20240301120000"
        );
        assert_eq!(
            next_version(&Version::parse("20990101000000"), 1_709_294_400),
            "20990101000001"
        );
    }
}
