// Dashboard: who of the user's group is online, per meeting.
(function () {
  "use strict";
  const sections = document.querySelectorAll(".presence[data-room]");
  function render(section, online) {
    const list = section.querySelector(".presence-list");
    list.textContent = online.length
      ? online.map((u) => u.name).join(", ")
      : list.dataset.empty;
  }
  sections.forEach((section) => {
    const room = section.dataset.room;
    window.ForumLive.follow(room, (snap) => render(section, snap.online || []));
  });
  window.ForumLive.on("presence.changed", (payload) => {
    sections.forEach((section) => {
      if (section.dataset.room === payload.room) render(section, payload.online);
    });
  });
  if (typeof io === "undefined") {
    sections.forEach((s) => { const l = s.querySelector(".presence-list"); l.textContent = l.dataset.offline; });
  }
})();
