//! Collections inside a file (permits, facilities, archive items and their
//! attachments, …) merge element by element, so two laptops adding or
//! changing different elements both survive. This module names the
//! elements: which top-level fields are collections, how an element is
//! recognised (its own id, else what it is, e.g. a permit's number), and
//! the paths that address one element (`permits/<id>`, `archive/3`,
//! `archive/3/attachments/<id>`), which field metadata and conflict
//! records use. Server and laptop share it, so a held element is put back
//! on the laptop exactly where the server found it.

use serde_json::{Map, Value};

use crate::EntityKind;

/// How the elements of one collection are told apart.
#[derive(Debug, Clone, Copy)]
pub struct Collection {
    /// The member of each element holding a nested collection that merges
    /// on its own (an archive item's `attachments`).
    pub nested: Option<&'static str>,
    /// What the element is about, in the sources' terms. Two laptops that
    /// typed in the same permit make two ids for one permit; matching by
    /// this keeps one.
    natural: fn(&Value) -> Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn joined(v: &Value, keys: &[&str]) -> Option<String> {
    let parts: Vec<String> = keys.iter().map(|k| text(v, k).unwrap_or_default()).collect();
    parts.iter().any(|p| !p.is_empty()).then(|| parts.join("\u{1f}"))
}

const BY_ID_ONLY: fn(&Value) -> Option<String> = |_| None;

/// The collection a top-level field is, if it is one.
pub fn collection(kind: EntityKind, field: &str) -> Option<Collection> {
    let c = |natural: fn(&Value) -> Option<String>| Some(Collection { nested: None, natural });
    match (kind, field) {
        (EntityKind::Enterprise | EntityKind::Park, "archive") => {
            Some(Collection { nested: Some("attachments"), natural: BY_ID_ONLY })
        }
        (EntityKind::Enterprise | EntityKind::Park, "contacts") => c(|v| joined(v, &["role", "name"])),
        (EntityKind::Enterprise, "eia_approvals") | (EntityKind::Park, "approvals") => c(|v| text(v, "doc_number")),
        (EntityKind::Enterprise, "permits") => c(|v| text(v, "number")),
        (EntityKind::Enterprise, "facilities") => c(|v| joined(v, &["kind", "name"])),
        (EntityKind::Enterprise, "outlets") => c(|v| text(v, "code").and_then(|_| joined(v, &["kind", "code"]))),
        (EntityKind::Enterprise, "solid_waste") => c(|v| v.get("year").and_then(Value::as_i64).map(|y| y.to_string())),
        (EntityKind::Enterprise, "aliases") => c(|v| v.as_str().map(str::to_string)),
        (EntityKind::Park, "pollutants") => c(|v| text(v, "pollutant")),
        _ => None,
    }
}

/// The collection nested in each element of `outer` (attachments by their
/// file's content).
pub fn nested_collection(outer: Collection) -> Option<(&'static str, Collection)> {
    outer.nested.map(|n| (n, Collection { nested: None, natural: |v| text(v, "sha256") }))
}

impl Collection {
    /// The element's own key: its id, an archive item's number, or a plain
    /// string element itself.
    pub fn key(&self, element: &Value) -> Option<String> {
        match element {
            Value::String(s) => Some(s.clone()),
            _ => element
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| element.get("item_no").and_then(Value::as_i64).map(|n| n.to_string())),
        }
    }

    /// What the element is about (see [`Collection`]).
    pub fn natural(&self, element: &Value) -> Option<String> {
        (self.natural)(element)
    }

    /// The element without its nested collection: the part that merges as
    /// one value.
    pub fn own(&self, element: &Value) -> Value {
        match (self.nested, element) {
            (Some(n), Value::Object(map)) => {
                let mut map = map.clone();
                map.remove(n);
                Value::Object(map)
            }
            _ => element.clone(),
        }
    }
}

fn position(list: &[Value], c: &Collection, key: &str) -> Option<usize> {
    list.iter().position(|e| c.key(e).as_deref() == Some(key))
}

