//! The commented starter policy `model-license init` writes.

/// A commented starter policy that validates against the shipped license-db.
pub fn starter_policy() -> &'static str {
    include_str!("starter.toml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::{UnknownMode, ValidPolicy};
    use crate::Db;

    #[test]
    fn the_starter_policy_parses_with_our_parser() {
        let db = Db::embedded().unwrap();
        let p = ValidPolicy::parse(starter_policy(), "model-license.toml", &db).unwrap();
        assert_eq!(p.unknown, UnknownMode::Deny);
        assert!(p
            .require
            .contains_key(&crate::matrix::Permission::CommercialUse));
        assert!(p.exceptions.is_empty());
    }

    #[test]
    fn the_commented_examples_parse_once_uncommented() {
        // Uncommenting every `# key = value` line must still give a valid policy, so the
        // examples never rot. Ids the db does not hold yet are dropped from the lists.
        let db = Db::embedded().unwrap();
        let text: Vec<String> = starter_policy()
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with("[[")
                        || rest.split_once(" = ").is_some_and(|(k, _)| {
                            k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                        }) =>
                {
                    rest
                }
                _ => l,
            })
            .map(|l| {
                let Some(list) = l.strip_prefix("allow = [").or(l.strip_prefix("deny = [")) else {
                    return l.to_string();
                };
                let key = &l[..l.find(" = ").unwrap()];
                let ids: Vec<&str> = list
                    .trim_end_matches(']')
                    .split(',')
                    .map(|s| s.trim().trim_matches('"'))
                    .filter(|id| db.lookup(id).is_some())
                    .collect();
                let ids = if ids.is_empty() && key == "allow" {
                    vec!["unknown"]
                } else {
                    ids
                };
                let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
                format!("{key} = [{}]", quoted.join(", "))
            })
            .collect();
        let p = ValidPolicy::parse(&text.join("\n"), "model-license.toml", &db).unwrap();
        assert_eq!(p.organization.regions, ["EU"]);
        assert_eq!(p.organization.monthly_active_users, Some(1_000_000));
        assert_eq!(p.exceptions.len(), 1);
        assert!(p
            .require
            .contains_key(&crate::matrix::Permission::Derivatives));
    }
}
