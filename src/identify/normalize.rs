//! Text normalisation: any string to a stream of word tokens that survives what real
//! repositories do to license files.
//!
//! A token is a maximal run of alphanumeric characters after compatibility
//! decomposition (NFKD, combining marks dropped) and lowercasing, so
//! punctuation, quotes (straight or curly), dashes, Markdown markup (`**`, `#`, `1\.`, `\_`,
//! bullets, table pipes) and whitespace (re-wrapping, CRLF) never reach the matcher. Before
//! tokenising, HTML entities are decoded, Markdown links keep only their text, and common
//! HTML tags are dropped. Copyright notice lines are skipped: they differ in every copy.
//! Each token keeps its 1-based line in the original text, for line spans.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::markup;

/// One word token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Hash of the normalised word.
    pub hash: u64,
    /// 1-based line in the original text.
    pub line: u32,
    /// Byte range of the normalised word in [`Tokens::words`].
    pub start: u32,
    /// End of the byte range.
    pub end: u32,
}

/// A normalised text.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// Every normalised word, in order.
    pub toks: Vec<Token>,
    /// The normalised words, back to back (indexed by `Token::start..end`).
    pub words: String,
    /// Number of lines in the original text.
    pub lines: u32,
}

impl Tokens {
    /// The normalised word of token `i`.
    pub fn word(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.words[t.start as usize..t.end as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when the text holds no word.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The token hashes, in order.
    pub fn hashes(&self) -> Vec<u64> {
        self.toks.iter().map(|t| t.hash).collect()
    }
}

/// FNV-1a over the bytes of a word, finished with a multiply-shift mix so shingle hashes
/// built from it spread well.
pub fn word_hash(w: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in w {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// A 64-bit finaliser (splitmix64).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Normalises `text` into tokens (see the module docs).
pub fn tokenize(text: &str) -> Tokens {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Tokens {
        toks: Vec::with_capacity(text.len() / 5),
        words: String::with_capacity(text.len()),
        lines: 0,
    };
    let stripped = markup::strip_tags(text);
    let lines: Vec<&str> = split_lines(&stripped).collect();
    let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
    let mut line_no = 0u32;
    let mut prev_dropped = false;
    for (i, raw) in lines.iter().enumerate() {
        line_no += 1;
        let cleaned = markup::clean_line(raw);
        let line = markup::strip_enumerators(&cleaned);
        let first = out.toks.len();
        push_words(&line, line_no, &mut out);
        // A copyright notice stands alone: a blank or another notice above it, and a blank
        // or another notice below. A line that only starts with "Copyright" inside a
        // paragraph (after re-wrapping, say) is text.
        let standalone = (i == 0 || blank(i - 1) || prev_dropped)
            && (blank(i + 1) || lines.get(i + 1).is_some_and(|n| starts_like_copyright(n)));
        prev_dropped = false;
        if out.toks.len() > first && standalone && is_copyright_line(&line, &out, first) {
            out.words.truncate(out.toks[first].start as usize);
            out.toks.truncate(first);
            prev_dropped = true;
        }
    }
    out.lines = line_no;
    out
}

fn starts_like_copyright(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('©')
        || t.get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("copyright"))
}

/// Splits on `\n`, `\r\n` and lone `\r`.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').flat_map(|l| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        l.split('\r')
    })
}

/// Appends the words of one cleaned line. ASCII takes a fast path; any other character is
/// replaced by its compatibility decomposition (NFKD: ligatures, full-width forms,
/// superscripts), and combining marks are dropped, so accents never split or change a word.
fn push_words(line: &str, line_no: u32, out: &mut Tokens) {
    let mut start = None;
    for c in line.chars() {
        if c.is_ascii() {
            push_char(c, line_no, out, &mut start);
        } else {
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    push_char(d, line_no, out, &mut start);
                }
            });
        }
    }
    if let Some(s) = start {
        finish(out, s, line_no);
    }
}

