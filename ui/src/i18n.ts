// Every string the UI shows, in both languages. Keys are checked at compile
// time (`t` only accepts keys of the English catalog) and a test checks that
// the Chinese catalog has exactly the same keys and placeholders.

export type Lang = 'zh' | 'en';

const en = {
  app_name: 'Rounds',
  library: 'Library',
  new_lesson: 'New lesson plan',
  new_case: 'New case',
  untitled_lesson: 'Untitled lesson plan',
  untitled_case: 'Untitled case',
  search_placeholder: 'Search lesson plans and cases…',
  search_label: 'Search',
  filter_kind: 'Kind',
  filter_system: 'Organ system',
  filter_learners: 'Learners',
  filter_status: 'Status',
  filter_scope: 'Show',
  any: 'Any',
  scope_all: 'All',
  scope_mine: 'Mine',
  scope_shared: 'Shared with me',
  scope_trash: 'Trash',
  kind_lesson_plan: 'Lesson plan',
  kind_case: 'Case',
  empty_title: 'Your library is empty',
  empty_body: 'Start a lesson plan or a teaching case, or look around the sample library first: five lesson plans and six cases in Chinese and English.',
  load_samples: 'Open the sample library',
  samples_added: '{n} samples added',
  no_results: 'Nothing matches “{q}”.',
  no_docs_filter: 'No documents match these filters.',
  load_more: 'Show more',
  updated_at: 'Changed {time}',
  by_author: 'by {name}',
  visibility_private: 'Private',
  visibility_office: 'Shared with the office',
  back: 'Back to library',
  saved: 'Saved',
  saving: 'Saving…',
  unsaved: 'Unsaved changes',
  save_failed: 'Not saved: {reason}',
  retry: 'Retry',
  title_label: 'Title',
  tags_label: 'Tags (comma-separated)',
  add_row: 'Add a row',
  remove_row: 'Remove row',
  move_up: 'Move up',
  move_down: 'Move down',
  row_n: 'Row {n}',
  history: 'History',
  history_title: 'History of this document',
  close: 'Close',
  view_version: 'View',
  viewing_version: 'You are looking at this document as it was after change {n} ({time}). It cannot be edited.',
  back_to_current: 'Back to the current version',
  change_created: 'created',
  change_deleted: 'deleted',
  change_restored: 'restored',
  change_visibility: 'sharing',
  change_title: 'title',
  change_tags: 'tags',
  share: 'Share with office',
  shared: 'Shared',
  share_confirm: 'Colleagues in your office will be able to read and edit this document. Share it?',
  share_case_note: 'Check that the case contains no patient identifiers (names, ID numbers, phone numbers, addresses, exact dates) before sharing.',
  cancel: 'Cancel',
  confirm: 'Confirm',
  delete: 'Delete',
  deleted_note: 'This document is in the trash.',
  restore: 'Restore',
  print: 'Print',
  print_student: 'Print (student version)',
  print_teacher: 'Print (teacher version)',
  print_now: 'Print or save as PDF',
  read_only: 'Read-only: {reason}',
  sync_not_joined: 'Not connected to an office — your work stays on this computer',
  sync_idle: 'Synced {time}',
  sync_never: 'Connected to {office}',
  sync_pending: '{n} documents waiting to sync',
  sync_syncing: 'Syncing…',
  sync_offline: 'Offline — your work is safe here; retrying {time}',
  sync_error: 'Sync problem: {message}',
  sync_now: 'Sync now',
  join_office: 'Join an office',
  join_title: 'Join your teaching office',
  join_body: 'Enter the address of your office server and the one-time code your office gave you.',
  join_url: 'Office address',
  join_code: 'One-time code',
  join_device: 'Name of this computer',
  join_submit: 'Join',
  joining: 'Joining…',
  language: 'Language',
  your_name: 'Your name',
  name_prompt: 'The name written on your changes',
  shortcuts: 'Shortcuts: Ctrl+N new lesson plan, Ctrl+Shift+N new case, Ctrl+F search',
  error_generic: 'Something went wrong: {message}',
  loading: 'Loading…',
  just_now: 'just now',
  minutes_ago: '{n} min ago',
  in_seconds: 'in {n} s',
  lp_print_title: 'Lesson Plan',
  case_print_title: 'Teaching Case',
  student_version: 'Student version',
  teacher_version: 'Teacher version',
  prepared_by: 'Prepared by',
  not_filled: '—',
  err_number: 'Enter a number.',
  err_range: 'Enter a value from {min} to {max}.',
  err_date: 'Enter a date as YYYY-MM-DD.',
  err_length: 'Too long: at most {max} characters.',
} as const;

export type Key = keyof typeof en;
type Catalog = { readonly [K in Key]: string };

