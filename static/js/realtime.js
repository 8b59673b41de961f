// The live channel every page shares: follow rooms, keep versions, resync after a gap or a reconnect.
(function () {
  "use strict";
  if (window.ForumLive) return;  // several sections of one page may each load this file: one socket
  const handlers = {};
  const rooms = {};  // room -> {version, callbacks, snapshot}
  const connectHandlers = [];  // run on every (re)connection: pages that join with their own event
  const lost = new Set();  // rooms the server took away (removed from the meeting, moved to another group)
  let socket = null;

  // A random key per browser tab, kept across its reloads: the proxy routes a tab's long-polling
  // requests to one server process on it (docs/deployment.md §8). Not a secret, not an identity.
  function tabKey() {
    const fresh = () => Math.random().toString(36).slice(2, 12);
    try {
      let key = window.sessionStorage.getItem("forum-tab");
      if (!key) { key = fresh(); window.sessionStorage.setItem("forum-tab", key); }
      return key;
    } catch (e) {
      return fresh();
    }
  }

  function connect() {
    if (socket || typeof io === "undefined") return socket;
    socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 10000, query: { tab: tabKey() } });
    socket.on("connect", () => {
      document.documentElement.dataset.live = "on";
      Object.keys(rooms).forEach(subscribe);
      connectHandlers.forEach((fn) => fn());
    });
    socket.on("disconnect", () => { document.documentElement.dataset.live = "off"; });
    socket.on("connect_error", () => { document.documentElement.dataset.live = "off"; });
    socket.on("session.ended", () => { socket.disconnect(); window.location.reload(); });
    socket.on("room.revoked", (payload) => revoked(payload && payload.room));
    socket.onAny((event, payload) => {
      const room = payload && payload.room;
      if (room && lost.has(room) && event !== "room.revoked") return;  // no longer ours to show
      if (room && rooms[room] && typeof payload.version === "number") {
        const known = rooms[room].version;
        if (payload.version <= known) return;  // already seen
        if (known && payload.version > known + 1) { resync(room); return; }
        rooms[room].version = payload.version;
      }
      (handlers[event] || []).forEach((fn) => fn(payload));
    });
    return socket;
  }

  // Rights revoked: stop following the room (no resubscription on reconnect) and say so once, in
  // the words the page carries (`data-room-revoked` on <body>), where screen readers announce it.
  function revoked(room) {
    if (!room) return;
    lost.add(room);
    delete rooms[room];
    const text = document.body.dataset.roomRevoked;
    if (!text || document.getElementById("room-revoked")) return;
    const note = document.createElement("p");
    note.id = "room-revoked";
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    (document.getElementById("main") || document.body).prepend(note);
  }

  function subscribe(room) {
    socket.emit("subscribe", { room }, (ack) => {
      if (ack && ack.ok) deliver(room, ack.snapshot);
    });
  }

  function deliver(room, snapshot) {
    rooms[room].version = snapshot.version || 0;
    rooms[room].snapshot = snapshot;
    rooms[room].callbacks.forEach((fn) => fn(snapshot));
  }

  function resync(room) {
    socket.emit("snapshot", { room }, (ack) => {
      if (ack && ack.ok) deliver(room, ack.snapshot);
    });
  }

  window.ForumLive = {
    follow(room, onSnapshot) {
      const fn = onSnapshot || function () {};
      if (rooms[room]) {  // another part of the page follows it already
        rooms[room].callbacks.push(fn);
        if (rooms[room].snapshot) fn(rooms[room].snapshot);
        return;
      }
      rooms[room] = { version: 0, callbacks: [fn], snapshot: null };
      const s = connect();
      if (s && s.connected) subscribe(room);
    },
    on(event, fn) { (handlers[event] = handlers[event] || []).push(fn); },
    // Send an event with an acknowledgement (live sittings: join, sitting_command, snapshot).
    emit(event, data, ack) {
      const s = connect();
      if (s) s.emit(event, data, ack || function () {});
    },
    onConnect(fn) {
      connectHandlers.push(fn);
      const s = connect();
      if (s && s.connected) fn();
    },
  };
})();
