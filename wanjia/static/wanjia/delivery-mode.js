/* Show the chosen mode's default speed and bags per trip as the placeholder:
   a blank field takes that default on the server. */
(function () {
  function sync(form) {
    var opt = form.querySelector("select[data-mode]").selectedOptions[0];
    form.querySelector("input[data-speed]").placeholder = opt.dataset.speed;
    form.querySelector("input[data-cap]").placeholder = opt.dataset.cap;
  }
  function wire(root) {
    root.querySelectorAll("select[data-mode]").forEach(function (sel) {
      var form = sel.form; sync(form);
      sel.addEventListener("change", function () { sync(form); });
    });
  }
  wire(document);
  document.body.addEventListener("htmx:afterSwap", function (e) { wire(e.target); });
})();
