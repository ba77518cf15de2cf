//! Every output format on one fixed scenario (insta snapshots), the SARIF
//! output validated against the SARIF 2.1.0 schema, the JUnit output
//! checked as XML, and the binary writing several formats at once.
//!
//! The scenario: main has migrations 000001 and 000003 and a
//! `.sqlgate.yml`; the pull request turns `version-order` off in it, adds
//! 000002 (out of order), 000004 without a down script, with a suppressed
//! typo and a statement that does not parse (its message carries `%`, `,`,
//! `:`, quotes and `<>`, which every format must escape), and an empty
//! 000005 with a suppression that gives no reason.

mod common;

use serde_json::Value;
use sqlgate::config::Config;
use sqlgate::pipeline::{check_sources, Outcome};
use sqlgate::report::{self, Format, Report, Style};
use sqlgate::source::MemSource;

/// The rules the snapshots cover. Rules added later may find more in the
/// scenario; they are left out here so these snapshots only change when a
/// format does.
const RULES: &[&str] = &[
    "syntax-error",
    "empty-migration",
    "migration-filename",
    "missing-down",
    "duplicate-version",
    "version-order",
    "applied-migration-modified",
    "suppression-without-reason",
    "config-weakened",
];

const BASE_CONFIG: &str = "\
dialect: postgres
migrations:
  - dir: db/migrations
    layout: golang-migrate
";

const HEAD_CONFIG: &str = "\
dialect: postgres
migrations:
  - dir: db/migrations
    layout: golang-migrate
rules:
  version-order: off   # the hotfix branch is older than main
";

fn base() -> MemSource {
    let mut base = MemSource::default();
    base.insert(".sqlgate.yml", BASE_CONFIG);
    base.insert(
        "db/migrations/000001_create_users.up.sql",
        "CREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL\n);\n",
    );
    base.insert(
        "db/migrations/000001_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    base.insert(
        "db/migrations/000003_create_orders.up.sql",
        "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    user_id bigint NOT NULL REFERENCES users (id),\n    note text\n);\n",
    );
    base.insert(
        "db/migrations/000003_create_orders.down.sql",
        "DROP TABLE orders;\n",
    );
    base
}

fn shipments(prefix: &str) -> String {
    format!(
        "{prefix}-- shipments, one per order\n\
         -- sqlgate:ignore syntax-error our fork of the server accepts TABEL\n\
         CREATE TABEL shipments (id bigint PRIMARY KEY, order_id bigint NOT NULL);\n\
         \n\
         UPDATE orders SET note = 'shipped' WHERE id = 1 '50%, \"as is\": <none>';\n"
    )
}

fn head(shipments_prefix: &str) -> MemSource {
    let mut head = base();
    head.insert(".sqlgate.yml", HEAD_CONFIG);
    head.insert(
        "db/migrations/000002_add_email_index.up.sql",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
    );
    head.insert(
        "db/migrations/000002_add_email_index.down.sql",
        "DROP INDEX idx_users_email;\n",
    );
    head.insert(
        "db/migrations/000004_add_shipments.up.sql",
        shipments(shipments_prefix),
    );
    head.insert(
        "db/migrations/000005_placeholder.up.sql",
        "-- sqlgate:ignore empty-migration\n-- filled in by the next release\n",
    );
    head.insert("db/migrations/000005_placeholder.down.sql", "SELECT 1;\n");
    head
}

fn outcome_with(shipments_prefix: &str) -> Outcome {
    let config = Config::parse(BASE_CONFIG, ".sqlgate.yml").unwrap();
    let mut outcome = check_sources(&config, Some(&base()), &head(shipments_prefix), "main")
        .expect("the scenario runs");
    outcome
        .findings
        .retain(|f| RULES.contains(&f.rule.as_str()));
    outcome.rules.retain(|r| RULES.contains(&r.as_str()));
    outcome
}

fn outcome() -> Outcome {
    outcome_with("")
}

