//! Tables, signatures, vertical spacing and fallback glyphs measured from
//! the PDFs: no glyph crosses a rule, codes break only at their joints, a
//! drawn signature sits inside its signer's cell, the red header's spacing
//! follows GB/T 9704, and a rare character matches its neighbours.

use chrono::NaiveDate;
use xuncha_core::ledger::{ledger, Ledger, LedgerKind};

use crate::common::*;

/// Values longer than any a ledger meets, for every column: a permit
/// number, a long enterprise name, a document number, a date, an e-mail
/// address, a phone with its owner, a long sentence.
const WORST: [&str; 7] = [
    "91430426MA4L2XKQ3P001V",
    "湖南省衡阳市祁东县归阳工业园区晶褀精密机械制造股份有限公司",
    "衡祁环评〔2023〕123号",
    "2026年12月22日",
    "gyhb-environment-office@guiyang-park.example.cn",
    "王某某（13800000000）",
    "危险废物贮存间未设置标识标牌，台账记录不完整，现场未能提供危险废物管理计划、转移联单及近三个月的出入库记录",
];

/// Rows that put every worst value in every column but the serial number's.
fn worst_rows(l: &Ledger) -> Vec<Vec<String>> {
    (0..WORST.len())
        .map(|k| {
            let values = (1..l.heads.len()).map(|c| WORST[(c + k) % WORST.len()].to_string());
            std::iter::once(format!("{}", 9990 + k)).chain(values).collect()
        })
        .collect()
}

#[test]
fn no_glyph_crosses_a_rule_in_any_ledger_with_real_or_worst_case_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    for kind in LedgerKind::ALL {
        let real = ledger(&store, kind, None, today).unwrap();
        let mut worst = real.clone();
        worst.rows.extend(worst_rows(&real));
        for (name, l) in [("real", &real), ("worst", &worst)] {
            let pdf = xuncha_print::ledger::render(book(), l, 0).unwrap();
            let path = keep(&format!("ledger-{}-{name}", kind.key()), &pdf);
            let crossing = words_across_rules(&path);
            assert!(crossing.is_empty(), "{} ({name}): text runs over a rule: {crossing:#?}", l.title);
            // Nothing was lost to the wrapping: every value is still there.
            let text = squeeze(&text_pages(&path).concat());
            for value in l.rows.iter().flatten().filter(|v| !v.is_empty()) {
                assert!(text.contains(&squeeze(value)), "{} ({name}) shows “{value}”", l.title);
            }
        }
    }
}

#[test]
fn permit_numbers_in_the_compliance_ledger_are_whole_or_cut_after_their_credit_code() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let l = ledger(&store, LedgerKind::Compliance, None, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
    let permits: Vec<String> = l
        .rows
        .iter()
        .flat_map(|r| r.iter())
        .flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| w.len() == 22 && !xuncha_core::ident::check_permit_number(w).has_error())
        .map(str::to_string)
        .collect();
    assert!(permits.len() >= 5, "the sample park has permit numbers: {permits:?}");
    let pdf = xuncha_print::ledger::render(book(), &l, 0).unwrap();
    let path = keep("ledger-compliance-permits", &pdf);
    let all: Vec<String> = words(&path).into_iter().flatten().map(|w| w.text).collect();
    for p in &permits {
        let whole = all.iter().any(|w| w.contains(p.as_str()));
        let at_joint =
            all.iter().position(|w| w.ends_with(&p[..18])).is_some_and(|i| all[i + 1..].iter().any(|w| w == &p[18..]));
        assert!(whole || at_joint, "{p} is printed whole or cut after its credit code: {all:?}");
    }
    // Six columns of permit numbers leave each column room for a credit
    // code but not a whole permit number: each is cut after its credit code.
    let mut narrow = l.clone();
    narrow.heads = vec!["排污许可证".into(); 6];
    narrow.widths = vec![1.0; 6];
    narrow.rows = vec![vec![WORST[0].to_string(); 6]];
    let pdf = xuncha_print::ledger::render(book(), &narrow, 0).unwrap();
    let path = keep("ledger-compliance-narrow", &pdf);
    let all: Vec<String> = words(&path).into_iter().flatten().map(|w| w.text).collect();
    assert_eq!(all.iter().filter(|w| w.as_str() == &WORST[0][..18]).count(), 6, "cut after the credit code: {all:?}");
    assert_eq!(all.iter().filter(|w| w.as_str() == &WORST[0][18..]).count(), 6, "the serial on the next line: {all:?}");
}

