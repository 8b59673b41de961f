// The delegates' live view: the item with its changes, the list and one's place in it, the
// countdown, the floor buttons and the ballot. Announcements go through one polite live region.
(function () {
  "use strict";
  const root = document.querySelector("[data-sitting][data-page=live]");
  if (!root || !window.ForumSitting || !window.ForumLive) return;
  const S = window.ForumSitting;

  function render(state, type, api) {
    S.renderCommon(root, state, api);
    const L = api.L;
    const me = state.you && state.you.participant_id;
    const waiting = (state.speakers && state.speakers.waiting) || [];
    const mine = waiting.find((s) => s.participant_id === me);
    const speaking = state.speakers && state.speakers.current && state.speakers.current.participant_id === me;
    const place = root.querySelector("[data-own-place]");
    if (place) {
      place.textContent = speaking ? L.ui.you_speak : mine ? S.format(L.ui.your_place, { n: mine.position }) : L.ui.not_on_list;
    }
    const own = root.querySelector("[data-own-request]");
    if (own) own.value = mine ? mine.id : "";
    const withdraw = root.querySelector("[data-withdraw]");
    if (withdraw) withdraw.disabled = !mine;
    root.querySelectorAll("[data-speakers-list] li[data-request]").forEach((li) => {
      if (mine && Number(li.dataset.request) === mine.id) {
        li.classList.add("own");
        li.appendChild(S.el("strong", {}, ` ${L.ui.you}`));
      }
    });
    const ballot = root.querySelector("[data-ballot]");
    if (ballot) ballot.hidden = !(state.vote && state.vote.state === "open");
  }

  const api = S.create(root, render);
  S.wireForms(root, api, (command, ack) => {
    if (ack.ok && command === "cast_ballot") api.say(ack.receipt ? `✓ ${ack.receipt}` : "✓");
  });
})();
