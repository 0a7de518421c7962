//! Talking to the Hub: one bounded GET, the retry policy (429 honouring `Retry-After` and
//! `RateLimit`, 5xx and timeouts with exponential backoff, all bounded), a pause shared by
//! every worker after a 429, and the mapping of Hub error headers to [`HubError`].
//!
//! hf-hub 1.0 covers model info; resolves and listings go through `reqwest`, the HTTP
//! client hf-hub itself is built on (no second stack), because hf-hub 1.0 does not expose
//! response headers (`RateLimit`, `Link`), has no `expand` on listings, makes a HEAD before
//! every GET of a file (twice the requests) and sends that HEAD without the client's timeout.

use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Url;

use super::{HubConfig, HubError};

/// A complete answer: status, headers and the body up to the read limit.
pub(super) struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body, at most the limit asked for.
    pub body: Vec<u8>,
    /// True when the body was longer than the limit.
    pub truncated: bool,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// The outcome of one attempt, as the retry loop sees it.
pub(super) enum Step<T> {
    /// Done.
    Ok(T),
    /// Final failure: not worth retrying.
    Fail(HubError),
    /// 429: wait what the server asks (or back off) and retry.
    RateLimited(Option<Duration>),
    /// 408 / 5xx: back off and retry.
    Server(u16),
    /// No answer in time: back off and retry.
    Timeout,
    /// Connection refused, reset...: back off and retry.
    Network(String),
}

/// Runs `attempt` until it succeeds, fails for good, or the retries are spent. Waits first
/// for any pause a 429 set on `pause`.
pub(super) fn with_retries<T>(
    cfg: &HubConfig,
    target: &str,
    pause: &Mutex<Option<Instant>>,
    mut attempt: impl FnMut() -> Step<T>,
) -> Result<T, HubError> {
    let mut n: u32 = 0;
    loop {
        wait_for_pause(pause);
        n += 1;
        let step = attempt();
        let (wait, last) = match step {
            Step::Ok(v) => return Ok(v),
            Step::Fail(e) => return Err(e),
            Step::RateLimited(asked) => {
                let give_up = HubError::RateLimited {
                    target: target.to_string(),
                    attempts: n,
                    retry_after: asked,
                };
                if asked.is_some_and(|w| w > cfg.max_wait) {
                    return Err(give_up);
                }
                let wait = asked.unwrap_or_else(|| backoff(cfg, n));
                set_pause(pause, wait);
                (wait, give_up)
            }
            Step::Server(status) => (
                backoff(cfg, n),
                HubError::Server {
                    target: target.to_string(),
                    status,
                    attempts: n,
                },
            ),
            // A Hub that does not answer within the timeout is not asked again: the
            // stated timeout bounds the wait overall, not once per retry.
            Step::Timeout => {
                return Err(HubError::Timeout {
                    target: target.to_string(),
                    timeout: cfg.timeout,
                    attempts: n,
                })
            }
            Step::Network(message) => (
                backoff(cfg, n),
                HubError::Network {
                    target: target.to_string(),
                    message,
                },
            ),
        };
        if n > cfg.retries {
            return Err(last);
        }
        std::thread::sleep(wait);
    }
}

/// `backoff * 2^(n-1)`, at most `max_wait`.
fn backoff(cfg: &HubConfig, n: u32) -> Duration {
    cfg.backoff
        .saturating_mul(1u32 << (n - 1).min(16))
        .min(cfg.max_wait)
}

/// Sleeps until a pause set after a 429 has passed.
fn wait_for_pause(pause: &Mutex<Option<Instant>>) {
    let until = *pause.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(wait) = until.and_then(|u| u.checked_duration_since(Instant::now())) {
        std::thread::sleep(wait);
    }
}

/// Holds every worker back for `wait`: after a 429 the whole client slows down, not just
/// the request that was refused.
pub(super) fn set_pause(pause: &Mutex<Option<Instant>>, wait: Duration) {
    let until = Instant::now() + wait;
    let mut guard = pause.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none_or(|u| u < until) {
        *guard = Some(until);
    }
}

/// One GET, the body read up to `limit` bytes.
pub(super) fn get(client: &Client, url: Url, token: Option<&str>, limit: u64) -> Step<Reply> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = match request.send() {
        Ok(r) => r,
        Err(e) => return transport_step(&e),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    if let Err(e) = response.take(limit + 1).read_to_end(&mut body) {
        let timed_out = e.kind() == std::io::ErrorKind::TimedOut
            || std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout)
            || e.to_string().contains("timed out");
        return if timed_out {
            Step::Timeout
        } else {
            Step::Network(e.to_string())
        };
    }
    let truncated = body.len() as u64 > limit;
    body.truncate(limit as usize);
    let reply = Reply {
        status,
        headers,
        body,
        truncated,
    };
    match status {
        429 => Step::RateLimited(retry_after(&reply.headers)),
        408 | 500 | 502 | 503 | 504 => Step::Server(status),
        _ => Step::Ok(reply),
    }
}

/// A transport error as a retry step.
pub(super) fn transport_step<T>(e: &reqwest::Error) -> Step<T> {
    if e.is_timeout() {
        Step::Timeout
    } else {
        Step::Network(one_line(&e.to_string()))
    }
}

/// The wait a 429 asks for: `Retry-After: SECONDS`, else the `t=` of the `RateLimit`
/// header (`"api";r=0;t=55`, IETF draft, as the Hub sends it).
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(secs) = text("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    rate_limit_reset(text("ratelimit")?)
}

