// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons that print the page (no inline handlers: the CSP forbids them).
  document.querySelectorAll("[data-print]").forEach((el) =>
    el.addEventListener("click", () => window.print()));
  // Selects that submit their form on change (filters).
  document.querySelectorAll("select[data-autosubmit]").forEach((el) =>
    el.addEventListener("change", () => el.form.requestSubmit()));
  // Ask before a destructive or irreversible action.
  document.querySelectorAll("form[data-confirm]").forEach((form) =>
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    }));
});
