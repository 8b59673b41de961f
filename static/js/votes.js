// A vote's page live: while the vote is open the number of ballots cast updates (a count only,
// coalesced by the server); when it closes the page says so and offers the result.
const article = document.getElementById("vote");
if (article && window.ForumLive) {
  const voteId = Number(article.dataset.voteId);
  const count = article.querySelector("[data-vote-count]");
  const closedNote = article.querySelector("[data-vote-closed-note]");
  let highest = count ? Number(count.textContent) : 0;
  window.ForumLive.follow(article.dataset.room);
  window.ForumLive.on("vote.changed", (payload) => {
    if (!payload || payload.vote_id !== voteId) return;
    if (payload.state === "open" && count && typeof payload.ballots_cast === "number" && payload.ballots_cast > highest) {
      highest = payload.ballots_cast;  // counts may arrive out of order: keep the highest
      count.textContent = String(highest);
    }
    if (payload.state === "closed" && article.dataset.state === "open" && closedNote) {
      article.dataset.state = "closed";
      closedNote.hidden = false;
      const status = article.querySelector("[data-vote-status]");
      if (status) status.textContent = closedNote.textContent;
    }
  });
}
