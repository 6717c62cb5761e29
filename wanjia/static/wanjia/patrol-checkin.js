/* The guard's check-in: each tap is queued in localStorage with its own
   Idempotency-Key and sent at once; without a network it stays queued and is
   sent when the phone is back online (the server keeps one record per key, so
   a scan sent twice is recorded once). GPS is read only when the guard ticks
   the consent box. */
(function () {
  var QUEUE = "wanjia.patrol.queue";
  var DEVICE = "wanjia.patrol.device";

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); }
  function uid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function device() {
    var d = localStorage.getItem(DEVICE);
    if (!d) { d = uid(); localStorage.setItem(DEVICE, d); }
    return d;
  }
  function say(text, kind) {
    var out = document.getElementById("pt-result");
    if (out) { out.textContent = text; out.className = "pt-result " + (kind || ""); }
  }
  function showQueue() {
    var box = document.getElementById("pt-queue");
    if (!box) { return; }
    var n = load().length;
    box.hidden = n === 0;
    box.textContent = n ? n + " " + box.dataset.pending : "";
  }

  var sending = false;
  function flush(form) {
    if (sending) { return; }
    var items = load();
    if (!items.length) { showQueue(); return; }
    sending = true;
    var item = items[0];
    item.body.sent_at = new Date().toISOString();
    fetch(item.api, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": item.key,
        "X-CSRFToken": item.csrf
      },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        if (r.status >= 500) { throw new Error("server"); }
        save(load().filter(function (x) { return x.key !== item.key; }));
        if (form) {
          if (r.ok) { say(form.dataset.ok, "ok"); }
          else { say(form.dataset.refused + "：" + (data.detail || r.status), "bad"); }
        }
        showQueue();
        flush(form);
      });
    }).catch(function () {
      sending = false;
      if (form) { say(form.dataset.queued, "queued"); }
      showQueue();
    });
  }

  function enqueue(form, lat, lng) {
    var items = load();
    var body = {
      token: form.dataset.token,
      scanned_at: new Date().toISOString(),
      note: form.elements.note.value || "",
      device_id: device()
    };
    if (lat !== null) { body.lat = lat; body.lng = lng; }
    items.push({ key: uid(), api: form.dataset.api, csrf: form.dataset.csrf, body: body });
    save(items);
    form.querySelector("button[type=submit]").disabled = true;
    flush(form);
  }

  var form = document.getElementById("pt-checkin");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (form.elements.gps.checked && navigator.geolocation) {
        navigator.geolocation.getCurrentPosition(
          function (p) { enqueue(form, p.coords.latitude, p.coords.longitude); },
          function () { enqueue(form, null, null); },
          { timeout: 8000, maximumAge: 60000 }
        );
      } else {
        enqueue(form, null, null);
      }
    });
  }
  window.addEventListener("online", function () { flush(form); });
  setInterval(function () { if (navigator.onLine !== false) { flush(form); } }, 15000);
  showQueue();
  flush(form);
})();
