import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import type { KmsInstance } from '@keyhaven/contracts';

const REMEMBERED_INSTANCE = 'keyhaven.kms.instance';

/** The instance chosen last here (storage may be off: then none). */
function rememberedInstance(): string | null {
  try {
    return localStorage.getItem(REMEMBERED_INSTANCE);
  } catch {
    return null;
  }
}

function rememberInstance(id: string) {
  try {
    localStorage.setItem(REMEMBERED_INSTANCE, id);
  } catch {
    // Not remembered: the page opens on the first instance next time.
  }
}

/**
 * The instance Key management shows: the one in the address (?instance=, so a link or a reload
 * opens it), else the one chosen last in this browser, else the first. The address always names
 * the instance shown.
 */
export function useChosenInstance(instances: KmsInstance[] | undefined) {
  const [search, setSearch] = useSearchParams();
  const wanted = search.get('instance') ?? rememberedInstance();
  const instance = instances?.find((i) => i.id === wanted) ?? instances?.[0] ?? null;
  useEffect(() => {
    if (!instance) return;
    rememberInstance(instance.id);
    if (search.get('instance') !== instance.id)
      setSearch({ instance: instance.id }, { replace: true });
  }, [instance, search, setSearch]);
  const choose = (id: string | undefined) =>
    setSearch(id ? { instance: id } : {}, { replace: true });
  return { instance, choose };
}
