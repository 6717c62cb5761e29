/* Optional: where the browser can read QR codes itself (BarcodeDetector), a
   button opens the back camera and fills the scan field. Without it, a
   phone's scanner app or a keyboard-wedge scanner fills the same field. */
(function () {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  function show() { document.querySelectorAll("[data-camera]").forEach(function (b) { b.hidden = false; }); }
  show();
  document.body.addEventListener("htmx:afterSwap", show);
  document.addEventListener("click", async function (e) {
    var btn = e.target.closest("[data-camera]");
    if (!btn) return;
    var form = btn.form, video = form.querySelector("video"), input = form.querySelector("[name=scanned]");
    var stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (err) { btn.disabled = true; return; }
    var detector = new BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream; video.hidden = false; await video.play();
    function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
    async function tick() {
      if (!document.body.contains(video)) { stop(); return; }
      try {
        var found = await detector.detect(video);
        if (found.length) { input.value = found[0].rawValue; stop(); form.requestSubmit(); return; }
      } catch (err) { /* a frame not ready yet */ }
      setTimeout(tick, 250);
    }
    tick();
  });
})();
