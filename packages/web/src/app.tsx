/**
 * @module app
 *
 * The app shell: a skip link, the header with the navigation for the signed-in person's roles,
 * and the view for the current path. Signed out, only the sign-in, sign-up, email
 * confirmation and provider-return views exist; a restricted session sees only its enrolment.
 */
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { client } from './client.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { linksFor } from './navigation.ts';
import { routeFor, visibleTo } from './routes.tsx';
import { rolesOf, SessionProvider, useSession, type SignedIn } from './session.tsx';
import { ConfirmEmailPage, SignUpPage } from './pages/sign-up.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { FEDERATION_RETURN_PATH, FederationReturnPage } from './pages/federation-sign-in.tsx';
import { EnrolPage } from './pages/enrol.tsx';
import { Loading, Page } from './ui/page.tsx';
import { StepUpProvider } from './ui/step-up.tsx';

export function App(): JSX.Element {
  return (
    <SessionProvider>
      <StepUpProvider>
        <Shell />
      </StepUpProvider>
    </SessionProvider>
  );
}

function Shell(): JSX.Element {
  const { current } = useSession();
  const { path } = useLocation();
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <div class="brand">
          <img src="/assets/icon.svg" alt="" width="28" height="28" class="brand-mark" /> Portcullis Clinic
        </div>
        {current && !current.session.restriction ? <Navigation signedIn={current} path={path} /> : null}
      </header>
      <main id="main" class="app-main">
        {current === undefined ? <Loading what="your session" /> : <View signedIn={current} path={path} />}
      </main>
      <footer class="app-footer">
        <p>
          Portcullis reference app. Every request is signed by a key that never leaves this browser. <a href="/docs">API reference</a>
        </p>
      </footer>
    </>
  );
}

function Navigation(props: { signedIn: SignedIn; path: string }): JSX.Element {
  const { reload } = useSession();
  const roles = rolesOf(props.signedIn.account);
  const links = linksFor(roles);
  return (
    <nav aria-label="Main">
      <ul class="nav">
        {links.map((link) => (
          <li key={link.href}>
            <Link href={link.href} current={link.href === props.path}>
              {link.label}
            </Link>
          </li>
        ))}
        <li>
          <button
            type="button"
            class="button plain"
            onClick={() => {
              void client
                .signOut()
                .catch(() => undefined)
                .then(reload)
                .then(() => {
                  navigate('/sign-in');
                });
            }}
          >
            Sign out
          </button>
        </li>
      </ul>
      <p class="signed-in-as">
        Signed in as <strong>{props.signedIn.account.email}</strong> ({roles.join(', ') || 'no role'})
      </p>
    </nav>
  );
}

/** Paths of the signed-out views; someone signed in there belongs on their home page. */
const SIGNED_OUT_PATHS = new Set(['/sign-in', '/sign-up', '/confirm-email']);

function SignedInAlready(): JSX.Element {
  useEffect(() => {
    navigate('/', { replace: true });
  }, []);
  return <Loading what="your home page" />;
}

function View(props: { signedIn: SignedIn | null; path: string }): JSX.Element {
  const { signedIn, path } = props;
  if (!signedIn) {
    if (path === '/sign-up') return <SignUpPage />;
    if (path === '/confirm-email') return <ConfirmEmailPage />;
    if (path === FEDERATION_RETURN_PATH) return <FederationReturnPage />;
    return <SignInPage />;
  }
  if (signedIn.session.restriction) return <EnrolPage session={signedIn.session} />;
  if (SIGNED_OUT_PATHS.has(path)) return <SignedInAlready />;
  const found = routeFor(path);
  if (!found || !visibleTo(found.route, rolesOf(signedIn.account))) {
    return (
      <Page title="Not here" lead="This page does not exist, or your role does not use it.">
        <p>
          <Link href="/">Go to your home page</Link>
        </p>
      </Page>
    );
  }
  const Route = found.route.view;
  return <Route params={found.params} />;
}
