/**
 * @module pages/federation-sign-in
 *
 * Sign-in with Apple, Google and other OpenID Connect providers, on the web: a button per
 * provider the server offers a web sign-in with, and the view the browser comes back to.
 *
 * Pressing a button binds the coming exchange code to this browser's DPoP key (the key already
 * lives in IndexedDB) and keeps the PKCE verifier in sessionStorage while the browser is away at
 * the provider: the verifier is worthless without the one-time code and this browser's key, and
 * it is removed as soon as the browser returns. Tokens never go to sessionStorage or localStorage.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { FederationProvider } from '@portcullis/protocol';
import { isMfaRequired, readFederationReturn, type AuthChallenge } from '@portcullis/sdk';
import { client, thisDevice } from '../client.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Loading, Notice, Page, Section } from '../ui/page.tsx';
import { codeWords, problemWords } from '../ui/problem.ts';
import { SecondStep } from './sign-in-second-step.tsx';

/** Where the server sends the browser back; allowed by default for the app the server serves. */
export const FEDERATION_RETURN_PATH = '/federation/return';
const VERIFIER_KEY = 'portcullis-federation-verifier';

/** Apple's guidelines name its button "Sign in with Apple"; the others read "Continue with …". */
function buttonWords(provider: FederationProvider): string {
  return provider.kind === 'apple' ? 'Sign in with Apple' : `Continue with ${provider.name}`;
}

/** A button per provider, in the server's order (Apple, Google, others); nothing when none is configured. */
export function FederationButtons(): JSX.Element | null {
  const [providers, setProviders] = useState<readonly FederationProvider[]>([]);
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const page = { left: false };
    client
      .listFederationProviders()
      .then((list) => {
        if (!page.left) setProviders(list.providers);
      })
      // Without the list the page still offers passkeys and passwords: nothing to report.
      .catch(() => undefined);
    return () => {
      page.left = true;
    };
  }, []);

  if (providers.length === 0) return null;

  const begin = async (provider: FederationProvider): Promise<void> => {
    setError(undefined);
    setLeaving(true);
    try {
      const start = await client.startFederation(provider.id, `${location.origin}${FEDERATION_RETURN_PATH}`, { bindToDeviceKey: true });
      sessionStorage.setItem(VERIFIER_KEY, start.codeVerifier);
      location.assign(start.url);
    } catch (failure) {
      setLeaving(false);
      setError(problemWords(failure));
    }
  };

  return (
    <Section title="Or use another account">
      <ul class="list">
        {providers.map((provider) => (
          <li key={provider.id}>
            <button type="button" class="button wide" disabled={leaving} onClick={() => void begin(provider)}>
              {buttonWords(provider)}
            </button>
          </li>
        ))}
      </ul>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </Section>
  );
}

/** `/federation/return`: redeems the exchange code for a session, or says what went wrong. */
export function FederationReturnPage(): JSX.Element {
  const { reload } = useSession();
  const [problem, setProblem] = useState<string | undefined>();
  const [challenge, setChallenge] = useState<AuthChallenge | undefined>();

  useEffect(() => {
    const result = readFederationReturn(location.href);
    const verifier = sessionStorage.getItem(VERIFIER_KEY);
    sessionStorage.removeItem(VERIFIER_KEY);
    // The code is single use; keep it out of the history and of a reload.
    history.replaceState(null, '', FEDERATION_RETURN_PATH);
    if (result === null) {
      setProblem('This page finishes a sign-in with another account, but nothing came back to finish. Start again.');
      return;
    }
    if ('error' in result) {
      setProblem(codeWords(result.error));
      return;
    }
    if (verifier === null) {
      setProblem('This sign-in was started in another tab or window, or took too long. Start again from this tab.');
      return;
    }
    client
      .redeemFederationCode(result.code, verifier, thisDevice)
      .then(async () => {
        await reload();
        navigate('/', { replace: true });
      })
      .catch((failure: unknown) => {
        if (isMfaRequired(failure)) setChallenge(failure.challenge);
        else setProblem(problemWords(failure));
      });
  }, [reload]);

  if (challenge) {
    return <SecondStep challenge={challenge} onRestart={() => navigate('/sign-in')} afterSignIn={() => navigate('/', { replace: true })} />;
  }
  if (!problem) {
    return (
      <Page title="Signing you in">
        <Loading what="your account" />
      </Page>
    );
  }
  return (
    <Page title="Sign-in not finished">
      <Notice kind="error">{problem}</Notice>
      <p>
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </Page>
  );
}
