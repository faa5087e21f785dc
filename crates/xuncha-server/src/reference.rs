//! What only the server writes and every laptop keeps a copy of: reference
//! data (checklist templates and the like, versioned, never changed once
//! published) and document numbers (leased in blocks, so laptops number
//! notices offline without two laptops ever using one number).

use chrono::Datelike;
use serde_json::Value;
use uuid::Uuid;
use xuncha_domain::DeviceId;
use xuncha_sync::{
    payload_hash, LeaseRequest, NumberBlock, NumberSeries, ReferenceDoc, ReferenceEntry, MAX_LEASE, PROTOCOL,
};

use crate::backend::{Backend, NewBlock};
use crate::{Bureau, Principal, Role, ServerError};

/// Who may number documents: the bureau's own people, not the park's
/// steward teams.
fn may_number(role: Role) -> bool {
    crate::access::may(role, crate::access::Action::Number)
}

impl<B: Backend> Bureau<B> {
    /// Every published version, for any logged-in user.
    pub fn reference_index(&self, _who: &Principal) -> Result<Vec<ReferenceEntry>, ServerError> {
        self.backend().transaction(|tx| tx.reference_index())
    }

    pub fn reference_doc(
        &self,
        _who: &Principal,
        kind: &str,
        key: &str,
        version: i64,
    ) -> Result<ReferenceDoc, ServerError> {
        self.backend()
            .transaction(|tx| tx.reference_doc(kind, key, version))?
            .ok_or_else(|| ServerError::NotFound(format!("没有参考资料 {kind}/{key} 第 {version} 版")))
    }

    /// Publishes every shipped version of a checklist template newer than
    /// the newest the server holds of its key, oldest first, each as the
    /// next version (so a server that took the shipped versions numbers them
    /// as shipped); returns each key and the version it got. Running it
    /// again publishes nothing, and a bureau's own newer version is kept.
    pub fn publish_shipped_checklists(&self) -> Result<Vec<(String, i64)>, ServerError> {
        use xuncha_domain::checklist;
        let mut newest: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for e in self.backend().transaction(|tx| tx.reference_index())? {
            if e.kind == checklist::REFERENCE_KIND {
                let v = newest.entry(e.key).or_default();
                *v = (*v).max(e.version);
            }
        }
        let mut published = Vec::new();
        for t in checklist::shipped_versions() {
            let have = newest.get(&t.key).copied().unwrap_or(0);
            if i64::from(t.version) <= have {
                continue;
            }
            let doc = serde_json::to_value(&t).map_err(|e| ServerError::Damaged(e.to_string()))?;
            let version = self.publish_reference(checklist::REFERENCE_KIND, &t.key, &t.title, &doc)?;
            newest.insert(t.key.clone(), version);
            published.push((t.key, version));
        }
        Ok(published)
    }

    /// Publishes `doc` as the next version of `kind`/`key` (administrators,
    /// through the admin command); returns the version. A checklist
    /// template must read as one, so laptops never receive one they cannot use.
    pub fn publish_reference(&self, kind: &str, key: &str, title: &str, doc: &Value) -> Result<i64, ServerError> {
        if kind == xuncha_domain::checklist::REFERENCE_KIND {
            let template = xuncha_domain::checklist::Template::from_json(doc).map_err(ServerError::BadRequest)?;
            if template.key != key {
                return Err(ServerError::BadRequest(format!(
                    "检查表文件中的 key 为“{}”，与发布的“{key}”不一致",
                    template.key
                )));
            }
        }
        let name_ok =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok(kind) || !name_ok(key) {
            return Err(ServerError::BadRequest(format!(
                "类别“{kind}”和标识“{key}”只能由小写英文字母、数字和下划线组成"
            )));
        }
        if title.trim().is_empty() {
            return Err(ServerError::BadRequest("请填写参考资料的标题".into()));
        }
        if !doc.is_object() {
            return Err(ServerError::BadRequest("参考资料的内容应为一个 JSON 对象".into()));
        }
        let entry = ReferenceEntry {
            kind: kind.into(),
            key: key.into(),
            version: 0,
            title: title.trim().into(),
            sha256: payload_hash(doc),
            published_at: self.env().now().to_rfc3339(),
        };
        let text = serde_json::to_string(doc)?;
        self.backend().transaction(|tx| tx.publish_reference(&entry, &text))
    }

