// The officer's outbox (issue 12): an action made without signal is kept on the phone
// (IndexedDB) with a nonce made here, shown as 待同步, and sent when the signal returns.
// The server decides it again and keeps the nonce, so a resend is counted once; an action it
// refuses stays here with the server's reason until the officer removes it.
// Forms opt in with data-outbox="<kind>" and data-sync-url; without JS they post as usual.
(() => {
  "use strict";
  const DB = "fairinspect-outbox";
  const STORE = "actions";
  const PAGES = "fi-pages-v1";
  // The words come translated from the page that loads this file (visits/_pwa_head.html).
  const T = JSON.parse(document.getElementById("fi-field-strings").textContent);
  const fill = (key, values) => T[key].replace(/\{(\w+)\}/g, (_m, k) => String(values[k]));
  const label = (kind) => T[kind] || kind;

  function open() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "nonce" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function run(mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const out = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(out && "result" in out ? out.result : undefined);
      t.onerror = () => reject(t.error);
    });
  }
  const put = (entry) => run("readwrite", (s) => s.put(entry));
  const remove = (nonce) => run("readwrite", (s) => s.delete(nonce));
  const all = () => run("readonly", (s) => s.getAll());

  function makeNonce() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function phoneTime(iso) {
    const d = new Date(iso);
    return d.toLocaleString("zh-CN", { hour12: false });
  }

  // One send. {sent: true, body} when the server took it (or had it already),
  // {refused: true, body} when it refused, {kept: true, note} when it must wait.
  async function send(entry) {
    const fd = new FormData();
    for (const [k, v] of entry.fields) fd.append(k, v);
    let r;
    try {
      r = await fetch(entry.url, {
        method: "POST",
        body: fd,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (_e) {
      return { kept: true, note: "" };
    }
    let body = null;
    try {
      body = await r.json();
    } catch (_e) {
      return { kept: true, note: T.server_busy };
    }
    if (body.status === "done" || body.status === "duplicate") return { sent: true, body };
    if (body.status === "unauthenticated") return { kept: true, note: body.message };
    return { refused: true, body };
  }

  function reasonText(body) {
    const extra = (body.reasons || [])
      .map((r) => r.message)
      .filter((m) => m && m !== body.message);
    return body.message + (extra.length ? "（" + extra.join("；") + "）" : "");
  }

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    let sent = 0;
    let refusedNow = 0;
    try {
      const entries = (await all())
        .filter((e) => e.state === "pending")
        .sort((a, b) => (a.madeAt < b.madeAt ? -1 : 1));
      for (const e of entries) {
        const res = await send(e);
        if (res.kept) {
          if (res.note) await put({ ...e, note: res.note });
          break;
        }
        if (res.sent) {
          await remove(e.nonce);
          sent += 1;
        } else {
          await put({ ...e, state: "refused", reason: reasonText(res.body) });
          refusedNow += 1;
        }
      }
    } finally {
      flushing = false;
    }
    // The "saved, waiting" notes beside the forms are out of date once a round has run.
    if (sent || refusedNow) document.querySelectorAll(".outbox-inline").forEach((p) => p.remove());
    await render();
    if (sent && document.querySelector("[data-outbox-reload]")) location.reload();
  }

  async function render() {
    let entries = [];
    try {
      entries = await all();
    } catch (_e) {
      return;
    }
    document.querySelectorAll("[data-outbox-status]").forEach((el) => {
      const waiting = entries.filter((e) => e.state === "pending").length;
      const refused = entries.filter((e) => e.state === "refused").length;
      el.hidden = !(waiting || refused);
      el.textContent =
        (waiting ? fill("n_waiting", { n: waiting }) : "") +
        (waiting && refused ? T.sep : "") +
        (refused ? fill("n_refused", { n: refused }) : "");
    });
    document.querySelectorAll("[data-outbox-list]").forEach((box) => {
      const mine = entries.filter((e) => String(e.visit) === box.dataset.visit);
      box.hidden = mine.length === 0;
      box.replaceChildren();
      if (!mine.length) return;
      const h = document.createElement("h2");
      h.textContent = T.heading;
      box.append(h);
      const ul = document.createElement("ul");
      for (const e of mine) {
        const li = document.createElement("li");
        li.className = e.state === "refused" ? "outbox-refused" : "outbox-pending";
        const badge = document.createElement("span");
        badge.className = "badge " + (e.state === "refused" ? "bad" : "warn");
        badge.textContent = e.state === "refused" ? T.refused : T.waiting;
        li.append(badge, ` ${label(e.kind)} · ${T.phone_time} ${phoneTime(e.madeAt)}`);
        if (e.state === "refused") {
          const p = document.createElement("p");
          p.className = "outbox-reason";
          p.textContent = fill("reason", { reason: e.reason });
          li.append(p);
        } else if (e.note) {
          const p = document.createElement("p");
          p.className = "small";
          p.textContent = e.note;
          li.append(p);
        }
        const del = document.createElement("button");
        del.type = "button";
        del.className = "secondary";
        del.textContent = e.state === "refused" ? T.dismiss : T.abandon;
        del.addEventListener("click", async () => {
          await remove(e.nonce);
          render();
        });
        li.append(del);
        ul.append(li);
      }
      box.append(ul);
    });
  }

  function showInline(form, text, ok) {
    let p = form.querySelector(".outbox-inline");
    if (!p) {
      p = document.createElement("p");
      p.className = "outbox-inline small";
      p.setAttribute("role", "status");
      form.prepend(p);
    }
    p.classList.toggle("msg-error", !ok);
    p.textContent = text;
  }

  async function onSubmit(ev) {
    const form = ev.target.closest("form[data-outbox]");
    if (!form) return;
    ev.preventDefault();
    const fd = new FormData(form, ev.submitter || undefined);
    const entry = {
      nonce: makeNonce(),
      kind: form.dataset.outbox,
      visit: form.dataset.visit,
      url: form.dataset.syncUrl,
      madeAt: new Date().toISOString(),
      state: "pending",
      fields: [],
    };
    fd.set("kind", entry.kind);
    fd.set("client_nonce", entry.nonce);
    fd.set("client_time", entry.madeAt);
    for (const [k, v] of fd) entry.fields.push([k, v]);
    const queue = async () => {
      await put(entry);
      showInline(form, fill("queued", { kind: label(entry.kind) }), true);
      await render();
    };
    if (!navigator.onLine) return queue();
    const res = await send(entry);
    if (res.kept) return queue();
    if (res.sent) return location.reload();
    // Refused at once: the form keeps what was typed; the reason beside it.
    showInline(form, fill("refused_now", { reason: reasonText(res.body) }), false);
  }

  function keepPages() {
    // The day's visit pages and pre-checks, kept for when there is no signal.
    if (!("caches" in window) || !navigator.onLine) return;
    const urls = [...document.querySelectorAll("a[data-keep]")].map((a) => a.pathname);
    // and this page itself, if it is one of the officer's pages (the service worker keeps
    // the pages it serves; the first page opened is served before it is in control)
    if (document.querySelector("meta[name=fi-sw]")) urls.push(location.pathname);
    caches.open(PAGES).then((c) =>
      Promise.all([...new Set(urls)].map((u) => c.add(u).catch(() => null)))
    );
  }

  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", () => {
    const sw = document.querySelector('meta[name="fi-sw"]');
    if ("serviceWorker" in navigator && sw) {
      navigator.serviceWorker.register(sw.content, { scope: "/visits/" }).catch(() => null);
    }
    render();
    flush();
    keepPages();
    setInterval(flush, 30000);
  });
  window.fairinspectOutbox = { flush, all, render };
})();
