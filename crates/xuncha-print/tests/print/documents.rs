//! Each document carries every field of its record, in fonts that are
//! embedded and subset, in a file qpdf accepts.

use xuncha_core::enterprise::FacilityKind;
use xuncha_print::notice::Evidence;
use xuncha_print::Role;

use crate::common::*;

fn check_structure(path: &std::path::Path) {
    qpdf_check(path);
    let fonts = fonts(path);
    assert!(!fonts.is_empty(), "{} has fonts", path.display());
    for (name, embedded, subset) in fonts {
        assert!(embedded, "{name} is embedded in {}", path.display());
        assert!(subset, "{name} is subset in {}", path.display());
    }
}

#[test]
fn every_character_of_the_sample_data_has_a_glyph_in_every_role() {
    let sample =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/sample/sample-parks.json")).unwrap();
    assert!(sample.contains('褀'), "the sample data has the rare 褀");
    for role in [Role::Fang, Role::Title, Role::Hei, Role::Song] {
        assert_eq!(book().missing(role, &sample), Vec::<char>::new(), "{role:?} draws every character");
    }
    // 褀 is outside the shipped 仿宋, so a fuller face draws it.
    assert_ne!(book().face_name(Role::Fang, '褀'), xuncha_print::font::FANG_FILE);
    assert_eq!(book().face_name(Role::Fang, '祁'), xuncha_print::font::FANG_FILE);
}

#[test]
fn the_inspection_record_shows_who_where_when_every_result_finding_signature_and_the_digest() {
    let (_dir, e, i) = patrolled();
    let signature = drawn_signature();
    let pdf = xuncha_print::record::render(book(), &e, &i, &|_| Some(signature.clone()), 1_795_500_000).unwrap();
    let path = keep("inspection-record", &pdf);
    check_structure(&path);
    // Each field is read down the column it belongs in.
    let value = |from, to| column(&path, from, to);
    let header_values = value(0.25, 0.56) + &value(0.73, 1.0);
    for field in [
        e.name.clone(),
        e.credit_code.clone().expect("the sample enterprise has a credit code"),
        "日常巡查".into(),
        "2026年11月22日10时00分至11时30分".into(),
        "孙敏、李强".into(),
        "王厂长".into(),
    ] {
        assert!(header_values.contains(&squeeze(&field)), "the record's head shows “{field}”");
    }
    let items = value(0.08, 0.64);
    for r in &i.results {
        assert!(items.contains(&squeeze(&r.text)), "the record lists the item “{}”", r.text);
    }
    let outcomes = value(0.64, 0.76);
    assert_eq!(outcomes.matches("不符合").count(), 2, "two items are marked non-compliant");
    let (found, suggested) = (value(0.07, 0.385), value(0.385, 0.69));
    for f in &i.findings {
        assert!(found.contains(&squeeze(&f.found)), "the record shows the finding “{}”", f.found);
        assert!(suggested.contains(&squeeze(&f.suggestion)), "and its suggestion “{}”", f.suggestion);
        assert!(suggested.contains(&squeeze(f.legal_basis.as_deref().unwrap())), "and its legal basis");
    }
    let text = squeeze(&text_pages(&path).concat());
    for field in [
        "王厂长拒绝签名；见证人：村委会刘某".to_string(),
        "孙敏（手写签名如下）".into(),
        i.notes.clone(),
        i.digest.expect("signed records have a digest").to_string(),
    ] {
        assert!(text.contains(&squeeze(&field)), "the record shows “{field}”");
    }
    // The drawn signature is on the paper as a picture; the refusal has none.
    let list = std::process::Command::new("pdfimages").arg("-list").arg(&path).output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 1, "one signature image: {list}");
    assert!(images[0].contains(" 300 ") && images[0].contains(" 100 "), "at the pad's size: {list}");
}

#[test]
fn a_patrol_record_flows_its_sections_on_as_few_pages_as_they_need() {
    // Two problems described as inspectors describe them, three signers.
    let (_dir, e, mut i) = patrolled();
    for f in &mut i.findings {
        f.found = format!("{}，经查为车间地面冲洗水经雨水管网直排，现场未见截流设施", f.found);
    }
    let inspector = i.signatures[0].clone();
    i.signatures = vec![
        inspector.clone(),
        xuncha_core::inspection::Signature { name: "李强".into(), ..inspector.clone() },
        xuncha_core::inspection::Signature {
            role: xuncha_core::inspection::SignerRole::Representative,
            name: "赵经理".into(),
            ..inspector
        },
    ];
    let png = drawn_signature();
    let pdf = xuncha_print::record::render(book(), &e, &i, &|_| Some(png.clone()), 0).unwrap();
    let path = keep("inspection-record-flow", &pdf);
    let pages: Vec<String> = text_pages(&path).iter().map(|p| squeeze(p)).collect();
    assert_eq!(pages.len(), 2, "five results, two problems and three signatures fill two pages, not more");
    assert!(pages[1].contains("四、签名") && pages[1].contains("赵经理"), "the signatures follow on the same page");
    let digest = i.digest.unwrap().to_string();
    assert!(
        pages[1].contains(&format!("完整性摘要（SHA-256）：{digest}；本设备第")),
        "the digest is whole on one page"
    );
}

