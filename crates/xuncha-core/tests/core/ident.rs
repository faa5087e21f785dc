use proptest::prelude::*;
use xuncha_core::ident::*;

#[test]
fn the_published_sample_credit_codes_are_valid() {
    // Codes from the sample park's permit numbers, checked by hand against GB 32100-2015.
    for code in
        ["91430426MA4QA91117", "91430426574317699E", "914304267580286729", "91430426591027757B", "9143042635167332X0"]
    {
        let v = check_credit_code(code);
        assert!(v.is_ok(), "{code} is a real, valid code but was judged {:?}", v.problems);
    }
}

#[test]
fn a_wrong_check_character_warns_but_does_not_block() {
    let v = check_credit_code("91430426MA4QA91118");
    assert!(!v.has_error(), "early real codes fail their checksum: must not block");
    assert_eq!(v.problems.len(), 1);
    assert!(
        v.problems[0].message.contains("校验位应为“7”"),
        "the message names the expected character: {}",
        v.problems[0].message
    );
}

#[test]
fn a_credit_code_of_the_wrong_length_or_alphabet_is_an_error() {
    let short = check_credit_code("91430426MA4QA9111");
    assert!(short.has_error());
    assert!(short.problems[0].message.contains("17位"), "{}", short.problems[0].message);
    let letter_o = check_credit_code("91430426MA4QA9111O");
    assert!(letter_o.has_error());
    assert!(letter_o.problems[0].message.contains("第18位“O”"), "{}", letter_o.problems[0].message);
}

#[test]
fn full_width_lower_case_and_spaced_codes_are_normalised_before_checking() {
    let v = check_credit_code(" ９１４３０４２６ma4qa91117 ");
    assert_eq!(v.value, "91430426MA4QA91117");
    assert!(v.is_ok());
}

#[test]
fn a_permit_number_is_checked_through_its_credit_code() {
    assert!(check_permit_number("91430426MA4QA91117001U").is_ok());
    let bad_serial = check_permit_number("91430426MA4QA911170A1U");
    assert!(bad_serial.has_error(), "the serial must be three digits");
    let bad_code = check_permit_number("91430426MA4QA91118001U");
    assert!(!bad_code.has_error() && !bad_code.is_ok(), "a checksum failure inside a permit number is a warning");
    assert!(check_permit_number("是").has_error());
    assert_eq!(credit_code_of_permit("91430426MA4QA91117001U").as_deref(), Some("91430426MA4QA91117"));
}

#[test]
fn emergency_filing_numbers_of_other_shapes_only_warn() {
    assert!(check_emergency_filing("430426-2022-062-M").is_ok());
    assert!(check_emergency_filing("430426-2022-062-MT").is_ok());
    let odd = check_emergency_filing("湘衡2022-062");
    assert!(!odd.is_ok() && !odd.has_error(), "some provinces number differently: warn");
    assert_eq!(risk_level_of_filing("430426-2020-053-M"), Some('M'));
}

#[test]
fn region_and_park_codes() {
    assert!(check_region_code("430426").is_ok());
    assert!(check_region_code("990426").has_error(), "99 is no province");
    assert!(check_region_code("43042").has_error());
    for ok in ["S437012", "G432128", "※"] {
        assert!(check_park_code(ok).is_ok(), "{ok}");
    }
    assert!(check_park_code("X437012").has_error());
}

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

proptest! {
    #[test]
    fn every_single_character_substitution_is_caught(
        head in proptest::collection::vec(0usize..31, 2),
        region in 100000u32..999999,
        tail in proptest::collection::vec(0usize..31, 9),
        pos in 0usize..18,
        delta in 1usize..31,
    ) {
        let pick = |v: &[usize]| -> String { v.iter().map(|i| ALPHABET.as_bytes()[*i] as char).collect() };
        let first17 = format!("{}{region}{}", pick(&head), pick(&tail));
        let code = format!("{first17}{}", credit_code_check_char(&first17).unwrap());
        prop_assert!(check_credit_code(&code).is_ok(), "{} carries its own check character", code);
        let mut chars: Vec<char> = code.chars().collect();
        let old = ALPHABET.find(chars[pos]).unwrap();
        chars[pos] = ALPHABET.as_bytes()[(old + delta) % 31] as char;
        let changed: String = chars.iter().collect();
        let v = check_credit_code(&changed);
        prop_assert!(!v.is_ok(), "{} should fail after changing position {}", changed, pos);
    }
}
