// The app's commands, typed with the types generated from Rust
// (src/generated, written by crates/rounds-app's tests). Every command
// rejects with an AppError `{code, message, field}`.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AppError } from './generated/AppError';
import type { CarriedSummary } from './generated/CarriedSummary';
import type { DocSummary } from './generated/DocSummary';
import type { DocView } from './generated/DocView';
import type { Caret } from './generated/Caret';
import type { Saved } from './generated/Saved';
import type { FindingRef } from './generated/FindingRef';
import type { HistoryItem } from './generated/HistoryItem';
import type { UsbDrive } from './generated/UsbDrive';
import type { UsbOutcome } from './generated/UsbOutcome';
import type { WordImport } from './generated/WordImport';
import type { PdfSaved } from './generated/PdfSaved';
import type { Kind } from './generated/Kind';
import type { Language } from './generated/Language';
import type { ListQuery } from './generated/ListQuery';
import type { Profile } from './generated/Profile';
import type { SchemaInfo } from './generated/SchemaInfo';
import type { SearchHit } from './generated/SearchHit';
import type { SyncStatus } from './generated/SyncStatus';
import type { Template } from './generated/Template';
import type { CollabView } from './generated/CollabView';
import type { CompareView } from './generated/CompareView';
import type { GroupForm } from './generated/GroupForm';
import type { InboxEntry } from './generated/InboxEntry';
import type { ReviewForm } from './generated/ReviewForm';
import type { TakenUpstream } from './generated/TakenUpstream';
import type { TargetInput } from './generated/TargetInput';
import type { UnreadCount } from './generated/UnreadCount';

/**
 * Records how long a call took as a Performance measure, for the benchmark
 * to read (saves as the page sees them: the round trip to the app and
 * back). At most the latest 500 are kept, so a long session holds no more.
 */
function timed(name: string, start: number) {
  if (performance.getEntriesByName(name, 'measure').length >= 500) performance.clearMeasures(name);
  performance.measure(name, { start });
}