#[test]
fn the_solid_waste_ledger_groups_its_heads_as_table_10_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let l = ledger(&store, LedgerKind::Waste, None, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
    let pdf = xuncha_print::ledger::render(book(), &l, 0).unwrap();
    let path = keep("ledger-waste-heads", &pdf);
    let page = &words(&path)[0];
    let find = |text: &str| page.iter().filter(|w| w.text.contains(text)).cloned().collect::<Vec<_>>();
    let general = find("一般工业固体废物（t/a）");
    let hazardous = find("危险废物（t/a）");
    assert_eq!((general.len(), hazardous.len()), (1, 1), "each group's head once, whole: {page:?}");
    // Under each group its four heads, one row lower; 序号 spans both rows.
    for group in [&general[0], &hazardous[0]] {
        let under: Vec<_> = page
            .iter()
            .filter(|w| w.y_min > group.y_max && w.y_min < group.y_max + 40.0)
            .filter(|w| w.x_min >= group.x_min - 80.0 && w.x_max <= group.x_max + 80.0)
            .map(|w| w.text.as_str())
            .collect();
        let joined = under.concat();
        for head in ["产生量（吨）", "自行综合利用", "自行处置"] {
            assert!(joined.contains(head), "“{head}” under “{}”: {under:?}", group.text);
        }
    }
    // 序号 spans both head rows: no rule runs through its cell between them.
    let number = &find("序号")[0];
    let rules = &drawn(&path)[0].rules;
    let sub_head = page.iter().find(|w| w.text.contains("自行处置")).expect("a sub-head");
    let between = (general[0].y_max + sub_head.y_min) / 2.0;
    let rule_between = rules
        .iter()
        .find(|r| (r.y1 - r.y2).abs() < 0.1 && (r.y1 - between).abs() < 6.0 && r.x1.min(r.x2) <= general[0].x_min)
        .map(|r| r.y1)
        .expect("a rule between the group head and its sub-heads");
    assert!(
        !rules.iter().any(|r| (r.y1 - rule_between).abs() < 0.1
            && r.x1.min(r.x2) < number.x_max
            && r.x1.max(r.x2) > number.x_min),
        "no rule crosses 序号's cell between the head rows"
    );
    assert!(!squeeze(&text_pages(&path).concat()).contains("单位：吨/年"), "the unit is in the heads, not a note");
}

#[test]
fn the_patrol_ledger_prints_its_dates_as_its_subtitle_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let l = ledger(&store, LedgerKind::Patrol, None, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
    let dates: Vec<&String> = l.rows.iter().flat_map(|r| &r[4..6]).filter(|v| !v.is_empty()).collect();
    assert!(!dates.is_empty(), "the sample park has due dates");
    for d in dates {
        assert!(
            d == "从未巡查" || (d.contains('年') && d.ends_with('日') && !d.contains('-')),
            "“{d}” reads like 2026年11月22日"
        );
    }
}

