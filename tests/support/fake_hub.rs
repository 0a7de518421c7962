//! A fake Hugging Face Hub on 127.0.0.1 for tests and the audit benchmark: model info,
//! resolves, author listings with `Link` pagination, the Hub's `X-Error-Code` headers, gated
//! repos, and injected faults (statuses, delays, malformed JSON). It records every request.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

/// The token the fake Hub accepts for gated repos.
pub const TOKEN: &str = "hf_fake_token_0123456789";

/// One repo on the fake Hub.
#[derive(Clone, Debug)]
pub struct Repo {
    pub id: String,
    pub sha: String,
    pub card_data: Value,
    pub tags: Vec<String>,
    /// `false`, `"auto"`, `"manual"`.
    pub gated: Value,
    /// Path -> content. Weights are listed too; requesting them is a test failure.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Other revisions: name -> commit.
    pub revisions: HashMap<String, String>,
}

impl Repo {
    /// A repo with a README (front matter `license`) and the given extra files.
    pub fn new(id: &str, license: &str, files: &[(&str, &str)]) -> Self {
        let mut map = BTreeMap::new();
        map.insert(
            "README.md".to_string(),
            format!("---\nlicense: {license}\n---\n# {id}\n").into_bytes(),
        );
        for (path, text) in files {
            map.insert(path.to_string(), text.as_bytes().to_vec());
        }
        Repo {
            id: id.to_string(),
            sha: hex40(id),
            card_data: json!({ "license": license }),
            tags: vec![format!("license:{license}")],
            gated: json!(false),
            files: map,
            revisions: HashMap::new(),
        }
    }

    fn info(&self, sha: &str) -> Value {
        json!({
            "_id": format!("id-{}", self.id),
            "id": self.id,
            "sha": sha,
            "cardData": self.card_data,
            "tags": self.tags,
            "gated": self.gated,
            "siblings": self.files.keys().map(|f| json!({"rfilename": f})).collect::<Vec<_>>(),
        })
    }
}

/// A fault injected into the next `times` requests whose path contains `path`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub path: String,
    pub times: usize,
    pub kind: FaultKind,
}

/// What a fault does.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this status and headers.
    Status(u16, Vec<(String, String)>),
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Answer 200 with a body that is not JSON.
    Malformed,
}

#[derive(Default)]
struct State {
    repos: BTreeMap<String, Repo>,
    faults: Vec<Fault>,
    log: Vec<String>,
    page_size: usize,
    latency: Duration,
}

/// The running fake Hub.
pub struct FakeHub {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeHub {
    /// Starts a server on a free port, one thread per connection (`_threads` is kept for
    /// callers), with `latency` before each answer.
    pub fn start(repos: Vec<Repo>, _threads: usize, latency: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            repos: repos.into_iter().map(|r| (r.id.clone(), r)).collect(),
            page_size: 2,
            latency,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(&state, stream));
            }
        });
        FakeHub {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// Injects a fault.
    pub fn fault(&self, path: &str, times: usize, kind: FaultKind) {
        self.state.lock().unwrap().faults.push(Fault {
            path: path.to_string(),
            times,
            kind,
        });
    }

    /// Listing page size.
    pub fn page_size(&self, n: usize) {
        self.state.lock().unwrap().page_size = n;
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

/// A stable fake 40-hex id.
pub fn hex40(seed: &str) -> String {
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < 40 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (seed, i).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
        i += 1;
    }
    out.truncate(40);
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Reply = (u16, Vec<(String, String)>, Vec<u8>);

/// Serves one keep-alive connection: request line and headers (GET/HEAD have no body).
fn serve(state: &Mutex<State>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut writer = write_half;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, url) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut auth = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("authorization") {
                    auth = Some(v.trim().to_string());
                }
            }
        }
        let (status, headers, body) = handle(state, &method, &url, auth.as_deref());
        let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if method != "HEAD" {
            bytes.extend_from_slice(&body);
        }
        if writer.write_all(&bytes).is_err() {
            return;
        }
    }
}

