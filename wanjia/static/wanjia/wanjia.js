/* Behaviour that used to sit in onclick=/onchange=/onsubmit= attributes, which
   the Content-Security-Policy (scripts only from this site) does not run:
   [data-print] prints the page, [data-autosubmit] submits its form on change,
   form[data-confirm] asks before submitting, [data-back] goes back.
   The console menu's groups (details.navgroup) close when another opens, on a
   tap elsewhere and on Escape, as a menu does. */
(function () {
  function closeGroups(except) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) {
      if (d !== except) { d.open = false; }
    });
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.navgroup") && e.target.open) { closeGroups(e.target); }
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeGroups(null); }
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest("details.navgroup")) { closeGroups(null); }
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); return; }
    var back = e.target.closest("[data-back]");
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("change", function (e) {
    var el = e.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.submit(); }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { e.preventDefault(); }
  }, true);
})();
