//! The notice's page measured from the PDF: GB/T 9704 margins, 28
//! characters per line and 22 lines per page, punctuation rules, and a
//! signature block that never leaves its date or its text.

use crate::common::*;

/// Body lines of a page: words grouped by baseline, left to right.
fn lines(words: &[Word]) -> Vec<(f32, String, f32, f32)> {
    let mut lines: Vec<(f32, String, f32, f32)> = Vec::new();
    let mut sorted = words.to_vec();
    sorted.sort_by(|a, b| a.y_max.total_cmp(&b.y_max).then(a.x_min.total_cmp(&b.x_min)));
    for w in sorted {
        match lines.last_mut() {
            Some(l) if (l.0 - w.y_max).abs() < 2.0 => {
                l.1.push_str(&w.text);
                l.3 = l.3.max(w.x_max);
            }
            _ => lines.push((w.y_max, w.text.clone(), w.x_min, w.x_max)),
        }
    }
    lines
}

#[test]
fn the_notice_body_sits_on_the_official_grid_of_28_characters_and_22_lines() {
    let (_dir, e, i) = patrolled();
    let mut n = notice(&i, &e.name, 24, false);
    for p in &mut n.problems {
        p.found = format!("{}，且现场未能提供危险废物管理计划、转移联单及近三个月的出入库记录", p.found);
    }
    let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
    let path = keep("notice-long", &pdf);
    let pages = words(&path);
    assert!(pages.len() >= 3, "24 problems and their suggestions fill more than two pages");
    // Page 2 is all body text: measure it.
    let body: Vec<_> = lines(&pages[1]).into_iter().filter(|l| !l.1.starts_with('—')).collect();
    assert_eq!(body.len(), 22, "22 lines on a full page: {body:#?}");
    let top = pages[1].iter().map(|w| w.y_min).fold(f32::MAX, f32::min);
    let bottom = body.iter().map(|l| l.0).fold(0.0, f32::max);
    assert!((top / MM - 37.0).abs() < 2.5, "text starts 37 mm from the top, not {:.1} mm", top / MM);
    assert!(bottom / MM <= 37.0 + 225.0 + 1.0, "text ends inside the 225 mm block, not at {:.1} mm", bottom / MM);
    let left = body.iter().map(|l| l.2).fold(f32::MAX, f32::min);
    let right = body.iter().map(|l| l.3).fold(0.0, f32::max);
    assert!((left / MM - 28.0).abs() < 1.0, "left margin 28 mm, not {:.1} mm", left / MM);
    assert!(right / MM <= 28.0 + 156.0 + 1.0, "lines end inside the 156 mm block, not at {:.1} mm", right / MM);
    let full: Vec<usize> = body.iter().map(|l| l.1.chars().count()).collect();
    assert!(full.iter().filter(|&&c| c == 28).count() >= 5, "full lines hold 28 characters: {full:?}");
    assert!(full.iter().all(|&c| c <= 28 + 4), "no line overflows the grid: {full:?}");
    // GB/T 9704 page numbers: odd pages right, even pages left, `— 2 —`.
    let number =
        lines(&pages[1]).into_iter().find(|l| l.1.contains('2') && l.1.starts_with('—')).expect("page 2 is numbered");
    assert!(number.2 / MM < 60.0, "even page numbers sit left");
    assert!((number.0 / MM - (37.0 + 225.0 + 7.0)).abs() < 8.0, "7 mm below the block");
}

#[test]
fn no_line_starts_with_closing_punctuation_or_ends_with_an_opening_one() {
    let (_dir, e, i) = patrolled();
    let n = notice(&i, &e.name, 24, false);
    let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
    let path = keep("notice-punctuation", &pdf);
    for page in words(&path) {
        for (_, text, _, _) in lines(&page) {
            let first = text.chars().next().unwrap();
            let last = text.chars().last().unwrap();
            assert!(!"，。、；：！？）》".contains(first), "“{text}” starts with {first}");
            assert!(!"（《".contains(last), "“{text}” ends with {last}");
        }
    }
}

