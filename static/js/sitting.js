// Live sittings, shared by the console, the delegates' view and the projector: join the sitting,
// keep its state and version, apply `update`s (resync on a gap or a reconnect), run the countdown
// from the server's clock, send commands with acks, and announce changes to screen readers
// without flooding them (one short message at a time, never the timer or the typing).
(function () {
  "use strict";
  if (window.ForumSitting) return;

  // Updates that do not advance the sitting's version: the officers' room and the live count.
  const UNVERSIONED = new Set(["script_changed", "officers_message", "speaking_times", "ballots_counted"]);

  function readJson(id) {
    const node = document.getElementById(id);
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fill(node, children) {
    if (!node) return;
    node.replaceChildren(...children.filter(Boolean));
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, (_, k) => (values[k] !== undefined ? values[k] : ""));
  }

  function runsInto(node, runs) {
    if (!node) return;
    fill(node, (runs || []).map((r) => (r.op === "equal" ? document.createTextNode(r.text)
      : el(r.op === "delete" ? "del" : "ins", {}, r.text))));
  }

  function clock(seconds) {
    const s = Math.abs(Math.round(seconds));
    return `${seconds < 0 ? "−" : ""}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function create(root, render) {
    const id = Number(root.dataset.sitting);
    const L = readJson("sitting-labels") || { ui: {}, state: {}, kind: {}, category: {}, group: {}, item_state: {} };
    let state = readJson("sitting-state") || {};
    let version = state.version || 0;
    let offset = state.server_time ? Date.parse(state.server_time) - Date.now() : 0;
    let resyncing = false;
    const announcer = root.querySelector("[data-announcer]");
    const indicator = root.querySelector("[data-live-indicator]");
    let lastSaid = 0;
    let pending = null;

    function say(message) {
      // One message at a time, at most every 1.5 s: a busy sitting must not flood a screen reader.
      if (!announcer || !message) return;
      pending = message;
      const wait = Math.max(0, lastSaid + 1500 - Date.now());
      window.setTimeout(() => {
        if (!pending) return;
        announcer.textContent = pending;
        pending = null;
        lastSaid = Date.now();
      }, wait);
    }

    function setLive(on) {
      if (!indicator) return;
      indicator.textContent = on ? L.ui.online : L.ui.offline;
      indicator.dataset.on = on ? "1" : "0";
    }

    function adopt(fresh) {
      state = fresh;
      version = fresh.version || 0;
      if (fresh.server_time) offset = Date.parse(fresh.server_time) - Date.now();
      render(state, null, api);
      tick();
    }

    function join() {
      window.ForumLive.emit("join", { sitting_id: id }, (ack) => {
        if (ack && ack.ok) { setLive(true); adopt(ack.state); }
      });
    }

    function resync() {
      if (resyncing) return;
      resyncing = true;
      window.ForumLive.emit("snapshot", { sitting_id: id }, (ack) => {
        resyncing = false;
        if (ack && ack.ok) adopt(ack.state);
      });
    }

    function apply(type, data) {
      switch (type) {
        case "state_changed":
          state.state = data.state;
          if (data.live && !state.live) { resync(); return false; }
          say(format(L.ui.state_now, { state: L.state[data.state] || data.state }));
          break;
        case "item_changed":
          state.item = data.item;
          if (data.positions) state.positions = data.positions;
          if (data.statements) state.statements = data.statements;
          state.objections = null;
          state.oral = null;
          (state.agenda || []).forEach((it) => {
            if (data.item && it.kind === data.item.kind && it.id === data.item.id) it.state = data.item.state;
          });
          if (state.officers) state.officers.script = "";
          if (data.item) say(format(L.ui.now_item, { label: data.item.label }));
          if (data.item && state.agenda && !state.agenda.some((it) => it.kind === data.item.kind && it.id === data.item.id)) {
            resync();  // a new (oral) amendment joined the agenda
          }
          break;
        case "speakers_changed": {
          const before = state.speakers && state.speakers.current && state.speakers.current.id;
          state.speakers = { current: data.current, waiting: data.waiting };
          state.timer = data.timer;
          if (data.current && data.current.id !== before) {
            const mine = state.you && data.current.participant_id === state.you.participant_id;
            say(mine ? L.ui.you_speak : format(L.ui.now_speaking, { name: data.current.name }));
          }
          break;
        }
        case "timer_started": state.timer = data; break;
        case "timer_stopped": state.timer = null; break;
        case "objections_called": state.objections = data; say(L.ui.objections_called); break;
        case "announcement": state.announcement = data.text; say(data.text); break;
        case "text_changed": state.oral = data.oral; break;
        case "time_limit_changed": state.default_limit = data.default; break;
        case "observers_invited": state.observers_invited = data.invited; resync(); return false;
        case "script_changed":
          if (state.officers && state.item && data.item === `${state.item.kind}:${state.item.id}`) state.officers.script = data.text;
          break;
        case "officers_message":
          if (state.officers) state.officers.messages = (state.officers.messages || []).concat([data]).slice(-50);
          break;
        case "speaking_times": if (state.chair) state.chair.speaking_times = data; break;
        case "ballots_counted":
          if (state.vote && state.vote.id === data.vote_id && state.vote.state === "open") {
            state.vote.ballots_cast = Math.max(state.vote.ballots_cast || 0, data.ballots_cast || 0);
          }
          break;
        case "vote_opened": say(L.ui.vote_open); resync(); return false;
        case "vote_closed": say(L.ui.vote_closed); resync(); return false;
        default: resync(); return false;  // decision, positions, statements, anything new: redraw from a snapshot
      }
      return true;
    }

    function onUpdate(payload) {
      if (!payload || payload.sitting_id !== id) return;
      if (UNVERSIONED.has(payload.type)) {
        if (apply(payload.type, payload.data || {})) render(state, payload.type, api);
        return;
      }
      if (payload.version <= version) return;  // already seen
      if (payload.version > version + 1) { resync(); return; }  // a gap: something was missed
      version = payload.version;
      state.version = version;
      if (apply(payload.type, payload.data || {})) render(state, payload.type, api);
    }

    function remaining() {
      const t = state.timer;
      if (!t || !t.started_at || !t.seconds) return null;
      return (Date.parse(t.started_at) + t.seconds * 1000 - (Date.now() + offset)) / 1000;
    }

    function tick() {
      if (document.documentElement.dataset.live !== "on") setLive(false);
      const left = remaining();
      root.querySelectorAll("[data-timer]").forEach((node) => {
        if (left === null) { node.textContent = "—"; node.dataset.over = "0"; return; }
        fill(node, [document.createTextNode(`${clock(left)} `),
          el("span", { class: "timer-word" }, left >= 0 ? L.ui.remaining : L.ui.over)]);
        node.dataset.over = left < 0 ? "1" : "0";
      });
    }

    function send(command, payload) {
      return new Promise((resolve) => {
        window.ForumLive.emit("sitting_command", Object.assign({}, payload, { sitting_id: id, command }), (ack) => {
          resolve(ack || { ok: false, error: { code: "no_answer", message: "" } });
        });
      });
    }

    const api = { id, L, el, fill, runsInto, format, send, say, get state() { return state; }, resync };

    window.ForumLive.on("update", onUpdate);
    window.ForumLive.onConnect(join);
    window.setInterval(tick, 1000);
    window.addEventListener("offline", () => setLive(false));
    render(state, null, api);
    tick();
    return api;
  }

  // Forms marked data-command run through the socket when it is up (the page stays as it is),
  // through a normal POST otherwise.
  function wireForms(root, api, after) {
    const error = root.querySelector("[data-command-error]");
    root.addEventListener("submit", (event) => {
      const form = event.target.closest("form[data-command]");
      if (!form || document.documentElement.dataset.live !== "on") return;
      event.preventDefault();
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
      const payload = {};
      new FormData(form, event.submitter).forEach((value, key) => {
        if (key === "csrf_token" || key === "next") return;
        payload[key] = value;
      });
      form.querySelectorAll("input[type=checkbox]").forEach((box) => { payload[box.name] = box.checked; });
      api.send(form.dataset.command, payload).then((ack) => {
        if (error) {
          error.hidden = !!ack.ok;
          error.textContent = ack.ok ? "" : [ack.error.message].concat(Object.values(ack.error.fields || {}).flat()).join(" ");
        }
        if (ack.ok && form.hasAttribute("data-reset")) form.reset();
        if (after) after(form.dataset.command, ack);
      });
    });
  }

  function speakerName(s, L) {
    const who = s.member_state ? s.member_state + (s.on_behalf_of ? `, ${s.on_behalf_of}` : "") : (L.group[s.group] || s.group);
    return `${s.name} (${who})`;
  }

  // The regions every page shares: state, announcement, current item, oral text, objections,
  // speakers and the vote. Pages add their own parts (controls, the officers' room).
  function renderCommon(root, state, api) {
    const { L, el, fill } = api;
    const q = (sel) => root.querySelector(sel);
    const stateNode = q("[data-sitting-state]");
    if (stateNode) {
      stateNode.textContent = L.state[state.state] || state.state;
      stateNode.className = `sitting-state state-${state.state}`;
    }
    const ann = q("[data-announcement]");
    if (ann) { ann.textContent = state.announcement || ""; ann.hidden = !state.announcement; }
    const itemNode = q("[data-item]");
    if (itemNode) {
      const item = state.item;
      if (!item) {
        fill(itemNode, [el("p", { class: "empty" }, L.ui.no_item)]);
      } else {
        const heading = item.kind === "paragraph" ? `${L.ui.paragraph} ${item.label}`
          : `${L.ui.amendment} ${item.label} (${L.ui.paragraph} ${item.paragraph_label})`;
        const h = el("h3", { "data-item-heading": true }, heading + " ");
        h.appendChild(el("span", { class: `badge state-${item.state}` }, L.item_state[item.state] || item.state));
        // Every language's words travel with the item; the page shows its reader's (docs/realtime.md).
        const wanted = root.dataset.language || document.documentElement.lang;
        const shown = (item.texts && item.texts[wanted]) || item;
        const text = el("p", { class: "diff sitting-text", lang: shown.language });
        runsInto(text, shown.runs);
        const parts = [h, text];
        if (wanted && shown.language !== wanted) {
          const names = L.language || {};
          const marker = el("p", { class: "meta language-missing", "data-language-missing": true });
          marker.appendChild(el("span", { "aria-hidden": "true" }, "◐"));
          marker.appendChild(document.createTextNode(" " + format(L.ui.original_only,
            { language: names[wanted] || wanted, original: names[shown.language] || shown.language })));
          parts.push(marker);
        }
        fill(itemNode, parts);
      }
    }
    const oral = q("[data-oral]");
    if (oral) {
      oral.hidden = !state.oral;
      if (state.oral) runsInto(oral.querySelector("[data-oral-text]"), state.oral.runs);
    }
    const obj = q("[data-objections]");
    if (obj) obj.hidden = !state.objections;
    const sp = q("[data-speakers]");
    if (sp && state.speakers) {
      const current = state.speakers.current;
      const head = el("p", { "data-current-speaker": true });
      if (current) {
        head.appendChild(el("strong", {}, `${format(L.ui.now_speaking, { name: "" }).trim()} `));
        head.appendChild(document.createTextNode(speakerName(current, L)));
      } else {
        head.appendChild(el("span", { class: "empty" }, L.ui.nobody));
      }
      const list = el("ol", { class: "speakers", "data-speakers-list": true });
      const waiting = state.speakers.waiting || [];
      if (!waiting.length) list.appendChild(el("li", { class: "empty" }, L.ui.empty_list));
      waiting.forEach((s) => {
        const li = el("li", { class: `kind-${s.kind}`, "data-request": s.id });
        if (s.kind !== "speak") li.appendChild(el("strong", { class: "flag" }, `[${L.kind[s.kind] || s.kind}] `));
        li.appendChild(document.createTextNode(speakerName(s, L)));
        if (api.decorateSpeaker) api.decorateSpeaker(li, s);
        list.appendChild(li);
      });
      fill(sp, [head, list]);
    }
    const voteNode = q("[data-vote]");
    if (voteNode) {
      const v = state.vote;
      if (!v) {
        fill(voteNode, [el("p", { class: "empty" }, L.ui.no_vote)]);
      } else if (v.state === "open") {
        fill(voteNode, [el("p", { class: "vote-open" }, `${L.ui.vote_open} — ${format(L.ui.ballots, { n: v.ballots_cast || 0 })}`)]);
      } else {
        const t = v.totals || {};
        const raw = (k) => (t[k] && typeof t[k] === "object" ? (t[k].raw !== undefined ? t[k].raw : JSON.stringify(t[k])) : (t[k] || 0));
        fill(voteNode, [
          el("p", { class: "vote-closed" }, `${L.ui.vote_closed}: ${v.outcome || ""}`),
          el("p", {}, `${L.ui.for} ${raw("for")} · ${L.ui.against} ${raw("against")} · ${L.ui.abstain} ${raw("abstain")}`),
        ]);
      }
    }
    // Controls that only make sense in some states of the sitting (open, suspend, resume, close).
    root.querySelectorAll("[data-states]").forEach((node) => {
      node.hidden = !node.dataset.states.split(" ").includes(state.state);
    });
    root.querySelectorAll("[data-vote-id]").forEach((input) => { input.value = state.vote ? state.vote.id : ""; });
  }

  window.ForumSitting = { create, wireForms, renderCommon, speakerName, el, fill, runsInto, format };
})();