/// The value at a path: a top-level field, an element's own part, or a
/// nested element; `Null` when there is none.
pub fn get(kind: EntityKind, doc: &Map<String, Value>, path: &str) -> Value {
    let mut parts = path.split('/');
    let field = parts.next().unwrap_or_default();
    let value = doc.get(field).cloned().unwrap_or(Value::Null);
    let (Some(key), Some(c)) = (parts.next(), collection(kind, field)) else {
        return value;
    };
    let list = value.as_array().cloned().unwrap_or_default();
    let Some(element) = position(&list, &c, key).map(|i| list[i].clone()) else {
        return Value::Null;
    };
    match (parts.next(), parts.next(), nested_collection(c)) {
        (Some(_), Some(inner), Some((n, nc))) => {
            let inner_list = element.get(n).and_then(Value::as_array).cloned().unwrap_or_default();
            position(&inner_list, &nc, inner).map_or(Value::Null, |i| inner_list[i].clone())
        }
        _ => c.own(&element),
    }
}

/// Sets the value at a path; `Null` for an element removes it. Setting an
/// element's own part keeps its nested collection.
pub fn set(kind: EntityKind, doc: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('/');
    let field = parts.next().unwrap_or_default().to_string();
    let (Some(key), Some(c)) = (parts.next(), collection(kind, &field)) else {
        doc.insert(field, value);
        return;
    };
    let mut list = doc.get(&field).and_then(Value::as_array).cloned().unwrap_or_default();
    match (parts.next(), parts.next(), nested_collection(c)) {
        (Some(_), Some(inner), Some((n, nc))) => {
            if let Some(i) = position(&list, &c, key) {
                if let Some(element) = list[i].as_object_mut() {
                    let mut inner_list = element.get(n).and_then(Value::as_array).cloned().unwrap_or_default();
                    put(&mut inner_list, &nc, inner, value, None);
                    element.insert(n.to_string(), Value::Array(inner_list));
                }
            }
        }
        _ => put(&mut list, &c, key, value, c.nested),
    }
    if field == "archive" {
        list.sort_by_key(|e| e.get("item_no").and_then(Value::as_i64).unwrap_or(i64::MAX));
    }
    doc.insert(field, Value::Array(list));
}

fn put(list: &mut Vec<Value>, c: &Collection, key: &str, value: Value, nested: Option<&str>) {
    let at = position(list, c, key);
    match (at, value) {
        (Some(i), Value::Null) => {
            list.remove(i);
        }
        (Some(i), mut value) => {
            if let (Some(n), Some(kept)) = (nested, list[i].get(nested.unwrap_or_default()).cloned()) {
                if let Some(map) = value.as_object_mut() {
                    map.insert(n.to_string(), kept);
                }
            }
            list[i] = value;
        }
        (None, Value::Null) => {}
        (None, mut value) => {
            if let (Some(n), Some(map)) = (nested, value.as_object_mut()) {
                map.entry(n).or_insert_with(|| Value::Array(Vec::new()));
            }
            list.push(value)
        }
    }
}

/// The top-level field a path belongs to.
pub fn field_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// The elements of collection `field` that an edit from `old` to `new`
/// added, changed or removed, as paths. An edit sends its whole list; the
/// server merges only these elements, so an element the laptop merely
/// holds at an older value never overwrites someone else's change.
pub fn touched(kind: EntityKind, field: &str, old: &Value, new: &Value) -> Vec<String> {
    let Some(c) = collection(kind, field) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    diff(
        field,
        c,
        old.as_array().map(Vec::as_slice).unwrap_or_default(),
        new.as_array().map(Vec::as_slice).unwrap_or_default(),
        &mut out,
    );
    out
}

fn diff(path: &str, c: Collection, old: &[Value], new: &[Value], out: &mut Vec<String>) {
    let nested = nested_collection(c);
    for e in new {
        let Some(key) = c.key(e) else { continue };
        let p = format!("{path}/{key}");
        let before = position(old, &c, &key).map(|i| &old[i]);
        if before.is_none_or(|b| c.own(b) != c.own(e)) {
            out.push(p.clone());
        }
        if let Some((n, nc)) = nested {
            let list =
                |v: Option<&Value>| v.and_then(|v| v.get(n)).and_then(Value::as_array).cloned().unwrap_or_default();
            diff(&format!("{p}/{n}"), nc, &list(before), &list(Some(e)), out);
        }
    }
    for e in old {
        let Some(key) = c.key(e) else { continue };
        if position(new, &c, &key).is_none() {
            out.push(format!("{path}/{key}"));
        }
    }
}
