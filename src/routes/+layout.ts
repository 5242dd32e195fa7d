// Fully static site: every page is prerendered to HTML; data, workers and IndexedDB start in the browser.
export const prerender = true;
export const trailingSlash = 'always';
