//! The sample data against its sources: the committed files are what the
//! extractor makes today, and they say what the documents say.

use std::path::PathBuf;

use xuncha_core::enterprise::{Enterprise, EnterpriseStatus};
use xuncha_core::ident;
use xuncha_core::sample::SampleData;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seeds() -> PathBuf {
    root().join("../shared/seeds")
}

fn committed() -> SampleData {
    serde_json::from_str(&std::fs::read_to_string(root().join("assets/sample/sample-parks.json")).unwrap()).unwrap()
}

fn qidong() -> Vec<Enterprise> {
    committed().parks.into_iter().find(|p| p.park.code.as_deref() == Some("S437012")).unwrap().enterprises
}

fn by_name<'a>(all: &'a [Enterprise], name: &str) -> &'a Enterprise {
    all.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} is in table 1.3-1"))
}

/// Hundredths of a tonne, so sums are exact.
fn hundredths(s: &str) -> i64 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    int.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap()
}

#[test]
fn the_committed_sample_is_exactly_what_the_extractor_makes_from_the_sources() {
    let (json, report) = xuncha_seed::extract_files(&seeds()).unwrap();
    let on_disk = std::fs::read_to_string(root().join("assets/sample/sample-parks.json")).unwrap();
    assert!(json == on_disk, "assets/sample/sample-parks.json is stale: run `cargo run -p xuncha-seed`");
    let on_disk = std::fs::read_to_string(root().join("assets/sample/extraction-report.md")).unwrap();
    assert!(report == on_disk, "assets/sample/extraction-report.md is stale: run `cargo run -p xuncha-seed`");
}

#[test]
fn the_park_has_its_code_quotas_and_2024_actuals() {
    let data = committed();
    let park = &data.parks[0].park;
    assert_eq!(park.name, "湖南祁东高新技术产业开发区");
    assert_eq!(park.code.as_deref(), Some("S437012"));
    let figures: Vec<(&str, &str, &str)> = park
        .pollutants
        .iter()
        .map(|q| (q.pollutant.as_str(), q.quota_tpa.as_deref().unwrap(), q.actuals[0].amount_tpa.as_str()))
        .collect();
    assert_eq!(
        figures,
        vec![("COD", "300", "90.59"), ("NH3-N", "40", "1.37"), ("SO2", "500", "16.35"), ("NOx", "750", "13.02")]
    );
    assert!(park.pollutants.iter().all(|q| q.actuals[0].year == 2024));
    let approvals: Vec<&str> = park.approvals.iter().map(|a| a.doc_number.as_str()).collect();
    assert_eq!(approvals, vec!["湘环评函[2014]89号", "湘环评函[2022]90号"]);
}

#[test]
fn fifty_enterprises_forty_four_operating_and_six_under_construction() {
    let all = qidong();
    assert_eq!(all.len(), 50);
    assert_eq!(all.iter().filter(|e| e.status == EnterpriseStatus::Operating).count(), 44);
    let building: Vec<&str> =
        all.iter().filter(|e| e.status == EnterpriseStatus::UnderConstruction).map(|e| e.name.as_str()).collect();
    assert_eq!(
        building,
        vec![
            "湖南弘电新能源有限公司（威马）",
            "湖南华怡食品科技有限公司",
            "湖南湘食双茂食品有限公司",
            "湖南鸿锂新能源科技有限公司",
            "湖南川岳环境科技有限公司",
            "湖南黄花源农业科技有限公司"
        ]
    );
}

#[test]
fn continuation_rows_are_extra_approvals_of_the_enterprise_above() {
    let all = qidong();
    let approvals = |name: &str| -> Vec<String> {
        by_name(&all, name).eia_approvals.iter().map(|a| a.doc_number.clone()).collect()
    };
    assert_eq!(approvals("湖南领湃新能源科技有限公司"), vec!["祁环评[2019]43号", "祁环评[2021]23号"]);
    assert_eq!(approvals("湖南顺隆能源有限公司"), vec!["湘环评函[2014]27号", "衡环函[2014]97号", "祁环函[2015]54号"]);
    assert_eq!(approvals("湖南万祺科技有限公司"), vec!["祁环评[2015]72号", "祁环评[2015]55号", "祁环评[2016]9号"]);
    assert_eq!(approvals("衡阳市罗亚钓具有限公司"), vec!["祁环评[2016]38号", "祁环评[2017]3号"]);
    assert_eq!(approvals("祁东江南广利冷链有限公司"), vec!["登记备案：201943042600000059"]);
    let total: usize = all.iter().map(|e| e.eia_approvals.len()).sum();
    assert_eq!(total, 54, "48 enterprises with one approval each and 6 continuation rows; 2 have none");
}

