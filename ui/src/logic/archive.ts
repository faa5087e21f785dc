// The checklist items' names. Their order and count mirror the Rust
// constants PARK_ARCHIVE_ITEMS and ENTERPRISE_ARCHIVE_ITEMS, which a
// test compares with this file.
export { PARK_ARCHIVE_ITEMS, ENTERPRISE_ARCHIVE_ITEMS } from '../ipc/checklists'
export { CONTACT_ROLE_ENVIRONMENT, DELIVERY_METHODS, TIER_UNSET } from '../ipc/checklists'
