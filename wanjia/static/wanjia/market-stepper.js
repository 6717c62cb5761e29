/* +/- buttons beside each quantity ([data-step]): clamp to 0..max and tell the
   form (htmx recalculates the cart). */
(function () {
  function step(btn, delta) {
    var box = btn.closest(".stepper"), input = box.querySelector("input");
    var max = parseInt(input.max, 10); if (isNaN(max)) { max = 99; }
    var value = Math.min(max, Math.max(0, (parseInt(input.value, 10) || 0) + delta));
    input.value = value;
    var card = btn.closest(".mk-offer"); if (card) { card.classList.toggle("picked", value > 0); }
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-step]");
    if (btn) { step(btn, parseInt(btn.dataset.step, 10)); }
  });
  /* On a slow phone a tap can land before htmx (deferred) has wired the form,
     and that change would never reach the cart. Once the page has loaded, tell
     the form again about any quantity the tap already moved. */
  window.addEventListener("load", function () {
    document.querySelectorAll(".stepper input").forEach(function (input) {
      if (input.value !== input.defaultValue) {
        input.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
  });
})();
