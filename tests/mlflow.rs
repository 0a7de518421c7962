//! The MLflow Model Registry, audited from the CLI against a real MLflow tracking server
//! (sqlite backend, artifacts served by the server, on 127.0.0.1), populated by
//! tests/support/mlflow_registry.py with versions laid out as mlflow.transformers saves
//! them. Needs MLflow: `MLFLOW_VENV` (a virtualenv with `pip install mlflow`), else
//! `mlflow` and `python3` on PATH; `.ci/run` installs it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::root;

/// A tracking server, stopped (with its worker processes) when dropped.
struct Server {
    child: Child,
    url: String,
    _work: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server runs in its own session (setsid): stop the whole group.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["--", &format!("-{pid}")])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools() -> (PathBuf, PathBuf) {
    match std::env::var_os("MLFLOW_VENV").filter(|v| !v.is_empty()) {
        Some(venv) => {
            let venv = PathBuf::from(venv);
            (venv.join("bin/mlflow"), venv.join("bin/python"))
        }
        None => (PathBuf::from("mlflow"), PathBuf::from("python3")),
    }
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.contains(" 200 ")
}

fn start() -> Server {
    let (mlflow, python) = tools();
    let work = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("setsid")
        .arg(&mlflow)
        .args(["server", "--host", "127.0.0.1", "--workers", "1"])
        .args(["--port", &port.to_string()])
        .arg("--backend-store-uri")
        .arg(format!(
            "sqlite:///{}",
            work.path().join("db.sqlite").display()
        ))
        .arg("--artifacts-destination")
        .arg(work.path().join("artifacts"))
        .env("MLFLOW_DISABLE_TELEMETRY", "true")
        .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mlflow server starts (set MLFLOW_VENV)");
    let url = format!("http://127.0.0.1:{port}");
    let server = Server {
        child,
        url,
        _work: work,
    };
    let t0 = Instant::now();
    while !healthy(port) {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "mlflow server never answered"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let populated = Command::new(&python)
        .arg(root().join("tests/support/mlflow_registry.py"))
        .arg(&server.url)
        .output()
        .unwrap();
    assert!(
        populated.status.success(),
        "{}",
        String::from_utf8_lossy(&populated.stderr)
    );
    server
}

fn cli(args: &[&str], env: &[(&str, &str)]) -> (Value, std::process::Output) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_model-license"));
    cmd.args(args).current_dir(root());
    for k in [
        "MLFLOW_TRACKING_URI",
        "MLFLOW_TRACKING_TOKEN",
        "MLFLOW_TRACKING_USERNAME",
        "MLFLOW_TRACKING_PASSWORD",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out)
}

#[test]
#[ignore = "needs MLflow"]
fn an_mlflow_registry_is_audited_version_by_version() {
    let server = start();
    let (doc, out) = cli(&["audit", "--mlflow", &server.url, "--format", "json"], &[]);
    // broken-model's artifacts are gone: an error for that version, the rest reported.
    assert_eq!(out.status.code(), Some(2), "{doc:#}");
    let by = |target: &str| {
        doc["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["target"] == target)
            .unwrap_or_else(|| panic!("{target} in {doc:#}"))
    };
    let llama = by("mlflow:llama-ft/1");
    assert_eq!(llama["kind"], "mlflow");
    assert_eq!(llama["license"]["key"], "llama3.1");
    assert_eq!(llama["matrix"]["commercial_use"]["status"], "conditional");
    // Aliases and stages are shown.
    let name = llama["name"].as_str().unwrap();
    assert!(
        name.contains("@champion") && name.contains("Production"),
        "{name}"
    );
    // MLflow 3 logged model, license declared only in the fallback LICENSE.txt note.
    let nc = by("mlflow:nc-model/1");
    assert_eq!(nc["license"]["key"], "cc-by-nc-4.0");
    assert_eq!(nc["matrix"]["commercial_use"]["status"], "forbidden");
    for v in ["mlflow:apache-model/1", "mlflow:apache-model/2"] {
        assert_eq!(by(v)["license"]["key"], "apache-2.0", "{v}");
    }
    assert!(doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["target"] != "mlflow:broken-model/1"));
    let errors = doc["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["target"] == "mlflow:broken-model/1"),
        "{errors:?}"
    );
    // Every version of the registry is one model: the weights folder is part of it.
    assert_eq!(doc["models"].as_array().unwrap().len(), 4);
    assert_eq!(doc["summary"]["groups"]["restricted"], 1);
    // One version as a target, the server from MLFLOW_TRACKING_URI.
    let (one, out) = cli(
        &["scan", "mlflow:apache-model/2", "--format", "json"],
        &[("MLFLOW_TRACKING_URI", &server.url)],
    );
    assert_eq!(out.status.code(), Some(0), "{one:#}");
    assert_eq!(one["models"][0]["license"]["key"], "apache-2.0");
    assert!(one["models"][0]["name"].as_str().unwrap().contains("@prod"));
}
