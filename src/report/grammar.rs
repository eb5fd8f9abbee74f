//! Counts in words: "1 warning", "2 warnings", "0 steps". Every summary a person reads says
//! them this way, so one helper decides.

/// `n` and the noun, singular for exactly one, plural otherwise: `count(1, "check")` is
/// `1 check`, `count(0, "check")` is `0 checks`.
pub fn count(n: usize, singular: &str) -> String {
    format!("{n} {}", noun(n, singular))
}

/// The noun alone, in the number `n` asks for (for a label set apart from its figure).
pub fn noun(n: usize, singular: &str) -> String {
    if n == 1 {
        singular.to_string()
    } else {
        plural(singular)
    }
}

/// English plurals of the nouns the reports count: `-s`, `-es` after a sibilant, `-ies`
/// after a consonant and `y`.
fn plural(singular: &str) -> String {
    let sibilant = ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| singular.ends_with(end));
    if sibilant {
        return format!("{singular}es");
    }
    if let Some(stem) = singular.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    format!("{singular}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        for noun in [
            "warning", "scenario", "step", "check", "resource", "finding",
        ] {
            assert_eq!(count(1, noun), format!("1 {noun}"));
            assert_eq!(count(0, noun), format!("0 {noun}s"));
            assert_eq!(count(2, noun), format!("2 {noun}s"));
            assert_eq!(count(21, noun), format!("21 {noun}s"));
        }
    }

    #[test]
    fn irregular_endings() {
        assert_eq!(count(2, "match"), "2 matches");
        assert_eq!(count(3, "entry"), "3 entries");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(1, "entry"), "1 entry");
        assert_eq!(noun(1, "answer"), "answer");
        assert_eq!(noun(5, "answer"), "answers");
    }
}
