//! English plural and singular forms of the last word of a table name, for
//! `table-name-plural` and `table-name-singular`. Rules in the spirit of
//! Rails' inflector, kept small: irregular words, uncountable words, and the
//! regular endings. A word both forms share (`data`, `series`) counts as
//! either.

/// Singular and plural forms that no suffix rule gives.
const IRREGULAR: &[(&str, &str)] = &[
    ("analysis", "analyses"),
    ("axis", "axes"),
    ("basis", "bases"),
    ("cache", "caches"),
    ("child", "children"),
    ("cookie", "cookies"),
    ("crisis", "crises"),
    ("criterion", "criteria"),
    ("diagnosis", "diagnoses"),
    ("foot", "feet"),
    ("goose", "geese"),
    ("half", "halves"),
    ("index", "indices"),
    ("knife", "knives"),
    ("leaf", "leaves"),
    ("life", "lives"),
    ("man", "men"),
    ("matrix", "matrices"),
    ("medium", "media"),
    ("mouse", "mice"),
    ("movie", "movies"),
    ("ox", "oxen"),
    ("person", "people"),
    ("quiz", "quizzes"),
    ("self", "selves"),
    ("shelf", "shelves"),
    ("synopsis", "synopses"),
    ("thesis", "theses"),
    ("tooth", "teeth"),
    ("vertex", "vertices"),
    ("wife", "wives"),
    ("wolf", "wolves"),
    ("woman", "women"),
];

/// Words whose singular and plural are the same, and common table words
/// that are mass nouns.
const UNCOUNTABLE: &[&str] = &[
    "audio",
    "data",
    "equipment",
    "feedback",
    "fish",
    "information",
    "inventory",
    "metadata",
    "money",
    "news",
    "police",
    "rice",
    "series",
    "sheep",
    "software",
    "species",
    "staff",
    "traffic",
];

/// Singular words that end in `s`.
const SINGULAR_IN_S: &[&str] = &[
    "alias", "atlas", "bias", "bonus", "bus", "campus", "canvas", "census", "chaos", "corpus",
    "gas", "lens", "plus", "radius", "status", "virus",
];

fn uncountable(word: &str) -> bool {
    UNCOUNTABLE.contains(&word)
}

/// Whether the word reads as plural (uncountable words read as both).
pub(crate) fn is_plural(word: &str) -> bool {
    let word = word.to_lowercase();
    if uncountable(&word) || IRREGULAR.iter().any(|(_, p)| *p == word) {
        return true;
    }
    if IRREGULAR.iter().any(|(s, _)| *s == word) {
        return false;
    }
    singularize(&word) != word
}

/// Whether the word reads as singular (uncountable words read as both).
pub(crate) fn is_singular(word: &str) -> bool {
    let word = word.to_lowercase();
    uncountable(&word) || !is_plural(&word)
}

/// The singular of a plural word (the word itself when it is not plural).
pub(crate) fn singularize(word: &str) -> String {
    if uncountable(word) || SINGULAR_IN_S.contains(&word) {
        return word.to_string();
    }
    if let Some((s, _)) = IRREGULAR.iter().find(|(_, p)| *p == word) {
        return (*s).to_string();
    }
    if IRREGULAR.iter().any(|(s, _)| *s == word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("es") {
        if SINGULAR_IN_S.contains(&stem) {
            return stem.to_string();
        }
    }
    if let Some(stem) = word.strip_suffix("ies") {
        if stem.len() > 1 {
            return format!("{stem}y");
        }
    }
    for ending in ["sses", "shes", "ches", "xes", "zzes"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_string();
    }
    match word.strip_suffix('s') {
        Some(stem) if stem.len() > 1 => stem.to_string(),
        _ => word.to_string(),
    }
}

/// The plural of a singular word (the word itself when it is already plural
/// or uncountable).
pub(crate) fn pluralize(word: &str) -> String {
    if uncountable(word) {
        return word.to_string();
    }
    if let Some((_, p)) = IRREGULAR.iter().find(|(s, _)| *s == word) {
        return (*p).to_string();
    }
    if is_plural(word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_singular_forms() {
        for (s, p) in [
            ("user", "users"),
            ("category", "categories"),
            ("address", "addresses"),
            ("status", "statuses"),
            ("box", "boxes"),
            ("match", "matches"),
            ("person", "people"),
            ("day", "days"),
            ("alias", "aliases"),
            ("bus", "buses"),
            ("analysis", "analyses"),
        ] {
            assert_eq!(pluralize(s), p, "{s}");
            assert_eq!(singularize(p), s, "{p}");
            assert!(is_plural(p), "{p}");
            assert!(!is_plural(s), "{s}");
            assert!(is_singular(s), "{s}");
            assert!(!is_singular(p), "{p}");
        }
        assert!(is_plural("data") && is_singular("data"));
        assert!(is_singular("news") && is_plural("news"));
    }
}
