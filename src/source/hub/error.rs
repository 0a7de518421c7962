//! Why one Hub model could not be read. Each message is one line that names the repo.

use std::time::Duration;

/// A failure to read one model from the Hub; the audit goes on with the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    /// `hf:` target that is not `OWNER/NAME[@REVISION]`.
    #[error("{target}: not a Hub target ({reason}); expected hf:OWNER/NAME[@REVISION]")]
    InvalidTarget {
        /// The target as given.
        target: String,
        /// What is wrong.
        reason: String,
    },
    /// The repo does not exist, or is private and the token (if any) cannot see it.
    #[error(
        "{target}: repository not found on the Hub (a private repo needs a token that can read it)"
    )]
    RepoNotFound {
        /// `hf:owner/name[@rev]`.
        target: String,
    },
    /// The repo exists but the revision does not.
    #[error("{target}: revision '{revision}' not found")]
    RevisionNotFound {
        /// `hf:owner/name@rev`.
        target: String,
        /// The missing revision.
        revision: String,
    },
    /// 401/403 for a reason other than a gate (bad token, disabled repo).
    #[error("{target}: access denied (HTTP {status}): {message}")]
    AccessDenied {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// 401 or 403.
        status: u16,
        /// The server's message, or what to do.
        message: String,
    },
    /// Still 429 after the allowed retries, or asked to wait longer than allowed.
    #[error("{target}: rate limited by the Hub (HTTP 429) after {attempts} attempt(s){}", wait_hint(.retry_after))]
    RateLimited {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// Requests made.
        attempts: u32,
        /// What the server last asked for.
        retry_after: Option<Duration>,
    },
    /// Still 5xx after the allowed retries.
    #[error("{target}: Hub server error (HTTP {status}) after {attempts} attempt(s)")]
    Server {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// The last status.
        status: u16,
        /// Requests made.
        attempts: u32,
    },
    /// Another HTTP status the client does not expect.
    #[error("{target}: unexpected HTTP {status} from the Hub: {message}")]
    Http {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// The status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// No complete answer within the time limit, after the allowed retries.
    #[error("{target}: the Hub did not answer within {}s ({attempts} attempt(s))", .timeout.as_secs_f32())]
    Timeout {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// The per-request limit.
        timeout: Duration,
        /// Requests made.
        attempts: u32,
    },
    /// Connection refused, DNS failure, TLS failure...
    #[error("{target}: cannot reach the Hub: {message}")]
    Network {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// The transport's message.
        message: String,
    },
    /// The server answered 200 with something that is not the expected JSON.
    #[error("{target}: malformed response from the Hub: {message}")]
    Malformed {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// What was wrong.
        message: String,
    },
    /// Offline, and the local cache cannot answer.
    #[error("{target}: offline (HF_HUB_OFFLINE) and {reason}")]
    Offline {
        /// `hf:owner/name[@rev]`.
        target: String,
        /// What is missing from the cache.
        reason: String,
    },
    /// The HTTP client could not be set up (bad endpoint URL, TLS backend).
    #[error("Hub client: {0}")]
    Client(String),
}

/// ", retry after 30s" when the server said.
fn wait_hint(wait: &Option<Duration>) -> String {
    match wait {
        Some(d) => format!("; the Hub asks to retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_and_name_the_repo() {
        let errors = [
            HubError::RepoNotFound {
                target: "hf:a/b".into(),
            },
            HubError::RateLimited {
                target: "hf:a/b".into(),
                attempts: 4,
                retry_after: Some(Duration::from_secs(120)),
            },
            HubError::Timeout {
                target: "hf:a/b".into(),
                timeout: Duration::from_millis(1500),
                attempts: 2,
            },
        ];
        for e in errors {
            let s = e.to_string();
            assert!(s.starts_with("hf:a/b: "), "{s}");
            assert!(!s.contains('\n'), "{s}");
        }
    }
}
