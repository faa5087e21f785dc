//! The server judges every document with the laptop's own rules before it
//! stores it: a document a laptop could not read, or would refuse to save,
//! would otherwise stop every laptop of its park at its next pull. What is
//! refused here becomes a stored `rejected` result with the reason.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use xuncha_domain::enterprise::FieldProblem;
use xuncha_domain::ident::Severity;
use xuncha_sync::EntityKind;

/// What a kind of record is called in a refusal.
fn label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Park => "园区档案",
        EntityKind::Enterprise => "企业档案",
        EntityKind::Inspection => "检查记录",
        EntityKind::Notice => "整改通知书",
        EntityKind::NumberVoid => "文号作废记录",
        EntityKind::ClueTransfer => "违法线索移交书",
        EntityKind::CaseEvent => "整改案件记录",
        EntityKind::TransferUpdate => "违法线索移交的后续记录",
    }
}

fn read<T: DeserializeOwned>(kind: EntityKind, doc: &Map<String, Value>) -> Result<T, String> {
    let mut doc = doc.clone();
    // The local version counter never travels; the laptop's types expect one.
    doc.entry("version").or_insert(Value::from(0));
    serde_json::from_value(Value::Object(doc)).map_err(|e| format!("{}格式错误：{e}", label(kind)))
}

fn errors(kind: EntityKind, problems: &[FieldProblem]) -> Option<String> {
    let errors: Vec<&str> =
        problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.message.as_str()).collect();
    (!errors.is_empty()).then(|| format!("{}未通过校验：{}", label(kind), errors.join("；")))
}

/// The longest text any field may hold, in characters: some thirty pages
/// of a printed notice. Files and scans travel as blobs, never inline.
pub const MAX_TEXT: usize = 20_000;

/// The first text in the document longer than [`MAX_TEXT`], by its path.
fn too_long(kind: EntityKind, doc: &Map<String, Value>) -> Option<String> {
    fn walk(path: &str, v: &Value) -> Option<(String, usize)> {
        match v {
            Value::String(s) => {
                let n = s.chars().count();
                (n > MAX_TEXT).then(|| (path.to_string(), n))
            }
            Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| walk(&format!("{path}[{}]", i + 1), v)),
            Value::Object(m) => m.iter().find_map(|(k, v)| walk(&format!("{path}.{k}"), v)),
            _ => None,
        }
    }
    let (path, n) = doc.iter().find_map(|(k, v)| walk(k, v))?;
    Some(format!("{}的字段 {path} 过长：{n} 个字符，上限 {MAX_TEXT} 个字符", label(kind)))
}

/// Why a park or enterprise file, as it would be stored, is refused.
pub fn file(kind: EntityKind, doc: &Map<String, Value>) -> Option<String> {
    if let Some(reason) = too_long(kind, doc) {
        return Some(reason);
    }
    let problems = match kind {
        EntityKind::Enterprise => read::<xuncha_domain::Enterprise>(kind, doc).map(|e| e.check()),
        EntityKind::Park => read::<xuncha_domain::Park>(kind, doc).map(|p| p.check()),
        _ => return record(kind, doc),
    };
    match problems {
        Ok(problems) => errors(kind, &problems),
        Err(why) => Some(why),
    }
}

/// Why an insert-only record is refused.
pub fn record(kind: EntityKind, doc: &Map<String, Value>) -> Option<String> {
    use xuncha_domain::{clue_transfer, inspection, notice, rectification};
    if let Some(reason) = too_long(kind, doc) {
        return Some(reason);
    }
    let outcome = match kind {
        EntityKind::Park | EntityKind::Enterprise => return file(kind, doc),
        EntityKind::Inspection => read::<inspection::Inspection>(kind, doc).map(|i| {
            let mut problems = i.check_complete();
            problems.extend(inspection::Inspection::check_signatures(&i.signatures));
            errors(kind, &problems)
        }),
        EntityKind::Notice => read::<notice::Notice>(kind, doc).map(|_| None),
        EntityKind::NumberVoid => read::<notice::NumberVoid>(kind, doc).map(|_| None),
        EntityKind::ClueTransfer => read::<clue_transfer::ClueTransfer>(kind, doc).map(|_| None),
        EntityKind::CaseEvent => read::<rectification::CaseEvent>(kind, doc).map(|_| None),
        EntityKind::TransferUpdate => read::<clue_transfer::TransferUpdate>(kind, doc).map(|_| None),
    };
    outcome.unwrap_or_else(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enterprise() -> Map<String, Value> {
        let e = xuncha_domain::Enterprise::new(
            uuid::Uuid::from_u128(1).into(),
            uuid::Uuid::from_u128(2).into(),
            "湖南甲有限公司",
        );
        let Value::Object(doc) = serde_json::to_value(e).unwrap() else { unreachable!() };
        doc
    }

    #[test]
    fn a_text_past_the_limit_is_refused_by_its_path_and_length() {
        let mut doc = enterprise();
        doc.insert("contacts".into(), json!([{"name": "张三", "phone": "1".repeat(20_001)}]));
        assert_eq!(
            file(EntityKind::Enterprise, &doc).as_deref(),
            Some("企业档案的字段 contacts[1].phone 过长：20001 个字符，上限 20000 个字符")
        );
        doc.insert("contacts".into(), json!([]));
        doc.insert("address".into(), json!("路".repeat(20_000)));
        assert_eq!(file(EntityKind::Enterprise, &doc), None, "at the limit it is taken");
    }

    #[test]
    fn a_status_outside_the_list_is_refused_with_its_reason() {
        let mut doc = enterprise();
        assert_eq!(file(EntityKind::Enterprise, &doc), None);
        doc.insert("status".into(), json!("closed_forever"));
        let why = file(EntityKind::Enterprise, &doc).unwrap();
        assert!(why.starts_with("企业档案格式错误") && why.contains("closed_forever"), "{why}");
    }

    #[test]
    fn a_credit_code_that_fails_its_check_is_refused_as_the_laptop_would() {
        let mut doc = enterprise();
        doc.insert("credit_code".into(), json!("9143042657431769"));
        let why = file(EntityKind::Enterprise, &doc).unwrap();
        assert!(why.starts_with("企业档案未通过校验") && why.contains("应为18位"), "{why}");
    }
}
