// The checklist items' names. Their order and count mirror the Rust
// constants PARK_ARCHIVE_ITEMS and ENTERPRISE_ARCHIVE_ITEMS, which a
// test compares with this file.
export { PARK_ARCHIVE_ITEMS, ENTERPRISE_ARCHIVE_ITEMS } from '../ipc/checklists'