const zh: Catalog = {
  app_name: 'Rounds 教学查房',
  library: '资料库',
  new_lesson: '新建教案',
  new_case: '新建病例',
  untitled_lesson: '未命名教案',
  untitled_case: '未命名病例',
  search_placeholder: '搜索教案和病例…',
  search_label: '搜索',
  filter_kind: '类型',
  filter_system: '系统',
  filter_learners: '授课对象',
  filter_status: '状态',
  filter_scope: '范围',
  any: '全部',
  scope_all: '全部',
  scope_mine: '我的',
  scope_shared: '同事共享',
  scope_trash: '回收站',
  kind_lesson_plan: '教案',
  kind_case: '病例',
  empty_title: '资料库还是空的',
  empty_body: '新建一份教案或教学病例，或者先看看示例资料库：五份教案和六个病例，中英文都有。',
  load_samples: '打开示例资料库',
  samples_added: '已添加 {n} 份示例',
  no_results: '没有找到与“{q}”相关的内容。',
  no_docs_filter: '没有符合筛选条件的文档。',
  load_more: '显示更多',
  updated_at: '修改于 {time}',
  by_author: '{name}',
  visibility_private: '仅自己可见',
  visibility_office: '已共享到教研室',
  back: '返回资料库',
  saved: '已保存',
  saving: '正在保存…',
  unsaved: '有未保存的修改',
  save_failed: '未保存：{reason}',
  retry: '重试',
  title_label: '标题',
  tags_label: '标签（用逗号分隔）',
  add_row: '添加一行',
  remove_row: '删除此行',
  move_up: '上移',
  move_down: '下移',
  row_n: '第 {n} 行',
  history: '修改记录',
  history_title: '本文档的修改记录',
  close: '关闭',
  view_version: '查看',
  viewing_version: '正在查看第 {n} 次修改后的版本（{time}），此版本不可编辑。',
  back_to_current: '返回当前版本',
  change_created: '创建',
  change_deleted: '删除',
  change_restored: '恢复',
  change_visibility: '共享设置',
  change_title: '标题',
  change_tags: '标签',
  share: '共享到教研室',
  shared: '已共享',
  share_confirm: '共享后，教研室的同事可以查看和编辑本文档。确定共享吗？',
  share_case_note: '共享前请确认病例中没有患者身份信息（姓名、身份证号、电话、住址、具体日期等）。',
  cancel: '取消',
  confirm: '确定',
  delete: '删除',
  deleted_note: '本文档在回收站中。',
  restore: '恢复',
  print: '打印',
  print_student: '打印（学生版）',
  print_teacher: '打印（教师版）',
  print_now: '打印或另存为 PDF',
  read_only: '只读：{reason}',
  sync_not_joined: '未连接教研室——资料只保存在本机',
  sync_idle: '已同步 {time}',
  sync_never: '已连接 {office}',
  sync_pending: '{n} 份文档等待同步',
  sync_syncing: '正在同步…',
  sync_offline: '离线——资料已安全保存在本机，{time}重试',
  sync_error: '同步出错：{message}',
  sync_now: '立即同步',
  join_office: '加入教研室',
  join_title: '加入您的虚拟教研室',
  join_body: '请输入教研室服务器地址和教研室发给您的一次性邀请码。',
  join_url: '教研室地址',
  join_code: '一次性邀请码',
  join_device: '本机名称',
  join_submit: '加入',
  joining: '正在加入…',
  language: '语言',
  your_name: '您的姓名',
  name_prompt: '写在您的修改记录上的姓名',
  shortcuts: '快捷键：Ctrl+N 新建教案，Ctrl+Shift+N 新建病例，Ctrl+F 搜索',
  error_generic: '出错了：{message}',
  loading: '正在加载…',
  just_now: '刚刚',
  minutes_ago: '{n} 分钟前',
  in_seconds: '{n} 秒后',
  lp_print_title: '教　案',
  case_print_title: '教学病例',
  student_version: '学生版',
  teacher_version: '教师版',
  prepared_by: '主备人',
  not_filled: '—',
  err_number: '请输入数字。',
  err_range: '请输入 {min} 到 {max} 之间的数值。',
  err_date: '请按 YYYY-MM-DD 格式输入日期。',
  err_length: '太长了：最多 {max} 个字。',
};

export const catalogs: Record<Lang, Catalog> = { en, zh };

/** The language to start in: Chinese unless the system prefers English (or another language that is not Chinese). */
export function detectLang(languages: readonly string[]): Lang {
  for (const l of languages) {
    const low = l.toLowerCase();
    if (low.startsWith('zh')) return 'zh';
    if (low.startsWith('en')) return 'en';
  }
  return 'en';
}

/** The catalog string for `key`, with `{name}` placeholders filled. */
export function translate(lang: Lang, key: Key, params: Record<string, string | number> = {}): string {
  const s = catalogs[lang][key] ?? en[key];
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Placeholders used by a catalog string, for the completeness test. */
export function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

/** A label from the schema tables in the UI's language. */
export function pick(label: { zh: string; en: string }, lang: Lang): string {
  return label[lang];
}

/** Formats a time for the status bar and the library. */
export function formatTime(ms: number, lang: Lang, now: number = Date.now()): string {
  const diff = now - ms;
  if (diff >= 0 && diff < 60_000) return translate(lang, 'just_now');
  if (diff >= 0 && diff < 3_600_000) return translate(lang, 'minutes_ago', { n: Math.floor(diff / 60_000) });
  const d = new Date(ms);
  const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay
    ? d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
