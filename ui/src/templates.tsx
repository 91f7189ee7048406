// Starting a document from a template: the samples of the kind and the
// documents the office approved, each copied into a new private draft.

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { useApp } from './ctx';
import { pick } from './i18n';
import type { Kind } from './generated/Kind';
import type { Template } from './generated/Template';

export function TemplateDialog(props: { close: () => void; opened: (id: string) => void }) {
  const { t, lang, schema, explain } = useApp();
  const [kind, setKind] = useState<Kind>(schema.kinds[0].kind);
  const [list, setList] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setList(null);
    api.templates(kind).then(setList, (e) => setError(explain(e)));
  }, [kind]);
  const use = async (tpl: Template) => {
    try {
      const v = await api.createFrom(tpl.source, tpl.title);
      props.opened(v.summary.id);
      props.close();
    } catch (e) {
      setError(explain(e));
    }
  };
  const group = (origin: Template['origin'], title: string) => {
    const items = (list ?? []).filter((x) => x.origin === origin);
    if (!items.length) return null;
    return (
      <>
        <h3>{title}</h3>
        <ul class="templates">
          {items.map((x) => (
            <li>
              <span>{x.title}</span>
              <button class="use-template" data-source={x.source} onClick={() => void use(x)}>{t('template_use')}</button>
            </li>
          ))}
        </ul>
      </>
    );
  };
  return (
    <div class="dialog-backdrop" onClick={props.close}>
      <div class="dialog template-dialog" role="dialog" aria-modal="true" aria-labelledby="template-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="template-title">{t('template_title')}</h2>
        <p class="muted">{t('template_body')}</p>
        <div class="scopes" role="radiogroup">
          {schema.kinds.map((k) => (
            <button role="radio" aria-checked={kind === k.kind} class={kind === k.kind ? 'on' : ''} onClick={() => setKind(k.kind)}>
              {pick(k.label, lang)}
            </button>
          ))}
        </div>
        {list && list.length === 0 && <p class="muted">{t('template_none')}</p>}
        {group('approved', t('template_approved'))}
        {group('sample', t('template_samples'))}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="actions">
          <button onClick={props.close}>{t('close')}</button>
        </div>
      </div>
    </div>
  );
}
