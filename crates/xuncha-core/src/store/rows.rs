//! Reading and writing whole park and enterprise files as rows.
//!
//! A file is written by updating its main row and replacing its child rows;
//! children keep their own ids, so a replaced row is the same record.

use rusqlite::{params, types::Type, Connection, OptionalExtension, Row};
use serde::{de::DeserializeOwned, Serialize};

use crate::enterprise::*;
use crate::id::*;
use crate::park::*;

pub(crate) fn enum_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("enum did not serialise to a string: {other:?}"),
    }
}

fn enum_from<T: DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_value(serde_json::Value::String(s))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn enum_opt<T: DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        serde_json::from_value(serde_json::Value::String(s))
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
    })
    .transpose()
}

/// Column `i` parsed as the caller names it: a typed id, a `Uuid`, a
/// `Sha256`. A value that does not parse fails the row with the reason.
pub(crate) fn parsed_at<T>(r: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = r.get(i)?;
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// As [`parsed_at`], `None` for NULL.
pub(crate) fn parsed_opt<T>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: Option<String> = r.get(i)?;
    s.map(|s| s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))).transpose()
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    key: &str,
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([key], f)?;
    rows.collect()
}

/// The whole checklist of `len` items; only items with content are rows.
fn archive(conn: &Connection, owner: &str, len: usize) -> rusqlite::Result<Vec<ArchiveItem>> {
    let stored = collect(
        conn,
        "SELECT item_no, on_file, doc_date, note FROM archive_item WHERE owner_id = ?1 ORDER BY item_no",
        owner,
        |r| {
            Ok(ArchiveItem {
                item_no: r.get(0)?,
                on_file: r.get(1)?,
                doc_date: r.get(2)?,
                note: r.get(3)?,
                attachments: Vec::new(),
            })
        },
    )?;
    let mut items: Vec<ArchiveItem> = (1..=len as u8).map(ArchiveItem::empty).collect();
    for item in stored {
        match items.iter_mut().find(|i| i.item_no == item.item_no) {
            Some(slot) => *slot = item,
            None => items.push(item),
        }
    }
    let attachments = collect(
        conn,
        "SELECT item_no, id, file_name, sha256, size, added_at FROM archive_attachment
         WHERE owner_id = ?1 ORDER BY item_no, position",
        owner,
        |r| {
            Ok((
                r.get::<_, u8>(0)?,
                Attachment {
                    id: parsed_at(r, 1)?,
                    file_name: r.get(2)?,
                    sha256: parsed_at(r, 3)?,
                    size: r.get(4)?,
                    added_at: r.get(5)?,
                },
            ))
        },
    )?;
    for (no, a) in attachments {
        if let Some(item) = items.iter_mut().find(|i| i.item_no == no) {
            item.attachments.push(a);
        }
    }
    Ok(items)
}

fn write_archive(conn: &Connection, owner: &str, items: &[ArchiveItem]) -> rusqlite::Result<()> {
    let mut item_stmt = conn.prepare_cached(
        "INSERT INTO archive_item (owner_id, item_no, on_file, doc_date, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut att_stmt = conn.prepare_cached(
        "INSERT INTO archive_attachment (id, owner_id, item_no, position, file_name, sha256, size, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for item in items.iter().filter(|i| **i != ArchiveItem::empty(i.item_no)) {
        item_stmt.execute(params![owner, item.item_no, item.on_file, item.doc_date, item.note])?;
        for (pos, a) in item.attachments.iter().enumerate() {
            att_stmt.execute(params![
                a.id.to_string(),
                owner,
                item.item_no,
                pos,
                a.file_name,
                a.sha256.to_string(),
                a.size,
                a.added_at
            ])?;
        }
    }
    Ok(())
}

fn contacts(conn: &Connection, owner: &str) -> rusqlite::Result<Vec<Contact>> {
    collect(conn, "SELECT id, role, name, phone, note FROM contact WHERE owner_id = ?1 ORDER BY position", owner, |r| {
        Ok(Contact { id: parsed_at(r, 0)?, role: r.get(1)?, name: r.get(2)?, phone: r.get(3)?, note: r.get(4)? })
    })
}