#[test]
fn the_inspection_record_keeps_labels_and_times_whole_and_each_signature_in_its_cell() {
    let (_dir, e, i) = patrolled();
    let png = drawn_signature();
    let pdf = xuncha_print::record::render(book(), &e, &i, &|_| Some(png.clone()), 0).unwrap();
    let path = keep("inspection-record-cells", &pdf);
    let pages = words(&path);
    let all: Vec<&Word> = pages.iter().flatten().collect();
    for whole in ["统一社会信用代码", "法定代表人", "被检查单位"] {
        assert!(all.iter().any(|w| w.text == whole), "“{whole}” is on one line");
    }
    assert!(all.iter().any(|w| w.text.contains("10时00分")), "the start time is on one line");
    let crossing = words_across_rules(&path);
    assert!(crossing.is_empty(), "text runs over a rule: {crossing:#?}");
    // The picture lies between the rules of the row that names 孙敏.
    let drawn = drawn(&path);
    let (n, picture) = drawn
        .iter()
        .enumerate()
        .find_map(|(n, d)| d.pictures.first().map(|p| (n, *p)))
        .expect("the drawn signature is placed");
    let name = pages[n].iter().find(|w| w.text.starts_with("孙敏")).expect("the signer's name is on its page");
    let rules = &drawn[n].rules;
    let above =
        |y: f32| rules.iter().filter(|r| (r.y1 - r.y2).abs() < 0.1 && r.y1 <= y).map(|r| r.y1).fold(0.0, f32::max);
    let below =
        |y: f32| rules.iter().filter(|r| (r.y1 - r.y2).abs() < 0.1 && r.y1 >= y).map(|r| r.y1).fold(f32::MAX, f32::min);
    let row = (above(name.y_min), below(name.y_max));
    assert!(
        picture.y1 >= row.0 && picture.y2 <= row.1,
        "the signature ({:.0}–{:.0} pt) sits in 孙敏's row ({:.0}–{:.0} pt)",
        picture.y1,
        picture.y2,
        row.0,
        row.1
    );
    let verticals: Vec<f32> = rules
        .iter()
        .filter(|r| (r.x1 - r.x2).abs() < 0.1 && r.y1.min(r.y2) < picture.y2 && r.y1.max(r.y2) > picture.y1)
        .map(|r| r.x1)
        .collect();
    assert!(
        verticals.iter().all(|&x| x <= picture.x1 || x >= picture.x2),
        "no rule runs under the signature: {verticals:?} vs {:.0}–{:.0}",
        picture.x1,
        picture.x2
    );
}

/// The characters' tops and bottoms of the page's text lines, by baseline:
/// for a face on our grid the em box runs from 0.88 em above the baseline
/// to 0.12 em below it.
fn em_box(drawn: &Drawn, word: &Word) -> (f32, f32) {
    let (_, base, size) = drawn
        .baselines
        .iter()
        .filter(|(_, b, _)| *b >= word.y_min - 1.0 && *b <= word.y_max + 1.0)
        .min_by(|a, b| (a.1 - word.y_max).abs().total_cmp(&(b.1 - word.y_max).abs()))
        .copied()
        .unwrap_or_else(|| panic!("a baseline for “{}”", word.text));
    (base - 0.88 * size, base + 0.12 * size)
}

#[test]
fn the_red_header_number_rule_title_and_addressee_are_spaced_as_gb_t_9704_sets_them() {
    let (_dir, e, i) = patrolled();
    let n = notice(&i, &e.name, 2, true);
    let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
    let path = keep("notice-red-header-spacing", &pdf);
    let pages = words(&path);
    let drawn = drawn(&path);
    // The body grid: 22 lines in 225 mm; an empty line is one pitch, and
    // the characters of adjacent lines are a leading apart.
    let pitch = 225.0 * MM / 22.0;
    let leading = pitch - 16.0;
    let find = |text: &str| pages[0].iter().find(|w| w.text.contains(text)).unwrap_or_else(|| panic!("“{text}”"));
    let mark = em_box(&drawn[0], find("管理委员会"));
    let number = em_box(&drawn[0], find("〔2026〕"));
    let title = em_box(&drawn[0], find("整改通知书"));
    let addressee = em_box(&drawn[0], find(&format!("{}：", e.name)));
    let rule = drawn[0]
        .rules
        .iter()
        .find(|r| (r.y1 - r.y2).abs() < 0.1 && (r.x2 - r.x1).abs() > 150.0 * MM)
        .expect("the red rule spans the block")
        .y1;
    let near = |what: &str, got: f32, want: f32| {
        assert!((got - want).abs() < 1.5, "{what}: {:.1} pt, the standard's {:.1} pt", got, want);
    };
    near("7.2.1: the office's mark 35 mm below the block's top", mark.0, (37.0 + 35.0) * MM);
    near("7.2.4: the number two empty lines below the mark", number.0 - mark.1, 2.0 * pitch + leading);
    near("7.2.6: the red rule 4 mm below the number", rule - number.1, 4.0 * MM);
    near(
        "7.3.1: the title two empty lines below the rule",
        title.0 - rule,
        2.0 * pitch + (22.0 + leading - 22.0) / 2.0,
    );
    near("7.3.2: the addressee one empty line below the title", addressee.0 - title.1, pitch + leading);
    let left = pages[0].iter().find(|w| w.text.starts_with(&e.name)).unwrap().x_min;
    assert!((left / MM - 28.0).abs() < 0.5, "the addressee is flush left");

    // The attachment: 附 flush left on the first line, its title on the third.
    let (p, attachment) = pages
        .iter()
        .enumerate()
        .find_map(|(p, ws)| ws.iter().find(|w| w.text == "附").map(|w| (p, w)))
        .expect("the attachment page");
    assert!((attachment.x_min / MM - 28.0).abs() < 0.5, "附 is flush left, at {:.1} mm", attachment.x_min / MM);
    let label = em_box(&drawn[p], attachment);
    near("8: 附 on the first line", label.0, 37.0 * MM + leading / 2.0);
    let heading = em_box(&drawn[p], pages[p].iter().find(|w| w.text.contains("相关法律责任")).unwrap());
    near("8: the attachment's title on the third line", heading.0 - label.1, pitch + leading);
}

