// Discussions, live. On a thread page, a new post appears in its place without a reload and an
// edited, deleted or hidden post is redrawn; on a space page (or a thread list) the unread counts
// follow new posts. Events carry ids only: the post itself, or the counts, are fetched from the
// server, which checks access again and renders them in the reader's language.
(function () {
  "use strict";
  const live = window.ForumLive;
  if (!live) return;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)));
  }

  function show(notice, href) {
    if (!notice) return;
    const link = notice.querySelector("a");
    if (href && link) link.href = href;
    notice.hidden = false;
  }

  // --- a thread page -------------------------------------------------------------------------------
  const posts = document.querySelector("#posts[data-room]");
  if (posts) {
    const room = posts.dataset.room;
    const page = Number(posts.dataset.page) || 1;
    const base = posts.dataset.postsUrl;  // …/threads/<id>/posts/
    const changed = document.querySelector('[data-notice="changed"]');
    const elsewhere = document.querySelector('[data-notice="elsewhere"]');
    let seen = Number(posts.dataset.version) || 0;

    function element(html) {
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      return template.content.firstElementChild;
    }

    function place(node) {
      const existing = document.getElementById(node.id);
      if (existing) { existing.replaceWith(node); return; }
      const key = node.dataset.sortKey;
      const next = Array.from(posts.querySelectorAll("article.post")).find((a) => a.dataset.sortKey > key);
      posts.insertBefore(node, next || null);
    }

    function fetchPost(id, arrived) {
      getJSON(base + id + "/fragment").then((data) => {
        const node = element(data.html);
        if (!node) return;
        if (document.getElementById(node.id) || data.page === page) {
          if (arrived) node.classList.add("arrived");
          place(node);
        } else if (arrived) {
          show(elsewhere, base + id);
        }
      }).catch(() => show(changed));
    }

    function fresh(payload) {
      if (payload.room !== room) return false;
      seen = Math.max(seen, payload.version || 0);
      return true;
    }

    live.follow(room, (snapshot) => {
      // Something happened while this page was not listening: offer a reload rather than guess.
      if ((snapshot.version || 0) > seen) show(changed);
      seen = Math.max(seen, snapshot.version || 0);
    });
    live.on("post.created", (p) => { if (fresh(p)) fetchPost(p.post_id, true); });
    live.on("post.updated", (p) => {
      if (fresh(p) && document.getElementById("post-" + p.post_id)) fetchPost(p.post_id, false);
    });
    live.on("thread.updated", (p) => { if (fresh(p)) show(changed); });
  }

  // --- a list of threads (the space page, the thread list page) ----------------------------------
  const list = document.querySelector("[data-thread-list][data-room]");
  if (list) {
    const room = list.dataset.room;
    const started = document.querySelector('[data-notice="threads"]');
    let timer = null;

    function update(data) {
      list.querySelectorAll("[data-unread-for]").forEach((badge) => {
        const n = data.threads[badge.dataset.unreadFor] || 0;
        badge.querySelector(".unread-count").textContent = String(n);
        badge.hidden = n === 0;
      });
    }

    function refresh() {  // a burst of posts costs one request
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        getJSON(list.dataset.unreadUrl).then(update).catch(() => {});
      }, 300);
    }

    live.follow(room, refresh);
    live.on("thread.activity", (p) => { if (p.room === room) refresh(); });
    live.on("thread.updated", (p) => { if (p.room === room) refresh(); });
    live.on("thread.created", (p) => {
      if (p.room !== room) return;
      if (!list.querySelector('[data-thread-id="' + p.thread_id + '"]')) show(started);
    });
  }
})();