    /// Creates a numbering series (administrators, through the admin command).
    pub fn add_series(&self, series: &NumberSeries) -> Result<(), ServerError> {
        if series.series.is_empty() || !series.series.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(ServerError::BadRequest(format!(
                "编号序列名“{}”只能由小写英文字母和下划线组成",
                series.series
            )));
        }
        if series.prefix.trim().is_empty() || series.prefix.contains(['〔', '〕', '[', ']']) {
            return Err(ServerError::BadRequest(format!(
                "机关代字“{}”无效：应为如“祁环改”的代字，不含年份和括号",
                series.prefix
            )));
        }
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            if tx.number_series()?.iter().any(|s| s.series == series.series) {
                return Err(ServerError::BadRequest(format!("编号序列“{}”已存在", series.series)));
            }
            tx.add_series(series, &now)
        })
    }

    /// Gives the next `count` numbers of a series and year to no one: after
    /// the server was restored from a backup, numbers leased since the
    /// backup are skipped this way so none is given twice. Recorded as a
    /// block without a device.
    pub fn skip_numbers(&self, series: &str, year: i32, count: i64) -> Result<NumberBlock, ServerError> {
        if count < 1 {
            return Err(ServerError::BadRequest("跳过的编号个数应为正整数".into()));
        }
        let (block_id, request_id, leased_at) = {
            let mut env = self.env();
            (env.new_id(), env.new_id(), env.now().to_rfc3339())
        };
        let block = NewBlock {
            block_id,
            request_id,
            series: series.into(),
            year,
            size: count,
            device_id: DeviceId::NIL,
            user_id: Uuid::nil(),
            leased_at,
        };
        self.backend().transaction(|tx| {
            if !tx.number_series()?.iter().any(|s| s.series == series) {
                return Err(ServerError::NotFound(format!("没有编号序列“{series}”")));
            }
            tx.lease_block(&block)
        })
    }

    /// Every block of a series and the device it went to (nil: skipped).
    pub fn number_blocks(&self, series: &str) -> Result<Vec<(NumberBlock, DeviceId)>, ServerError> {
        self.backend().transaction(|tx| tx.number_blocks(series))
    }

    /// The series this user may lease from (none for steward teams).
    pub fn number_series(&self, who: &Principal) -> Result<Vec<NumberSeries>, ServerError> {
        if !may_number(who.role) {
            return Ok(Vec::new());
        }
        self.backend().transaction(|tx| tx.number_series())
    }

    /// Leases the next block of a series to the caller's device. The same
    /// request again gets the same block.
    pub fn lease(&self, who: &Principal, req: &LeaseRequest) -> Result<NumberBlock, ServerError> {
        if req.protocol != PROTOCOL {
            return Err(ServerError::BadRequest(format!(
                "客户端同步协议版本为 {}，服务器为 {PROTOCOL}，请升级程序",
                req.protocol
            )));
        }
        if !may_number(who.role) {
            return Err(ServerError::Forbidden("环保管家账号不能领取文书编号".into()));
        }
        if !(1..=MAX_LEASE).contains(&req.size) {
            return Err(ServerError::BadRequest(format!("一次可领取 1 至 {MAX_LEASE} 个编号，请求了 {} 个", req.size)));
        }
        let (this_year, leased_at, block_id) = {
            let mut env = self.env();
            let now = env.now();
            (now.year(), now.to_rfc3339(), env.new_id())
        };
        if (req.year - this_year).abs() > 1 {
            return Err(ServerError::BadRequest(format!(
                "编号年份 {} 与服务器时间（{this_year} 年）相差过大，请检查笔记本的日期",
                req.year
            )));
        }
        let block = NewBlock {
            block_id,
            request_id: req.request_id,
            series: req.series.clone(),
            year: req.year,
            size: req.size,
            device_id: who.device_id,
            user_id: who.user_id,
            leased_at,
        };
        self.backend().transaction(|tx| {
            if let Some((given, device)) = tx.block_by_request(req.request_id)? {
                if device != who.device_id {
                    return Err(ServerError::Forbidden("该领取请求属于另一台设备".into()));
                }
                return Ok(given);
            }
            if !tx.number_series()?.iter().any(|s| s.series == req.series) {
                return Err(ServerError::NotFound(format!("没有编号序列“{}”", req.series)));
            }
            tx.lease_block(&block)
        })
    }
}
