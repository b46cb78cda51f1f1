import { LoginPage } from '../../features/auth/components/LoginPage.tsx';

export function LoginRoute() {
  return <LoginPage />;
}
