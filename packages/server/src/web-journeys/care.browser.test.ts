/**
 * The care journeys in Chromium against the seeded demo on a real server: a patient reads their
 * labelled file, removes and gives a clinician access, and talks with the clinician end to end
 * encrypted (both browsers are MLS devices; the server relays ciphertext); the clinician opens
 * the patient's file, adds an entry and replies; both compare the same safety number. Names,
 * notes and messages that hold markup render as text. One journey runs on PostgreSQL too.
 *
 * ASVS V3.2.2 (untrusted text rendered as text, never as HTML), V8.2.2 (a clinician reaches a
 * file only through the patient's grant), V8.1.1 (each field labelled with who can see it).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import {
  expectSoundPage,
  expectView,
  mailCount,
  newMail,
  openClinic,
  openFromNavigation,
  personIn,
  registerFirstPasskey,
  signInWithPassword,
  type Clinic,
  type Person,
} from '../test-support/clinic-app.ts';
import { codeIn } from '../test-support/dpop-client.ts';
import { findMarkers } from '../test-support/plaintext-scan.ts';
import type { TestDialect } from '../test-support/databases.ts';
import { testDatabases } from '../test-support/databases.ts';

/** Every file under `directory`, as the bytes someone copying it would hold. */
async function filesUnder(directory: string): Promise<{ where: string; bytes: Buffer }[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const where = path.join(entry.parentPath, entry.name);
        return { where, bytes: await readFile(where) };
      }),
  );
}

/** Markup a hostile person would type; it must come back as the same characters, inert. */
const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>'] as const;

