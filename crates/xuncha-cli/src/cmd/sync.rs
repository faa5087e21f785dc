//! Login, sync rounds, their state, conflicts and the outbox.

use uuid::Uuid;
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::id::*;

use crate::Ctx;

pub fn login(ctx: &Ctx, server: &str, user: &str) -> Result<(), ApiError> {
    let store = ctx.open()?;
    let password = match std::env::var("XUNCHA_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| ApiError::new(ErrorCode::File, format!("无法从标准输入读取密码：{e}")))?;
            text.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let saved = xuncha_client::login_store(&store, server, user, &password)?;
    let signed_in = xuncha_client::signed_in(store.path());
    ctx.say(&signed_in, |_| {
        let login =
            if saved.session.full_name.is_empty() { String::new() } else { format!("{}，", saved.session.user_name) };
        println!(
            "已登录 {}：{}（{login}{}），分配园区 {} 个",
            saved.server,
            saved.session.person(),
            saved.session.role,
            saved.session.parks.len()
        );
        if saved.session.full_name.is_empty() {
            println!("尚未设置姓名：记录上暂署登录名 {}，可用 xuncha name 姓名 设置", saved.session.user_name);
        }
    })
}

pub fn name(ctx: &Ctx, full_name: &str) -> Result<(), ApiError> {
    let kept = xuncha_client::set_full_name(ctx.db()?, full_name)?;
    let signed_in = xuncha_client::signed_in(ctx.db()?);
    ctx.say(&signed_in, |_| println!("姓名已设为“{kept}”：此后的记录、案件经过和文书署此姓名"))
}

pub fn sync(ctx: &Ctx) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    let mut transport = xuncha_client::HttpTransport::for_store(store.path())?;
    let report = store.sync(&mut transport)?;
    let status = store.sync_status()?;
    ctx.say(&serde_json::json!({"report": report, "status": status}), |_| {
        println!(
            "推送 {} 条（接受 {}，待裁决 {}，被拒绝 {}），拉取 {} 条",
            report.pushed, report.accepted, report.held, report.rejected, report.pulled
        );
        println!(
            "文件：上传 {}，下载 {}，服务器尚未收到 {}",
            report.blobs_uploaded, report.blobs_downloaded, report.blobs_waiting
        );
        if report.reference_received > 0 || report.numbers_leased > 0 {
            println!("参考资料：收到 {} 份；文书编号：领取 {} 个", report.reference_received, report.numbers_leased);
        }
        println!(
            "待发送 {}，待裁决 {}，被拒绝 {}，待上传文件 {}；园区内冲突待主管裁决 {}",
            status.pending, status.held, status.rejected, status.uploads_pending, status.conflicts_waiting
        );
        if status.overwritten > 0 || status.set_aside > 0 {
            println!(
                "被他人覆盖的修改 {}（见冲突列表）；无法读取而搁置的服务器记录 {}",
                status.overwritten, status.set_aside
            );
        }
        for line in &report.set_aside {
            println!("注意：已搁置{line}，其余记录照常同步");
        }
        for (conflict, why) in &report.decisions_refused {
            println!("注意：对冲突 {conflict} 的裁决未被接受：{why}");
        }
        for sha in &report.blobs_damaged {
            println!("注意：本机文件 {sha} 已损坏（内容与校验值不符），未上传，请重新添加原件");
        }
        for (sha, why) in &report.blobs_refused {
            println!("注意：服务器未接收{}（将在下次同步时重试）", xuncha_core::api::refused_file(sha, why));
        }
    })?;
    match &report.stopped {
        Some(stop) => Err(ApiError::new(ErrorCode::Refused, xuncha_core::sync::describe_stop(stop))),
        None => Ok(()),
    }
}

