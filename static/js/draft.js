// Drafting pages: redraw the live part of the page when the draft changes (a decision, an
// adopted amendment, a compilation), and show the word-level change while an amendment is typed.
(function () {
  "use strict";

  // --- live redraw ------------------------------------------------------------------------------
  const region = document.querySelector("[data-live-region][data-room]");
  const status = document.querySelector("[data-live-status]");
  let timer = null;

  function redraw() {
    timer = null;
    fetch(window.location.href, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-region]");
        if (!fresh) return;
        const open = Array.from(region.querySelectorAll("details[open]")).map((d) => d.closest("[id]") && d.closest("[id]").id);
        region.innerHTML = fresh.innerHTML;
        region.dataset.version = fresh.dataset.version;
        open.forEach((id) => {
          const holder = id && document.getElementById(id);
          const details = holder && holder.querySelector("details");
          if (details) details.open = true;
        });
        if (status) { status.hidden = false; }
      })
      .catch(() => { /* the next event or a reload will catch up */ });
  }

  function later() {
    if (!timer) timer = window.setTimeout(redraw, 300);
  }

  if (region && window.ForumLive) {
    const drawn = Number(region.dataset.version) || 0;
    window.ForumLive.follow(region.dataset.room, (snap) => {
      if ((snap.version || 0) > drawn) later();
    });
    ["amendment.changed", "amendments.circulated", "paragraph.changed", "draft.changed",
      "marshalled_list.reordered"].forEach((name) => {
      window.ForumLive.on(name, (payload) => {
        if (!payload || payload.draft_id !== Number(region.dataset.room.split(":")[1])) return;
        if (region.dataset.amendment && payload.room !== region.dataset.room
            && String(payload.amendment_id) !== region.dataset.amendment) return;
        later();
      });
    });
  }

  // --- the change as the mover types it ----------------------------------------------------------
  const form = document.querySelector("[data-amendment-form]");
  const baseNode = document.querySelector("[data-base-text]");
  const preview = document.querySelector("[data-diff-preview]");
  const textarea = form && form.querySelector("textarea[name=text]");
  if (!form || !baseNode || !preview || !textarea) return;

  function tokens(text) { return text.match(/[\p{L}\p{N}_]+(?:['’-][\p{L}\p{N}_]+)*|\s+|[^\p{L}\p{N}_\s]/gu) || []; }

  function diff(a, b) {
    // Longest common subsequence over tokens: small texts, plain dynamic programming.
    const n = a.length, m = b.length;
    if (n * m > 400000) return null;
    const table = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    const runs = [];
    const push = (op, text) => {
      const last = runs[runs.length - 1];
      if (last && last.op === op) last.text += text; else runs.push({ op, text });
    };
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { push("equal", a[i]); i++; j++; }
      else if (table[i + 1][j] >= table[i][j + 1]) { push("delete", a[i]); i++; }
      else { push("insert", b[j]); j++; }
    }
    while (i < n) push("delete", a[i++]);
    while (j < m) push("insert", b[j++]);
    return grouped(runs);
  }

  function grouped(runs) {
    // As the server shows it: a replaced phrase is one deletion then one insertion, a lone space
    // between two changes belonging to them.
    const blocks = [];
    runs.forEach((run, index) => {
      const last = blocks[blocks.length - 1];
      if (run.op === "equal") {
        if (/^\s+$/.test(run.text) && index > 0 && index < runs.length - 1 && last && last.change) {
          last.del += run.text; last.ins += run.text;
        } else {
          blocks.push({ change: false, text: run.text });
        }
        return;
      }
      if (!last || !last.change) blocks.push({ change: true, del: "", ins: "" });
      const block = blocks[blocks.length - 1];
      if (run.op === "delete") block.del += run.text; else block.ins += run.text;
    });
    const out = [];
    blocks.forEach((block) => {
      if (!block.change) { out.push({ op: "equal", text: block.text }); return; }
      if (block.del) out.push({ op: "delete", text: block.del });
      if (block.ins) out.push({ op: "insert", text: block.ins });
    });
    return out;
  }

  function show() {
    const kind = form.querySelector("input[name=kind]:checked");
    if (kind && kind.value !== "modify") { preview.hidden = true; return; }
    const runs = diff(tokens(baseNode.textContent.trim()), tokens(textarea.value.replace(/\s+/g, " ").trim()));
    if (!runs || runs.every((run) => run.op === "equal")) { preview.hidden = true; return; }
    preview.replaceChildren();
    runs.forEach((run) => {
      const node = run.op === "equal" ? document.createTextNode(run.text)
        : Object.assign(document.createElement(run.op === "delete" ? "del" : "ins"), { textContent: run.text });
      preview.appendChild(node);
    });
    preview.hidden = false;
  }

  textarea.addEventListener("input", show);
  form.addEventListener("change", show);
  show();
})();
