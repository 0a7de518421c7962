//! Markup that survives tokenising and must go first: HTML entities, Markdown links and
//! HTML tags. Everything else Markdown adds (`**`, `#`, `\_`, bullets, pipes) is punctuation
//! and disappears in the tokeniser.

use std::borrow::Cow;

/// Cleans one line: decodes HTML entities and keeps only the text of `[text](url)` links
/// (the URL when the text is empty).
pub fn clean_line(line: &str) -> Cow<'_, str> {
    if !line.bytes().any(|b| b == b'&' || b == b'[' || b == b'<') {
        return Cow::Borrowed(line);
    }
    let decoded = decode_entities(line);
    match strip_links(&decoded) {
        Cow::Borrowed(_) => Cow::Owned(decoded.into_owned()),
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// Decodes `&amp;`, `&#8220;`, `&#x201C;` and the named entities license texts use.
/// Unknown or malformed entities are kept as written.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.bytes().take(12).position(|b| b == b';');
        match end.and_then(|e| entity(&tail[1..e]).map(|c| (c, e))) {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "rsquo" | "lsquo" | "prime" => '\'',
        "ldquo" | "rdquo" | "bdquo" | "laquo" | "raquo" => '"',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "ndash" | "mdash" | "minus" | "hyphen" => '-',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "sect" => '§',
        "hellip" => '…',
        "middot" | "bull" => '·',
        _ => return None,
    })
}

