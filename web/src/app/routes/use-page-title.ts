import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets the document title to a page's name and the app's. */
export function usePageTitle(key: string): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t(key)} · ${t('app.title')}`;
  }, [t, key]);
}