fn push_char(c: char, line_no: u32, out: &mut Tokens, start: &mut Option<usize>) {
    if c.is_alphanumeric() {
        if start.is_none() {
            *start = Some(out.words.len());
        }
        if c.is_ascii() {
            out.words.push(c.to_ascii_lowercase());
        } else {
            out.words.extend(c.to_lowercase());
        }
    } else if let Some(s) = start.take() {
        finish(out, s, line_no);
    }
}

fn finish(out: &mut Tokens, start: usize, line: u32) {
    let end = out.words.len();
    // `http` and `https` are the same link in two eras of one license text.
    let word = match &out.words.as_bytes()[start..end] {
        b"https" => b"http".as_slice(),
        w => w,
    };
    out.toks.push(Token {
        hash: word_hash(word),
        line,
        start: start as u32,
        end: end as u32,
    });
}

/// A copyright notice line: `Copyright (c) 2024 …`, `© 2024 …`, `Copyright [yyyy] …`,
/// `Copyright © Meta Platforms, Inc. All Rights Reserved.` Body sentences that merely
/// start with the word "copyright" after re-wrapping are kept.
fn is_copyright_line(line: &str, toks: &Tokens, first: usize) -> bool {
    let sign = line.trim_start().starts_with('©');
    if toks.word(first) != "copyright" && !sign {
        return false;
    }
    let words: Vec<&str> = (first..toks.len()).take(16).map(|i| toks.word(i)).collect();
    let skip = usize::from(!sign);
    let mut rest = words.iter().skip(skip).copied().peekable();
    if rest.peek() == Some(&"c") {
        rest.next();
    }
    let yearish = |w: &str| {
        w == "yyyy" || w == "year" || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
    };
    if rest.take(2).any(yearish) {
        return true;
    }
    let n = toks.len() - first;
    n <= 15 && words.windows(3).any(|w| w == ["all", "rights", "reserved"])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<String> {
        let t = tokenize(t);
        (0..t.len()).map(|i| t.word(i).to_string()).collect()
    }

    #[test]
    fn punctuation_quotes_case_and_wrapping_vanish() {
        let a = words("“Llama Materials” means — the\r\nMODEL’s weights.");
        let b = words("\"llama materials\" means - the model's\nweights");
        assert_eq!(a, b);
    }

    #[test]
    fn markdown_and_entities_vanish() {
        let a = words("**LLAMA 3.3 LICENSE**\n1\\. see [the policy](https://x.y/llama3\\_3) &amp; &#8220;more&rdquo;");
        let b = words("LLAMA 3.3 LICENSE\n1. see the policy & \"more\"");
        assert_eq!(a, b);
    }

    #[test]
    fn copyright_lines_are_dropped_but_body_lines_kept() {
        assert!(words("Copyright (c) 2024 Acme\n\nPermission is granted")
            .starts_with(&["permission".into()]));
        assert_eq!(
            words("Copyright (c) 2024 Acme\nCopyright 2025 B\n\nx"),
            ["x"]
        );
        // Inside a paragraph (re-wrapped text), a line starting with "Copyright" is text.
        assert_eq!(words("granted by the\nCopyright 2024 holder here").len(), 7);
        assert!(words("Copyright © Meta Platforms, Inc. All Rights Reserved.\n\nx") == ["x"]);
        assert_eq!(words("copyright and similar rights")[0], "copyright");
    }

    #[test]
    fn lines_are_tracked_and_bom_nfkc_handled() {
        let t = tokenize("\u{feff}a\r\n\r\nﬁ b\rc");
        assert_eq!(
            t.toks.iter().map(|t| t.line).collect::<Vec<_>>(),
            [1, 3, 3, 4]
        );
        assert_eq!(t.word(1), "fi");
    }

    #[test]
    fn any_string_is_safe() {
        for s in [
            "",
            "\u{0}",
            "&#xFFFFFFFF;",
            "&#;",
            "[](",
            "<<<>>>",
            "\u{10FFFF}\u{301}",
        ] {
            let _ = tokenize(s);
        }
    }
}