/// Ink of a glyph cell: (mean darkness over the em square, ink height in
/// ems), looking a quarter em above and below the em box, where a face's
/// ink may reach.
fn ink(img: &image::GrayImage, x: f32, top: f32, em: f32, dpi: f32) -> (f32, f32) {
    let px = |v: f32| (v / 72.0 * dpi).round() as u32;
    let (x0, y0, side) = (px(x), px(top - em / 4.0), px(em));
    let (mut dark, mut rows) = (0.0, Vec::new());
    for y in y0..y0 + side * 3 / 2 {
        let mut row = 0.0;
        for x in x0..x0 + side {
            row += f32::from(255 - img.get_pixel(x, y).0[0]) / 255.0;
        }
        if row > 0.5 {
            rows.push(y);
        }
        dark += row;
    }
    let height = rows.last().zip(rows.first()).map_or(0, |(l, f)| l - f) as f32;
    (dark / (side * side) as f32, height / side as f32)
}

fn rendered(path: &std::path::Path, dpi: u32) -> image::GrayImage {
    let out = path.with_extension("");
    let status = std::process::Command::new("pdftoppm")
        .args(["-gray", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", &dpi.to_string()])
        .arg(path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    image::open(out.with_extension("png")).unwrap().to_luma8()
}

#[test]
fn a_rare_character_from_the_fallback_face_matches_its_neighbours_in_weight_and_height() {
    // 祺 is in the body and title faces; 褀, its near twin, is not, and
    // comes from a fallback. Stroke darkness within 15% and ink height
    // within 6% of 祺's: the regular serif the fallback used to be was 38%
    // darker, the extra-light face unfitted 7% shorter.
    let (_dir, _, i) = patrolled();
    let mut n = notice(&i, "祺褀祺褀祺褀祺褀", 1, true);
    n.office.red_header = Some("祺褀祺褀".into());
    let pdf = xuncha_print::notice::render(book(), &n, &[], 0).unwrap();
    let path = keep("notice-fallback-glyphs", &pdf);
    assert_eq!(book().face_name(xuncha_print::Role::Fang, '褀'), xuncha_print::font::FANG_FALLBACK_FILE);
    for role in [xuncha_print::Role::Fang, xuncha_print::Role::Title] {
        assert!(book().adjust_for(role, '褀').is_some(), "{role:?}'s fallback is fitted to its first face");
        assert!(book().adjust_for(role, '祺').is_none(), "{role:?}'s own glyphs are drawn as they are");
    }
    let dpi = 600.0;
    let img = rendered(&path, dpi as u32);
    let page = &words(&path)[0];
    let drawn = &drawn(&path)[0];
    for (text, size, pitch, what) in
        [("祺褀祺褀祺褀祺褀：", 16.0, 156.0 * MM / 28.0, "仿宋"), ("祺褀祺褀", 30.0, 30.0, "小标宋")]
    {
        // The line's first 祺 (poppler may give each big character its own word).
        let word = page
            .iter()
            .filter(|w| w.text.starts_with('祺') && text.starts_with(&w.text))
            .filter(|w| (w.y_max - w.y_min) > size * 0.9 && (w.y_max - w.y_min) < size * 1.6)
            .min_by(|a, b| a.x_min.total_cmp(&b.x_min))
            .unwrap_or_else(|| panic!("“{text}” in {page:?}"));
        let word = page
            .iter()
            .filter(|w| (w.y_min - word.y_min).abs() < 2.0 && w.text.starts_with('祺'))
            .min_by(|a, b| a.x_min.total_cmp(&b.x_min))
            .unwrap();
        let (top, _) = em_box(drawn, word);
        let cells: Vec<(f32, f32)> = (0..4).map(|k| ink(&img, word.x_min + k as f32 * pitch, top, size, dpi)).collect();
        let mean = |odd: usize| {
            let v: Vec<_> = cells.iter().skip(odd).step_by(2).collect();
            (v.iter().map(|c| c.0).sum::<f32>() / v.len() as f32, v.iter().map(|c| c.1).sum::<f32>() / v.len() as f32)
        };
        let (own, rare) = (mean(0), mean(1));
        let (weight, height) = (rare.0 / own.0, rare.1 / own.1);
        assert!(
            (weight - 1.0).abs() < 0.15 && (height - 1.0).abs() < 0.06,
            "{what}: 褀 against 祺: darkness ×{weight:.2}, ink height ×{height:.2} ({own:?} vs {rare:?})"
        );
    }
}

#[test]
fn cards_and_the_transfer_form_keep_long_values_inside_their_cells_and_labels_whole_in_brackets() {
    use xuncha_core::enterprise::{Facility, FacilityKind};
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let mut e = enterprise(&store, "祁东晶祺机械有限公司");
    for kind in [FacilityKind::Wastewater, FacilityKind::WasteGas] {
        // Every field at its longest: a long sentence, an amount with its
        // unit, a standard's number, an e-mail address.
        let long = |k: usize| WORST[k % WORST.len()].to_string();
        let facility: Facility = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::from_u128(9), "kind": kind, "name": long(1),
            "discharge_standard": "GB 8978-1996《污水综合排放标准》表4三级标准及园区污水处理厂接管标准",
            "discharge_destination": long(6), "design_capacity": "1200吨/日", "actual_capacity": "860.5吨/日",
            "power_mode": "电", "online_monitoring": true, "online_factors": "COD、氨氮、总磷、总氮、pH、流量",
            "removal_efficiency": long(6), "process": long(6), "dosing_mode": "自动",
            "dosing_amount": "PAC 25 kg/日、PAM 3 kg/日", "consumables_replacement": long(4),
            "sludge_press_frequency": long(3), "waste_disposal": long(6)
        }))
        .unwrap();
        e.facilities = vec![facility.clone()];
        let pdf = xuncha_print::card::render(book(), &e, &facility, 0).unwrap();
        let path = keep(&format!("card-worst-{kind:?}"), &pdf);
        let crossing = words_across_rules(&path);
        assert!(crossing.is_empty(), "{kind:?}: text runs over a rule: {crossing:#?}");
        let all: Vec<String> = words(&path).into_iter().flatten().map(|w| w.text).collect();
        for note in ["（自定义）", "（自动/人工）", "（主要处理因子）", "（电/气）"] {
            assert!(all.iter().any(|w| w.contains(note)), "{kind:?}: “{note}” is not broken: {all:?}");
        }
        if kind == FacilityKind::Wastewater {
            assert!(all.iter().any(|w| w.contains("（××吨/日）")), "the scale's unit is whole: {all:?}");
            assert!(all.iter().any(|w| w.contains("860.5吨/日")), "an amount keeps its unit: {all:?}");
        }
    }

    let mut t = clue_transfer();
    t.office.sender_name = "欧阳某某某".into();
    t.receiver_name = "司马某某".into();
    t.office.sender_phone = "0737-42212345、13800000000".into();
    t.receiver_phone = "0737-42256789转8001".into();
    let pdf = xuncha_print::transfer::render(book(), &t, 0).unwrap();
    let path = keep("clue-transfer-worst", &pdf);
    let crossing = words_across_rules(&path);
    assert!(crossing.is_empty(), "the transfer form: text runs over a rule: {crossing:#?}");
    let all: Vec<String> = words(&path).into_iter().flatten().map(|w| w.text).collect();
    assert_eq!(all.iter().filter(|w| w.as_str() == "违法线索移交人签字").count(), 3, "the label is whole: {all:?}");
}
