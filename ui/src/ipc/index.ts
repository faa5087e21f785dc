// The only module that talks to Tauri. Every command is typed with the
// types generated from Rust (bindings.ts).
import zhCN from '../locales/zh-CN'
import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
export type { UnlistenFn }
import { getCurrentWebview } from '@tauri-apps/api/webview'
import { open, save } from '@tauri-apps/plugin-dialog'
import type {
  AppInfo,
  Attachment,
  BriefItem,
  Case,
  CaseFile,
  CaseFilter,
  Dashboard,
  EventBody,
  Ledger,
  LedgerKind,
  TransferFile,
  TransferNews,
  ClueTransfer,
  DocumentFonts,
  FontRole,
  NewClueTransfer,
  TransferOffice,
  Inspection,
  InspectionSummary,
  NewInspection,
  NewNotice,
  NewSignature,
  Notice,
  NoticeList,
  NoticeOffice,
  NumberVoid,
  PatrolPlan,
  PhotosImported,
  Template,
  ConflictItem,
  Printable,
  Enterprise,
  FieldProblem,
  ImportReport,
  Park,
  ParkOverview,
  ParkSummary,
  Query,
  SampleLoaded,
  SearchPage,
  Saved,
  SyncRound,
  SyncState,
} from './bindings'

export type * from './bindings'

export { isApiError } from '../logic/problems'

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  chooseDataDir: (path: string | null) => invoke<AppInfo>('choose_data_dir', { path }),
  loadSample: () => invoke<SampleLoaded>('load_sample'),
  parks: () => invoke<ParkSummary[]>('parks'),
  overview: () => invoke<ParkOverview[]>('overview'),
  park: (id: string) => invoke<Park>('park', { id }),
  search: (query: Query) => invoke<SearchPage>('search', { query }),
  enterprise: (id: string) => invoke<Enterprise>('enterprise', { id }),
  checkEnterprise: (enterprise: Enterprise) => invoke<FieldProblem[]>('check_enterprise', { enterprise }),
  saveEnterprise: (enterprise: Enterprise) => invoke<Saved>('save_enterprise', { enterprise }),
  importRoster: (path: string, park: string | null) => invoke<ImportReport>('import_roster', { path, park }),
  exportRoster: (path: string, park: string | null) => invoke<number>('export_roster', { path, park }),
  attachArchiveFile: (enterprise: string, itemNo: number, path: string) =>
    invoke<Attachment>('attach_archive_file', { enterprise, itemNo, path }),
  openAttachment: (sha256: string) => invoke<void>('open_attachment', { sha256 }),
  syncState: () => invoke<SyncState>('sync_state'),
  syncNow: () => invoke<SyncRound>('sync_now'),
  login: (server: string, user: string, password: string) => invoke<SyncState>('login', { server, user, password }),
  logout: () => invoke<SyncState>('logout'),
  /** The name the signed-in user's records and papers carry, kept by the server. */
  setFullName: (name: string) => invoke<SyncState>('set_full_name', { name }),
  conflicts: () => invoke<ConflictItem[]>('conflicts'),
  resolveConflict: (id: string, takeLaptop: boolean) => invoke<SyncRound>('resolve_conflict', { id, takeLaptop }),
  checklistTemplates: () => invoke<Template[]>('checklist_templates'),
  patrolPlan: (park: string) => invoke<PatrolPlan>('patrol_plan', { park }),
  brief: (enterprise: string) => invoke<BriefItem[]>('brief', { enterprise }),
  inspections: (enterprise: string | null, park: string | null) =>
    invoke<InspectionSummary[]>('inspections', { enterprise, park }),
  startInspection: (draft: NewInspection) => invoke<Inspection>('start_inspection', { new: draft }),
  inspection: (id: string) => invoke<Inspection>('inspection', { id }),
  saveInspection: (inspection: Inspection) => invoke<Inspection>('save_inspection', { inspection }),
  discardInspection: (id: string) => invoke<void>('discard_inspection', { id }),
  /** The capture time of a draft's photo whose file had none, entered by hand (`YYYY-MM-DDTHH:MM`). */
  enterPhotoTime: (id: string, photo: string, takenAt: string) =>
    invoke<Inspection>('enter_photo_time', { id, photo, takenAt }),
  signInspection: (id: string, version: number, signers: NewSignature[]) =>
    invoke<Inspection>('sign_inspection', { id, version, signers }),
  correctInspection: (id: string, reason: string) => invoke<Inspection>('correct_inspection', { id, reason }),
  /** Files, or folders whose photos (also in subfolders) are all imported. */
  importPhotos: (id: string, finding: string | null, paths: string[]) =>
    invoke<PhotosImported>('import_photos', { id, finding, paths }),
  /** A stored file (photo rendition, thumbnail, signature) as an object URL. */
  async blobUrl(sha256: string, type: string): Promise<string> {
    const bytes = await invoke<ArrayBuffer>('blob_bytes', { sha256 })
    return URL.createObjectURL(new Blob([bytes], { type }))
  },
  noticeOffice: () => invoke<NoticeOffice | null>('notice_office'),
  saveNoticeOffice: (office: NoticeOffice) => invoke<void>('save_notice_office', { office }),
  issueNotice: (newNotice: NewNotice) => invoke<Notice>('issue_notice', { new: newNotice }),
  notices: (enterprise: string | null) => invoke<NoticeList>('notices', { enterprise }),
  voidNotice: (id: string, reason: string) => invoke<NumberVoid>('void_notice', { id, reason }),
  saveTransferOffice: (office: TransferOffice) => invoke<void>('save_transfer_office', { office }),
  /** A transfer filled in from the inspection (no findings: its serious ones). */
  clueTransferDraft: (inspection: string, findings: string[]) =>
    invoke<NewClueTransfer>('clue_transfer_draft', { inspection, findings }),
  transferClue: (newTransfer: NewClueTransfer) => invoke<ClueTransfer>('transfer_clue', { new: newTransfer }),
  clueTransfers: (enterprise: string | null) => invoke<ClueTransfer[]>('clue_transfers', { enterprise }),
  cases: (filter: CaseFilter) => invoke<Case[]>('cases', { filter }),
  recordCaseEvent: (caseId: string, body: EventBody) => invoke<Case>('record_case_event', { caseId, body }),
  /** Keeps files handed in for a case (plans, photos) as they are. */
  keepCaseFiles: (paths: string[], finding: string | null) => invoke<CaseFile[]>('keep_case_files', { paths, finding }),
  transferFiles: (enterprise: string | null) => invoke<TransferFile[]>('transfer_files', { enterprise }),
  recordTransferNews: (id: string, news: TransferNews) => invoke<TransferFile>('record_transfer_news', { id, news }),
  ledger: (kind: LedgerKind, park: string | null) => invoke<Ledger>('ledger', { kind, park }),
  dashboard: (park: string | null) => invoke<Dashboard>('dashboard', { park }),
  exportLedger: (kind: LedgerKind, park: string | null, target: string) =>
    invoke<void>('export_ledger', { kind, park, target }),
  printLedger: (kind: LedgerKind, park: string | null) => invoke<string[]>('print_ledger', { kind, park }),
  documentFonts: () => invoke<DocumentFonts>('document_fonts'),
  /** Makes a font file the office's own for `role`; `null` goes back to the shipped font. */
  setDocumentFont: (role: FontRole, path: string | null) => invoke<DocumentFonts>('set_document_font', { role, path }),
  /** Renders a document into the data folder's 文书 folder; the paths written. */
  printDocument: (document: Printable) => invoke<string[]>('print_document', { document }),
  printTodaysNotices: () => invoke<string[]>('print_todays_notices'),
  openDocument: (path: string) => invoke<void>('open_document', { path }),
  /** A printed document's bytes, for the preview. */
  documentBytes: async (path: string) => new Uint8Array(await invoke<ArrayBuffer>('document_bytes', { path })),
  saveDocumentAs: (path: string, target: string) => invoke<void>('save_document_as', { path, target }),
}