/// Deletes the archive items (their attachments cascade) and contacts of a file.
fn delete_owned(conn: &Connection, owner: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM archive_item WHERE owner_id = ?1")?.execute([owner])?;
    conn.prepare_cached("DELETE FROM contact WHERE owner_id = ?1")?.execute([owner])?;
    Ok(())
}

fn write_contacts(conn: &Connection, owner: &str, contacts: &[Contact]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO contact (id, owner_id, position, role, name, phone, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (pos, c) in contacts.iter().enumerate() {
        stmt.execute(params![c.id.to_string(), owner, pos, c.role, c.name, c.phone, c.note])?;
    }
    Ok(())
}

pub(crate) fn load_enterprise(conn: &Connection, id: EnterpriseId) -> rusqlite::Result<Option<Enterprise>> {
    let key = id.to_string();
    let main = conn
        .prepare_cached(
            "SELECT id, park_id, name, credit_code, legal_representative, industry, industry_code, address,
                    longitude, latitude, status, management_category, tier_override, tier_override_reason,
                    permit_held, emergency_required, emergency_filing, emergency_filed_on,
                    emergency_last_drill, version
             FROM enterprise WHERE id = ?1",
        )?
        .query_row([&key], |r| {
            let tier: Option<Tier> = enum_opt(r, 12)?;
            let reason: Option<String> = r.get(13)?;
            let mut e = Enterprise::new(parsed_at(r, 0)?, parsed_at(r, 1)?, r.get::<_, String>(2)?);
            e.credit_code = r.get(3)?;
            e.legal_representative = r.get(4)?;
            e.industry = r.get(5)?;
            e.industry_code = r.get(6)?;
            e.address = r.get(7)?;
            e.longitude = r.get(8)?;
            e.latitude = r.get(9)?;
            e.status = enum_from(r, 10)?;
            e.management_category = enum_opt(r, 11)?;
            e.tier_override = tier.map(|tier| TierOverride { tier, reason: reason.unwrap_or_default() });
            e.permit_held = r.get(14)?;
            e.emergency_plan = EmergencyPlan {
                required: r.get(15)?,
                filing_number: r.get(16)?,
                filed_on: r.get(17)?,
                last_drill_on: r.get(18)?,
            };
            e.version = r.get(19)?;
            Ok(e)
        })
        .optional()?;
    let Some(mut e) = main else { return Ok(None) };
    e.eia_approvals = collect(
        conn,
        "SELECT id, doc_number, authority, approved_on, project, acceptance, accepted_on
         FROM eia_approval WHERE enterprise_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(EiaApproval {
                id: parsed_at(r, 0)?,
                doc_number: r.get(1)?,
                authority: r.get(2)?,
                approved_on: r.get(3)?,
                project: r.get(4)?,
                acceptance: enum_from(r, 5)?,
                accepted_on: r.get(6)?,
            })
        },
    )?;
    e.permits = collect(
        conn,
        "SELECT id, kind, number, issued_on, expires_on FROM discharge_permit
         WHERE enterprise_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(DischargePermit {
                id: parsed_at(r, 0)?,
                kind: enum_from(r, 1)?,
                number: r.get(2)?,
                issued_on: r.get(3)?,
                expires_on: r.get(4)?,
            })
        },
    )?;
    e.facilities = collect(
        conn,
        "SELECT id, kind, name, discharge_standard, discharge_destination, design_capacity, actual_capacity,
                power_mode, online_monitoring, online_factors, removal_efficiency, process,
                process_diagram_sha256, dosing_mode, dosing_amount, consumables_replacement,
                sludge_press_frequency, waste_disposal
         FROM facility WHERE enterprise_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(Facility {
                id: parsed_at(r, 0)?,
                kind: enum_from(r, 1)?,
                name: r.get(2)?,
                discharge_standard: r.get(3)?,
                discharge_destination: r.get(4)?,
                design_capacity: r.get(5)?,
                actual_capacity: r.get(6)?,
                power_mode: r.get(7)?,
                online_monitoring: r.get(8)?,
                online_factors: r.get(9)?,
                removal_efficiency: r.get(10)?,
                process: r.get(11)?,
                process_diagram_sha256: parsed_opt(r, 12)?,
                dosing_mode: r.get(13)?,
                dosing_amount: r.get(14)?,
                consumables_replacement: r.get(15)?,
                sludge_press_frequency: r.get(16)?,
                waste_disposal: r.get(17)?,
            })
        },
    )?;
    e.outlets = collect(
        conn,
        "SELECT id, kind, code, location, longitude, latitude, signboard_photo_sha256
         FROM outlet WHERE enterprise_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(Outlet {
                id: parsed_at(r, 0)?,
                kind: enum_from(r, 1)?,
                code: r.get(2)?,
                location: r.get(3)?,
                longitude: r.get(4)?,
                latitude: r.get(5)?,
                signboard_photo_sha256: parsed_opt(r, 6)?,
            })
        },
    )?;
    e.solid_waste = collect(
        conn,
        "SELECT id, year, general_produced, general_self_utilised, general_self_disposed, general_entrusted,
                hazardous_produced, hazardous_self_utilised, hazardous_self_disposed, hazardous_entrusted,
                on_transfer_list
         FROM solid_waste WHERE enterprise_id = ?1 ORDER BY year",
        &key,
        |r| {
            Ok(SolidWasteYear {
                id: parsed_at(r, 0)?,
                year: r.get(1)?,
                general: WasteAmounts {
                    produced: r.get(2)?,
                    self_utilised: r.get(3)?,
                    self_disposed: r.get(4)?,
                    entrusted: r.get(5)?,
                },
                hazardous: WasteAmounts {
                    produced: r.get(6)?,
                    self_utilised: r.get(7)?,
                    self_disposed: r.get(8)?,
                    entrusted: r.get(9)?,
                },
                on_transfer_list: r.get(10)?,
            })
        },
    )?;
    e.archive = archive(conn, &key, ENTERPRISE_ARCHIVE_ITEMS.len())?;
    e.contacts = contacts(conn, &key)?;
    e.aliases =
        collect(conn, "SELECT alias FROM enterprise_alias WHERE enterprise_id = ?1 ORDER BY alias", &key, |r| {
            r.get(0)
        })?;
    e.source_flags = collect(
        conn,
        "SELECT field, raw, message FROM source_flag WHERE enterprise_id = ?1 ORDER BY position",
        &key,
        |r| Ok(SourceFlag { field: r.get(0)?, raw: r.get(1)?, message: r.get(2)? }),
    )?;
    e.merged_ids =
        collect(conn, "SELECT merged_id FROM enterprise_merged WHERE into_id = ?1 ORDER BY merged_id", &key, |r| {
            parsed_at(r, 0)
        })?;
    Ok(Some(e))
}

