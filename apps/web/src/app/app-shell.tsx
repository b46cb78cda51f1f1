import { useEffect, useState, type ReactNode } from 'react';
import {
  Header,
  HeaderGlobalAction,
  HeaderGlobalBar,
  HeaderMenuButton,
  HeaderName,
  SideNav,
  SideNavItems,
  SideNavLink,
  SkipToContent,
  Theme,
} from '@carbon/react';
import { Asleep, Light, Logout } from '@carbon/icons-react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { useLogout } from '../features/auth/api/logout.ts';
import { ToastProvider } from '../shared/ui/toasts.tsx';
// The console's styles come with the shell, after login: the login page does not load them.
import '../console.scss';

type ThemeName = 'white' | 'g100';
const THEME_KEY = 'keyhaven.theme';

function initialTheme(): ThemeName {
  return localStorage.getItem(THEME_KEY) === 'g100' ? 'g100' : 'white';
}

/** Carbon shows the side navigation itself from its lg breakpoint (66rem) up. */
const WIDE = '(min-width: 66rem)';

function useWideScreen(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  useEffect(() => {
    const query = window.matchMedia(WIDE);
    const follow = () => setWide(query.matches);
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, []);
  return wide;
}

/** The Carbon UI shell: header with product name, side navigation, theme switch, logout. */
export function AppShell({ children, username }: { children: ReactNode; username: string }) {
  const [theme, setTheme] = useState<ThemeName>(initialTheme);
  const [navOpen, setNavOpen] = useState(false);
  // Where the navigation is always shown, its links are in the tab order (Carbon would leave them
  // at tabindex -1 unless the menu is expanded, which keyboard users could not reach there).
  const wide = useWideScreen();
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const toggleTheme = () => {
    const next = theme === 'white' ? 'g100' : 'white';
    localStorage.setItem(THEME_KEY, next);
    setTheme(next);
  };
  const navItem = (to: string, label: string) => (
    <SideNavLink
      as={NavLink}
      to={to}
      isActive={location.pathname.startsWith(to)}
      tabIndex={wide || navOpen ? 0 : -1}
    >
      {label}
    </SideNavLink>
  );
  return (
    <Theme theme={theme}>
      <Header aria-label="Keyhaven">
        <SkipToContent />
        <HeaderMenuButton
          aria-label={navOpen ? 'Close menu' : 'Open menu'}
          onClick={() => setNavOpen(!navOpen)}
          isActive={navOpen}
          aria-expanded={navOpen}
        />
        <HeaderName as={Link} to="/dashboard" prefix="">
          Keyhaven
        </HeaderName>
        <HeaderGlobalBar>
          {/* Who is logged in, in view (issue 30: nothing said it). */}
          <span className="kh-header-user">
            <span className="cds--visually-hidden">Logged in as </span>
            {username}
          </span>
          <HeaderGlobalAction
            aria-label={theme === 'white' ? 'Switch to dark theme' : 'Switch to light theme'}
            onClick={toggleTheme}
            tooltipAlignment="end"
          >
            {theme === 'white' ? <Asleep size={20} /> : <Light size={20} />}
          </HeaderGlobalAction>
          <HeaderGlobalAction
            aria-label={`Log out ${username}`}
            tooltipAlignment="end"
            onClick={() =>
              logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })
            }
          >
            <Logout size={20} />
          </HeaderGlobalAction>
        </HeaderGlobalBar>
        <SideNav
          aria-label="Side navigation"
          expanded={navOpen}
          isPersistent
          onSideNavBlur={() => setNavOpen(false)}
          href="#main-content"
        >
          <SideNavItems>
            {navItem('/dashboard', 'Dashboard')}
            {navItem('/clusters', 'Kubernetes clusters')}
            {navItem('/kms', 'Key management')}
            {navItem('/authorizations', 'Authorizations')}
            {navItem('/access', 'Access')}
            {navItem('/audit', 'Audit log')}
          </SideNavItems>
        </SideNav>
      </Header>
      <main id="main-content" className="kh-content kh-content--with-nav">
        <ToastProvider>{children}</ToastProvider>
      </main>
    </Theme>
  );
}
