import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type Key, type Lang } from './i18n';
import type { SchemaInfo } from './generated/SchemaInfo';

export interface Ctx {
  lang: Lang;
  schema: SchemaInfo;
  t: (key: Key, params?: Record<string, string | number>) => string;
}

export const AppCtx = createContext<Ctx>({
  lang: 'en',
  schema: { kinds: [], title_max: 200, tags_max: 50, status: [], organ_systems: [], learner_levels: [] },
  t: (key, params) => translate('en', key, params),
});

export const useApp = () => useContext(AppCtx);
