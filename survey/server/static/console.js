// Console: the "Print" buttons of the flyer and code-sheet pages. Nothing else.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