#[test]
fn the_notice_carries_every_field_of_appendix_j_and_the_photos_unchanged() {
    // The addressee as table 10 spells it, with the rare 褀.
    let (_dir, _, i) = patrolled();
    let n = notice(&i, "祁东晶褀机械有限公司", 2, true);
    let photos: Vec<Evidence> = (0..4)
        .map(|k| Evidence {
            jpeg: xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(1600, 1200, k)),
            caption: format!("危险废物贮存间 现场照片{}", k + 1),
        })
        .collect();
    let pdf = xuncha_print::notice::render(book(), &n, &photos, 1_795_500_000).unwrap();
    let path = keep("notice-with-photos", &pdf);
    check_structure(&path);
    let text = squeeze(&text_pages(&path).concat());
    let mut expected = vec![
        "生态环境问题整改通知书".to_string(),
        "祁环改〔2026〕12号".into(),
        "祁东晶褀机械有限公司：".into(),
        "2026年11月22日10时00分至11时30分".into(),
        "园区环保管家对你单位进行现场检查".into(),
        "请你单位于2026年12月7日前提交环境问题整改方案至归阳工业园安全环保办公室".into(),
        "电子版发送至gyhb@example.cn".into(),
        "联系人：周文".into(),
        "电话：0734-6321234".into(),
        "附：相关法律责任".into(),
        "2026年11月22日".into(),
        "第五十九条".into(),
        "图4".into(),
    ];
    expected.extend(
        n.problems.iter().flat_map(|p| [p.found.clone(), p.suggestion.clone(), p.legal_basis.clone().unwrap()]),
    );
    expected.extend(photos.iter().map(|p| p.caption.clone()));
    for field in expected {
        assert!(text.contains(&squeeze(&field)), "the notice shows “{field}”");
    }
    // The JPEGs are embedded as they are: DCT streams of the same size.
    let list = std::process::Command::new("pdfimages").arg("-list").arg(&path).output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let jpegs: Vec<&str> = list.lines().skip(2).filter(|l| l.contains(" jpeg ")).collect();
    assert_eq!(jpegs.len(), 4, "four photos embedded as JPEG: {list}");
    assert!(jpegs.iter().all(|l| l.contains(" 1600 ") && l.contains(" 1200 ")), "at full size: {list}");
}

#[test]
fn a_photo_that_is_not_a_jpeg_is_named_in_the_error() {
    let (_dir, e, i) = patrolled();
    let photos = [Evidence { jpeg: b"\x89PNG not a jpeg".to_vec(), caption: "排污口".into() }];
    let err = xuncha_print::notice::render(book(), &notice(&i, &e.name, 1, false), &photos, 0).unwrap_err();
    assert_eq!(err.to_string(), "照片「排污口」不是可嵌入的 JPEG 文件");
}

