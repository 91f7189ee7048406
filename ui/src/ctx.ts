import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type Key, type Lang } from './i18n';
import type { SchemaInfo } from './generated/SchemaInfo';
import type { ErrorPlace } from './errors';
import { asAppError } from './api';

export interface Ctx {
  lang: Lang;
  schema: SchemaInfo;
  /** The English locale dates are shown and typed in (the system's, such as en-US). */
  locale: string;
  /** Whether this computer has joined an office (false until the sync status says so). */
  joined: boolean;
  t: (key: Key, params?: Record<string, string | number>) => string;
  /** The text for a failed command, in the UI's language (errors.ts). */
  explain: (e: unknown, place?: ErrorPlace) => string;
}

export const AppCtx = createContext<Ctx>({
  lang: 'en',
  schema: { kinds: [], title_max: 200, tags_max: 50, filters: [] },
  locale: 'en-GB',
  joined: false,
  t: (key, params) => translate('en', key, params),
  explain: (e) => asAppError(e).message,
});

export const useApp = () => useContext(AppCtx);
