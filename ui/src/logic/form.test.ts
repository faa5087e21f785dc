import { describe, expect, it } from 'vitest'
import { normalizeForSave } from './normalize'
import { uuidv7 } from './uuid'

describe('normalizeForSave', () => {
  it('turns cleared optional fields into null and keeps required ones', () => {
    const out = normalizeForSave({ name: ' ', credit_code: '', contacts: [{ role: '环保负责人', phone: ' 0734-1 ', note: '' }] })
    expect(out).toEqual({ name: '', credit_code: null, contacts: [{ role: '环保负责人', phone: '0734-1', note: null }] })
  })
  it('leaves numbers, booleans and nulls alone', () => {
    expect(normalizeForSave({ version: 3, on_file: false, latitude: null })).toEqual({ version: 3, on_file: false, latitude: null })
  })
})

describe('uuidv7', () => {
  it('carries version 7, the RFC variant and the time in its first 48 bits', () => {
    const id = uuidv7(0x0194_1f29_7c00, new Uint8Array(10))
    expect(id).toBe('01941f29-7c00-7000-8000-000000000000')
    expect(uuidv7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
  it('sorts by time', () => {
    expect(uuidv7(1000) < uuidv7(2000)).toBe(true)
  })
})
