import type { PageLoad } from './$types';
import { createPurserClient } from '$lib/client';
import { loadUiConfig, redirectToSso, shouldAutoRedirectToSso } from '$lib/ui-config';

export const load: PageLoad = async ({ url }) => {
  const uiConfig = await loadUiConfig(createPurserClient());
  const redirecting = shouldAutoRedirectToSso(uiConfig, url);
  if (redirecting) redirectToSso();
  return { uiConfig, redirecting };
};