#[test]
fn every_permit_number_carries_a_valid_credit_code_and_the_rest_have_none() {
    let all = qidong();
    let with_permit: Vec<&Enterprise> = all.iter().filter(|e| !e.permits.is_empty()).collect();
    assert_eq!(with_permit.len(), 41);
    for e in &with_permit {
        let number = &e.permits[0].number;
        assert!(ident::check_permit_number(number).is_ok(), "{}: {number}", e.name);
        assert_eq!(e.credit_code.as_deref(), Some(&number[..18]), "{}", e.name);
    }
    for e in all.iter().filter(|e| e.permits.is_empty()) {
        assert_eq!(e.credit_code, None, "{} has no permit number, so no code is invented", e.name);
        assert!(e.source_flags.iter().any(|f| f.field == "统一社会信用代码"), "{} is flagged", e.name);
    }
}

#[test]
fn irregular_cells_are_kept_as_found_and_flagged() {
    let all = qidong();
    let flag = |name: &str, field: &str| -> String {
        by_name(&all, name)
            .source_flags
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.raw.clone())
            .unwrap_or_else(|| panic!("{name} has a flag on {field}"))
    };
    assert_eq!(flag("湖南衡缘物流有限公司（归阳分公司）", "是否取得排污许可证"), "是");
    assert_eq!(flag("祁东县泰豪科技发展有限公司", "是否取得排污许可证"), "/");
    assert_eq!(flag("湖南天驰高分子新材料有限公司", "是否取得排污许可证"), "\\");
    assert_eq!(flag("湖南天驰高分子新材料有限公司", "行业类别"), "");
    assert_eq!(flag("湖南鸿锂新能源科技有限公司", "是否有环评手续（批复文号）"), "是");
    assert_eq!(flag("湖南华怡食品科技有限公司", "行业类别"), "/");
    assert_eq!(by_name(&all, "湖南鸿锂新能源科技有限公司").industry, None, "no industry is invented");
    assert_eq!(
        by_name(&all, "湖南弘电新能源有限公司（威马）").industry.as_deref(),
        Some("新能源汽车"),
        "kept as written"
    );
}

#[test]
fn table_10_names_are_matched_across_spellings_and_its_totals_hold() {
    let all = qidong();
    for (table10, table131) in [
        ("祁东晶褀机械有限公司", "祁东晶祺机械有限公司"),
        ("湖南新建汉新材料科技有限公司", "湖南新建汉科技建材有限公司"),
        ("祁东县泰豪食品有限公司", "祁东县泰豪科技发展有限公司"),
    ] {
        assert_eq!(by_name(&all, table131).aliases, vec![table10.to_string()]);
    }
    let report = std::fs::read_to_string(root().join("assets/sample/extraction-report.md")).unwrap();
    assert!(report.contains("| 祁东晶褀机械有限公司 | 祁东晶祺机械有限公司 |"), "the match is reported");
    let with_waste: Vec<&Enterprise> = all.iter().filter(|e| !e.solid_waste.is_empty()).collect();
    assert_eq!(with_waste.len(), 36);
    let sum = |f: fn(&Enterprise) -> &Option<String>| -> i64 {
        with_waste.iter().map(|e| hundredths(f(e).as_deref().unwrap())).sum()
    };
    // The 合计 row of table 10.
    assert_eq!(sum(|e| &e.solid_waste[0].general.produced), hundredths("80.6"));
    assert_eq!(sum(|e| &e.solid_waste[0].general.self_utilised), hundredths("7.05"));
    assert_eq!(sum(|e| &e.solid_waste[0].general.self_disposed), hundredths("51.40"));
    assert_eq!(sum(|e| &e.solid_waste[0].general.entrusted), hundredths("22.15"));
    assert_eq!(sum(|e| &e.solid_waste[0].hazardous.produced), hundredths("18.04"));
    assert_eq!(sum(|e| &e.solid_waste[0].hazardous.entrusted), hundredths("18.04"));
    let fubide = &by_name(&all, "衡阳市富比德科学仪器有限公司").solid_waste[0];
    assert_eq!(fubide.general.produced.as_deref(), Some("0.40"), "the source's precision is kept");
    assert_eq!(fubide.on_transfer_list, Some(true));
    assert_eq!(by_name(&all, "湖南长城科技有限公司").solid_waste[0].on_transfer_list, None, "“/” is not 否");
}

#[test]
fn the_nine_yiyang_parks_with_their_codes() {
    let data = committed();
    let yiyang: Vec<(&str, &str)> =
        data.parks[1..].iter().map(|p| (p.park.name.as_str(), p.park.code.as_deref().unwrap())).collect();
    assert_eq!(
        yiyang,
        vec![
            ("湖南南县经济开发区", "S437047"),
            ("湖南桃江经济开发区", "S437043"),
            ("湖南沅江高新技术产业园区", "S438045"),
            ("湖南益阳长春经济开发区", "S437044"),
            ("湖南安化经济开发区", "S437046"),
            ("益阳高新技术产业开发区", "G432128"),
            ("桃江灰山港工业集中区", "※"),
            ("湖南大通湖区洞庭食品工业园", "※"),
            ("益阳市龙岭工业园", "※"),
        ]
    );
}
