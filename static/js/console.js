// The Chair's console (Chair and secretariat): everything the room sees, plus the controls, the
// agenda, the Chair's script, the officers' room, speaking time and who is connected. Commands
// go through the socket (forms post normally when it is down); the text of an oral amendment is
// sent as it is typed, at most every 400 ms, so the room sees it change.
(function () {
  "use strict";
  const root = document.querySelector("[data-sitting][data-page=console]");
  if (!root || !window.ForumSitting || !window.ForumLive) return;
  const S = window.ForumSitting;
  const csrf = (root.querySelector("input[name=csrf_token]") || {}).value || "";

  function commandForm(api, name, fields, label, cls) {
    const form = S.el("form", { method: "post", class: "inline", "data-command": name,
      action: root.querySelector("form[data-command]") ? root.querySelector("form[data-command]").action.replace(/\/commands\/[^/]+$/, `/commands/${name}`) : "" });
    form.appendChild(S.el("input", { type: "hidden", name: "csrf_token", value: csrf }));
    form.appendChild(S.el("input", { type: "hidden", name: "next", value: "console" }));
    Object.entries(fields).forEach(([k, v]) => form.appendChild(S.el("input", { type: "hidden", name: k, value: v })));
    form.appendChild(S.el("button", { type: "submit", class: cls || "link" }, label));
    return form;
  }

  function render(state, type, api) {
    const L = api.L;
    api.decorateSpeaker = (li, s) => {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(commandForm(api, "grant_floor", { request_id: s.id }, L.ui.grant));
      li.appendChild(document.createTextNode(" "));
      if (s.position > 1) li.appendChild(commandForm(api, "move_request", { request_id: s.id, position: s.position - 1 }, L.ui.up));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(commandForm(api, "move_request", { request_id: s.id, position: s.position + 1 }, L.ui.down));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(commandForm(api, "remove_request", { request_id: s.id }, L.ui.remove));
      // A time limit for this speaker (else the sitting's default applies when they get the floor).
      const limit = commandForm(api, "set_time_limit", { request_id: s.id }, L.ui.set, "");
      const id = `limit-${s.id}`;
      limit.classList.add("limit-form");
      limit.insertBefore(S.el("label", { for: id, class: "meta" }, ` ${L.ui.limit} `), limit.lastChild);
      limit.insertBefore(S.el("input", { id, name: "seconds", type: "number", min: "10", max: "3600", size: "5",
        value: s.time_limit || state.default_limit || "" }), limit.lastChild);
      li.appendChild(limit);
      if (s.time_limit) li.appendChild(S.el("span", { class: "meta" }, ` (${s.time_limit} ${L.ui.seconds})`));
    };
    S.renderCommon(root, state, api);
    // What the double-click guards compare with: the item and the speaker as this page shows them.
    root.querySelectorAll("[data-if-item]").forEach((input) => { input.value = state.item ? `${state.item.kind}:${state.item.id}` : ""; });
    root.querySelectorAll("[data-if-current]").forEach((input) => {
      input.value = state.speakers && state.speakers.current ? state.speakers.current.id : "";
    });
    // The agenda: mark the current item, keep states fresh.
    const agenda = root.querySelector("[data-agenda]");
    if (agenda && state.agenda) {
      const items = state.agenda.map((it) => {
        const current = state.item && state.item.kind === it.kind && state.item.id === it.id;
        const li = S.el("li", { class: `depth-${it.depth}${current ? " current" : ""}` });
        const label = `${it.kind === "paragraph" ? L.ui.paragraph : L.ui.amendment} ${it.label}`;
        const form = commandForm(api, "set_item", { kind: it.kind, id: it.id }, label);
        if (current) form.querySelector("button").setAttribute("aria-current", "true");
        li.appendChild(form);
        li.appendChild(S.el("span", { class: "meta" }, ` ${L.item_state[it.state] || it.state}`));
        return li;
      });
      S.fill(agenda, items);
    }
    const positions = root.querySelector("[data-positions]");
    if (positions) {
      const rows = (state.positions || []).map((p) => S.el("li", {}, `${L.group[p.group] || p.group}: ${(L.stance || {})[p.stance] || p.stance}`))
        .concat((state.statements || []).map((s) => S.el("li", {}, `${s.member_state}${s.on_behalf_of ? ` (${s.on_behalf_of})` : ""}: ${(L.stance || {})[s.stance] || s.stance}`)));
      if (rows.length) S.fill(positions, rows);
    }
    if (state.officers) {
      const script = root.querySelector("[data-script]");
      if (script) script.textContent = state.officers.script || "";
      const itemSelect = root.querySelector("[data-script-item]");
      if (itemSelect && state.item && type === "item_changed") itemSelect.value = `${state.item.kind}:${state.item.id}`;
      const input = root.querySelector("[data-script-input]");
      if (input && (type === "item_changed" || type === "script_changed" || type === null)
          && document.activeElement !== input) input.value = state.officers.script || "";
      const messages = root.querySelector("[data-messages]");
      if (messages && (type === "officers_message" || type === null)) {
        S.fill(messages, (state.officers.messages || []).map((m) => {
          const li = S.el("li");
          li.appendChild(S.el("strong", {}, m.author));
          li.appendChild(document.createTextNode(`: ${m.body}`));
          return li;
        }));
      }
    }
    if (state.chair) {
      const times = root.querySelector("[data-times] tbody");
      if (times) {
        const rows = [];
        Object.entries(state.chair.speaking_times.groups || {}).forEach(([g, t]) => rows.push([L.group[g] || g, t.seconds]));
        Object.entries(state.chair.speaking_times.states || {}).forEach(([c, t]) => rows.push([c, t.seconds]));
        S.fill(times, rows.map(([name, secs]) => {
          const tr = S.el("tr");
          tr.appendChild(S.el("th", { scope: "row" }, name));
          tr.appendChild(S.el("td", {}, `${secs} ${L.ui.seconds}`));
          return tr;
        }));
      }
      const connected = root.querySelector("[data-connected]");
      if (connected) connected.textContent = (state.chair.connected || []).map((u) => u.name).join(", ") || "0";
    }
    const oralInput = root.querySelector("[data-oral-input]");
    if (oralInput && type === "item_changed" && document.activeElement !== oralInput) {
      oralInput.value = state.item ? state.item.text || "" : "";
    }
  }

  const api = S.create(root, render);
  S.wireForms(root, api);

  // The oral amendment as typed: throttled, the latest text always sent last.
  const input = root.querySelector("[data-oral-input]");
  if (input) {
    const sub = root.querySelector("[data-oral-sub]");
    const kind = root.querySelector("[data-oral-kind]");
    let timer = null;
    let dirty = false;
    const push = () => {
      timer = null;
      if (!dirty) return;
      dirty = false;
      api.send("type_oral_amendment", { text: input.value, sub_amendment: !!(sub && sub.checked),
        amendment_kind: kind ? kind.value : "modify" }).then(() => { if (dirty && !timer) timer = window.setTimeout(push, 400); });
    };
    const changed = () => { dirty = true; if (!timer) timer = window.setTimeout(push, 400); };
    input.addEventListener("input", changed);
    if (sub) sub.addEventListener("change", changed);
    if (kind) kind.addEventListener("change", changed);
  }

  // Who is connected: information for the Chair, refreshed now and then (never attendance).
  window.setInterval(() => {
    if (document.documentElement.dataset.live !== "on") return;
    api.send("presence", {}).then((ack) => {
      if (ack.ok && api.state.chair) { api.state.chair.connected = ack.connected; render(api.state, "presence", api); }
    });
  }, 20000);
})();
