import { lazy, Suspense, type ReactNode } from 'react';
import { Loading } from '@carbon/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../features/auth/api/get-session.ts';
import { ApiRequestError } from '../shared/api/client.ts';
import { ErrorState } from '../shared/ui/error-state.tsx';

/** The UI shell and the console's styles, loaded after login (the login page stays small). */
const AppShell = lazy(() => import('./app-shell.tsx').then((m) => ({ default: m.AppShell })));
const LoginRoute = lazy(() =>
  import('./routes/login.tsx').then((m) => ({ default: m.LoginRoute })),
);
const ClusterRoute = lazy(() =>
  import('./routes/cluster.tsx').then((m) => ({ default: m.ClusterRoute })),
);
const KmsRoute = lazy(() => import('./routes/kms.tsx').then((m) => ({ default: m.KmsRoute })));
const RootKeyRoute = lazy(() =>
  import('./routes/root-key.tsx').then((m) => ({ default: m.RootKeyRoute })),
);
const AuthorizationsRoute = lazy(() =>
  import('./routes/authorizations.tsx').then((m) => ({ default: m.AuthorizationsRoute })),
);
const AccessRoute = lazy(() =>
  import('./routes/access.tsx').then((m) => ({ default: m.AccessRoute })),
);
const DashboardRoute = lazy(() =>
  import('./routes/dashboard.tsx').then((m) => ({ default: m.DashboardRoute })),
);
const AuditRoute = lazy(() =>
  import('./routes/audit.tsx').then((m) => ({ default: m.AuditRoute })),
);
const ClustersRoute = lazy(() =>
  import('./routes/clusters.tsx').then((m) => ({ default: m.ClustersRoute })),
);

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          !(error instanceof ApiRequestError && error.status >= 400 && error.status < 500) &&
          failures < 2,
        refetchOnWindowFocus: true,
        // A screen that could not load tries again by itself, so it recovers when the engine
        // (or the network) is back without the user reloading.
        refetchInterval: (query) => (query.state.status === 'error' ? 5_000 : false),
      },
    },
  });
}

const spinner = <Loading withOverlay={false} description="Loading" />;

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return spinner;
  // The session could not be checked (the engine or the network is down): say so, not "log in".
  if (session.isError)
    return (
      <main className="kh-content">
        <ErrorState
          title="The console cannot check your session"
          error={session.error}
          onRetry={() => void session.refetch()}
        />
      </main>
    );
  if (!session.data)
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <AppShell username={session.data.user.username}>{children}</AppShell>;
}

/** An address the console does not have: said, with the way back, instead of a silent redirect. */
function NotFound() {
  const location = useLocation();
  return (
    <>
      <h1 className="kh-page-title">Page not found</h1>
      <p>
        The console has no page at <code>{location.pathname}</code>.{' '}
        <Link to="/dashboard">Go to the dashboard</Link>.
      </p>
    </>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={spinner}>
      <Routes>
        <Route path="/login" element={<LoginRoute />} />
        <Route
          path="/clusters"
          element={
            <RequireSession>
              <ClustersRoute />
            </RequireSession>
          }
        />
        <Route
          path="/clusters/:id"
          element={
            <RequireSession>
              <ClusterRoute />
            </RequireSession>
          }
        />
        <Route
          path="/kms"
          element={
            <RequireSession>
              <KmsRoute />
            </RequireSession>
          }
        />
        <Route
          path="/kms/:instance/keys/:id"
          element={
            <RequireSession>
              <RootKeyRoute />
            </RequireSession>
          }
        />
        <Route
          path="/authorizations"
          element={
            <RequireSession>
              <AuthorizationsRoute />
            </RequireSession>
          }
        />
        <Route
          path="/access"
          element={
            <RequireSession>
              <AccessRoute />
            </RequireSession>
          }
        />
        <Route
          path="/audit"
          element={
            <RequireSession>
              <AuditRoute />
            </RequireSession>
          }
        />
        <Route
          path="/dashboard"
          element={
            <RequireSession>
              <DashboardRoute />
            </RequireSession>
          }
        />
        <Route path="/" element={<Navigate to="/dashboard" replace />} />
        <Route
          path="*"
          element={
            <RequireSession>
              <NotFound />
            </RequireSession>
          }
        />
      </Routes>
    </Suspense>
  );
}

export function App({ queryClient = createQueryClient() }: { queryClient?: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
