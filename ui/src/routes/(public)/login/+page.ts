import type { PageLoad } from './$types';
import { loadUiConfig, redirectToSso, shouldAutoRedirectToSso } from '$lib/ui-config';

export const load: PageLoad = async ({ fetch, url }) => {
  const uiConfig = await loadUiConfig(fetch);
  const redirecting = shouldAutoRedirectToSso(uiConfig, url);
  if (redirecting) redirectToSso();
  return { uiConfig, redirecting };
};
