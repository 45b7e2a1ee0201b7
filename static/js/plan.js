// The plan page's Print button (no inline script: the node's pages forbid it).
for (const button of document.querySelectorAll("button.print")) {
  button.addEventListener("click", () => window.print());
}
