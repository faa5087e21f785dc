//! The desktop app as inspectors and clerks use it, in the real webview.

use xuncha_e2e::App;

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
