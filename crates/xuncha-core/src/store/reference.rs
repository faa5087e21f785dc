//! Reference data and document numbers on the laptop: copies of what only
//! the server writes, refreshed at the end of every sync round so they
//! are at hand offline.
//!
//! Numbers are kept in stock: while connected the laptop leases a block
//! whenever fewer than [`NUMBERS_LOW`] numbers of a series are left for
//! the year (and, in December, for the next year too). A lease request is
//! saved before it is sent and sent again with the same id until answered,
//! so a lost reply never costs numbers.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;
use xuncha_sync::{payload_hash, LeaseRequest, NumberBlock, ReferenceDoc, ReferenceEntry, PROTOCOL};

use super::sync::{SyncError, Transport, TransportError};
use super::{Store, StoreError};

/// Below this many numbers of a series for a year, the next round leases more.
pub const NUMBERS_LOW: i64 = 15;
/// How many numbers one lease asks for.
pub const NUMBERS_BLOCK: i64 = 30;

/// How many numbers of a series this laptop can still give out offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NumbersLeft {
    pub series: String,
    /// The office's mark, e.g. `祁环改`.
    pub prefix: String,
    pub year: i32,
    pub left: i64,
    /// The next number this laptop would give, if any.
    pub next: Option<i64>,
}

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReferenceEntry> {
    Ok(ReferenceEntry {
        kind: r.get(0)?,
        key: r.get(1)?,
        version: r.get(2)?,
        title: r.get(3)?,
        sha256: r.get(4)?,
        published_at: r.get(5)?,
    })
}

const ENTRY_COLUMNS: &str = "kind, key, version, title, sha256, published_at";