fn render(format: Format, outcome: &Outcome) -> String {
    let report = Report {
        findings: &outcome.findings,
        sources: &outcome.sources,
        checked: outcome.checked,
        suppressions: &outcome.suppressions,
        files: &outcome.files,
        rules: &outcome.rules,
        baselined: outcome.baselined,
    };
    report::render(format, &report, Style::Plain)
}

#[test]
fn the_scenario_finds_what_it_is_built_for() {
    let rules: Vec<String> = outcome().findings.into_iter().map(|f| f.rule).collect();
    for rule in [
        "config-weakened",
        "version-order",
        "missing-down",
        "syntax-error",
        "empty-migration",
        "suppression-without-reason",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} missing in {rules:?}"
        );
    }
}

#[test]
fn human_format() {
    insta::assert_snapshot!("human", render(Format::Human, &outcome()));
}

#[test]
fn json_format() {
    insta::assert_snapshot!("json", render(Format::Json, &outcome()));
}

#[test]
fn github_format() {
    insta::assert_snapshot!("github", render(Format::Github, &outcome()));
}

#[test]
fn markdown_format() {
    insta::assert_snapshot!("markdown", render(Format::Markdown, &outcome()));
}

#[test]
fn gitlab_format() {
    insta::assert_snapshot!("gitlab", render(Format::Gitlab, &outcome()));
}

#[test]
fn rdjson_format() {
    insta::assert_snapshot!("rdjson", render(Format::Rdjson, &outcome()));
}

/// The SARIF log with what changes for reasons other than the format
/// redacted: the version, the rules' metadata (every rule's YAML) and
/// their indexes in it (checked by `sarif_rule_index_names_the_rule`).
#[test]
fn sarif_format() {
    let mut log: Value = serde_json::from_str(&render(Format::Sarif, &outcome())).unwrap();
    let driver = &mut log["runs"][0]["tool"]["driver"];
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    driver["rules"] = "[one entry per rules/*.yaml]".into();
    for result in log["runs"][0]["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = "[index]".into();
    }
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&log).unwrap());
}

