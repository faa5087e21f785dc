//! The desktop app as inspectors and clerks use it, in the real webview.

use std::path::Path;

use xuncha_e2e::bureau::{Bureau, PASSWORD};
use xuncha_e2e::{App, Desk};

const LINGPAI: &str = "湖南领湃新能源科技有限公司";

async fn open_lingpai(app: &App) {
    app.click("[data-nav=enterprises]").await;
    app.type_into("[data-test=search]", "领湃").await;
    app.wait_text("[data-test=count]", |t| t == "共 1 家").await;
    app.click(".el-table-v2__row").await;
    app.wait_text("[data-test=enterprise-name]", |t| t == LINGPAI).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_sample_park_search_edit_and_restart() {
    let config = tempfile::tempdir().unwrap();

    let app = App::start(config.path()).await;
    app.screenshot("01-first-run").await;
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=load-sample]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    app.wait_text("[data-pollutant=COD]", |t| t.contains("90.59") && t.contains("300")).await;
    app.screenshot("02-park-overview").await;

    app.click("[data-nav=enterprises]").await;
    app.wait_text("[data-test=count]", |t| t.contains("共 50 家")).await;
    app.screenshot("03-enterprise-list").await;
    app.type_into("[data-test=search]", "食品").await;
    app.wait_text("[data-test=count]", |t| t == "共 7 家").await;

    open_lingpai(&app).await;
    let approvals = app.texts("[data-test=eia-doc]").await;
    assert_eq!(approvals, vec!["祁环评[2019]43号", "祁环评[2021]23号"], "both EIA approvals are shown");
    app.screenshot("04-enterprise-file").await;

    // Edit the environmental contact's phone and save.
    app.click("[data-test=edit]").await;
    app.type_into("[data-test=field-phone]", "0734-6123456").await;
    app.click("[data-test=save]").await;
    app.wait_text("[data-test=phone]", |t| t == "0734-6123456").await;

    // An invalid credit code is explained next to the field and not saved.
    app.click("[data-test=edit]").await;
    app.type_into("[data-test=field-credit_code]", "91430426MA4QA9111I").await;
    let why = app.wait_text("[data-test=problem-credit_code]", |t| t.contains("第18位")).await;
    assert!(why.contains("“I”"), "the message names the wrong character: {why}");
    app.click("[data-test=save]").await;
    app.wait_text(".el-message--error", |t| t.contains("未通过校验")).await;
    app.screenshot("05-invalid-credit-code").await;
    app.click("[data-test=cancel]").await;
    app.quit().await;

    // Restart: the data folder is remembered, the phone was saved and the bad code was not.
    let app = App::start(config.path()).await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    open_lingpai(&app).await;
    app.wait_text("[data-test=phone]", |t| t == "0734-6123456").await;
    let store = xuncha_core::Store::open(config.path().join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    let saved = store.find_enterprise(LINGPAI).unwrap().unwrap();
    assert_eq!(saved.credit_code.as_deref(), Some("91430426MA4QA91117"), "the invalid code was not saved");
    assert_eq!(saved.contact_phone(), Some("0734-6123456"));
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn importing_a_roster_shows_its_report() {
    let config = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        "序号,企业名称,统一社会信用代码,管理类别,园区代码\n1,湖南新入园甲有限公司,9143042657431769,登记,S437012\n2,,,登记,S437012\n",
    )
    .unwrap();
    let good = files.path().join("good.csv");
    std::fs::write(&good, "序号,企业名称,行业类别,管理类别,园区代码\n1,湖南新入园乙有限公司,金属制品业,登记,S437012\n")
        .unwrap();

    let app = App::start(config.path()).await;
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=load-sample]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;

    app.click("[data-nav=roster]").await;
    app.type_into("[data-test=roster-path]", bad.to_str().unwrap()).await;
    app.click("[data-test=roster-import]").await;
    app.wait_text("[data-test=roster-result]", |t| t.contains("未导入任何数据")).await;
    let report = app.wait_text("[data-test=roster-report]", |t| t.contains("统一社会信用代码")).await;
    assert!(report.contains("9143042657431769"), "the report shows the bad value: {report}");
    assert!(report.contains("企业名称为空"), "and the row without a name: {report}");
    app.screenshot("06-roster-report").await;

    app.type_into("[data-test=roster-path]", good.to_str().unwrap()).await;
    app.click("[data-test=roster-import]").await;
    app.wait_text("[data-test=roster-result]", |t| t.contains("新增 1 家")).await;
    app.quit().await;
}

/// Every enterprise of a laptop, without the local edit counter.
fn enterprises_of(config: &Path) -> Vec<serde_json::Value> {
    let store = xuncha_core::Store::open(config.join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    let mut ids = store.enterprise_ids(None).unwrap();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let mut doc = serde_json::to_value(store.enterprise(id).unwrap().unwrap()).unwrap();
            doc.as_object_mut().unwrap().remove("version");
            doc
        })
        .collect()
}

