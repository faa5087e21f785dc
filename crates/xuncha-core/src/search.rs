//! Enterprise search as inspectors expect it: any fragment of a name
//! (two-character Chinese queries included), credit codes, permit numbers,
//! emergency filing numbers and EIA approval numbers, with filters.
//!
//! The index lives in memory. A park holds hundreds to a few thousand
//! enterprises and a laptop a few parks; a substring scan over normalised
//! text is exact for every query length (SQLite's trigram tokenizer cannot
//! answer two-character queries), needs no tokenizer for Chinese, and
//! answers in well under a millisecond at 10,000 enterprises (see
//! BENCHMARKS.md). The store rebuilds it after any commit.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enterprise::{EnterpriseStatus, ManagementCategory, Tier};
use crate::id::*;
pub use crate::ident::normalize;
use crate::store::lists::{DocCode, IndexRow};
use crate::store::StoreError;

/// Filters and text of a search. Empty text lists everything that passes
/// the filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Query {
    pub text: String,
    /// Park id, development-zone code or name.
    pub park: Option<String>,
    pub tier: Option<Tier>,
    pub category: Option<ManagementCategory>,
    pub status: Option<EnterpriseStatus>,
    /// Industry name as written in the files, e.g. 食品制造业.
    pub industry: Option<String>,
    /// At most this many hits; `None` for all.
    pub limit: Option<usize>,
}

/// Which field a hit matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchedField {
    Name,
    CreditCode,
    PermitNumber,
    EmergencyFiling,
    EiaApproval,
    /// Empty query: listed by filters alone.
    Filter,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Hit {
    pub id: EnterpriseId,
    pub name: String,
    pub credit_code: Option<String>,
    pub park_id: ParkId,
    pub park: String,
    pub park_code: Option<String>,
    pub tier: Option<Tier>,
    pub management_category: Option<ManagementCategory>,
    pub status: EnterpriseStatus,
    pub industry: Option<String>,
    pub matched: MatchedField,
}

/// The first hits of a search and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SearchPage {
    pub total: usize,
    pub hits: Vec<Hit>,
}

struct Entry {
    hit: Hit,
    /// The name and every code, separated by a control character: one
    /// substring test rejects the many entries that cannot match.
    haystack: String,
    name: String,
    /// Normalised codes with the field each came from.
    codes: Vec<(MatchedField, String)>,
    industry: Option<String>,
}

pub struct SearchIndex {
    entries: Vec<Entry>,
}

pub(crate) fn build_index((rows, docs): (Vec<IndexRow>, Vec<DocCode>)) -> Result<SearchIndex, StoreError> {
    let mut extra: HashMap<EnterpriseId, Vec<(MatchedField, String)>> = HashMap::new();
    for doc in docs {
        let (id, field, number) = match doc {
            DocCode::EiaApproval(id, n) => (id, MatchedField::EiaApproval, n),
            DocCode::Permit(id, n) => (id, MatchedField::PermitNumber, n),
        };
        extra.entry(id).or_default().push((field, normalize(&number)));
    }
    let mut entries = Vec::new();
    for r in rows {
        let category: Option<ManagementCategory> =
            r.management_category.and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok());
        let tier = r.tier_override.as_deref().and_then(Tier::parse).or(category.map(ManagementCategory::default_tier));
        let status = serde_json::from_value(serde_json::Value::String(r.status)).map_err(StoreError::Json)?;
        let mut codes = extra.remove(&r.id).unwrap_or_default();
        if let Some(c) = &r.credit_code {
            codes.push((MatchedField::CreditCode, normalize(c)));
        }
        if let Some(f) = &r.emergency_filing {
            codes.push((MatchedField::EmergencyFiling, normalize(f)));
        }
        codes.sort();
        let name_norm = normalize(&r.name);
        let mut haystack = name_norm.clone();
        for (_, c) in &codes {
            haystack.push('\u{1}');
            haystack.push_str(c);
        }
        entries.push(Entry {
            haystack,
            name: name_norm,
            industry: r.industry.as_deref().map(normalize),
            codes,
            hit: Hit {
                id: r.id,
                name: r.name,
                credit_code: r.credit_code,
                park_id: r.park_id,
                park: r.park,
                park_code: r.park_code,
                tier,
                management_category: category,
                status,
                industry: r.industry,
                matched: MatchedField::Filter,
            },
        });
    }
    Ok(SearchIndex { entries })
}

impl SearchIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Ranks exact matches first, then prefixes, then matches inside a
    /// name (earlier first), then matches inside a code or number; ties go
    /// to the shorter name.
    pub fn search(&self, q: &Query) -> Vec<Hit> {
        self.search_page(q).hits
    }

    /// Like [`Self::search`], with the number of all matches besides the
    /// first `limit` returned.
    pub fn search_page(&self, q: &Query) -> SearchPage {
        let text = normalize(&q.text);
        let park = q.park.as_deref().map(str::trim);
        let industry = q.industry.as_deref().map(normalize);
        let mut scored: Vec<((u8, usize, usize), &Entry, MatchedField)> = Vec::new();
        for e in &self.entries {
            let h = &e.hit;
            if let Some(p) = park {
                let by_code = h.park_code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(p));
                if !(by_code || h.park == p || h.park_id.to_string() == p) {
                    continue;
                }
            }
            if q.tier.is_some_and(|t| h.tier != Some(t))
                || q.category.is_some_and(|c| h.management_category != Some(c))
                || q.status.is_some_and(|s| h.status != s)
                || industry.as_ref().is_some_and(|i| e.industry.as_ref() != Some(i))
            {
                continue;
            }
            if text.is_empty() {
                // A listing without text is in name order.
                scored.push(((9, 0, 0), e, MatchedField::Filter));
                continue;
            }
            if let Some(score) = score(e, &text) {
                scored.push((score.0, e, score.1));
            }
        }
        type Scored<'a> = ((u8, usize, usize), &'a Entry, MatchedField);
        let order = |a: &Scored<'_>, b: &Scored<'_>| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name));
        let total = scored.len();
        let limit = q.limit.unwrap_or(usize::MAX);
        if limit < scored.len() {
            // Only the first `limit` need sorting: common fragments match thousands.
            scored.select_nth_unstable_by(limit, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
        let hits = scored.into_iter().map(|(_, e, matched)| Hit { matched, ..e.hit.clone() }).collect();
        SearchPage { total, hits }
    }
}

fn score(e: &Entry, text: &str) -> Option<((u8, usize, usize), MatchedField)> {
    if !e.haystack.contains(text) {
        return None;
    }
    let len = e.name.len();
    if e.name == text {
        return Some(((0, 0, len), MatchedField::Name));
    }
    if let Some((f, _)) = e.codes.iter().find(|(_, c)| c == text) {
        return Some(((0, 1, len), *f));
    }
    if e.name.starts_with(text) {
        return Some(((1, 0, len), MatchedField::Name));
    }
    if let Some((f, _)) = e.codes.iter().find(|(_, c)| c.starts_with(text)) {
        return Some(((2, 0, len), *f));
    }
    if let Some(pos) = e.name.find(text) {
        let chars_before = e.name[..pos].chars().count();
        return Some(((3, chars_before, len), MatchedField::Name));
    }
    if let Some((f, _)) = e.codes.iter().find(|(_, c)| c.contains(text)) {
        return Some(((4, 0, len), *f));
    }
    None
}
