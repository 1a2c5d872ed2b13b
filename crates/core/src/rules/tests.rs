use super::*;

#[test]
fn the_default_rules_are_valid() {
    let rules = Rules::parse(DEFAULT_RULES).expect("default rules");
    assert!(rules.rules.len() >= 13);
}