/// `[text](url)` -> `text`; `[](url)` -> `url`; `![alt](img)` -> `alt`.
fn strip_links(s: &str) -> Cow<'_, str> {
    if !s.contains("](") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else {
            break;
        };
        let text = &after[..close];
        let target = &after[close + 2..];
        let Some(end) = target.find(')') else {
            break;
        };
        if text.contains('[') {
            // A bracket inside: not a link we understand; keep the '[' and move on.
            out.push_str(&rest[..=open]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..open]);
        out.push_str(if text.trim().is_empty() {
            &target[..end]
        } else {
            text
        });
        rest = &target[end + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

const TAGS: &[&str] = &[
    "a",
    "b",
    "i",
    "u",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "span",
    "div",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "sup",
    "sub",
    "small",
    "center",
    "blockquote",
    "details",
    "summary",
    "font",
    "img",
];

/// Drops `<p>`, `</strong>`, `<br/>`, `<span style=…>` (even when re-wrapping split the tag
/// over lines; newlines inside a tag are kept so line numbers hold); keeps `<https://…>`
/// and `<year>`.
pub fn strip_tags(s: &str) -> Cow<'_, str> {
    if !s.contains('<') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // A comment (`<!-- Legalcode End - DO NOT DELETE -->`) is not text.
        if let Some(body) = after.strip_prefix("!--") {
            let end = body.find("-->").map_or(body.len(), |e| e + 3);
            out.extend(body[..end].chars().filter(|&ch| ch == '\n'));
            out.push(' ');
            rest = &body[end..];
            continue;
        }
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let close = after.bytes().take(300).position(|b| b == b'>');
        match close {
            Some(c) if TAGS.contains(&name.as_str()) => {
                out.extend(after[..c].chars().filter(|&ch| ch == '\n'));
                out.push(' ');
                rest = &after[c + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Blanks list enumerators — `a.`, `(b)`, `iv)`, `IV.`, `12.`, `3\.` at a line start or
/// after a space, followed by a space — which a plain-text rendering writes and an HTML or
/// Markdown list generates instead (Creative Commons' legal code pages). References and
/// queries go through the same step wherever the numbering falls after re-wrapping, so only
/// the numbering is ignored (a sentence ending "version 2." loses its "2" on both sides).
pub fn strip_enumerators(line: &str) -> Cow<'_, str> {
    if !line.bytes().any(|b| b == b'.' || b == b')') {
        return Cow::Borrowed(line);
    }
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut prev: Option<char> = None;
    let mut resume = 0;
    for (i, c) in line.char_indices() {
        let starts = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '>' | '*' | '-' | '+'));
        prev = Some(c);
        if i < resume || !starts || !(c == '(' || c.is_ascii_alphanumeric()) {
            continue;
        }
        if let Some(end) = enumerator_at(line, i) {
            blank.push((i, end));
            resume = end;
        }
    }
    if blank.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for (a, b) in blank {
        out.push_str(&line[last..a]);
        out.extend(std::iter::repeat_n(' ', b - a));
        last = b;
    }
    out.push_str(&line[last..]);
    Cow::Owned(out)
}

/// The end of an enumerator starting at `i` (`(x)`, `x.` or `x)` followed by a space or the
/// line end), if there is one.
fn enumerator_at(line: &str, i: usize) -> Option<usize> {
    let b = line.as_bytes();
    let open = b[i] == b'(';
    let from = i + usize::from(open);
    let len = b[from..]
        .iter()
        .take(5)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let word = std::str::from_utf8(&b[from..from + len]).ok()?;
    // Markdown escapes a numbering it should not render: `1\.`.
    let escaped = usize::from(!open && b.get(from + len) == Some(&b'\\'));
    let close = *b.get(from + len + escaped)?;
    let closes = if open {
        close == b')'
    } else {
        close == b'.' || close == b')'
    };
    let end = from + len + escaped + 1;
    let after = line.get(end..)?;
    let spaced =
        after.chars().next().is_none_or(char::is_whitespace) || (open && !after.starts_with('('));
    let numbering = (len == 1 && word.as_bytes()[0].is_ascii_alphabetic())
        || is_roman(word)
        || (len <= 2 && word.bytes().all(|c| c.is_ascii_digit()));
    (len > 0 && closes && spaced && numbering).then_some(end)
}

fn is_roman(w: &str) -> bool {
    const ROMAN: [&str; 12] = [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    ];
    ROMAN.iter().any(|r| r.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_and_bad_ones_survive() {
        assert_eq!(
            decode_entities("a &amp; b &#8220;c&#x201D; &rsquo;"),
            "a & b \u{201c}c\u{201d} '"
        );
        assert_eq!(decode_entities("&bogus; & &#xZZ;"), "&bogus; & &#xZZ;");
    }

    #[test]
    fn links_keep_their_text() {
        assert_eq!(
            clean_line("see [the AUP](https://x/aup) now"),
            "see the AUP now"
        );
        assert_eq!(clean_line("[](https://x/y)"), "https://x/y");
        assert_eq!(clean_line("[a [b](c)"), "[a b");
    }

    #[test]
    fn enumerators_go_numbers_in_prose_stay() {
        assert_eq!(
            strip_enumerators("  a. Adapted Material").trim(),
            "Adapted Material"
        );
        assert_eq!(
            strip_enumerators("(iv) the term; (b) x").trim(),
            "the term;     x"
        );
        assert_eq!(strip_enumerators("12. Definitions").trim(), "Definitions");
        assert_eq!(strip_enumerators("1\\. Grant").trim(), "Grant");
        assert_eq!(
            strip_enumerators("Section 2(a)(1) grants"),
            "Section 2(a)(1) grants"
        );
        assert_eq!(strip_enumerators("i.e. the Model"), "i.e. the Model");
        assert_eq!(strip_enumerators("A person may"), "A person may");
    }

    #[test]
    fn tags_go_placeholders_stay() {
        assert_eq!(strip_tags("<p><strong>Hi</strong><br/></p>").trim(), "Hi");
        assert_eq!(
            strip_tags("<year> <https://fsf.org/>"),
            "<year> <https://fsf.org/>"
        );
        assert_eq!(strip_tags("a <span\nstyle=\"x\">b</span>"), "a \n b ");
        assert_eq!(strip_tags("a<!-- x\ny -->b<!-- open"), "a\n b ");
    }
}
