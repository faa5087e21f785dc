use xuncha_core::enterprise::{EnterpriseStatus, Tier};
use xuncha_core::search::{MatchedField, Query};
use xuncha_core::Store;

use crate::common::{env, sample_store};

fn names(store: &mut Store, q: Query) -> Vec<String> {
    store.search(&q).unwrap().into_iter().map(|h| h.name).collect()
}

fn text(t: &str) -> Query {
    Query { text: t.into(), ..Default::default() }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_two_character_query_finds_every_name_that_contains_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    // The seven names in table 1.3-1 that contain 食品.
    let expected = [
        "湖南省佳美食品工业有限公司",
        "祁东县永发食品有限公司",
        "湖南省糖公子食品工业有限公司",
        "湖南佳鑫食品工业有限公司",
        "祁东县金鑫肉食品有限公司",
        "湖南华怡食品科技有限公司",
        "湖南湘食双茂食品有限公司",
    ];
    assert_eq!(sorted(names(&mut s, text("食品"))), sorted(expected.iter().map(|s| s.to_string()).collect()));
}

#[test]
fn industry_filter_lists_the_food_manufacturers() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let expected = [
        "祁东县永发食品有限公司",
        "湖南省糖公子食品工业有限公司",
        "湖南佳鑫食品工业有限公司",
        "祁东县金鑫肉食品有限公司",
        "祁东县泰豪科技发展有限公司",
        "湖南湘食双茂食品有限公司",
    ];
    let found = names(&mut s, Query { industry: Some("食品制造业".into()), ..Default::default() });
    assert_eq!(sorted(found), sorted(expected.iter().map(|s| s.to_string()).collect()));
    let both = names(&mut s, Query { text: "食品".into(), industry: Some("食品制造业".into()), ..Default::default() });
    assert_eq!(both.len(), 5, "食品 in the name and 食品制造业 as industry: {both:?}");
}

#[test]
fn codes_and_approval_numbers_find_their_enterprise_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    for (q, field) in [
        ("91430426MA4QA91117", MatchedField::CreditCode),
        ("91430426ma4qa91117001u", MatchedField::PermitNumber),
        ("430426-2022-062-M", MatchedField::EmergencyFiling),
        ("祁环评〔2021〕23号", MatchedField::EiaApproval),
        ("祁环评[2019]43号", MatchedField::EiaApproval),
    ] {
        let hits = s.search(&text(q)).unwrap();
        assert_eq!(hits[0].name, "湖南领湃新能源科技有限公司", "query {q}");
        assert_eq!(hits[0].matched, field, "query {q}");
        assert_eq!(hits.len(), 1, "an exact number matches one enterprise: {q}");
    }
}

#[test]
fn exact_and_prefix_matches_rank_before_matches_inside_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let hits = names(&mut s, text("衡"));
    let first_inside = hits.iter().position(|n| !n.starts_with("衡")).expect("湖南衡缘物流 has 衡 inside its name");
    assert!(first_inside >= 6, "six names start with 衡阳: {hits:?}");
    assert!(hits[first_inside..].iter().all(|n| !n.starts_with("衡")), "prefix matches first: {hits:?}");
    let exact = names(&mut s, text("湖南力方轧辊有限公司"));
    assert_eq!(exact, vec!["湖南力方轧辊有限公司"]);
}

#[test]
fn filters_by_tier_status_and_park() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    assert_eq!(names(&mut s, Query { tier: Some(Tier::A), ..Default::default() }), vec!["湖南顺隆能源有限公司"]);
    assert_eq!(
        names(&mut s, Query { status: Some(EnterpriseStatus::UnderConstruction), ..Default::default() }).len(),
        6
    );
    assert_eq!(names(&mut s, Query { park: Some("S437012".into()), ..Default::default() }).len(), 50);
    assert_eq!(names(&mut s, Query { park: Some("G432128".into()), ..Default::default() }).len(), 0);
    assert_eq!(names(&mut s, Query { text: "领湃".into(), limit: Some(0), ..Default::default() }).len(), 0);
}

#[test]
fn a_one_character_query_and_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    assert_eq!(names(&mut s, text("褀")).len(), 0, "褀 appears only in table 10's spelling, which is not the name");
    assert_eq!(names(&mut s, text("祺")).len(), 2, "祁东晶祺机械 and 湖南万祺科技");
    assert!(names(&mut s, text("不存在的企业")).is_empty());
}

#[test]
fn search_sees_changes_made_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let mut reader = sample_store(&dir);
    assert!(names(&mut reader, text("新改名")).is_empty());
    let mut writer = Store::open(dir.path().join("xuncha.db"), env(5)).unwrap();
    let mut e = writer.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    e.name = "湖南新改名科技有限公司".into();
    writer.save_enterprise(&e).unwrap();
    assert_eq!(names(&mut reader, text("新改名")), vec!["湖南新改名科技有限公司"]);
}
