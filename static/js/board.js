// Positions live: the status board, an item's positions panel and a caucus's polls redraw
// themselves when the draft's room (positions, statements, decisions) or the space's room (polls)
// says something changed. The server renders; this file only fetches the page again and swaps the
// regions it names by id, then says so in the region's live status.
const DRAFT_EVENTS = ["position.changed", "statement.added", "paragraph.changed", "amendment.changed", "item.decided",
  "amendments.circulated"];
const POLL_EVENTS = ["poll.changed"];

function load(src) {
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = resolve;
    document.head.appendChild(script);
  });
}

async function live() {
  // The drafting pages load the live channel themselves; a page without it gets it here.
  if (!window.ForumLive) {
    const base = new URL(import.meta.url);
    if (typeof io === "undefined") await load(new URL("../vendor/socket.io-4.8.4/socket.io.min.js", base).href);
    await load(new URL("realtime.js", base).href);
  }
  return window.ForumLive;
}

const pending = new Set();
let timer = null;

function redraw() {
  timer = null;
  const ids = Array.from(pending);
  pending.clear();
  fetch(window.location.href, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => {
      const fresh = new DOMParser().parseFromString(html, "text/html");
      ids.forEach((id) => {
        const now = document.getElementById(id);
        const next = fresh.getElementById(id);
        if (!now || !next) return;
        const focused = now.contains(document.activeElement) && document.activeElement.id;
        now.innerHTML = next.innerHTML;
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        const status = now.querySelector("[data-positions-status]")
          || document.querySelector("[data-positions-status]");
        if (status) status.hidden = false;
      });
    })
    .catch(() => { /* the next event or a reload catches up */ });
}

function later(id) {
  pending.add(id);
  if (!timer) timer = window.setTimeout(redraw, 300);
}

function concerns(region, payload) {
  // An item's panel redraws for its own item only; the board and the poll lists for anything.
  const kind = region.dataset.itemKind;
  const poll = region.dataset.poll;
  if (poll) return String(payload.poll_id) === poll;
  if (!kind) return true;
  const id = region.dataset.itemId;
  if (payload.item) return payload.item.kind === kind && String(payload.item.id) === id;
  if (kind === "paragraph") return String(payload.paragraph_id) === id;
  return String(payload.amendment_id) === id;
}

async function start() {
  const regions = Array.from(document.querySelectorAll("[data-positions-region][data-room], [data-polls-region][data-room]"));
  if (!regions.length) return;
  const forum = await live();
  if (!forum) return;
  const rooms = new Set(regions.map((r) => r.dataset.room));
  rooms.forEach((room) => forum.follow(room));
  const listen = (names) => names.forEach((name) => forum.on(name, (payload) => {
    if (!payload || !payload.room) return;
    regions.forEach((region) => {
      // Look the region up again: another script may have redrawn the part of the page it sits in.
      const current = region.id && document.getElementById(region.id);
      const target = current || region;
      if (target.dataset.room === payload.room && concerns(target, payload) && target.id) later(target.id);
    });
  }));
  listen(DRAFT_EVENTS);
  listen(POLL_EVENTS);
}

start();
