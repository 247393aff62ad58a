/**
 * @module pages/privacy/privacy-page
 *
 * Privacy, for every signed-in person: my profile with who can see each field, a preview of what
 * the public and the care team receive, export of everything held about me, and deleting my account.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getMyProfile } from '@portcullis/sdk';
import type { ErasureReceipt, OwnProfile } from '@portcullis/protocol';
import { client } from '../../client.ts';
import { useSession } from '../../session.tsx';
import { Loading, Notice, Page } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { DeleteSection, Erased } from './delete-section.tsx';
import { ExportSection } from './export-section.tsx';
import { PreviewSection } from './preview-section.tsx';
import { ProfileSection } from './profile-section.tsx';

export function PrivacyPage(): JSX.Element {
  const { current } = useSession();
  const [profile, setProfile] = useState<OwnProfile | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [receipt, setReceipt] = useState<ErasureReceipt | undefined>();
  useEffect(() => {
    getMyProfile(client).then(setProfile, (error: unknown) => setFailure(problemWords(error)));
  }, []);
  if (receipt) {
    return (
      <Page title="Privacy">
        <Erased receipt={receipt} />
      </Page>
    );
  }
  return (
    <Page title="Privacy" lead="Your profile and who can see each field, a copy of your data, and deleting your account.">
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {profile ? (
        <>
          <ProfileSection profile={profile} onSaved={setProfile} />
          <PreviewSection key={profile.updatedAt ?? 'new'} profile={profile} />
        </>
      ) : failure ? null : (
        <Loading what="your profile" />
      )}
      <ExportSection />
      <DeleteSection email={current?.account.email ?? ''} onErased={setReceipt} />
    </Page>
  );
}
