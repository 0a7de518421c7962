//! A tiny glob matcher for exception `model` patterns: `*` is any run of characters
//! (slashes included), `?` is one character, everything else matches itself.

/// True when `text` matches `pattern` as a whole.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point (the last `*`): linear for typical patterns.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("research-nc", "research-nc"));
        assert!(!matches("research-nc", "research-nc2"));
        assert!(matches("meta-llama/*", "meta-llama/Llama-3.1-8B"));
        assert!(matches("models/*/llama", "models/a/b/llama"));
        assert!(matches("*-nc", "research-nc"));
        assert!(!matches("*-nc", "research-nc-v2"));
        assert!(matches("llama3.?", "llama3.1"));
        assert!(!matches("llama3.?", "llama3.10"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(!matches("", "a"));
    }
}
