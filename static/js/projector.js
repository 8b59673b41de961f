// The room projector: no controls, large type; redraws whatever the sitting shows.
(function () {
  "use strict";
  const root = document.querySelector("[data-sitting][data-page=projector]");
  if (!root || !window.ForumSitting || !window.ForumLive) return;
  window.ForumSitting.create(root, (state, type, api) => {
    window.ForumSitting.renderCommon(root, state, api);
    // The next speakers only: the first five of the list.
    root.querySelectorAll("[data-speakers-list] li").forEach((li, index) => { li.hidden = index >= 5; });
  });
})();
