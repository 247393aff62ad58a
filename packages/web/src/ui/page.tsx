/**
 * @module ui/page
 *
 * The frame every view shares: one `h1` that takes focus when the view opens (so screen-reader
 * and keyboard users start at the top of the new content), an optional lead paragraph, and the
 * view's sections. Consistent layout is a security feature here: people learn where the labels
 * that say who can see what always are.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** The first view of a page load keeps focus where the browser put it; later views take it. */
let firstView = true;

export function Page(props: {
  title: string;
  lead?: ComponentChildren;
  children?: ComponentChildren;
  actions?: ComponentChildren;
}): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Portcullis Clinic`;
    if (firstView) firstView = false;
    else heading.current?.focus();
  }, [props.title]);
  return (
    <div class="page">
      <div class="page-head">
        <h1 tabIndex={-1} ref={heading}>
          {props.title}
        </h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </div>
      {props.lead ? <p class="lead">{props.lead}</p> : null}
      {props.children}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }): JSX.Element {
  const id = props.id ?? `section-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A status line for screen readers and eyes: `polite` for results, `assertive` for errors. */
export function Notice(props: { kind: 'error' | 'success' | 'info' | 'warning'; children: ComponentChildren }): JSX.Element {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' || props.kind === 'warning' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Loading(props: { what: string }): JSX.Element {
  return (
    <p class="muted" role="status">
      Loading {props.what}…
    </p>
  );
}
