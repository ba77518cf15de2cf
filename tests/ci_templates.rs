//! The GitHub Action (`action.yml`) and the GitLab CI template
//! (`ci/gitlab/sqlgate.gitlab-ci.yml`) ask sqlgate for formats it has and
//! hand the files to the CI under the names the CI reads.

use serde_yaml::Value;
use sqlgate::report::Format;

fn yaml(path: &str) -> (String, Value) {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    (text, value)
}

/// The `FORMAT=PATH` pairs of every `--output` in a command line.
fn outputs(command: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == "--output")
        .filter_map(|w| {
            let (format, path) = w[1].trim_matches('"').split_once('=')?;
            Some((format.to_string(), path.to_string()))
        })
        .collect()
}

#[test]
fn the_github_action_runs_the_check_with_sarif_and_github_and_uploads_the_sarif() {
    let (text, action) = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let check = steps
        .iter()
        .find(|s| s["id"] == "check")
        .expect("a step with id check");
    let run = check["run"].as_str().unwrap();
    assert!(
        run.contains("check --format github --output \"sarif=$SARIF_FILE\""),
        "{run}"
    );
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
    // Every input the steps use is declared.
    let declared = action["inputs"].as_mapping().unwrap();
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            declared.contains_key(Value::from(name.clone())),
            "inputs.{name} is not declared"
        );
    }
}

#[test]
fn the_gitlab_template_writes_the_reports_gitlab_reads() {
    let (_, template) = yaml("ci/gitlab/sqlgate.gitlab-ci.yml");
    let job = &template[".sqlgate"];
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let check = script
        .iter()
        .find(|line| line.starts_with("sqlgate check"))
        .expect("a sqlgate check line");
    let written = outputs(check);
    for (format, _) in &written {
        assert!(
            Format::from_name(format).is_some(),
            "unknown format {format}"
        );
    }
    let path_of = |format: &str| {
        written
            .iter()
            .find(|(f, _)| f == format)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| panic!("no --output {format}=..."))
    };
    let reports = &job["artifacts"]["reports"];
    assert_eq!(reports["codequality"], path_of("gitlab").as_str());
    assert_eq!(reports["junit"], path_of("junit").as_str());
    assert_eq!(template["sqlgate"]["extends"], ".sqlgate");
}
