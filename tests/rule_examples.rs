//! Every example in every `rules/<rule-id>.yaml` runs here: each bad
//! example must raise its rule and each good one must not.

use sqlgate::config::{Config, Level, MigrationDir};
use sqlgate::pipeline::{check_sources, check_sources_in_environments};
use sqlgate::rules::{metas, Example};
use sqlgate::source::{FileSource, MemSource};
use sqlgate::sql::Dialect;

fn raised(rule: &str, example: &Example) -> Vec<String> {
    let mut config = match &example.config {
        Some(text) => Config::parse(text, &format!("{rule} example config"))
            .unwrap_or_else(|e| panic!("{rule}: example {:?}: {e}", example.description)),
        None => Config::default(),
    };
    // Examples show what a rule catches when it runs, including rules that
    // are off by default.
    config.rules.entry(rule.to_string()).or_insert(Level::Error);
    if let Some(d) = &example.dialect {
        config.dialect =
            Dialect::from_name(d).unwrap_or_else(|| panic!("{rule}: unknown dialect {d}"));
    }
    let outcome = if let Some(sql) = &example.sql {
        config.migrations = vec![MigrationDir {
            dir: "migrations".into(),
            layout: "plain".into(),
            ..MigrationDir::default()
        }];
        let mut head = MemSource::default();
        head.insert("migrations/0001_example.sql", sql.as_bytes());
        check_sources(&config, None, &head, "main")
    } else {
        let mut base = MemSource::default();
        let mut head = MemSource::default();
        for (path, text) in &example.base {
            base.insert(path.clone(), text.as_bytes());
            if !example.deleted.contains(path) {
                head.insert(path.clone(), text.as_bytes());
            }
        }
        for (path, text) in &example.head {
            head.insert(path.clone(), text.as_bytes());
        }
        if example.environments.is_empty() && example.target.is_none() {
            check_sources(&config, Some(&base), &head, "main")
        } else {
            let envs: Vec<Option<MemSource>> = config
                .environments
                .iter()
                .map(|env| {
                    example.environments.get(&env.name).map(|files| {
                        let mut source = MemSource::default();
                        for (path, text) in files {
                            source.insert(path.clone(), text.as_bytes());
                        }
                        source
                    })
                })
                .collect();
            let envs: Vec<Option<&dyn FileSource>> = envs
                .iter()
                .map(|e| e.as_ref().map(|s| s as &dyn FileSource))
                .collect();
            let target = example.target.as_deref().map(|t| {
                config
                    .environment_for(t)
                    .unwrap_or_else(|| panic!("{rule}: unknown target environment {t}"))
            });
            check_sources_in_environments(&config, Some(&base), &head, "main", &envs, target)
        }
    };
    let outcome = outcome.unwrap_or_else(|e| {
        panic!(
            "{rule}: example {:?} could not run: {e}",
            example.description
        )
    });
    outcome.findings.into_iter().map(|f| f.rule).collect()
}

#[test]
fn every_bad_example_raises_its_rule_and_no_good_one_does() {
    let mut failures = Vec::new();
    let mut count = 0;
    for meta in metas() {
        assert!(
            !meta.examples.bad.is_empty(),
            "{} has no bad example",
            meta.id
        );
        assert!(
            !meta.examples.good.is_empty(),
            "{} has no good example",
            meta.id
        );
        for example in &meta.examples.bad {
            count += 1;
            let rules = raised(&meta.id, example);
            if !rules.contains(&meta.id) {
                failures.push(format!(
                    "{}: bad example {:?} raised {:?}",
                    meta.id, example.description, rules
                ));
            }
        }
        for example in &meta.examples.good {
            count += 1;
            let rules = raised(&meta.id, example);
            if rules.contains(&meta.id) {
                failures.push(format!(
                    "{}: good example {:?} raised it",
                    meta.id, example.description
                ));
            }
        }
    }
    assert!(count > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_file_is_named_after_its_id() {
    for meta in metas() {
        let path = format!("{}/rules/{}.yaml", env!("CARGO_MANIFEST_DIR"), meta.id);
        assert!(std::path::Path::new(&path).exists(), "{path} is missing");
    }
    let on_disk = std::fs::read_dir(format!("{}/rules", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .count();
    assert_eq!(
        on_disk,
        metas().len(),
        "every rules/*.yaml must be registered in src/rules/mod.rs"
    );
}

#[test]
fn every_safety_rule_shows_a_safe_alternative_that_passes_it() {
    let mut failures = Vec::new();
    for meta in metas() {
        if meta.category == "safety" && meta.instead.is_none() {
            failures.push(format!("{} has no `instead:` migration", meta.id));
        }
        let Some(instead) = &meta.instead else {
            continue;
        };
        let dialect = meta.dialects.iter().find(|d| d.as_str() != "all").cloned();
        let example = Example {
            description: Some("the safe alternative".to_string()),
            sql: Some(instead.clone()),
            dialect,
            ..Example::default()
        };
        let rules = raised(&meta.id, &example);
        if rules.contains(&meta.id) {
            failures.push(format!("{}: its `instead:` migration raises it", meta.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
