// The dashboard is a pure client-side SPA served from ui/build with an
// index.html fallback: no server rendering, no prerendered pages.
export const ssr = false;
export const prerender = false;
