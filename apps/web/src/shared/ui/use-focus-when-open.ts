import { useEffect } from 'react';

/**
 * Moves the focus to the element with this id when a modal opens. Carbon leaves it on the page
 * behind, since a field cannot take focus until the modal's opening transition made it visible:
 * it is tried on each frame for up to a second.
 */
export function useFocusWhenOpen(open: boolean, id: string): void {
  useEffect(() => {
    if (!open) return;
    let frame = 0;
    const until = performance.now() + 1000;
    const focus = () => {
      const field = document.getElementById(id);
      field?.focus();
      if (document.activeElement !== field && performance.now() < until)
        frame = requestAnimationFrame(focus);
    };
    frame = requestAnimationFrame(focus);
    return () => cancelAnimationFrame(frame);
  }, [open, id]);
}