#[test]
fn the_signature_and_date_stay_together_with_text_above_them_however_long_the_notice() {
    let (_dir, e, i) = patrolled();
    // Lengths that put the signature at every position near a page end.
    for problems in 1..=14 {
        let n = notice(&i, &e.name, problems, problems % 2 == 0);
        let mut office = n.office.clone();
        office.responsibilities.clear();
        let n = xuncha_core::notice::Notice { office, ..n };
        let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
        let path = keep(&format!("notice-{problems}"), &pdf);
        let pages = text_pages(&path);
        let issuer = pages.iter().rposition(|p| p.contains(&n.office.issuer)).expect("the issuer is printed");
        let last = pages.last().unwrap();
        assert_eq!(issuer, pages.len() - 1, "{problems} problems: the issuer is on the last page");
        assert!(last.contains("2026年11月22日"), "{problems} problems: the date is with the issuer");
        let before = last.split(&n.office.issuer).next().unwrap();
        assert!(
            before.contains('。') || before.contains("附"),
            "{problems} problems: text precedes the signature on its page"
        );
    }
}

/// Characters a line's text takes on the grid: a Latin character is half.
fn cells(text: &str) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
}

#[test]
fn an_address_or_a_number_is_never_split_and_the_line_before_it_is_not_spread() {
    let (_dir, e, i) = patrolled();
    // Longer names of the laws move the address through every place of a line.
    for extra in 0..28 {
        let mut n = notice(&i, &e.name, 2, false);
        n.laws = format!(
            "《中华人民共和国环境保护法》《{}条例》",
            "湖南省环境保护".chars().cycle().take(extra).collect::<String>()
        );
        let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
        let path = keep(&format!("notice-address-{extra}"), &pdf);
        let all: Vec<_> = words(&path).iter().flat_map(|p| lines(p)).collect();
        assert!(
            all.iter().any(|l| l.1.contains("gyhb@example.cn")),
            "{extra}: the e-mail address is on one line: {:#?}",
            all.iter().map(|l| &l.1).collect::<Vec<_>>()
        );
        assert!(all.iter().any(|l| l.1.contains("0734-6321234")), "{extra}: the phone number is on one line");
        for (_, text, left, right) in &all {
            if (right - left) / MM > 150.0 {
                assert!(cells(text) >= 27.0, "{extra}: “{text}” is spread across the line");
            }
        }
    }
}

#[test]
fn a_paragraph_does_not_end_on_one_character_and_its_punctuation() {
    let (_dir, e, i) = patrolled();
    for extra in 0..28 {
        let mut n = notice(&i, &e.name, 1, false);
        // One finding whose last line holds a single character at some length.
        n.problems[0].found =
            format!("{}未按要求落实整改", "危险废物暂存间".chars().cycle().take(extra + 20).collect::<String>());
        let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
        let path = keep(&format!("notice-orphan-{extra}"), &pdf);
        for (_, text, _, _) in words(&path).iter().flat_map(|p| lines(p)) {
            let letters = text.chars().filter(|c| !"，。、；：！？）》”".contains(*c)).count();
            // Page numbers and the attachment page's `附` label stand alone by design.
            let label = text.starts_with('—') || text == "附";
            assert!(letters != 1 || label, "{extra}: “{text}” stands alone on its line");
        }
    }
}

#[test]
fn dates_times_and_amounts_with_their_units_are_never_split() {
    let (_dir, e, i) = patrolled();
    let tokens = ["2026年12月22日", "10时00分", "1.5万元", "50吨/日", "30日", "30分钟"];
    // A longer start moves each token through every place of a line.
    for extra in 0..28 {
        let mut n = notice(&i, &e.name, 1, false);
        n.problems[0].found = format!(
            "{}废水处理设施于2026年12月22日10时00分停运，处理能力50吨/日不足，已罚款1.5万元，每次停机30分钟，30日内未整改",
            "危险废物暂存间".chars().cycle().take(extra).collect::<String>()
        );
        let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
        let path = keep(&format!("notice-tokens-{extra}"), &pdf);
        let all: Vec<String> = words(&path).iter().flat_map(|p| lines(p)).map(|l| l.1).collect();
        for token in tokens {
            assert!(all.iter().any(|l| l.contains(token)), "{extra}: “{token}” is on one line: {all:#?}");
        }
    }
}
