// Programme and bulletin: say when the secretariat has changed the programme since the page was drawn.
(function () {
  "use strict";
  const notice = document.querySelector(".live-notice[data-room]");
  if (!notice || !window.ForumLive) return;
  const drawn = Number(notice.dataset.version) || 0;
  function show() { notice.hidden = false; }
  window.ForumLive.follow(notice.dataset.room, (snap) => {
    if ((snap.version || 0) > drawn) show();
  });
  window.ForumLive.on("programme.changed", (payload) => {
    if (payload.room === notice.dataset.room && (payload.version || 0) > drawn) show();
  });
})();
