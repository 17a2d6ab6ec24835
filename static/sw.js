/* Keeps the guides a visitor opened, so that a guide, its print view and its
   counter cards open with no connection (a traveller cancelling a SIM loses
   data exactly when the card is needed). Progressive enhancement: every page
   works without it.

   Pages: network first, the saved copy when the network fails. At most
   MAX_PAGES pages are kept; the oldest saved is dropped first. Stylesheets
   and this site's script: the saved copy first, refreshed in the background. */
"use strict";

const PAGES = "pages-v1";
const ASSETS = "assets-v1";
const OFFLINE = "offline-v1"; // the offline page, one per language
const MAX_PAGES = 40; // 10 guides with their print view and two counter cards
const MAX_ASSETS = 8;
// The site's language prefixes: /sw.js is served with settings.LANGUAGES here,
// so "admin" (or anything else) is never taken for a language.
const LANGUAGES = "zh-hans|en|km";
// A guide, its print view or its counter card, in one of the site's languages.
const GUIDE = new RegExp(`^/(?:${LANGUAGES})/guides/[^/]+/(print/|counter-card/)?$`);
// The visitors' own stylesheets and scripts (the admin's are not kept).
const ASSET = /^\/static\/(?!admin\/)/;

// A response the server marked as not for keeping: one to a logged-in user,
// anything under /admin/.
function private_(response) {
  const control = response.headers.get("Cache-Control") || "";
  return /\b(private|no-store)\b/.test(control);
}

self.addEventListener("install", (event) => {
  const pages = LANGUAGES.split("|").map((code) => `/${code}/offline/`);
  event.waitUntil(caches.open(OFFLINE)
    .then((cache) => cache.addAll(pages))
    .catch(() => undefined) // a page that failed is fetched on the next install
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => ![PAGES, ASSETS, OFFLINE].includes(name))
          .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()));
});

async function trim(name, max) {
  const cache = await caches.open(name);
  const keys = await cache.keys(); // oldest first: insertion order
  await Promise.all(keys.slice(0, Math.max(0, keys.length - max))
    .map((key) => cache.delete(key)));
}

async function keep(name, max, request, response) {
  if (!response || response.status !== 200 || response.type !== "basic") return;
  if (private_(response)) return;
  const cache = await caches.open(name);
  // Stamped with when it was saved, which the offline pages say. The body is
  // already decoded, so it is stored without its transfer encoding.
  const headers = new Headers(response.headers);
  headers.set("X-Saved-At", new Date().toISOString());
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  const stamped = new Response(await response.blob(), {
    status: response.status, statusText: response.statusText, headers: headers });
  await cache.delete(request); // re-saved pages move to the newest end
  await cache.put(request, stamped);
  await trim(name, max);
}

// The saved copy says so: its "you are offline" line is shown and the page
// is marked, so that it does not ask to save itself again.
function language(pathname) {
  const code = pathname.split("/")[1];
  return LANGUAGES.split("|").includes(code) ? code : "en";
}

// When a copy was saved, in Phnom Penh time and the page's language.
function savedAt(response, code) {
  const stamp = response.headers.get("X-Saved-At");
  if (!stamp) return "";
  const locale = code === "zh-hans" ? "zh-CN" : code;
  return new Date(stamp).toLocaleString(locale, {
    timeZone: "Asia/Phnom_Penh", dateStyle: "medium", timeStyle: "short" });
}

async function savedCopy(saved, code) {
  const when = savedAt(saved, code);
  const html = (await saved.text())
    .replace('<html ', '<html data-saved-copy ')
    .replace('id="offline-copy" hidden', 'id="offline-copy"')
    .replace(/(<p class="offline-status" id="offline-copy">[^<]*)(<\/p>)/,
             (all, text, end) => when ? `${text} (${when})${end}` : all);
  const headers = new Headers(saved.headers);
  headers.delete("Content-Length");
  headers.delete("Content-Encoding"); // the text is already decoded
  return new Response(html, { status: saved.status, statusText: saved.statusText, headers: headers });
}

async function page(request) {
  try {
    const response = await fetch(request);
    await keep(PAGES, MAX_PAGES, request, response.clone());
    return response;
  } catch (error) {
    const saved = await caches.match(request, { cacheName: PAGES });
    if (saved) return savedCopy(saved, language(new URL(request.url).pathname));
    return offlinePage(request, error);
  }
}

// The offline page of the address's language, with the guides saved on this
// device (a guide itself, not its print view or cards), newest first.
async function offlinePage(request, error) {
  const code = language(new URL(request.url).pathname);
  const template = await caches.match(`/${code}/offline/`, { cacheName: OFFLINE });
  if (!template) throw error;
  let html = await template.text();
  const label = (html.match(/data-saved-on="([^"]*)"/) || [])[1] || "";
  const cache = await caches.open(PAGES);
  const items = [];
  for (const key of (await cache.keys()).reverse()) {
    const path = new URL(key.url).pathname;
    const match = GUIDE.exec(path);
    if (!match || match[1]) continue;
    const saved = await cache.match(key);
    const title = ((await saved.text()).match(/<h1[^>]*>([\s\S]*?)<\/h1>/) || [])[1] || path;
    items.push(`<li><a href="${path}">${title.replace(/<[^>]+>/g, "")}</a> · ${label} ${savedAt(saved, code)}</li>`);
  }
  if (items.length) {
    html = html.replace("<!--saved-guides-->", items.join(""))
      .replace(/<p id="none-saved">[\s\S]*?<\/p>/, "");
  }
  const headers = new Headers(template.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  return new Response(html, { status: 200, headers: headers });
}

// The saved copy at once, refreshed behind it for the next visit.
function asset(event) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    await keep(ASSETS, MAX_ASSETS, request, response.clone());
    return response;
  });
  return caches.match(request, { cacheName: ASSETS }).then((saved) => {
    if (!saved) return network;
    event.waitUntil(network.catch(() => undefined));
    return saved;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && GUIDE.test(url.pathname)) {
    event.respondWith(page(request));
  } else if (request.mode === "navigate" && !url.pathname.startsWith("/admin/")) {
    // Not kept, but offline it answers with the guides that are.
    event.respondWith(fetch(request).catch((error) => offlinePage(request, error)));
  } else if ((request.destination === "style" || request.destination === "script")
             && ASSET.test(url.pathname)) {
    event.respondWith(asset(event));
  }
});

// A guide page asks to save itself, its print view, its counter cards and
// its stylesheets; the answer says how many were saved.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "save" || !Array.isArray(data.pages)) return;
  const port = event.ports[0];
  const same = (href) => new URL(href, self.location.href).origin === self.location.origin;
  const guide = (href) => same(href) && GUIDE.test(new URL(href, self.location.href).pathname);
  const asset = (href) => same(href) && ASSET.test(new URL(href, self.location.href).pathname);
  const save = async (href, name, max) => {
    const request = new Request(href, { credentials: "same-origin" });
    const response = await fetch(request);
    await keep(name, max, request, response);
    return response.ok;
  };
  event.waitUntil(
    Promise.allSettled([
      ...data.pages.filter(guide).slice(0, MAX_PAGES).map((href) => save(href, PAGES, MAX_PAGES)),
      ...(data.assets || []).filter(asset).map((href) => save(href, ASSETS, MAX_ASSETS)),
    ]).then((results) => {
      const saved = results.filter((r) => r.status === "fulfilled" && r.value).length;
      if (port) port.postMessage({ saved: saved, asked: results.length });
    }));
});