/// The failing and warning cases in full; the passing ones (one per rule
/// and file, which grow with every rule added) are counted by
/// `junit_has_one_case_per_rule_and_file`.
#[test]
fn junit_format() {
    let xml = render(Format::Junit, &outcome());
    let shown: Vec<&str> = xml
        .lines()
        .filter(|l| !(l.trim_start().starts_with("<testcase") && l.ends_with("/>")))
        .map(|l| {
            if l.contains("<testsuite") {
                "[suite counts]"
            } else {
                l
            }
        })
        .collect();
    insta::assert_snapshot!("junit", shown.join("\n"));
}

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0-subset.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    let log: Value = serde_json::from_str(&render(Format::Sarif, &outcome())).unwrap();
    let errors = schema_errors(&validator, &log);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let empty: Value = serde_json::from_str(&render(Format::Sarif, &Outcome::default())).unwrap();
    let errors = schema_errors(&validator, &empty);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_schema_rejects_what_sarif_forbids() {
    let validator = sarif_validator();
    let mut log: Value = serde_json::from_str(&render(Format::Sarif, &outcome())).unwrap();
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    log["runs"][0]["results"][2]["unknownProperty"] = true.into();
    log["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("id");
    assert_eq!(schema_errors(&validator, &log).len(), 4);
}

#[test]
fn sarif_rule_index_names_the_rule_and_every_rule_has_help() {
    let log: Value = serde_json::from_str(&render(Format::Sarif, &outcome())).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), sqlgate::rules::metas().len());
    for rule in rules {
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**Bad**"));
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn fingerprints_stay_when_lines_move_and_differ_between_findings() {
    let fingerprints = |outcome: &Outcome| -> Vec<(String, String, u64)> {
        let log: Value = serde_json::from_str(&render(Format::Sarif, outcome)).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["sqlgate/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&outcome());
    let after = fingerprints(&outcome_with("-- reviewed by the DBA team\n\n"));
    let syntax = |all: &[(String, String, u64)]| {
        all.iter()
            .find(|(rule, ..)| rule == "syntax-error")
            .cloned()
            .unwrap()
    };
    assert_ne!(syntax(&before).2, syntax(&after).2, "the line moved");
    assert_eq!(
        syntax(&before).1,
        syntax(&after).1,
        "the fingerprint did not"
    );
    let mut unique: Vec<&String> = before.iter().map(|(_, f, _)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), before.len());
}

#[test]
fn junit_has_one_case_per_rule_and_file() {
    let outcome = outcome();
    let xml = render(Format::Junit, &outcome);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(suite.tag_name().name(), "testsuite");
    let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
    assert!(cases.iter().all(|c| c.tag_name().name() == "testcase"));
    // Every script checked has a case for every rule; the configuration
    // file has one for the rule that reported on it.
    assert_eq!(cases.len(), outcome.files.len() * outcome.rules.len() + 1);
    let count = |name: &str| -> usize { suite.attribute(name).unwrap().parse().unwrap() };
    assert_eq!(count("tests"), cases.len());
    let failures: Vec<_> = cases
        .iter()
        .flat_map(|c| c.children().filter(|n| n.has_tag_name("failure")))
        .collect();
    assert_eq!(count("failures"), failures.len());
    let errors = outcome
        .findings
        .iter()
        .filter(|f| f.severity == sqlgate::finding::Severity::Error)
        .count();
    assert_eq!(failures.len(), errors);
    for failure in &failures {
        let case = failure.parent().unwrap();
        let rule = case
            .attribute("classname")
            .unwrap()
            .strip_prefix("sqlgate.")
            .unwrap();
        assert_eq!(failure.attribute("type"), Some(rule));
        assert!(!failure.attribute("message").unwrap().is_empty());
        let file = case.attribute("file").unwrap();
        assert!(
            failure.text().unwrap().starts_with(&format!("{file}:")),
            "{:?}",
            failure.text()
        );
    }
    let syntax = failures
        .iter()
        .find(|f| f.attribute("type") == Some("syntax-error"))
        .unwrap();
    assert!(syntax.attribute("message").unwrap().contains("<none>"));
    let warnings = cases
        .iter()
        .flat_map(|c| c.children().filter(|n| n.has_tag_name("system-out")))
        .count();
    assert_eq!(warnings, 2, "config-weakened and empty-migration");
}

#[test]
fn one_run_writes_several_formats_and_the_github_job_summary() {
    let repo = common::shop();
    repo.branch("feature/old");
    repo.migration(
        "20240110000000_add_email_index",
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
        "DROP INDEX idx_users_email;\n",
    );
    repo.commit("index");
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let file = |name: &str| out.path().join(name).display().to_string();
    let run = common::without_ci(&mut std::process::Command::new(common::sqlgate_bin()))
        .args([
            "check",
            "--base",
            "main",
            "--format",
            "github",
            "--output",
            &format!("sarif={}", file("sqlgate.sarif")),
            "--output",
            &format!("junit={}", file("junit.xml")),
            "--output",
            &format!("markdown={}", file("comment.md")),
        ])
        .current_dir(repo.path())
        .env_remove("GIT_DIR")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("::error file=db/migrations/20240110000000_add_email_index.up.sql,line=1,title=version-order::"),
        "{stdout}"
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(file("sqlgate.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "version-order");
    let junit = std::fs::read_to_string(file("junit.xml")).unwrap();
    roxmltree::Document::parse(&junit).unwrap();
    let comment = std::fs::read_to_string(file("comment.md")).unwrap();
    assert!(comment.starts_with("### ❌ sqlgate: 1 error"), "{comment}");
    let job_summary = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(job_summary, format!("# earlier step\n{comment}"));
}

#[test]
fn an_output_that_cannot_be_written_stops_the_check() {
    let repo = common::shop();
    let run = repo.sqlgate(&[
        "check",
        "--base",
        "main",
        "--output",
        "sarif=/nonexistent-dir/x.sarif",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write /nonexistent-dir/x.sarif"),
        "{}",
        run.stderr
    );
    let bad = repo.sqlgate(&["check", "--base", "main", "--output", "xml=out.xml"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown format `xml`"),
        "{}",
        bad.stderr
    );
}
