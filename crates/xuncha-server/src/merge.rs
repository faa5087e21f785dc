//! Field-level and element-level merge of an edit into a stored file.
//!
//! A top-level field merges as one value, except collections
//! (`xuncha_sync::element::collection`), which merge element by element:
//! an element is matched by its id, else by what it is (a permit's number,
//! an attachment's content), so two laptops adding different elements both
//! keep theirs, and two laptops typing in the same permit keep one. Only
//! the same field or element changed on two sides without seeing each
//! other is a conflict; an element missing from an edit is a removal only
//! if the edit's author had seen it.

use serde_json::{Map, Value};
use uuid::Uuid;
use xuncha_domain::DeviceId;
use xuncha_sync::element::{self, Collection};
use xuncha_sync::EntityKind;

use crate::backend::{EntityRow, FieldMeta};

/// One edit as the merge needs it.
pub struct Edit {
    pub kind: EntityKind,
    pub device: DeviceId,
    /// The server version the edit started from; 0 when its author never
    /// saw the stored file (a twin folded into it).
    pub base: i64,
    /// The version the file gets if anything changes.
    pub version: i64,
    /// Folding a twin: its empty fields say nothing about the stored file,
    /// and what it adds gets ids of the stored file's own (see [`fresh_id`]).
    pub folding: bool,
    /// The element paths the edit added, changed or removed
    /// (`xuncha_sync::element::touched`); `None` for an edit from a laptop
    /// that sent whole lists only, whose every element counts as edited.
    pub touched: Option<std::collections::BTreeSet<String>>,
}

/// A field or element changed on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Clash {
    /// `field`, or an element's path (`permits/<id>`, `archive/3/attachments/<id>`).
    pub path: String,
    pub server_value: Value,
    pub device_value: Value,
    /// Waits for a supervisor; the server's value stays.
    pub held: bool,
    /// The value the file holds after the edit.
    pub taken: Value,
}

/// What merging an edit did.
#[derive(Debug, Default)]
pub struct Merged {
    pub changed: bool,
    pub clashes: Vec<Clash>,
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

impl Edit {
    fn saw(&self, meta: &FieldMeta) -> bool {
        meta.version <= self.base || meta.device_id == self.device
    }

    fn mark(&self, meta: &mut std::collections::BTreeMap<String, FieldMeta>, path: &str, removed: bool) {
        let since = meta.get(path).filter(|m| !m.removed).and_then(|m| m.since).or(Some(self.version));
        meta.insert(path.to_string(), FieldMeta { since, removed, ..FieldMeta::written(self.version, self.device) });
    }
}

/// Merges `fields` of an edit into `row` (document and metadata). The
/// row's version is not changed here.
pub fn merge(row: &mut EntityRow, fields: &Map<String, Value>, edit: &Edit) -> Merged {
    let mut out = Merged::default();
    for (field, value) in fields {
        if field == "id" || (edit.folding && is_empty(value)) {
            continue;
        }
        let guarded = edit.kind.is_guarded(field);
        match (element::collection(edit.kind, field), value.as_array()) {
            (Some(c), Some(device)) => {
                let mut list = row.doc.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
                let before = list.clone();
                let at = Paths { server: field, device: field };
                merge_list(&mut row.field_meta, at, &mut list, device, c, guarded, edit, &mut out.clashes);
                if field == "archive" {
                    list.sort_by_key(|e| e.get("item_no").and_then(Value::as_i64).unwrap_or(i64::MAX));
                }
                if list != before {
                    row.doc.insert(field.clone(), Value::Array(list));
                    edit.mark(&mut row.field_meta, field, false);
                    out.changed = true;
                }
            }
            _ => {
                let current = row.doc.get(field).cloned().unwrap_or(Value::Null);
                if current == *value {
                    continue;
                }
                let unseen = row.field_meta.get(field).is_some_and(|m| !edit.saw(m));
                if unseen {
                    out.clashes.push(Clash {
                        path: field.clone(),
                        server_value: current.clone(),
                        device_value: value.clone(),
                        held: guarded,
                        taken: if guarded { current } else { value.clone() },
                    });
                    if guarded {
                        continue;
                    }
                }
                row.doc.insert(field.clone(), value.clone());
                edit.mark(&mut row.field_meta, field, false);
                out.changed = true;
            }
        }
    }
    out
}

/// Metadata of an element, or of its collection for elements stored
/// before elements had their own (present from the start).
fn meta_of(meta: &std::collections::BTreeMap<String, FieldMeta>, path: &str, parent: &str) -> Option<FieldMeta> {
    meta.get(path).copied().or_else(|| meta.get(parent).map(|m| FieldMeta { since: Some(1), ..*m }))
}

/// Where a list sits: under the server's element keys (for metadata) and
/// under the laptop's (for what the edit touched); they differ below an
/// element matched by what it is rather than by its id.
#[derive(Clone, Copy)]
struct Paths<'a> {
    server: &'a str,
    device: &'a str,
}

