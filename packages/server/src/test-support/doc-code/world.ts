/**
 * @module test-support/doc-code/world
 *
 * What the README's code calls that an app writes itself: its screens. A document's program
 * (see `program.ts`) imports these on its first line; in an app they would show a prompt, a QR
 * code or a list. Here they play the person at the keyboard: the code "emailed" to them comes
 * from the development outbox of the server under test (`GET /v1/dev/outbox`, over HTTPS with
 * the development certificate trusted through `NODE_EXTRA_CA_CERTS`, as the README says), and
 * their authenticator app is a real TOTP generator fed with the enrolment's key URI.
 *
 * Runs inside the document's own process; the test passes the server's URL in
 * `PORTCULLIS_DOCS_BASE_URL`.
 */
import { TOTP, URI } from 'otpauth';

const baseUrl = process.env['PORTCULLIS_DOCS_BASE_URL'];

let authenticatorApp: TOTP | undefined;

/** The app's QR-code screen: the person scans the key URI into their authenticator app. */
export function showQrCode(enrolment: { readonly otpauthUri: string }): void {
  const scanned = URI.parse(enrolment.otpauthUri);
  if (!(scanned instanceof TOTP)) throw new Error('showQrCode: the key URI is not a TOTP key');
  authenticatorApp = scanned;
}

interface OutboxMessage {
  readonly channel: 'email' | 'sms';
  readonly to: string;
  readonly text: string;
}

/** The newest one-time code in the development outbox's email. */
async function emailedCode(): Promise<string> {
  if (baseUrl === undefined) throw new Error('PORTCULLIS_DOCS_BASE_URL is not set');
  const response = await fetch(`${baseUrl}/v1/dev/outbox?limit=20`);
  if (!response.ok) throw new Error(`the development outbox answered ${response.status}`);
  const { messages } = (await response.json()) as { messages: OutboxMessage[] };
  for (const message of messages) {
    const code = message.channel === 'email' ? /\b(\d{6})\b/.exec(message.text)?.[1] : undefined;
    if (code !== undefined) return code;
  }
  throw new Error('no emailed code in the development outbox');
}

/**
 * The app's prompt. Answers questions about an emailed code and about the authenticator app;
 * any other question is a document asking for something this stand-in cannot know.
 */
export async function askUser(question: string): Promise<string> {
  if (/authenticator/i.test(question)) {
    if (authenticatorApp === undefined) throw new Error(`askUser("${question}"): no authenticator app was set up (showQrCode)`);
    return authenticatorApp.generate();
  }
  if (/email/i.test(question)) return emailedCode();
  throw new Error(`askUser("${question}"): no scripted answer to this question`);
}