fn status_of(config: &Path) -> xuncha_core::sync::SyncStatus {
    let store = xuncha_core::Store::open(config.join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    store.sync_status().unwrap()
}

async fn log_in_from_first_run(app: &App, url: &str, user: &str) {
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=from-server]").await;
    app.type_into("[data-test=login-server]", url).await;
    app.type_into("[data-test=login-user]", user).await;
    app.type_into("[data-test=login-password]", PASSWORD).await;
    app.click("[data-test=login-submit]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    app.wait_text("[data-test=sync-health]", |t| t == "已同步").await;
}

async fn edit_lingpai(app: &App, fields: &[(&str, &str)]) {
    open_lingpai(app).await;
    app.click("[data-test=edit]").await;
    for (field, value) in fields {
        app.type_into(&format!("[data-test=field-{field}]"), value).await;
    }
    app.click("[data-test=save]").await;
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 1").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_laptops_edit_offline_reconnect_and_end_identical_with_the_conflict_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let listed = Bureau::admin(&data, &["park", "load-sample"]);
    let park = listed.lines().next().unwrap().split('\t').next().unwrap().to_string();
    for (user, role) in [("sun", "supervisor"), ("qian", "steward")] {
        Bureau::admin(&data, &["user", "add", user, "--role", role]);
        Bureau::admin(&data, &["assign", user, &park]);
    }
    Bureau::admin(&data, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    let mut bureau = Bureau::start(&data);
    let url = bureau.url();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));

    // Laptop A syncs when asked; laptop B also every 2 seconds on its own.
    let desk = Desk::open().await;
    let a = desk.start(&a_dir, &[("XUNCHA_SYNC_EVERY", "3600")]).await;
    let b = desk.start(&b_dir, &[("XUNCHA_SYNC_EVERY", "2")]).await;
    log_in_from_first_run(&a, &url, "sun").await;
    log_in_from_first_run(&b, &url, "qian").await;
    let user = a.wait_text("[data-test=sync-user]", |t| !t.is_empty()).await;
    assert_eq!(user, "sun（主管）", "the status bar says who is logged in");
    let numbers = a.wait_text("[data-test=sync-numbers]", |t| !t.is_empty()).await;
    assert!(
        numbers.starts_with("祁环改〔") && numbers.ends_with("〕编号余 30 个"),
        "numbers for offline notices: {numbers}"
    );
    assert!(b.texts("[data-test=sync-numbers]").await.is_empty(), "the steward's laptop leases no numbers");
    a.screenshot("10-logged-in").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "both start from the server's copy");

    // The bureau goes away; both edit the same enterprise.
    bureau.stop();
    edit_lingpai(&a, &[("legal_representative", "张三"), ("phone", "0734-6000001")]).await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-health]", |t| t == "离线，修改保存在本机").await;
    a.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 1").await;
    a.screenshot("11-offline-edit").await;
    edit_lingpai(&b, &[("legal_representative", "李四"), ("address", "湖南省衡阳市祁东县归阳镇新材料大道8号")]).await;
    b.wait_text("[data-test=sync-health]", |t| t == "离线，修改保存在本机").await;

    // Back online: A by hand, B by itself; then A once more for B's edit.
    bureau.restart();
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    b.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=address]", |t| t.contains("新材料大道8号")).await;
    b.wait_text("[data-test=phone]", |t| t == "0734-6000001").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "both laptops hold the same files");
    assert_eq!(status_of(&a_dir).held + status_of(&b_dir).held, 1, "one change, of the later laptop, was held");
    a.wait_text("[data-test=sync-conflicts]", |t| t == "冲突待裁决 1").await;

    // The one real conflict, both values, on the supervisor's screen.
    a.click("[data-nav=conflicts]").await;
    a.wait_text("[data-test=conflicts-waiting]", |t| t == "待裁决 1 项").await;
    assert_eq!(a.texts("[data-test=conflict]").await.len(), 1, "different fields merged without a conflict");
    assert_eq!(a.text_of("[data-test=conflict-record]").await.unwrap(), LINGPAI);
    assert_eq!(a.text_of("[data-test=conflict-field]").await.unwrap(), "法定代表人");
    let first = a.text_of("[data-test=conflict-server]").await.unwrap();
    let later = a.text_of("[data-test=conflict-laptop]").await.unwrap();
    let mut both = [first.clone(), later.clone()];
    both.sort();
    assert_eq!(both, ["张三", "李四"], "both values are shown");
    let shown = enterprises_of(&a_dir).into_iter().find(|e| e["name"] == LINGPAI).unwrap();
    assert_eq!(shown["legal_representative"], first.as_str(), "the value that arrived first stands until decided");
    a.screenshot("12-conflict-waiting").await;

    // The supervisor takes the later value; it reaches both laptops.
    a.click("[data-test=take-laptop]").await;
    a.wait_text("[data-test=conflict-state]", |t| t.contains("已定为")).await;
    b.wait_text("[data-test=legal_representative]", |t| t == later).await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-health]", |t| t == "已同步").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "the decision reached both laptops");
    assert!(a.text_of("[data-test=sync-conflicts]").await.is_none(), "the status bar no longer shows a conflict");
    assert_eq!(status_of(&a_dir).conflicts_waiting, 0, "nothing waits any more");
    a.screenshot("13-conflict-decided").await;
    a.quit().await;
    b.quit().await;
}
