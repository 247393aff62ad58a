/**
 * @module pages/privacy/export-section
 *
 * "Export my data": everything the clinic holds about the person, as one JSON document (after a
 * step-up). It is offered as a file to save — a `blob:` link with `download`, which is a download
 * rather than a fetch, so the page's CSP does not stand in its way — and also shown as text with
 * a copy button, for browsers that block downloads.
 */
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { exportMyData } from '@portcullis/sdk';
import { client } from '../../client.ts';
import { CopyButton } from '../../ui/account-copy.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';

export function ExportSection(): JSX.Element {
  const prompt = useStepUp();
  const [json, setJson] = useState<string | undefined>();
  return (
    <Section title="Export my data">
      <p>
        Get a copy of everything the clinic holds about you: your account, profile, file, who can see it, your sign-in methods and sessions
        (never their secrets), and the audit entries about you. It comes as one JSON file.
      </p>
      <ActionButton
        label="Export my data"
        kind="primary"
        action={async () => {
          setJson(JSON.stringify(await exportMyData(client, prompt), null, 2));
          return 'Your data is ready below.';
        }}
      />
      {json ? <ExportResult json={json} /> : null}
    </Section>
  );
}

function ExportResult(props: { json: string }): JSX.Element {
  const url = useMemo(() => URL.createObjectURL(new Blob([props.json], { type: 'application/json' })), [props.json]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const name = `my-clinic-data-${new Date().toISOString().slice(0, 10)}.json`;
  return (
    <div class="export">
      <p>
        <a class="button primary" href={url} download={name}>
          Download my data (JSON)
        </a>
      </p>
      <p class="hint">It holds personal data: keep it somewhere only you can open.</p>
      <details>
        <summary>Show my data here</summary>
        <pre class="json-view" tabIndex={0} role="region" aria-label="My data as JSON">
          {props.json}
        </pre>
        <CopyButton label="Copy my data" text={props.json} />
      </details>
    </div>
  );
}