pub fn conflicts(ctx: &Ctx, park: Option<ParkId>, all: bool) -> Result<(), ApiError> {
    let store = ctx.open()?;
    let listed = xuncha_client::conflicts(&store, park.map(|p| vec![p]), all)?;
    ctx.say(&listed, |listed| {
        if listed.is_empty() {
            println!("没有待裁决的冲突");
        }
        for c in listed {
            let state = match &c.resolution {
                None => "待主管裁决".to_string(),
                Some(v) => format!("已定为 {v}"),
            };
            println!(
                "{}  {}  字段 {}：服务器 {}，笔记本 {}（{state}）",
                c.conflict_id, c.entity_name, c.field, c.server_value, c.device_value
            );
        }
    })
}

pub fn resolve(ctx: &Ctx, conflict: Uuid, take_laptop: bool) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    let mut transport = xuncha_client::HttpTransport::for_store(store.path())?;
    // The decision is kept here first and sent with every round until the
    // server answers, so a lost reply loses nothing.
    store.decide_conflict(conflict, take_laptop)?;
    let choice = if take_laptop { "采用笔记本上的值" } else { "保留服务器上的值" };
    let sent = match store.sync(&mut transport) {
        Ok(report) => {
            if let Some((_, why)) = report.decisions_refused.iter().find(|(c, _)| *c == conflict) {
                return Err(ApiError::new(ErrorCode::Refused, format!("裁决未被服务器接受：{why}")));
            }
            None
        }
        Err(xuncha_core::sync::SyncError::Transport(e)) => Some(e.to_string()),
        Err(e) => return Err(e.into()),
    };
    ctx.say(&serde_json::json!({ "conflict": conflict, "take_laptop": take_laptop, "sent": sent.is_none() }), |_| {
        match &sent {
            None => println!("已裁决：{choice}。各笔记本下次同步时得到结果"),
            Some(why) => println!("已记录裁决（{choice}），但未能发送：{why}"),
        }
    })
}

pub fn numbers(ctx: &Ctx) -> Result<(), ApiError> {
    let left = ctx.open()?.numbers_left()?;
    ctx.say(&left, |left| {
        if left.is_empty() {
            println!("本机没有可用的文书编号：请联网同步以领取编号段（环保管家账号不领取编号）");
        }
        for n in left {
            match n.next {
                Some(next) => {
                    println!(
                        "{}（{}年）：余 {} 个，下一个 {}〔{}〕{}号",
                        n.series, n.year, n.left, n.prefix, n.year, next
                    )
                }
                None => println!("{}（{}年）：已用完，请联网同步领取", n.series, n.year),
            }
        }
    })
}

pub fn reference(ctx: &Ctx) -> Result<(), ApiError> {
    let entries = ctx.open()?.reference_entries()?;
    ctx.say(&entries, |entries| {
        if entries.is_empty() {
            println!("本机还没有参考资料：联网同步后从服务器获取");
        }
        for e in entries {
            println!("{}/{} 第 {} 版  {}（发布于 {}）", e.kind, e.key, e.version, e.title, e.published_at);
        }
    })
}

pub fn status(ctx: &Ctx) -> Result<(), ApiError> {
    let store = ctx.open()?;
    let status = store.sync_status()?;
    let set_aside = store.set_aside()?;
    ctx.say(&status, |status| {
        println!(
            "待发送 {}，待裁决 {}，被拒绝 {}，待上传文件 {}，上次同步：{}",
            status.pending,
            status.held,
            status.rejected,
            status.uploads_pending,
            status.last_sync_at.as_deref().unwrap_or("从未同步")
        );
        println!(
            "园区内冲突待主管裁决 {}，被他人覆盖的修改 {}，待发送的裁决 {}",
            status.conflicts_waiting, status.overwritten, status.decisions_waiting
        );
        for s in &set_aside {
            println!("已搁置服务器第 {} 号变更（{} {}）：{}", s.change_no, s.entity, s.entity_id, s.reason);
        }
    })
}

pub fn outbox(ctx: &Ctx) -> Result<(), ApiError> {
    let entries = ctx.open()?.outbox()?;
    ctx.say(&entries, |entries| {
        for e in entries {
            println!(
                "{:>6}  {}  {} {}  基于第{}版  {}",
                e.seq, e.created_at, e.entity, e.entity_id, e.base_version, e.state
            );
        }
        println!("共{}条", entries.len());
    })
}
