// csms web: confirmations, forms answered in place, live parts refreshed on server events.
// No framework: the server renders every piece of HTML; this only fetches and swaps it.
"use strict";
(function () {
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // <form data-confirm="Really?"> asks first; <form data-target="#id"> is sent with fetch
  // and the answer (an HTML fragment) replaces the target's content.
  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    const target = form.dataset.target && document.querySelector(form.dataset.target);
    if (!target) return;
    event.preventDefault();
    const buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    target.setAttribute("aria-busy", "true");
    target.innerHTML = '<p class="muted">' + (form.dataset.waiting || "…") + "</p>";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrfToken(),
                   "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: "same-origin",
      });
      const location = response.headers.get("X-Location");
      if (location) { window.location.assign(location); return; }
      target.innerHTML = await response.text();
    } catch (error) {
      target.textContent = String(error);
    } finally {
      target.removeAttribute("aria-busy");
      buttons.forEach(function (b) { b.disabled = false; });
    }
  });

  // <body data-live="/live?..."> opens one event stream; every element with
  // data-refresh="/url" data-on="type1 type2" is re-fetched (debounced) when one arrives.
  function startLive() {
    const source = document.body.dataset.live;
    if (!source || !window.EventSource) return;
    const parts = Array.from(document.querySelectorAll("[data-refresh]"));
    const timers = new Map();
    function refresh(element) {
      if (timers.has(element)) return;
      timers.set(element, window.setTimeout(async function () {
        timers.delete(element);
        try {
          const response = await fetch(element.dataset.refresh, {
            headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
          if (response.redirected || !response.ok) return;
          element.innerHTML = await response.text();
          element.dispatchEvent(new CustomEvent("csms:refreshed", { bubbles: true }));
        } catch (error) { /* the next event tries again */ }
      }, Number(element.dataset.delay || 300)));
    }
    const stream = new EventSource(source, { withCredentials: true });
    stream.onmessage = function (message) {
      let type = "";
      try { type = JSON.parse(message.data).type; } catch (error) { return; }
      document.body.dataset.lastEvent = type;
      parts.forEach(function (element) {
        const wanted = (element.dataset.on || "").split(/\s+/);
        if (wanted.includes("*") || wanted.includes(type)) refresh(element);
      });
    };
    stream.onopen = function () { document.body.dataset.liveOpen = "1"; };
    window.addEventListener("beforeunload", function () { stream.close(); });
  }

  // <select data-autosubmit> sends its form when changed (filters).
  document.addEventListener("change", function (event) {
    const element = event.target;
    if (element instanceof HTMLSelectElement && element.hasAttribute("data-autosubmit")) {
      element.form && element.form.requestSubmit();
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startLive);
  else startLive();
})();