export const api = {
  schema: () => invoke<SchemaInfo>('schema'),
  profile: () => invoke<Profile>('profile'),
  setName: (name: string) => invoke<Profile>('set_name', { name }),
  list: (query: ListQuery) => invoke<DocSummary[]>('list_docs', { query }),
  search: (text: string, query: ListQuery) => invoke<SearchHit[]>('search_docs', { text, query }),
  get: (id: string) => invoke<DocView>('get_doc', { id }),
  create: (kind: Kind, title: string, language: Language) => invoke<DocView>('create_doc', { kind, title, language }),
  edit: (id: string, patch: Record<string, unknown>) => invoke<DocView>('edit_doc', { id, patch }),
  /** Saves values edited on the document as it stood at `base`, merged into the current one; maps the caret. */
  editAt: async (id: string, patch: Record<string, unknown>, base: string[], caret: Caret | null) => {
    const start = performance.now();
    try {
      return await invoke<Saved>('edit_doc_at', { id, patch, base, caret });
    } finally {
      timed('rounds:save', start);
    }
  },
  /** The current document, with the caret of the field on screen (`text`, shown at `base`) mapped onto it. */
  refresh: (id: string, base: string[], caret: Caret | null, text: string | null) => invoke<Saved>('refresh_doc', { id, base, caret, text }),
  remove: (id: string) => invoke<DocSummary>('delete_doc', { id }),
  restore: (id: string) => invoke<DocSummary>('restore_doc', { id }),
  /** Shares a document; a case needs `attest` and comes back as the new document the office gets. */
  share: (id: string, attest: boolean) => invoke<DocSummary>('share_doc', { id, attest }),
  /** Masks the given findings, or every finding when `only` is null. */
  mask: (id: string, only: FindingRef[] | null) => invoke<DocView>('mask_findings', { id, only }),
  /** Documents made by a newer Rounds, of kinds this version cannot open. */
  carried: () => invoke<CarriedSummary[]>('list_carried'),
  /** Shows again a row a colleague removed while this device edited it. */
  restoreRow: (id: string, field: string, row: string) => invoke<DocView>('restore_row', { id, field, row }),
  /** Lets a colleague's removal of a row stand; the notice goes away. */
  dismissRemoved: (id: string, field: string, row: string) => invoke<DocView>('dismiss_removed', { id, field, row }),
  history: (id: string) => invoke<HistoryItem[]>('history', { id }),
  at: (id: string, change: string) => invoke<DocView>('doc_at', { id, change }),
  importSamples: () => invoke<number>('import_samples'),
  syncStatus: () => invoke<SyncStatus>('sync_status'),
  join: (url: string, code: string, deviceName: string, fingerprint: string) =>
    invoke<SyncStatus>('join_office', { url, code, deviceName, fingerprint: fingerprint.trim() || null }),
  syncNow: () => invoke<void>('sync_now'),
  /** Sync by USB drive: the drives to offer, writing this device's bundle, reading the office's answer. */
  usbDrives: () => invoke<UsbDrive[]>('usb_drives'),
  usbExport: (path: string) => invoke<UsbOutcome>('usb_export', { path }),
  usbImport: (path: string) => invoke<UsbOutcome>('usb_import', { path }),
  /** Writes the document as an editable Word file in the documents folder; returns its path. */
  exportDocx: (id: string, language: Language, name: string, student: boolean) => invoke<string>('export_docx', { id, language, name, student }),
  /** Writes the document (or, with `at`, that version) as PDF in the documents folder, laid out by rounds-pdf. */
  exportPdf: (id: string, language: Language, name: string, student: boolean, at: string | null) =>
    invoke<PdfSaved>('export_pdf', { id, language, name, student, at }),
  /** Imports Word 教案 from files or folders; a dry run only says what would go where. */
  importDocx: (paths: string[], dryRun: boolean) => invoke<WordImport>('import_docx', { paths, dryRun }),
  templates: (kind: Kind) => invoke<Template[]>('templates', { kind }),
  /** A new document from `doc:ID` (a duplicate) or `sample:NAME`. */
  createFrom: (source: string, title: string) => invoke<DocView>('create_from', { source, title }),
  /** Writes the document as Markdown in the documents folder; returns its path. */
  exportMarkdown: (id: string, language: Language, name: string) => invoke<string>('export_markdown', { id, language, name }),
  /** Prints the page shown through the print dialog, offering `name`.pdf as the file name. */
  printPage: (name: string) => invoke<void>('print_page', { name }),
  /** Saves the page shown as a PDF named `name` in the documents folder; returns its path. */
  savePdf: (name: string) => invoke<string>('save_pdf', { name }),

  // Preparing together (集体备课): each action returns what the editor shows afterwards.
  collab: (id: string) => invoke<CollabView>('collab_view', { id }),
  refreshDirectory: (id: string) => invoke<CollabView>('refresh_directory', { id }),
  comment: (id: string, target: TargetInput, body: string, mentions: string[]) => invoke<CollabView>('comment', { id, target, body, mentions }),
  suggest: (id: string, target: TargetInput, proposed: string, body: string) => invoke<CollabView>('suggest', { id, target, proposed, body }),
  reply: (id: string, thread: string, body: string, mentions: string[]) => invoke<CollabView>('reply', { id, thread, body, mentions }),
  resolve: (id: string, thread: string, resolved: boolean) => invoke<CollabView>('resolve_thread', { id, thread, resolved }),
  /** Accepts or rejects one suggestion, or every undecided one when `thread` is null. */
  decide: (id: string, thread: string | null, accept: boolean) => invoke<CollabView>('decide_suggestion', { id, thread, accept }),
  setGroup: (id: string, group: GroupForm) => invoke<CollabView>('set_group', { id, group }),
  moveStage: (id: string, stage: string) => invoke<CollabView>('move_stage', { id, stage }),
  reviewDecision: (id: string, state: string, note: string) => invoke<CollabView>('review_decision', { id, state, note }),
  writeReview: (id: string, review: ReviewForm) => invoke<CollabView>('write_review', { id, review }),
  markBest: (id: string, name: string) => invoke<CollabView>('mark_best', { id, name }),
  reflect: (id: string, worked: string, change: string, difficulties: string) => invoke<CollabView>('reflect', { id, worked, change, difficulties }),
  /** This site's copy of a shared plan (二次备课). */
  adapt: (id: string) => invoke<DocView>('adapt_doc', { id }),
  takeUpstream: (id: string) => invoke<TakenUpstream>('take_upstream', { id }),
  /** Two versions (history change hash or number, best version name; '' for the current one) field by field. */
  compare: (id: string, from: string, to: string) => invoke<CompareView>('compare_versions', { id, from, to }),
  reviewRecord: (id: string, language: Language) => invoke<string>('review_record', { id, language }),
  inbox: (unread: boolean) => invoke<InboxEntry[]>('inbox', { unread }),
  inboxUnread: () => invoke<UnreadCount[]>('inbox_unread'),
  /** Marks items of `doc` read (all of it when `items` is empty), or everything when `doc` is null. */
  markRead: (doc: string | null, items: string[]) => invoke<number>('mark_read', { doc, items }),
};

export function onSyncStatus(f: (s: SyncStatus) => void): Promise<UnlistenFn> {
  return listen<SyncStatus>('sync-status', (e) => f(e.payload));
}

/** Reads an AppError out of whatever a command rejected with. */
export function asAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as AppError;
  return { code: 'internal', message: String(e), field: null };
}
