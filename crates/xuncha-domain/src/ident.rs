//! Identifier checks: unified social credit codes, discharge permit numbers,
//! emergency-plan filing numbers, region codes and development-zone codes.
//!
//! Each check normalises its input first (full-width characters, case,
//! white space) and answers with a [`Verdict`]: the normalised value plus
//! problems that are either errors (the value cannot be what it claims to be)
//! or warnings (it may still be real: some early credit codes fail their
//! checksum, some provinces number emergency filings differently). Import and
//! every edit use the same checks, so a value is judged the same everywhere.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How serious a problem is. Errors block a save; warnings are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with a value, with a message for the user in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(message: impl Into<String>) -> Self {
        Problem { severity: Severity::Error, message: message.into() }
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Problem { severity: Severity::Warning, message: message.into() }
    }
}

/// The outcome of a check: the normalised value and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub value: String,
    pub problems: Vec<Problem>,
}

impl Verdict {
    fn new(value: String) -> Self {
        Verdict { value, problems: Vec::new() }
    }
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
    pub fn has_error(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Folds full-width ASCII to half-width, removes all white space and
/// upper-cases ASCII letters. Codes are often typed with an IME left in
/// full-width mode or pasted with spaces.
pub fn normalize_code(raw: &str) -> String {
    raw.chars().map(fold_width).filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Maps a full-width form (U+FF01..U+FF5E) and the ideographic space to ASCII.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn credit_value(c: char) -> Option<u32> {
    CREDIT_ALPHABET.find(c).map(|i| i as u32)
}

/// The check character GB 32100-2015 gives for the first 17 characters, or
/// `None` when one of them is outside the code's alphabet.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut n = 0;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
        n += 1;
    }
    if n != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_ALPHABET.chars().nth(check as usize)
}

/// Checks a unified social credit code (统一社会信用代码, GB 32100-2015).
pub fn check_credit_code(raw: &str) -> Verdict {
    let value = normalize_code(raw);
    let mut v = Verdict::new(value.clone());
    let len = value.chars().count();
    if len != 18 {
        v.problems.push(Problem::error(format!("统一社会信用代码应为18位，实际为{len}位")));
        return v;
    }
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| credit_value(*c).is_none()) {
        v.problems
            .push(Problem::error(format!("统一社会信用代码第{}位“{c}”不是允许的字符（不使用I、O、Z、S、V）", i + 1)));
        return v;
    }
    if !value[2..8].chars().all(|c| c.is_ascii_digit()) {
        v.problems.push(Problem::error("统一社会信用代码第3至8位应为登记管理机关行政区划码（6位数字）"));
        return v;
    }
    let expected = credit_code_check_char(&value[..17]).expect("alphabet checked above");
    let actual = value.chars().nth(17).expect("length checked above");
    if expected != actual {
        v.problems.push(Problem::warning(format!(
            "统一社会信用代码校验位应为“{expected}”，实际为“{actual}”（早期代码可能如此，请核对营业执照）"
        )));
    }
    v
}

/// Checks a discharge permit number (排污许可证编号, HJ 608-2017): the
/// holder's credit code, a three-digit serial and one letter. The letter's
/// meaning is not reliably documented, so it is only checked to be a letter.
pub fn check_permit_number(raw: &str) -> Verdict {
    let value = normalize_code(raw);
    let mut v = Verdict::new(value.clone());
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 22 {
        v.problems.push(Problem::error(format!(
            "排污许可证编号应为22位（18位信用代码+3位流水号+1位字母），实际为{}位",
            chars.len()
        )));
        return v;
    }
    let code: String = chars[..18].iter().collect();
    let serial: String = chars[18..21].iter().collect();
    if !serial.chars().all(|c| c.is_ascii_digit()) {
        v.problems.push(Problem::error(format!("排污许可证编号第19至21位应为3位数字流水号，实际为“{serial}”")));
    }
    if !chars[21].is_ascii_uppercase() {
        v.problems.push(Problem::error(format!("排污许可证编号最后一位应为字母，实际为“{}”", chars[21])));
    }
    for p in check_credit_code(&code).problems {
        v.problems
            .push(Problem { severity: p.severity, message: format!("排污许可证编号前18位：{}", p.message) });
    }
    v
}