impl Edit {
    fn touches(&self, path: &str) -> bool {
        self.touched.as_ref().is_none_or(|t| t.contains(path))
    }
}

#[allow(clippy::too_many_arguments)]
fn merge_list(
    meta: &mut std::collections::BTreeMap<String, FieldMeta>,
    at: Paths<'_>,
    list: &mut Vec<Value>,
    device: &[Value],
    c: Collection,
    guarded: bool,
    edit: &Edit,
    clashes: &mut Vec<Clash>,
) {
    let path = at.server;
    let nested = element::nested_collection(c);
    let mut matched = vec![false; list.len()];
    let mut added = Vec::new();
    for d in device {
        let Some(key) = c.key(d) else { continue };
        let at_index = list.iter().position(|s| c.key(s).as_deref() == Some(key.as_str())).or_else(|| {
            let natural = c.natural(d)?;
            (0..list.len()).find(|&i| !matched[i] && c.natural(&list[i]).as_deref() == Some(natural.as_str()))
        });
        let device_path = format!("{}/{key}", at.device);
        let Some(i) = at_index else {
            // Held here but not there, and not added here: the server's
            // copy lost it (a removal this laptop had not seen yet).
            if !edit.touches(&device_path) {
                continue;
            }
            let p = format!("{path}/{key}");
            match meta.get(&p) {
                // Removed by someone else after this edit's author last
                // looked: the removal stands, the author's copy is kept.
                Some(m) if m.removed && !edit.saw(m) => clashes.push(Clash {
                    path: p,
                    server_value: Value::Null,
                    device_value: c.own(d),
                    held: guarded,
                    taken: Value::Null,
                }),
                _ => {
                    let mut d = d.clone();
                    if edit.folding {
                        give_fresh_ids(&mut d, &p);
                    }
                    let p = format!("{path}/{}", c.key(&d).unwrap_or(key));
                    edit.mark(meta, &p, false);
                    if let Some((n, nc)) = nested {
                        for inner in d.get(n).and_then(Value::as_array).into_iter().flatten() {
                            if let Some(k) = nc.key(inner) {
                                edit.mark(meta, &format!("{p}/{n}/{k}"), false);
                            }
                        }
                    }
                    added.push(d);
                }
            }
            continue;
        };
        matched[i] = true;
        let server_key = c.key(&list[i]).unwrap_or(key);
        let p = format!("{path}/{server_key}");
        let mut own_d = c.own(d);
        if let (Some(map), Some(id)) = (own_d.as_object_mut(), list[i].get("id").cloned()) {
            map.insert("id".into(), id);
        }
        let own_s = c.own(&list[i]);
        if own_s != own_d && edit.touches(&device_path) {
            let unseen = meta_of(meta, &p, path).is_some_and(|m| !edit.saw(&m));
            if unseen {
                clashes.push(Clash {
                    path: p.clone(),
                    server_value: own_s.clone(),
                    device_value: own_d.clone(),
                    held: guarded,
                    taken: if guarded { own_s } else { own_d.clone() },
                });
            }
            if !(unseen && guarded) {
                let mut merged = own_d;
                if let (Some((n, _)), Some(map)) = (nested, merged.as_object_mut()) {
                    map.insert(n.to_string(), list[i].get(n).cloned().unwrap_or(Value::Array(Vec::new())));
                }
                list[i] = merged;
                edit.mark(meta, &p, false);
            }
        }
        if let Some((n, nc)) = nested {
            let inner_device = d.get(n).and_then(Value::as_array).cloned().unwrap_or_default();
            let mut inner = list[i].get(n).and_then(Value::as_array).cloned().unwrap_or_default();
            let (server_inner, device_inner) = (format!("{p}/{n}"), format!("{device_path}/{n}"));
            let inner_at = Paths { server: &server_inner, device: &device_inner };
            merge_list(meta, inner_at, &mut inner, &inner_device, nc, guarded, edit, clashes);
            if let Some(map) = list[i].as_object_mut() {
                map.insert(n.to_string(), Value::Array(inner));
            }
        }
    }
    // Elements the edit lacks: removed by its author only if the author saw them.
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if matched[i] {
            continue;
        }
        let Some(key) = c.key(&list[i]) else { continue };
        let p = format!("{path}/{key}");
        let m = meta_of(meta, &p, path).unwrap_or(FieldMeta { since: Some(1), ..FieldMeta::written(1, DeviceId::NIL) });
        let removed_here = match &edit.touched {
            Some(t) => t.contains(&format!("{}/{key}", at.device)),
            None => m.since.unwrap_or(1) <= edit.base && !edit.folding,
        };
        if !removed_here {
            continue;
        }
        if !edit.saw(&m) {
            clashes.push(Clash {
                path: p.clone(),
                server_value: c.own(&list[i]),
                device_value: Value::Null,
                held: guarded,
                taken: if guarded { c.own(&list[i]) } else { Value::Null },
            });
            if guarded {
                continue;
            }
        }
        list.remove(i);
        edit.mark(meta, &p, true);
    }
    list.extend(added);
}

