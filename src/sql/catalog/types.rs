//! Column types as the database sees them: aliases resolved (`int4` and
//! `int` are `integer`), and whether changing one type into another can
//! lose values (a narrowing change).

/// The canonical spelling of a type, lower case, one space between words.
pub fn normalize(raw: &str) -> String {
    let mut t = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !t.is_empty() && c != '(' && c != ')' && c != ',' && !t.ends_with(['(', ',']) {
            t.push(' ');
        }
        space = false;
        t.extend(c.to_lowercase());
    }
    let t = t.replace(" (", "(");
    let t = t.trim_start_matches("pg_catalog.").to_string();
    let (base, args) = match (t.find('('), t.rfind(')')) {
        (Some(i), Some(j)) if j > i => (
            format!("{}{}", t[..i].trim_end(), &t[j + 1..]),
            t[i..=j].to_string(),
        ),
        _ => (t.clone(), String::new()),
    };
    let base = base.trim();
    let (base, array) = match base.strip_suffix("[]") {
        Some(b) => (b.trim(), "[]"),
        None => (base, ""),
    };
    let canonical = match base {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" | "char varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "float8" | "double precision" | "double" => "double precision",
        "float4" | "real" => "real",
        "decimal" | "numeric" | "dec" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    };
    // `timestamp(6) with time zone` keeps its precision with the base.
    format!("{canonical}{args}{array}")
}

/// The PostgreSQL base type behind `serial`-style pseudo types, if `raw`
/// is one.
pub fn serial_base(raw: &str) -> Option<&'static str> {
    match raw.trim().to_lowercase().as_str() {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// Whether a value of type `from` may not fit in type `to`: a smaller
/// integer, a shorter string, fewer digits, less precision, or a change of
/// family (text to integer). Both are normalised types.
pub fn narrows(from: &str, to: &str) -> bool {
    if from == to {
        return false;
    }
    let (fb, fa) = split(from);
    let (tb, ta) = split(to);
    let int_rank = |b: &str| match b {
        "tinyint" => Some(1),
        "smallint" => Some(2),
        "mediumint" => Some(3),
        "integer" => Some(4),
        "bigint" => Some(5),
        _ => None,
    };
    let text_like = |b: &str| {
        matches!(
            b,
            "text"
                | "character varying"
                | "character"
                | "citext"
                | "longtext"
                | "mediumtext"
                | "tinytext"
        )
    };
    if let (Some(f), Some(t)) = (int_rank(fb), int_rank(tb)) {
        return t < f;
    }
    if text_like(fb) && text_like(tb) {
        let unbounded = |b: &str, a: &[u64]| {
            a.is_empty() && matches!(b, "text" | "character varying" | "citext" | "longtext")
        };
        let len = |b: &str, a: &[u64]| match b {
            "tinytext" => Some(255),
            "text" if !a.is_empty() => a.first().copied(),
            "mediumtext" => Some(16_777_215),
            "character" if a.is_empty() => Some(1),
            _ => a.first().copied(),
        };
        if unbounded(tb, &ta) {
            return false;
        }
        if unbounded(fb, &fa) {
            return true;
        }
        return match (len(fb, &fa), len(tb, &ta)) {
            (Some(f), Some(t)) => t < f,
            _ => false,
        };
    }
    if fb == "numeric" && tb == "numeric" {
        if ta.is_empty() {
            return false;
        }
        if fa.is_empty() {
            return true;
        }
        let (fp, fs) = (fa[0], fa.get(1).copied().unwrap_or(0));
        let (tp, ts) = (ta[0], ta.get(1).copied().unwrap_or(0));
        return ts < fs || tp.saturating_sub(ts) < fp.saturating_sub(fs);
    }
    if int_rank(fb).is_some()
        && matches!(
            tb,
            "numeric" | "real" | "double precision" | "text" | "character varying"
        )
    {
        return match tb {
            "numeric" => ta
                .first()
                .is_some_and(|p| p.saturating_sub(ta.get(1).copied().unwrap_or(0)) < 19),
            "character varying" => ta.first().is_some_and(|n| *n < 20),
            "real" => int_rank(fb).is_some_and(|r| r >= 4),
            _ => false,
        };
    }
    if fb == "double precision" && tb == "real" {
        return true;
    }
    if matches!(fb, "timestamp with time zone" | "timestamp") && tb == "date" {
        return true;
    }
    if fb == tb {
        // Same family with arguments: fewer is narrower (time precision).
        return match (fa.first(), ta.first()) {
            (None, Some(_)) => true,
            (Some(f), Some(t)) => t < f,
            _ => false,
        };
    }
    let family = |b: &str| {
        if int_rank(b).is_some() || matches!(b, "numeric" | "real" | "double precision") {
            "number"
        } else if text_like(b) {
            "text"
        } else if b.starts_with("timestamp") || b == "date" || b.starts_with("time") {
            "time"
        } else if b == "boolean" {
            "boolean"
        } else if b == "json" || b == "jsonb" {
            "json"
        } else {
            "other"
        }
    };
    // Anything becomes text without loss; text or JSON into something
    // stricter can fail or lose values.
    let (ff, tf) = (family(fb), family(tb));
    if tf == "text" || tf == "other" || ff == "other" || ff == tf {
        return false;
    }
    true
}

fn split(t: &str) -> (&str, Vec<u64>) {
    match t.find('(') {
        Some(i) => {
            let args = t[i + 1..]
                .trim_end_matches("[]")
                .trim_end_matches(')')
                .split(',')
                .filter_map(|a| a.trim().parse().ok())
                .collect();
            (t[..i].trim(), args)
        }
        None => (t, Vec::new()),
    }
}
