// Console: the error summary takes the focus when a page shows one (GOV.UK pattern), and the
// "Print" buttons of the flyer and code-sheet pages print. Nothing else.
const summary = document.querySelector("[data-error-summary]");
if (summary) summary.focus();
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