/** Fails on any alert() the payloads could trigger, and on any element they could have created. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.locator('img[src="x"], script:not([src])').count()).toBe(0);
}

async function openMessages(person: Person): Promise<void> {
  await openFromNavigation(person.page, 'Messages', 'Messages');
  // The first visit makes this browser a messaging device (MLS keys, key packages): allow for it.
  await person.page.getByRole('heading', { name: 'Conversations', level: 2 }).waitFor({ timeout: 30_000 });
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

async function messagesShown(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Messages, oldest first' }).getByRole('listitem').allTextContents();
}

const dialects: TestDialect[] = ['sqlite', ...(testDatabases().some((d) => d.dialect === 'postgres') ? (['postgres'] as const) : [])];

describe.runIf(chromiumAvailable('the clinic app care journeys'))('clinic app: patient and clinician (Chromium, SQLite)', () => {
  let clinic: Clinic;
  let browser: Browser;
  let patient: Person;
  let clinician: Person;
  const dialogs: string[] = [];
  beforeAll(async () => {
    clinic = await openClinic('sqlite');
    browser = await launchChromium();
    patient = await personIn(browser, clinic);
    clinician = await personIn(browser, clinic);
    for (const person of [patient, clinician])
      person.page.on('dialog', (dialog) => void dialog.dismiss().then(() => dialogs.push(dialog.message())));
    await signInWithPassword(clinic, patient.page, clinic.account('patient'));
    await expectView(patient.page, 'Home');
    await signInWithPassword(clinic, clinician.page, clinic.account('clinician'));
    await registerFirstPasskey(clinician.page);
  }, 180_000);
  afterAll(async () => {
    await browser.close();
    await clinic.close();
  });

  it('V8.1.1: the patient’s file shows every entry with who can see it, at 1,280 and 360 px', async () => {
    const { page } = patient;
    await openFromNavigation(page, 'My file', 'My file');
    await page.getByText('Penicillin (rash).').waitFor();
    expect(await page.getByText('Care team · health').count()).toBeGreaterThan(0);
    await expectSoundPage(patient, 'my file');
    await page.setViewportSize({ width: 360, height: 780 });
    await expectSoundPage(patient, 'my file at 360 px');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('V8.2.2: removing a clinician’s access hides the file from them; giving it back shows it again', async () => {
    const { page } = patient;
    const second = clinic.account('clinician', 1);
    const tomas = await personIn(browser, clinic);
    await signInWithPassword(clinic, tomas.page, second);
    await registerFirstPasskey(tomas.page);
    await openFromNavigation(tomas.page, 'My patients', 'My patients');
    await tomas.page.getByRole('link', { name: /Alex Morgan/ }).waitFor();

    await openFromNavigation(page, 'Who can see my file', 'Who can see my file');
    await expectSoundPage(patient, 'sharing');
    const granted = page.getByRole('list', { name: 'Clinicians with access' }).getByRole('listitem').filter({ hasText: 'Tomás Rivera' });
    await granted.getByRole('button', { name: /Remove access/ }).click();
    await page.getByText('can no longer see your file').waitFor();
    await tomas.page.reload();
    await expectView(tomas.page, 'My patients');
    await expect.poll(() => tomas.page.getByRole('link', { name: /Alex Morgan/ }).count()).toBe(0);

    await page.getByLabel('Clinician’s email address').fill(second.email);
    await page.getByLabel('Read my file', { exact: true }).check();
    await page.getByRole('button', { name: 'Give access' }).click();
    await page.getByText('Access given.').waitFor();
    await tomas.page.reload();
    await tomas.page.getByRole('link', { name: /Alex Morgan/ }).waitFor();
    await tomas.context.close();
  });

  it('V3.2.2: a clinician’s entry holding markup shows as text in the patient’s file', async () => {
    const { page } = clinician;
    await openFromNavigation(page, 'My patients', 'My patients');
    await expectSoundPage(clinician, 'my patients');
    await page.getByRole('link', { name: /Alex Morgan/ }).click();
    await expectView(page, 'File of Alex Morgan');
    await expectSoundPage(clinician, 'patient file');
    const note = `Follow-up ${PAYLOADS.join(' ')}`;
    await page.getByLabel('Text of the entry').fill(note);
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.getByText('Entry added to the file.').waitFor();

    await patient.page.reload();
    await expectView(patient.page, 'Who can see my file');
    await openFromNavigation(patient.page, 'My file', 'My file');
    await patient.page.getByText(note, { exact: true }).waitFor();
    await expectInert(patient.page);
    await expectInert(page);
  });

  it('V3.2.2: patient and clinician message each other end to end encrypted, markup stays text, and both see one safety number', async () => {
    await openMessages(clinician);
    await openMessages(patient);
    await expectSoundPage(patient, 'messages');
    const { page } = patient;
    await page.getByLabel('Clinician', { exact: true }).selectOption({ label: 'Dr Priya Shah' });
    await page.getByRole('button', { name: 'Start conversation' }).click();
    await page.getByRole('heading', { name: 'Conversation with Dr Priya Shah' }).waitFor({ timeout: 30_000 });
    const hello = `Hello doctor ${PAYLOADS[0]}`;
    await sendMessage(page, hello);
    await expect.poll(async () => (await messagesShown(page)).join('\n'), { timeout: 15_000 }).toContain(hello);

    // The clinician's browser receives it live (or on opening the conversation).
    const doctor = clinician.page;
    await doctor.getByRole('button', { name: /Open/ }).first().click({ timeout: 30_000 });
    await expect.poll(async () => (await messagesShown(doctor)).join('\n'), { timeout: 30_000 }).toContain(hello);
    const reply = `Hello Alex ${PAYLOADS[1]}`;
    await sendMessage(doctor, reply);
    await expect.poll(async () => (await messagesShown(page)).join('\n'), { timeout: 30_000 }).toContain(reply);
    await expectInert(page);
    await expectInert(doctor);
    await expectSoundPage(patient, 'conversation');
    await expectSoundPage(clinician, 'conversation (clinician)');

    // The server holds ciphertext only: neither message is anywhere in its data directory
    // (database, write-ahead log, keys), in any encoding.
    expect(findMarkers(await filesUnder(clinic.demo.dataDir), ['Hello doctor', 'Hello Alex'])).toEqual([]);

    const numberOn = async (who: Page, with_: string): Promise<string> => {
      await who.getByRole('button', { name: `Safety number with ${with_}` }).click();
      const list = who.getByRole('list', { name: new RegExp(`^Safety number with ${with_}`) });
      const shown = async (): Promise<string> => (await list.getByRole('listitem').allTextContents()).join(' ');
      // The view may render again as live delivery updates the conversation: read it once settled.
      await expect.poll(shown, { timeout: 15_000 }).toMatch(/^(\d{5} ){11}\d{5}$/);
      return shown();
    };
    const patientSees = await numberOn(page, 'Dr Priya Shah');
    const clinicianSees = await numberOn(doctor, 'Alex Morgan');
    expect(patientSees).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(clinicianSees).toBe(patientSees);
    await expectSoundPage(patient, 'safety number');
    expect(dialogs).toEqual([]);
  });
});

describe.runIf(chromiumAvailable('the clinic app keyboard journey') && dialects.length > 0)('clinic app: keyboard only', () => {
  describe.each(dialects.slice(-1))('on %s', (dialect) => {
    let clinic: Clinic;
    let browser: Browser;
    beforeAll(async () => {
      clinic = await openClinic(dialect);
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser.close();
      await clinic.close();
    });

    /** Presses Tab until the focused element's accessible name matches, as a keyboard user would. */
    async function tabTo(page: Page, name: RegExp): Promise<void> {
      for (let presses = 0; presses < 80; presses += 1) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate<string>(
          `(() => { const el = document.activeElement; if (!el) return ''; const label = el.labels && el.labels[0]; return (el.getAttribute('aria-label') || (label && label.textContent) || el.textContent || '').trim(); })()`,
        );
        if (name.test(focused)) return;
      }
      throw new Error(`no focusable element named ${String(name)} within 80 presses of Tab`);
    }

    it('a patient signs in, gives a clinician access and sends a message using the keyboard alone', async () => {
      const person = await personIn(browser, clinic);
      const { page } = person;
      const account = clinic.account('patient', 1);
      const mailsBefore = await mailCount(clinic, account.email);
      await tabTo(page, /^Email$/);
      await page.keyboard.type(account.email);
      await tabTo(page, /^Password$/);
      await page.keyboard.type(account.password);
      await page.keyboard.press('Enter');
      const confirm = page.getByRole('heading', { level: 1, name: 'Confirm this device' });
      await confirm.waitFor();
      await tabTo(page, /^Code$/);
      await page.keyboard.type(codeIn(await newMail(clinic.demo.server.app, account.email, mailsBefore)));
      await page.keyboard.press('Enter');
      await expectView(page, 'Home');

      await tabTo(page, /^Who can see my file$/);
      await page.keyboard.press('Enter');
      await expectView(page, 'Who can see my file');
      // Remove, then give back, the second clinician's access.
      await tabTo(page, /^Remove access/);
      await page.keyboard.press('Enter');
      await page.getByText('can no longer see your file').waitFor();
      await tabTo(page, /^Clinician’s email address$/);
      await page.keyboard.type(clinic.account('clinician', 1).email);
      await tabTo(page, /^Give access$/);
      await page.keyboard.press('Enter');
      await page.getByText('Access given.').waitFor();

      // Both of the patient's clinicians open Messages once (with a mouse), so either can be written to.
      const clinicians: Person[] = [];
      for (const index of [0, 1]) {
        const clinicianPerson = await personIn(browser, clinic);
        await signInWithPassword(clinic, clinicianPerson.page, clinic.account('clinician', index));
        await registerFirstPasskey(clinicianPerson.page);
        await openMessages(clinicianPerson);
        clinicians.push(clinicianPerson);
      }

      await tabTo(page, /^Messages$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Conversations', level: 2 }).waitFor({ timeout: 30_000 });
      await tabTo(page, /^Start conversation$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: /^Conversation with / }).waitFor({ timeout: 30_000 });
      await tabTo(page, /^Message$/);
      await page.keyboard.type('Sent with the keyboard alone');
      await tabTo(page, /^Send$/);
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await messagesShown(page)).join('\n'), { timeout: 15_000 }).toContain('Sent with the keyboard alone');
      await expectSoundPage(person, 'messages, keyboard journey');
      for (const other of clinicians) await other.context.close();
      await person.context.close();
    });
  });
});
