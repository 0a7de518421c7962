//! The scan core from the command line, on the shipped fixtures.

use crate::util::{codes, json, model, run, status};

#[test]
fn scan_reports_one_entry_per_model_folder() {
    let (report, out) = json(&["scan", "fixtures/models", "--format", "json"]);
    assert_eq!(report["schema"], "model-license/report@1");
    let targets: Vec<&str> = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 12, "{targets:?}");
    assert!(
        targets.windows(2).all(|w| w[0] < w[1]),
        "sorted: {targets:?}"
    );
    // The malformed card is named on stderr and makes the exit code 2; everything else is reported.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("malformed-card/README.md"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn llama_card_and_texts_give_the_community_license_matrix() {
    let (report, _) = json(&[
        "scan",
        "fixtures/models/llama-3.1-8b-instruct",
        "--format",
        "json",
    ]);
    let m = model(&report, "llama-3.1-8b-instruct");
    assert_eq!(m["license"]["key"], "llama3.1");
    assert_eq!(m["name"], "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(status(m, "commercial_use"), "conditional");
    assert_eq!(m["matrix"]["scale_clause"]["threshold"], 700_000_000u64);
    assert_eq!(
        m["matrix"]["scale_clause"]["metric"],
        "monthly_active_users"
    );
    assert_eq!(m["matrix"]["acceptable_use_policy"]["incorporated"], true);
    assert!(m["matrix"]["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "Built with Llama"));
    assert_eq!(m["base_models"][0], "meta-llama/Llama-3.1-8B");
    let sources: Vec<&str> = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"model-card") && sources.contains(&"license-file"),
        "{sources:?}"
    );
}

#[test]
fn a_conflict_follows_the_more_restrictive_license_and_says_so() {
    let (report, _) = json(&["scan", "fixtures/models", "--format", "json"]);
    let m = model(&report, "card-says-apache-file-says-nc");
    assert_eq!(m["license"]["key"], "cc-by-nc-4.0");
    assert_eq!(status(m, "commercial_use"), "forbidden");
    assert!(codes(m).contains(&"license-conflict"));
    assert_eq!(
        m["licenses"],
        serde_json::json!(["apache-2.0", "cc-by-nc-4.0"])
    );
}

#[test]
fn missing_and_unresolved_licenses_are_unknown_never_allowed() {
    let (report, _) = json(&["scan", "fixtures/models", "--format", "json"]);
    for (suffix, code) in [
        ("no-license", "no-license"),
        ("license-other-unresolved", "license-other-unresolved"),
    ] {
        let m = model(&report, suffix);
        assert!(m["license"].is_null(), "{suffix}");
        for p in [
            "self_hosting",
            "commercial_use",
            "redistribution",
            "derivatives",
            "output_training",
        ] {
            assert_eq!(status(m, p), "unknown", "{suffix} {p}");
        }
        assert_eq!(codes(m), [code]);
    }
}

#[test]
fn research_license_named_in_card_forbids_commercial_use() {
    let (report, _) = json(&["scan", "fixtures/models/qwen2.5-3b", "--format", "json"]);
    let m = model(&report, "qwen2.5-3b");
    assert_eq!(m["license"]["key"], "qwen-research-2024");
    assert_eq!(status(m, "commercial_use"), "forbidden");
}

#[test]
fn a_notice_in_a_readme_license_section_identifies_the_version() {
    let (report, _) = json(&[
        "scan",
        "fixtures/models/notice-in-readme",
        "--format",
        "json",
    ]);
    let m = model(&report, "notice-in-readme");
    assert_eq!(m["license"]["key"], "llama3.2");
}