/// Takes the server's word on which files were folded into `e`: those
/// leave this laptop (first, as a twin holds the same credit code), their
/// ids name `e`, and `e` itself is live (a server restored from a backup
/// may have forgotten a fold). Only what the server sends says so; a
/// local save leaves the folds as they are.
pub(crate) fn receive_folds(conn: &Connection, e: &Enterprise) -> rusqlite::Result<()> {
    let key = e.id.to_string();
    for merged in e.merged_ids.iter().filter(|m| **m != e.id) {
        delete_enterprise(conn, *merged)?;
    }
    conn.prepare_cached("DELETE FROM enterprise_merged WHERE merged_id = ?1 OR into_id = ?1")?.execute([&key])?;
    for merged in e.merged_ids.iter().filter(|m| **m != e.id) {
        conn.prepare_cached(
            "INSERT INTO enterprise_merged (merged_id, into_id) VALUES (?1, ?2)
             ON CONFLICT (merged_id) DO UPDATE SET into_id = ?2",
        )?
        .execute(params![merged.to_string(), key])?;
    }
    Ok(())
}

/// Removes an enterprise file and everything it owns from this laptop.
pub(crate) fn delete_enterprise(conn: &Connection, id: EnterpriseId) -> rusqlite::Result<()> {
    let key = id.to_string();
    delete_owned(conn, &key)?;
    conn.prepare_cached("DELETE FROM enterprise WHERE id = ?1")?.execute([&key])?;
    conn.prepare_cached("DELETE FROM synced_version WHERE entity = 'enterprise' AND entity_id = ?1")?
        .execute([&key])?;
    Ok(())
}