impl Store {
    /// Every reference version on this laptop, by kind, key and version.
    pub fn reference_entries(&self) -> Result<Vec<ReferenceEntry>, StoreError> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM reference_doc ORDER BY kind, key, version"))?;
        let rows = stmt.query_map([], entry_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One version of a reference document; `None` for `version` means the newest.
    pub fn reference(&self, kind: &str, key: &str, version: Option<i64>) -> Result<Option<ReferenceDoc>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ENTRY_COLUMNS}, doc FROM reference_doc WHERE kind = ?1 AND key = ?2
                     AND (?3 IS NULL OR version = ?3) ORDER BY version DESC LIMIT 1"
                ),
                params![kind, key, version],
                |r| Ok((entry_of(r)?, r.get::<_, String>(6)?)),
            )
            .optional()?;
        row.map(|(entry, doc)| Ok(ReferenceDoc { entry, doc: serde_json::from_str(&doc)? })).transpose()
    }

    /// Numbers left per series and year, for this year and later.
    pub fn numbers_left(&self) -> Result<Vec<NumbersLeft>, StoreError> {
        let this_year = chrono::Datelike::year(&self.env.now_in_china());
        let mut stmt = self.conn.prepare(
            "SELECT series, prefix, year, SUM(last - next + 1), MIN(CASE WHEN next <= last THEN next END)
             FROM number_block WHERE year >= ?1 GROUP BY series, prefix, year ORDER BY series, year",
        )?;
        let rows = stmt.query_map([this_year], |r| {
            Ok(NumbersLeft { series: r.get(0)?, prefix: r.get(1)?, year: r.get(2)?, left: r.get(3)?, next: r.get(4)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Fetches the reference versions this laptop does not hold (or holds
    /// with other content, after the server was rebuilt); returns how many.
    pub(super) fn sync_reference(&mut self, t: &mut dyn Transport) -> Result<usize, SyncError> {
        let mut received = 0;
        for entry in t.reference_index()? {
            let held: Option<String> = self
                .conn
                .query_row(
                    "SELECT sha256 FROM reference_doc WHERE kind = ?1 AND key = ?2 AND version = ?3",
                    params![entry.kind, entry.key, entry.version],
                    |r| r.get(0),
                )
                .optional()?;
            if held.as_deref() == Some(entry.sha256.as_str()) {
                continue;
            }
            let got = t.reference_doc(&entry)?;
            if got.entry != entry || payload_hash(&got.doc) != entry.sha256 {
                return Err(SyncError::BadAnswer(format!(
                    "参考资料 {}/{} 第 {} 版与目录不符",
                    entry.kind, entry.key, entry.version
                )));
            }
            self.conn.execute(
                "INSERT OR REPLACE INTO reference_doc (kind, key, version, title, sha256, published_at, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    entry.kind,
                    entry.key,
                    entry.version,
                    entry.title,
                    entry.sha256,
                    entry.published_at,
                    serde_json::to_string(&got.doc)?
                ],
            )?;
            received += 1;
        }
        Ok(received)
    }

    /// Leases blocks for every series the user may number from whose stock
    /// ran low; returns how many numbers arrived.
    pub(super) fn stock_numbers(&mut self, t: &mut dyn Transport) -> Result<i64, SyncError> {
        let series = t.number_series()?;
        let now = self.env.now_in_china();
        let this_year = chrono::Datelike::year(&now);
        let mut years = vec![this_year];
        if chrono::Datelike::month(&now) == 12 {
            years.push(this_year + 1);
        }
        let mut leased = 0;
        for s in &series {
            for &year in &years {
                let left: i64 = self.conn.query_row(
                    "SELECT COALESCE(SUM(last - next + 1), 0) FROM number_block WHERE series = ?1 AND year = ?2",
                    params![s.series, year],
                    |r| r.get(0),
                )?;
                if left >= NUMBERS_LOW {
                    continue;
                }
                let req = self.lease_request(&s.series, year)?;
                match t.lease(&req) {
                    Ok(block) => {
                        leased += block.last - block.first + 1;
                        self.keep_block(&req, &block)?;
                    }
                    // Not numbered any more (the series is gone, or the role
                    // changed): forget the request; nothing was given.
                    Err(TransportError::Refused { .. }) => {
                        self.conn
                            .execute("DELETE FROM number_lease WHERE request_id = ?1", [req.request_id.to_string()])?;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(leased)
    }

    /// The saved request for a series and year, or a new one, saved first.
    fn lease_request(&mut self, series: &str, year: i32) -> Result<LeaseRequest, StoreError> {
        let saved: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT request_id, size FROM number_lease WHERE series = ?1 AND year = ?2",
                params![series, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (request_id, size) = match saved {
            Some((id, size)) => (Uuid::parse_str(&id).expect("ids in the store are UUIDs"), size),
            None => {
                let id: Uuid = self.env.new_id();
                self.conn.execute(
                    "INSERT INTO number_lease (request_id, series, year, size, asked_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id.to_string(), series, year, NUMBERS_BLOCK, self.env.now().to_rfc3339()],
                )?;
                (id, NUMBERS_BLOCK)
            }
        };
        Ok(LeaseRequest { protocol: PROTOCOL, request_id, series: series.into(), year, size })
    }

    /// Stores a leased block and closes its request, in one transaction.
    fn keep_block(&mut self, req: &LeaseRequest, b: &NumberBlock) -> Result<(), SyncError> {
        if b.series != req.series || b.year != req.year || b.first < 1 || b.last < b.first {
            return Err(SyncError::BadAnswer(format!(
                "服务器给出的编号段无效：{}〔{}〕{}–{}号",
                b.prefix, b.year, b.first, b.last
            )));
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO number_block (block_id, series, prefix, year, first, last, next, leased_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7) ON CONFLICT (block_id) DO NOTHING",
            params![b.block_id.to_string(), b.series, b.prefix, b.year, b.first, b.last, self.env.now().to_rfc3339()],
        )?;
        tx.execute("DELETE FROM number_lease WHERE request_id = ?1", [req.request_id.to_string()])?;
        tx.commit()?;
        Ok(())
    }
}