/// An id for an element a twin brings into the file at `path`: derived
/// from the path (which holds the twin's element id), so every replay
/// gives the same id, and never the twin's own, which a laptop may still
/// hold in the twin's file (a server restored from a backup can bring the
/// twin back).
fn fresh_id(path: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(format!("xuncha-fold/{path}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    // A version-8 (custom) UUID.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

fn give_fresh_ids(element: &mut Value, path: &str) {
    let Some(map) = element.as_object_mut() else { return };
    if map.get("id").and_then(Value::as_str).is_some() {
        map.insert("id".into(), Value::String(fresh_id(path).to_string()));
    }
    for (k, v) in map.iter_mut() {
        if let Value::Array(list) = v {
            for (n, inner) in list.iter_mut().enumerate() {
                give_fresh_ids(inner, &format!("{path}/{k}/{n}"));
            }
        }
    }
}

/// Metadata for a whole document written at `version` by `device` (a new
/// file, or the administrator's import): every field and every element.
pub fn stamp(kind: EntityKind, doc: &Map<String, Value>, version: i64, device: DeviceId) -> Vec<(String, FieldMeta)> {
    let mut out = Vec::new();
    let new = |since| FieldMeta { since, ..FieldMeta::written(version, device) };
    for (field, value) in doc {
        out.push((field.clone(), new(None)));
        let (Some(c), Some(list)) = (element::collection(kind, field), value.as_array()) else { continue };
        for e in list {
            let Some(key) = c.key(e) else { continue };
            let p = format!("{field}/{key}");
            if let Some((n, nc)) = element::nested_collection(c) {
                for inner in e.get(n).and_then(Value::as_array).into_iter().flatten() {
                    if let Some(k) = nc.key(inner) {
                        out.push((format!("{p}/{n}/{k}"), new(Some(version))));
                    }
                }
            }
            out.push((p, new(Some(version))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: DeviceId = DeviceId(Uuid::from_u128(0xa));
    const B: DeviceId = DeviceId(Uuid::from_u128(0xb));

    fn row(doc: Value) -> EntityRow {
        let doc = doc.as_object().unwrap().clone();
        let field_meta = stamp(EntityKind::Enterprise, &doc, 1, A).into_iter().collect();
        EntityRow { park_id: xuncha_domain::ParkId::NIL, version: 1, change_no: 0, doc, field_meta }
    }

    fn item(no: i64, attachments: &[&str]) -> Value {
        let att: Vec<Value> = attachments.iter().map(|a| json!({"id": a, "sha256": format!("h{a}")})).collect();
        json!({"item_no": no, "on_file": !attachments.is_empty(), "attachments": att})
    }

    /// A laptop's edit of `field` from `before` (what it last pulled) to
    /// `after`, touched paths as the laptop computes them.
    fn apply(r: &mut EntityRow, field: &str, before: Value, after: Value, device: DeviceId, base: i64) -> Merged {
        let touched = element::touched(EntityKind::Enterprise, field, &before, &after).into_iter().collect();
        let version = r.version + 1;
        let e = Edit { kind: EntityKind::Enterprise, device, base, version, folding: false, touched: Some(touched) };
        let fields = json!({ field: after });
        let m = merge(r, fields.as_object().unwrap(), &e);
        if m.changed {
            r.version = version;
        }
        m
    }

    #[test]
    fn scans_attached_to_different_items_by_two_laptops_both_stay() {
        let start = json!([item(3, &[]), item(5, &[])]);
        let mut r = row(json!({ "archive": start }));
        let a = apply(&mut r, "archive", start.clone(), json!([item(3, &["a1"]), item(5, &[])]), A, 1);
        let b = apply(&mut r, "archive", start.clone(), json!([item(3, &[]), item(5, &["b1"])]), B, 1);
        assert!(a.clashes.is_empty() && b.clashes.is_empty(), "{:?}", b.clashes);
        assert_eq!(r.doc["archive"], json!([item(3, &["a1"]), item(5, &["b1"])]));
    }

    #[test]
    fn two_scans_on_one_item_both_stay_and_a_seen_scan_can_be_removed() {
        let start = json!([item(3, &[])]);
        let mut r = row(json!({ "archive": start }));
        apply(&mut r, "archive", start.clone(), json!([item(3, &["a1"])]), A, 1);
        apply(&mut r, "archive", start.clone(), json!([item(3, &["b1"])]), B, 1);
        let both = r.doc["archive"].clone();
        assert_eq!(both[0]["attachments"].as_array().unwrap().len(), 2, "{both}");
        // B has pulled both and removes its own scan.
        let mine: Vec<Value> =
            both[0]["attachments"].as_array().unwrap().iter().filter(|a| a["id"] == "a1").cloned().collect();
        let mut after = both.clone();
        after[0]["attachments"] = Value::Array(mine);
        assert!(apply(&mut r, "archive", both.clone(), after, B, 3).clashes.is_empty());
        assert_eq!(r.doc["archive"], json!([item(3, &["a1"])]));
        // A, which never saw b1, notes the item: b1 stays removed.
        let mut noted = json!([item(3, &["a1"])]);
        noted[0]["note"] = json!("已核");
        apply(&mut r, "archive", json!([item(3, &["a1"])]), noted.clone(), A, 2);
        assert_eq!(r.doc["archive"], noted);
    }

    #[test]
    fn an_element_held_at_an_older_value_does_not_overwrite_a_newer_one() {
        let c = |phone: &str| json!({"id": "c1", "role": "环保负责人", "name": "张三", "phone": phone});
        let d = json!({"id": "c2", "role": "法定代表人", "name": "李四"});
        let mut r = row(json!({ "contacts": [c("1")] }));
        apply(&mut r, "contacts", json!([c("1")]), json!([c("2")]), A, 1);
        // B adds another contact, still holding the old phone of the first.
        let m = apply(&mut r, "contacts", json!([c("1")]), json!([c("1"), d.clone()]), B, 1);
        assert!(m.clashes.is_empty(), "{:?}", m.clashes);
        assert_eq!(r.doc["contacts"], json!([c("2"), d]));
    }

    #[test]
    fn the_same_permit_typed_in_twice_is_one_permit_and_a_changed_one_is_a_held_conflict() {
        let mut r = row(json!({"permits": []}));
        let pa = json!([{"id": "p-a", "number": "N1", "expires_on": "2027-01-01"}]);
        let pb = json!([{"id": "p-b", "number": "N1", "expires_on": "2028-01-01"}]);
        apply(&mut r, "permits", json!([]), pa, A, 1);
        let m = apply(&mut r, "permits", json!([]), pb, B, 1);
        assert_eq!(r.doc["permits"].as_array().unwrap().len(), 1, "one permit N1: {}", r.doc["permits"]);
        assert_eq!(m.clashes.len(), 1);
        let c = &m.clashes[0];
        assert_eq!(c.path, "permits/p-a");
        assert!(c.held, "permits are guarded");
        assert_eq!(r.doc["permits"][0]["expires_on"], "2027-01-01", "the server's value stays until decided");
        assert_eq!(c.device_value["expires_on"], "2028-01-01");
    }

    #[test]
    fn a_removal_of_an_element_someone_else_changed_meanwhile_is_a_conflict_with_the_value_kept() {
        let c = |phone: &str| json!({"id": "c1", "role": "环保负责人", "name": "张三", "phone": phone});
        let mut r = row(json!({"contacts": [c("1")]}));
        apply(&mut r, "contacts", json!([c("1")]), json!([c("2")]), A, 1);
        let m = apply(&mut r, "contacts", json!([c("1")]), json!([]), B, 1);
        assert_eq!(m.clashes.len(), 1);
        assert_eq!(m.clashes[0].server_value["phone"], "2", "the changed contact is in the conflict record");
        assert_eq!(m.clashes[0].device_value, Value::Null);
        assert_eq!(r.doc["contacts"], json!([]), "contacts are not guarded: the later edit stands");
    }

    #[test]
    fn paths_read_and_write_the_element_they_name() {
        let mut doc = json!({"archive": [item(3, &["a1"])]}).as_object().unwrap().clone();
        let k = EntityKind::Enterprise;
        assert_eq!(element::get(k, &doc, "archive/3/attachments/a1")["sha256"], "ha1");
        element::set(k, &mut doc, "archive/3", json!({"item_no": 3, "on_file": false}));
        assert_eq!(doc["archive"][0]["attachments"][0]["id"], "a1", "the item's own part leaves its scans");
        element::set(k, &mut doc, "archive/3/attachments/a1", Value::Null);
        assert_eq!(doc["archive"][0]["attachments"], json!([]));
        element::set(k, &mut doc, "archive/1", json!({"item_no": 1, "on_file": true}));
        assert_eq!(doc["archive"][0]["item_no"], 1, "items stay in order");
    }
}
