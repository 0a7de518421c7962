//! A fake Hugging Face Hub on 127.0.0.1 for tests and the audit benchmark: model info,
//! resolves, author listings with `Link` pagination, the Hub's `X-Error-Code` headers, gated
//! repos, and injected faults (statuses, delays, malformed JSON). It records every request.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tiny_http::{Header, Method, Response, Server};

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
    server: Arc<Server>,
}

impl FakeHub {
    /// Starts a server on a free port with `threads` handlers and `latency` per request.
    pub fn start(repos: Vec<Repo>, threads: usize, latency: Duration) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let state = Arc::new(Mutex::new(State {
            repos: repos.into_iter().map(|r| (r.id.clone(), r)).collect(),
            page_size: 2,
            latency,
            ..State::default()
        }));
        for _ in 0..threads {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(&state, request);
                }
            });
        }
        FakeHub {
            url: format!("http://127.0.0.1:{port}"),
            state,
            server,
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

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.server.unblock();
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

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
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

fn handle(state: &Mutex<State>, mut request: tiny_http::Request) {
    let url = request.url().to_string();
    let method = request.method().clone();
    let auth = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_string());
    let mut sink = Vec::new();
    let _ = std::io::Read::read_to_end(request.as_reader(), &mut sink);
    let (latency, fault) = {
        let mut s = state.lock().unwrap();
        s.log.push(format!("{} {}", method, url));
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
    let (status, headers, body): Reply = match fault {
        Some(FaultKind::Status(code, headers)) => {
            (code, headers, b"{\"error\":\"injected\"}".to_vec())
        }
        Some(FaultKind::Malformed) => (200, vec![], b"{\"id\": \"truncated".to_vec()),
        Some(FaultKind::Delay(d)) => {
            std::thread::sleep(d);
            route(state, &method, &url, auth.as_deref())
        }
        None => route(state, &method, &url, auth.as_deref()),
    };
    let mut response = Response::from_data(if method == Method::Head { vec![] } else { body })
        .with_status_code(status);
    for (k, v) in headers {
        response.add_header(header(&k, &v));
    }
    let _ = request.respond(response);
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

fn route(state: &Mutex<State>, _method: &Method, url: &str, auth: Option<&str>) -> Reply {
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