/// The `t=` (seconds to reset) of a `RateLimit` header value.
pub(super) fn rate_limit_reset(value: &str) -> Option<Duration> {
    value
        .split([';', ','])
        .filter_map(|p| p.trim().strip_prefix("t="))
        .find_map(|t| t.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// When a successful answer says the quota is spent (`r=0`), pause until it resets.
pub(super) fn note_quota(headers: &HeaderMap, pause: &Mutex<Option<Instant>>, cfg: &HubConfig) {
    let Some(value) = headers.get("ratelimit").and_then(|v| v.to_str().ok()) else {
        return;
    };
    let spent = value.split([';', ',']).any(|p| p.trim() == "r=0");
    if let Some(wait) = rate_limit_reset(value).filter(|_| spent) {
        set_pause(pause, wait.min(cfg.max_wait));
    }
}

/// Maps a 4xx answer to an error, keyed on `X-Error-Code` as `huggingface_hub` does (the
/// status of a gate or a missing repo varies between 401, 403 and 404).
pub(super) fn client_error(
    target: &str,
    revision: Option<&str>,
    status: u16,
    code: Option<&str>,
    message: Option<&str>,
    has_token: bool,
) -> HubError {
    let target = target.to_string();
    let message = one_line(message.unwrap_or(""));
    match (code, status) {
        (Some("RepoNotFound"), _) => HubError::RepoNotFound { target },
        (Some("RevisionNotFound"), _) => HubError::RevisionNotFound {
            target,
            revision: revision.unwrap_or("main").to_string(),
        },
        (Some("GatedRepo"), _) => HubError::AccessDenied {
            target,
            status,
            message: "gated repo: accept its terms on the Hub and use a token of that account"
                .to_string(),
        },
        // A 401 without a code is how the Hub answers for private and missing repos alike.
        (_, 401) if !has_token => HubError::RepoNotFound { target },
        (_, 401) => HubError::AccessDenied {
            target,
            status,
            message: if message.is_empty() {
                "the token was rejected".to_string()
            } else {
                message
            },
        },
        (_, 403) => HubError::AccessDenied {
            target,
            status,
            message: if message.is_empty() {
                "forbidden".to_string()
            } else {
                message
            },
        },
        (_, 404) => HubError::RepoNotFound { target },
        _ => HubError::Http {
            target,
            status,
            message,
        },
    }
}

/// The first line of a message, bounded: server messages end up in one-line errors.
pub(super) fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(300).collect()
}

/// The `rel="next"` URL of a `Link` header.
pub(super) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|part| {
            let (url, params) = part.split_once(';')?;
            let is_next = params
                .split(';')
                .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
            is_next.then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn waits_from_retry_after_then_ratelimit() {
        let both = headers(&[("retry-after", "7"), ("ratelimit", "\"api\";r=0;t=55")]);
        assert_eq!(retry_after(&both), Some(Duration::from_secs(7)));
        let rl = headers(&[("ratelimit", "\"api\";r=0;t=55")]);
        assert_eq!(retry_after(&rl), Some(Duration::from_secs(55)));
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn link_next() {
        let h = headers(&[(
            "link",
            "<https://hub/api/models?cursor=a>; rel=\"prev\", <https://hub/api/models?cursor=b>; rel=\"next\"",
        )]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://hub/api/models?cursor=b")
        );
        assert_eq!(next_link(&headers(&[])), None);
    }

    #[test]
    fn error_codes_win_over_status() {
        let e = client_error(
            "hf:a/b",
            Some("v9"),
            404,
            Some("RevisionNotFound"),
            None,
            false,
        );
        assert!(matches!(e, HubError::RevisionNotFound { ref revision, .. } if revision == "v9"));
        let e = client_error("hf:a/b", None, 401, None, None, false);
        assert!(matches!(e, HubError::RepoNotFound { .. }));
        let e = client_error("hf:a/b", None, 401, None, None, true);
        assert!(matches!(e, HubError::AccessDenied { status: 401, .. }));
    }

    #[test]
    fn retries_are_bounded_and_back_off() {
        let mut cfg = HubConfig::new("/nonexistent");
        cfg.retries = 2;
        cfg.backoff = Duration::from_millis(1);
        let pause = Mutex::new(None);
        let mut calls = 0;
        let r: Result<(), _> = with_retries(&cfg, "hf:a/b", &pause, || {
            calls += 1;
            Step::Server(503)
        });
        assert_eq!(calls, 3);
        assert!(matches!(
            r,
            Err(HubError::Server {
                status: 503,
                attempts: 3,
                ..
            })
        ));
        // A timeout is not retried: the timeout bounds the whole wait.
        let mut calls = 0;
        let r = with_retries(&cfg, "hf:a/b", &pause, || {
            calls += 1;
            if calls < 2 {
                Step::Timeout
            } else {
                Step::Ok(calls)
            }
        });
        assert!(matches!(r, Err(HubError::Timeout { attempts: 1, .. })));
        assert_eq!(calls, 1);
        // A wait longer than allowed fails at once.
        let r: Result<(), _> = with_retries(&cfg, "hf:a/b", &pause, || {
            Step::RateLimited(Some(Duration::from_secs(3600)))
        });
        assert!(matches!(r, Err(HubError::RateLimited { attempts: 1, .. })));
    }
}
