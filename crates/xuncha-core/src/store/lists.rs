//! Whole-table reads that feed in-memory structures: the search index, the
//! park overview's counts and the roster import's key lookup. Each returns
//! plain rows; the module that uses them does the rest.

use rusqlite::Connection;

use super::{Store, StoreError};
use crate::id::*;

/// An enterprise as the search index reads it.
pub(crate) struct IndexRow {
    pub id: EnterpriseId,
    pub name: String,
    pub credit_code: Option<String>,
    pub park_id: ParkId,
    pub park: String,
    pub park_code: Option<String>,
    /// Stored enum texts, parsed by the index.
    pub management_category: Option<String>,
    pub tier_override: Option<String>,
    pub status: String,
    pub industry: Option<String>,
    pub emergency_filing: Option<String>,
}

/// A document number of an enterprise: an EIA approval's or a permit's.
pub(crate) enum DocCode {
    EiaApproval(EnterpriseId, String),
    Permit(EnterpriseId, String),
}

/// Every enterprise with its park, in id order, and every EIA approval and
/// permit number.
pub(crate) fn index_rows(conn: &Connection) -> Result<(Vec<IndexRow>, Vec<DocCode>), StoreError> {
    let mut codes = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT enterprise_id, 'eia', doc_number FROM eia_approval
         UNION ALL SELECT enterprise_id, 'permit', number FROM discharge_permit",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id = super::rows::parsed_at(r, 0)?;
        let number: String = r.get(2)?;
        codes.push(if r.get::<_, String>(1)? == "eia" {
            DocCode::EiaApproval(id, number)
        } else {
            DocCode::Permit(id, number)
        });
    }
    let mut stmt = conn.prepare(
        "SELECT e.id, e.name, e.credit_code, e.park_id, p.name, p.code, e.management_category, e.tier_override,
                e.status, e.industry, e.emergency_filing
         FROM enterprise e JOIN park p ON p.id = e.park_id ORDER BY e.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(IndexRow {
            id: super::rows::parsed_at(r, 0)?,
            name: r.get(1)?,
            credit_code: r.get(2)?,
            park_id: super::rows::parsed_at(r, 3)?,
            park: r.get(4)?,
            park_code: r.get(5)?,
            management_category: r.get(6)?,
            tier_override: r.get(7)?,
            status: r.get(8)?,
            industry: r.get(9)?,
            emergency_filing: r.get(10)?,
        });
    }
    Ok((out, codes))
}

/// What the park overview counts of one enterprise.
pub(crate) struct OverviewRow {
    pub status: String,
    pub management_category: Option<String>,
    pub tier_override: Option<String>,
    pub without_credit_code: bool,
    /// The file keeps cells from its source that need a look.
    pub flagged: bool,
}

/// A name or other spelling an enterprise is known by.
pub(crate) struct KeyRow {
    pub id: EnterpriseId,
    /// Only the file's own row carries its credit code.
    pub credit_code: Option<String>,
    pub name: String,
}

impl Store {
    /// The overview's facts of every enterprise of `park`.
    pub(crate) fn overview_rows(&self, park: ParkId) -> Result<Vec<OverviewRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, management_category, tier_override, credit_code IS NULL,
                    EXISTS (SELECT 1 FROM source_flag f WHERE f.enterprise_id = e.id)
             FROM enterprise e WHERE park_id = ?1",
        )?;
        let rows = stmt.query_map([park.to_string()], |r| {
            Ok(OverviewRow {
                status: r.get(0)?,
                management_category: r.get(1)?,
                tier_override: r.get(2)?,
                without_credit_code: r.get(3)?,
                flagged: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every enterprise's name and credit code, and every other spelling.
    pub(crate) fn enterprise_keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, credit_code, name FROM enterprise
             UNION ALL SELECT enterprise_id, NULL, alias FROM enterprise_alias",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(KeyRow { id: super::rows::parsed_at(r, 0)?, credit_code: r.get(1)?, name: r.get(2)? });
        }
        Ok(out)
    }
}
