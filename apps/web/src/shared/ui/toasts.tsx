import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { ToastNotification } from '@carbon/react';

export interface Toast {
  kind: 'success' | 'info' | 'warning' | 'error';
  title: string;
  subtitle?: string;
  /**
   * What the toast is about ("kms:c-dev-us-east"): a newer toast on the same topic replaces it,
   * so that "update started" never stays up beside "update finished".
   */
  topic?: string;
}

const ToastContext = createContext<(toast: Toast) => void>(() => undefined);

/** Confirms what just happened: Carbon toasts in the top right, gone after 8 s or on close. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<(Toast & { id: number })[]>([]);
  const show = useCallback((toast: Toast) => {
    setToasts((list) => [
      ...list.filter((t) => !toast.topic || t.topic !== toast.topic).slice(-2),
      { ...toast, id: Date.now() + Math.random() },
    ]);
  }, []);
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="kh-toasts" aria-live="polite">
        {toasts.map((t) => (
          <ToastNotification
            key={t.id}
            kind={t.kind}
            lowContrast
            title={t.title}
            subtitle={t.subtitle}
            timeout={8000}
            onClose={() => dismiss(t.id)}
          />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);