export const events = {
  /** The app sends its sync state whenever a round starts or ends. */
  onSyncState: (f: (s: SyncState) => void): Promise<UnlistenFn> => listen<SyncState>('sync-state', (e) => f(e.payload)),
  /** Files dropped on the window: their paths, and whether they are over it. */
  onFileDrop: (over: (inside: boolean) => void, dropped: (paths: string[]) => void): Promise<UnlistenFn> =>
    getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === 'enter' || e.payload.type === 'over') over(true)
      else if (e.payload.type === 'leave') over(false)
      else if (e.payload.type === 'drop') {
        over(false)
        dropped(e.payload.paths)
      }
    }),
}

export const dialogs = {
  async chooseFolder(title: string): Promise<string | null> {
    const picked = await open({ directory: true, multiple: false, title })
    return typeof picked === 'string' ? picked : null
  },
  async chooseRoster(title: string): Promise<string | null> {
    const picked = await open({
      multiple: false,
      title,
      filters: [{ name: zhCN.fileKinds.roster, extensions: ['xlsx', 'xls', 'csv'] }],
    })
    return typeof picked === 'string' ? picked : null
  },
  async choosePhotos(title: string): Promise<string[]> {
    const picked = await open({
      multiple: true,
      title,
      filters: [{ name: zhCN.fileKinds.photos, extensions: ['jpg', 'jpeg', 'JPG', 'JPEG', 'png', 'PNG', 'heic', 'HEIC'] }],
    })
    return Array.isArray(picked) ? picked : typeof picked === 'string' ? [picked] : []
  },
  async chooseFile(title: string): Promise<string | null> {
    const picked = await open({ multiple: false, title })
    return typeof picked === 'string' ? picked : null
  },
  async chooseFont(title: string): Promise<string | null> {
    const picked = await open({
      multiple: false,
      title,
      filters: [{ name: zhCN.fileKinds.fonts, extensions: ['ttf', 'otf', 'ttc', 'TTF', 'OTF', 'TTC'] }],
    })
    return typeof picked === 'string' ? picked : null
  },
  async savePdf(title: string, defaultPath: string): Promise<string | null> {
    return save({ title, defaultPath, filters: [{ name: 'PDF', extensions: ['pdf'] }] })
  },
  async saveXlsx(title: string, defaultPath: string): Promise<string | null> {
    return save({ title, defaultPath, filters: [{ name: zhCN.fileKinds.workbook, extensions: ['xlsx'] }] })
  },
  async saveRoster(title: string, defaultPath: string): Promise<string | null> {
    return save({ title, defaultPath, filters: [{ name: zhCN.fileKinds.workbook, extensions: ['xlsx'] }, { name: 'CSV', extensions: ['csv'] }] })
  },
}
