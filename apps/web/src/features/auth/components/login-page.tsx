import { useState, type FormEvent } from 'react';
import { Button, Form, InlineNotification, PasswordInput, TextInput } from '@carbon/react';
import { useLocation, useNavigate } from 'react-router';
import { useLogin } from '../api/login.ts';

/** Log in; afterwards the user lands where they were going. */
export function LoginPage() {
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const from = (location.state as { from?: string } | null)?.from ?? '/dashboard';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username, password }, { onSuccess: () => navigate(from, { replace: true }) });
  };

  return (
    <main className="kh-login">
      <h1>Log in to Keyhaven</h1>
      <Form onSubmit={submit} className="kh-stack" aria-label="Log in">
        <TextInput
          id="username"
          labelText="Username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
        <PasswordInput
          id="password"
          labelText="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {login.error && (
          <InlineNotification
            kind="error"
            lowContrast
            hideCloseButton
            title="Could not log in"
            subtitle={login.error.message}
            role="alert"
          />
        )}
        <Button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </Button>
      </Form>
    </main>
  );
}