/// Writes a whole enterprise file at `version`, replacing its child rows
/// (there are none to replace when `is_new`).
pub(crate) fn write_enterprise(
    conn: &Connection,
    e: &Enterprise,
    version: i64,
    now: &str,
    is_new: bool,
) -> rusqlite::Result<()> {
    let key = e.id.to_string();
    conn.prepare_cached(
        "INSERT INTO enterprise (id, park_id, name, credit_code, legal_representative, industry, industry_code,
                address, longitude, latitude, status, management_category, tier_override, tier_override_reason,
                permit_held, emergency_required, emergency_filing, emergency_filed_on, emergency_last_drill,
                version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (id) DO UPDATE SET
            park_id = excluded.park_id, name = excluded.name, credit_code = excluded.credit_code,
            legal_representative = excluded.legal_representative, industry = excluded.industry,
            industry_code = excluded.industry_code, address = excluded.address,
            longitude = excluded.longitude, latitude = excluded.latitude, status = excluded.status,
            management_category = excluded.management_category, tier_override = excluded.tier_override,
            tier_override_reason = excluded.tier_override_reason, permit_held = excluded.permit_held,
            emergency_required = excluded.emergency_required, emergency_filing = excluded.emergency_filing,
            emergency_filed_on = excluded.emergency_filed_on,
            emergency_last_drill = excluded.emergency_last_drill,
            version = excluded.version, updated_at = excluded.updated_at",
    )?
    .execute(params![
        key,
        e.park_id.to_string(),
        e.name,
        e.credit_code,
        e.legal_representative,
        e.industry,
        e.industry_code,
        e.address,
        e.longitude,
        e.latitude,
        enum_text(&e.status),
        e.management_category.as_ref().map(enum_text),
        e.tier_override.as_ref().map(|o| o.tier.letter()),
        e.tier_override.as_ref().map(|o| o.reason.as_str()),
        e.permit_held,
        e.emergency_plan.required,
        e.emergency_plan.filing_number,
        e.emergency_plan.filed_on,
        e.emergency_plan.last_drill_on,
        version,
        now
    ])?;
    if !is_new {
        for table in
            ["eia_approval", "discharge_permit", "facility", "outlet", "solid_waste", "enterprise_alias", "source_flag"]
        {
            conn.prepare_cached(&format!("DELETE FROM {table} WHERE enterprise_id = ?1"))?.execute([&key])?;
        }
        delete_owned(conn, &key)?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO eia_approval (id, enterprise_id, position, doc_number, authority, approved_on, project,
                                   acceptance, accepted_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (pos, a) in e.eia_approvals.iter().enumerate() {
        stmt.execute(params![
            a.id.to_string(),
            key,
            pos,
            a.doc_number,
            a.authority,
            a.approved_on,
            a.project,
            enum_text(&a.acceptance),
            a.accepted_on
        ])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO discharge_permit (id, enterprise_id, position, kind, number, issued_on, expires_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (pos, p) in e.permits.iter().enumerate() {
        stmt.execute(params![p.id.to_string(), key, pos, enum_text(&p.kind), p.number, p.issued_on, p.expires_on])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO facility (id, enterprise_id, position, kind, name, discharge_standard, discharge_destination,
                design_capacity, actual_capacity, power_mode, online_monitoring, online_factors,
                removal_efficiency, process, process_diagram_sha256, dosing_mode, dosing_amount,
                consumables_replacement, sludge_press_frequency, waste_disposal)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?;
    for (pos, f) in e.facilities.iter().enumerate() {
        stmt.execute(params![
            f.id.to_string(),
            key,
            pos,
            enum_text(&f.kind),
            f.name,
            f.discharge_standard,
            f.discharge_destination,
            f.design_capacity,
            f.actual_capacity,
            f.power_mode,
            f.online_monitoring,
            f.online_factors,
            f.removal_efficiency,
            f.process,
            f.process_diagram_sha256.map(|h| h.to_string()),
            f.dosing_mode,
            f.dosing_amount,
            f.consumables_replacement,
            f.sludge_press_frequency,
            f.waste_disposal
        ])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO outlet (id, enterprise_id, position, kind, code, location, longitude, latitude,
                             signboard_photo_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (pos, o) in e.outlets.iter().enumerate() {
        stmt.execute(params![
            o.id.to_string(),
            key,
            pos,
            enum_text(&o.kind),
            o.code,
            o.location,
            o.longitude,
            o.latitude,
            o.signboard_photo_sha256.map(|h| h.to_string())
        ])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO solid_waste (id, enterprise_id, year, general_produced, general_self_utilised,
                general_self_disposed, general_entrusted, hazardous_produced, hazardous_self_utilised,
                hazardous_self_disposed, hazardous_entrusted, on_transfer_list)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for w in &e.solid_waste {
        stmt.execute(params![
            w.id.to_string(),
            key,
            w.year,
            w.general.produced,
            w.general.self_utilised,
            w.general.self_disposed,
            w.general.entrusted,
            w.hazardous.produced,
            w.hazardous.self_utilised,
            w.hazardous.self_disposed,
            w.hazardous.entrusted,
            w.on_transfer_list
        ])?;
    }
    let mut stmt = conn.prepare_cached("INSERT INTO enterprise_alias (enterprise_id, alias) VALUES (?1, ?2)")?;
    for a in &e.aliases {
        stmt.execute(params![key, a])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO source_flag (enterprise_id, position, field, raw, message) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (pos, f) in e.source_flags.iter().enumerate() {
        stmt.execute(params![key, pos, f.field, f.raw, f.message])?;
    }
    write_archive(conn, &key, &e.archive)?;
    write_contacts(conn, &key, &e.contacts)?;
    Ok(())
}

pub(crate) fn load_park(conn: &Connection, id: ParkId) -> rusqlite::Result<Option<Park>> {
    let key = id.to_string();
    let main = conn
        .query_row(
            "SELECT id, name, code, level, city, county, region_code, address, area_km2, leading_industries,
                    emergency_plan_filing, last_drill_on, version
             FROM park WHERE id = ?1",
            [&key],
            |r| {
                let mut p = Park::new(parsed_at(r, 0)?, r.get::<_, String>(1)?);
                p.code = r.get(2)?;
                p.level = enum_opt(r, 3)?;
                p.city = r.get(4)?;
                p.county = r.get(5)?;
                p.region_code = r.get(6)?;
                p.address = r.get(7)?;
                p.area_km2 = r.get(8)?;
                p.leading_industries = r.get(9)?;
                p.emergency_plan_filing = r.get(10)?;
                p.last_drill_on = r.get(11)?;
                p.version = r.get(12)?;
                Ok(p)
            },
        )
        .optional()?;
    let Some(mut p) = main else { return Ok(None) };
    p.approvals = collect(
        conn,
        "SELECT id, kind, doc_number, authority, approved_on, title FROM park_approval
         WHERE park_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(ParkApproval {
                id: parsed_at(r, 0)?,
                kind: r.get(1)?,
                doc_number: r.get(2)?,
                authority: r.get(3)?,
                approved_on: r.get(4)?,
                title: r.get(5)?,
            })
        },
    )?;
    p.pollutants = collect(
        conn,
        "SELECT id, pollutant, quota_tpa FROM park_pollutant WHERE park_id = ?1 ORDER BY position",
        &key,
        |r| {
            Ok(PollutantQuota { id: parsed_at(r, 0)?, pollutant: r.get(1)?, quota_tpa: r.get(2)?, actuals: Vec::new() })
        },
    )?;
    for q in &mut p.pollutants {
        q.actuals = collect(
            conn,
            "SELECT year, amount_tpa FROM park_pollutant_actual WHERE pollutant_id = ?1 ORDER BY year",
            &q.id.to_string(),
            |r| Ok(AnnualActual { year: r.get(0)?, amount_tpa: r.get(1)? }),
        )?;
    }
    p.wastewater_facility = conn
        .query_row(
            "SELECT name, mode, design_capacity, actual_capacity, process, discharge_standard, online_monitoring
             FROM park_wastewater_facility WHERE park_id = ?1",
            [&key],
            |r| {
                Ok(ParkWastewaterFacility {
                    name: r.get(0)?,
                    mode: r.get(1)?,
                    design_capacity: r.get(2)?,
                    actual_capacity: r.get(3)?,
                    process: r.get(4)?,
                    discharge_standard: r.get(5)?,
                    online_monitoring: r.get(6)?,
                })
            },
        )
        .optional()?;
    p.archive = archive(conn, &key, PARK_ARCHIVE_ITEMS.len())?;
    p.contacts = contacts(conn, &key)?;
    Ok(Some(p))
}

pub(crate) fn write_park(conn: &Connection, p: &Park, version: i64, now: &str) -> rusqlite::Result<()> {
    let key = p.id.to_string();
    conn.execute(
        "INSERT INTO park (id, name, code, level, city, county, region_code, address, area_km2,
                           leading_industries, emergency_plan_filing, last_drill_on, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, code = excluded.code, level = excluded.level, city = excluded.city,
            county = excluded.county, region_code = excluded.region_code, address = excluded.address,
            area_km2 = excluded.area_km2, leading_industries = excluded.leading_industries,
            emergency_plan_filing = excluded.emergency_plan_filing, last_drill_on = excluded.last_drill_on,
            version = excluded.version, updated_at = excluded.updated_at",
        params![
            key,
            p.name,
            p.code,
            p.level.as_ref().map(enum_text),
            p.city,
            p.county,
            p.region_code,
            p.address,
            p.area_km2,
            p.leading_industries,
            p.emergency_plan_filing,
            p.last_drill_on,
            version,
            now
        ],
    )?;
    for table in ["park_approval", "park_pollutant", "park_wastewater_facility"] {
        conn.execute(&format!("DELETE FROM {table} WHERE park_id = ?1"), [&key])?;
    }
    delete_owned(conn, &key)?;
    for (pos, a) in p.approvals.iter().enumerate() {
        conn.execute(
            "INSERT INTO park_approval (id, park_id, position, kind, doc_number, authority, approved_on, title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![a.id.to_string(), key, pos, a.kind, a.doc_number, a.authority, a.approved_on, a.title],
        )?;
    }
    for (pos, q) in p.pollutants.iter().enumerate() {
        conn.execute(
            "INSERT INTO park_pollutant (id, park_id, position, pollutant, quota_tpa) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![q.id.to_string(), key, pos, q.pollutant, q.quota_tpa],
        )?;
        for a in &q.actuals {
            conn.execute(
                "INSERT INTO park_pollutant_actual (pollutant_id, year, amount_tpa) VALUES (?1, ?2, ?3)",
                params![q.id.to_string(), a.year, a.amount_tpa],
            )?;
        }
    }
    if let Some(f) = &p.wastewater_facility {
        conn.execute(
            "INSERT INTO park_wastewater_facility (park_id, name, mode, design_capacity, actual_capacity,
                                                   process, discharge_standard, online_monitoring)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                key,
                f.name,
                f.mode,
                f.design_capacity,
                f.actual_capacity,
                f.process,
                f.discharge_standard,
                f.online_monitoring
            ],
        )?;
    }
    write_archive(conn, &key, &p.archive)?;
    write_contacts(conn, &key, &p.contacts)?;
    Ok(())
}
