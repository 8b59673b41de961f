// Documents tables: a newly published document appears without a reload, a withdrawn one disappears.
// Events carry ids only; the row itself is fetched from the server, which checks access again and
// renders it in the reader's language.
(function () {
  "use strict";
  if (!window.ForumLive) return;
  const tables = Array.from(document.querySelectorAll("table[data-live-documents]"));
  if (!tables.length) return;

  function rowUrl(table, id) {
    const url = table.dataset.rowUrl.replace(/\/0\/row$/, "/" + id + "/row");
    return table.dataset.byLanguage === "1" ? url + "?language=1" : url;
  }

  function notice(table) {
    const box = table.closest("section, main").querySelector("[data-documents-notice]");
    if (box) box.hidden = false;
  }

  function matches(table, p) {
    const d = table.dataset;
    if (d.filterSpace && Number(d.filterSpace) !== p.space_id) return false;
    if (d.filterKind && d.filterKind !== p.kind) return false;
    if (d.filterAgendaItem && Number(d.filterAgendaItem) !== p.agenda_item_id) return false;
    if (d.filterLanguage) return d.filterLanguage === p.language;
    return true;
  }

  function showTable(table) {
    const wrap = table.closest("[data-documents-table]");
    if (wrap) wrap.hidden = false;
    const scope = table.closest("section, main");
    const empty = scope && scope.querySelector("[data-documents-empty]");
    if (empty) empty.hidden = true;
  }

  function fetchRow(table, id, existing) {
    return fetch(rowUrl(table, id), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (response.status === 404) { if (existing) existing.remove(); return; }
        if (!response.ok) { notice(table); return; }
        return response.text().then((html) => {
          const template = document.createElement("template");
          template.innerHTML = html.trim();
          const row = template.content.querySelector("tr");
          if (!row) return;
          if (table.dataset.showSpace !== "1") {
            // The space page has no Space column: drop it (the fourth cell of a full row).
            const cells = row.querySelectorAll("td");
            if (cells.length === 7) cells[3].remove();
          }
          if (existing) existing.replaceWith(row);
          else table.tBodies[0].prepend(row);
          showTable(table);
        });
      })
      .catch(() => notice(table));
  }

  function rowFor(table, id) {
    return table.querySelector('tr[data-document="' + Number(id) + '"]');
  }

  window.ForumLive.on("document.published", (p) => {
    tables.forEach((table) => {
      if (!matches(table, p)) return;
      const byLanguage = table.dataset.byLanguage === "1";
      if (!byLanguage && p.lead_id !== p.document_id) {
        // A new language version: refresh its family's row, if shown.
        const lead = rowFor(table, p.lead_id);
        if (lead) fetchRow(table, p.lead_id, lead);
        return;
      }
      if (rowFor(table, p.document_id)) return;
      if (table.dataset.insert === "1") fetchRow(table, p.document_id, null);
      else notice(table);
    });
  });

  window.ForumLive.on("document.updated", (p) => {
    tables.forEach((table) => {
      const row = rowFor(table, p.document_id);
      if (row) fetchRow(table, p.document_id, row);
    });
  });

  window.ForumLive.on("document.withdrawn", (p) => {
    tables.forEach((table) => {
      (p.withdrawn || [p.document_id]).forEach((id) => {
        const row = rowFor(table, id);
        if (row) row.remove();
      });
      const lead = p.lead_id !== p.document_id ? rowFor(table, p.lead_id) : null;
      if (lead) fetchRow(table, p.lead_id, lead);
    });
  });

  // Follow each space the table shows; a snapshot newer than the page means something was missed.
  const drawn = {};
  tables.forEach((table) => {
    (table.dataset.rooms || "").trim().split(/\s+/).filter(Boolean).forEach((entry) => {
      const [room, version] = entry.split("@");
      drawn[room] = Math.max(drawn[room] || 0, Number(version) || 0);
    });
  });
  Object.keys(drawn).forEach((room) => {
    let first = true;
    window.ForumLive.follow(room, (snap) => {
      const behind = first ? (snap.version || 0) > drawn[room] : true;
      first = false;
      if (behind) tables.forEach(notice);
    });
  });
})();
