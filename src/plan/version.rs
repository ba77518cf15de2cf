//! Migration versions, ordered the way migration tools order them: numeric
//! parts compare as numbers (so `10` sorts after `9` and `0010` equals `10`),
//! timestamps are numbers too, and dotted Flyway versions compare part by
//! part (`1.10` after `1.9`; `1.0` equals `1`).

use std::cmp::Ordering;
use std::fmt;

/// A parsed version; keeps the text it was written as.
#[derive(Clone)]
pub struct Version {
    raw: String,
    /// The parts, as byte ranges of `raw`.
    parts: Vec<Part>,
}

/// One part of a version: a byte range of its text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Digits without leading zeros (empty for zero).
    Num(u32, u32),
    Text(u32, u32),
}

impl Part {
    fn is_zero(&self) -> bool {
        matches!(self, Part::Num(start, end) if start == end)
    }

    /// Whether the part is numeric, and its text in `raw`.
    fn get<'r>(&self, raw: &'r str) -> (bool, &'r str) {
        match *self {
            Part::Num(s, e) => (true, &raw[s as usize..e as usize]),
            Part::Text(s, e) => (false, &raw[s as usize..e as usize]),
        }
    }
}

/// Compares two parts: numbers as numbers, before any text.
fn cmp_parts((a_num, a): (bool, &str), (b_num, b): (bool, &str)) -> Ordering {
    match (a_num, b_num) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Version {
    /// Parses a version: runs of digits become numeric parts; `.`, `_` and
    /// `-` separate parts; anything else is compared as text.
    pub fn parse(raw: &str) -> Version {
        let bytes = raw.as_bytes();
        let mut parts = Vec::with_capacity(1);
        let mut i = 0;
        // Runs end at ASCII bytes only, so every range is on a char boundary.
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_digit() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let mut first = start;
                while first < i && bytes[first] == b'0' {
                    first += 1;
                }
                parts.push(Part::Num(first as u32, i as u32));
            } else if matches!(c, b'.' | b'_' | b'-') {
                i += 1;
            } else {
                let start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_digit()
                    && !matches!(bytes[i], b'.' | b'_' | b'-')
                {
                    i += 1;
                }
                parts.push(Part::Text(start as u32, i as u32));
            }
        }
        while parts.len() > 1 && parts.last().is_some_and(Part::is_zero) {
            parts.pop();
        }
        Version {
            raw: raw.to_string(),
            parts,
        }
    }

    /// The parts: whether each is numeric, and its text.
    fn parts(&self) -> impl Iterator<Item = (bool, &str)> + '_ {
        self.parts.iter().map(|p| p.get(&self.raw))
    }

    /// The version as written in the file name.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True when the version is one number of 12 or more digits that reads
    /// as a date and time (`20240301120000`, `202403011200`).
    pub fn is_timestamp(&self) -> bool {
        is_timestamp(&self.raw)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Parts<'v>(&'v Version);
        impl fmt::Debug for Parts<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                for (num, text) in self.0.parts() {
                    if num {
                        list.entry(&format_args!("Num({text:?})"));
                    } else {
                        list.entry(&format_args!("Text({text:?})"));
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("Version")
            .field("raw", &self.raw)
            .field("parts", &Parts(self))
            .finish()
    }
}

/// True when `raw` is a 12- to 17-digit number starting with a plausible
/// year, month and day (as Rails, golang-migrate and goose write them).
pub fn is_timestamp(raw: &str) -> bool {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len()
        != raw
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | '.'))
            .count()
    {
        return false;
    }
    if !(12..=17).contains(&digits.len()) {
        return false;
    }
    let year: u32 = digits[0..4].parse().unwrap_or(0);
    let month: u32 = digits[4..6].parse().unwrap_or(0);
    let day: u32 = digits[6..8].parse().unwrap_or(0);
    (1970..=2200).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.parts.len() == other.parts.len() && self.parts().eq(other.parts())
    }
}

