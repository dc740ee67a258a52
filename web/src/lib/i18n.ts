import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from '../locales/en';
import { zhCN } from '../locales/zh-CN';

/** The languages the app speaks; Chinese when the browser prefers any Chinese, else English. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Where the chosen language is kept across visits. */
export const LANGUAGE_STORAGE_KEY = 'lang';

/** Maps any detected tag onto a supported language. */
export function toSupportedLanguage(tag: string | undefined): Language {
  return tag !== undefined && tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    supportedLngs: [...LANGUAGES],
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
      convertDetectedLanguage: (lng: string) => toSupportedLanguage(lng),
    },
    returnNull: false,
  });

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export default i18n;
