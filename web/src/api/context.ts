import { createContext, useContext } from 'react';

import { ApiClient } from './client';

/** The one ApiClient of the page, made in main.tsx (a test could hand in another). */
export const ApiContext = createContext<ApiClient | undefined>(undefined);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