#[test]
fn facility_cards_carry_every_field_of_the_source_card() {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/000_32c7438b87ee06fa.txt"))
            .expect("the seeds are beside the project");
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store(&dir);
    let mut e = enterprise(&store, "祁东晶祺机械有限公司");
    for (kind, start, name) in [
        (FacilityKind::Wastewater, "企业废水处理环保设施明白卡", "一体化污水处理设备"),
        (FacilityKind::WasteGas, "企业废气处理环保设施明白卡", "喷漆废气活性炭吸附装置"),
    ] {
        let facility: xuncha_core::enterprise::Facility = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::from_u128(9), "kind": kind, "name": name,
            "discharge_standard": "GB 8978-1996 三级", "discharge_destination": "园区污水处理厂",
            "design_capacity": "50", "actual_capacity": "32", "power_mode": "电",
            "online_monitoring": true, "online_factors": "COD、氨氮", "removal_efficiency": "COD 85%",
            "process": "调节池—混凝沉淀—过滤", "dosing_mode": "自动", "dosing_amount": "PAC 5 kg/日",
            "consumables_replacement": "每季度", "sludge_press_frequency": "每周一次", "waste_disposal": "交有资质单位处置"
        }))
        .unwrap();
        e.facilities = vec![facility.clone()];
        let pdf = xuncha_print::card::render(book(), &e, &facility, 0).unwrap();
        let path = keep(&format!("card-{kind:?}"), &pdf);
        check_structure(&path);
        assert_eq!(text_pages(&path).len(), 1, "{start} fits one sheet to hang");
        let (labels_column, values_column) = (column_in(&path, CARD, 0.0, 0.42), column_in(&path, CARD, 0.42, 1.0));
        let text = squeeze(&text_pages(&path).concat());
        // The card's labels, read from the source between its title and its remark.
        let section = source.split(start).nth(1).unwrap().split("备注").next().unwrap();
        let labels: Vec<String> =
            section.lines().filter(|l| l.contains('：')).map(|l| l.trim().trim_end_matches('：').to_string()).collect();
        assert!(labels.len() >= 11, "{start} has its fields: {labels:?}");
        for label in labels {
            assert!(labels_column.contains(&squeeze(&label)), "{start} shows the field “{label}”");
        }
        for (_, value) in xuncha_print::card::fields(&facility) {
            assert!(values_column.contains(&squeeze(&value)), "{start} shows the value “{value}”");
        }
        let remark = source.split(start).nth(1).unwrap().lines().find(|l| l.starts_with("备注")).unwrap();
        assert!(text.contains(&squeeze(remark)), "{start} ends with the source's remark");
    }
}

#[test]
fn the_clue_transfer_form_prints_three_copies_with_every_field() {
    let t = clue_transfer();
    let pdf = xuncha_print::transfer::render(book(), &t, 0).unwrap();
    let path = keep("clue-transfer", &pdf);
    check_structure(&path);
    let pages = text_pages(&path);
    assert_eq!(pages.len(), 3, "one page per copy");
    // GB/T 9704 page numbers: `— n —`, odd pages right, even pages left.
    for (n, page) in words(&path).iter().enumerate() {
        let number = page.iter().find(|w| w.text == (n + 1).to_string()).expect("every page is numbered");
        let (left, right) = (number.x_min / MM, number.x_max / MM);
        assert!(number.y_max / MM > 37.0 + 225.0, "page {}: the number sits below the text block", n + 1);
        if n % 2 == 0 {
            assert!(right > 28.0 + 156.0 - 30.0, "odd page {} is numbered on the right, at {right:.0} mm", n + 1);
        } else {
            assert!(left < 28.0 + 30.0, "even page {} is numbered on the left, at {left:.0} mm", n + 1);
        }
    }
    for (page, copy) in pages.iter().zip(["第一联", "第二联", "第三联"]) {
        let text = squeeze(page);
        assert!(text.contains(copy), "the page says which copy it is: {copy}");
        for field in [
            "益阳市生态环境违法线索移交书",
            "益阳市生态环境局赫山分局：",
            "涉嫌违法单位或个人暂不清楚",
            "夜间通过雨水管网排放生产废水",
            "违法线索移交人签字",
            "违法线索接收人签字",
            "0737-4221234",
            "0737-4225678",
            "周文",
            "陈刚",
            "附：相关材料清单（3）份",
            "1．现场检查记录",
            "3．生态环境问题整改通知书",
            "移送时间：2026年11月22日",
            "益高环移〔2026〕3号",
            "一式三份",
        ] {
            assert!(text.contains(&squeeze(field)), "{copy} shows “{field}”");
        }
    }
}

#[test]
fn the_package_installs_the_fonts_where_the_installed_program_looks_for_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    let files = conf["bundle"]["linux"]["deb"]["files"].as_object().expect("the .deb lists extra files");
    let (target, source) = files
        .iter()
        .find(|(_, source)| source.as_str().is_some_and(|s| s.trim_end_matches('/').ends_with("assets/fonts")))
        .expect("the .deb carries assets/fonts");
    // Lay the package out in a scratch root as dpkg would, beside usr/bin.
    let scratch = tempfile::tempdir().unwrap();
    let installed = scratch.path().join(target.trim_start_matches('/'));
    std::fs::create_dir_all(&installed).unwrap();
    let shipped = root.join("src-tauri").join(source.as_str().unwrap());
    for f in std::fs::read_dir(&shipped).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), installed.join(f.file_name())).unwrap();
    }
    let bin = scratch.path().join("usr/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let found = xuncha_print::FontBook::installed_dir(&bin).expect("the installed program finds its fonts");
    let book = xuncha_print::FontBook::load(&found, &xuncha_print::OfficeFonts::default()).unwrap();
    assert!(book.missing(Role::Fang, "祁东晶褀机械").is_empty(), "and they are the whole set, 褀 included");
}