/// The credit code embedded in a well-formed permit number.
pub fn credit_code_of_permit(permit: &str) -> Option<String> {
    let value = normalize_code(permit);
    let v = check_permit_number(&value);
    if v.has_error() {
        return None;
    }
    Some(value.chars().take(18).collect())
}

/// Checks an emergency-plan filing number (应急预案备案编号) such as
/// `430426-2022-062-M`: region code, year, serial and risk level (L, M or H,
/// sometimes followed by T for cross-region). Other shapes exist in some
/// provinces, so a different shape is a warning, not an error.
pub fn check_emergency_filing(raw: &str) -> Verdict {
    let value = normalize_code(raw);
    let mut v = Verdict::new(value.clone());
    let parts: Vec<&str> = value.split('-').collect();
    let shaped = parts.len() == 4
        && parts[0].len() == 6
        && parts[0].chars().all(|c| c.is_ascii_digit())
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && !parts[2].is_empty()
        && parts[2].chars().all(|c| c.is_ascii_digit())
        && matches!(parts[3], "L" | "M" | "H" | "LT" | "MT" | "HT");
    if !shaped {
        v.problems.push(Problem::warning(
            "应急预案备案编号通常为“区县代码-年份-流水号-风险等级(L/M/H)”，如430426-2022-062-M，请核对",
        ));
        return v;
    }
    for p in check_region_code(parts[0]).problems {
        v.problems.push(Problem::warning(format!("应急预案备案编号中的区县代码：{}", p.message)));
    }
    v
}

/// The risk level letter of a well-formed filing number.
pub fn risk_level_of_filing(filing: &str) -> Option<char> {
    let value = normalize_code(filing);
    let last = value.rsplit('-').next()?;
    last.chars().next().filter(|c| matches!(c, 'L' | 'M' | 'H'))
}

/// Province-level prefixes of GB/T 2260 region codes.
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// Checks a six-digit region code (行政区划代码, GB/T 2260). Without a bundled
/// national table only the shape and the province prefix are checked.
pub fn check_region_code(raw: &str) -> Verdict {
    let value = normalize_code(raw);
    let mut v = Verdict::new(value.clone());
    if value.len() != 6 || !value.chars().all(|c| c.is_ascii_digit()) {
        v.problems.push(Problem::error(format!("行政区划代码应为6位数字，实际为“{value}”")));
        return v;
    }
    if !PROVINCES.contains(&&value[..2]) {
        v.problems.push(Problem::error(format!("行政区划代码前两位“{}”不是省级行政区代码", &value[..2])));
    }
    v
}

/// Checks a development-zone code (开发区代码) from the national catalogue:
/// `G` (national) or `S` (provincial) and six digits, or `※` for a cluster
/// that has no code.
pub fn check_park_code(raw: &str) -> Verdict {
    let value = normalize_code(raw);
    let mut v = Verdict::new(value.clone());
    if value == "※" {
        return v;
    }
    let mut chars = value.chars();
    let ok = matches!(chars.next(), Some('G' | 'S')) && value.len() == 7 && chars.all(|c| c.is_ascii_digit());
    if !ok {
        v.problems.push(Problem::error(format!(
            "开发区代码应为G或S加6位数字（如S437012），无代码的集聚区填“※”，实际为“{value}”"
        )));
    }
    v
}

/// Normalises text for matching: full-width folded, white space removed,
/// ASCII upper-cased, and the bracket forms of document numbers unified
/// (〔2019〕, ［2019］, [2019] and (2019) all match).
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〔' | '［' | '【' | '(' | '（' => '[',
            '〕' | '］' | '】' | ')' | '）' => ']',
            _ => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_spaces_are_folded() {
        assert_eq!(normalize_code("９１４３ ０４２６ma4qa91117"), "91430426MA4QA91117");
    }
}
