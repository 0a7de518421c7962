//! The hostile-input suite: a registry folder of good models mixed with every kind of bad
//! file a stranger can leave. Every good model is reported correctly, every bad file is
//! named in a finding, nothing hangs or panics, and memory stays bounded.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{codes, license_text as text, status};

fn card(dir: &Path, front: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("README.md"), format!("---\n{front}---\n# model\n")).unwrap();
}

/// Builds the registry and returns the names of the bad files it holds.
fn build_registry(top: &Path) -> Vec<&'static str> {
    // Good models.
    card(&top.join("good-apache"), "license: apache-2.0\n");
    fs::write(top.join("good-apache/LICENSE"), text("apache-2.0")).unwrap();
    card(&top.join("good-nc"), "license: cc-by-nc-4.0\n");
    let utf16 = top.join("good-utf16");
    fs::create_dir_all(&utf16).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text("mit").encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(utf16.join("LICENSE"), bytes).unwrap();
    let odd = top.join(OsStr::from_bytes(b"good-\xff-name"));
    card(&odd, "license: apache-2.0\n");
    let mut deep = top.join("good-deep");
    for _ in 0..300 {
        deep.push("d");
    }
    card(&deep, "license: mit\n");

    // Bad files, each in a model folder of its own.
    let bad = |name: &str| {
        let d = top.join(name);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("config.json"), "{}").unwrap();
        d
    };
    fs::write(
        bad("binary").join("LICENSE"),
        [
            0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0,
        ],
    )
    .unwrap();
    let huge = fs::File::create(bad("huge").join("LICENSE")).unwrap();
    huge.set_len(1 << 30).unwrap();
    let fifo = bad("fifo").join("LICENSE");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    symlink("/dev/zero", bad("device").join("LICENSE.txt")).unwrap();
    symlink("LICENSE", bad("self-loop").join("LICENSE")).unwrap();
    symlink("..", bad("dir-loop").join("up")).unwrap();
    symlink("nowhere", bad("dangling").join("NOTICE")).unwrap();
    card(&top.join("bad-yaml"), "license: [mit\n  oops: : :\n");
    fs::write(bad("zero-byte").join("LICENSE"), "").unwrap();
    let llama = text("llama3.1");
    fs::write(bad("truncated").join("LICENSE"), &llama[..llama.len() / 3]).unwrap();
    let locked = bad("locked");
    fs::write(locked.join("LICENSE"), text("mit")).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    vec![
        "binary",
        "huge",
        "fifo",
        "device",
        "self-loop",
        "dangling",
        "bad-yaml",
    ]
}

/// Runs the scan (as an unprivileged user when we are root, so permissions bite), with a
/// deadline; returns the report, stderr, exit code and the child's peak RSS in KiB.
fn scan(top: &Path) -> (Value, String, Option<i32>, i64) {
    let bin = env!("CARGO_BIN_EXE_model-license");
    let as_root = is_root();
    let mut cmd = if as_root && Path::new("/usr/bin/setpriv").exists() {
        let mut c = Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    let mut child = cmd
        .args(["scan", "--format", "json"])
        .arg(top)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        // The high-water mark only grows, so the last reading before exit is the peak.
        peak = peak.max(vm_hwm_kib(child.id()));
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("scan hung on the hostile registry");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON: {e}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
        peak,
    )
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// The high-water mark of a running process's resident memory, in KiB (0 once it is gone).
fn vm_hwm_kib(pid: u32) -> i64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn model<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["target"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"))
}

#[test]
fn a_hostile_registry_is_scanned_completely_and_safely() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("registry");
    fs::create_dir_all(&top).unwrap();
    let bad_files = build_registry(&top);
    for p in [dir.path(), top.as_path()] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (report, stderr, code, peak_kib) = scan(&top);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(2), "unreadable input makes the exit code 2");

    // Every good model, correctly.
    let apache = model(&report, "good-apache");
    assert_eq!(apache["license"]["key"], "apache-2.0");
    assert_eq!(status(apache, "commercial_use"), "allowed");
    assert_eq!(
        status(model(&report, "good-nc"), "commercial_use"),
        "forbidden"
    );
    assert_eq!(model(&report, "good-utf16")["license"]["key"], "mit");
    assert_eq!(
        model(&report, "good-\u{fffd}-name")["license"]["key"],
        "apache-2.0"
    );
    assert_eq!(model(&report, "/d/d/d")["license"]["key"], "mit");

    // Every bad file, named in a finding of its model and in one line on stderr.
    for name in bad_files {
        let m = model(&report, name);
        let c = codes(m);
        assert!(
            c.contains(&"unreadable-file")
                || c.contains(&"unreadable-license")
                || c.contains(&"malformed-metadata"),
            "{name}: {c:?}"
        );
        assert!(
            stderr.lines().any(|l| l.contains(name)),
            "{name} not on stderr: {stderr}"
        );
        for p in ["commercial_use", "redistribution"] {
            assert_ne!(
                status(m, p),
                "allowed",
                "{name}: a bad file never yields allowed"
            );
        }
    }
    // Zero-byte and truncated texts are not licenses.
    assert!(model(&report, "zero-byte")["license"].is_null());
    if is_root() || !Path::new("/usr/bin/setpriv").exists() {
        // Only an unprivileged scan can be refused a folder.
        let locked = model(&report, "locked");
        assert!(codes(locked).contains(&"unreadable-file"), "{locked:#}");
    }
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    fs::set_permissions(top.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
}
