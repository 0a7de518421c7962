//! Regions: the organization's `regions` against a license's geographic restrictions.
//!
//! Restrictions are prose ("not granted to ... the European Union"), so the judgement is
//! deliberately conservative: a restriction that names one of your regions is a violation, an
//! "only in X" grant that does not name your regions is a violation, and anything else a
//! geographic clause says is left to legal review — never a silent pass.

/// Region codes with the names a license text may use for them. ISO 3166-1 alpha-2 codes not
/// listed here are still accepted, and searched for as the bare code.
const NAMES: &[(&str, &[&str])] = &[
    ("EU", &["European Union", "EU"]),
    ("EEA", &["European Economic Area", "EEA"]),
    ("US", &["United States", "USA", "U.S."]),
    ("GB", &["United Kingdom", "UK", "Great Britain", "Britain"]),
    ("CN", &["China", "PRC", "People's Republic of China"]),
    ("RU", &["Russia", "Russian Federation"]),
    ("IR", &["Iran"]),
    ("KP", &["North Korea", "DPRK"]),
    ("CU", &["Cuba"]),
    ("SY", &["Syria"]),
    ("BY", &["Belarus"]),
    ("CA", &["Canada"]),
    ("JP", &["Japan"]),
    ("KR", &["South Korea", "Republic of Korea"]),
    ("IN", &["India"]),
    ("AU", &["Australia"]),
    ("BR", &["Brazil"]),
    ("CH", &["Switzerland"]),
    ("NO", &["Norway"]),
    ("IS", &["Iceland"]),
    ("LI", &["Liechtenstein"]),
    ("HK", &["Hong Kong"]),
    ("TW", &["Taiwan"]),
    ("SG", &["Singapore"]),
    ("IL", &["Israel"]),
];

/// Members of the European Union: a restriction on the EU reaches each of them.
const EU_MEMBERS: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
];

/// Normalises a policy region (`eu`, `UK`, `de`) to its code, or `None` when it is not one.
pub fn normalize(region: &str) -> Option<String> {
    let up = region.trim().to_ascii_uppercase();
    match up.as_str() {
        "UK" => Some("GB".into()),
        "EU" | "EEA" => Some(up),
        _ if up.len() == 2 && up.bytes().all(|b| b.is_ascii_uppercase()) => Some(up),
        _ => None,
    }
}

/// The names under which a restriction text may mention `code`, plus those of the unions it
/// belongs to (a German company is reached by an EU clause). The caller adds the bare code.
fn names(code: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some((_, n)) = NAMES.iter().find(|(c, _)| *c == code) {
        out.extend_from_slice(n);
    }
    if let Some((c, n)) = EU_MEMBERS.iter().find(|(c, _)| *c == code) {
        out.push(c);
        out.push(n);
        out.extend_from_slice(NAMES[0].1);
        out.extend_from_slice(NAMES[1].1);
    } else if ["NO", "IS", "LI"].contains(&code) {
        out.extend_from_slice(NAMES[1].1);
    }
    out
}

/// True when `name` occurs in `text` as a whole word (short all-caps names match case-sensitively,
/// so "US" does not match "us").
fn mentions(text: &str, name: &str) -> bool {
    let acronym = name.len() <= 4 && name.chars().all(|c| c.is_ascii_uppercase() || c == '.');
    let (hay, needle) = if acronym {
        (text.to_string(), name.to_string())
    } else {
        (text.to_lowercase(), name.to_lowercase())
    };
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        from = start + needle.len().max(1);
    }
    false
}

/// What a geographic restriction means for an organization in `regions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionJudgement {
    /// The text names one of the organization's regions (the region is given): a violation.
    Restricted(String),
    /// An "only in ..." grant that names none of the organization's regions: a violation.
    OutsideGrant,
    /// Nothing can be decided from the text (or no regions are set): legal review.
    Review,
}

/// Judges one geographic restriction text against the organization's region codes.
pub fn judge(text: &str, regions: &[String]) -> RegionJudgement {
    if regions.is_empty() {
        return RegionJudgement::Review;
    }
    for code in regions {
        let mut names = names(code);
        names.push(code.as_str());
        if names.iter().any(|n| mentions(text, n)) {
            return if is_grant_only(text) {
                // "only in the EU" with an EU organization is a grant, not a bar; still a
                // human should confirm the wording, which is what Review means.
                RegionJudgement::Review
            } else {
                RegionJudgement::Restricted(code.clone())
            };
        }
    }
    if is_grant_only(text) {
        RegionJudgement::OutsideGrant
    } else {
        RegionJudgement::Review
    }
}

/// True for wording that grants rights only inside the regions it names.
fn is_grant_only(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "only in",
        "only within",
        "solely in",
        "solely within",
        "exclusively in",
    ]
    .iter()
    .any(|w| t.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLAMA_EU: &str = "With respect to any multimodal models included in Llama 3.2, the rights granted under Section 1(a) are not being granted to you if you are an individual domiciled in, or a company with a principal place of business in, the European Union.";

    #[test]
    fn normalizes_codes_and_rejects_names() {
        assert_eq!(normalize("eu").as_deref(), Some("EU"));
        assert_eq!(normalize("UK").as_deref(), Some("GB"));
        assert_eq!(normalize("de").as_deref(), Some("DE"));
        assert_eq!(normalize("Europe"), None);
        assert_eq!(normalize("U1"), None);
    }

    #[test]
    fn an_eu_clause_restricts_eu_and_member_states() {
        let j = judge(LLAMA_EU, &["EU".into()]);
        assert_eq!(j, RegionJudgement::Restricted("EU".into()));
        let j = judge(LLAMA_EU, &["US".into(), "DE".into()]);
        assert_eq!(j, RegionJudgement::Restricted("DE".into()));
    }

    #[test]
    fn an_unnamed_region_is_left_to_review_not_passed() {
        assert_eq!(judge(LLAMA_EU, &["US".into()]), RegionJudgement::Review);
        assert_eq!(judge(LLAMA_EU, &[]), RegionJudgement::Review);
    }

    #[test]
    fn grant_only_wording_excludes_other_regions() {
        let text = "Licensed for use only in the People's Republic of China.";
        assert_eq!(judge(text, &["US".into()]), RegionJudgement::OutsideGrant);
        assert_eq!(judge(text, &["CN".into()]), RegionJudgement::Review);
    }

    #[test]
    fn acronyms_match_whole_words_in_case() {
        assert!(mentions("users in the US may", "US"));
        assert!(!mentions("let us use it", "US"));
        assert!(!mentions("the EULA applies", "EU"));
        assert!(mentions(
            "Union européenne / European Union.",
            "European Union"
        ));
    }
}
