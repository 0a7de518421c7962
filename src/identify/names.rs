//! Short license names in prose or metadata to db keys: "Llama 3.1 Community License",
//! "CC BY-NC 4.0", "apache 2", "llama-3.1", "released under the MIT license".
//!
//! First the db's own folded lookup (key, SPDX id, Hub id, aliases, title); then a canonical
//! form that drops filler words (license, agreement, version, community, the...), spells
//! Creative Commons and GNU names short, splits "llama3.1" into "llama 3.1" and reads "2.0"
//! as "2". A name resolves only by equality of canonical forms, never by containment:
//! "mit-nc" or "apache-2.0-noncommercial" name no record. Two records with the same
//! canonical name make it ambiguous: no answer rather than a guess.

use std::collections::HashMap;

use crate::db::Db;

/// Canonical name -> key (`None` when two records share it).
#[derive(Debug, Clone, Default)]
pub struct Names {
    map: HashMap<Vec<String>, Option<String>>,
}

const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "license",
    "licence",
    "licensed",
    "licenses",
    "agreement",
    "version",
    "v",
    "ver",
    "community",
    "terms",
    "of",
    "international",
    "gnu",
    "meta",
];

const PHRASES: &[(&[&str], &str)] = &[
    (&["creative", "commons"], "cc"),
    (&["attribution"], "by"),
    (&["noncommercial"], "nc"),
    (&["non", "commercial"], "nc"),
    (&["sharealike"], "sa"),
    (&["share", "alike"], "sa"),
    (&["noderivatives"], "nd"),
    (&["noderivs"], "nd"),
    (&["no", "derivatives"], "nd"),
    (&["lesser", "general", "public"], "lgpl"),
    (&["library", "general", "public"], "lgpl"),
    (&["affero", "general", "public"], "agpl"),
    (&["general", "public"], "gpl"),
    (&["mozilla", "public"], "mpl"),
];

/// The canonical token list of a name.
pub fn canon(s: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit_dot = c == '.'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let boundary = cur.chars().last().is_some_and(|l| {
            c.is_alphanumeric() && l.is_ascii_digit() != c.is_ascii_digit() && l != '.'
        });
        if (boundary || !(c.is_alphanumeric() || digit_dot)) && !cur.is_empty() {
            raw.push(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() || digit_dot {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        raw.push(cur);
    }
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    'outer: while i < raw.len() {
        for (pat, rep) in PHRASES {
            if raw[i..].starts_with(&pat.iter().map(|p| p.to_string()).collect::<Vec<_>>()) {
                out.push((*rep).to_string());
                i += pat.len();
                continue 'outer;
            }
        }
        let w = &raw[i];
        i += 1;
        if FILLER.contains(&w.as_str()) {
            continue;
        }
        if w.starts_with(|c: char| c.is_ascii_digit()) {
            let mut v = w.as_str();
            while let Some(x) = v.strip_suffix(".0") {
                v = x;
            }
            out.push(v.to_string());
        } else {
            out.push(w.clone());
        }
    }
    out
}

impl Names {
    /// Indexes the canonical form of every key, id, title and alias.
    pub fn new(db: &Db) -> Names {
        let mut map: HashMap<Vec<String>, Option<String>> = HashMap::new();
        for l in db.licenses() {
            let mut all = vec![l.key.clone(), l.spdx.clone(), l.name.clone()];
            all.extend(l.hf.iter().cloned());
            all.extend(l.aliases.iter().cloned());
            for n in all {
                let c = canon(&n);
                // A bare vendor or family name ("Meta-Llama License" is `llama`) names no
                // one license.
                let vendor = c.len() == 1
                    && crate::identify::declared::NOT_LICENSE_NAMES.contains(&c[0].as_str());
                if c.is_empty() || vendor {
                    continue;
                }
                let e = map.entry(c).or_insert_with(|| Some(l.key.clone()));
                if e.as_deref() != Some(l.key.as_str()) {
                    *e = None;
                }
            }
        }
        Names { map }
    }

    /// The key `s` names (by equality of canonical forms), if exactly one record fits.
    pub fn find(&self, db: &Db, s: &str) -> Option<String> {
        if s.len() > 400 {
            return None;
        }
        if let Some(l) = db.lookup(s) {
            return Some(l.key.clone());
        }
        let c = canon(s);
        if let Some(hit) = self.map.get(&c) {
            return hit.clone();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_fold_spellings() {
        assert_eq!(
            canon("Llama 3.1 Community License Agreement"),
            ["llama", "3.1"]
        );
        assert_eq!(canon("llama3.1"), ["llama", "3.1"]);
        assert_eq!(canon("CC BY-NC 4.0"), canon("cc-by-nc-4.0"));
        assert_eq!(
            canon("Creative Commons Attribution-NonCommercial 4.0 International"),
            ["cc", "by", "nc", "4"]
        );
        assert_eq!(canon("apache 2"), canon("Apache-2.0"));
        assert_eq!(canon("GNU General Public License v3.0"), ["gpl", "3"]);
    }
}
