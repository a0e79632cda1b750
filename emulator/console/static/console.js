// The console's live parts: the clock ticks, outbox tables refresh, TOTP codes roll over,
// click-to-copy and confirmations. Everything else is plain server-rendered HTML.
(function () {
  "use strict";
  var prefix = document.body.getAttribute("data-prefix") || "/_emulator";

  function getJSON(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null && params[key] !== "") query.set(key, params[key]);
    });
    var url = prefix + path + (query.toString() ? "?" + query.toString() : "");
    return fetch(url, { headers: { accept: "application/json" }, cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function formatTime(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) + " " +
      pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) + ":" + pad(date.getUTCSeconds()) + " UTC";
  }
  // Same as the server's "offset" filter: +1 d 2 h, +5 min, -30 s.
  function formatOffset(seconds) {
    var left = Math.round(Math.abs(seconds));
    if (!left) return "real time";
    var parts = [];
    [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]].forEach(function (unit) {
      if (left >= unit[1]) { parts.push(Math.floor(left / unit[1]) + " " + unit[0]); left = left % unit[1]; }
    });
    return (seconds < 0 ? "-" : "+") + parts.slice(0, 2).join(" ");
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // --- the clock: ticks locally, re-syncs with /_emulator/clock (another client may move it) ---------
  var clock = document.getElementById("clock");
  var clockState = null;
  function setClock(state) {
    clockState = { now: Date.parse(state.now), at: Date.now(), offset: state.offset_seconds };
    var offset = document.getElementById("clock-offset");
    if (offset) {
      offset.textContent = formatOffset(state.offset_seconds);
      offset.className = "badge " + (state.offset_seconds ? "badge-warn" : "badge-muted");
    }
  }
  function tick() {
    if (!clockState) return;
    var now = new Date(clockState.now + (Date.now() - clockState.at));
    document.getElementById("clock-now").textContent = formatTime(now);
  }
  if (clock) {
    setClock({ now: clock.getAttribute("data-now"), offset_seconds: parseFloat(clock.getAttribute("data-offset")) || 0 });
    setInterval(tick, 1000);
    setInterval(function () {
      getJSON("/clock").then(function (state) {
        var changed = clockState && Math.abs(state.offset_seconds - clockState.offset) > 0.5;
        setClock(state);
        tick();
        if (changed) refreshTotp();
      }).catch(function () {});
    }, 2000);
  }

  // --- outbox tables: poll /_emulator/messages, newest first --------------------------------------
  function messageRow(message) {
    var row = el("tr");
    row.setAttribute("data-id", message.id);
    row.appendChild(el("td", "nowrap muted", formatTime(new Date(message.created_at))));
    var channel = el("td"); channel.appendChild(el("span", "chip", message.channel)); row.appendChild(channel);
    row.appendChild(el("td", "break", message.destination));
    var user = el("td", "ellipsis", message.username); user.title = message.username; row.appendChild(user);
    row.appendChild(el("td", "nowrap muted", message.purpose));
    var code = el("td");
    if (message.code) code.appendChild(el("span", "code-pill", message.code));
    row.appendChild(code);
    var body = el("td", "body");
    if (message.subject) { body.appendChild(el("strong", null, message.subject)); body.appendChild(document.createTextNode(" — ")); }
    body.appendChild(document.createTextNode(message.body));
    row.appendChild(body);
    return row;
  }
  function refreshOutbox(table) {
    var params = {
      limit: table.getAttribute("data-limit") || 50,
      pool_id: table.getAttribute("data-pool"),
      username: table.getAttribute("data-username")
    };
    var holder = table.closest(".table-scroll") || table;
    var live = holder.parentNode.querySelector(".live");
    return getJSON("/messages", params).then(function (answer) {
      var tbody = table.tBodies[0];
      var known = {};
      Array.prototype.forEach.call(tbody.rows, function (row) { known[row.getAttribute("data-id")] = true; });
      var ids = answer.messages.map(function (message) { return String(message.id); });
      var same = ids.length === tbody.rows.length && ids.every(function (id) { return known[id]; });
      if (live) live.classList.remove("stale");
      if (same) return;
      var fresh = document.createDocumentFragment();
      answer.messages.forEach(function (message) {
        var row = messageRow(message);
        if (!known[String(message.id)] && Object.keys(known).length) row.className = "fresh";
        fresh.appendChild(row);
      });
      if (!answer.messages.length) {
        var empty = el("tr", "placeholder");
        var cell = el("td", "muted", "No messages yet. Sign-up, MFA and password-reset codes show up here.");
        cell.colSpan = 7; empty.appendChild(cell); fresh.appendChild(empty);
      }
      tbody.innerHTML = "";
      tbody.appendChild(fresh);
    }).catch(function () { if (live) live.classList.add("stale"); });
  }
  var outboxes = document.querySelectorAll("table[data-outbox]");
  if (outboxes.length) {
    setInterval(function () { Array.prototype.forEach.call(outboxes, refreshOutbox); }, 1500);
  }

  // --- TOTP codes: count down, fetch the next code when the 30-second step rolls over --------------
  var totpBoxes = document.querySelectorAll("[data-totp]");
  function refreshTotp() {
    Array.prototype.forEach.call(totpBoxes, function (box) {
      getJSON("/totp", { pool_id: box.getAttribute("data-pool"), username: box.getAttribute("data-username") })
        .then(function (answer) {
          var code = box.getAttribute("data-kind") === "pending" && answer.pending_code ? answer.pending_code : answer.code;
          box.querySelector("[data-code]").textContent = code;
          box.querySelector("[data-left]").textContent = answer.seconds_left;
        }).catch(function () {});
    });
  }
  if (totpBoxes.length) {
    setInterval(function () {
      Array.prototype.forEach.call(totpBoxes, function (box) {
        var left = box.querySelector("[data-left]");
        var value = parseInt(left.textContent, 10) - 1;
        if (value <= 0) { refreshTotp(); } else { left.textContent = value; }
      });
    }, 1000);
  }

  // --- click to copy, confirmations ---------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest(".copy") : null;
    if (!target || !navigator.clipboard) return;
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      target.classList.add("copied");
      setTimeout(function () { target.classList.remove("copied"); }, 800);
    }).catch(function () {});
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