fn handle(state: &Mutex<State>, method: &str, url: &str, auth: Option<&str>) -> Reply {
    let (latency, fault) = {
        let mut s = state.lock().unwrap();
        s.log.push(format!("{method} {url}"));
        let fault = s
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && url.contains(&f.path))
            .map(|f| {
                f.times -= 1;
                f.kind.clone()
            });
        (s.latency, fault)
    };
    std::thread::sleep(latency);
    match fault {
        Some(FaultKind::Status(code, headers)) => {
            (code, headers, b"{\"error\":\"injected\"}".to_vec())
        }
        Some(FaultKind::Malformed) => (200, vec![], b"{\"id\": \"truncated".to_vec()),
        Some(FaultKind::Delay(d)) => {
            std::thread::sleep(d);
            route(state, url, auth)
        }
        None => route(state, url, auth),
    }
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    (
        status,
        vec![
            ("X-Error-Code".into(), code.into()),
            ("X-Error-Message".into(), message.into()),
        ],
        json!({ "error": message }).to_string().into_bytes(),
    )
}

fn route(state: &Mutex<State>, url: &str, auth: Option<&str>) -> Reply {
    let s = state.lock().unwrap();
    let authed = auth == Some(&format!("Bearer {TOKEN}"));
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segs: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["api", "models"] => listing(&s, query),
        ["api", "models", owner, name, rest @ ..] => {
            let id = format!("{owner}/{name}");
            let Some(repo) = s.repos.get(&id) else {
                return error(401, "RepoNotFound", "Repository not found");
            };
            let sha = match rest {
                [] => repo.sha.clone(),
                ["revision", rev] => match resolve_rev(repo, rev) {
                    Some(sha) => sha,
                    None => return error(404, "RevisionNotFound", "Invalid rev id"),
                },
                _ => return (404, vec![], b"not found".to_vec()),
            };
            (
                200,
                vec![("Content-Type".into(), "application/json".into())],
                repo.info(&sha).to_string().into_bytes(),
            )
        }
        [owner, name, "resolve", rev, file @ ..] => {
            let id = format!("{owner}/{name}");
            let Some(repo) = s.repos.get(&id) else {
                return error(401, "RepoNotFound", "Repository not found");
            };
            let Some(sha) = resolve_rev(repo, rev) else {
                return error(404, "RevisionNotFound", "Invalid rev id");
            };
            if repo.gated != json!(false) && !authed {
                return error(
                    401,
                    "GatedRepo",
                    &format!("Access to model {id} is restricted. You must have access to it and be authenticated to access it. Please log in."),
                );
            }
            let file = file.join("/");
            let Some(body) = repo.files.get(&file) else {
                return error(404, "EntryNotFound", "Entry not found");
            };
            (
                200,
                vec![
                    ("X-Repo-Commit".into(), sha),
                    (
                        "ETag".into(),
                        format!("\"{}\"", hex40(&format!("{id}/{file}"))),
                    ),
                    ("Content-Type".into(), "text/plain; charset=utf-8".into()),
                ],
                body.clone(),
            )
        }
        _ => (404, vec![], b"no route".to_vec()),
    }
}

fn resolve_rev(repo: &Repo, rev: &str) -> Option<String> {
    if rev == "main" || rev == repo.sha {
        return Some(repo.sha.clone());
    }
    repo.revisions.get(rev).cloned().or_else(|| {
        repo.revisions
            .values()
            .find(|sha| sha.as_str() == rev)
            .cloned()
    })
}

fn listing(s: &State, query: &str) -> Reply {
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode(v))
    };
    let author = param("author").unwrap_or_default();
    let cursor: usize = param("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let all: Vec<&Repo> = s
        .repos
        .values()
        .filter(|r| r.id.split('/').next() == Some(author.as_str()))
        .collect();
    let page: Vec<Value> = all
        .iter()
        .skip(cursor)
        .take(s.page_size)
        .map(|r| r.info(&r.sha))
        .collect();
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if cursor + s.page_size < all.len() {
        let base: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.starts_with("cursor="))
            .collect();
        headers.push((
            "Link".into(),
            format!(
                "</api/models?{}&cursor={}>; rel=\"next\"",
                base.join("&"),
                cursor + s.page_size
            ),
        ));
    }
    (200, headers, Value::Array(page).to_string().into_bytes())
}
