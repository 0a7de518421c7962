//! The HTML report: one self-contained page, every scanned string escaped, and (with
//! Chromium) a page that renders with no console error and no network request.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::run_in;

const HOSTILE: &str = "<img src=x onerror=alert(1)><script>alert(2)</script>";

/// Fifty models of varied licenses, one with a hostile name.
fn fifty(dir: &Path) -> PathBuf {
    let licenses = [
        "apache-2.0",
        "mit",
        "llama3.1",
        "cc-by-nc-4.0",
        "gemma",
        "other",
        "openrail",
        "mit but no commercial use",
    ];
    let models = dir.join("models");
    for i in 0..50 {
        let d = models.join(format!("m{i:02}"));
        std::fs::create_dir_all(&d).unwrap();
        let name = if i == 7 {
            format!("\"{HOSTILE}\"")
        } else {
            format!("org/m{i:02}")
        };
        let card = format!(
            "---\nlicense: {}\nmodel_name: {name}\n---\n# m{i}\n",
            licenses[i % licenses.len()]
        );
        std::fs::write(d.join("README.md"), card).unwrap();
    }
    let out = run_in(dir, &["audit", "models", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    let page = dir.join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();
    page
}

#[test]
fn the_page_is_self_contained_and_escapes_what_it_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(fifty(dir.path())).unwrap();
    assert_eq!(html.matches("<tr class=\"model\"").count(), 50);
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    // Nothing is loaded from elsewhere.
    for attr in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(attr), "{attr}");
    }
    assert!(!html.contains(HOSTILE));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"));
    // Filters and the heatmap classes are there.
    for needle in [
        "id=\"f-group\"",
        "id=\"f-license\"",
        "class=\"s forbidden\"",
        "<details>",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
}

fn chromium() -> Option<PathBuf> {
    std::env::var_os("CHROMIUM").map(PathBuf::from).or_else(|| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|n| Path::new("/usr/bin").join(n))
            .find(|p| p.exists())
    })
}

#[test]
#[ignore = "needs chromium"]
fn the_page_renders_in_chromium_without_errors_or_requests() {
    let browser = chromium().expect("chromium (set CHROMIUM or install Debian's chromium)");
    let dir = tempfile::tempdir().unwrap();
    let page = fifty(dir.path());
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("report.png");
    let netlog = dir.path().join("net.json");
    let out = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,1000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.len() > 10_000 && png.starts_with(b"\x89PNG"),
        "a real screenshot"
    );
    // No console error (Chromium logs console messages to stderr as CONSOLE lines).
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "{console:#?}");
    // No network request from the page: the net log names no http(s) URL but the browser's
    // own background services (updates, time, accounts, spelling dictionaries: Google hosts).
    let net = std::fs::read_to_string(&netlog).unwrap_or_default();
    let browser_own = |url: &str| {
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        [".google.com", ".googleapis.com", ".gvt1.com"]
            .iter()
            .any(|h| host.ends_with(h))
    };
    let requested: Vec<&str> = net
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|u| u.starts_with("http") && !browser_own(u))
        .collect();
    assert!(requested.is_empty(), "the page requested {requested:?}");
    assert!(net.contains("\"url\":\""), "the net log was written");
    // The hostile name is text in the rendered DOM, not an element.
    let dom = Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile2").display()
        ))
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "escaped in the DOM"
    );
    assert!(!dom.contains("<img src=\"x\""));
    if let Some(keep) = std::env::var_os("KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
