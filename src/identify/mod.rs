//! License identification: texts and declared ids to license-db keys.