impl Eq for Version {}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut a, mut b) = (self.parts(), other.parts());
        loop {
            match (a.next(), b.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) => match cmp_parts(x, y) {
                    Ordering::Equal => {}
                    other => return other,
                },
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (num, text) in self.parts() {
            u8::from(!num).hash(state);
            text.hash(state);
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A version that sorts after `latest`, written in the same scheme: for a
/// timestamp, the current UTC time laid into the same shape (same length,
/// same separators, as `20240301120000`, `2024-03-01-120000` or
/// `2024.03.01.1200`); otherwise, or when the clock is not past `latest`,
/// the last run of digits incremented with the same zero padding.
pub fn next_version(latest: &Version, now_secs: u64) -> String {
    let raw = latest.as_str();
    if is_dated(raw) {
        let candidate = timestamp_like(raw, now_secs);
        if Version::parse(&candidate) > *latest {
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

/// The UTC time `secs` written in the shape of `pattern`: each digit of the
/// pattern takes the next digit of `YYYYMMDDHHMMSS` (zeros past seconds),
/// every other character is kept.
pub fn timestamp_like(pattern: &str, secs: u64) -> String {
    let stamp = utc_timestamp(secs);
    let mut digits = stamp.chars();
    pattern
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                digits.next().unwrap_or('0')
            } else {
                c
            }
        })
        .collect()
}

/// True when `raw` is digits and separators whose first digits read as a
/// date and time, whatever follows them (Diesel's `2024-01-02-094916-0000`).
fn is_dated(raw: &str) -> bool {
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
    {
        return false;
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    digits.len() >= 12 && is_timestamp(&digits[..digits.len().min(14)])
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

    fn v(s: &str) -> Version {
        Version::parse(s)
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert!(v("10") > v("9"));
        assert_eq!(v("0010"), v("10"));
        assert!(v("1.10") > v("1.9"));
        assert_eq!(v("1.0"), v("1"));
        assert_eq!(v("1_1"), v("1.1"));
        assert!(v("2024.01.05.1200") > v("2024.01.05.0930"));
        assert!(v("20240301120000") > v("20240229235959"));
        assert!(v("2024-01-02-094916") < v("2024-01-10-000000"));
    }

    #[test]
    fn text_parts_compare_after_numbers_and_hash_as_they_compare() {
        use std::hash::{BuildHasher, RandomState};
        assert!(v("1a") > v("1"));
        assert!(v("1a") < v("1b"));
        assert!(v("1.a") > v("1.9"));
        assert!(v("v2") > v("10"));
        assert_eq!(v("é_1"), v("é1"));
        assert!(v("1.é") > v("1.e"));
        assert_eq!(v("1.0.0"), v("1"));
        assert_ne!(v("0"), v(""));
        assert_eq!(v("0.0"), v("0"));
        let hasher = RandomState::new();
        assert_eq!(hasher.hash_one(v("0010.0")), hasher.hash_one(v("10")));
        assert_eq!(
            format!("{:?}", v("01a")),
            r#"Version { raw: "01a", parts: [Num("1"), Text("a")] }"#
        );
    }

    #[test]
    fn timestamps_are_recognised() {
        assert!(v("20240301120000").is_timestamp());
        assert!(!v("0001").is_timestamp());
        assert!(!v("123456789012").is_timestamp());
    }

    #[test]
    fn next_version_keeps_the_scheme() {
        assert_eq!(next_version(&v("0007"), 0), "0008");
        assert_eq!(next_version(&v("0099"), 0), "0100");
        assert_eq!(next_version(&v("1.9"), 0), "1.10");
        assert_eq!(next_version(&v("1_9"), 0), "1_10");
        // 2024-03-01 12:00:00 UTC
        assert_eq!(utc_timestamp(1_709_294_400), "20240301120000");
        assert_eq!(
            next_version(&v("20240101000000"), 1_709_294_400),
            "20240301120000"
        );
        assert_eq!(
            next_version(&v("20990101000000"), 1_709_294_400),
            "20990101000001"
        );
    }

    #[test]
    fn next_timestamp_keeps_separators_and_length() {
        let noon = 1_709_294_400;
        assert_eq!(
            next_version(&v("2024-01-02-094916"), noon),
            "2024-03-01-120000"
        );
        assert_eq!(
            next_version(&v("2024-01-02-094916-0000"), noon),
            "2024-03-01-120000-0000"
        );
        assert_eq!(next_version(&v("2024.01.05.1200"), noon), "2024.03.01.1200");
        assert_eq!(next_version(&v("202401011200"), noon), "202403011200");
        assert_eq!(
            next_version(&v("2099-01-02-094916"), noon),
            "2099-01-02-094917"
        );
    }
}