#[test]
fn malformed_front_matter_keeps_the_salvaged_license_but_fails_closed() {
    let (report, out) = json(&["scan", "fixtures/models/malformed-card", "--format", "json"]);
    let m = model(&report, "malformed-card");
    assert_eq!(codes(m), ["unknown-license", "malformed-metadata"]);
    assert_eq!(m["findings"][1]["path"], "README.md");
    assert_eq!(m["license"]["key"], "mit");
    // The license keys did not parse cleanly: what was salvaged is shown, never trusted.
    assert_eq!(status(m, "commercial_use"), "unknown");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_single_license_file_is_a_target() {
    let (report, out) = json(&[
        "scan",
        "license-db/texts/apache-2.0.txt",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report["models"][0]["kind"], "file");
    assert_eq!(report["models"][0]["license"]["key"], "apache-2.0");
}

#[test]
fn a_missing_target_is_an_error_and_the_others_are_still_scanned() {
    let (report, out) = json(&[
        "scan",
        "does/not/exist",
        "fixtures/models/apache-model",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report["errors"][0]["target"], "does/not/exist");
    assert_eq!(report["models"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist: no such file or folder"));
}

#[test]
fn api_models_get_the_providers_terms() {
    let (report, _) = json(&["scan", "api:openai/gpt-4o", "--format", "json"]);
    let m = &report["models"][0];
    assert_eq!(m["kind"], "api");
    assert_eq!(m["license"]["key"], "openai-api-terms");
    assert_eq!(status(m, "self_hosting"), "forbidden");
    assert_eq!(status(m, "redistribution"), "forbidden");
}

#[test]
fn table_has_no_colour_when_piped_and_markdown_escapes_cells() {
    let out = run(&["scan", "fixtures/models"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("MODEL"), "{table}");
    assert!(!table.contains('\x1b'));
    assert!(table.contains("fixtures/models/apache-model"));
    let out = run(&["scan", "fixtures/models", "--color", "always"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b[31mforbidden"));
    let out = run(&["scan", "fixtures/models", "--format", "markdown"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| Model | License | self-hosting | commercial use |"));
    assert!(md.contains("- **commercial use**: forbidden"));
}

#[test]
fn licenses_lists_the_db_and_shows_one_record() {
    let out = run(&["licenses"]);
    let list = String::from_utf8_lossy(&out.stdout);
    for key in [
        "llama3.1",
        "gemma-2025-03-24",
        "qwen-research-2024",
        "cc-by-nc-4.0",
        "openrail",
        "creativeml-openrail-m",
    ] {
        assert!(list.lines().any(|l| l.starts_with(key)), "{key} missing");
    }
    let out = run(&["licenses", "Llama-3.1"]);
    assert_eq!(out.status.code(), Some(0));
    let one = String::from_utf8_lossy(&out.stdout);
    assert!(
        one.contains("700000000")
            && one.contains("Decisive clauses")
            && one.contains("scancode-toolkit 32.5.0"),
        "{one}"
    );
    let out = run(&["licenses", "no-such-license"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_edited_scale_clause_is_a_modified_license_and_never_allowed() {
    let (report, _) = json(&[
        "scan",
        "fixtures/models/modified-llama-scale",
        "--format",
        "json",
    ]);
    let m = model(&report, "modified-llama-scale");
    assert_eq!(m["license"]["key"], "llama3.1");
    assert!(codes(m).contains(&"modified-license"), "{m:#}");
    assert_eq!(status(m, "commercial_use"), "unknown");
    // The clause shown is the reference's, flagged as edited in this copy (a typed field,
    // not a sentinel in the prose).
    assert_eq!(m["matrix"]["scale_clause"]["edited"], true, "{m:#}");
    let table =
        String::from_utf8_lossy(&run(&["scan", "fixtures/models/modified-llama-scale"]).stdout)
            .into_owned();
    assert!(
        table.contains("edited") && table.contains("modified-license"),
        "{table}"
    );
}

#[test]
fn prose_license_files_and_restricting_lines_are_read_conservatively() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "split/LICENSE",
        "The model weights are licensed under CC BY-NC 4.0. The code is MIT.\n",
    );
    write("nc-readme/README.md", "---\nlicense: mit\n---\n# m\n\n## License\n\nMIT, but for non-commercial use only; contact us for a commercial license.\n");
    write("custom/README.md", "---\nlicense: apache-2.0\n---\n# m\n");
    write("custom/LICENSE", &"ACME MODEL LICENSE\nYou may use this model only on Tuesdays, and never to sell anything.\n".repeat(20));
    let (report, _) = json(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    let split = model(&report, "split");
    assert_eq!(
        split["licenses"],
        serde_json::json!(["cc-by-nc-4.0", "mit"])
    );
    assert_eq!(status(split, "commercial_use"), "forbidden");
    let nc = model(&report, "nc-readme");
    assert!(codes(nc).contains(&"added-terms"), "{nc:#}");
    assert_eq!(status(nc, "commercial_use"), "unknown");
    // A license file that cannot be identified puts every permission in doubt, whatever the card says.
    let custom = model(&report, "custom");
    assert!(codes(custom).contains(&"unknown-license"));
    for p in [
        "self_hosting",
        "commercial_use",
        "redistribution",
        "derivatives",
        "output_training",
    ] {
        assert_eq!(status(custom, p), "unknown", "{p}");
    }
}

#[test]
fn audit_shards_partition_the_targets() {
    let targets = [
        "fixtures/models/apache-model",
        "fixtures/models/gemma-2b",
        "fixtures/models/qwen2.5-3b",
        "fixtures/models/no-license",
        "api:openai/gpt-4o",
    ];
    let mut seen = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = vec!["audit", "--format", "json", "--shard", &shard];
        args.extend(targets);
        let (report, out) = json(&args);
        assert_eq!(out.status.code(), Some(0));
        seen.extend(
            report["models"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["target"].as_str().unwrap().to_string()),
        );
    }
    seen.sort();
    let mut want: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    want.sort();
    assert_eq!(seen, want, "every target in exactly one shard");
    assert_eq!(
        run(&["audit", "--shard", "3/3", "x"]).status.code(),
        Some(2)
    );
}

#[test]
fn every_renderer_tells_the_whole_verdict() {
    let text = |args: &[&str]| {
        let out = crate::util::run(args);
        String::from_utf8(out.stdout).unwrap()
    };
    let target = "fixtures/layouts/all-MiniLM-L6-v2";
    // The Markdown report has its evidence section and all five permissions.
    let md = text(&["scan", target, "--format", "markdown"]);
    assert!(
        md.contains("| Evidence | Where |") && md.contains("README.md:3"),
        "{md}"
    );
    assert!(
        md.contains("self-hosting") && md.contains("output training"),
        "{md}"
    );
    // The table shows self-hosting and output training with --wide.
    let narrow = text(&["scan", target]);
    let wide = text(&["scan", target, "--wide"]);
    assert!(
        !narrow.contains("SELF-HOST")
            && wide.contains("SELF-HOST")
            && wide.contains("OUTPUT-TRAIN")
    );
    // `check --format csv` is CSV, one row per model with its outcome.
    let csv = text(&["check", target, "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("target,name,license,outcome,violations,waived")
    );
    assert!(lines.next().unwrap().contains(",apache-2.0,pass,"), "{csv}");
}
